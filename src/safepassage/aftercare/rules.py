"""The after-care app's rules in the case transition table: a pathway needs his consent."""

from datetime import datetime

from django.utils.translation import gettext as _

from safepassage.aftercare import consents
from safepassage.cases.models import Case


def pathway_consented(case: Case, now: datetime) -> str | None:
    if not consents.has_pathway_consent(case):
        return _("Record the person's consent to a pathway on the after-care page first.")
    return None


def pathway_withdrawn(case: Case, now: datetime) -> str | None:
    if consents.has_pathway_consent(case):
        return _("Withdraw the pathway consent on the after-care page first.")
    return None
