"""Letters and cards between a prisoner and an inquirer he let write to him (GC III Art. 71,
the card after the model of Annex IV C), each reviewed once by an officer before it goes
(Art. 76: nothing of his place, unit or comrades).

His officer (reception or after-care) types what he dictates or wrote; another officer
reviews it; a passed letter is sealed to the inquirer's own key and reaches him at the next
release (releases.py), so when it appears tells nothing. The inquirer's answers pass the same
review before his officer puts them to him. Never fewer than Art. 71's floor may be sent a
month (two letters and four cards); FAMILIES_LETTERS_PER_MONTH and FAMILIES_CARDS_PER_MONTH
may allow more. A refused letter does not count.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.cases.models import Case
from safepassage.families.models import Decision, Inquiry, Letter, Match, standing_decisions
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.reception import services as reception
from safepassage.vault import crypto

ART_71_FLOOR = {Letter.Kind.LETTER: 2, Letter.Kind.CARD: 4}
INQUIRER = "inquirer"


class LetterRefused(Refused):
    """The letter cannot be written or reviewed as asked; `reason` is safe to show."""


def per_month(kind: str) -> int:
    """How many of `kind` he may send a calendar month: never fewer than Art. 71's floor."""
    setting = {
        Letter.Kind.LETTER: settings.FAMILIES_LETTERS_PER_MONTH,
        Letter.Kind.CARD: settings.FAMILIES_CARDS_PER_MONTH,
    }[Letter.Kind(kind)]
    return max(ART_71_FLOOR[Letter.Kind(kind)], setting)


def _month_start(now: datetime) -> datetime:
    day = reception.local_day(now).replace(day=1)
    return display.start_of_day(day, settings.RECEPTION_ZONE)


def letters_may_pass(match: Match) -> bool:
    """His standing decision lets this inquirer exchange letters."""
    return standing_decisions(match=match).filter(kind=Decision.Kind.LETTERS).exists()


def _sealed_for_custody(match: Match, body: dict[str, str]) -> dict[str, Any]:
    sealed, sealed_next = match.inquiry.programme.seal(
        "custody", json.dumps(body, ensure_ascii=False).encode()
    )
    return {"for_custody": sealed, "for_custody_next": sealed_next}


def _his_name(case: Case, keyring: Keyring) -> str:
    """How the card names its sender: his surname and first names as registered."""
    key = dossier.case_key(case, keyring, "custody")
    prisoner = case.prisoner
    if key is None or prisoner.particulars is None:
        raise dossier.GroupNotHeld()
    particulars = crypto.decrypt_json(key, prisoner.particulars)
    return f"{particulars.get('surname', '')} {particulars.get('first_names', '')}".strip()


