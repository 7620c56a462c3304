"""Background work through the tasks API: the worker runs what is due, periodic tasks book
their next run, and retention shreds what ended long enough ago."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from safepassage.cases import applicant_writers, retention, transitions
from safepassage.cases.models import Case
from safepassage.lib import display
from safepassage.ops import schedule, tasks
from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role
from tests.conftest import submit
from tests.fixtures.crossings import notify, verified_case

# The worker closes connections between tasks as in production, which a test transaction
# would not survive: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def booked(task):
    return DBTaskResult.objects.filter(task_path=task.module_path)


def test_periodic_tasks_are_booked_once(world):
    assert sorted(schedule.ensure_scheduled()) == sorted(t.name for t in schedule.PERIODIC)
    assert schedule.ensure_scheduled() == []
    for task in schedule.PERIODIC:
        assert booked(task).count() == 1


def test_the_worker_expires_notices_and_books_the_next_run(world, front, client, capsys):
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    # The worker holds no key: it judges by the plain night, once the night is over.
    Crossing.objects.filter(pk=crossing.pk).update(night=crossing.night - timedelta(days=3))
    call_command("worker", batch=True)
    assert "booked:" in capsys.readouterr().out
    crossing.refresh_from_db()
    assert crossing.status == "expired"
    results = booked(tasks.expire_notices)
    done = results.get(status="SUCCESSFUL")
    assert done.return_value == {"unanswered": 1, "missed": 0, "destroyed": 0}
    following = results.get(status="READY")
    assert following.run_after - done.finished_at == pytest.approx(
        timedelta(minutes=5), abs=timedelta(seconds=30)
    )


def cancelled(client, days_ago):
    submit(client)
    case = Case.objects.latest("pk")
    applicant_writers.applicant_action(case, "cancel")
    Case.objects.filter(pk=case.pk).update(ended_at=timezone.now() - timedelta(days=days_ago))
    return case


def test_retention_shreds_only_cases_that_ended_long_enough_ago(world, client, settings):
    settings.RETENTION_DAYS = 180
    old = cancelled(client, 181)
    recent = cancelled(client, 10)
    submit(client)
    still_open = Case.objects.latest("pk")
    call_command("worker", batch=True)
    states = {c.pk: c.shredded_at is not None for c in Case.objects.all()}
    assert states == {old.pk: True, recent.pk: False, still_open.pk: False}
    assert booked(tasks.shred_expired_cases).get(status="SUCCESSFUL").return_value == 1
    assert retention.shred_expired(timezone.now()) == 0  # nothing left to do


def test_ending_a_case_records_when(world, client):
    submit(client)
    case = Case.objects.latest("pk")
    verifier = frozenset({Role.VERIFIER})
    transitions.perform(case, "start_verification", roles=verifier, actor="staff:test")
    assert Case.objects.get(pk=case.pk).ended_at is None
    before = timezone.now()
    applicant_writers.applicant_action(case, "cancel")
    ended = Case.objects.get(pk=case.pk).ended_at
    assert ended is not None
    assert ended >= before


def test_the_worker_wipes_expired_codename_receipts(world, client):
    submit(client)
    submit(client)
    stale, fresh = Case.objects.order_by("pk")
    Case.objects.filter(pk=stale.pk).update(receipt_expires=timezone.now() - timedelta(minutes=1))
    call_command("worker", batch=True)
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.receipt is None
    assert stale.receipt_expires is None
    assert fresh.receipt is not None
    assert booked(tasks.wipe_receipts).get(status="SUCCESSFUL").return_value == 1


def test_the_worker_refreshes_sqlites_query_statistics(world, client):
    submit(client)
    call_command("worker", batch=True)
    result = booked(tasks.refresh_statistics).get(status="SUCCESSFUL")
    if connection.vendor != "sqlite":
        assert result.return_value is False  # PostgreSQL's autovacuum keeps its own
        return
    assert result.return_value is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases_case'")
        assert cursor.fetchone()[0] > 0


def test_the_worker_clears_expired_sessions(world, client):
    from django.contrib.sessions.models import Session

    client.get("/en/north/apply/")  # an anonymous visit to a form leaves a session
    expired, kept = Client(), Client()
    expired.get("/en/enter/")
    kept.get("/en/enter/")
    assert Session.objects.count() == 3
    now = timezone.now()
    Session.objects.filter(pk=Session.objects.order_by("expire_date")[0].pk).update(
        expire_date=now - timedelta(seconds=1)
    )
    call_command("worker", batch=True)
    assert Session.objects.count() == 2
    assert booked(tasks.clear_sessions).get(status="SUCCESSFUL").return_value == 1


def test_the_worker_counts_the_charts_past_days_before_staff_open_them(clock, world, client):
    from django.core.cache import cache

    from safepassage.outreach import daily

    submit(client)
    Case.objects.update(created_at=timezone.now() - timedelta(days=2))
    call_command("worker", batch=True)
    assert booked(tasks.count_chart_days).get(status="SUCCESSFUL").return_value == 1
    # The staff home then reads the past days from the cache: what the worker counted.
    Case.objects.all().delete()
    chart = daily.applications_per_day([world.programme.pk], timezone.now())
    two_days_ago = display.day(timezone.now() - timedelta(days=2))
    day = next(d for d in chart.days if d.label == two_days_ago)
    assert [segment.shown for segment in day.segments] == ["< 5", "0", "0"]
    cache.clear()
    chart = daily.applications_per_day([world.programme.pk], timezone.now())
    day = next(d for d in chart.days if d.label == two_days_ago)
    assert [segment.shown for segment in day.segments] == ["0", "0", "0"]
