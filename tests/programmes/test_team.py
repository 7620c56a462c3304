"""The people of a programme (issue #17): invitations, enrolment, key grants, roles,
off-boarding, resets and each person's sessions, through the real pages."""

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.programmes.models import Invitation, KeyGrant, Membership, StaffKey
from safepassage.programmes.roles import Role
from tests.conftest import PASSWORD, audit_entries, found, refusal, sign_in, submit, text_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long walk across the grey zone"


def link_on(page: str) -> str:
    match = re.search(r'id="invitation-link">([^<]+)<', page)
    assert match, "the page shows the link"
    return urlsplit(match.group(1)).path


def invite(admin: Client, username: str, *roles: Role) -> str:
    page = admin.post(
        "/en/staff/p/north/people/", {"username": username, "roles": [str(r) for r in roles]}
    )
    assert page.status_code == 200, page.content[:300]
    return link_on(page.content.decode())


def code_for(device: TOTPDevice, later: int = 0) -> str:
    """The code the app shows now, or `later` seconds from now (a code once used cannot be
    used again in its 30 seconds)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def enrol(link: str, password: str = NEW_PASSWORD) -> tuple[Client, list[str]]:
    """Open the link, set the password, enrol the authenticator: the recovery codes."""
    invitee = Client()
    assert invitee.get(link)["Location"] == "/en/staff/join/"
    response = invitee.post(
        "/en/staff/join/", {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302, response.content[:500]
    page = invitee.get("/en/staff/join/").content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(confirmed=False)
    shown = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert shown
    assert f"secret={shown.group(1)}" in device.config_url
    assert invitee.post("/en/staff/join/", {"token": code_for(device)}).status_code == 302
    done = invitee.get("/en/staff/join/").content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done)
    assert len(codes) == 10
    # Shown once: the page does not show them again.
    assert "recovery-codes" not in invitee.get("/en/staff/join/").content.decode()
    return invitee, codes


def recovery_code_of(user: User) -> str:
    """One of the recovery codes he kept at enrolment."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery codes")
    code: str = device.token_set.create(token=StaticToken.random_token()).token
    return code


