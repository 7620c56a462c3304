"""Background work, through Django's tasks API (django-tasks with the database backend, so any
number of application servers and workers can share one PostgreSQL).

Each periodic task (`schedule.periodic`) does its job through the owning app's plain function,
then books its own next run; `schedule.ensure_scheduled` (run by `safepassage worker` at start)
books any that are missing. Arguments and results hold counts, never personal data.
"""

from datetime import timedelta

from django.utils import timezone

from safepassage.audit import anchor
from safepassage.cases import rekeying, retention, submission
from safepassage.families import releases
from safepassage.ops import statistics
from safepassage.ops.schedule import periodic
from safepassage.passage import notices, plans, windows
from safepassage.programmes import invitations
from safepassage.programmes import throttle as staff_throttle


@periodic(every=timedelta(minutes=5))
def expire_notices() -> dict[str, int]:
    """Withdraw hold-fire notices whose night passed unanswered or with no outcome, and
    destroy the plans of crossings that ended and whose signal has rested."""
    now = timezone.now()
    result = notices.expire(now)
    destroyed = plans.destroy_rested(windows.night_of(now))
    return {"unanswered": result.unanswered, "missed": result.missed, "destroyed": destroyed}


@periodic(every=timedelta(hours=24))
def shred_expired_cases() -> int:
    """Retention: crypto-shred cases that ended more than RETENTION_DAYS ago."""
    shredded = retention.shred_expired(timezone.now())
    return shredded


@periodic(every=timedelta(minutes=5))
def release_family_answers() -> int:
    """Relatives' answers, put out once per release moment, all at once."""
    changed = releases.release_answers(timezone.now())
    return changed


@periodic(every=timedelta(hours=24))
def shred_expired_inquiries() -> int:
    """Retention: relatives' inquiries FAMILIES_RETENTION_DAYS after their last answer."""
    shredded = releases.shred_expired_inquiries(timezone.now())
    return shredded


@periodic(every=timedelta(minutes=5))
def wipe_receipts() -> int:
    """Wipe the codename receipts of resubmitted forms once they expire (30 minutes)."""
    wiped = submission.wipe_expired_receipts(timezone.now())
    return wiped


@periodic(every=timedelta(hours=1))
def refresh_statistics() -> bool:
    """SQLite's query-planner statistics (see ops/statistics.py)."""
    refreshed = statistics.refresh()
    return refreshed


@periodic(every=timedelta(hours=1))
def clear_sessions() -> int:
    """Expired sessions (every anonymous visit to a form leaves one; a session's wrong
    codenames are counted in it), the staff sign-in counters quiet for a day, and the keys
    an expired, unused first key holder's link still carried."""
    from django.contrib.sessions.models import Session

    now = timezone.now()
    cleared, _ = Session.objects.filter(expire_date__lt=now).delete()
    cleared += staff_throttle.forget_old(now)
    cleared += invitations.forget_expired_keys(now)
    return cleared


# Every five minutes: the most of the log a restored older copy can roll back unnoticed.
@periodic(every=timedelta(minutes=5))
def anchor_audit_log() -> str:
    """Sign the audit chain's head and write it outside the server (audit/anchor.py); and
    promote what a finished key rotation left sealed to both keys (cases/rekeying.py)."""
    rekeying.promote_stragglers()
    try:
        written = anchor.write().name
    except anchor.NotConfigured:
        written = "not configured"
    return written


@periodic(every=timedelta(hours=1))
def count_chart_days() -> int:
    """The past days of each programme's applications-per-day charts, counted before its
    staff open them (outreach/daily.py)."""
    from safepassage.outreach import daily
    from safepassage.programmes.models import Programme

    now = timezone.now()
    programme_ids = list(Programme.objects.values_list("pk", flat=True))
    for programme_id in programme_ids:
        daily.count_past_days(programme_id, now)
    return len(programme_ids)
