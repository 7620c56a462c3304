"""Pathways and publication: dated consents in the person's language, withdrawable."""

import pytest

from safepassage.aftercare import consents
from safepassage.aftercare.models import Consent
from safepassage.audit.models import AuditEvent
from safepassage.cases import transitions
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries
from tests.fixtures.prisoners import received_case

pytestmark = pytest.mark.django_db


def consent(world, case, kind, language="ru"):
    return consents.record_consent(
        case,
        kind,
        language=language,
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )


def test_choosing_a_pathway_needs_his_consent_and_keeps_his_words(world, registered, staff_client):
    officer = staff_client(Role.AFTERCARE)
    url = f"/en/staff/case/{registered.reference}/aftercare/"
    with pytest.raises(transitions.TransitionRefused, match="consent"):
        transitions.perform(
            registered, "choose_pathway", roles=frozenset({Role.AFTERCARE}), actor="staff:x"
        )
    unconfirmed = officer.post(url + "consent/", {"kind": "exchange", "language": "ru"})
    assert unconfirmed.status_code == 400
    assert "Without his agreement nothing is recorded." in unconfirmed.content.decode()
    assert not Consent.objects.exists()

    agreed = {"kind": "exchange", "language": "ru", "read_and_agreed": "on"}
    not_shown = officer.post(url + "consent/", agreed)
    assert not_shown.status_code == 400
    assert "Show him «Your rights and the risks» first" in not_shown.content.decode()
    assert not Consent.objects.exists()
    assert officer.post(url + "consent/", {**agreed, "shown_rights": "on"}).status_code == 302
    registered.refresh_from_db()
    assert registered.state == "pathway_chosen"
    page = officer.get(url).content.decode()
    assert "Я прошу вернуть меня на родину при обмене пленными." in page
    # What he read first is named by its version, in his language.
    assert "Перед выбором мне показали «Ваши права и риски», версию от 07.12.2026." in page
    record = Consent.objects.get()
    assert record.given_at
    assert record.language == "ru"
    assert record.withdrawn_at is None


def test_a_withdrawn_pathway_returns_to_registered_and_stays_on_record(world, registered):
    first = consent(world, registered, "exchange")
    with pytest.raises(consents.AftercareRefused, match="withdrawal"):
        consent(world, registered, "staying")
    consents.withdraw_consent(registered, first.pk, user=world.staff[Role.AFTERCARE])
    registered.refresh_from_db()
    assert registered.state == "registered"
    consent(world, registered, "staying", language="en")
    registered.refresh_from_db()
    assert registered.state == "pathway_chosen"
    kinds = [(c.kind, c.withdrawn_at is not None) for c in Consent.objects.order_by("pk")]
    assert kinds == [("exchange", True), ("staying", False)]
    actions = list(
        AuditEvent.objects.filter(case_ref=registered.reference, action__startswith="aftercare.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "aftercare.consent_given",
        "aftercare.consent_withdrawn",
        "aftercare.consent_given",
    ]


def test_publication_is_off_by_default_and_its_consent_is_revocable(world, registered):
    assert not consents.may_publish(registered)
    given = consent(world, registered, "publication")
    assert consents.may_publish(registered)
    registered.refresh_from_db()
    assert registered.state == "registered"  # publication is not a pathway
    with pytest.raises(consents.AftercareRefused, match="already given"):
        consent(world, registered, "publication")
    consents.withdraw_consent(registered, given.pk, user=world.staff[Role.AFTERCARE])
    assert not consents.may_publish(registered)
    with pytest.raises(consents.AftercareRefused, match="not in force"):
        consents.withdraw_consent(registered, given.pk, user=world.staff[Role.AFTERCARE])
    logged = AuditEvent.objects.filter(case_ref=registered.reference, detail__kind="publication")
    assert logged.count() == 2


def test_consents_wait_for_registration(world, front, client):
    case = received_case(world, front, client)
    with pytest.raises(consents.AftercareRefused, match="after registration"):
        consent(world, case, "exchange")


def test_only_after_care_opens_the_after_care_page(world, registered, staff_client):
    url = f"/en/staff/case/{registered.reference}/aftercare/"
    for role in (Role.RECEPTION, Role.LIAISON, Role.VOLUNTEER, Role.ADMIN, Role.COORDINATOR):
        assert staff_client(role).get(url).status_code == 404
    response = staff_client(Role.AFTERCARE).get(url)
    assert response.status_code == 200
    assert audit_entries("aftercare.consents_read", case_ref=registered.reference) == [
        (f"staff:{world.staff[Role.AFTERCARE].pk}", {})
    ]
    assert audit_entries("aftercare.claims_read", case_ref=registered.reference) == [
        (f"staff:{world.staff[Role.AFTERCARE].pk}", {})
    ]