def sign_in_later(user: User, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    response = client.post("/en/staff/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:300]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t = -1  # the test signs in again within a code's 30 seconds
    device.save(update_fields=["last_t"])
    response = client.post("/en/staff/second-factor/", {"token": code_for(device, later=30)})
    assert response["Location"] == "/en/staff/", response.content[:500]
    return client


def test_invited_verifier_enrols_is_granted_by_a_key_holder_and_opens_a_case(
    world, staff_client, client
):
    submit(client)
    admin = staff_client(Role.ADMIN)
    link = invite(admin, "vera", Role.VERIFIER)
    assert "vera" not in link  # the link names nobody
    _invitee, _codes = enrol(link)
    vera = User.objects.get(username="vera")
    assert StaffKey.objects.filter(user=vera).exists()
    assert not KeyGrant.objects.filter(user=vera).exists()  # the admin decides, no more
    people = text_of(
        admin.get("/en/staff/p/north/people/").content.decode(), "person-" + str(vera.pk)
    )
    assert "Verifier" in people
    assert "waiting for a key holder" in people
    assert "enrolled" in people

    session = sign_in_later(vera)
    reference = world.programme.case_set.get().reference
    waiting_page = session.get(f"/en/staff/case/{reference}/")
    assert waiting_page.status_code == 403
    assert "A key holder grants them" in text_of(waiting_page.content.decode(), "no-key-yet")

    # A coordinator grants the keys he holds of what a verifier reads; not the identity key,
    # which is not his.
    coordinator = staff_client(Role.COORDINATOR)
    home = coordinator.get("/en/staff/").content.decode()
    assert text_of(home, f"waiting-{vera.pk}") == (
        "vera · North · Verifier · invited by north-admin · "
        "keys: circumstances, messages, notes Grant these keys"
    )
    granted = coordinator.post(f"/en/staff/p/north/people/{vera.pk}/grant/")
    assert granted.status_code == 302
    assert audit_entries("staff.key_granted") == [
        (
            f"staff:{world.staff[Role.COORDINATOR].pk}",
            {"staff": vera.pk, "groups": ["circumstances", "messages", "notes"]},
        )
    ]
    assert f"waiting-{vera.pk}" not in coordinator.get("/en/staff/").content.decode()
    # Her next sign-in opens those keys: the case, without his name, and why.
    session = sign_in_later(vera)
    page = session.get(f"/en/staff/case/{reference}/").content.decode()
    assert "Zhukovsky" not in page
    assert "Rabotino" in text_of(page)
    assert text_of(page, "keys-missing") == (
        "Your roles read more of this case than your keys open: a key holder has not granted "
        "you the keys of identity yet. They open from your next sign-in after the grant."
    )
    # Reception holds the identity key: its grant completes hers.
    reception = staff_client(Role.RECEPTION)
    home = reception.get("/en/staff/").content.decode()
    assert text_of(home, f"waiting-{vera.pk}").endswith("keys: identity Grant these keys")
    reception.post(f"/en/staff/p/north/people/{vera.pk}/grant/")
    people = admin.get("/en/staff/p/north/people/").content.decode()
    assert "waiting for a key holder" not in text_of(people, "person-" + str(vera.pk))
    session = sign_in_later(vera)
    page = session.get(f"/en/staff/case/{reference}/").content.decode()
    assert "Zhukovsky" in text_of(page, "identity")
    assert 'id="keys-missing"' not in page
    assert audit_entries("staff.second_factor_enrolled") == [(f"staff:{vera.pk}", {})]


def test_a_used_link_gives_nothing_to_a_second_holder_and_an_expired_one_says_so(
    world, staff_client
):
    admin = staff_client(Role.ADMIN)
    link = invite(admin, "vera", Role.VERIFIER)
    other = Client()
    assert other.get(link)["Location"] == "/en/staff/join/"  # both opened it in time
    enrol(link)
    again = Client().get(link)
    assert again.status_code == 410
    assert "already been used" in text_of(again.content.decode(), "unusable")
    late = other.post(
        "/en/staff/join/", {"new_password1": "x" * 20 + "yz!", "new_password2": "x" * 20 + "yz!"}
    )
    assert late.status_code == 410
    assert User.objects.filter(username="vera").count() == 1

    expired_link = invite(admin, "olga", Role.INTAKE)
    Invitation.objects.filter(username="olga").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = Client().get(expired_link)
    assert page.status_code == 410
    assert "expired" in text_of(page.content.decode(), "unusable")


def test_a_weak_password_is_refused_and_claims_nothing(world, staff_client):
    link = invite(staff_client(Role.ADMIN), "vera", Role.VERIFIER)
    invitee = Client()
    invitee.get(link)
    for weak in ("short1!", "password1234"):
        page = invitee.post("/en/staff/join/", {"new_password1": weak, "new_password2": weak})
        assert page.status_code == 400
    assert "too short" in page.content.decode() or "too common" in page.content.decode()
    assert not User.objects.filter(username="vera").exists()
    assert Invitation.objects.get(username="vera").claimed_at is None
    assert audit_entries("staff.invited") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"roles": ["verifier"]})
    ]


