"""Around the inquiry (issue #24): a browser sends only a few inquiries an hour, wrong
inquiry codenames make that browser wait (the right one always gets in), and retention
deletes an inquiry, with what hangs on it, a year after its last answer."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.families import inquirers, releases
from safepassage.families.models import Decision, Inquiry, Match
from tests.conftest import audit_entries, text_of
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
