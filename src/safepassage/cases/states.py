"""The states a case can be in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    APPLIED = "applied", _("Applied")
    VERIFYING = "verifying", _("Verifying")
    VERIFIED = "verified", _("Verified")
    DORMANT = "dormant", _("Dormant")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    PATHWAY_CHOSEN = "pathway_chosen", _("Pathway chosen")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")
    COMPROMISED = "compromised", _("Compromised")
    # Killed during the crossing. Not a surrender, and not closed: closed counts as one.
    LOST = "lost", _("Lost in the crossing")
    # A question (no application) that intake answered and closed: never counted as one.
    ANSWERED = "answered", _("Question answered")


# Before the crossing is complete: the applicant may cancel, staff may reject or mark it
# compromised.
OPEN = (
    State.INQUIRY,
    State.APPLIED,
    State.VERIFYING,
    State.VERIFIED,
    State.DORMANT,
    State.SCHEDULED,
    State.IN_TRANSIT,
)
# The applicant may cancel until he sets off; once in transit, the crossing is for staff to end
# (the receiving unit is expecting him).
CANCELLABLE = tuple(state for state in OPEN if state != State.IN_TRANSIT)
# The person has crossed: these, and closed, count as surrenders. Nothing earlier does.
CROSSED = (State.RECEIVED, State.REGISTERED, State.PATHWAY_CHOSEN, State.CLOSED)
ENDED = (
    State.CLOSED,
    State.CANCELLED,
    State.REJECTED,
    State.COMPROMISED,
    State.LOST,
    State.ANSWERED,
)
# Never applied: a question, open or answered. Not counted as applications.
QUESTIONS = (State.INQUIRY, State.ANSWERED)
