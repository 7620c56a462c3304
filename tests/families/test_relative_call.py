"""A relative's call taken on the hotline (issue #24): the operator types the inquiry through
the inquirer API, reads the codename out until the caller reads it back, and stores no caller
number; the caller then reads his answer on the web like anyone; the operator reads no
inquiry."""

import pytest
from django.test import Client

from safepassage.families import inquirers
from safepassage.families.models import Inquiry
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, form_token, text_of
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db

CALL = {
    "relationship": "father",
    "inquirer_name": "папа",
    "region": "Курская область",
    "language": "ru",
    "s1_surname": "Орлов",
    "s1_first_name": "Иван",
    "s1_born": "2001",
}


def test_the_operator_takes_a_relatives_call_and_the_caller_reads_back_his_codename(
    world, staff_client
):
    operator = staff_client(Role.INTAKE)
    form = operator.get("/ru/staff/p/north/relative-call/").content.decode()
    call = {**CALL, "token": form_token(form)}
    assert text_of(form, "relative-script").startswith(
        "Сначала прочитайте это звонящему Мы никогда не просим денег, банковских данных или "
        "номера телефона"
    )
    assert 'name="phone"' not in form
    sent = operator.post("/ru/staff/p/north/relative-call/", call)
    assert sent["Location"] == "/ru/staff/p/north/relative-call/codename/"
    page = operator.get(sent["Location"])
    assert "no-store" in page["Cache-Control"]
    codename = text_of(page.content.decode(), "codename")
    assert len(codename.split()) == 8
    assert text_of(page.content.decode(), "answer-by").startswith(
        "Скажите ему: получено; мы ответим на сайте, под этим кодовым именем, до "
    )
    wrong = operator.post(sent["Location"], {"heard": "не те слова"})
    assert wrong.status_code == 400
    heard = operator.post(sent["Location"], {"heard": codename.upper()})
    assert heard["Location"] == "/ru/staff/p/north/relative-call/"
    assert operator.get(sent["Location"])["Location"] == "/ru/staff/p/north/relative-call/"
    inquiry = Inquiry.objects.get()
    assert inquirers.opened(inquiry, world.keyring["families"])["inquirer"]["inquirer_name"] == (
        "папа"
    )
    assert audit_entries("families.inquiry_received") == [
        (f"staff:{world.staff[Role.INTAKE].pk}", {"channel": "hotline"})
    ]
    caller = Client()
    assert caller.post("/ru/family/enter/", {"codename": codename})["Location"] == (
        "/ru/family/answer/"
    )
    assert operator.get("/ru/staff/p/north/inquiries/").status_code == 404
    assert "Орлов".encode() not in database_bytes()


def test_only_an_intake_operator_takes_relatives_calls(world, staff_client):
    for role in (Role.TRACING, Role.VERIFIER, Role.RECEPTION, Role.ADMIN):
        client = staff_client(role)
        assert client.get("/ru/staff/p/north/relative-call/").status_code == 404
        assert client.post("/ru/staff/p/north/relative-call/", CALL).status_code == 404
    assert not Inquiry.objects.exists()


def test_in_a_flood_the_operator_keeps_the_call_and_records_it_at_its_time(
    world, staff_client, settings
):
    settings.FAMILIES_FLOOD_PER_MINUTE = 1
    for _ in range(2):
        inquirers.submit_inquiry(
            world.programme,
            {"relationship": "mother", "inquirer_name": "мама"},
            [{"surname": "Иванов", "first_name": "Сергей"}],
            language="ru",
        )
    operator = staff_client(Role.INTAKE)
    form = operator.get("/ru/staff/p/north/relative-call/").content.decode()
    kept = operator.post("/ru/staff/p/north/relative-call/", {**CALL, "token": form_token(form)})
    page = kept.content.decode()
    assert text_of(page, "send-again").startswith(
        "Сейчас приходит много запросов, и их принимают по очереди. Запрос ещё не записан."
    )
    assert 'value="Орлов"' in page
    assert Inquiry.objects.count() == 2
