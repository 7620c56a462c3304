import pytest
from django.core.management import call_command

from safepassage.cases.models import Case
from safepassage.passage.models import Sector
from safepassage.programmes.models import Programme
from safepassage.reception.models import Prisoner


@pytest.mark.django_db
def test_the_demo_programme_has_sectors_and_a_liaison(capsys):
    call_command("seed-demo")
    demo = Programme.objects.get(slug="demo")
    sectors = Sector.objects.filter(programme=demo)
    assert sectors.count() == 2
    assert all(s.receiving_unit.liaisons.filter(username="demo-liaison").exists() for s in sectors)


@pytest.mark.django_db
def test_the_expiry_command_reports_what_it_did(capsys):
    call_command("passage-expire")
    assert "expired 0 unanswered, 0 missed" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_has_someone_for_reception_and_two_after_care_officers(capsys):
    call_command("seed-demo")
    out = capsys.readouterr().out
    assert "demo-reception" in out and "demo-aftercare-2" in out and "demo-volunteer" in out
    demo = Programme.objects.get(slug="demo")
    received = Case.objects.get(programme=demo)
    assert received.state == "received" and Prisoner.objects.filter(case=received).exists()
    call_command("seed-demo")
    assert Case.objects.filter(programme=demo).count() == 1
