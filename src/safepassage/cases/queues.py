"""Read models of the work waiting for staff: each role's queue, its rows, the unanswered
messages and the counters on the staff home."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import counts
from safepassage.cases.dossier import circumstances_of
from safepassage.cases.models import Case, Message, ProbeSignal
from safepassage.cases.states import CROSSED, OPEN, QUESTIONS, State
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import FILTERS, QUEUES, Role, readable_groups


@dataclass(frozen=True)
class Queue:
    """The cases waiting for these roles, most urgent first, and how many there are."""

    cases: Any
    count: int


def filterable_states(roles: frozenset[Role]) -> list[str]:
    """The states these roles may list, in the order of the state machine."""
    allowed = {s for role in roles for s in FILTERS.get(role, ())}
    return [state.value for state in State if state.value in allowed]


def queue(
    programme: Programme, roles: frozenset[Role], *, search: str = "", state: str = ""
) -> Queue:
    """The cases waiting for these roles, or, with `state`, every case in that state that
    they may list: first come, first served. Nothing an applicant does moves his case up (a
    flood of junk with messages once buried the real cases); unanswered messages and probe
    signals are in the attention list above the queue."""
    if state:
        states = [state] if state in filterable_states(roles) else []
    else:
        states = sorted({s for role in roles for s in QUEUES.get(role, ())})
    cases = Case.objects.filter(programme=programme, state__in=states).order_by("created_at", "pk")
    if search:
        # References are upper case: an exact match uses the unique index.
        found = cases.filter(reference=search.strip().upper())
        return Queue(found, found.count())
    # Counted from the counters: a COUNT over a million queued cases would take longer
    # than the rest of the page.
    by_state = counts.by_state([programme.pk])
    return Queue(cases, sum(by_state.get(state, 0) for state in states))


def awaiting_reply(programme_ids: list[int], limit: int = 50) -> QuerySet[Case]:
    """Open cases with a message from the applicant nobody has answered, longest waiting
    first: from his first unanswered message, so more messages buy no place."""
    from_him = Message.objects.filter(case=OuterRef("pk"), sender=Message.Sender.APPLICANT)
    return (
        Case.objects.filter(programme_id__in=programme_ids, awaiting_reply=True, state__in=OPEN)
        .annotate(wrote=Exists(from_him))  # a hotline call waits with no message of his
        .order_by("awaiting_since", "pk")[:limit]
    )


@dataclass(frozen=True)
class QueueRow:
    case: Case
    direction: str  # "" where these roles may not read the circumstances
    last_message_at: datetime | None
    open_signals: bool


def queue_rows(
    cases: list[Case], *, roles: frozenset[Role], keyring: Keyring, user: User
) -> list[QueueRow]:
    """One page of a queue with what a person needs to choose the next case: direction (for
    roles that read circumstances), channel, when the last message came. Reading the
    directions is audited, one entry for the page naming its cases."""
    shows_direction = "circumstances" in readable_groups(roles) and "circumstances" in keyring
    if shows_direction and cases:
        log.record(
            Action.CASE_QUEUE_READ,
            log.staff_actor(user),
            programme_id=cases[0].programme_id,
            groups=["circumstances"],
            cases=[case.reference for case in cases],
        )
    last = dict(
        Message.objects.filter(case__in=cases)
        .values("case_id")
        .annotate(latest=models.Max("created_at"))
        .values_list("case_id", "latest")
    )
    flagged = set(
        ProbeSignal.objects.filter(case__in=cases, cleared_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    facts = circumstances_of(cases, keyring) if shows_direction else {}
    return [
        QueueRow(
            case=case,
            direction=facts[case.pk]["direction"] if shows_direction else "",
            last_message_at=last.get(case.pk),
            open_signals=case.pk in flagged,
        )
        for case in cases
    ]


@dataclass(frozen=True)
class Counters:
    by_state: dict[str, int]
    applications: int  # everything that reached "applied": never a surrender
    crossed: int  # received and later: these are surrenders
    by_channel: list[tuple[str, int]]  # applications per channel, in words


def counters(programme_ids: list[int]) -> Counters:
    by_state = {state.value: 0 for state in State}
    by_state.update(counts.by_state(programme_ids))
    crossed = sum(by_state[s] for s in CROSSED)
    applied = [state.value for state in State if state not in QUESTIONS]
    channels = counts.by_channel(programme_ids, applied)
    return Counters(
        by_state=by_state,
        applications=sum(by_state.values()) - sum(by_state[s] for s in QUESTIONS),
        crossed=crossed,
        by_channel=[(str(label), channels.get(value, 0)) for value, label in Case.Channel.choices],
    )
