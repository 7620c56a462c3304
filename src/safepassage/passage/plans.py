"""The crossing plan at rest: where, when and how a person crosses, sealed so that a copy of
the database shows none of it (issue #16, docs/DESIGN.md "The crossing plan at rest").

A crossing's plan (sector, window, signal, escort, head count and the survival figures,
which would point at a sector) is stored three times:

- sealed to the programme's public key: coordinators and reception read it in their session;
- sealed to its receiving unit's public key: the liaison's console reads it with the unit
  key, never the programme key;
- encrypted under the case's data key: the applicant's instructions.

The unit's private key is sealed to the programme key and to each of its liaisons' own key
pairs (`UnitKeyGrant`). Only an explicit act of a plan-key holder (a coordinator or
reception) seals it to a liaison, from the list on his home (`unit_keys_waiting`,
`grant_unit_key`), audited with who decided: an admin's ticking an account on a unit shares
nothing, and never does a sign-in (issue #22, point 2).

Plain on the row, and why: the unit (whose liaisons must find their notices), the status and
outcome, and the night (a date): the worker expires what nobody answered at the night's end,
without a key. The plan is destroyed once the crossing has ended and its signal has rested
(`destroy_rested`); the applicant's copy as soon as it ends.

Over 400 lines on purpose: every path to a plan's plaintext and every key that opens one
(sealing, opening, unit keys and their grants, rotation, the split of an old programme) is in
this one module, so that a review of who can read a plan reads one file.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.lib.acts import Refused
from safepassage.passage.models import Crossing, ReceivingUnit, Sector, UnitKeyGrant
from safepassage.passage.plan_contents import Plan
from safepassage.programmes import key_grants
from safepassage.programmes import session_keys as session
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Membership, Programme, StaffKey
from safepassage.programmes.roles import Role
from safepassage.vault import crypto

if TYPE_CHECKING:
    from safepassage.programmes.access import StaffRequest


@dataclass(frozen=True)
class Keys:
    """The keys a session holds that can open plans: programme keys (by programme id) of a
    key holder, unit keys (by unit id) of a liaison."""

    programmes: dict[int, bytes] = field(default_factory=dict)  # each programme's plan key
    units: dict[int, bytes] = field(default_factory=dict)


def keys_in(programme_id: int, keyring: Keyring) -> Keys:
    """What a key holder's keyring opens plans of one programme with: its plan key, if his
    roles read plans (roles.FIELD_GROUPS)."""
    if "plan" not in keyring:
        return Keys()
    return Keys(programmes={programme_id: keyring["plan"]})


def seal(crossing: Crossing, plan: Plan, *, unit: ReceivingUnit, case_key: bytes) -> None:
    """Write the plan's three copies onto `crossing` (the caller saves it)."""
    blob = plan.to_bytes()
    crossing.for_programme, crossing.for_programme_next = unit.programme.seal("plan", blob)
    crossing.for_unit = crypto.seal(bytes(unit.public_key), blob)
    crossing.for_applicant = crypto.encrypt_bytes(case_key, blob)


def _attach(crossings: list[Crossing], found: dict[int, Plan]) -> list[Crossing]:
    """Give each crossing whose plan was opened its plan and its sector (one query)."""
    sectors = Sector.objects.in_bulk({plan.sector_id for plan in found.values()})
    for crossing in crossings:
        if (plan := found.get(crossing.pk)) is not None:
            crossing.plan = plan
            crossing.planned_sector = sectors.get(plan.sector_id)
    return crossings


