"""The rules of after-care: pathway and publication consents, the reward schedule, equipment,
claims with two-person approval, and the payment ledger. Every read of personal data, every
consent, approval and payment is audited in the same transaction as the change.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.aftercare import statements
from safepassage.aftercare.models import (
    PATHWAYS,
    REQUIRED_APPROVALS,
    Category,
    ClaimApproval,
    Consent,
    Equipment,
    LedgerEntry,
    RewardClaim,
    RewardRate,
)
from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Membership, Programme
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


@dataclass(frozen=True)
class ShownConsent:
    consent: Consent
    statement: str


def _opened(key: bytes | None, blob: bytes) -> str:
    """A text under the case key; empty once the case is shredded (the dates remain)."""
    return crypto.decrypt_bytes(key, blob).decode() if key is not None else ""


def consents_of(case: Case, *, user: User, keyring: Keyring) -> list[ShownConsent]:
    key = dossier.case_key(case, keyring, "aftercare")
    shown = [ShownConsent(c, _opened(key, c.statement)) for c in case.consents.all()]
    log.record_case(case, Action.AFTERCARE_CONSENTS_READ, log.staff_actor(user))
    return shown


# --- The reward schedule ----------------------------------------------------------------------


def schedule_for(programme: Programme) -> list[RewardRate]:
    """The programme's rates, one per category; missing ones start at the configured default."""
    for category in Category:
        RewardRate.objects.get_or_create(
            programme=programme,
            category=category,
            defaults={
                "amount": Decimal(settings.REWARD_DEFAULTS.get(category.value, 0)),
                "currency": settings.REWARD_CURRENCY,
            },
        )
    rates = {r.category: r for r in RewardRate.objects.filter(programme=programme)}
    return [rates[c] for c in Category]


def set_rate(
    programme: Programme, category: str, amount: Decimal, currency: str, *, user: User
) -> None:
    with transaction.atomic():
        RewardRate.objects.update_or_create(
            programme=programme,
            category=category,
            defaults={"amount": amount, "currency": currency},
        )
        log.record(
            Action.AFTERCARE_RATE_CHANGED,
            log.staff_actor(user),
            programme_id=programme.pk,
            category=category,
            amount=str(amount),
            currency=currency,
        )


@transaction.atomic
def set_rates(programme: Programme, rates: dict[str, tuple[Decimal, str]], *, user: User) -> None:
    """Change several rates of the schedule at once: all of them, or none."""
    for category, (amount, currency) in rates.items():
        set_rate(programme, category, amount, currency, user=user)


# --- Equipment, claims, approvals, payments ---------------------------------------------------


def record_equipment(
    case: Case,
    *,
    category: str,
    description: str,
    handed_over_on: date,
    user: User,
    keyring: Keyring,
) -> RewardClaim:
    """Equipment he brought over, and the claim for its reward at today's rate."""
    if case.state not in (*CONSENT_STATES, State.RECEIVED, State.CLOSED):
        raise AftercareRefused(_("Equipment is recorded once the person has been received."))
    rate = next(r for r in schedule_for(case.programme) if r.category == category)
    with transaction.atomic():
        equipment = Equipment.objects.create(
            case=case,
            category=category,
            description=crypto.encrypt_bytes(
                dossier.writing_key(case, keyring, "aftercare"), description.encode()
            ),
            handed_over_on=handed_over_on,
            recorded_by=user,
        )
        claim = RewardClaim.objects.create(
            equipment=equipment, amount=rate.amount, currency=rate.currency
        )
        log.record_case(
            case,
            Action.AFTERCARE_CLAIM_OPENED,
            log.staff_actor(user),
            claim=claim.pk,
            category=category,
            amount=str(rate.amount),
        )
    return claim


def _claim(case: Case, claim_id: int) -> RewardClaim:
    claim = (
        RewardClaim.objects.select_for_update()
        .filter(pk=claim_id, equipment__case=case)
        .select_related("equipment")
        .first()
    )
    if claim is None:
        raise AftercareRefused(_("No such claim on this case."))
    return claim


def verify_claim(case: Case, claim_id: int, *, user: User, now: datetime | None = None) -> None:
    """An officer has seen the equipment and confirms it matches the claimed category."""
    with transaction.atomic():
        claim = _claim(case, claim_id)
        if claim.verified_at is not None:
            raise AftercareRefused(_("This claim is already verified."))
        claim.verified_at, claim.verified_by = now or timezone.now(), user
        claim.save(update_fields=["verified_at", "verified_by"])
        log.record_case(
            case, Action.AFTERCARE_CLAIM_VERIFIED, log.staff_actor(user), claim=claim.pk
        )


def approve_claim(case: Case, claim_id: int, *, user: User, now: datetime | None = None) -> None:
    with transaction.atomic():
        claim = _claim(case, claim_id)
        if claim.verified_at is None:
            raise AftercareRefused(_("A claim is approved only after it has been verified."))
        if claim.verified_by_id == user.pk:
            raise AftercareRefused(
                _("You verified this claim: two other officers must approve it.")
            )
        if claim.approvals.filter(officer=user).exists():
            raise AftercareRefused(
                _("You have already approved this claim; a second officer must approve it.")
            )
        if claim.approvals.count() >= REQUIRED_APPROVALS:
            raise AftercareRefused(_("This claim already has its two approvals."))
        ClaimApproval.objects.create(claim=claim, officer=user, at=now or timezone.now())
        log.record_case(
            case, Action.AFTERCARE_CLAIM_APPROVED, log.staff_actor(user), claim=claim.pk
        )


