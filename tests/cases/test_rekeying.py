"""Rotating a programme's keys (issue #17): asked for by an admin, carried out in batches by the
holders of each field group's key; afterwards the old private keys open nothing in a copy of
the database."""

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.cases import dossier, probes, rekeying
from safepassage.cases.models import BlindIndex, Case, CaseKey, Note
from safepassage.passage import plans, windows
from safepassage.passage.models import Crossing, ReceivingUnit
from safepassage.programmes import staff_keys, team
from safepassage.programmes.models import GroupKey, KeyGrant, Programme
from safepassage.programmes.roles import ROTATED_GROUPS, Role
from safepassage.programmes.services import add_staff
from safepassage.vault import crypto
from tests.conftest import PASSWORD, audit_entries, sign_in, submit, text_of
from tests.fixtures.crossings import notify, verified_case

pytestmark = pytest.mark.django_db


def granted_keys(world, role: Role) -> dict[str, bytes]:
    """The group keys a person's grants open (as his sign-in would)."""
    user = world.staff[role]
    private = staff_keys.own_private_key(user, PASSWORD)
    return {
        grant.group: crypto.unseal(private, bytes(grant.sealed_private_key or b""))
        for grant in KeyGrant.objects.filter(user=user, programme=world.programme)
    }


def opens(key: bytes, sealed: bytes | memoryview | None) -> bool:
    try:
        crypto.unseal(key, bytes(sealed or b""))
    except crypto.DecryptionError:
        return False
    return True


def step_until_done(client) -> None:
    """Press the step button while the page offers it."""
    for _ in range(50):
        client.post("/en/staff/p/north/rotation/step/")
        page = client.get("/en/staff/p/north/rotation/").content.decode()
        if "Re-seal the next batch" not in page:
            return


