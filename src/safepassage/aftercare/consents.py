"""After-care's consents: the pathway he chooses and whether he may be published, each with the
statement he was read, given and withdrawn as dates on the record. Every read of a statement and
every consent is audited in the same transaction. Rewards are in `rewards.py`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.aftercare import statements
from safepassage.aftercare.models import EXCHANGE_LIST_CHOICES, PATHWAYS, Consent
from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.roles import Role
from safepassage.vault import crypto

AFTERCARE_ROLES = frozenset({Role.AFTERCARE})
# Consents can be recorded once the person is registered, and until the case is closed.
CONSENT_STATES = (State.REGISTERED, State.PATHWAY_CHOSEN)


class AftercareRefused(Refused):
    """The step cannot be taken; `reason` is safe to show the officer."""


# --- Consents ---------------------------------------------------------------------------------


def has_pathway_consent(case: Case) -> bool:
    return Consent.objects.filter(case=case, kind__in=PATHWAYS, withdrawn_at__isnull=True).exists()


def active_pathway(case: Case) -> str | None:
    return (
        Consent.objects.filter(case=case, kind__in=PATHWAYS, withdrawn_at__isnull=True)
        .values_list("kind", flat=True)
        .first()
    )


def may_publish(case: Case) -> bool:
    """Art. 13: nothing about a prisoner is published without his standing consent."""
    return Consent.objects.filter(
        case=case, kind=Consent.Kind.PUBLICATION, withdrawn_at__isnull=True
    ).exists()


def record_consent(
    case: Case,
    kind: str,
    *,
    language: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> Consent:
    """The person agreed to `kind`, having read its statement in `language`. A pathway moves
    a registered case to pathway chosen, in the same transaction."""
    if case.state not in CONSENT_STATES:
        raise AftercareRefused(_("Consents are recorded after registration and before closing."))
    text = statements.statement(kind, language)
    actor = log.staff_actor(user)
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                case=case,
                kind=kind,
                language=language,
                statement=crypto.encrypt_bytes(
                    dossier.writing_key(case, keyring, "aftercare"), text.encode()
                ),
                given_at=now or timezone.now(),
                recorded_by=user,
            )
            log.record_case(case, Action.AFTERCARE_CONSENT_GIVEN, actor, kind=kind)
            if kind in PATHWAYS and case.state == State.REGISTERED:
                transitions.perform(case, "choose_pathway", roles=AFTERCARE_ROLES, actor=actor)
    except IntegrityError:
        if kind in PATHWAYS:
            raise AftercareRefused(
                _("A pathway is already chosen. Record its withdrawal before choosing another.")
            ) from None
        if kind in EXCHANGE_LIST_CHOICES:
            raise AftercareRefused(
                _(
                    "His choice about exchange lists is already recorded. Record its "
                    "withdrawal before recording another."
                )
            ) from None
        raise AftercareRefused(_("This consent is already given.")) from None
    return consent


# Sent inside the transaction that withdraws a consent (volunteer service ends with its own).
consent_withdrawn = Signal()  # case=, kind=, actor=, now=


def withdraw_consent(
    case: Case, consent_id: int, *, user: User, now: datetime | None = None
) -> None:
    """Withdrawal is a date on the record, never a deletion. Withdrawing the pathway takes the
    case back to registered; withdrawing volunteer consent ends any volunteer service
    (`consent_withdrawn`, which the volunteer app answers)."""
    actor = log.staff_actor(user)
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(case=case, pk=consent_id, withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            raise AftercareRefused(_("This consent is not in force."))
        consent.withdrawn_at, consent.withdrawn_by = now or timezone.now(), user
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        log.record_case(case, Action.AFTERCARE_CONSENT_WITHDRAWN, actor, kind=consent.kind)
        consent_withdrawn.send(
            sender=Consent, case=case, kind=consent.kind, actor=actor, now=consent.withdrawn_at
        )
        if consent.kind in PATHWAYS and case.state == State.PATHWAY_CHOSEN:
            transitions.perform(case, "withdraw_pathway", roles=AFTERCARE_ROLES, actor=actor)


def close_exchange_list_choice(case: Case, *, user: User | None, now: datetime) -> None:
    """An exchange recorded in custody (reception's `custody_event_recorded`) closes his
    choice about the lists: he has been exchanged, and no later list may name him."""
    for consent in Consent.objects.select_for_update().filter(
        case=case, kind__in=EXCHANGE_LIST_CHOICES, withdrawn_at__isnull=True
    ):
        consent.withdrawn_at, consent.withdrawn_by = now, user
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        actor = log.staff_actor(user) if user is not None else log.SYSTEM
        log.record_case(case, Action.AFTERCARE_EXCHANGE_CHOICE_CLOSED, actor, kind=consent.kind)


@dataclass(frozen=True)
class ShownConsent:
    consent: Consent
    statement: str


def opened(key: bytes | None, blob: crypto.Blob) -> str:
    """A text under the case key; empty once the case is shredded (the dates remain)."""
    return crypto.decrypt_bytes(key, blob).decode() if key is not None else ""


def consents_of(case: Case, *, user: User, keyring: Keyring) -> list[ShownConsent]:
    key = dossier.case_key(case, keyring, "aftercare")
    shown = [ShownConsent(c, opened(key, c.statement)) for c in case.consents.all()]
    log.record_case(case, Action.AFTERCARE_CONSENTS_READ, log.staff_actor(user))
    return shown


# --- The reward schedule ----------------------------------------------------------------------


# --- Equipment, claims, approvals, payments ---------------------------------------------------
