"""The fields of an application, grouped as the role table (programmes/roles.py) grants them,
and the case's data keys, one per field group, that open them."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case, CaseKey
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.vault import crypto

# GC III Art. 17: the only identity a prisoner must give. All optional on the application.
IDENTITY = {
    "surname": _("Surname"),
    "first_names": _("First names"),
    "rank": _("Rank"),
    "date_of_birth": _("Date of birth"),
    "service_number": _("Service number"),
}
CIRCUMSTANCES = {
    "direction": _("Direction or area"),
    "group": _("Alone or in a group"),
    "group_size": _("Group size"),
    "unit": _("Unit"),
    "service_type": _("Service"),
    "equipment": _("Equipment they could bring"),
    "language": _("Language"),
}

# The most people one crossing takes (the hold-fire notice's head count); the application
# form says so, and a larger group is planned as several crossings.
MAX_GROUP_SIZE = 50

SERVICE_TYPES = [
    ("mobilised", _("Mobilised")),
    ("contract", _("Contract")),
    ("other", _("Other")),
]
# What an operator records of a call (inbox/hotline.py): circumstances too.
CALL = {
    "caller": _("Who called"),
    "stage": _("Stage"),
    "phone_inspected": _("His phone may be inspected or taken"),
    "calls_again": _("When he will call again"),
}
CALLERS = [
    ("self", _("The soldier himself")),
    ("relative", _("A relative, on his behalf")),
    ("other", _("Someone else, on his behalf")),
]
STAGES = [
    ("not_mobilised", _("Not mobilised yet")),
    ("mobilised", _("Mobilised, not yet at the front")),
    ("deployed", _("At the front")),
    ("across", _("Already across")),
]
PHONE_RISK = [("no", _("No")), ("yes", _("Yes")), ("unknown", _("Does not know"))]
# The languages an applicant may be answered in; a codename word list exists for each
# (vault/wordlists).
APPLICANT_LANGUAGES = [
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("be", _("Belarusian")),
    ("en", _("English")),
]
CHOICES: dict[str, dict[str, Any]] = {
    "service_type": dict(SERVICE_TYPES),
    "caller": dict(CALLERS),
    "stage": dict(STAGES),
    "phone_inspected": dict(PHONE_RISK),
    "language": dict(APPLICANT_LANGUAGES),
}


def readable(name: str, value: Any) -> str:
    """A stored answer as staff read it: a date in the language's format, a choice by its
    label, a language by its name. The alone/group answer stays as stored (the page words it)."""
    if value in (None, ""):
        return ""
    if name == "date_of_birth":
        try:
            return display.day(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if name in CHOICES:
        return str(CHOICES[name].get(value, value))
    return str(value)


class CaseShredded(Refused):
    """The case's keys were destroyed: nothing can be written to or read from it."""

    def __init__(self) -> None:
        super().__init__(gettext("This case has been destroyed; nothing can be read or written."))


class GroupNotHeld(Refused):
    """The session holds no key of the field group asked for: the person's roles do not read
    it (roles.FIELD_GROUPS), or his grant waits for a key holder."""

    def __init__(self) -> None:
        super().__init__(gettext("Your roles do not open this part of the case."))


# The groups an application writes, whose data keys are made with the case. The others
# (plan, custody, after-care, volunteer) get theirs from the first writer of the group
# (`writing_key`): most applications never reach them, and each sealed key costs the
# application a sealed box (`make bench`).
AT_APPLICATION = ("identity", "circumstances", "messages")


def case_key(case: Case, keyring: Keyring, group: str) -> bytes | None:
    """The case's data key for one field group, opened with that group's programme key; None
    once the case is shredded, or while nothing of the group was written. GroupNotHeld if the
    keyring lacks the group's key."""
    if group not in keyring:
        raise GroupNotHeld
    sealed = CaseKey.objects.filter(case=case, group=group).values_list("sealed", flat=True)
    found = sealed.first()
    if found is None:
        return None
    return crypto.unseal(keyring[group], bytes(found))


def writing_key(case: Case, keyring: Keyring, group: str) -> bytes:
    """The group's data key to write under, made and sealed to the group's key by the first
    writer. CaseShredded once the case's keys are destroyed."""
    if case.shredded_at is not None:
        raise CaseShredded
    if group not in keyring:
        raise GroupNotHeld
    # Locked until the writer's transaction ends: a key rotation that gives the case a new
    # data key (cases/rekeying.py) waits, and cannot leave this text under the old one.
    locked = CaseKey.objects.select_for_update().filter(case=case, group=group)
    if (sealed := locked.values_list("sealed", flat=True).first()) is not None:
        return crypto.unseal(keyring[group], bytes(sealed))
    key = crypto.new_data_key()
    sealed, sealed_next = case.programme.seal(group, key)
    try:
        with transaction.atomic():
            CaseKey.objects.create(case=case, group=group, sealed=sealed, sealed_next=sealed_next)
    except IntegrityError:  # another writer made it a moment before
        found = case_key(case, keyring, group)
        assert found is not None
        return found
    return key


