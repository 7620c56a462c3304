"""What an application costs (cases/pacing.py, issue #22 point 6): a fresh session, a bot
chat or an operator's form cannot send faster than the programme's schedule, and no one's
answers are lost while he waits."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from safepassage.cases.models import Case
from safepassage.programmes.roles import Role
from safepassage.programmes.services import create_programme
from tests.conftest import application, form_token, submit, text_of

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 7, 9, 0, 0, tzinfo=UTC)  # 12:00 in Moscow


def test_sixty_fresh_sessions_get_no_more_than_the_schedule_admits(world, settings):
    settings.INTAKE_FLOOD_PER_MINUTE = 5  # one slot every 12 seconds above it
    settings.INTAKE_FORM_SECONDS = 10
    with time_machine.travel(T0, tick=False) as clock:
        senders = [Client() for _ in range(60)]
        forms = [
            application(form_token(s.get("/en/north/apply/").content.decode())) for s in senders
        ]
        clock.shift(10)
        answers = [s.post("/en/north/apply/", f) for s, f in zip(senders, forms, strict=True)]
        # Six before the programme counts as flooded; the rest are given a place, not a case.
        assert Case.objects.count() == 6
        assert [a.status_code for a in answers].count(302) == 6
        queued = [a.content.decode() for a in answers if a.status_code == 200]
        assert all("taken in turn" in text_of(page, "send-again") for page in queued)
        retries = [
            application(form_token(page)) for page in queued
        ]  # the ticket each was sent back with
        waiting = [s for s, a in zip(senders, answers, strict=True) if a.status_code == 200]
        for sender, form in zip(waiting, retries, strict=True):  # sent again at once: nothing
            sender.post("/en/north/apply/", form)
        assert Case.objects.count() == 6
        clock.shift(60)  # a minute on, every one of them tries again
        for sender, form in zip(waiting, retries, strict=True):
            sender.post("/en/north/apply/", form)
        # Slots at 20, 32, 44, 56 and 68 seconds: five more, however many sessions ask.
        assert Case.objects.count() == 11


def test_a_form_sent_too_soon_keeps_his_answers_and_says_when_in_his_zone(world, settings):
    settings.INTAKE_FORM_SECONDS = 10
    with time_machine.travel(T0, tick=False) as clock:
        applicant = Client()
        form = application(form_token(applicant.get("/ru/north/apply/").content.decode()))
        early = applicant.post("/ru/north/apply/", form)
        page = early.content.decode()
        assert early.status_code == 200
        assert Case.objects.count() == 0
        assert text_of(page, "send-again") == (
            "Заявка ещё не отправлена. Ваши ответы сохранены ниже. Отправьте их снова в это "
            "время или позже: 07.12.2026 12:01 · московское время (UTC+3)."
        )
        assert 'value="Zhukovsky"' in page  # nothing he wrote is lost
        clock.shift(60)
        sent = applicant.post("/ru/north/apply/", application(form_token(page)))
        assert sent.status_code == 302
        assert Case.objects.count() == 1


def test_a_forged_or_foreign_ticket_is_a_new_form_not_a_case(world, settings):
    create_programme("south", "South")
    foreign = form_token(Client().get("/en/south/apply/").content.decode())
    for token in ("not-a-ticket", foreign):
        answer = Client().post("/en/north/apply/", application(token))
        assert answer.status_code == 200
        assert Case.objects.count() == 0
        notice = text_of(answer.content.decode(), "send-again")
        assert notice.startswith("This form was open too long to be sent.")
        assert form_token(answer.content.decode()) != token


def test_the_same_ticket_twice_makes_one_case(world):
    applicant = Client()
    form = application(form_token(applicant.get("/en/north/apply/").content.decode()))
    applicant.post("/en/north/apply/", form)
    applicant.post("/en/north/apply/", form)
    assert Case.objects.count() == 1


def test_the_operators_call_form_waits_like_any_application(world, staff_client, settings):
    from tests.inbox.test_inbox import call_form

    settings.INTAKE_FORM_SECONDS = 120
    operator = staff_client(Role.INTAKE)
    with time_machine.travel(T0, tick=False) as clock:
        data = call_form(operator)
        early = operator.post("/en/staff/p/north/call/", data)
        assert early.status_code == 200
        assert Case.objects.count() == 0
        notice = text_of(early.content.decode(), "send-again")
        assert notice.startswith("The call is not recorded yet. Everything you wrote is kept")
        assert "Mother calling, he is in training" in early.content.decode()
        clock.shift(timedelta(minutes=2))
        again = operator.post(
            "/en/staff/p/north/call/", {**data, "token": form_token(early.content.decode())}
        )
        assert again["Location"] == "/en/staff/p/north/call/codename/"
        assert Case.objects.count() == 1


def test_a_fresh_session_does_not_start_the_count_again_for_one_sender(world, settings):
    """The per-session count is what one browser can be asked to keep; the schedule is what
    holds when he throws his session away (above)."""
    settings.INTAKE_APPLICATIONS_PER_SESSION = 1
    sender = Client()
    submit(sender)
    page = sender.get("/en/north/apply/").content.decode()
    assert sender.post("/en/north/apply/", application(form_token(page))).status_code == 429
