"""Each staff member has a key pair of his own (issue #17): a key holder grants group keys
without his password, a password change keeps every grant, and grants of the old kind
(wrapped under the password) are sealed at the next sign-in."""

import pytest
from django.test import Client

from safepassage.programmes import staff_keys
from safepassage.programmes.groupkeys import only
from safepassage.programmes.models import KeyGrant, StaffKey
from safepassage.programmes.roles import Role, groups_of
from safepassage.programmes.services import create_programme
from safepassage.vault import crypto
from tests.conftest import PASSWORD, audit_entries, sign_in, text_of

pytestmark = pytest.mark.django_db

VERIFIERS = groups_of({Role.VERIFIER})


def granted(user, password: str = PASSWORD) -> dict[tuple[int, str], bytes]:
    """Every group key his grants open, by (programme, group), as his sign-in opens them."""
    private = staff_keys.own_private_key(user, password)
    return {
        (g.programme_id, g.group): crypto.unseal(private, bytes(g.sealed_private_key or b""))
        for g in KeyGrant.objects.filter(user=user)
    }


def test_a_key_holder_grants_group_keys_without_the_colleagues_password(world):
    south, south_keys = create_programme("south", "South")
    verifier = world.staff[Role.VERIFIER]
    staff_keys.grant(south, verifier, only(south_keys, VERIFIERS))  # no password in sight
    grants = KeyGrant.objects.filter(user=verifier, programme=south)
    assert {bytes(g.wrapped_private_key) for g in grants} == {b""}
    opened = {group: key for (pid, group), key in granted(verifier).items() if pid == south.pk}
    assert opened == only(south_keys, VERIFIERS)
    assert set(opened) == {"identity", "circumstances", "messages", "notes"}


def test_a_password_change_keeps_every_grant(world):
    south, south_keys = create_programme("south", "South")
    verifier = world.staff[Role.VERIFIER]
    staff_keys.grant(south, verifier, only(south_keys, VERIFIERS))
    staff_keys.change_password(verifier, PASSWORD, "a new and long passphrase")
    client = Client()
    response = client.post(
        "/en/staff/login/",
        {"username": verifier.username, "password": "a new and long passphrase"},
    )
    assert response.status_code == 302
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        staff_keys.own_private_key(verifier, PASSWORD)
    opened = granted(verifier, "a new and long passphrase")
    assert opened == {
        **{(world.programme.pk, g): k for g, k in only(world.keyring, VERIFIERS).items()},
        **{(south.pk, g): k for g, k in only(south_keys, VERIFIERS).items()},
    }


def test_an_old_grant_is_sealed_at_the_next_sign_in_and_still_opens_cases(world, client):
    verifier = world.staff[Role.VERIFIER]
    StaffKey.objects.filter(user=verifier).delete()  # as before per-person key pairs
    for grant in KeyGrant.objects.filter(user=verifier):
        grant.sealed_private_key = None
        grant.wrapped_private_key = crypto.wrap_with_secret(PASSWORD, world.keyring[grant.group])
        grant.save()
    staff = sign_in(Client(), verifier)
    for grant in KeyGrant.objects.filter(user=verifier):
        assert grant.sealed_private_key is not None
        assert bytes(grant.wrapped_private_key) == b""
    assert StaffKey.objects.filter(user=verifier).exists()
    assert staff.get("/en/staff/p/north/queue/").status_code == 200  # the keys opened


def test_a_staff_member_changes_his_password_on_a_page_and_keeps_his_keys(world):
    verifier = world.staff[Role.VERIFIER]
    staff = sign_in(Client(), verifier)
    page = staff.get("/en/staff/password/").content.decode()
    assert "Your programme keys are locked with your password" in text_of(page)
    weak = staff.post(
        "/en/staff/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 400
    assert "too short" in text_of(weak.content.decode())
    wrong = staff.post(
        "/en/staff/password/",
        {
            "old_password": "not it at all, sorry",
            "new_password1": "a new and long passphrase",
            "new_password2": "a new and long passphrase",
        },
    )
    assert wrong.status_code == 400
    new = "a new and long passphrase"
    done = staff.post(
        "/en/staff/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    assert done["Location"] == "/en/staff/"
    home = staff.get("/en/staff/").content.decode()
    assert text_of(home, "action-notice") == "Your password is changed. Your keys are kept."
    assert audit_entries("staff.password_changed") == [(f"staff:{verifier.pk}", {})]
    # The new password signs in (the second factor follows) and still opens his key; the
    # session he changed it in keeps its key too.
    login = Client().post("/en/staff/login/", {"username": verifier.username, "password": new})
    assert login["Location"] == "/en/staff/second-factor/"
    assert granted(verifier, new) == {
        (world.programme.pk, g): k for g, k in only(world.keyring, VERIFIERS).items()
    }
    assert staff.get("/en/staff/p/north/queue/").status_code == 200


def test_a_programme_admin_holds_no_programme_key(world):
    admin = world.staff[Role.ADMIN]
    assert not KeyGrant.objects.filter(user=admin).exists()
    # His password opens his own key pair, and nothing with it.
    staff_keys.own_private_key(admin, PASSWORD)
    assert not KeyGrant.objects.filter(user=admin).exists()


def test_the_upgrade_drops_the_grants_of_admins(world):
    from importlib import import_module

    from django.apps import apps

    admin = world.staff[Role.ADMIN]
    KeyGrant.objects.create(
        user=admin, programme=world.programme, group="", sealed_private_key=b"x"
    )
    upgrade = import_module("safepassage.programmes.migrations.0004_admins_hold_no_key")
    upgrade.drop_grants_nobody_needs(apps, None)
    assert not KeyGrant.objects.filter(user=admin).exists()
    assert KeyGrant.objects.filter(user=world.staff[Role.VERIFIER]).exists()


def test_a_password_set_outside_the_page_still_signs_in_and_a_key_holder_grants_again(world):
    """A shell's `changepassword` leaves the old wrap: sign-in must not fail on it."""
    verifier = world.staff[Role.VERIFIER]
    verifier.set_password("set from a shell, long enough")
    verifier.save()
    login = Client().post(
        "/en/staff/login/",
        {"username": verifier.username, "password": "set from a shell, long enough"},
    )
    assert login["Location"] == "/en/staff/second-factor/"  # no server error
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        staff_keys.own_private_key(verifier, "a wrong password")  # never replaced by a guess
    staff_keys.grant(world.programme, verifier, only(world.keyring, VERIFIERS))  # again
    assert granted(verifier, "set from a shell, long enough") == {
        (world.programme.pk, g): k for g, k in only(world.keyring, VERIFIERS).items()
    }
