"""Relatives ask (issue #24, the first part): the inquiry, its codename, the receipt and the
default answer, which are the same whatever the truth behind them; the tracing officer's
page; and what a copy of the database holds."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from safepassage.cases.models import Case
from safepassage.families import inquirers
from safepassage.families.models import Inquiry
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, form_token, submit, text_of
from tests.fixtures.prisoners import received_case, register
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def ask(client: Client, lang: str = "ru", **sought: str) -> str:
    """A mother's inquiry through the real form, JavaScript off; returns the codename."""
    return ask_for_receipt(client, lang, **sought)[0]


def ask_for_receipt(client: Client, lang: str = "ru", **sought: str) -> tuple[str, str]:
    """The codename and the receipt page it was shown on."""
    form = client.get(f"/{lang}/north/family/")
    assert form.status_code == 200
    data = {
        "token": form_token(form.content.decode()),
        "relationship": "mother",
        "inquirer_name": "мама Галя",
        "region": "Тамбовская область",
        "question": "Как звали нашу собаку?",
        "answer": "Тузик",
        "language": lang,
        "s1_surname": "Иванов",
        "s1_first_name": "Сергей",
        "s1_patronymic": "Петрович",
        "s1_born": "1994",
        **sought,
    }
    sent = client.post(f"/{lang}/north/family/", data)
    assert sent.status_code == 302, sent.content.decode()[:500]
    assert sent["Location"] == f"/{lang}/north/family/received/"
    receipt = client.get(sent["Location"]).content.decode()
    return text_of(receipt, "codename"), receipt


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_mother_asks_in_russian_and_reads_the_receipt_and_the_default_answer(world, time_machine):
    time_machine.move_to(NOON)
    mother = Client()
    codename = ask(mother)
    assert len(codename.split()) == 8
    receipt = mother.get("/ru/north/family/received/")
    assert receipt["Location"] == "/ru/family/enter/"  # the codename is shown once
    entered = mother.post("/ru/family/enter/", {"codename": codename})
    assert entered["Location"] == "/ru/family/answer/"
    page = mother.get("/ru/family/answer/").content.decode()
    assert text_of(page, "answer") == "Сейчас у нас нет сведений, которыми мы можем поделиться."
    assert text_of(page, "answer-by") == (
        "Ответы даются здесь, все сразу, в назначенное время; вернитесь до 09.12.2026."
    )
    assert "никогда не просим денег" in text_of(page, "families-notice")
    assert audit_entries("families.inquiry_received") == [("inquirer", {})]


def test_the_receipt_and_the_answer_are_the_same_whatever_the_truth_behind_them(
    world, front, time_machine
):
    """Nobody by that name; a registered prisoner by that name; a man who applied and has not
    crossed: the inquirer's pages are the same bytes (but for the CSRF token and the
    codename), received at the same moment, before and after a release."""
    time_machine.move_to(NOON)
    prisoner = received_case(world, front, Client())
    register(world, prisoner, surname="Иванов", first_names="Сергей Петрович")
    submit(Client(), surname="Петров", first_names="Олег")  # applied, not crossed
    pages = {}
    for name, surname, first in (
        ("nobody", "Несуществующий", "Никто"),
        ("registered", "Иванов", "Сергей"),
        ("applied", "Петров", "Олег"),
    ):
        client = Client()
        codename = ask(client, s1_surname=surname, s1_first_name=first)
        client.post("/ru/family/enter/", {"codename": codename})
        pages[name] = [without_tokens(client.get("/ru/family/answer/").content.decode())]
        time_machine.move_to(datetime(2026, 12, 11, 12, 0, tzinfo=UTC))  # past a release
        pages[name].append(without_tokens(client.get("/ru/family/answer/").content.decode()))
        time_machine.move_to(NOON)
    assert pages["nobody"] == pages["registered"] == pages["applied"]
    assert Inquiry.objects.count() == 3


