"""What a tracing officer reads and confirms, each read and act audited in its transaction."""

from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.families import decisions, inquirers, matching, names
from safepassage.families.forms import RELATIONSHIPS
from safepassage.families.models import Decision, Inquiry, Match, standing_decisions
from safepassage.lib.acts import Refused
from safepassage.programmes.models import Programme

PER_PAGE = 50
MANY_NAMES = 4  # more than one inquiry's three
RELATIONSHIP_LABELS = dict(RELATIONSHIPS)


@dataclass(frozen=True)
class ShownInquiry:
    inquiry: Inquiry
    inquirer: dict[str, Any]
    sought: list[dict[str, Any]]
    # A prisoner said it does not come from who it claims: a probe signal. `alike` are the
    # other inquiries on the page from the same region or name, with the same question, or
    # asking about the same names.
    flagged: bool = False
    alike: tuple[Inquiry, ...] = ()
    # How many different people the same inquirer (by name and region) asks about across
    # the page: one who asks about many is fishing, as a probe would.
    names_asked: int = 0

    def who(self) -> tuple[str, str]:
        return (
            names.plain(self.inquirer.get("inquirer_name", "")),
            names.plain(self.inquirer.get("region", "")),
        )

    @property
    def asks_about_many(self) -> bool:
        return self.names_asked >= MANY_NAMES

    def traits(self) -> set[tuple[str, str]]:
        """What makes two inquiries alike: the region, the inquirer's name, the wording of the
        question, a name asked about."""
        traits = {("surname", names.canonical(p.get("surname", ""))) for p in self.sought}
        for field in ("region", "inquirer_name", "question"):
            if value := names.plain(self.inquirer.get(field, "")):
                traits.add((field, value))
        return traits

    @property
    def relationship(self) -> str:
        """Who he is to the soldier, in words (never the stored code)."""
        return str(RELATIONSHIP_LABELS.get(self.inquirer.get("relationship", ""), ""))


def _flagged(inquiries: list[Inquiry]) -> set[int]:
    """Those of `inquiries` a prisoner flagged, by his standing decision."""
    flags = standing_decisions(match__inquiry__in=inquiries).filter(kind=Decision.Kind.FLAG)
    return set(flags.values_list("match__inquiry_id", flat=True))


@transaction.atomic
def latest_inquiries(programme: Programme, *, user: User, key: bytes) -> list[ShownInquiry]:
    found = list(Inquiry.objects.filter(programme=programme)[:PER_PAGE])
    opened = []
    for inquiry in found:
        contents = inquirers.opened(inquiry, key)
        opened.append(ShownInquiry(inquiry, contents["inquirer"], contents["sought"]))
    flagged = _flagged(found)
    asked_by: dict[tuple[str, str], set[str]] = {}
    for one in opened:
        people = {names.canonical(p.get("surname", "")) for p in one.sought}
        asked_by.setdefault(one.who(), set()).update(people)
    shown = []
    for one in opened:
        counted = replace(one, names_asked=len(asked_by[one.who()]))
        if one.inquiry.pk not in flagged:
            shown.append(counted)
            continue
        traits = one.traits()
        alike = tuple(o.inquiry for o in opened if o is not one and o.traits() & traits)
        shown.append(replace(counted, flagged=True, alike=alike))
    log.record(
        Action.FAMILIES_INQUIRIES_READ,
        log.staff_actor(user),
        programme_id=programme.pk,
        inquiries=[s.inquiry.pk for s in shown],
    )
    return shown


class TracingRefused(Refused):
    """The step cannot be taken; `reason` is safe to show the tracing officer."""


@dataclass(frozen=True)
class SoughtPerson:
    """One person an inquiry asks about, with his candidates or his confirmed match."""

    number: int  # his place in the inquiry, from 1
    asked: dict[str, Any]
    candidates: list[matching.Candidate]
    match: Match | None

    @property
    def rows(self) -> list[tuple[Any, str, list[tuple[str, Any]]]]:
        """Field by field: its name, what was asked, and each candidate's value beside how
        it agrees, for the side-by-side table."""
        if not self.candidates:
            return []
        return [
            (
                field.label,
                field.asked,
                [
                    (c.fields[n].registered, matching.agreement(c.fields[n].score))
                    for c in self.candidates
                ],
            )
            for n, field in enumerate(self.candidates[0].fields)
        ]


@dataclass(frozen=True)
class InquiryWithCandidates:
    shown: ShownInquiry
    people: list[SoughtPerson]


def _inquiry(programme: Programme, inquiry_id: int) -> Inquiry:
    inquiry = Inquiry.objects.filter(programme=programme, pk=inquiry_id).first()
    if inquiry is None:
        raise TracingRefused(_("No such inquiry."))
    return inquiry


def inquiry_with_candidates(
    programme: Programme, inquiry_id: int, *, user: User, key: bytes
) -> InquiryWithCandidates:
    """An inquiry side by side with the registered prisoners most like each person it asks
    about; which candidates he was shown is audited in the same transaction."""
    inquiry = _inquiry(programme, inquiry_id)
    contents = inquirers.opened(inquiry, key)
    matches = {m.sought: m for m in inquiry.matches.select_related("confirmed_by")}
    people = []
    for number, asked in enumerate(contents["sought"], start=1):
        found = [] if number in matches else matching.candidates(programme, asked, key)
        people.append(SoughtPerson(number, asked, found, matches.get(number)))
    with transaction.atomic():
        log.record(
            Action.FAMILIES_CANDIDATES_VIEWED,
            log.staff_actor(user),
            programme_id=programme.pk,
            inquiry=inquiry.pk,
            candidates=[[c.prisoner_id for c in person.candidates] for person in people],
        )
    shown = ShownInquiry(inquiry, contents["inquirer"], contents["sought"])
    return InquiryWithCandidates(shown, people)


def confirm_match(
    programme: Programme,
    inquiry_id: int,
    *,
    sought: int,
    prisoner_id: int,
    user: User,
    key: bytes,
) -> Match:
    """A tracing officer confirms that person `sought` of the inquiry is this prisoner. Only a
    candidate matching shows him can be confirmed, so the confirmation cannot be used to
    reach into the register."""
    inquiry = _inquiry(programme, inquiry_id)
    opened = inquirers.opened(inquiry, key)
    people = opened["sought"]
    if not 1 <= sought <= len(people):
        raise TracingRefused(_("No such person in this inquiry."))
    shown = {c.prisoner_id for c in matching.candidates(programme, people[sought - 1], key)}
    if prisoner_id not in shown:
        raise TracingRefused(_("That prisoner is not among this person's candidates."))
    with transaction.atomic():
        match, created = Match.objects.get_or_create(
            inquiry=inquiry,
            sought=sought,
            defaults={
                "prisoner_id": prisoner_id,
                "confirmed_by": user,
                "confirmed_at": now(),
                **decisions.seal_for_custody(programme, opened["inquirer"]),
            },
        )
        if not created:
            raise TracingRefused(_("This person's match is already confirmed."))
        log.record(
            Action.FAMILIES_MATCH_CONFIRMED,
            log.staff_actor(user),
            programme_id=programme.pk,
            inquiry=inquiry.pk,
            sought=sought,
            prisoner=prisoner_id,
        )
    return match