def test_a_rotation_reseals_everything_and_the_old_keys_open_nothing(
    world, front, client, staff_client, monkeypatch
):
    monkeypatch.setattr(rekeying, "BATCH", 2)
    old = dict(world.keyring)
    for surname in ("Zhukovsky", "Zhukovsky", "Orlov"):
        submit(Client(), surname=surname, service_number=f"AB-{surname}")
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    verifier = staff_client(Role.VERIFIER)
    verifier.get("/en/staff/p/north/queue/")  # indexes the new cases
    first = Case.objects.earliest("pk")
    verifier.post(f"/en/staff/case/{first.reference}/note/", {"text": "Called back twice"})
    assert probes.duplicates_of(first)
    digest_before = bytes(BlindIndex.objects.filter(case=first).earliest("pk").digest)
    for group in ("plan", "custody", "aftercare", "volunteer"):  # as if further on
        dossier.writing_key(first, world.keyring, group)

    admin = staff_client(Role.ADMIN)
    admin.post("/en/staff/p/north/rotation/request/", {"confirmed": "yes"})
    assert audit_entries("programme.key_rotation_requested") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {})
    ]
    coordinator = staff_client(Role.COORDINATOR)
    home = coordinator.get("/en/staff/").content.decode()
    assert "a new programme key is asked for" in text_of(home, "rotations")
    assert admin.post("/en/staff/p/north/rotation/step/").status_code == 404  # holds no key

    started = coordinator.post("/en/staff/p/north/rotation/step/")  # start
    assert started["Location"] == "/en/staff/p/north/rotation/", started.content[:300]
    programme = Programme.objects.get(pk=world.programme.pk)
    assert programme.rotating
    rotated = KeyGrant.objects.filter(programme=programme, group__in=ROTATED_GROUPS)
    assert all(g.next_sealed_private_key for g in rotated)
    # The families key is not rotated yet (its inquiries are not re-sealed): left as it is.
    families = KeyGrant.objects.get(programme=programme, group="families")
    assert families.next_sealed_private_key is None
    # A case that comes in during the rotation is sealed to both keys at once.
    submit(Client(), surname="Latecomer")
    latecomer = Case.objects.latest("pk")
    assert all(key.sealed_next for key in CaseKey.objects.filter(case=latecomer))
    total = Case.objects.count()
    page = coordinator.get("/en/staff/p/north/rotation/").content.decode()
    # Each group's case keys (the latecomer's are done; the later groups only the first
    # case has), plus the blind indexes it keys (two per indexed case), the note, the crossing
    # plan and the two unit keys.
    assert total == 5
    assert text_of(page, "rotation-progress") == (
        "Re-sealed to the new keys Key Cases done Keys and indexes left Your session "
        "identity 1 of 5 12 — circumstances 1 of 5 12 holds it messages 1 of 5 4 holds it "
        "notes — 1 holds it crossing plans 0 of 1 4 holds it custody 0 of 1 1 — "
        "after-care 0 of 1 1 — volunteer service 0 of 1 1 —"
    )
    # The coordinator re-seals what his keys lock; the rest waits for their holders.
    step_until_done(coordinator)
    page = coordinator.get("/en/staff/p/north/rotation/").content.decode()
    assert text_of(page, "rotation-waiting") == (
        "Waiting for the holders of these keys to re-seal theirs: "
        "identity, custody, after-care, volunteer service."
    )
    assert Programme.objects.get(pk=programme.pk).rotating
    # The admin who asked follows it (issue #27, point 11: he got a 404), with nothing to press.
    followed = admin.get("/en/staff/p/north/rotation/").content.decode()
    assert "Waiting for the holders of these keys" in text_of(followed, "rotation-waiting")
    assert "Re-seal the next batch" not in followed
    # Reception, after-care and the volunteer officer sign in (their sessions then hold the
    # new keys) and do theirs; the last batch finishes the rotation.
    for role in (Role.RECEPTION, Role.AFTERCARE, Role.VOLUNTEER):
        step_until_done(sign_in_later(world, role))
    programme = Programme.objects.get(pk=programme.pk)
    assert not programme.rotating
    assert programme.key_generation == 2
    done = text_of(admin.get("/ru/staff/p/north/rotation/").content.decode(), "rotation-complete")
    assert done.startswith("Смена ключей завершена: запрошена ")
    assert "Смену ключа никто не запрашивал" not in done

    # A copy of the database with the old private keys opens no case key, note, plan or unit
    # key.
    for case_key in CaseKey.objects.all():
        assert not opens(old[case_key.group], case_key.sealed)
    assert not any(opens(old["notes"], n.body) for n in Note.objects.all())
    assert not any(opens(old["plan"], c.for_programme) for c in Crossing.objects.all())
    assert not any(opens(old["plan"], u.sealed_private_key) for u in ReceivingUnit.objects.all())
    # The new keys, from key holders' grants, open all of them.
    new = granted_keys(world, Role.AFTERCARE) | granted_keys(world, Role.COORDINATOR)
    new |= granted_keys(world, Role.VOLUNTEER)
    assert set(new) == set(old) - {"families"}
    assert not set(new.values()) & set(old.values())
    # The families key is left as it was, its grant still opens it (not rotated yet).
    assert granted_keys(world, Role.TRACING) == {"families": old["families"]}
    for case_key in CaseKey.objects.all():
        assert opens(new[case_key.group], case_key.sealed)
    assert all(opens(new["notes"], n.body) for n in Note.objects.all())
    crossing.refresh_from_db()
    assert opens(new["plan"], crossing.for_programme)
    # Blind indexes were computed again under the new keys: duplicates are still found.
    first.refresh_from_db()
    assert probes.duplicates_of(first)
    assert bytes(BlindIndex.objects.filter(case=first).earliest("pk").digest) != digest_before
    assert audit_entries("programme.key_rotation_finished") == [
        (f"staff:{world.staff[Role.VOLUNTEER].pk}", {})
    ]

    # A session that holds the old keys is sent to sign in again, then opens the case.
    assert verifier.get(f"/en/staff/case/{first.reference}/")["Location"] == "/en/staff/login/"
    again = sign_in_later(world, Role.VERIFIER)
    assert "Zhukovsky" in again.get(f"/en/staff/case/{first.reference}/").content.decode()
    assert audit_entries("programme.key_rotation_started") == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {})
    ]


