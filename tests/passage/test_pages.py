"""Who opens which passage page, the admin's sectors, and the planner run over HTTP."""

import pytest

from safepassage.passage import plans
from safepassage.passage.models import Crossing, Sector
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, text_of
from tests.fixtures.crossings import verified_case

pytestmark = pytest.mark.django_db

PAGES = {
    "/en/staff/p/north/sectors/": {Role.ADMIN},
    "/en/staff/p/north/sectors/new/": {Role.ADMIN},
    "/en/staff/p/north/planner/": {Role.COORDINATOR},
    "/en/staff/p/north/calibration/": {Role.COORDINATOR, Role.ADMIN},
    "/en/staff/notices/": {Role.LIAISON},
    "/en/staff/case/{ref}/crossing/": {Role.COORDINATOR, Role.VERIFIER},
}


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_of_the_passage_pages(world, front, client, staff_client, role):
    case = verified_case(client)
    staff = staff_client(role)
    for url, allowed in PAGES.items():
        response = staff.get(url.format(ref=case.reference))
        assert response.status_code == (200 if role in allowed else 404), (role, url)


def test_the_admin_adds_a_sector_with_every_figure_editable(world, front, staff_client):
    admin = staff_client(Role.ADMIN)
    data = {
        "name": "Railway bridge",
        "description": "The broken railway bridge",
        "approach": "Along the embankment",
        "receiving_unit": front.orchard.receiving_unit.pk,
        "distance_km": "3.2",
        "meeting_distance_km": "1.5",
        "mines_per_km": "0.2",
        "mines_per_km_guided": "0.05",
        "receiving_shelling_share": "0.4",
        "prior_weight": "10",
        "shelling_night": "0.04",
        "shelling_dawn": "0.1",
        "shelling_day": "0.3",
        "shelling_dusk": "0.2",
        "p_own_side": "0.1",
        "p_receiving_fire_uncoordinated": "0.8",
        "p_receiving_fire_coordinated": "0.02",
        "capacity_per_window": "2",
        "crossings_per_night": "3",
        "active": "on",
    }
    assert admin.post("/en/staff/p/north/sectors/new/", data).status_code == 302
    sector = next(s for s in Sector.objects.all() if s.name == "Railway bridge")
    assert sector.distance_km == 3.2
    assert sector.p_receiving_fire_coordinated == 0.02
    again = admin.post("/en/staff/p/north/sectors/new/", {**data, "name": " railway BRIDGE"})
    assert "already has a sector of that name" in again.content.decode()  # compared in Python
    bad = admin.post("/en/staff/p/north/sectors/new/", {**data, "name": "X", "p_own_side": "1.5"})
    assert bad.status_code == 400
    assert "less than or equal to 1" in bad.content.decode()
    # A coordinated figure worse than the one it replaces would make coordination cost lives.
    worse = admin.post(
        "/en/staff/p/north/sectors/new/", {**data, "name": "Y", "meeting_distance_km": "5"}
    )
    assert worse.status_code == 400
    assert "The meeting point cannot be farther than the far edge." in worse.content.decode()
    form = text_of(admin.get("/en/staff/p/north/sectors/new/").content.decode())
    for help_sentence in (
        "Coordination does not change it: his own side is not told.",
        "Stopped for the window by an acknowledged hold-fire notice; the rest goes on.",
        "When a drone leads him along the sector's known route. Never more than off it.",
    ):
        assert help_sentence in form
    page = admin.get("/en/staff/p/north/sectors/").content.decode()
    assert "Railway bridge" in page
    assert "Arms forming the letter L" in page
    assert "/static/passage/signals/group_protocol.svg" in page
    added = next(s for s in Sector.objects.all() if s.name == "Railway bridge")
    assert audit_entries("passage.sector_saved") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"id": added.pk})
    ]


def test_the_planner_proposes_then_sends_on_confirmation(world, front, client, staff_client):
    cases = [verified_case(client) for _ in range(4)]
    coordinator = staff_client(Role.COORDINATOR)
    proposal = coordinator.post("/en/staff/p/north/planner/", {"do": "plan"}).content.decode()
    assert 'id="plan"' in proposal
    assert "4 waiting cases" in proposal
    assert not Crossing.objects.exists()
    import re

    lines = re.findall(r'name="proposal" value="([^"]+)"', proposal)
    assert len(lines) == 4  # two sectors × two windows a night, one crossing per window
    sent = coordinator.post(
        "/en/staff/p/north/planner/", {"do": "send", "proposal": [*lines, "junk"]}
    )
    html = sent.content.decode()
    assert "4 notices sent" in html
    assert "could not be read" in html
    assert Crossing.objects.filter(status="notified").count() == 4
    assert {c.case_id for c in Crossing.objects.all()} == {c.pk for c in cases}
    signals_by_sector: dict[int, list[str]] = {}
    for c in plans.opened(Crossing.objects.select_related("unit"), world.keys):
        assert c.plan is not None
        signals_by_sector.setdefault(c.plan.sector_id, []).append(c.signal)
    for signals in signals_by_sector.values():
        assert len(signals) == len(set(signals))  # no signal twice in a sector
    assert audit_entries("passage.planner_run") == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {"cases": 4, "proposed": 4})
    ]
