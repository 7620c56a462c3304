"""Relatives' inquiries under a flood (issue #24): the applications' tickets and schedule
(cases/pacing.py), as a stream of their own, so that a flood of inquiries never delays an
application nor the reverse. While a programme receives more than FAMILIES_FLOOD_PER_MINUTE
inquiries a minute, each form sent is given the next slot of its schedule and admitted when
sent again at or after it; a ticket makes one inquiry only."""

from datetime import datetime
from hashlib import blake2b

from django.conf import settings

from safepassage.cases import pacing
from safepassage.families.models import Inquiry, InquiryPace
from safepassage.programmes.models import Programme


def _arrived_since(programme: Programme, since: datetime, limit: int) -> int:
    return Inquiry.objects.filter(programme=programme, received_at__gte=since)[: limit + 1].count()


INQUIRIES = pacing.Stream(
    "inquiries",
    lambda: settings.FAMILIES_FLOOD_PER_MINUTE,
    _arrived_since,
    pacing.schedule_in(InquiryPace),
)


def ticket_hash(token: str) -> bytes:
    """What Inquiry.ticket_hash keeps of the ticket: keyed, so it is no ticket itself."""
    digest = blake2b(
        token.encode(), key=settings.CODENAME_PEPPER, person=b"sp-inquiry-tick", digest_size=32
    )
    return digest.digest()
