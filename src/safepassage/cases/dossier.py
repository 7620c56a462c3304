"""The fields of an application, grouped as the role table (programmes/roles.py) grants them,
and the case's data key that opens them."""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from safepassage import display
from safepassage.cases.models import Case
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
# The languages an applicant may be answered in (codenames exist in ru, uk and en; a
# Belarusian speaker gets Russian words).
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


class CaseShredded(Exception):
    """The case's keys were destroyed: nothing can be written to or read from it."""


def case_key(case: Case, private_key: bytes) -> bytes | None:
    """The case's data key, opened with the programme key; None once the case is shredded."""
    if case.sealed_key is None:
        return None
    return crypto.unseal(private_key, bytes(case.sealed_key))


def circumstances(case: Case, private_key: bytes) -> dict[str, Any]:
    """The circumstances group of the dossier (no identity), for planning a crossing."""
    key = case_key(case, private_key)
    if key is None:
        return {}
    dossier = crypto.decrypt_json(key, case.dossier)
    return {name: dossier.get(name, "") for name in (*CIRCUMSTANCES, *CALL)}


def application_identity(case: Case, private_key: bytes) -> dict[str, Any]:
    """The identity the applicant gave when applying, to prefill registration. The caller
    audits the read."""
    key = case_key(case, private_key)
    if key is None:
        return {}
    dossier = crypto.decrypt_json(key, case.dossier)
    return {name: dossier.get(name, "") for name in IDENTITY}