def test_the_first_code_of_another_session_does_not_confirm_this_enrolment(world, staff_client):
    """Each pending authenticator belongs to the session that enrols."""
    link = invite(staff_client(Role.ADMIN), "vera", Role.VERIFIER)
    invitee = Client()
    invitee.get(link)
    invitee.post("/en/staff/join/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    invitee.get("/en/staff/join/")
    stranger = Client()
    assert stranger.get("/en/staff/join/").status_code == 410
    assert TOTPDevice.objects.filter(confirmed=False).count() == 1
    vera = User.objects.get(username="vera")
    assert audit_entries("staff.joined") == [(f"staff:{vera.pk}", {"roles": ["verifier"]})]


def test_deactivation_ends_every_session_at_its_next_request(world, staff_client):
    admin = staff_client(Role.ADMIN)
    verifier = world.staff[Role.VERIFIER]
    open_session = staff_client(Role.VERIFIER)
    assert open_session.get("/en/staff/p/north/queue/").status_code == 200
    url = f"/en/staff/p/north/people/{verifier.pk}/deactivate/"
    asked = admin.post(url)
    assert "Deactivate north-verifier?" in asked.content.decode()
    assert admin.post(url, {"confirmed": "yes"}).status_code == 302
    assert open_session.get("/en/staff/p/north/queue/").status_code == 302  # to sign-in
    verifier.refresh_from_db()
    assert not verifier.is_active
    assert not Membership.objects.filter(user=verifier).exists()
    assert not KeyGrant.objects.filter(user=verifier).exists()
    assert audit_entries("staff.deactivated") == [
        (
            f"staff:{world.staff[Role.ADMIN].pk}",
            {"staff": verifier.pk, "held_key": True},
        )
    ]


def test_the_last_admin_cannot_remove_himself(world, staff_client):
    admin_user = world.staff[Role.ADMIN]
    admin = staff_client(Role.ADMIN)
    url = f"/en/staff/p/north/people/{admin_user.pk}/deactivate/"
    response = admin.post(url, {"confirmed": "yes"})
    assert "last admin cannot be deactivated" in refusal(admin, response)
    roles = admin.post(f"/en/staff/p/north/people/{admin_user.pk}/", {"roles": ["intake"]})
    assert "last admin cannot stop being one" in refusal(admin, roles)
    assert Membership.objects.filter(user=admin_user, role=Role.ADMIN).exists()


def test_changing_roles_takes_the_key_with_a_reading_role_and_asks_for_it_with_a_new_one(
    world, staff_client
):
    admin = staff_client(Role.ADMIN)
    intake = world.staff[Role.INTAKE]
    assert KeyGrant.objects.filter(user=intake).exists()
    admin.post(f"/en/staff/p/north/people/{intake.pk}/", {"roles": ["liaison"]})
    assert not KeyGrant.objects.filter(user=intake).exists()
    admin.post(f"/en/staff/p/north/people/{intake.pk}/", {"roles": ["liaison", "verifier"]})
    people = admin.get("/en/staff/p/north/people/").content.decode()
    row = text_of(people, f"person-{intake.pk}")
    assert "Verifier" in row
    assert "Receiving-unit liaison" in row
    assert "waiting for a key holder" in row
    assert audit_entries("staff.roles_changed") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"staff": intake.pk, "roles": ["liaison"]}),
        (
            f"staff:{world.staff[Role.ADMIN].pk}",
            {"staff": intake.pk, "roles": ["liaison", "verifier"]},
        ),
    ]


def test_a_lost_authenticator_is_replaced_through_a_link_that_also_asks_the_password(
    world, staff_client
):
    admin = staff_client(Role.ADMIN)
    intake = world.staff[Role.INTAKE]
    page = admin.post(f"/en/staff/p/north/people/{intake.pk}/reset/second_factor/")
    link = link_on(page.content.decode())
    person = Client()
    person.get(link)
    wrong = person.post("/en/staff/join/", {"password": "not my password at all"})
    assert "not the password of this account" in wrong.content.decode()
    assert person.post("/en/staff/join/", {"password": PASSWORD}).status_code == 302
    person.get("/en/staff/join/")
    device = TOTPDevice.objects.get(user=intake, confirmed=False)
    person.post("/en/staff/join/", {"token": code_for(device)})
    codes = re.findall(
        r"<code>([a-z2-7]{8})</code>", person.get("/en/staff/join/").content.decode()
    )
    assert TOTPDevice.objects.filter(user=intake).count() == 1  # the old one is gone
    assert KeyGrant.objects.filter(user=intake).exists()  # keys untouched
    # A recovery code signs in once.
    client = Client()
    client.post("/en/staff/login/", {"username": intake.username, "password": PASSWORD})
    assert client.post("/en/staff/second-factor/", {"token": codes[0]})["Location"] == "/en/staff/"
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    again = Client()
    again.post("/en/staff/login/", {"username": intake.username, "password": PASSWORD})
    assert again.post("/en/staff/second-factor/", {"token": codes[0]}).status_code == 200
    assert audit_entries("staff.second_factor_reset") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"staff": intake.pk})
    ]
    assert audit_entries("staff.second_factor_failed") == [(f"staff:{intake.pk}", {})]


