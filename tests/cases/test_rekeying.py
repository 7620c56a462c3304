"""Rotating a programme's key (issue #17): asked for by an admin, carried out in batches by a
key holder; afterwards the old private key opens nothing in a copy of the database."""

import pytest
from django.test import Client

from safepassage.cases import dossier, probes, rekeying
from safepassage.cases.models import BlindIndex, Case, Note
from safepassage.passage.models import Crossing, ReceivingUnit
from safepassage.programmes import staff_keys
from safepassage.programmes.models import KeyGrant, Programme
from safepassage.programmes.roles import Role
from safepassage.vault import crypto
from tests.conftest import PASSWORD, audit_entries, sign_in, submit, text_of
from tests.passage.conftest import front, notify, verified_case

__all__ = ["front"]

pytestmark = pytest.mark.django_db


def granted_key(world, role: Role) -> bytes:
    """The programme key a person's grant opens (as his sign-in would)."""
    user = world.staff[role]
    grant = KeyGrant.objects.get(user=user, programme=world.programme)
    return crypto.unseal(
        staff_keys.own_private_key(user, PASSWORD), bytes(grant.sealed_private_key or b"")
    )


def opens(key: bytes, sealed: bytes | memoryview | None) -> bool:
    try:
        crypto.unseal(key, bytes(sealed or b""))
    except crypto.DecryptionError:
        return False
    return True


def test_a_rotation_reseals_everything_and_the_old_key_opens_nothing(
    world, front, client, staff_client, monkeypatch
):
    monkeypatch.setattr(rekeying, "BATCH", 2)
    old_key = world.private_key
    for surname in ("Zhukovsky", "Zhukovsky", "Orlov"):
        submit(Client(), surname=surname, service_number=f"AB-{surname}")
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    verifier = staff_client(Role.VERIFIER)
    verifier.get("/en/staff/p/north/queue/")  # indexes the new cases
    first = Case.objects.order_by("pk").first()
    verifier.post(f"/en/staff/case/{first.reference}/note/", {"text": "Called back twice"})
    assert probes.duplicates_of(first)
    digest_before = bytes(BlindIndex.objects.filter(case=first).first().digest)

    admin = staff_client(Role.ADMIN)
    admin.post("/en/staff/p/north/rotation/request/", {"confirmed": "yes"})
    assert audit_entries("programme.key_rotation_requested")
    coordinator = staff_client(Role.COORDINATOR)
    home = coordinator.get("/en/staff/").content.decode()
    assert "a new programme key is asked for" in text_of(home, "rotations")
    assert admin.post("/en/staff/p/north/rotation/step/").status_code == 404  # holds no key

    started = coordinator.post("/en/staff/p/north/rotation/step/")  # start
    assert started["Location"] == "/en/staff/p/north/rotation/", started.content[:300]
    programme = Programme.objects.get(pk=world.programme.pk)
    assert programme.next_public_key is not None
    assert all(g.next_sealed_private_key for g in KeyGrant.objects.filter(programme=programme))
    # A case that comes in during the rotation is sealed to both keys at once.
    submit(Client(), surname="Latecomer")
    assert Case.objects.order_by("-pk").first().sealed_key_next is not None
    page = coordinator.get("/en/staff/p/north/rotation/").content.decode()
    total = Case.objects.count()
    assert text_of(page, "rotation-progress") == (
        f"1 of {total} cases re-sealed to the new key."  # the latecomer
    )
    coordinator.post("/en/staff/p/north/rotation/step/")
    page = coordinator.get("/en/staff/p/north/rotation/").content.decode()
    assert text_of(page, "rotation-progress").startswith(f"3 of {total} cases")
    for _ in range(total):
        coordinator.post("/en/staff/p/north/rotation/step/")
        if Programme.objects.get(pk=programme.pk).next_public_key is None:
            break
    programme.refresh_from_db()
    assert programme.next_public_key is None and programme.key_generation == 2

    # A copy of the database with the old private key opens no case, note, plan or unit key.
    assert not any(opens(old_key, c.sealed_key) for c in Case.objects.all())
    assert not any(opens(old_key, n.body) for n in Note.objects.all())
    assert not any(opens(old_key, c.for_programme) for c in Crossing.objects.all())
    assert not any(opens(old_key, u.sealed_private_key) for u in ReceivingUnit.objects.all())
    # The new key, from a key holder's grant, opens all of them.
    new_key = granted_key(world, Role.RECEPTION)
    assert all(dossier.case_key(c, new_key) for c in Case.objects.all())
    assert all(opens(new_key, n.body) for n in Note.objects.all())
    crossing.refresh_from_db()
    assert opens(new_key, crossing.for_programme)
    # Blind indexes were computed again under the new key: duplicates are still found.
    first.refresh_from_db()
    assert probes.duplicates_of(first)
    assert bytes(BlindIndex.objects.filter(case=first).first().digest) != digest_before
    assert audit_entries("programme.key_rotation_finished") == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {})
    ]

    # A session that holds the old key is sent to sign in again, then opens the case.
    assert verifier.get(f"/en/staff/case/{first.reference}/")["Location"] == "/en/staff/login/"
    again = sign_in_later(world, Role.VERIFIER)
    assert "Zhukovsky" in again.get(f"/en/staff/case/{first.reference}/").content.decode()


def sign_in_later(world, role: Role) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=world.staff[role]).update(last_t=-1)
    return sign_in(Client(), world.staff[role])


def test_a_write_that_raced_the_finish_is_promoted_by_the_worker(world, client):
    submit(client)
    case = Case.objects.get()
    # As if sealed to both keys a moment before the rotation finished.
    other = crypto.new_keypair()
    data_key = dossier.case_key(case, world.private_key)
    Programme.objects.filter(pk=world.programme.pk).update(public_key=other.public)
    Case.objects.filter(pk=case.pk).update(sealed_key_next=crypto.seal(other.public, data_key))
    rekeying.promote_stragglers()
    case.refresh_from_db()
    assert case.sealed_key_next is None
    assert dossier.case_key(case, other.private) == data_key


def test_nothing_rotates_unless_an_admin_asked(world, staff_client):
    coordinator = staff_client(Role.COORDINATOR)
    page = coordinator.get("/en/staff/p/north/rotation/").content.decode()
    assert "No key rotation has been asked for" in text_of(page, "rotation-none")
    response = coordinator.post("/en/staff/p/north/rotation/step/")
    assert response.status_code == 302
    assert Programme.objects.get().next_public_key is None