# The texts other apps keep under a case's data key: (model label, field, path to the case,
# group). Each app adds its own as it starts (`sealed_under_case_key`, from its apps.py), so
# this module never names another app's tables.
SEALED_ELSEWHERE: list[tuple[str, str, str, str]] = []
# Checks, added the same way, that say a group of a case must keep its data key:
# check(case_id, group) is True when its texts cannot be encrypted again.
_KEY_KEPT: list[Callable[[int, str], bool]] = []


def sealed_under_case_key(label: str, field: str, *, case_path: str, group: str) -> None:
    """An app's field sealed under the case's data key of `group`: a key rotation and the
    split of an old programme encrypt it again."""
    entry = (label, field, case_path, group)
    if entry not in SEALED_ELSEWHERE:
        SEALED_ELSEWHERE.append(entry)


def keeps_its_key(check: Callable[[int, str], bool]) -> None:
    """An app's reason why a group of a case cannot get a new data key."""
    if check not in _KEY_KEPT:
        _KEY_KEPT.append(check)


# ...and the case's own: the dossier split in two.
SEALED_ON_THE_CASE = (
    ("cases.Case", "identity", "pk", "identity"),
    ("cases.Case", "dossier", "pk", "circumstances"),
)


def renewable(case_id: int, group: str) -> bool:
    """Whether a key rotation can give this group of the case a new data key. Not the
    messages key: the applicant's codename opens it, and it cannot be re-wrapped without him.
    Nor a group an app says must keep it (`keeps_its_key`): after-care's, once a payment was
    recorded, since the ledger is append-only and its reference cannot be encrypted again."""
    if group == "messages":
        return False
    return not any(check(case_id, group) for check in _KEY_KEPT)


def encrypt_again(case_id: int, group: str, old_key: bytes, new_key: bytes) -> None:
    """Every text of the case's `group`, decrypted with its old data key and encrypted under
    the new one (a key rotation, in the caller's transaction)."""
    for label, field, path, of_group in [*SEALED_ON_THE_CASE, *SEALED_ELSEWHERE]:
        if of_group != group:
            continue
        model = apps.get_model(label)
        rows = model.objects.filter(**{path: case_id}).exclude(**{field: None})
        for pk, blob in rows.values_list("pk", field):
            if blob:
                plain = crypto.decrypt_bytes(old_key, bytes(blob))
                model.objects.filter(pk=pk).update(**{field: crypto.encrypt_bytes(new_key, plain)})


def new_case_keys(programme: Programme) -> tuple[dict[str, bytes], list[CaseKey]]:
    """Fresh data keys for a new application's groups (AT_APPLICATION) and their sealed rows
    (the caller sets `case` and saves them)."""
    data_keys = {group: crypto.new_data_key() for group in AT_APPLICATION}
    rows = []
    for group, key in data_keys.items():
        sealed, sealed_next = programme.seal(group, key)
        rows.append(CaseKey(group=group, sealed=sealed, sealed_next=sealed_next))
    return data_keys, rows


def seal_dossier(data_keys: dict[str, bytes], answers: dict[str, Any]) -> tuple[bytes, bytes]:
    """The identity and the circumstances of an application, each under its group's key:
    (circumstances, identity)."""
    identity = {name: answers[name] for name in IDENTITY if name in answers}
    rest = {name: value for name, value in answers.items() if name not in IDENTITY}
    return (
        crypto.encrypt_json(data_keys["circumstances"], rest),
        crypto.encrypt_json(data_keys["identity"], identity),
    )


def _opened(
    cases: list[Case], keyring: Keyring, group: str, names: tuple[str, ...]
) -> dict[int, dict[str, Any]]:
    """One group's answers of each case (empty where shredded), its keys read in one query."""
    if group not in keyring:
        raise GroupNotHeld
    sealed = CaseKey.objects.filter(case__in=cases, group=group).values_list("case_id", "sealed")
    keys = {case_id: crypto.unseal(keyring[group], bytes(s)) for case_id, s in sealed}
    found = {}
    for case in cases:
        blob = case.identity if group == "identity" else case.dossier
        answers = crypto.decrypt_json(keys[case.pk], blob) if case.pk in keys and blob else {}
        found[case.pk] = {name: answers.get(name, "") for name in names}
    return found


def circumstances_of(cases: list[Case], keyring: Keyring) -> dict[int, dict[str, Any]]:
    """The circumstances of many cases (a queue page, a batch of indexing)."""
    return _opened(cases, keyring, "circumstances", (*CIRCUMSTANCES, *CALL))


def identities_of(cases: list[Case], keyring: Keyring) -> dict[int, dict[str, Any]]:
    """The identity each applicant gave when applying, of many cases."""
    return _opened(cases, keyring, "identity", tuple(IDENTITY))


def circumstances(case: Case, keyring: Keyring) -> dict[str, Any]:
    """The circumstances group of the dossier (no identity), for planning a crossing."""
    return circumstances_of([case], keyring)[case.pk]


def application_identity(case: Case, keyring: Keyring) -> dict[str, Any]:
    """The identity the applicant gave when applying, to prefill registration. The caller
    audits the read."""
    return identities_of([case], keyring)[case.pk]
