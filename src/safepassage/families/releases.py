"""Releasing answers to relatives, all at once, at fixed moments (issue #24).

The worker calls `release_answers` every few minutes; it acts once per release moment
(inquirers.next_release: FAMILIES_RELEASE_HOURS apart from a fixed epoch). What an inquirer
may read is worked out from the prisoners' decisions recorded before that moment and written
to each inquiry's `released`, which the answer page reads and nothing else: every answer
changes at the same moment, and the page does the same work whatever the truth behind it.

The rungs, for a person asked about who agreed to more than the default: "registered" (he is
alive and registered as a prisoner of war); "icrc", once reception records that the ICRC
confirmed his registration; "exchanged", once an exchange is recorded in his custody events.
Never how he came into captivity, never a pathway he chose, never a death.

Letters (letters.py) go out at the same moments: a passed letter to an inquirer whose person
still allows letters at that moment; `letters_open` says whom he may write to.

Retention (`shred_expired_inquiries`, daily): an inquiry is deleted FAMILIES_RETENTION_DAYS
after it came or last changed its answer.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import retention
from safepassage.families import inquirers
from safepassage.families.decisions import SHARING
from safepassage.families.models import (
    AnswerRelease,
    Decision,
    Inquiry,
    Letter,
    Match,
    standing_decisions,
)
from safepassage.reception.models import CustodyEvent

REGISTERED, ICRC_CONFIRMED, EXCHANGED = "registered", "icrc", "exchanged"


def last_release(now: datetime) -> datetime:
    """The latest release moment at or before `now`."""
    return inquirers.next_release(now) - inquirers.release_period()


def _rungs_as_of(moment: datetime, standing: QuerySet[Decision]) -> dict[int, dict[str, str]]:
    """{inquiry id: {sought number: rung}} from the decisions standing at `moment`."""
    sharing = standing.filter(kind__in=SHARING).values("match_id")
    recorded = CustodyEvent.objects.filter(corrected_by__isnull=True, recorded_at__lt=moment)
    exchanged = set(
        recorded.filter(kind=CustodyEvent.Kind.EXCHANGE).values_list("prisoner_id", flat=True)
    )
    confirmed = set(
        recorded.filter(kind=CustodyEvent.Kind.ICRC_CONFIRMED).values_list("prisoner_id", flat=True)
    )
    rungs: dict[int, dict[str, str]] = {}
    for match in Match.objects.filter(pk__in=sharing).only("inquiry_id", "sought", "prisoner_id"):
        rung = REGISTERED
        if match.prisoner_id in exchanged:
            rung = EXCHANGED
        elif match.prisoner_id in confirmed:
            rung = ICRC_CONFIRMED
        rungs.setdefault(match.inquiry_id, {})[str(match.sought)] = rung
    return rungs


def _letters_as_of(standing: QuerySet[Decision]) -> dict[int, list[str]]:
    """{inquiry id: [sought numbers]} whose standing decision allows letters."""
    allowing = standing.filter(kind=Decision.Kind.LETTERS)
    open_to: dict[int, list[str]] = {}
    for inquiry_id, sought in Match.objects.filter(pk__in=allowing.values("match_id")).values_list(
        "inquiry_id", "sought"
    ):
        open_to.setdefault(inquiry_id, []).append(str(sought))
    return {inquiry_id: sorted(numbers) for inquiry_id, numbers in open_to.items()}


def _release_letters(moment: datetime, open_to: dict[int, list[str]]) -> set[int]:
    """Passed letters to inquirers still allowed them go out; returns their inquiries."""
    due = Letter.objects.filter(
        direction=Letter.Direction.TO_INQUIRER,
        review=Letter.Review.PASSED,
        reviewed_at__lt=moment,
        released_at__isnull=True,
    ).values_list("pk", "match__inquiry_id", "match__sought")
    going = [
        (pk, inquiry_id)
        for pk, inquiry_id, sought in due
        if str(sought) in open_to.get(inquiry_id, [])
    ]
    Letter.objects.filter(pk__in=[pk for pk, _inquiry in going]).update(released_at=moment)
    return {inquiry_id for _pk, inquiry_id in going}


def _counted(rungs: dict[int, dict[str, str]]) -> dict[str, dict[str, int]]:
    """How many people asked about stand at each rung, per programme."""
    programme_of = dict(
        Inquiry.objects.filter(pk__in=list(rungs)).values_list("pk", "programme_id")
    )
    counts: dict[str, dict[str, int]] = {}
    for inquiry_id, people in rungs.items():
        of_programme = counts.setdefault(str(programme_of[inquiry_id]), {})
        for rung in people.values():
            of_programme[rung] = of_programme.get(rung, 0) + 1
    return counts


def release_answers(now: datetime) -> int:
    """Put out the answers of the latest release moment, once; returns how many inquiries
    changed. Inquiries that no longer stand to more (a revoked decision, a shredded case)
    go back to the default."""
    moment = last_release(now)
    with transaction.atomic():
        release, created = AnswerRelease.objects.get_or_create(
            moment=moment, defaults={"released_at": now}
        )
        if not created:
            return 0
        standing = standing_decisions(decided_at__lt=moment)
        rungs, open_to = _rungs_as_of(moment, standing), _letters_as_of(standing)
        release.counts = _counted(rungs)
        release.save(update_fields=["counts"])
        changed = 0
        for inquiry in Inquiry.objects.filter(pk__in=list(rungs)).only("released"):
            if inquiry.released != rungs[inquiry.pk]:
                Inquiry.objects.filter(pk=inquiry.pk).update(
                    released=rungs[inquiry.pk], answered_at=moment
                )
                changed += 1
        changed += (
            Inquiry.objects.exclude(released={})
            .exclude(pk__in=list(rungs))
            .update(released={}, answered_at=moment)
        )
        for inquiry_id, numbers in open_to.items():
            Inquiry.objects.filter(pk=inquiry_id).update(letters_open=numbers)
        Inquiry.objects.exclude(letters_open=[]).exclude(pk__in=list(open_to)).update(
            letters_open=[]
        )
        lettered = _release_letters(moment, open_to)
        Inquiry.objects.filter(pk__in=lettered).update(answered_at=moment)
        log.record(Action.FAMILIES_ANSWERS_RELEASED, log.SYSTEM, changed=changed)
    return changed


def shred_expired_inquiries(now: datetime) -> int:
    """Retention: an inquiry goes, with its matches and his decisions about it,
    FAMILIES_RETENTION_DAYS after it was received or last given an answer. Its row is deleted
    (its key and its words with it) and SQLite's journal flushed, as a shredded case's is."""
    cutoff = now - timedelta(days=settings.FAMILIES_RETENTION_DAYS)
    due = Inquiry.objects.filter(received_at__lt=cutoff).exclude(answered_at__gte=cutoff)
    with transaction.atomic():
        deleted, by_table = due.delete()
        count = by_table.get(Inquiry._meta.label, 0)
        if count:
            log.record(Action.FAMILIES_INQUIRIES_SHREDDED, log.SYSTEM, inquiries=count)
    if deleted:
        retention.flush_the_journal()
    return count
