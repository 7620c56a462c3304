"""Volunteer service (GC III Art. 130): never early, never seen by other roles, and nothing in
detention, exchange or capture-card data depends on it."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import serializers

from safepassage.aftercare import consents
from safepassage.aftercare.models import Consent
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from safepassage.reception.models import CustodyEvent, Prisoner
from safepassage.volunteer import services as volunteer
from safepassage.volunteer.models import VolunteerService
from tests.conftest import audit_entries

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "safepassage"


def volunteered(world, case):
    return consents.record_consent(
        case,
        "volunteer",
        language="ru",
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )


def start(world, case, now):
    return volunteer.start_service(
        case,
        posting="Training company",
        user=world.staff[Role.VOLUNTEER],
        keyring=world.keyring,
        now=now,
    )


def when_registered(case):
    at = reception.registered_at(case)
    assert at is not None, "not registered"
    return at


def prisoner_view(case, **credentials):
    view = reception.open_prisoner(case, **credentials)
    assert view is not None, "no register entry"
    return view


def test_service_cannot_start_before_the_cooling_off_period(world, registered, settings):
    settings.VOLUNTEER_COOLING_OFF_DAYS = 14
    volunteered(world, registered)
    registered_at = when_registered(registered)
    service = volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    assert service.eligible_from == registered_at + timedelta(days=14)
    with pytest.raises(volunteer.VolunteerRefused, match="14 days after registration"):
        start(world, registered, registered_at + timedelta(days=13, hours=23))
    assert VolunteerService.objects.get().started_at is None
    start(world, registered, registered_at + timedelta(days=14))
    assert VolunteerService.objects.get().started_at is not None


def test_the_period_is_configurable(world, registered, settings):
    settings.VOLUNTEER_COOLING_OFF_DAYS = 30
    volunteered(world, registered)
    service = volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    assert service.eligible_from - when_registered(registered) == timedelta(days=30)
    assert audit_entries("aftercare.consent_given", case_ref=registered.reference) == [
        (f"staff:{world.staff[Role.AFTERCARE].pk}", {"kind": "volunteer"})
    ]
    assert audit_entries("volunteer.opened", case_ref=registered.reference) == [
        (f"staff:{world.staff[Role.VOLUNTEER].pk}", {})
    ]


def test_no_service_without_a_standing_volunteer_consent(world, registered):
    with pytest.raises(volunteer.VolunteerRefused, match="not chosen volunteer service"):
        volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    given = volunteered(world, registered)
    volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    consents.withdraw_consent(registered, given.pk, user=world.staff[Role.AFTERCARE])
    assert VolunteerService.objects.get().end_reason == "consent_withdrawn"
    with pytest.raises(volunteer.VolunteerRefused, match="not chosen volunteer service"):
        start(world, registered, when_registered(registered) + timedelta(days=60))
    by_aftercare = f"staff:{world.staff[Role.AFTERCARE].pk}"
    assert audit_entries("aftercare.consent_withdrawn", case_ref=registered.reference) == [
        (by_aftercare, {"kind": "volunteer"})
    ]
    assert audit_entries("volunteer.ended", case_ref=registered.reference) == [
        (by_aftercare, {"reason": "consent_withdrawn"})
    ]


def test_only_the_volunteer_role_sees_volunteer_service(world, registered, staff_client):
    volunteered(world, registered)
    volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    start(world, registered, when_registered(registered) + timedelta(days=15))
    case_page = f"/en/staff/case/{registered.reference}/volunteer/"
    programme_page = f"/en/staff/p/{world.programme.slug}/volunteer/"
    others = {
        role: staff_client(role)
        for role in (Role.RECEPTION, Role.AFTERCARE, Role.ADMIN, Role.COORDINATOR, Role.LIAISON)
    }
    for other in others.values():
        assert other.get(case_page).status_code == 404
        assert other.get(programme_page).status_code == 404
        assert other.post(case_page + "step/", {"step": "end"}).status_code == 404
    assert VolunteerService.objects.get().ended_at is None
    reception_page = others[Role.RECEPTION]
    html = reception_page.get(f"/en/staff/case/{registered.reference}/reception/").content
    assert b"Training company" not in html
    assert b"Volunteer" not in html
    own = staff_client(Role.VOLUNTEER)
    assert registered.reference in own.get(programme_page).content.decode()
    assert "Training company" in own.get(case_page).content.decode()
    assert audit_entries("volunteer.started", case_ref=registered.reference) == [
        (f"staff:{world.staff[Role.VOLUNTEER].pk}", {})
    ]


def detention_and_exchange(case):
    """Everything reception and the exchange pathway hold about him, as stored."""
    rows = [
        *Prisoner.objects.filter(case=case),
        *CustodyEvent.objects.filter(prisoner__case=case),
        *Consent.objects.filter(case=case).exclude(kind="volunteer"),
    ]
    return serializers.serialize("json", rows)


def test_volunteer_service_changes_no_detention_or_exchange_data(world, registered):
    reception.add_event(
        registered,
        kind="transfer",
        occurred_on=reception.local_day(when_registered(registered)),
        place="Camp 2",
        details="",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    exchange = consents.record_consent(
        registered,
        "exchange",
        language="ru",
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )
    consents.withdraw_consent(registered, exchange.pk, user=world.staff[Role.AFTERCARE])
    before = detention_and_exchange(registered)
    card_before = prisoner_view(
        registered, user=world.staff[Role.RECEPTION], keyring=world.keyring
    ).particulars

    volunteered(world, registered)
    volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    start(world, registered, when_registered(registered) + timedelta(days=20))
    volunteer.end_service(registered, reason="ended", actor="staff:test")

    assert detention_and_exchange(registered) == before
    card_after = prisoner_view(
        registered, user=world.staff[Role.RECEPTION], keyring=world.keyring
    ).particulars
    assert card_after == card_before


def test_reception_code_does_not_even_import_volunteer_service():
    for path in (SRC / "reception").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "volunteer" not in node.module, path
            if isinstance(node, ast.Import):
                assert not any("volunteer" in alias.name for alias in node.names), path


def test_a_service_never_started_is_closed_not_ended(world, registered, staff_client):
    """Issue #27, point 15: "end service" was offered before the service began."""
    from tests.conftest import text_of

    volunteered(world, registered)
    volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])
    url = f"/ru/staff/case/{registered.reference}/volunteer/"
    page = text_of(staff_client(Role.VOLUNTEER).get(url).content.decode())
    assert "Закрыть запись: служба так и не началась" in page
    assert "Завершить службу" not in page
    assert audit_entries("volunteer.read", case_ref=registered.reference) == [
        (f"staff:{world.staff[Role.VOLUNTEER].pk}", {})
    ]


def test_ending_a_service_is_atomic_with_its_audit_entry(world, registered, monkeypatch):
    from safepassage.audit import log

    volunteered(world, registered)
    volunteer.open_service(registered, user=world.staff[Role.VOLUNTEER])

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(log, "_append", disk_full)
    with pytest.raises(RuntimeError, match="disk full"):
        volunteer.end_service(registered, reason="released", actor="staff:1")
    assert VolunteerService.objects.get().ended_at is None
