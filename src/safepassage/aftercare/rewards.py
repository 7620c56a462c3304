"""Rewards for equipment brought across: the programme's schedule of rates, equipment recorded
against a case, claims verified and approved by two different people, and payments written to
the append-only ledger. Every act audited in the same transaction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.aftercare import consents
from safepassage.aftercare.models import (
    REQUIRED_APPROVALS,
    Category,
    ClaimApproval,
    Equipment,
    LedgerEntry,
    RewardClaim,
    RewardRate,
)
from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Membership, Programme
from safepassage.programmes.roles import Role
from safepassage.vault import crypto


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
    if case.state not in (*consents.CONSENT_STATES, State.RECEIVED, State.CLOSED):
        raise consents.AftercareRefused(
            _("Equipment is recorded once the person has been received.")
        )
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
        raise consents.AftercareRefused(_("No such claim on this case."))
    return claim


def verify_claim(case: Case, claim_id: int, *, user: User, now: datetime | None = None) -> None:
    """An officer has seen the equipment and confirms it matches the claimed category."""
    with transaction.atomic():
        claim = _claim(case, claim_id)
        if claim.verified_at is not None:
            raise consents.AftercareRefused(_("This claim is already verified."))
        claim.verified_at, claim.verified_by = now or timezone.now(), user
        claim.save(update_fields=["verified_at", "verified_by"])
        log.record_case(
            case, Action.AFTERCARE_CLAIM_VERIFIED, log.staff_actor(user), claim=claim.pk
        )


def approve_claim(case: Case, claim_id: int, *, user: User, now: datetime | None = None) -> None:
    with transaction.atomic():
        claim = _claim(case, claim_id)
        if claim.verified_at is None:
            raise consents.AftercareRefused(
                _("A claim is approved only after it has been verified.")
            )
        if claim.verified_by_id == user.pk:
            raise consents.AftercareRefused(
                _("You verified this claim: two other officers must approve it.")
            )
        if claim.approvals.filter(officer=user).exists():
            raise consents.AftercareRefused(
                _("You have already approved this claim; a second officer must approve it.")
            )
        if claim.approvals.count() >= REQUIRED_APPROVALS:
            raise consents.AftercareRefused(_("This claim already has its two approvals."))
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
            raise consents.AftercareRefused(_("This claim has already been paid."))
        if claim.approvals.count() < REQUIRED_APPROVALS:
            raise consents.AftercareRefused(
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
                description=consents.opened(key, claim.equipment.description),
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
