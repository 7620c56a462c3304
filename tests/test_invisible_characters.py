"""Bidirectional and other invisible format characters never reach staff, a PDF or a CSV
(issue #16): a name cannot be made to read otherwise than it is stored."""

import pytest

from safepassage.cases.dossier import application_identity, circumstances
from safepassage.cases.models import Case
from safepassage.lib.textinput import without_invisible
from safepassage.passage.forms import SectorForm
from safepassage.passage.models import ReceivingUnit
from safepassage.programmes.roles import Role
from safepassage.reception import export
from tests.conftest import submit, text_of

pytestmark = pytest.mark.django_db

TRICKS = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\ufeff"
)


def test_an_applicants_name_loses_them_before_it_is_stored(world, client, staff_client):
    submit(client, surname=f"Zhu{TRICKS}kovsky", direction=f"\u202eEast{TRICKS}")
    case = Case.objects.get()
    assert application_identity(case, world.keyring)["surname"] == "Zhukovsky"
    assert circumstances(case, world.keyring)["direction"] == "East"
    page = staff_client(Role.VERIFIER).get(f"/en/staff/case/{case.reference}/").content.decode()
    assert "Zhukovsky" in text_of(page)
    assert not any(c in page for c in TRICKS)


def test_a_sector_name_loses_them(world):
    unit = ReceivingUnit.objects.create(programme=world.programme, name="47th")
    form = SectorForm(
        {
            "name": f"Or{TRICKS}chard",
            "description": "tree\u2067line",
            "approach": "road",
            "receiving_unit": unit.pk,
            "distance_km": "4.5",
            "meeting_distance_km": "2",
            "mines_per_km": "0.1",
            "mines_per_km_guided": "0.02",
            "receiving_shelling_share": "0.5",
            "prior_weight": "10",
            "shelling_night": "0.1",
            "shelling_dawn": "0.1",
            "shelling_day": "0.1",
            "shelling_dusk": "0.1",
            "p_own_side": "0.1",
            "p_receiving_fire_uncoordinated": "0.8",
            "p_receiving_fire_coordinated": "0.03",
            "capacity_per_window": "2",
            "crossings_per_night": "4",
            "active": "on",
        },
        programme=world.programme,
    )
    assert form.is_valid(), form.errors
    sector = form.save()
    assert (sector.name, sector.description) == ("Orchard", "treeline")


def test_csv_and_the_capture_card_drop_them_even_from_older_records():
    assert export.csv_cell(f"{TRICKS}Ivanov") == "Ivanov"
    assert without_invisible(f"a{TRICKS}b") == "ab"