def test_a_forgotten_password_gives_a_new_key_pair_and_the_key_waits_again(world, staff_client):
    admin = staff_client(Role.ADMIN)
    intake = world.staff[Role.INTAKE]
    old_public = bytes(StaffKey.objects.get(user=intake).public_key)
    code = recovery_code_of(intake)
    page = admin.post(f"/en/staff/p/north/people/{intake.pk}/reset/password/")
    person = Client()
    person.get(link_on(page.content.decode()))
    done = person.post(
        "/en/staff/join/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "recovery_code": code},
    )
    assert "Key holders will grant you your programme keys again" in text_of(done.content.decode())
    assert not StaticToken.objects.filter(token=code).exists()  # used up
    assert bytes(StaffKey.objects.get(user=intake).public_key) != old_public
    assert not KeyGrant.objects.filter(user=intake).exists()
    sign_in_later(intake)


def test_a_person_sees_his_sessions_and_signs_out_of_another(world):
    verifier = world.staff[Role.VERIFIER]
    first = sign_in(Client(), verifier)
    second = sign_in_later(verifier, PASSWORD)
    page = second.get("/en/staff/sessions/").content.decode()
    assert page.count("Sign out of it") == 1
    assert "this session" in page
    other = found(r'name="session" value="(\d+)"', page)
    second.post("/en/staff/sessions/", {"session": other})
    assert first.get("/en/staff/").status_code == 302  # signed out
    assert second.get("/en/staff/").status_code == 200
    assert audit_entries("staff.session_ended") == [(f"staff:{verifier.pk}", {})]


# --- No single admin becomes a colleague (issue #22, point 3) ---------------------------------


def second_admin(world):
    from safepassage.programmes.services import add_staff

    other = add_staff(world.programme, "north-admin-2", PASSWORD, [Role.ADMIN], keyring={})
    TOTPDevice.objects.create(user=other, name="app", confirmed=True)
    return other


def test_one_admin_alone_cannot_finish_a_colleagues_password_reset(world, staff_client):
    admin = staff_client(Role.ADMIN)
    verifier = world.staff[Role.VERIFIER]
    before = User.objects.get(pk=verifier.pk).password
    people = text_of(admin.get("/en/staff/p/north/people/").content.decode(), "one-admin")
    assert people.startswith("This programme has one admin.")
    page = admin.post(f"/en/staff/p/north/people/{verifier.pk}/reset/password/")
    himself = Client()  # the admin opens the link he made
    himself.get(link_on(page.content.decode()))
    refused = himself.post(
        "/en/staff/join/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert refused.status_code == 400
    assert (
        "Give one of your recovery codes, or ask a second admin of the programme to confirm"
        " this reset first." in text_of(refused.content.decode())
    )
    wrong = himself.post(
        "/en/staff/join/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "recovery_code": "abcdefgh"},
    )
    assert wrong.status_code == 400
    assert User.objects.get(pk=verifier.pk).password == before  # nothing half-written
    assert Invitation.objects.get(purpose="password").claimed_at is None
    assert audit_entries("staff.password_changed") == []
    assert audit_entries("staff.password_reset") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"staff": verifier.pk})
    ]


