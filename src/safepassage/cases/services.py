"""The rules for cases: plain functions that views and commands call.

Over 400 lines because it still holds three concerns that issue #15 splits next: the
applicant's side (submission, codenames, messages), staff casework (reading a case, notes,
the queue, probe signals) and retention (shredding)."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from safepassage import inserts
from safepassage.audit import log
from safepassage.cases import counts, transitions
from safepassage.cases.dossier import CIRCUMSTANCES, IDENTITY, readable
from safepassage.cases.models import BlindIndex, Case, Codename, Message, Note, ProbeSignal
from safepassage.cases.states import CROSSED, ENDED, OPEN, QUESTIONS, State
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import FILTERS, QUEUES, Role, readable_groups
from safepassage.vault import codenames, crypto
from safepassage.vault.blind import blind_index

RECEIPT_LIFETIME = timedelta(minutes=30)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
APPLICANT_ROLES = frozenset({transitions.APPLICANT})
SYSTEM_ROLES = frozenset({transitions.SYSTEM})


def _token_digest(token: str, person: bytes) -> bytes:
    return blake2b(token.encode(), person=person, digest_size=32).digest()


def _new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def new_submission_token() -> str:
    return secrets.token_urlsafe(32)


class CaseShredded(Exception):
    """The case's keys were destroyed: nothing can be written to or read from it."""