def opened(crossings: Iterable[Crossing], keys: Keys) -> list[Crossing]:
    """The crossings, with the plan of each that `keys` opens; a destroyed plan or one the
    keys do not open stays closed (`crossing.plan` is None)."""
    crossings = list(crossings)
    found: dict[int, Plan] = {}
    for crossing in crossings:
        programme_key = keys.programmes.get(crossing.programme_id)
        unit_key = keys.units.get(crossing.unit_id)
        try:
            if programme_key is not None and crossing.for_programme is not None:
                blob = crypto.unseal(programme_key, bytes(crossing.for_programme))
            elif unit_key is not None and crossing.for_unit is not None:
                blob = crypto.unseal(unit_key, bytes(crossing.for_unit))
            else:
                continue
        except crypto.DecryptionError:
            continue  # sealed to a key this session no longer holds (after a rotation)
        found[crossing.pk] = Plan.from_bytes(blob)
    return _attach(crossings, found)


def open_one(crossing: Crossing, keys: Keys) -> Crossing:
    return opened([crossing], keys)[0]


def opened_for_applicant(crossing: Crossing, case_key: bytes) -> Crossing:
    """The applicant's copy, opened with his case's data key (from his session)."""
    found = {}
    if crossing.for_applicant is not None:
        try:
            blob = crypto.decrypt_bytes(case_key, bytes(crossing.for_applicant))
            found[crossing.pk] = Plan.from_bytes(blob)
        except crypto.DecryptionError:
            pass
    return _attach([crossing], found)[0]


def unit_keys(user: User, own_private_key: bytes | None) -> dict[int, bytes]:
    """The keys of the units this person is a liaison of, opened with his own private key.
    A grant for a unit he no longer serves is not opened (and is deleted when the unit is
    saved)."""
    if own_private_key is None:
        return {}
    grants = UnitKeyGrant.objects.filter(
        user=user,
        unit__liaisons=user,
        unit__programme__membership__user=user,
        unit__programme__membership__role="liaison",
    ).distinct()
    keys = {}
    for grant in grants:
        try:
            keys[grant.unit_id] = crypto.unseal(own_private_key, bytes(grant.sealed_private_key))
        except crypto.DecryptionError:
            continue  # sealed to a key pair he no longer has (a reset password)
    return keys


@dataclass(frozen=True)
class UnitKeyWaiting:
    """A liaison of a unit who has no grant of its key yet, and who decided he serves it."""

    unit: ReceivingUnit
    user: User
    invited_by: str  # the admin who invited him ("" when not known)


def _liaisons_waiting(programme_id: int) -> list[tuple[ReceivingUnit, User]]:
    units = ReceivingUnit.objects.filter(programme_id=programme_id).prefetch_related("liaisons")
    granted = set(
        UnitKeyGrant.objects.filter(unit__programme_id=programme_id).values_list(
            "unit_id", "user_id"
        )
    )
    liaisons = set(
        Membership.objects.filter(programme_id=programme_id, role=Role.LIAISON).values_list(
            "user_id", flat=True
        )
    )
    with_keys = set(StaffKey.objects.filter(user_id__in=liaisons).values_list("user_id", flat=True))
    return [
        (unit, user)
        for unit in units
        for user in unit.liaisons.all()
        if (unit.pk, user.pk) not in granted and user.pk in liaisons and user.pk in with_keys
    ]


def unit_keys_waiting(programme_id: int, keyring: Keyring) -> list[UnitKeyWaiting]:
    """What a session holding the plan key may grant: the unit keys liaisons wait for. An
    admin's ticking a liaison on a unit shares nothing; a plan-key holder decides (issue
    #22, point 2)."""
    if "plan" not in keyring:
        return []
    waiting = []
    for unit, user in _liaisons_waiting(programme_id):
        invited = key_grants.inviter(programme_id, user)
        waiting.append(UnitKeyWaiting(unit, user, invited.username if invited else ""))
    return waiting


class UnitKeyRefused(Refused):
    """The unit key cannot be granted; the reason is safe to show."""


