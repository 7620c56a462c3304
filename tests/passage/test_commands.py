import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from safepassage.cases.models import Case
from safepassage.passage.models import Sector
from safepassage.programmes.models import Invitation, KeyGrant, Membership, Programme
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


@pytest.mark.django_db
def test_each_demo_account_comes_with_its_enrolment_link(capsys, client):
    call_command("seed-demo")
    out = capsys.readouterr().out
    links = re.findall(r"http://127\.0\.0\.1:\d+(/ru/staff/join/[\w-]+/)", out)
    assert len(links) == 9  # eight roles and the second after-care officer
    password = re.search(r"demo-intake\s+(\S+)", out).group(1)
    client.get(links[0])
    page = client.post("/ru/staff/join/", {"password": password})
    assert page.status_code == 302  # the link asks his password, then the authenticator


@pytest.mark.django_db
def test_create_programme_prints_the_admins_and_the_first_key_holders_links(capsys):
    call_command("create-programme", "east", "East", "--admin", "anna", "--key-holder", "kostya")
    out = capsys.readouterr().out
    admin_link, holder_link = re.findall(r"(/ru/staff/join/[\w-]+/)", out)
    assert "anna" in out and "kostya" in out
    east = Programme.objects.get(slug="east")
    password = "a long walk across the grey zone"
    for link in (admin_link, holder_link):
        client = Client()
        client.get(link)
        client.post("/ru/staff/join/", {"new_password1": password, "new_password2": password})
    # The key holder holds the programme key at once (nobody could grant it); the admin none.
    assert KeyGrant.objects.filter(programme=east, user__username="kostya").exists()
    assert not KeyGrant.objects.filter(programme=east, user__username="anna").exists()
    assert Membership.objects.get(programme=east, user__username="anna").role == "admin"
    assert Invitation.objects.get(username="kostya").wrapped_programme_key is None
    with pytest.raises(CommandError, match="holds no programme key"):
        call_command("create-programme", "west", "West", "--admin", "x1", "--key-holder", "X1")