def sign_in_later(world, role: Role) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=world.staff[role]).update(last_t=-1)
    return sign_in(Client(), world.staff[role])


def test_a_write_that_raced_the_finish_is_promoted_by_the_worker(world, client):
    submit(client)
    case = Case.objects.get()
    # As if sealed to both keys a moment before the rotation finished.
    other = crypto.new_keypair()
    data_key = dossier.case_key(case, world.keyring, "identity")
    assert data_key is not None
    GroupKey.objects.filter(programme=world.programme, group="identity").update(
        public_key=other.public
    )
    CaseKey.objects.filter(case=case, group="identity").update(
        sealed_next=crypto.seal(other.public, data_key)
    )
    rekeying.promote_stragglers()
    assert not CaseKey.objects.filter(case=case).exclude(sealed_next=None).exists()
    assert dossier.case_key(case, {"identity": other.private}, "identity") == data_key


def test_nothing_rotates_unless_an_admin_asked(world, staff_client):
    coordinator = staff_client(Role.COORDINATOR)
    page = coordinator.get("/en/staff/p/north/rotation/").content.decode()
    assert "No key rotation has been asked for" in text_of(page, "rotation-none")
    response = coordinator.post("/en/staff/p/north/rotation/step/")
    assert response.status_code == 302
    assert not Programme.objects.get().rotating


def rotate(world) -> dict[str, bytes]:
    """A whole rotation through the writers, by a session that holds every group's key;
    returns the new keys (and makes them the world's)."""
    coordinator = world.staff[Role.COORDINATOR]
    rekeying.request(world.programme, by=world.staff[Role.ADMIN])
    new = rekeying.start(world.programme, by=coordinator, keyring=world.keyring)
    rotating = Programme.objects.get(pk=world.programme.pk)
    while not rekeying.step(rotating, old=world.keyring, new=new).complete:
        pass
    rekeying.finish(rotating, by=coordinator)
    world.programme = Programme.objects.get(pk=world.programme.pk)
    world.keyring = new
    return new


def test_what_is_written_after_a_rotation_is_closed_to_the_old_data_and_unit_keys(
    world, front, client
):
    """Issue #22, point 4: a rotation only re-sealed the old data keys and unit key pairs, so
    whoever had opened them read what was written afterwards. Now, with every key an insider
    held before (group keys, the case's data keys, the units' private keys), a copy of the
    database taken after the rotation opens nothing written after it."""
    case = verified_case(client)
    for group in ("plan", "custody", "volunteer"):
        dossier.writing_key(case, world.keyring, group)
    kept = dict(world.keyring)
    data_keys = {
        key.group: crypto.unseal(kept[key.group], bytes(key.sealed))
        for key in CaseKey.objects.filter(case=case)
    }
    unit_keys = world.unit_keys.units
    rotate(world)

    # Written after the rotation: the custody record's text, and a new hold-fire notice.
    custody = dossier.writing_key(case, world.keyring, "custody")
    written = crypto.encrypt_bytes(custody, b"wounded left arm")
    crossing = notify(world, case, front.orchard)
    copy = Case.objects.get(pk=case.pk)
    for key in CaseKey.objects.filter(case=case):
        assert not opens(kept[key.group], key.sealed)
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_bytes(data_keys["custody"], written)
    for group in ("identity", "circumstances", "plan", "custody", "volunteer"):
        renewed = dossier.case_key(case, world.keyring, group)
        assert renewed is not None
        assert renewed != data_keys[group]
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_json(data_keys["identity"], bytes(copy.identity))
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_json(data_keys["circumstances"], bytes(copy.dossier))
    crossing.refresh_from_db()
    assert not any(opens(key, crossing.for_unit) for key in unit_keys.values())
    assert not opens(kept["plan"], crossing.for_programme)
    # The applicant's messages key is the one exception (his codename opens it; it cannot be
    # re-wrapped without him): docs/DESIGN.md says so.
    assert dossier.case_key(case, world.keyring, "messages") == data_keys["messages"]

    # Everyone who reads goes on reading: the staff with the new keys, the liaison with the
    # grant the rotation re-sealed to him.
    assert dossier.identities_of([copy], world.keyring)[case.pk]["surname"]
    liaison = world.staff[Role.LIAISON]
    granted = plans.unit_keys(liaison, staff_keys.own_private_key(liaison, PASSWORD))
    assert plans.open_one(crossing, plans.Keys(units=granted)).plan is not None