@transaction.atomic
def grant_unit_key(
    programme_id: int, unit_id: int, user_id: int, *, by: User, keyring: Keyring
) -> None:
    """A plan-key holder seals the unit's key to a liaison of it, audited with who decided.
    Never to himself, and never by the admin who invited the liaison: a second person
    confirms that the account serves that unit."""
    pair = next(
        (
            (unit, user)
            for unit, user in _liaisons_waiting(programme_id)
            if unit.pk == unit_id and user.pk == user_id
        ),
        None,
    )
    if pair is None or "plan" not in keyring:
        raise UnitKeyRefused(_("This liaison is not waiting for a key you can grant."))
    unit, user = pair
    invited = key_grants.inviter(programme_id, user)
    if user.pk == by.pk or (invited is not None and invited.pk == by.pk):
        raise UnitKeyRefused(
            _("Another key holder must grant this key: you invited this account yourself.")
        )
    try:
        unit_private = crypto.unseal(keyring["plan"], bytes(unit.sealed_private_key))
    except crypto.DecryptionError as closed:
        raise UnitKeyRefused(_("Sign in again: your session holds an older key.")) from closed
    public = StaffKey.objects.get(user=user).public_key
    UnitKeyGrant.objects.create(
        unit=unit, user=user, sealed_private_key=crypto.seal(bytes(public), unit_private)
    )
    log.record(
        Action.UNIT_KEY_GRANTED,
        log.staff_actor(by),
        programme_id=programme_id,
        staff=user.pk,
        unit=unit.pk,
    )


def _new_pair(unit: ReceivingUnit, unit_private: bytes) -> crypto.Keypair:
    """A new key pair for `unit`, in the caller's transaction: its crossings' plans are sealed
    again to the new public half and each liaison's grant replaced by the new private half.
    The old private key, whoever kept it, opens nothing the unit is sent from now on. The
    caller stores the new pair on the unit."""
    pair = crypto.new_keypair()
    for crossing in Crossing.objects.filter(unit=unit, for_unit__isnull=False).only("for_unit"):
        blob = crypto.unseal(unit_private, bytes(crossing.for_unit or b""))
        Crossing.objects.filter(pk=crossing.pk).update(for_unit=crypto.seal(pair.public, blob))
    grants = UnitKeyGrant.objects.filter(unit=unit)
    publics = dict(
        StaffKey.objects.filter(user_id__in=grants.values("user_id")).values_list(
            "user_id", "public_key"
        )
    )
    for grant in grants:
        grant.sealed_private_key = crypto.seal(bytes(publics[grant.user_id]), pair.private)
        grant.save(update_fields=["sealed_private_key"])
    return pair


def unit_for_sealing(unit: ReceivingUnit, keyring: Keyring, *, by: User) -> ReceivingUnit:
    """The unit as a new plan must be sealed to it, locked until the caller's transaction
    ends (a rotation cannot change its key between reading and sealing). A unit due a new
    key pair (a liaison left) gets it first, from the planner's own plan key: nothing new is
    ever sealed to a key someone who left may have kept."""
    locked = ReceivingUnit.objects.select_for_update().get(pk=unit.pk)
    if locked.key_renewal_due:
        renew_unit_key(locked, keyring, by=by)
        locked.refresh_from_db()
    return locked


def units_due_renewal(programme_id: int, keyring: Keyring) -> list[ReceivingUnit]:
    """Units whose key pair a plan-key holder should renew (shown on his home)."""
    if "plan" not in keyring:
        return []
    return list(
        ReceivingUnit.objects.filter(programme_id=programme_id, key_renewal_due=True).order_by(
            "name"
        )
    )


