"""Creating programmes and staff, and answering "what may this person do here"."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.lib.acts import Refused
from safepassage.programmes import groupkeys, staff_keys
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Membership, Programme
from safepassage.programmes.roles import CASE_ROLES, Role, groups_of


@transaction.atomic
def create_programme(slug: str, name: str, *, is_demo: bool = False) -> tuple[Programme, Keyring]:
    """The new programme and its field groups' private keys, which the caller must grant
    before they are lost."""
    programme = Programme.objects.create(slug=slug, name=name, is_demo=is_demo)
    keyring = groupkeys.create(programme)
    log.record(Action.PROGRAMME_CREATED, log.SYSTEM, programme_id=programme.pk)
    return programme, keyring


class StaffRefused(Refused):
    """Adding a staff member was refused; `reason` says why."""


@transaction.atomic
def add_staff(
    programme: Programme,
    username: str,
    password: str,
    roles: list[Role],
    *,
    keyring: Keyring,
    actor: str = log.SYSTEM,
) -> User:
    """Give `username` these roles in the programme (creating the account), and the keys of
    the field groups they read. A new account's password must pass the password
    validators. An existing account keeps its password: it must be given (its grants in other
    programmes are wrapped under it, and changing it here once silently lost them)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as weak:
            raise StaffRefused(" ".join(weak.messages)) from weak
        user.set_password(password)
        user.save()
    elif not user.check_password(password):
        raise StaffRefused(
            _(
                "This account already exists with another password. Give its own password: "
                "his keys for other programmes are locked with it."
            )
        )
    for role in roles:
        Membership.objects.get_or_create(user=user, programme=programme, role=role)
    # Everyone gets his key pair now (made if he has none): the group keys of his roles are
    # sealed to it, a receiving unit's key for a liaison (passage/plans.py).
    staff_keys.own_private_key(user, password)
    staff_keys.grant(programme, user, groupkeys.only(keyring, groups_of(roles)))
    log.record(
        Action.STAFF_ADDED,
        actor,
        programme_id=programme.pk,
        staff=user.pk,
        roles=sorted(str(r) for r in roles),
    )
    return user


@dataclass(frozen=True)
class StaffScope:
    """A staff member's roles, by programme."""

    roles: dict[int, frozenset[Role]]

    def roles_in(self, programme_id: int) -> frozenset[Role]:
        return self.roles.get(programme_id, frozenset())

    def case_programme_ids(self) -> list[int]:
        return [pid for pid, roles in self.roles.items() if roles & CASE_ROLES]

    def admin_programme_ids(self) -> list[int]:
        return [pid for pid, roles in self.roles.items() if Role.ADMIN in roles]


def scope_of(user: User) -> StaffScope:
    roles: dict[int, set[Role]] = {}
    for programme_id, role in Membership.objects.filter(user=user).values_list(
        "programme_id", "role"
    ):
        roles.setdefault(programme_id, set()).add(Role(role))
    return StaffScope({pid: frozenset(r) for pid, r in roles.items()})


def programmes_for(ids: list[int]) -> list[Programme]:
    return list(Programme.objects.filter(pk__in=ids).order_by("name"))


def programme_by_slug(slug: str) -> Programme | None:
    return Programme.objects.filter(slug=slug).first()


def has_demo_programme() -> bool:
    return Programme.objects.filter(is_demo=True).exists()


def all_programmes() -> list[Programme]:
    return list(Programme.objects.order_by("name"))
