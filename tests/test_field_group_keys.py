"""The role table is enforced by the encryption (issue #17): a copy of the database plus one
person's password opens exactly the field groups his roles read, and nothing else."""

from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client
from nacl.public import PrivateKey

from safepassage.cases import dossier, splitting
from safepassage.cases.dossier import AT_APPLICATION
from safepassage.cases.messages import new_message, shown_messages
from safepassage.cases.models import Case, CaseKey, Codename, Message, Note
from safepassage.passage.models import PlanningConstraints
from safepassage.programmes import staff_keys
from safepassage.programmes.models import GroupKey, KeyGrant, Programme, StaffKey
from safepassage.programmes.roles import CASE_KEY_GROUPS, FIELD_GROUPS, GROUPS, Role
from safepassage.vault import codenames, crypto
from tests.conftest import PASSWORD, enter, sign_in, submit, text_of

pytestmark = pytest.mark.django_db

SURNAME = "Zhukovsky"


def keys_from_a_copy(world, role: Role) -> list[bytes]:
    """Every private key a copy of the database and this person's password give: his own,
    and whatever each of his grants unseals."""
    user = world.staff[role]
    own = staff_keys.own_private_key(user, PASSWORD)
    return [own] + [
        crypto.unseal(own, bytes(grant.sealed_private_key or b""))
        for grant in KeyGrant.objects.filter(user=user)
    ]


def opened_groups(case: Case, private_keys: list[bytes]) -> set[str]:
    """The groups of the case whose data key one of `private_keys` unseals."""
    opened = set()
    for case_key in CaseKey.objects.filter(case=case):
        for private in private_keys:
            try:
                crypto.unseal(private, bytes(case_key.sealed))
            except crypto.DecryptionError:
                continue
            opened.add(case_key.group)
    return opened


def test_an_application_seals_the_keys_of_what_it_writes_and_later_groups_come_later(world, client):
    submit(client, surname=SURNAME)
    case = Case.objects.get()
    assert {key.group for key in CaseKey.objects.filter(case=case)} == set(AT_APPLICATION)
    custody = dossier.writing_key(case, world.keyring, "custody")  # reception's first write
    assert dossier.writing_key(case, world.keyring, "custody") == custody  # made once
    assert dossier.case_key(case, world.keyring, "custody") == custody


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_a_copy_and_one_password_open_only_the_groups_of_his_roles(world, client, role):
    submit(client, surname=SURNAME)
    case = Case.objects.get()
    for group in CASE_KEY_GROUPS:  # as if the case had gone all the way
        dossier.writing_key(case, world.keyring, group)
    assert {key.group for key in CaseKey.objects.filter(case=case)} == set(CASE_KEY_GROUPS)
    readable = {group for group in CASE_KEY_GROUPS if role in FIELD_GROUPS[group]}
    assert opened_groups(case, keys_from_a_copy(world, role)) == readable


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ADMIN, Role.COORDINATOR, Role.INTAKE])
def test_no_key_of_a_role_that_does_not_read_identity_opens_a_name(world, client, role):
    submit(client, surname=SURNAME)
    case = Case.objects.get()
    assert SURNAME.encode() not in bytes(case.dossier) + bytes(case.identity)
    keys = keys_from_a_copy(world, role)
    # Not the case's identity key, nor its ciphertext with any key he has, nor his notes key.
    assert "identity" not in opened_groups(case, keys)
    for key in keys:
        with pytest.raises(crypto.DecryptionError, match="could not be opened"):
            crypto.decrypt_bytes(key, bytes(case.identity))
    assert SURNAME not in str(dossier.circumstances(case, world.keyring))


def test_the_admin_and_the_volunteer_officer_hold_what_the_table_says(world):
    def groups(role):
        return set(KeyGrant.objects.filter(user=world.staff[role]).values_list("group", flat=True))

    assert groups(Role.ADMIN) == set()
    assert groups(Role.LIAISON) == set()
    assert groups(Role.VOLUNTEER) == {"volunteer"}
    assert groups(Role.VERIFIER) == {"identity", "circumstances", "messages", "notes"}