@transaction.atomic
def renew_unit_key(unit: ReceivingUnit, keyring: Keyring, *, by: User) -> None:
    """A plan-key holder gives the unit a new key pair after a liaison lost his grant,
    audited with who did it. The remaining liaisons keep reading; the one who left reads
    nothing sent to the unit from now on."""
    if "plan" not in keyring:
        raise UnitKeyRefused(_("Only a holder of the plan key can renew a unit's key."))
    locked = ReceivingUnit.objects.select_for_update().get(pk=unit.pk)
    try:
        unit_private = crypto.unseal(keyring["plan"], bytes(locked.sealed_private_key))
    except crypto.DecryptionError as closed:
        raise UnitKeyRefused(_("Sign in again: your session holds an older key.")) from closed
    pair = _new_pair(locked, unit_private)
    sealed, sealed_next = locked.programme.seal("plan", pair.private)
    ReceivingUnit.objects.filter(pk=locked.pk).update(
        public_key=pair.public,
        sealed_private_key=sealed,
        sealed_private_key_next=sealed_next,
        key_renewal_due=False,
    )
    log.record(
        Action.UNIT_KEY_RENEWED,
        log.staff_actor(by),
        programme_id=locked.programme_id,
        unit=locked.pk,
    )


def waiting_for_unit_key(user: User) -> bool:
    """He serves a unit whose key nobody has shared with him yet."""
    return (
        ReceivingUnit.objects.filter(liaisons=user)
        .exclude(unitkeygrant__user=user)
        .filter(programme__membership__user=user, programme__membership__role="liaison")
        .exists()
    )


def rest_over(today: date) -> date:
    """Ended crossings of nights up to this one have nothing left to keep: their signals
    have rested (PASSAGE_SIGNAL_REST_DAYS) and the liaison saw the ending a day long."""
    return today - timedelta(days=max(1, settings.PASSAGE_SIGNAL_REST_DAYS) + 1)


def destroy_rested(today: date) -> int:
    """Delete the plans of crossings that ended and whose signal has rested. Run by the
    worker, which holds no key: it needs only the plain night and status."""
    ended = ~Q(status__in=Crossing.ACTIVE) & ~Q(outcome=Crossing.Outcome.MISSING)
    return (
        Crossing.objects.filter(ended, night__lte=rest_over(today))
        .filter(Q(for_programme__isnull=False) | Q(for_unit__isnull=False))
        .update(for_programme=None, for_programme_next=None, for_unit=None, for_applicant=None)
    )


def complete_applicant_copies(programme_id: int, keyring: Keyring) -> int:
    """Give each live crossing that lacks it the applicant's copy (crossings sealed by the
    migration, which could not open a case key). Returns how many."""
    missing = Crossing.objects.filter(
        unit__programme_id=programme_id, status__in=Crossing.ACTIVE, for_applicant=None
    ).select_related("unit", "case")
    made = 0
    if "messages" not in keyring:
        return made
    for crossing in opened(missing, keys_in(programme_id, keyring)):
        key = dossier.case_key(crossing.case, keyring, "messages")
        if crossing.plan is None or key is None:
            continue
        crossing.for_applicant = crypto.encrypt_bytes(key, crossing.plan.to_bytes())
        crossing.save(update_fields=["for_applicant"])
        made += 1
    return made


def keys_of(request: "StaffRequest") -> Keys:
    """What a staff session can open plans with: its programme keys, its unit keys."""
    generations = Programme.objects.filter(pk__in=request.scope.roles).values_list(
        "pk", "key_generation"
    )  # one query, not one per programme
    programme_keys = {
        programme_id: key
        for programme_id, generation in generations
        if (key := session.keyring_of(request, programme_id, generation).get("plan")) is not None
    }
    units = unit_keys(request.user, session.own_private_key(request))
    return Keys(programmes=programme_keys, units=units)


# --- A key rotation (cases/rekeying.py) ------------------------------------------


