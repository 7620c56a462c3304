"""The applicant's journey and the promises made to them."""

import io
import logging
import re

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT

from safepassage import context_processors
from safepassage.cases import casework
from safepassage.cases.models import Case, Codename, Message
from safepassage.intake import throttle
from safepassage.programmes.roles import Role
from safepassage.programmes.services import create_programme
from safepassage.vault.sessions import SessionStore
from tests.conftest import (
    application,
    audit_entries,
    enter,
    form_token,
    found,
    sign_in,
    submit,
    text_of,
)


def test_the_site_opens_in_russian(world, client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/ru/"
    html = response.content.decode()
    assert 'lang="ru"' in html
    assert "Подать заявку" in html
    assert "никогда не просим денег" in html.lower()


def test_english_is_one_link_away(world, client):
    html = client.get("/ru/").content.decode()
    assert 'href="/en/"' in html
    assert "We never ask for money" in client.get("/en/").content.decode()


@pytest.mark.parametrize(
    ("path", "other"),
    [
        ("/ru/north/apply/", "/en/north/apply/"),
        ("/en/safety/", "/ru/safety/"),
        ("/ru/", "/en/"),
    ],
)
def test_every_page_links_to_itself_in_the_other_language(world, client, path, other):
    html = client.get(path).content.decode()
    assert f'href="{other}"' in html


def test_apply_and_come_back_with_the_codename(world, client):
    codename = submit(client, lang="ru")
    assert len(codename.split()) == 8
    assert re.fullmatch(r"[а-я ]+", codename)
    response = enter(Client(), codename, lang="ru")
    assert response.status_code == 302
    assert response["Location"] == "/ru/my/"


def test_applicant_reads_staff_message_replies_and_cancels(world, client):
    codename = submit(client)
    case = Case.objects.get()
    casework.staff_message(
        case, user=world.staff[Role.INTAKE], keyring=world.keyring, text="Stay put."
    )
    applicant = Client()
    enter(applicant, codename)
    page = applicant.get("/en/my/").content.decode()
    assert "Stay put." in page
    assert "When can I go?" in page
    applicant.post("/en/my/reply/", {"text": "Understood."})
    assert "Understood." in applicant.get("/en/my/").content.decode()
    assert "Cancel your application?" in applicant.get("/en/my/cancel/").content.decode()
    applicant.post("/en/my/cancel/")
    case.refresh_from_db()
    assert case.state == "cancelled"
    assert "You have cancelled" in applicant.get("/en/my/").content.decode()


def test_the_codename_is_shown_only_after_the_case_is_committed(world, client, monkeypatch):
    from safepassage.audit import log

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(log, "_append", fail)  # every audit entry goes through it
    page = client.get("/en/north/apply/")
    raising = Client(raise_request_exception=False)
    response = raising.post("/en/north/apply/", application(form_token(page.content.decode())))
    assert response.status_code == 500
    assert 'id="codename"' not in response.content.decode()
    assert Case.objects.count() == 0
    assert Codename.objects.count() == 0


def test_a_session_that_guesses_waits_but_never_locks_out_anyone_else(world, client):
    from django.contrib.sessions.models import Session

    codename = submit(client)
    guesser = Client()
    for _ in range(3):  # three free tries
        page = enter(guesser, "лес " * 8).content.decode()
        assert "not known" in page
        assert 'id="wait"' not in page
    page = enter(guesser, "лес " * 8).content.decode()
    assert "Wait 2 seconds before the next try" in text_of(page, "wait")
    # During the wait a wrong codename is answered only with the wait, longer each time...
    page = enter(guesser, "лес " * 8).content.decode()
    assert "Wait 4 seconds before the next try" in text_of(page, "wait")
    # ...but a right one gets in at once (issue #22, point 11), and anyone else's too.
    assert enter(Client(), codename)["Location"] == "/en/my/"
    rows = Session.objects.count()
    assert enter(guesser, codename)["Location"] == "/en/my/"
    # The count lived in his session: no table grows with guesses from fresh sessions.
    for _ in range(5):
        enter(Client(), "лес " * 8)
    assert Session.objects.count() == rows + 5


def test_waits_double_up_to_fifteen_minutes():
    assert [throttle.POLICY.wait_for(n).total_seconds() for n in (1, 3, 4, 5, 6, 30)] == [
        0,
        0,
        2,
        4,
        8,
        900,
    ]


def test_the_session_ends_after_ten_idle_minutes(world, client, time_machine):
    import time

    codename = submit(client)
    applicant = Client()
    enter(applicant, codename)
    assert applicant.get("/en/my/").status_code == 200
    time_machine.move_to(time.time() + 540)
    assert applicant.get("/en/my/").status_code == 200  # nine idle minutes: still in
    time_machine.move_to(time.time() + 601)
    assert applicant.get("/en/my/")["Location"] == "/en/enter/"


def test_leaving_ends_the_session(world, client):
    applicant = Client()
    enter(applicant, submit(client))
    applicant.post("/en/my/leave/")
    assert applicant.get("/en/my/").status_code == 302
    assert audit_entries("applicant.entered") == [("applicant", {})]


def test_only_one_cookie_strict_http_only_and_no_store(world, client):
    codename = submit(client)
    response = enter(client, codename)
    assert list(response.cookies) == ["sp"]
    cookie = response.cookies["sp"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert not cookie["expires"]
    page = client.get("/en/my/")
    assert page["Cache-Control"].startswith("no-store")
    assert page["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_another_origin_and_allow_no_inline_code(world, client):
    for path in ["/ru/", "/ru/north/apply/", "/ru/enter/", "/ru/safety/"]:
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "form-action 'self'" in csp
        html = response.content.decode()
        assert "<script" not in html
        assert " style=" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html)


def test_a_double_submit_makes_one_case(world, client):
    page = client.get("/en/north/apply/")
    data = application(form_token(page.content.decode()))
    first = client.post("/en/north/apply/", data, follow=True).content.decode()
    second = client.post("/en/north/apply/", data, follow=True).content.decode()
    codename = found(r'id="codename">([^<]+)<', first)
    assert codename in second
    assert Case.objects.count() == 1


BAD_FIELDS = {
    "over-long": {"direction": "x" * 301},
    "invalid date": {"date_of_birth": "31.02.1990"},
    "implausible date": {"date_of_birth": "01.01.1850"},
    "control characters": {"surname": "Orlov\x07\x1b[31m"},
    "invalid utf-8": {"surname": "Orlov\ufffd"},
    "group without size": {"group": "group"},
    "unknown choice": {"intent": "surrender-now"},
}


@pytest.mark.parametrize("name", sorted(BAD_FIELDS))
def test_bad_input_gets_a_clear_message_and_writes_nothing(world, client, name):
    page = client.get("/ru/north/apply/")
    data = {**application(form_token(page.content.decode())), **BAD_FIELDS[name]}
    response = client.post("/ru/north/apply/", data)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert 'id="codename"' not in response.content.decode()
    assert Case.objects.count() == 0


def test_raw_invalid_utf8_body_is_refused_cleanly(world, client):
    page = client.get("/en/north/apply/")
    token = form_token(page.content.decode())
    body = b"intent=apply&group=alone&direction=\xff\xfe%ff&token=" + token.encode()
    response = client.post(
        "/en/north/apply/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "cannot be accepted" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_body_over_the_limit_is_a_400(world, client):
    response = client.post("/en/north/apply/", {"direction": "x" * 70_000})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_missing_csrf_token_is_a_clear_403(world):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/ru/north/apply/", application("x" * 43))
    assert response.status_code == 403
    assert "Форма устарела" in response.content.decode()
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "path", ["/xx/", "/de/enter/", "/ru/nowhere/apply/", "/en/staff/case/FAKE-0000/"]
)
def test_unknown_language_programme_or_case_is_a_404_page(world, client, path):
    response = client.get(path)
    assert response.status_code in (302, 404)
    if response.status_code == 404:
        assert "Traceback" not in response.content.decode()


def test_a_forged_case_reference_is_a_404_for_staff(world, staff_client):
    verifier = staff_client(Role.VERIFIER)
    assert verifier.get("/en/staff/case/ZZZZ-ZZZZ/").status_code == 404


def test_no_secret_or_personal_data_reaches_the_logs(world, client, caplog):
    caplog.set_level(logging.DEBUG)
    codename = submit(client, surname="Kologrivov", message="Secret plan")
    applicant = Client()
    enter(applicant, codename)
    applicant.post("/en/my/reply/", {"text": "Another secret"})
    enter(Client(), "wrong " * 8)
    sign_in(Client(), world.staff[Role.VERIFIER])
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in [codename, "Kologrivov", "Secret plan", "Another secret", "correct horse"]:
        assert secret not in text


def test_messages_on_the_page_are_escaped(world, client):
    codename = submit(client, message="<b>bold</b>")
    applicant = Client()
    enter(applicant, codename)
    html = applicant.get("/en/my/").content.decode()
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_message_is_stored_as_ciphertext(world, client):
    submit(client, message="Meet at dawn")
    assert b"Meet at dawn" not in bytes(Message.objects.get().body)


def test_the_stylesheet_is_served_from_this_site(world, client):
    html = client.get("/ru/").content.decode()
    href = found(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert href.startswith("/static/")
    response = client.get(href)
    assert response.status_code == 200
    assert b"system-ui" in b"".join(response.streaming_content)


def test_the_form_says_exactly_what_is_wrong_and_lists_it_at_the_top(world, client):
    page = client.get("/ru/north/apply/")
    data = {
        **application(form_token(page.content.decode())),
        "date_of_birth": "31.02.1990",
        "group": "group",
        "group_size": "1",
    }
    html = client.post("/ru/north/apply/", data).content.decode()
    summary = text_of(html, "error-summary")
    assert summary == (
        "Пожалуйста, исправьте: "
        "Если в группе: сколько человек, включая вас? — Группа — это два человека или больше."
        " Если вы один, выберите «Один». "
        "Дата рождения — Такой даты нет: 31.02.1990. Проверьте день и месяц."
    )
    assert 'href="#id_group_size"' in html
    assert 'href="#id_date_of_birth"' in html
    english = client.post("/en/north/apply/", data).content.decode()
    assert "There is no such date: 31.02.1990." in text_of(english, "error-summary")
    assert Case.objects.count() == 0


def test_the_codename_page_survives_back_reload_and_a_change_of_language(world, client):
    page = client.get("/ru/north/apply/")
    sent = client.post("/ru/north/apply/", application(form_token(page.content.decode())))
    assert sent.status_code == 302  # so Back and Reload never offer to send the form again
    shown = client.get(sent["Location"]).content.decode()
    codename = text_of(shown, "codename")
    assert len(codename.split()) == 8
    english = client.get("/en/north/apply/received/").content.decode()
    assert text_of(english, "codename") == codename  # the language link keeps it on screen
    assert 'href="/en/north/apply/received/"' in shown
    come_back = text_of(english, "come-back")
    assert re.fullmatch(
        r"Come back from \d{1,2} \w{3} \d{4} \d\d:\d\d · Moscow time \(UTC\+3\): we will have"
        r" answered by then\. When a crossing is agreed, its instructions appear on your page"
        r" 24 hours before it, never earlier\.",
        come_back,
    )
    assert Case.objects.count() == 1
    assert Client().get("/ru/north/apply/received/").status_code == 302  # nobody else's


def test_every_applicant_page_of_a_demo_says_it_is_a_demo(world, client, monkeypatch):
    monkeypatch.setattr(context_processors, "_demo_checked", (0.0, False))  # ask the database again
    assert 'id="demo-label"' not in client.get("/ru/").content.decode()
    create_programme("demo", "ДЕМО", is_demo=True)
    monkeypatch.setattr(context_processors, "_demo_checked", (0.0, False))
    codename = submit(client, lang="ru")
    enter(client, codename, lang="ru")
    for url in ("/ru/", "/ru/enter/", "/ru/safety/", "/ru/north/apply/", "/ru/my/"):
        html = client.get(url).content.decode()
        assert text_of(html, "demo-label") == "Только для демонстрации: это не настоящая программа."


def test_a_file_part_is_refused_before_anything_reads_it(world, client, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    page = client.get("/ru/north/apply/")
    form = application(form_token(page.content.decode()))
    big = io.BytesIO(b"x" * (20 * 1024 * 1024))
    big.name = "leak.bin"
    response = client.post("/ru/north/apply/", {**form, "attachment": big})  # so multipart
    assert response.status_code == 400
    assert "Запрос не удалось прочитать" in text_of(response.content.decode())
    assert Case.objects.count() == 0
    assert list(tmp_path.iterdir()) == []
    # Even without a file part, a multipart body is not what a form of this site sends.
    plain = client.post("/ru/north/apply/", form, content_type=MULTIPART_CONTENT)
    assert plain.status_code == 400
    assert Case.objects.count() == 0


def test_a_multipart_body_to_a_staff_page_is_a_400_page_too(world, client):
    """Refused before anyone is signed in, the staff page's menu must not fail on that."""
    response = client.post(
        "/ru/staff/login/", {"username": "x", "password": "y"}, content_type=MULTIPART_CONTENT
    )
    assert response.status_code == 400
    assert "Запрос не удалось прочитать" in text_of(response.content.decode())


def test_a_resent_form_shows_its_codename_only_to_the_session_that_sent_it(world, client):
    page = client.get("/en/north/apply/").content.decode()
    form = application(form_token(page))
    first = client.post("/en/north/apply/", form, follow=True).content.decode()
    codename = text_of(first, "codename")
    again = client.post("/en/north/apply/", form, follow=True).content.decode()
    assert text_of(again, "codename") == codename  # his own reload: shown again
    # Someone else who got hold of the form's token learns nothing.
    other = Client()
    other.get("/en/north/apply/")
    stolen = other.post("/en/north/apply/", form, follow=True).content.decode()
    assert 'id="codename"' not in stolen
    assert codename not in stolen
    assert "This form was already sent" in text_of(stolen)
    assert Case.objects.count() == 1


def test_a_receipt_is_shown_only_under_its_own_programme(world, client):
    create_programme("south", "South")
    page = client.get("/en/north/apply/").content.decode()
    client.post("/en/north/apply/", application(form_token(page)))
    elsewhere = client.get("/en/south/apply/received/").content.decode()
    assert 'id="codename"' not in elsewhere
    assert 'id="codename"' in client.get("/en/north/apply/received/").content.decode()


def test_one_browser_sends_only_a_few_applications_an_hour(world, settings):
    settings.INTAKE_APPLICATIONS_PER_SESSION = 2
    sender = Client()
    for _ in range(2):
        submit(sender)
    page = sender.get("/ru/north/apply/").content.decode()
    refused = sender.post("/ru/north/apply/", application(form_token(page)))
    assert refused.status_code == 429
    assert "войдите со своим кодовым словом" in text_of(refused.content.decode(), "too-many")
    assert Case.objects.count() == 2
    submit(Client())  # anyone else is not held back
    assert Case.objects.count() == 3


def test_a_session_of_an_older_shape_signs_him_out_instead_of_failing(world, client):
    applicant = Client()
    enter(applicant, submit(client))
    session = applicant.session
    assert isinstance(session, SessionStore)
    session.put_secret("applicant", b'{"case": 1}')  # what an older release might have kept
    session.save()
    assert applicant.get("/en/my/")["Location"] == "/en/enter/"
