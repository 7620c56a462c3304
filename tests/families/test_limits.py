"""Around the inquiry (issue #24): a browser sends only a few inquiries an hour, wrong
inquiry codenames make that browser wait (the right one always gets in), and retention
deletes an inquiry, with what hangs on it, a year after its last answer."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.families import inquirers, releases
from safepassage.families.models import Decision, Inquiry, Match
from tests.conftest import audit_entries, form_token, text_of
from tests.families.test_decisions import Inquirer, confirm, decide
from tests.families.test_inquiries import ask
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db


def test_a_browser_sends_only_a_few_inquiries_an_hour(world, settings):
    settings.FAMILIES_INQUIRIES_PER_SESSION = 2
    relative = Client()
    ask(relative)
    ask(relative)
    page = relative.get("/ru/north/family/")
    assert page.status_code == 200
    refused = relative.post(
        "/ru/north/family/",
        {
            "token": form_token(page.content.decode()),
            "relationship": "wife",
            "inquirer_name": "Лена",
            "language": "ru",
            "s1_surname": "Орлов",
            "s1_first_name": "Иван",
        },
    )
    assert refused.status_code == 400
    assert text_of(refused.content.decode(), "inquiry-error") == (
        "С этого браузера за последний час отправлено несколько запросов. Подождите час."
    )
    assert Inquiry.objects.count() == 2
    ask(Client())  # another browser is not held back
    assert Inquiry.objects.count() == 3


def test_wrong_codenames_make_the_browser_wait_and_the_right_one_still_gets_in(world):
    codename = ask(Client())
    guesser = Client()
    for _ in range(3):
        wrong = guesser.post("/ru/family/enter/", {"codename": "один два три"})
        assert 'id="wrong-codename"' in wrong.content.decode()
    fourth = guesser.post("/ru/family/enter/", {"codename": "один два три"}).content.decode()
    assert text_of(fourth, "wait") == (
        "Слишком много неверных кодовых слов из этого браузера. Подождите 2 секунды перед "
        "следующей попыткой."
    )
    fifth = guesser.post("/ru/family/enter/", {"codename": "один два три"}).content.decode()
    assert 'id="wrong-codename"' not in fifth
    assert "один два три" not in fifth
    assert guesser.post("/ru/family/enter/", {"codename": codename})["Location"] == (
        "/ru/family/answer/"
    )


def test_retention_deletes_an_inquiry_a_while_after_its_last_answer(
    world, ivanov, time_machine, settings
):
    settings.FAMILIES_RETENTION_DAYS = 30
    received = timezone.now()
    answered = Inquirer()
    Inquirer(s1_call_sign="Шмель")  # never answered
    decide(world, confirm(world, answered, ivanov), "share", words="да, это мама")
    release = inquirers.next_release(received + timedelta(days=10))
    time_machine.move_to(release)
    releases.release_answers(release)
    assert releases.shred_expired_inquiries(received + timedelta(days=29)) == 0
    assert releases.shred_expired_inquiries(received + timedelta(days=31)) == 1
    assert list(Inquiry.objects.all()) == [answered.inquiry]
    assert releases.shred_expired_inquiries(release + timedelta(days=29)) == 0
    assert releases.shred_expired_inquiries(release + timedelta(days=31)) == 1
    assert not Inquiry.objects.exists()
    assert not Match.objects.exists()
    assert not Decision.objects.exists()
    assert audit_entries("families.inquiries_shredded") == [
        ("system", {"inquiries": 1}),
        ("system", {"inquiries": 1}),
    ]
    assert "Шмель".encode() not in database_bytes()


def send(client: Client, surname: str):
    page = client.get("/ru/north/family/").content.decode()
    data = {
        "token": form_token(page),
        "relationship": "sister",
        "inquirer_name": "Оля",
        "language": "ru",
        "s1_surname": surname,
        "s1_first_name": "Иван",
    }
    return client.post("/ru/north/family/", data), data


def test_a_flood_of_inquiries_is_taken_in_turn_and_delays_no_application(
    world, settings, time_machine
):
    """Above FAMILIES_FLOOD_PER_MINUTE a form gets a place in the inquiries' schedule, is
    kept, and goes when sent again at its time; applications keep their own schedule."""
    from safepassage.cases import pacing

    settings.FAMILIES_FLOOD_PER_MINUTE = 2
    time_machine.move_to(timezone.now())
    for surname in ("Орлов", "Петров", "Сидоров"):
        sent, _data = send(Client(), surname)
        assert sent.status_code == 302
    late = Client()
    queued, data = send(late, "Козлов")
    page = queued.content.decode()
    assert text_of(page, "send-again").startswith(
        "Сейчас приходит много запросов, и их принимают по очереди. Ваш запрос ещё не "
        "отправлен. Ваши ответы сохранены ниже. Отправьте его снова в это время или позже: "
    )
    assert 'value="Козлов"' in page  # his answers kept
    assert Inquiry.objects.count() == 3
    assert not pacing.flooded(world.programme)  # applications are not held back
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    time_machine.shift(60)
    again = late.post("/ru/north/family/", {**data, "token": token.group(1)})
    assert again["Location"] == "/ru/north/family/received/"
    assert Inquiry.objects.count() == 4
    twice = late.post("/ru/north/family/", {**data, "token": token.group(1)})
    assert text_of(twice.content.decode(), "inquiry-error") == (
        "Эта форма уже отправлена. Откройте новую, чтобы спросить снова."
    )
    assert Inquiry.objects.count() == 4


def test_an_application_ticket_is_no_inquiry_ticket(world):
    from safepassage.cases import pacing

    client = Client()
    _sent, data = send(client, "Орлов")
    Inquiry.objects.all().delete()
    forged = client.post("/ru/north/family/", {**data, "token": pacing.issue(world.programme)})
    assert 'id="send-again"' in forged.content.decode()  # refused as expired: a new ticket
    assert not Inquiry.objects.exists()