def reseal(
    sender: object,
    programme_id: int,
    group: str,
    old_key: bytes,
    new_public: bytes,
    limit: int,
    **kwargs: object,
) -> int:
    """A rotation's batch of the plan key's: unit keys, then sealed plans."""
    if group != "plan":
        return 0
    resealed = 0
    # Every unit gets a new key pair too: whoever kept the old unit key (or the old plan key,
    # which opened it) reads nothing sent to the unit after the rotation (issue #22, point 4).
    old_public = bytes(PrivateKey(old_key).public_key)
    units = ReceivingUnit.objects.select_for_update().filter(
        programme_id=programme_id, sealed_private_key_next__isnull=True
    )
    for unit in units:
        pair = _new_pair(unit, crypto.unseal(old_key, bytes(unit.sealed_private_key)))
        ReceivingUnit.objects.filter(pk=unit.pk).update(
            public_key=pair.public,
            sealed_private_key=crypto.seal(old_public, pair.private),
            sealed_private_key_next=crypto.seal(new_public, pair.private),
            key_renewal_due=False,
        )
        resealed += 1
    waiting = Crossing.objects.filter(
        unit__programme_id=programme_id,
        for_programme__isnull=False,
        for_programme_next__isnull=True,
    ).order_by("pk")[:limit]
    for crossing in waiting:
        blob = crypto.unseal(old_key, bytes(crossing.for_programme or b""))
        Crossing.objects.filter(pk=crossing.pk).update(
            for_programme_next=crypto.seal(new_public, blob)
        )
        resealed += 1
    return resealed


def left_to_reseal(sender: object, programme_id: int, **kwargs: object) -> dict[str, int]:
    units = ReceivingUnit.objects.filter(
        programme_id=programme_id, sealed_private_key_next__isnull=True
    ).count()
    plans = Crossing.objects.filter(
        unit__programme_id=programme_id,
        for_programme__isnull=False,
        for_programme_next__isnull=True,
    ).count()
    return {"plan": units + plans}


def promote_resealed(sender: object, programme_id: int, **kwargs: object) -> None:
    crossings = Crossing.objects.filter(unit__programme_id=programme_id)
    crossings.exclude(for_programme_next=None).update(
        for_programme=F("for_programme_next"), for_programme_next=None
    )
    # A plan destroyed meanwhile keeps nothing.
    crossings.filter(for_programme=None).exclude(for_programme_next=None).update(
        for_programme_next=None
    )
    units = ReceivingUnit.objects.filter(programme_id=programme_id)
    units.exclude(sealed_private_key_next=None).update(
        sealed_private_key=F("sealed_private_key_next"), sealed_private_key_next=None
    )


def drop_unit_grants(sender: object, user: User, **kwargs: object) -> None:
    """His key pair was replaced (a reset): unit keys sealed to the old one open nothing; a
    plan-key holder grants them again to the new one, so a reset alone never re-opens a
    unit's plans."""
    UnitKeyGrant.objects.filter(user=user).delete()


def leave_units(sender: object, programme: Programme, user: User, **kwargs: object) -> None:
    """He is no longer a liaison of the programme: he leaves its units, and the units whose
    keys he held get new key pairs, since he may have kept them."""
    for unit in ReceivingUnit.objects.filter(programme=programme, liaisons=user):
        unit.liaisons.remove(user)
    grants = UnitKeyGrant.objects.filter(unit__programme=programme, user=user)
    ReceivingUnit.objects.filter(pk__in=grants.values("unit_id")).update(key_renewal_due=True)
    grants.delete()


def seal_again_after_split(
    sender: object, programme: Programme, private_key: bytes, **kwargs: object
) -> None:
    """An old programme is split (cases/splitting.py): its units' private keys and the
    crossings' programme copies, sealed to the old key, are sealed to the plan key."""
    units = ReceivingUnit.objects.filter(programme=programme)
    for unit in units:
        unit_private = crypto.unseal(private_key, bytes(unit.sealed_private_key))
        sealed, sealed_next = programme.seal("plan", unit_private)
        units.filter(pk=unit.pk).update(
            sealed_private_key=sealed, sealed_private_key_next=sealed_next
        )
    crossings = Crossing.objects.filter(unit__programme=programme, for_programme__isnull=False)
    for crossing in crossings:
        blob = crypto.unseal(private_key, bytes(crossing.for_programme or b""))
        sealed, sealed_next = programme.seal("plan", blob)
        crossings.filter(pk=crossing.pk).update(
            for_programme=sealed, for_programme_next=sealed_next
        )
