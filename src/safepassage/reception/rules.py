"""The reception app's rule in the case transition table: registered only after Art. 17."""

from datetime import datetime

from django.utils.translation import gettext as _

from safepassage.cases.models import Case
from safepassage.reception import services


def prisoner_registered(case: Case, now: datetime) -> str | None:
    if not services.is_registered(case):
        return _("Register the prisoner on the reception page first (GC III Art. 17).")
    return None
