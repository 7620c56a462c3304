"""Equipment and rewards: a configurable schedule, two different approvers before payment,
and a ledger that nobody can rewrite."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from safepassage.aftercare import consents, rewards
from safepassage.aftercare.models import (
    AppendOnly,
    ClaimApproval,
    LedgerEntry,
    RewardClaim,
    UnapprovedPayment,
)
from safepassage.audit import log
from safepassage.audit.models import AuditEvent
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.conftest import audit_entries, refusal, sign_in, text_of
from tests.fixtures.prisoners import officer as make_officer

pytestmark = pytest.mark.django_db


def tank(world, case):
    return rewards.record_equipment(
        case,
        category="tank",
        description="T-80BV, turret number 214",
        handed_over_on=reception.local_day(timezone.now()),
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )


def pay(world, case, claim):
    return rewards.record_payment(
        case,
        claim.pk,
        reference="bank transfer to his account",
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )


def test_the_default_schedule_is_the_programmes_and_editable(world, staff_client):
    rates = {r.category: (r.amount, r.currency) for r in rewards.schedule_for(world.programme)}
    assert rates == {
        "vehicle": (Decimal(10_000), "USD"),
        "armoured_vehicle": (Decimal(50_000), "USD"),
        "tank": (Decimal(100_000), "USD"),
        "helicopter": (Decimal(500_000), "USD"),
        "aircraft_or_ship": (Decimal(1_000_000), "USD"),
    }
    admin = staff_client(Role.ADMIN)
    url = f"/en/staff/p/{world.programme.slug}/rewards/"
    form = {f"{c}-amount": str(a) for c, (a, _) in rates.items()}
    form.update({f"{c}-currency": "USD" for c in rates})
    bad = admin.post(url, {**form, "tank-amount": "-5", "tank-currency": "dollars"})
    assert bad.status_code == 400
    assert "three-letter currency code" in bad.content.decode()
    assert (
        admin.post(url, {**form, "tank-amount": "120000", "tank-currency": "eur"}).status_code
        == 302
    )
    changed = {r.category: (r.amount, r.currency) for r in rewards.schedule_for(world.programme)}
    assert changed["tank"] == (Decimal(120_000), "EUR")
    assert changed["vehicle"] == rates["vehicle"]
    assert AuditEvent.objects.get(action="aftercare.rate_changed").detail["category"] == "tank"
    # After-care officers read the schedule but cannot change it.
    officer = staff_client(Role.AFTERCARE)
    assert officer.get(url).status_code == 200
    assert officer.post(url, form).status_code == 404


def test_a_claim_keeps_the_rate_of_its_day(world, registered):
    claim = tank(world, registered)
    rewards.set_rate(world.programme, "tank", Decimal(1), "USD", user=world.staff[Role.ADMIN])
    claim.refresh_from_db()
    assert claim.amount == Decimal(100_000)
    assert audit_entries("aftercare.rate_changed") == [
        (
            f"staff:{world.staff[Role.ADMIN].pk}",
            {"category": "tank", "amount": "1", "currency": "USD"},
        )
    ]


def test_the_same_officer_cannot_approve_twice(world, registered, verifying_officer):
    claim = tank(world, registered)
    officer = world.staff[Role.AFTERCARE]
    with pytest.raises(consents.AftercareRefused, match="after it has been verified"):
        rewards.approve_claim(registered, claim.pk, user=officer)
    rewards.verify_claim(registered, claim.pk, user=verifying_officer)
    with pytest.raises(consents.AftercareRefused, match="You verified this claim"):
        rewards.approve_claim(registered, claim.pk, user=verifying_officer)
    rewards.approve_claim(registered, claim.pk, user=officer)
    with pytest.raises(consents.AftercareRefused, match="second officer"):
        rewards.approve_claim(registered, claim.pk, user=officer)
    # Not even bypassing the rules: the database holds one approval per officer.
    with (
        pytest.raises(IntegrityError, match=r"UNIQUE constraint|duplicate key"),
        transaction.atomic(),
    ):
        ClaimApproval.objects.create(claim=claim, officer=officer, at=claim.created_at)
    assert claim.approvals.count() == 1
    assert audit_entries("aftercare.claim_approved", case_ref=registered.reference) == [
        (f"staff:{officer.pk}", {"claim": claim.pk})
    ]


def test_a_payment_cannot_exist_without_two_approvals(
    world, registered, second_officer, verifying_officer
):
    claim = tank(world, registered)
    officer = world.staff[Role.AFTERCARE]
    rewards.verify_claim(registered, claim.pk, user=verifying_officer)
    rewards.approve_claim(registered, claim.pk, user=officer)
    with pytest.raises(consents.AftercareRefused, match="two different officers"):
        pay(world, registered, claim)
    with pytest.raises(UnapprovedPayment, match="not verified and approved by two"):
        LedgerEntry.objects.create(
            programme=world.programme,
            claim=claim,
            amount=claim.amount,
            currency="USD",
            paid_at=claim.created_at,
            recorded_by=officer,
            reference=b"",
        )
    assert not LedgerEntry.objects.exists()
    rewards.approve_claim(registered, claim.pk, user=second_officer)
    entry = pay(world, registered, claim)
    assert entry.amount == Decimal(100_000)
    with pytest.raises(consents.AftercareRefused, match="already been paid"):
        pay(world, registered, claim)
    approvals = audit_entries("aftercare.claim_approved", case_ref=registered.reference)
    assert [actor for actor, _ in approvals] == [
        f"staff:{world.staff[Role.AFTERCARE].pk}",
        f"staff:{second_officer.pk}",
    ]
    assert approvals[0][1] == {"claim": claim.pk}
    payments = audit_entries("aftercare.payment_recorded", case_ref=registered.reference)
    assert len(payments) == 1
    assert payments[0][1]["claim"] == claim.pk


def paid_claim(world, case, second_officer):
    claim = tank(world, case)
    officer = world.staff[Role.AFTERCARE]
    rewards.verify_claim(case, claim.pk, user=make_officer(world, "north-aftercare-3"))
    rewards.approve_claim(case, claim.pk, user=officer)
    rewards.approve_claim(case, claim.pk, user=second_officer)
    return pay(world, case, claim)


def test_ledger_entries_cannot_be_edited_or_removed(world, registered, second_officer):
    entry = paid_claim(world, registered, second_officer)
    entry.amount = Decimal(1)
    with pytest.raises(AppendOnly, match="LedgerEntry is append-only"):
        entry.save()
    with pytest.raises(AppendOnly, match="LedgerEntry is append-only"):
        entry.delete()
    with pytest.raises(AppendOnly, match="LedgerEntry is append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal(1))
    with pytest.raises(AppendOnly, match="ClaimApproval is append-only"):
        ClaimApproval.objects.all().delete()
    # Raw SQL through the application's own connection meets the database's triggers.
    for statement in (
        "UPDATE aftercare_ledgerentry SET amount = 1",
        "DELETE FROM aftercare_ledgerentry",
        "DELETE FROM aftercare_claimapproval",
    ):
        with (
            pytest.raises(DatabaseError, match="is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert LedgerEntry.objects.get().amount == Decimal(100_000)
    assert ClaimApproval.objects.count() == 2


def test_totals_per_programme(world, registered, second_officer, staff_client):
    paid_claim(world, registered, second_officer)
    waiting = rewards.record_equipment(
        registered,
        category="vehicle",
        description="UAZ-469",
        handed_over_on=reception.local_day(timezone.now()),
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )
    totals = rewards.totals(world.programme)
    assert totals.claimed == {"USD": Decimal(110_000)}
    assert totals.paid == {"USD": Decimal(100_000)}
    assert totals.awaiting_payment == {}
    assert totals.open_claims == 1
    officer = staff_client(Role.AFTERCARE)
    page = officer.get(f"/en/staff/p/{world.programme.slug}/rewards/")
    html = page.content.decode()
    assert text_of(html, "total-paid") == "100,000 USD"
    assert registered.reference in html
    russian = officer.get(f"/ru/staff/p/{world.programme.slug}/rewards/")
    assert text_of(russian.content.decode(), "total-paid") == "100 000 USD"
    assert RewardClaim.objects.get(pk=waiting.pk).verified_at is None
    paid = RewardClaim.objects.exclude(pk=waiting.pk).get()
    assert audit_entries("aftercare.payment_recorded", case_ref=registered.reference) == [
        (
            f"staff:{world.staff[Role.AFTERCARE].pk}",
            {"claim": paid.pk, "amount": "100000.00", "currency": "USD"},
        )
    ]


def test_the_claim_flow_through_the_page(
    world, registered, second_officer, verifying_officer, staff_client
):
    url = f"/en/staff/case/{registered.reference}/aftercare/"
    first = staff_client(Role.AFTERCARE)
    missing = first.post(url + "equipment/", {"category": "tank", "handed_over_on": "1.1"})
    assert missing.status_code == 400
    response = first.post(
        url + "equipment/",
        {"category": "tank", "description": "T-72", "handed_over_on": "01.11.2026"},
    )
    assert response.status_code == 302
    claim = RewardClaim.objects.get()
    checker = sign_in(type(first)(), verifying_officer)
    checker.post(url + "claim/", {"claim": claim.pk, "step": "verify"})
    assert 'value="approve"' not in checker.get(url).content.decode()  # not offered to him
    mine = checker.post(url + "claim/", {"claim": claim.pk, "step": "approve"})
    assert "You verified this claim" in refusal(checker, mine)
    first.post(url + "claim/", {"claim": claim.pk, "step": "approve"})
    again = first.post(url + "claim/", {"claim": claim.pk, "step": "approve"})
    assert "second officer" in refusal(first, again)
    early = first.post(
        url + "payment/", {"claim": claim.pk, "reference": "cash", "confirmed": "yes"}
    )
    assert "two" in refusal(first, early)
    second = sign_in(type(first)(), second_officer)
    assert second.post(url + "claim/", {"claim": claim.pk, "step": "approve"}).status_code == 302
    assert (
        first.post(
            url + "payment/", {"claim": claim.pk, "reference": "cash", "confirmed": "yes"}
        ).status_code
        == 302
    )
    assert LedgerEntry.objects.get().claim == claim
    assert "T-72" in first.get(url).content.decode()
    assert audit_entries("aftercare.claim_opened", case_ref=registered.reference) == [
        (
            f"staff:{world.staff[Role.AFTERCARE].pk}",
            {"claim": claim.pk, "category": "tank", "amount": "100000.00"},
        )
    ]
    assert audit_entries("aftercare.claim_verified", case_ref=registered.reference) == [
        (f"staff:{verifying_officer.pk}", {"claim": claim.pk})
    ]


def test_a_schedule_change_is_all_or_nothing(world, monkeypatch):
    before = {r.category: r.amount for r in rewards.schedule_for(world.programme)}
    calls = []

    def fail_on_the_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = log._append
    monkeypatch.setattr(log, "_append", fail_on_the_second)
    with pytest.raises(RuntimeError, match="disk full"):
        rewards.set_rates(
            world.programme,
            {"vehicle": (Decimal(1), "USD"), "tank": (Decimal(2), "USD")},
            user=world.staff[Role.ADMIN],
        )
    after = {r.category: r.amount for r in rewards.schedule_for(world.programme)}
    assert after == before


def test_the_claim_says_who_may_still_approve_it(
    world, registered, second_officer, verifying_officer, staff_client
):
    """Issue #27, point 11: with two officers, one of them the verifier, nothing could pay."""
    claim = tank(world, registered)
    rewards.verify_claim(registered, claim.pk, user=verifying_officer)
    url = f"/ru/staff/case/{registered.reference}/aftercare/"
    officer = staff_client(Role.AFTERCARE)
    page = officer.get(url).content.decode()
    assert text_of(page, f"may-approve-{claim.pk}") == (
        "Ещё могут одобрить: north-aftercare, north-aftercare-2"
    )
    rewards.approve_claim(registered, claim.pk, user=second_officer)
    page = officer.get(url).content.decode()
    assert text_of(page, f"may-approve-{claim.pk}") == "Ещё могут одобрить: north-aftercare"