def test_the_receipt_is_the_same_for_every_inquiry_of_one_period(world, time_machine):
    time_machine.move_to(NOON)
    receipts = []
    for moment, surname in ((NOON, "Иванов"), (datetime(2026, 12, 8, 23, 0, tzinfo=UTC), "Другой")):
        time_machine.move_to(moment)  # both in the period that ends 9 Dec 00:00 UTC
        client = Client()
        codename, receipt = ask_for_receipt(client, s1_surname=surname)
        receipts.append(without_tokens(receipt).replace(codename, "…"))
    assert receipts[0] == receipts[1]
    assert text_of(receipts[0], "answer-by") == "Получено. Мы ответим здесь до 12.12.2026."


def test_a_copy_of_the_database_holds_none_of_what_he_typed(world):
    ask(Client(), s1_call_sign="Шмель", s1_marks="шрам над левой бровью")
    raw = database_bytes()
    for typed in ("Иванов", "мама Галя", "Тузик", "Шмель", "шрам над левой бровью", "Тамбовская"):
        assert typed.encode() not in raw, typed


def test_only_the_tracing_officer_reads_inquiries_and_he_opens_no_case(world, staff_client):
    ask(Client())
    url = "/ru/staff/p/north/inquiries/"
    tracer = staff_client(Role.TRACING)
    page = tracer.get(url).content.decode()
    assert "Иванов Сергей Петрович, 1994" in page
    assert text_of(page, f"inquiry-{Inquiry.objects.get().pk}").endswith(
        "мама Галя (Мать), Тамбовская область Иванов Сергей Петрович, 1994"
    )
    (inquiry,) = Inquiry.objects.all()
    assert audit_entries("families.inquiries_read") == [
        (f"staff:{world.staff[Role.TRACING].pk}", {"inquiries": [inquiry.pk]})
    ]
    for role in (Role.INTAKE, Role.VERIFIER, Role.COORDINATOR, Role.RECEPTION, Role.ADMIN):
        assert staff_client(role).get(url).status_code == 404, role
    submit(Client())
    reference = Case.objects.get().reference
    for path in (
        f"/ru/staff/case/{reference}/",
        "/ru/staff/p/north/queue/",
        "/ru/staff/p/north/reception/",
    ):
        assert tracer.get(path).status_code == 404, path


def test_the_families_key_opens_nothing_else_and_no_other_key_opens_an_inquiry(world):
    from safepassage.vault import crypto

    ask(Client())
    inquiry = Inquiry.objects.get()
    for group, key in world.keyring.items():
        if group == "families":
            assert inquirers.opened(inquiry, key)["sought"][0]["surname"] == "Иванов"
        else:
            with pytest.raises(crypto.DecryptionError, match="could not be opened"):
                inquirers.opened(inquiry, key)


def test_an_inquiry_codename_opens_nothing_on_the_applicants_side(world):
    codename = ask(Client())
    applicant = Client()
    wrong = applicant.post("/ru/enter/", {"codename": codename})
    assert wrong.status_code != 302 or wrong["Location"] != "/ru/my/"


def test_a_second_person_needs_at_least_a_name(world):
    sent = Client().post(
        "/en/north/family/",
        {
            "relationship": "wife",
            "inquirer_name": "Lena",
            "language": "en",
            "s1_surname": "Ivanov",
            "s1_first_name": "Sergei",
            "s2_unit": "74th brigade",
        },
    )
    assert sent.status_code == 400
    assert "Give at least his surname and first name." in sent.content.decode()
    assert not Inquiry.objects.exists()


def test_the_official_channels_page_shows_relatives_where_to_ask(world):
    page = Client().get("/ru/north/official/").content.decode()
    assert text_of(page, "families-channel") == (
        "Если вы родственник военнослужащего и хотите узнать, содержится ли он в плену, "
        "спросите на этом сайте под собственным кодовым именем: спросить о родственнике"
    )
    assert 'href="/ru/north/family/"' in page
    assert text_of(page, "families-listed").startswith(
        "Родственники военнослужащего могут спросить здесь, на сайте и в боте, "
    )
