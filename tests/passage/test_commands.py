import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from safepassage.cases.models import Case
from safepassage.passage.models import Sector
from safepassage.programmes.models import Invitation, KeyGrant, Membership, Programme
from safepassage.reception.models import Prisoner
from tests.conftest import found


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
    assert "demo-reception" in out
    assert "demo-aftercare-2" in out
    assert "demo-volunteer" in out
    demo = Programme.objects.get(slug="demo")
    received = Case.objects.get(programme=demo)
    assert received.state == "received"
    assert Prisoner.objects.filter(case=received).exists()
    call_command("seed-demo")
    assert Case.objects.filter(programme=demo).count() == 1


@pytest.mark.django_db
def test_each_demo_account_comes_with_its_enrolment_link(capsys, client):
    call_command("seed-demo")
    out = capsys.readouterr().out
    links = re.findall(r"http://127\.0\.0\.1:\d+(/ru/staff/join/[\w-]+/)", out)
    assert len(links) == 11  # nine roles and two more after-care officers (rewards need three)
    password = found(r"demo-intake\s+(\S+)", out)
    client.get(links[0])
    page = client.post("/ru/staff/join/", {"password": password})
    assert page.status_code == 302  # the link asks his password, then the authenticator


@pytest.mark.django_db
def test_create_programme_prints_the_admins_and_the_first_key_holders_links(capsys):
    call_command(
        "create-programme",
        "east",
        "East",
        "--admin",
        "anna",
        "--key-holder",
        "kostya=verifier,coordinator",
        "--key-holder",
        "lena=reception,aftercare",
        "--key-holder",
        "misha=volunteer",
        "--key-holder",
        "olya=tracing",
    )
    out = capsys.readouterr().out
    links = re.findall(r"(/ru/staff/join/[\w-]+/)", out)
    assert len(links) == 5
    assert all(name in out for name in ("anna", "kostya", "lena", "misha", "olya"))
    east = Programme.objects.get(slug="east")
    password = "a long walk across the grey zone"
    for link in links:
        client = Client()
        client.get(link)
        client.post("/ru/staff/join/", {"new_password1": password, "new_password2": password})

    # Each key holder holds his groups' keys at once (nobody could grant them); the admin none.
    def groups(username):
        return set(
            KeyGrant.objects.filter(programme=east, user__username=username).values_list(
                "group", flat=True
            )
        )

    assert groups("kostya") == {"identity", "circumstances", "messages", "notes", "plan"}
    assert groups("lena") == {"identity", "circumstances", "notes", "plan", "custody", "aftercare"}
    assert groups("misha") == {"volunteer"}
    assert groups("olya") == {"families"}
    assert groups("anna") == set()
    assert Membership.objects.get(programme=east, user__username="anna").role == "admin"
    assert Invitation.objects.get(username="kostya").wrapped_programme_key is None


@pytest.mark.django_db
def test_create_programme_refuses_a_key_nobody_would_hold():
    with pytest.raises(CommandError, match="The admin holds no key"):
        call_command("create-programme", "west", "West", "--admin", "x1", "--key-holder", "X1")
    with pytest.raises(CommandError, match="Nobody would hold the keys of: identity, custody"):
        call_command("create-programme", "west", "West", "--admin", "x1", "--key-holder", "x2")
    assert not Programme.objects.filter(slug="west").exists()


@pytest.mark.django_db
def test_an_unused_first_key_holders_link_loses_its_keys_when_it_expires(capsys, time_machine):
    """Issue #22, point 13: wrapped keys do not wait in the database behind a dead link."""
    from datetime import timedelta

    from django.utils import timezone

    from safepassage.ops import tasks

    call_command(
        "create-programme",
        "north2",
        "North 2",
        "--admin",
        "anna",
        "--key-holder",
        "kostya=verifier,coordinator,reception,aftercare,volunteer,tracing",
    )
    capsys.readouterr()
    assert Invitation.objects.get(username="kostya").wrapped_programme_key is not None
    tasks.clear_sessions.call()
    assert Invitation.objects.get(username="kostya").wrapped_programme_key is not None
    time_machine.move_to(timezone.now() + timedelta(hours=73))
    tasks.clear_sessions.call()
    assert Invitation.objects.get(username="kostya").wrapped_programme_key is None
