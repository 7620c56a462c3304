"""What a tracing officer reads, each read audited in the same transaction."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.families import inquirers
from safepassage.families.forms import RELATIONSHIPS
from safepassage.families.models import Inquiry
from safepassage.programmes.models import Programme

PER_PAGE = 50
RELATIONSHIP_LABELS = dict(RELATIONSHIPS)


@dataclass(frozen=True)
class ShownInquiry:
    inquiry: Inquiry
    inquirer: dict[str, Any]
    sought: list[dict[str, Any]]

    @property
    def relationship(self) -> str:
        """Who he is to the soldier, in words (never the stored code)."""
        return str(RELATIONSHIP_LABELS.get(self.inquirer.get("relationship", ""), ""))


@transaction.atomic
def latest_inquiries(programme: Programme, *, user: User, key: bytes) -> list[ShownInquiry]:
    found = Inquiry.objects.filter(programme=programme)[:PER_PAGE]
    shown = []
    for inquiry in found:
        contents = inquirers.opened(inquiry, key)
        shown.append(ShownInquiry(inquiry, contents["inquirer"], contents["sought"]))
    log.record(
        Action.FAMILIES_INQUIRIES_READ,
        log.staff_actor(user),
        programme_id=programme.pk,
        inquiries=[s.inquiry.pk for s in shown],
    )
    return shown