def test_a_second_admin_confirms_a_reset_and_the_owner_sees_it_at_his_next_sign_in(
    world, staff_client
):
    other = second_admin(world)
    admin = staff_client(Role.ADMIN)
    verifier = world.staff[Role.VERIFIER]
    page = admin.post(f"/en/staff/p/north/people/{verifier.pk}/reset/password/")
    link = link_on(page.content.decode())
    # Its maker is not asked to confirm it; the other admin is.
    assert 'id="resets-to-confirm"' not in admin.get("/en/staff/p/north/people/").content.decode()
    colleague = sign_in(Client(), other)
    listed = colleague.get("/en/staff/p/north/people/").content.decode()
    reset = Invitation.objects.get(purpose="password")
    assert text_of(listed, f"reset-{reset.pk}").startswith("north-verifier · made by north-admin")
    assert 'id="one-admin"' not in listed
    colleague.post(f"/en/staff/p/north/resets/{reset.pk}/confirm/")
    assert audit_entries("staff.reset_confirmed") == [(f"staff:{other.pk}", {"staff": verifier.pk})]
    person = Client()
    person.get(link)
    page = person.get("/en/staff/join/").content.decode()
    assert 'name="recovery_code"' not in page  # a second admin vouched for it
    person.post("/en/staff/join/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    home = sign_in_later(verifier).get("/en/staff/").content.decode()
    assert text_of(home, "my-resets").startswith(
        "Your account was reset Set a new password: reset by north-admin on "
    )
    # The key holder asked to grant him his keys again reads the same beside the request.
    coordinator = staff_client(Role.COORDINATOR).get("/en/staff/").content.decode()
    assert "Set a new password: reset by north-admin on" in text_of(
        coordinator, f"waiting-{verifier.pk}"
    )


def test_an_admin_cannot_give_himself_a_role_nor_reset_his_own_password(world, staff_client):
    second_admin(world)
    admin_user = world.staff[Role.ADMIN]
    admin = staff_client(Role.ADMIN)
    response = admin.post(
        f"/en/staff/p/north/people/{admin_user.pk}/", {"roles": ["admin", "coordinator"]}
    )
    assert refusal(admin, response) == (
        "Another admin gives you a new role: nobody adds roles to himself."
    )
    assert not Membership.objects.filter(user=admin_user, role=Role.COORDINATOR).exists()
    response = admin.post(f"/en/staff/p/north/people/{admin_user.pk}/reset/password/")
    assert refusal(admin, response) == "Another admin makes a password reset link for you."
    assert not Invitation.objects.filter(purpose="password").exists()


def test_an_enrolment_stopped_after_the_password_resumes_with_the_same_link(world, staff_client):
    admin = staff_client(Role.ADMIN)
    link = invite(admin, "north-newcomer", Role.INTAKE)
    first = Client()
    first.get(link)
    first.post("/en/staff/join/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    later = Client()  # another day, another browser: the same link
    later.get(link)
    page = text_of(later.get("/en/staff/join/").content.decode())
    assert "You set your password with this link earlier" in page
    wrong = later.post("/en/staff/join/", {"password": "not the password at all"})
    assert "That is not the password you set with this link." in text_of(wrong.content.decode())
    later.post("/en/staff/join/", {"password": NEW_PASSWORD})
    assert 'src="data:image/svg+xml' in later.get("/en/staff/join/").content.decode()


def test_people_who_left_are_listed_as_former_members(world, staff_client):
    """Issue #27, point 15: a deactivated person vanished from the People page."""
    admin = staff_client(Role.ADMIN)
    intake = world.staff[Role.INTAKE]
    admin.post(f"/en/staff/p/north/people/{intake.pk}/deactivate/", {"confirmed": "yes"})
    page = admin.get("/ru/staff/p/north/people/").content.decode()
    former = text_of(page, "former-members")
    assert former.startswith("Бывшие сотрудники north-intake · отключён ")
    assert former.endswith("киевское время (UTC+2), решение: north-admin")
    assert "north-intake" not in text_of(page, "team")


def test_the_coordinators_date_fields_say_their_format(world, staff_client):
    from tests.fixtures.crossings import verified_case

    case = verified_case(Client())
    page = staff_client(Role.COORDINATOR).get(f"/ru/staff/case/{case.reference}/crossing/")
    form = text_of(page.content.decode())
    assert form.count("ДД.ММ.ГГГГ") >= 2