def test_a_unit_gets_a_new_key_pair_when_a_liaison_leaves(world, front, client, staff_client):
    """Issue #22, point 4: a liaison taken off a unit may have kept its key. The unit is due a
    new key pair; a plan-key holder gives it from his home (or his next notice to the unit
    does), and the one who left reads nothing sent to the unit afterwards."""
    admin = staff_client(Role.ADMIN)
    unit = front.orchard.receiving_unit
    kept = crypto.unseal(world.keyring["plan"], bytes(unit.sealed_private_key))
    stayer = add_staff(
        world.programme, "north-liaison-3", PASSWORD, [Role.LIAISON], keyring=world.keyring
    )
    unit.liaisons.add(stayer)
    plans.grant_unit_key(
        world.programme.pk,
        unit.pk,
        stayer.pk,
        by=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    before = notify(world, verified_case(client), front.orchard)
    saved = admin.post(
        f"/en/staff/p/north/units/{unit.pk}/", {"name": unit.name, "liaisons": [stayer.pk]}
    )
    assert saved.status_code == 302, saved.content[:300]
    assert ReceivingUnit.objects.get(pk=unit.pk).key_renewal_due

    coordinator = staff_client(Role.COORDINATOR)
    home = coordinator.get("/ru/staff/").content.decode()
    assert text_of(home, f"unit-renew-{unit.pk}") == (
        f"{unit.name} · {world.programme.name} Выдать подразделению новый ключ"
    )
    assert "unit-renew" not in admin.get("/ru/staff/").content.decode()  # he holds no plan key
    renewed = coordinator.post(f"/en/staff/p/north/units/{unit.pk}/renew-key/")
    assert renewed["Location"] == "/en/staff/"
    unit.refresh_from_db()
    assert not unit.key_renewal_due
    assert audit_entries("staff.unit_key_renewed") == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {"unit": unit.pk})
    ]
    assert "unit-renew" not in coordinator.get("/ru/staff/").content.decode()
    later = windows.upcoming(timezone.now())[-1]
    after = notify(
        world, verified_case(client), front.orchard, window=later, signal="arms_letter_l"
    )
    for crossing in (before, after):
        crossing.refresh_from_db()
        assert not opens(kept, crossing.for_unit)
        granted = plans.unit_keys(stayer, staff_keys.own_private_key(stayer, PASSWORD))
        assert plans.open_one(crossing, plans.Keys(units=granted)).plan is not None


def test_a_notice_to_a_unit_due_a_new_key_renews_it_first(world, front, client):
    """Nobody pressed the button: the coordinator's next notice to the unit, sealed from his
    own plan key, gives the unit its new pair before anything is sealed to the old one."""
    leaver = world.staff[Role.LIAISON]
    unit = front.orchard.receiving_unit
    kept = crypto.unseal(world.keyring["plan"], bytes(unit.sealed_private_key))
    team.deactivate(world.programme, leaver, by=world.staff[Role.ADMIN])
    assert ReceivingUnit.objects.get(pk=unit.pk).key_renewal_due
    crossing = notify(world, verified_case(client), front.orchard)
    assert not opens(kept, crossing.for_unit)
    assert not ReceivingUnit.objects.get(pk=unit.pk).key_renewal_due
    assert audit_entries("staff.unit_key_renewed") == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {"unit": unit.pk})
    ]
