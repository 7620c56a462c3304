"""Staff casework: opening a case as far as the reader's roles allow, messages to the
applicant, notes, the manual probe flag and staff transitions, each audited in its
transaction."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import transitions
from safepassage.cases.dossier import (
    CALL,
    CIRCUMSTANCES,
    IDENTITY,
    CaseShredded,
    application_identity,
    case_key,
    circumstances,
    readable,
)
from safepassage.cases.messages import ShownMessage, add_message, shown_messages
from safepassage.cases.models import Case, Message, Note, ProbeSignal
from safepassage.cases.probes import duplicates_of
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.roles import (
    GROUP_LABELS,
    OPENS,
    Role,
    readable_groups,
    roles_opening,
)
from safepassage.vault import crypto

# The field groups the case page shows (crossings, custody and after-care have pages of their
# own).
ON_THE_CASE_PAGE = ("identity", "circumstances", "messages", "notes")


@dataclass
class StaffCaseView:
    case: Case
    groups: list[str]
    shredded: bool
    identity: list[tuple[Any, str]] | None = None
    circumstances: dict[str, Any] | None = None
    call: list[tuple[Any, str]] = field(default_factory=list)  # what an operator recorded
    messages: list[ShownMessage] | None = None
    notes: list[tuple[Any, str, str]] | None = None
    duplicates: list[Case] = field(default_factory=list)
    signals: list[ProbeSignal] = field(default_factory=list)
    keys_missing: list[str] = field(default_factory=list)  # groups his roles read, not granted

    @property
    def duress(self) -> bool:
        """His duress codename was used: said in those words, never as a probe risk."""
        return any(s.kind == ProbeSignal.Kind.DURESS for s in self.signals)

    @property
    def probe_signals(self) -> list[ProbeSignal]:
        return [s for s in self.signals if s.kind != ProbeSignal.Kind.DURESS]


def case_in(
    roles_by_programme: dict[int, frozenset[Role]], reference: str
) -> tuple[Case, frozenset[Role]] | None:
    """The case with this reference, if one of the person's roles in its programme may open
    a case in its state (roles.OPENS), and those roles; else None. The states are part of
    the query: a case in a state the person does not work in is not found at all."""
    where = Q()
    for programme_id, roles in roles_by_programme.items():
        states = {state for role in roles for state in OPENS.get(role, ())}
        if states:
            where |= Q(programme_id=programme_id, state__in=states)
    if not where:
        return None
    case = Case.objects.select_related("programme").filter(where, reference=reference).first()
    if case is None:
        return None
    return case, roles_opening(roles_by_programme[case.programme_id], case.state)


def open_case(case: Case, *, user: User, roles: frozenset[Role], keyring: Keyring) -> StaffCaseView:
    """Decrypt what the staff member's roles allow, and audit exactly which groups were read."""
    # What the page shows is what his roles read and his session holds the keys of: the
    # encryption, not only this list, keeps the rest closed.
    groups = [g for g in readable_groups(roles) if g in keyring and g in ON_THE_CASE_PAGE]
    view = StaffCaseView(case=case, groups=groups, shredded=case.shredded_at is not None)
    view.keys_missing = [
        str(GROUP_LABELS[g])
        for g in readable_groups(roles)
        if g in ON_THE_CASE_PAGE and g not in keyring
    ]
    view.signals = list(case.probe_signals.filter(cleared_at__isnull=True))
    view.duplicates = duplicates_of(case)
    if not view.shredded:
        if "identity" in groups:
            identity = application_identity(case, keyring)
            view.identity = [
                (label, readable(name, identity.get(name))) for name, label in IDENTITY.items()
            ]
        if "circumstances" in groups:
            facts = circumstances(case, keyring)
            view.circumstances = {name: readable(name, facts.get(name)) for name in CIRCUMSTANCES}
            view.call = [
                (label, readable(name, facts[name]))
                for name, label in CALL.items()
                if facts.get(name)
            ]
        if "messages" in groups and (data_key := case_key(case, keyring, "messages")) is not None:
            view.messages = shown_messages(case, data_key, authors=True)
        if "notes" in groups:
            view.notes = [
                (
                    n.created_at,
                    n.author.username if n.author else "",
                    crypto.unseal(keyring["notes"], n.body).decode(),
                )
                for n in case.notes.select_related("author")
            ]
    log.record_case(case, Action.CASE_READ, log.staff_actor(user), groups=groups)
    return view


def staff_message(case: Case, *, user: User, keyring: Keyring, text: str) -> None:
    data_key = case_key(case, keyring, "messages")
    if data_key is None:
        raise CaseShredded
    with transaction.atomic():
        add_message(case, data_key, Message.Sender.STAFF, text, author=user)
        Case.objects.filter(pk=case.pk).update(
            awaiting_reply=False, awaiting_since=None, updated_at=timezone.now()
        )
        log.record_case(case, Action.MESSAGE_TO_APPLICANT, log.staff_actor(user))


def add_note(case: Case, *, user: User, text: str) -> None:
    body, body_next = case.programme.seal("notes", text.encode())
    with transaction.atomic():
        Note.objects.create(case=case, author=user, body=body, body_next=body_next)
        log.record_case(case, Action.CASE_NOTE_ADDED, log.staff_actor(user))


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
            Action.CASE_PROBE_FLAG_RAISED if flagged else Action.CASE_PROBE_SIGNALS_CLEARED,
            log.staff_actor(user),
        )


def staff_transition(
    case: Case,
    action: str,
    *,
    user: User,
    roles: frozenset[Role],
    keyring: Keyring,
    reason: str = "",
) -> Case:
    """An action from the case page: through the table, or through the writer of the app
    that owns it when the table names one (`Transition.taken_by`)."""
    transition = transitions.BY_ACTION.get(action)
    with transaction.atomic():
        if transition and transition.taken_by and transition in transitions.available(case, roles):
            writer = transitions.rule(transition.taken_by)
            updated: Case = writer(
                case, user=user, roles=roles, keyring=keyring, now=timezone.now()
            )
        else:
            updated = transitions.perform(
                case, action, roles=roles, actor=log.staff_actor(user), reason=reason
            )
        if reason:
            add_note(updated, user=user, text=reason)
    return updated
