"""The applicant always knows his next step (issue #27, point 9): when to come back for his
instructions, how to apply again after cancelling, and why his times are Moscow time."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage import notices, windows
from safepassage.programmes.roles import Role
from tests.conftest import enter, submit, text_of
from tests.fixtures.crossings import notify, verified_with_codename

pytestmark = pytest.mark.django_db


def test_with_a_crossing_planned_he_reads_when_to_come_back(world, front, settings, time_machine):
    time_machine.move_to(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    settings.PASSAGE_WINDOWS = "01:00-02:30,04:30-06:00"
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24
    case, codename = verified_with_codename(Client(), lang="uk")
    later = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # 29.11 01:00 in Kyiv
    window = next(w for w in windows.upcoming(timezone.now()) if w.start == later)
    crossing = notify(world, case, front.orchard, window=window)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    applicant = Client()
    enter(applicant, codename, lang="uk")
    page = applicant.get("/uk/my/").content.decode()
    assert text_of(page, "come-back") == (
        "Для вас готується перехід. Заходьте сюди з 28.11.2026 02:00 · московський час"
        " (UTC+3): тоді тут з’являться ваші інструкції. Не рухайтеся з місця, доки їх не"
        " отримаєте."
    )
    assert text_of(page, "zone-note") == (
        "Увесь час на цій сторінці — московський час: час, за яким живуть на вашому боці"
        " лінії фронту."
    )


def test_after_cancelling_he_can_apply_again(world, client):
    codename = submit(client, lang="be")
    applicant = Client()
    enter(applicant, codename, lang="be")
    applicant.post("/be/my/cancel/")
    page = applicant.get("/be/my/").content.decode()
    assert "Падаць заяўку зноў" in text_of(page, "status")
    assert 'href="/be/north/apply/"' in page