def test_the_group_keys_are_distinct_and_only_public_halves_are_stored(world):
    publics = GroupKey.objects.filter(programme=world.programme)
    assert sorted(key.group for key in publics) == sorted(GROUPS)
    assert len({bytes(key.public_key) for key in publics}) == len(GROUPS)
    assert len(set(world.keyring.values())) == len(GROUPS)


# --- A programme from before keys per field group ------------------------------------------


def old_style_case(programme: Programme, old_public: bytes) -> tuple[Case, str, bytes]:
    """A case as it was written before: one data key for everything, sealed to the one
    programme key; the applicant's credential wraps it."""
    data_key = crypto.new_data_key()
    case = Case.objects.create(
        programme=programme,
        reference="OLD1-CASE",
        state="verified",
        sealed_key=crypto.seal(old_public, data_key),
        dossier=crypto.encrypt_json(
            data_key, {"surname": SURNAME, "direction": "Near the dam", "language": "en"}
        ),
    )
    codename = codenames.generate("en")
    Codename.objects.create(
        case=case,
        lookup_hash=codenames.lookup_hash(codename),
        wrapped_key=codenames.seal_credential(codename, data_key),
        notebook=codenames.seal_notebook(data_key, {}),
    )
    message = new_message(data_key, Message.Sender.APPLICANT, "I am ready on Tuesday")
    message.case = case
    message.save()
    Note.objects.create(case=case, body=crypto.seal(old_public, b"Spoke to his mother"))
    PlanningConstraints.objects.create(
        case=case, encrypted=crypto.encrypt_json(data_key, {"sectors": [], "from": "", "until": ""})
    )
    return case, codename, data_key


def test_the_first_sign_in_with_the_old_key_splits_the_programme(world, client):
    old = crypto.new_keypair()
    Programme.objects.filter(pk=world.programme.pk).update(public_key=old.public)
    verifier = world.staff[Role.VERIFIER]
    verifier_public = bytes(StaffKey.objects.get(user=verifier).public_key)
    KeyGrant.objects.create(
        user=verifier,
        programme=world.programme,
        group="",
        sealed_private_key=crypto.seal(verifier_public, old.private),
    )
    case, codename, data_key = old_style_case(world.programme, old.public)

    staff = sign_in(Client(), verifier)

    case.refresh_from_db()
    assert case.sealed_key is None
    assert {key.group for key in CaseKey.objects.filter(case=case)} == set(CASE_KEY_GROUPS)
    # His messages keep their key (his codename opens it); every other group has its own.
    assert dossier.case_key(case, world.keyring, "messages") == data_key
    for group in set(CASE_KEY_GROUPS) - {"messages"}:
        assert dossier.case_key(case, world.keyring, group) != data_key
    assert dossier.application_identity(case, world.keyring)["surname"] == SURNAME
    assert dossier.circumstances(case, world.keyring)["direction"] == "Near the dam"
    with pytest.raises(
        crypto.DecryptionError, match="could not be opened"
    ):  # the old key no longer opens the dossier
        crypto.decrypt_json(data_key, case.dossier)
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_json(data_key, case.identity)
    constraints = PlanningConstraints.objects.get(case=case)
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_json(data_key, constraints.encrypted)
    note = Note.objects.get(case=case)
    assert crypto.unseal(world.keyring["notes"], bytes(note.body)) == b"Spoke to his mother"
    # The old key and its grants are gone.
    assert Programme.objects.get(pk=world.programme.pk).public_key is None
    assert not KeyGrant.objects.filter(group="").exists()
    assert [m.text for m in shown_messages(case, data_key)] == ["I am ready on Tuesday"]

    # The verifier reads the case from the same sign-in; the applicant still gets in.
    page = staff.get(f"/en/staff/case/{case.reference}/").content.decode()
    assert SURNAME in text_of(page, "identity")
    applicant = Client()
    assert enter(applicant, codename).status_code == 302
    home = applicant.get("/en/my/").content.decode()
    assert "I am ready on Tuesday" in text_of(home)