def record_payment(
    case: Case,
    claim_id: int,
    *,
    reference: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> LedgerEntry:
    with transaction.atomic():
        claim = _claim(case, claim_id)
        if LedgerEntry.objects.filter(claim=claim).exists():
            raise AftercareRefused(_("This claim has already been paid."))
        if claim.approvals.count() < REQUIRED_APPROVALS:
            raise AftercareRefused(
                _("A payment needs the approval of two different officers first.")
            )
        entry = LedgerEntry.objects.create(
            programme=case.programme,
            claim=claim,
            amount=claim.amount,
            currency=claim.currency,
            paid_at=now or timezone.now(),
            recorded_by=user,
            reference=crypto.encrypt_bytes(
                dossier.writing_key(case, keyring, "aftercare"), reference.encode()
            ),
        )
        log.record_case(
            case,
            Action.AFTERCARE_PAYMENT_RECORDED,
            log.staff_actor(user),
            claim=claim.pk,
            amount=str(claim.amount),
            currency=claim.currency,
        )
    return entry


@dataclass(frozen=True)
class ShownClaim:
    claim: RewardClaim
    category: str
    description: str
    approvers: list[str]
    paid: LedgerEntry | None
    approved_by_viewer: bool = False  # this officer approved it already: no second button
    # Verified, short of two approvals, and neither verified nor approved by this officer.
    may_approve: bool = False
    # The after-care officers who may still approve it (not its verifier, not yet approved).
    may_still_approve: list[str] = field(default_factory=list)


def claims_of(case: Case, *, user: User, keyring: Keyring) -> list[ShownClaim]:
    key = dossier.case_key(case, keyring, "aftercare")
    officers = dict(
        Membership.objects.filter(
            programme_id=case.programme_id, role=Role.AFTERCARE, user__is_active=True
        ).values_list("user_id", "user__username")
    )
    shown = []
    for claim in (
        RewardClaim.objects.filter(equipment__case=case)
        .select_related("equipment", "verified_by", "payment")
        .prefetch_related("approvals__officer")
        .order_by("pk")
    ):
        approvals = list(claim.approvals.all())
        approved = any(a.officer_id == user.pk for a in approvals)
        shown.append(
            ShownClaim(
                claim=claim,
                category=claim.equipment.get_category_display(),
                description=_opened(key, claim.equipment.description),
                approvers=[a.officer.username for a in approvals],
                paid=getattr(claim, "payment", None),
                approved_by_viewer=approved,
                may_approve=claim.verified_at is not None
                and len(approvals) < REQUIRED_APPROVALS
                and not approved
                and claim.verified_by_id != user.pk,
                may_still_approve=sorted(
                    name
                    for pk, name in officers.items()
                    if pk != claim.verified_by_id and pk not in {a.officer_id for a in approvals}
                )
                if claim.verified_at is not None and len(approvals) < REQUIRED_APPROVALS
                else [],
            )
        )
    log.record_case(case, Action.AFTERCARE_CLAIMS_READ, log.staff_actor(user))
    return shown


@dataclass(frozen=True)
class Totals:
    """Per currency: what is claimed, approved but unpaid, and paid, for one programme."""

    claimed: dict[str, Decimal]
    awaiting_payment: dict[str, Decimal]
    paid: dict[str, Decimal]
    open_claims: int


def totals(programme: Programme) -> Totals:
    claims = RewardClaim.objects.filter(equipment__case__programme=programme)
    claimed: dict[str, Decimal] = defaultdict(Decimal)
    for row in claims.values("currency").annotate(total=Sum("amount")):
        claimed[row["currency"]] += row["total"]
    awaiting: dict[str, Decimal] = defaultdict(Decimal)
    approved_unpaid = (
        claims.filter(payment__isnull=True)
        .annotate(n=Count("approvals"))
        .filter(n__gte=REQUIRED_APPROVALS)
    )
    for claim in approved_unpaid:
        awaiting[claim.currency] += claim.amount
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for row in (
        LedgerEntry.objects.filter(programme=programme)
        .values("currency")
        .annotate(total=Sum("amount"))
    ):
        paid[row["currency"]] += row["total"]
    return Totals(
        dict(claimed), dict(awaiting), dict(paid), claims.filter(payment__isnull=True).count()
    )


def claims_waiting(programme: Programme) -> QuerySet[RewardClaim]:
    """Unpaid claims with their case reference, oldest first, for the rewards page."""
    return (
        RewardClaim.objects.filter(equipment__case__programme=programme, payment__isnull=True)
        .select_related("equipment__case")
        .annotate(approval_count=Count("approvals"))
        .order_by("created_at")
    )


def ledger(programme: Programme) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(programme=programme).select_related(
        "claim__equipment__case", "recorded_by"
    )