def write_to_inquirer(
    case: Case,
    match_id: int,
    *,
    kind: str,
    text: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> Letter:
    """His letter or card to one inquirer, as his officer typed it; it waits for review."""
    now = now or timezone.now()
    match = (
        Match.objects.filter(pk=match_id, prisoner__case=case)
        .select_related("inquiry__programme")
        .first()
    )
    if match is None:
        raise LetterRefused(_("No such inquiry about him."))
    if not letters_may_pass(match):
        raise LetterRefused(_("He has not allowed letters with this person."))
    custody = keyring.get("custody")
    if custody is None:
        raise dossier.GroupNotHeld()
    asking = json.loads(crypto.unseal(custody, bytes(match.for_custody)))
    body = {"text": text, "from": _his_name(case, keyring), "to": asking["inquirer_name"]}
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # one count at a time
        sent = Letter.objects.filter(
            match__prisoner__case=case,
            direction=Letter.Direction.TO_INQUIRER,
            kind=kind,
            written_at__gte=_month_start(now),
        ).exclude(review=Letter.Review.REFUSED)
        if sent.count() >= per_month(kind):
            raise LetterRefused(
                _("He has sent as many of these as he may this month (%(n)d).")
                % {"n": per_month(kind)}
            )
        letter = Letter.objects.create(
            match=match,
            kind=kind,
            direction=Letter.Direction.TO_INQUIRER,
            written_at=now,
            written_by=user,
            **_sealed_for_custody(match, body),
        )
        log.record_case(case, Action.FAMILIES_LETTER_WRITTEN, log.staff_actor(user), kind=kind)
    return letter


def write_from_inquirer(
    inquiry: Inquiry, number: str, *, text: str, now: datetime | None = None
) -> Letter:
    """The inquirer answers the person he asked about as `number`; it waits for review."""
    now = now or timezone.now()
    if number not in inquiry.letters_open or inquiry.public_key is None:
        raise LetterRefused(_("You cannot write to this person here."))
    match = Match.objects.select_related("inquiry__programme").get(
        inquiry=inquiry, sought=int(number)
    )
    body = {"text": text, "from": "", "to": ""}
    plain = json.dumps(body, ensure_ascii=False).encode()
    with transaction.atomic():
        Inquiry.objects.select_for_update().filter(pk=inquiry.pk).first()
        sent = Letter.objects.filter(
            match__inquiry=inquiry,
            direction=Letter.Direction.FROM_INQUIRER,
            written_at__gte=_month_start(now),
        ).exclude(review=Letter.Review.REFUSED)
        if sent.count() >= per_month(Letter.Kind.LETTER):
            raise LetterRefused(_("You have written as many letters as you may this month."))
        letter = Letter.objects.create(
            match=match,
            kind=Letter.Kind.LETTER,
            direction=Letter.Direction.FROM_INQUIRER,
            written_at=now,
            for_inquirer=crypto.seal(bytes(inquiry.public_key), plain),
            **_sealed_for_custody(match, body),
        )
        log.record(Action.FAMILIES_LETTER_WRITTEN, INQUIRER, programme_id=inquiry.programme_id)
    return letter


def review(
    case: Case,
    letter_id: int,
    *,
    passed: bool,
    reason: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> Letter:
    """One review, by an officer who did not write it: passed, it goes (a letter to the
    inquirer at the next release); refused, the reason is kept with it for his officers."""
    custody = keyring.get("custody")
    if custody is None:
        raise dossier.GroupNotHeld()
    if not passed and not reason.strip():
        raise LetterRefused(_("Say what must not go: it is kept with the letter."))
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("match__inquiry__programme")
            .filter(pk=letter_id, match__prisoner__case=case, review=Letter.Review.WAITING)
            .first()
        )
        if letter is None:
            raise LetterRefused(_("That letter is not waiting for review."))
        if letter.written_by_id == user.pk:
            raise LetterRefused(_("Someone other than whoever wrote it reviews it."))
        body = json.loads(crypto.unseal(custody, bytes(letter.for_custody)))
        letter.reviewed_at, letter.reviewed_by = now or timezone.now(), user
        if passed:
            letter.review = Letter.Review.PASSED
            inquiry = letter.match.inquiry
            if letter.direction == Letter.Direction.TO_INQUIRER and inquiry.public_key:
                plain = json.dumps(body, ensure_ascii=False).encode()
                letter.for_inquirer = crypto.seal(bytes(inquiry.public_key), plain)
        else:
            letter.review = Letter.Review.REFUSED
            sealed = _sealed_for_custody(letter.match, {**body, "reason": reason.strip()})
            letter.for_custody, letter.for_custody_next = (
                sealed["for_custody"],
                sealed["for_custody_next"],
            )
        letter.save()
        log.record_case(
            case,
            Action.FAMILIES_LETTER_REVIEWED,
            log.staff_actor(user),
            kind=letter.kind,
            passed=passed,
        )
    return letter


@dataclass(frozen=True)
class ShownLetter:
    letter: Letter
    body: dict[str, str]

    @property
    def to_inquirer(self) -> bool:
        return self.letter.direction == Letter.Direction.TO_INQUIRER


def opened_for_custody(letters: list[Letter], custody: bytes) -> list[ShownLetter]:
    return [
        ShownLetter(letter, json.loads(crypto.unseal(custody, bytes(letter.for_custody))))
        for letter in letters
    ]


def inbox_of(inquiry: Inquiry, own_key: bytes | None) -> list[ShownLetter]:
    """What the inquirer reads: letters to him released to him, and his own."""
    if own_key is None:
        return []
    letters = Letter.objects.filter(match__inquiry=inquiry, for_inquirer__isnull=False)
    shown = []
    for letter in letters:
        if letter.direction == Letter.Direction.TO_INQUIRER and letter.released_at is None:
            continue
        body = json.loads(crypto.unseal(own_key, bytes(letter.for_inquirer or b"")))
        shown.append(ShownLetter(letter, body))
    return shown