def test_the_upgrade_gives_every_programme_its_group_keys_sealed_to_its_members(world):
    GroupKey.objects.all().delete()
    KeyGrant.objects.all().delete()
    upgrade = import_module(
        "safepassage.programmes.migrations.0009_group_keys_for_existing_programmes"
    )
    upgrade.make_group_keys(apps, None)
    # The groups as they stood with that migration: the families group came later, and an
    # existing programme gets its key from `safepassage grant-new-group` (issue #24).
    assert GroupKey.objects.filter(programme=world.programme).count() == len(upgrade.FIELD_GROUPS)
    for role, user in world.staff.items():
        held = set(KeyGrant.objects.filter(user=user).values_list("group", flat=True))
        assert held == {group for group, readers in upgrade.FIELD_GROUPS.items() if role in readers}
    # What a grant opens is the private half of its group's stored public key.
    verifier = world.staff[Role.VERIFIER]
    own = staff_keys.own_private_key(verifier, PASSWORD)
    for grant in KeyGrant.objects.filter(user=verifier):
        private = crypto.unseal(own, bytes(grant.sealed_private_key or b""))
        public = GroupKey.objects.get(programme=world.programme, group=grant.group).public_key
        assert bytes(PrivateKey(private).public_key) == bytes(public)


def test_splitting_needs_the_old_key_itself(world):
    old = crypto.new_keypair()
    Programme.objects.filter(pk=world.programme.pk).update(public_key=old.public)
    case, _codename, _key = old_style_case(world.programme, old.public)
    assert splitting.split(world.programme.pk, crypto.new_keypair().private) == 0
    case.refresh_from_db()
    assert case.sealed_key is not None
    assert not CaseKey.objects.filter(case=case).exists()
    assert splitting.split(world.programme.pk, old.private) == 1
    assert CaseKey.objects.filter(case=case).count() == len(CASE_KEY_GROUPS)


def test_a_person_still_waiting_for_one_of_his_keys_gets_pages_not_errors(world, client):
    submit(client, surname=SURNAME)
    verifier = world.staff[Role.VERIFIER]
    KeyGrant.objects.filter(user=verifier, group="circumstances").delete()
    staff = sign_in(Client(), verifier)
    queue = staff.get("/en/staff/p/north/queue/")
    assert queue.status_code == 200
    assert "Near the water tower" not in queue.content.decode()
    inbox = staff.get("/en/staff/p/north/inbox/")  # it shows each one's language
    assert inbox.status_code == 403
    assert text_of(inbox.content.decode(), "no-key-yet").startswith(
        "Your roles read cases, so you need programme keys."
    )
    case = Case.objects.get()
    page = staff.get(f"/en/staff/case/{case.reference}/").content.decode()
    assert SURNAME in text_of(page, "identity")
    assert "keys of circumstances yet" in text_of(page, "keys-missing")


def test_a_group_added_later_gets_its_key_from_the_operator_for_one_holder(world, capsys):
    """The families group (issue #24) came after programmes existed: `grant-new-group` makes
    its key for one member whose roles read it, and nobody else, an admin least of all."""
    from django.core.management import CommandError, call_command

    from tests.conftest import audit_entries

    GroupKey.objects.filter(group="families").delete()
    KeyGrant.objects.filter(group="families").delete()
    with pytest.raises(CommandError, match="no role in north that reads families"):
        call_command("grant-new-group", "north", "families", "--to", "north-admin")
    call_command("grant-new-group", "north", "families", "--to", "north-tracing")
    assert "the families key is made and granted to north-tracing" in capsys.readouterr().out
    tracer = world.staff[Role.TRACING]
    (grant,) = KeyGrant.objects.filter(group="families")
    assert grant.user == tracer
    private = crypto.unseal(
        staff_keys.own_private_key(tracer, PASSWORD), bytes(grant.sealed_private_key or b"")
    )
    public = GroupKey.objects.get(programme=world.programme, group="families").public_key
    assert bytes(PrivateKey(private).public_key) == bytes(public)
    with pytest.raises(CommandError, match="has its families key already"):
        call_command("grant-new-group", "north", "families", "--to", "north-tracing")
    assert audit_entries("programme.group_key_made") == [
        ("system", {"group": "families", "holder": tracer.pk})
    ]
