"""Probe signals: duplicates found by blind index, bursts of near-identical applications,
the same person in two directions, and how strongly the open signals suggest a probe."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases.dossier import circumstances_of, identities_of
from safepassage.cases.models import BlindIndex, Case, ProbeSignal
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.vault.blind import blind_index

# How strongly each open signal suggests a probe; independent signals combine as
# 1 − Π(1 − weight). Compared with PASSAGE_PROBE_RISK_THRESHOLD before instructions go out.
PROBE_WEIGHTS: dict[str, float] = {
    ProbeSignal.Kind.MANUAL: 0.9,
    ProbeSignal.Kind.DURESS: 1.0,
    ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS: 0.4,
    ProbeSignal.Kind.BURST: 0.3,
}
# Raised by a person (a verifier's flag, the applicant's duress codename), not inferred. The
# adversary can make an automatic signal fall on a real applicant (an application quoting his
# service number from elsewhere; a leaflet drop looks like a burst), so one automatic signal
# alone never holds his instructions back: that takes a person's signal, or two automatic
# ones (issue #16).
DECIDED_BY_A_PERSON: frozenset[str] = frozenset({ProbeSignal.Kind.MANUAL, ProbeSignal.Kind.DURESS})


def _open_kinds(case: Case) -> list[str]:
    return list(case.probe_signals.filter(cleared_at__isnull=True).values_list("kind", flat=True))


def duress_open(case: Case) -> bool:
    """His duress codename was used, and no verifier or coordinator has decided since."""
    return ProbeSignal.Kind.DURESS in _open_kinds(case)


def probe_risk(case: Case) -> float:
    clear = 1.0
    for kind in _open_kinds(case):
        clear *= 1.0 - PROBE_WEIGHTS.get(kind, 0.5)
    return 1.0 - clear


def holds_instructions_back(case: Case) -> bool:
    """A person's signal, or automatic ones that together pass the threshold; never one
    automatic signal alone."""
    kinds = _open_kinds(case)
    if DECIDED_BY_A_PERSON & set(kinds):
        return True
    return len(kinds) >= 2 and probe_risk(case) > settings.PASSAGE_PROBE_RISK_THRESHOLD


# Which field group's key each blind index is keyed with (and whose plaintext it digests): a
# key that cannot read a field cannot test guesses against its index either.
INDEX_GROUP: dict[str, str] = {
    BlindIndex.Kind.IDENTITY: "identity",
    BlindIndex.Kind.SERVICE_NUMBER: "identity",
    BlindIndex.Kind.DIRECTION: "circumstances",
    BlindIndex.Kind.SUBMISSION: "circumstances",
}
INDEXING_GROUPS = frozenset(INDEX_GROUP.values())


def index_pending(programme: Programme, keyring: Keyring, limit: int = 500) -> int:
    """Compute blind indexes for cases not yet indexed, then raise automatic probe signals.

    Runs inside a staff session that holds the identity and circumstances keys (a verifier's),
    because the index keys come from them; each staff page does a bounded step of it
    (settings.PROBE_INDEX_PER_PAGE) and says how many remain, so a flood of applications never
    stalls a page.
    """
    if not keyring.keys() >= INDEXING_GROUPS:
        return 0
    pending = list(
        Case.objects.filter(
            programme=programme, indexed_at__isnull=True, shredded_at__isnull=True
        ).order_by("pk")[:limit]
    )
    facts, identities = circumstances_of(pending, keyring), identities_of(pending, keyring)
    for case in pending:
        digests = digests_of({**facts[case.pk], **identities[case.pk]}, keyring)
        with transaction.atomic():
            BlindIndex.objects.bulk_create(
                BlindIndex(case=case, programme=programme, kind=kind, digest=digest)
                for kind, digest in digests.items()
                if digest is not None
            )
            Case.objects.filter(pk=case.pk).update(indexed_at=timezone.now())
            _raise_automatic_signals(case)
    return len(pending)


def digests_of(d: dict[str, str], keyring: Keyring) -> dict[str, bytes | None]:
    """The blind indexes of one dossier that `keyring` keys: each under its group's key (a key
    rotation computes them again under the next keys: cases/rekeying.py)."""
    every: dict[str, Callable[[bytes], bytes | None]] = {
        BlindIndex.Kind.IDENTITY: lambda key: (
            blind_index(
                key,
                "identity",
                d.get("surname", ""),
                d.get("first_names", ""),
                d.get("date_of_birth", ""),
            )
            if d.get("surname")
            else None
        ),
        BlindIndex.Kind.SERVICE_NUMBER: lambda key: blind_index(
            key, "service_number", d.get("service_number", "")
        ),
        BlindIndex.Kind.DIRECTION: lambda key: blind_index(
            key, "direction", d.get("direction", "")
        ),
        # A burst needs more alike than the direction: a leaflet drop in one area brings
        # many applications that give nothing else.
        BlindIndex.Kind.SUBMISSION: lambda key: (
            blind_index(
                key,
                "submission",
                d.get("direction", ""),
                d.get("unit", ""),
                d.get("equipment", ""),
            )
            if d.get("unit") or d.get("equipment")
            else None
        ),
    }
    return {
        kind: digest(keyring[INDEX_GROUP[kind]])
        for kind, digest in every.items()
        if INDEX_GROUP[kind] in keyring
    }


def _sharing(case: Case, *kinds: str) -> set[int]:
    """Other cases of the programme with the same digest as `case` for any of `kinds`."""
    match = Q()
    for kind, digest in case.blind_indexes.filter(kind__in=kinds).values_list("kind", "digest"):
        match |= Q(kind=kind, digest=bytes(digest))
    if not match:
        return set()
    rows = BlindIndex.objects.filter(match, programme_id=case.programme_id).exclude(case=case)
    return set(rows.values_list("case_id", flat=True))


def not_yet_indexed(programme: Programme) -> int:
    return Case.objects.filter(
        programme=programme, indexed_at__isnull=True, shredded_at__isnull=True
    ).count()


def duplicates_of(case: Case) -> list[Case]:
    """Other cases of the programme with the same identity or service number."""
    ids = _sharing(case, BlindIndex.Kind.IDENTITY, BlindIndex.Kind.SERVICE_NUMBER)
    return list(Case.objects.filter(pk__in=ids).order_by("created_at")[:20])


# The automatic signals, and the audit entry each records when it is raised.
SIGNAL_RAISED = {
    ProbeSignal.Kind.BURST: Action.CASE_PROBE_SIGNAL_BURST,
    ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS: Action.CASE_PROBE_SIGNAL_IDENTITY,
}


def _raise(case: Case, kind: ProbeSignal.Kind, like: set[int]) -> None:
    """Once per case and kind: a case indexed again (a change of how values are folded, an
    upgrade) does not bring back a signal a verifier has cleared."""
    if ProbeSignal.objects.filter(case=case, kind=kind).exists():
        return
    references = sorted(Case.objects.filter(pk__in=like).values_list("reference", flat=True))
    ProbeSignal.objects.create(case=case, kind=kind, like_cases=references)
    log.record_case(case, SIGNAL_RAISED[kind], log.SYSTEM)


def _raise_automatic_signals(case: Case) -> None:
    """Signals fall on the newer case only: the earlier one may be a real applicant whose
    details the adversary copied (issue #16). Each names the earlier cases it matched."""
    # 1. A burst: near-identical applications (direction and unit or equipment) shortly before.
    window = timedelta(minutes=settings.PROBE_BURST_MINUTES)
    earlier = set(
        Case.objects.filter(
            pk__in=_sharing(case, BlindIndex.Kind.SUBMISSION),
            created_at__gte=case.created_at - window,
            pk__lt=case.pk,
        ).values_list("pk", flat=True)
    )
    if len(earlier) + 1 >= settings.PROBE_BURST_SIZE:
        _raise(case, ProbeSignal.Kind.BURST, earlier)
    # 2. The same person already reported from another direction.
    same_person = _sharing(case, BlindIndex.Kind.IDENTITY, BlindIndex.Kind.SERVICE_NUMBER)
    elsewhere = same_person - _sharing(case, BlindIndex.Kind.DIRECTION)
    earlier_elsewhere = {pk for pk in elsewhere if pk < case.pk}
    if earlier_elsewhere:
        _raise(case, ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS, earlier_elsewhere)


def open_probe_signals(programme_ids: list[int], limit: int = 50) -> QuerySet[ProbeSignal]:
    """Uncleared probe signals (duress first), oldest first: they wait for a verifier."""
    return (
        ProbeSignal.objects.filter(programme_id__in=programme_ids, cleared_at__isnull=True)
        .select_related("case")
        .order_by(
            models.Case(models.When(kind=ProbeSignal.Kind.DURESS, then=0), default=1),
            "created_at",
        )[:limit]
    )
