"""The fields of an application, grouped as the role table (programmes/roles.py) grants them."""

from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from safepassage import display

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
    if name == "service_type":
        return str(dict(SERVICE_TYPES).get(value, value))
    if name == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    return str(value)
