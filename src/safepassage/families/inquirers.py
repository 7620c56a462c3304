"""The inquirer API (issue #24), as intake/applicants.py is the applicant's: what the web, the
bot and the operator's call form all use to take a relative's inquiry and to answer him.

An answer must not be an oracle. The receipt is the same for every inquiry received in the
same release period, and the answer is, byte for byte, the default one until the person asked
about has been found among registered prisoners (matching.py) and has agreed to what may be
said (decisions.py). Answers change only at fixed release moments (`FAMILIES_RELEASE_HOURS`
apart, counted from a fixed epoch: releases.py), so when one appears tells nothing either.
"""

import math
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.families.models import Inquiry
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.programmes.models import Programme
from safepassage.vault import codenames, crypto

INQUIRER = "inquirer"  # the audit log's actor for what an inquirer does
MAX_SOUGHT = 3
HOUR = 3600
RELEASE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT_ANSWER = gettext_lazy("We have no information we can share at this time.")
ABOUT = {
    "1": gettext_lazy("About the first person you asked about:"),
    "2": gettext_lazy("About the second person you asked about:"),
    "3": gettext_lazy("About the third person you asked about:"),
}
RUNGS = {
    "registered": gettext_lazy(
        "he is alive and registered as a prisoner of war; his details go to the ICRC Central "
        "Tracing Agency."
    ),
    "icrc": gettext_lazy(
        "he is alive and registered as a prisoner of war; the ICRC has confirmed his registration."
    ),
    "exchanged": gettext_lazy("he was released in an exchange."),
}


class InquiryRefused(Refused):
    """The inquiry cannot be taken; `reason` is safe to show him."""


@dataclass(frozen=True)
class Receipt:
    codename: str
    answer_by: date


def release_period() -> timedelta:
    return timedelta(hours=settings.FAMILIES_RELEASE_HOURS)


def next_release(after: datetime) -> datetime:
    """The first release moment strictly after `after`."""
    period = release_period()
    done = math.floor((after - RELEASE_EPOCH) / period)
    return RELEASE_EPOCH + (done + 1) * period


def answer_by(received_at: datetime) -> date:
    """The day he is told to come back by: the release after the next one, so that at least
    one full period is there to work his inquiry. The same for everyone in one period."""
    return display.calendar_day(next_release(next_release(received_at)), display.applicant_zone())


def next_release_day(now: datetime) -> date:
    """The day the next answers appear, as his answer page says: the same for everyone."""
    return display.calendar_day(next_release(now), display.applicant_zone())


def submit_inquiry(
    programme: Programme,
    inquirer: dict[str, Any],
    sought: list[dict[str, Any]],
    *,
    language: str,
    taken_by: User | None = None,
    ticket_hash: bytes | None = None,
    now: datetime | None = None,
) -> Receipt:
    """Seal and store the inquiry, with its codename; the receipt is the same for all.
    `taken_by`: the operator who took it on the telephone (no caller number is stored);
    `ticket_hash`: its form's admitted ticket (flood.py), which then makes no other."""
    now = now or timezone.now()
    if not 1 <= len(sought) <= MAX_SOUGHT:
        raise InquiryRefused(_("Ask about one to three people in one inquiry."))
    families_key = programme.group_keys().get("families")
    if families_key is None:
        raise InquiryRefused(_("This programme does not take inquiries yet."))
    data_key = crypto.new_data_key()
    contents = {"inquirer": {**inquirer, "language": language}, "sought": sought}
    codename = codenames.generate(language)
    own = crypto.new_keypair()  # for letters: only his codename opens the private half
    try:
        with transaction.atomic():
            inquiry = Inquiry.objects.create(
                ticket_hash=ticket_hash,
                programme=programme,
                received_at=now,
                lookup_hash=codenames.inquiry_lookup_hash(codename),
                sealed_key=crypto.seal(bytes(families_key.public_key), data_key),
                contents=crypto.encrypt_json(data_key, contents),
                public_key=own.public,
                wrapped_private_key=codenames.seal_credential(codename, own.private),
            )
            if taken_by is None:
                log.record(Action.FAMILIES_INQUIRY_RECEIVED, INQUIRER, programme_id=programme.pk)
            else:
                log.record(
                    Action.FAMILIES_INQUIRY_RECEIVED,
                    log.staff_actor(taken_by),
                    programme_id=programme.pk,
                    channel="hotline",
                )
    except IntegrityError:  # its ticket made an inquiry already: the same form sent twice
        raise InquiryRefused(
            _("This form was sent already. Open a new one to ask again.")
        ) from None
    return Receipt(codename=codename, answer_by=answer_by(inquiry.received_at))


class CountsInquiries(Protocol):
    def inquiries_sent(self) -> list[float]: ...

    def set_inquiries_sent(self, times: list[float]) -> None: ...


def session_may_ask(session: CountsInquiries) -> bool:
    """A browser session (or a bot chat) sends only a few inquiries an hour."""
    now = time.time()
    recent = [at for at in session.inquiries_sent() if now - at < HOUR]
    return len(recent) < settings.FAMILIES_INQUIRIES_PER_SESSION


def note_inquiry(session: CountsInquiries) -> None:
    now = time.time()
    session.set_inquiries_sent([at for at in session.inquiries_sent() if now - at < HOUR] + [now])


def read_back_matches(codename: str, heard: str) -> bool:
    """The caller read his inquiry codename back as `heard`: the same words, however spaced."""
    return codenames.normalise(heard) == codenames.normalise(codename)


def find(codename: str) -> Inquiry | None:
    return Inquiry.objects.filter(lookup_hash=codenames.inquiry_lookup_hash(codename)).first()


def own_key(inquiry: Inquiry, codename: str) -> bytes | None:
    """The private key of his letters, opened with his codename (None for an inquiry made
    before letters existed)."""
    if inquiry.wrapped_private_key is None:
        return None
    return codenames.open_credential(codename, inquiry.wrapped_private_key).key


def signed_in(inquiry_id: int | None) -> Inquiry | None:
    return Inquiry.objects.filter(pk=inquiry_id or 0).first()


def answer_of(inquiry: Inquiry) -> list[str]:
    """What he may read now, as of the last release: the same one line for every inquiry
    until a person asked about has agreed to more."""
    if not inquiry.released:
        return [str(DEFAULT_ANSWER)]
    return [
        f"{ABOUT[number]} {RUNGS[inquiry.released[number]]}" for number in sorted(inquiry.released)
    ]


def opened(inquiry: Inquiry, families_private_key: bytes) -> dict[str, Any]:
    """What he asked, for a tracing officer's session (which holds the families key)."""
    data_key = crypto.unseal(families_private_key, inquiry.sealed_key)
    contents: dict[str, Any] = crypto.decrypt_json(data_key, inquiry.contents)
    return contents