# --- Applicant side -------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the applicant is shown after submitting. `codename` is None when the form had
    already been submitted and the codename can no longer be shown."""

    codename: str | None
    created: bool


def _replay(submission_hash: bytes, receipt_key: bytes) -> Receipt:
    case = Case.objects.only("receipt", "receipt_expires").get(submission_hash=submission_hash)
    if (
        case.receipt is None
        or case.receipt_expires is None
        or case.receipt_expires < timezone.now()
    ):
        return Receipt(codename=None, created=False)
    try:
        return Receipt(crypto.decrypt_bytes(receipt_key, case.receipt).decode(), created=False)
    except crypto.DecryptionError:
        return Receipt(codename=None, created=False)


def receipt_for(token: str) -> Receipt:
    """The codename of the application sent with this form token, while its receipt lasts:
    the codename page can be shown again (in another language, after a reload)."""
    try:
        return _replay(_token_digest(token, b"sp-submission"), _token_digest(token, b"sp-receipt"))
    except Case.DoesNotExist:
        return Receipt(codename=None, created=False)


def submit_application(
    programme: Programme,
    answers: dict[str, Any],
    *,
    token: str,
    language: str,
    wants_to_apply: bool,
    first_message: str = "",
    also: Callable[[], None] | None = None,
) -> Receipt:
    """Store an application durably and return its codename. The same token twice makes one
    case; the second call returns the same codename while the receipt lasts. `also` runs
    inside the same transaction (the web keeps the receipt in its session there: one write,
    not two, while every application queues for SQLite's single writer)."""
    submission_hash = _token_digest(token, b"sp-submission")
    receipt_key = _token_digest(token, b"sp-receipt")
    data_key = crypto.new_data_key()
    codename = codenames.generate(language)
    # Everything is encrypted before the transaction starts: on SQLite one writer at a time
    # holds the lock, and a burst of applications queues behind it.
    case = Case(
        programme=programme,
        sealed_key=crypto.seal(bytes(programme.public_key), data_key),
        dossier=crypto.encrypt_json(data_key, {**answers, "language": language}),
        submission_hash=submission_hash,
        receipt=crypto.encrypt_bytes(receipt_key, codename.encode()),
        awaiting_reply=bool(first_message),
    )
    credential = Codename(
        lookup_hash=codenames.lookup_hash(codename),
        wrapped_key=codenames.wrap_key(codename, data_key),
    )
    message = _message(data_key, Message.Sender.APPLICANT, first_message) if first_message else None
    for _attempt in range(3):
        case.pk, case.reference = None, _new_reference()
        case.receipt_expires = timezone.now() + RECEIPT_LIFETIME
        try:
            with transaction.atomic():
                transitions.create_case(
                    case,
                    action="apply" if wants_to_apply else "",
                    roles=APPLICANT_ROLES,
                    actor=transitions.APPLICANT,
                )
                credential.case = case
                inserts.insert(credential)
                if message is not None:
                    message.case = case
                    inserts.insert(message)
                if also is not None:
                    also()
            return Receipt(codename=codename, created=True)
        except IntegrityError:
            # The same form sent twice (the first one won), or a reference drawn twice.
            if Case.objects.filter(submission_hash=submission_hash).exists():
                return _replay(submission_hash, receipt_key)
    raise IntegrityError("no free case reference after three draws")


@dataclass(frozen=True)
class ApplicantSession:
    case: Case
    data_key: bytes | None  # None under duress: nothing of the case is opened
    duress: bool


def enter_with_codename(codename: str) -> ApplicantSession | None:
    if not codenames.looks_like_codename(codename):
        return None
    digest = codenames.lookup_hash(codename)
    credential = Codename.objects.select_related("case").filter(lookup_hash=digest).first()
    if credential is None or not codenames.same_hash(credential.lookup_hash, digest):
        return None
    try:
        data_key = codenames.unwrap_key(codename, credential.wrapped_key)
    except crypto.DecryptionError:
        return None
    case = credential.case
    if credential.duress:
        _report_duress(case)
        return ApplicantSession(case=case, data_key=None, duress=True)
    log.record_case(case, "applicant.entered", log.APPLICANT)
    return ApplicantSession(case=case, data_key=data_key, duress=False)


def _report_duress(case: Case) -> None:
    with transaction.atomic():
        ProbeSignal.objects.get_or_create(
            case=case, kind=ProbeSignal.Kind.DURESS, cleared_at__isnull=True
        )
        case.probe_flagged = True
        case.save(update_fields=["probe_flagged"])
        log.record_case(case, "applicant.duress", log.SYSTEM)
        if case.state in OPEN:
            transitions.perform(
                case, "mark_compromised", roles=SYSTEM_ROLES, actor=transitions.SYSTEM
            )


def create_duress_codename(case: Case, language: str) -> str:
    """A second codename that shows a harmless page and marks the case compromised."""
    codename = codenames.generate(language)
    with transaction.atomic():
        Codename.objects.filter(case=case, duress=True).delete()
        Codename.objects.create(
            case=case,
            lookup_hash=codenames.lookup_hash(codename),
            wrapped_key=codenames.wrap_key(codename, crypto.new_data_key()),
            duress=True,
        )
        log.record_case(case, "applicant.duress_codename_created", log.APPLICANT)
    return codename


@dataclass(frozen=True)
class ShownMessage:
    sender: str
    created_at: Any
    text: str
    author: str = ""  # the staff member who wrote it; staff pages only, never the applicant


def _message(data_key: bytes, sender: str, text: str, author: Any = None) -> Message:
    """A message encrypted under the case's data key, not yet saved."""
    return Message(sender=sender, author=author, body=crypto.encrypt_json(data_key, {"text": text}))


def _add_message(case: Case, data_key: bytes, sender: str, text: str, author: Any = None) -> None:
    message = _message(data_key, sender, text, author)
    message.case = case
    message.save(force_insert=True)


def _messages(case: Case, data_key: bytes, *, authors: bool = False) -> list[ShownMessage]:
    return [
        ShownMessage(
            m.sender,
            m.created_at,
            crypto.decrypt_json(data_key, m.body)["text"],
            m.author.username if authors and m.author else "",
        )
        for m in case.messages.select_related("author")
    ]


def applicant_messages(session: ApplicantSession) -> list[ShownMessage]:
    if session.data_key is None:
        return []
    return _messages(session.case, session.data_key)


def applicant_reply(case: Case, data_key: bytes, text: str) -> None:
    with transaction.atomic():
        _add_message(case, data_key, Message.Sender.APPLICANT, text)
        Case.objects.filter(pk=case.pk).update(awaiting_reply=True, updated_at=timezone.now())
        log.record_case(case, "message.from_applicant", log.APPLICANT)


def applicant_action(case: Case, action: str) -> Case:
    """Cancel, apply (from an inquiry) or say they are ready again (from dormant)."""
    return transitions.perform(case, action, roles=APPLICANT_ROLES, actor=transitions.APPLICANT)


# --- Staff side -----------------------------------------------------------------------------


@dataclass
class StaffCaseView:
    case: Case
    groups: list[str]
    shredded: bool
    identity: list[tuple[Any, str]] | None = None
    circumstances: dict[str, Any] | None = None
    messages: list[ShownMessage] | None = None
    notes: list[tuple[Any, str, str]] | None = None
    duplicates: list[Case] = field(default_factory=list)
    signals: list[ProbeSignal] = field(default_factory=list)


def case_key(case: Case, private_key: bytes) -> bytes | None:
    """The case's data key, opened with the programme key; None once the case is shredded."""
    if case.sealed_key is None:
        return None
    return crypto.unseal(private_key, bytes(case.sealed_key))


def circumstances(case: Case, private_key: bytes) -> dict[str, Any]:
    """The circumstances group of the dossier (no identity), for planning a crossing."""
    key = case_key(case, private_key)
    if key is None:
        return {}
    dossier = crypto.decrypt_json(key, case.dossier)
    return {name: dossier.get(name, "") for name in CIRCUMSTANCES}


def application_identity(case: Case, private_key: bytes) -> dict[str, Any]:
    """The identity the applicant gave when applying, to prefill registration. The caller
    audits the read."""
    key = case_key(case, private_key)
    if key is None:
        return {}
    dossier = crypto.decrypt_json(key, case.dossier)
    return {name: dossier.get(name, "") for name in IDENTITY}


# How strongly each open signal suggests a probe; independent signals combine as
# 1 − Π(1 − weight). Compared with PASSAGE_PROBE_RISK_THRESHOLD before instructions go out.
PROBE_WEIGHTS: dict[str, float] = {
    ProbeSignal.Kind.MANUAL: 0.9,
    ProbeSignal.Kind.DURESS: 1.0,
    ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS: 0.6,
    ProbeSignal.Kind.BURST: 0.5,
}


def probe_risk(case: Case) -> float:
    clear = 1.0
    for kind in case.probe_signals.filter(cleared_at__isnull=True).values_list("kind", flat=True):
        clear *= 1.0 - PROBE_WEIGHTS.get(kind, 0.5)
    return 1.0 - clear


def open_case(
    case: Case, *, user: User, roles: frozenset[Role], private_key: bytes
) -> StaffCaseView:
    """Decrypt what the staff member's roles allow, and audit exactly which groups were read."""
    groups = readable_groups(roles)
    data_key = case_key(case, private_key)
    view = StaffCaseView(case=case, groups=groups, shredded=data_key is None)
    view.signals = list(case.probe_signals.filter(cleared_at__isnull=True))
    view.duplicates = duplicates_of(case)
    if data_key is not None:
        dossier = crypto.decrypt_json(data_key, case.dossier)
        if "identity" in groups:
            view.identity = [
                (label, readable(name, dossier.get(name))) for name, label in IDENTITY.items()
            ]
        if "circumstances" in groups:
            view.circumstances = {name: readable(name, dossier.get(name)) for name in CIRCUMSTANCES}
        if "messages" in groups:
            view.messages = _messages(case, data_key, authors=True)
    if "notes" in groups:
        view.notes = [
            (
                n.created_at,
                n.author.username if n.author else "",
                crypto.unseal(private_key, n.body).decode(),
            )
            for n in case.notes.select_related("author")
        ]
    log.record_case(case, "case.read", log.staff_actor(user), groups=groups)
    return view


def staff_message(case: Case, *, user: User, private_key: bytes, text: str) -> None:
    data_key = case_key(case, private_key)
    if data_key is None:
        raise CaseShredded
    with transaction.atomic():
        _add_message(case, data_key, Message.Sender.STAFF, text, author=user)
        Case.objects.filter(pk=case.pk).update(awaiting_reply=False, updated_at=timezone.now())
        log.record_case(case, "message.to_applicant", log.staff_actor(user))


def add_note(case: Case, *, user: User, text: str) -> None:
    with transaction.atomic():
        Note.objects.create(
            case=case,
            author=user,
            body=crypto.seal(bytes(case.programme.public_key), text.encode()),
        )
        log.record_case(case, "case.note_added", log.staff_actor(user))


def set_probe_flag(case: Case, *, user: User, flagged: bool) -> None:
    """A verifier's manual probe flag; while raised the case cannot be verified."""
    with transaction.atomic():
        if flagged:
            ProbeSignal.objects.get_or_create(
                case=case,
                kind=ProbeSignal.Kind.MANUAL,
                cleared_at__isnull=True,
                defaults={"raised_by": user},
            )
        else:
            case.probe_signals.filter(cleared_at__isnull=True).update(
                cleared_at=timezone.now(), cleared_by=user
            )
        Case.objects.filter(pk=case.pk).update(probe_flagged=flagged)
        log.record_case(
            case,
            "case.probe_flag_raised" if flagged else "case.probe_signals_cleared",
            log.staff_actor(user),
        )


def staff_transition(
    case: Case, action: str, *, user: User, roles: frozenset[Role], reason: str = ""
) -> Case:
    with transaction.atomic():
        updated = transitions.perform(
            case, action, roles=roles, actor=log.staff_actor(user), reason=reason
        )
        if reason:
            add_note(updated, user=user, text=reason)
    return updated


# --- Duplicates and probe signals -------------------------------------------------------------


def index_pending(programme: Programme, private_key: bytes, limit: int = 500) -> int:
    """Compute blind indexes for cases not yet indexed, then raise automatic probe signals.

    Runs inside a staff session because the index key comes from the programme's private key.
    """
    pending = list(
        Case.objects.filter(
            programme=programme, indexed_at__isnull=True, sealed_key__isnull=False
        ).order_by("pk")[:limit]
    )
    for case in pending:
        data_key = case_key(case, private_key)
        assert data_key is not None
        d = crypto.decrypt_json(data_key, case.dossier)
        digests = {
            BlindIndex.Kind.IDENTITY: blind_index(
                private_key,
                "identity",
                d.get("surname", ""),
                d.get("first_names", ""),
                d.get("date_of_birth", ""),
            )
            if d.get("surname")
            else None,
            BlindIndex.Kind.SERVICE_NUMBER: blind_index(
                private_key, "service_number", d.get("service_number", "")
            ),
            BlindIndex.Kind.DIRECTION: blind_index(
                private_key, "direction", d.get("direction", "")
            ),
            BlindIndex.Kind.SUBMISSION: blind_index(
                private_key,
                "submission",
                d.get("direction", ""),
                d.get("unit", ""),
                d.get("equipment", ""),
            ),
        }
        with transaction.atomic():
            BlindIndex.objects.bulk_create(
                BlindIndex(case=case, programme=programme, kind=kind, digest=digest)
                for kind, digest in digests.items()
                if digest is not None
            )
            Case.objects.filter(pk=case.pk).update(indexed_at=timezone.now())
            _raise_automatic_signals(case)
    return len(pending)


def _sharing(case: Case, *kinds: str) -> set[int]:
    """Other cases of the programme with the same digest as `case` for any of `kinds`."""
    match = Q()
    for kind, digest in case.blind_indexes.filter(kind__in=kinds).values_list("kind", "digest"):
        match |= Q(kind=kind, digest=bytes(digest))
    if not match:
        return set()
    rows = BlindIndex.objects.filter(match, programme_id=case.programme_id).exclude(case=case)
    return set(rows.values_list("case_id", flat=True))


def duplicates_of(case: Case) -> list[Case]:
    """Other cases of the programme with the same identity or service number."""
    ids = _sharing(case, BlindIndex.Kind.IDENTITY, BlindIndex.Kind.SERVICE_NUMBER)
    return list(Case.objects.filter(pk__in=ids).order_by("created_at")[:20])


def _raise(case_ids: set[int], kind: str) -> None:
    for case in Case.objects.filter(pk__in=case_ids):
        _, created = ProbeSignal.objects.get_or_create(
            case=case, kind=kind, cleared_at__isnull=True
        )
        if created:
            log.record_case(case, f"case.probe_signal.{kind}", log.SYSTEM)


def _raise_automatic_signals(case: Case) -> None:
    # 1. A burst of near-identical applications (same direction, unit and equipment).
    window = timedelta(minutes=settings.PROBE_BURST_MINUTES)
    burst = set(
        Case.objects.filter(
            pk__in=_sharing(case, BlindIndex.Kind.SUBMISSION),
            created_at__gte=case.created_at - window,
            created_at__lte=case.created_at + window,
        ).values_list("pk", flat=True)
    )
    if len(burst) + 1 >= settings.PROBE_BURST_SIZE:
        _raise({case.pk, *burst}, ProbeSignal.Kind.BURST)
    # 2. The same person reported in different directions.
    same_person = _sharing(case, BlindIndex.Kind.IDENTITY, BlindIndex.Kind.SERVICE_NUMBER)
    elsewhere = same_person - _sharing(case, BlindIndex.Kind.DIRECTION)
    if elsewhere:
        _raise({case.pk, *elsewhere}, ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS)


# --- Queues, counters, retention --------------------------------------------------------------


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
    they may list. Messages waiting for an answer and probe signals come first."""
    if state:
        states = [state] if state in filterable_states(roles) else []
    else:
        states = sorted({s for role in roles for s in QUEUES.get(role, ())})
    cases = Case.objects.filter(programme=programme, state__in=states).order_by(
        "-awaiting_reply", "-probe_flagged", "updated_at"
    )
    if search:
        # References are upper case: an exact match uses the unique index.
        found = cases.filter(reference=search.strip().upper())
        return Queue(found, found.count())
    # Counted from the counters: a COUNT over a million queued cases would take longer
    # than the rest of the page.
    by_state = counts.by_state([programme.pk])
    return Queue(cases, sum(by_state.get(state, 0) for state in states))


def open_probe_signals(programme_ids: list[int], limit: int = 50) -> QuerySet[ProbeSignal]:
    """Uncleared probe signals (duress first), oldest first: they wait for a verifier."""
    return (
        ProbeSignal.objects.filter(case__programme_id__in=programme_ids, cleared_at__isnull=True)
        .select_related("case")
        .order_by(
            models.Case(models.When(kind=ProbeSignal.Kind.DURESS, then=0), default=1),
            "created_at",
        )[:limit]
    )


def awaiting_reply(programme_ids: list[int], limit: int = 50) -> QuerySet[Case]:
    """Open cases with a message from the applicant nobody has answered, longest waiting
    first."""
    return Case.objects.filter(
        programme_id__in=programme_ids, awaiting_reply=True, state__in=OPEN
    ).order_by("updated_at")[:limit]


@dataclass(frozen=True)
class QueueRow:
    case: Case
    direction: str  # "" where these roles may not read the circumstances
    last_message_at: datetime | None
    open_signals: bool


def queue_rows(
    cases: list[Case], *, roles: frozenset[Role], private_key: bytes, user: User
) -> list[QueueRow]:
    """One page of a queue with what a person needs to choose the next case: direction (for
    roles that read circumstances), channel, when the last message came. Reading the
    directions is audited, one entry for the page naming its cases."""
    shows_direction = "circumstances" in readable_groups(roles)
    if shows_direction and cases:
        log.record(
            "case.queue_read",
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
    return [
        QueueRow(
            case=case,
            direction=circumstances(case, private_key).get("direction", "")
            if shows_direction
            else "",
            last_message_at=last.get(case.pk),
            open_signals=case.pk in flagged,
        )
        for case in cases
    ]


def case_in(programme_ids: list[int], reference: str) -> Case | None:
    return (
        Case.objects.select_related("programme")
        .filter(programme_id__in=programme_ids, reference=reference)
        .first()
    )


@dataclass(frozen=True)
class Counters:
    by_state: dict[str, int]
    applications: int  # everything that reached "applied": never a surrender
    crossed: int  # received and later: these are surrenders


def counters(programme_ids: list[int]) -> Counters:
    by_state = {state.value: 0 for state in State}
    by_state.update(counts.by_state(programme_ids))
    crossed = sum(by_state[s] for s in CROSSED)
    return Counters(
        by_state=by_state,
        applications=sum(by_state.values()) - sum(by_state[s] for s in QUESTIONS),
        crossed=crossed,
    )


def wipe_expired_receipts(now: datetime) -> int:
    """Remove the codename receipts that can no longer be shown (`_replay` refuses them from
    the moment they expire). Run by the worker, off the path of a burst of applications."""
    return Case.objects.filter(receipt_expires__lt=now).update(receipt=None, receipt_expires=None)


def shred_expired(now: datetime, *, days: int | None = None) -> int:
    """Retention: crypto-shred every case that ended more than `days` ago (default
    RETENTION_DAYS). Run daily by the worker; returns how many were shredded."""
    cutoff = now - timedelta(days=settings.RETENTION_DAYS if days is None else days)
    due = Case.objects.filter(state__in=ENDED, ended_at__lt=cutoff, sealed_key__isnull=False).only(
        "pk", "programme_id", "reference"
    )
    count = 0
    for case in due.iterator(chunk_size=500):
        shred(case, actor=log.SYSTEM)
        count += 1
    return count


def shred(case: Case, *, actor: str) -> None:
    """Crypto-shredding: destroy every key and sealed text of the case. Its state still counts
    and its audit entries stay, but nothing of the person can be read again."""
    with transaction.atomic():
        Codename.objects.filter(case=case).delete()
        Note.objects.filter(case=case).delete()
        Message.objects.filter(case=case).update(body=b"")
        BlindIndex.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk).update(
            sealed_key=None, dossier=b"", receipt=None, shredded_at=timezone.now()
        )
        log.record_case(case, "case.shredded", actor)
