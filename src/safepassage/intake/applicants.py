"""The applicant's side, for every channel: the one way in for the web, a bot, an operator.

Functions take plain values (a codename, a case id, a data key, a language, the time), never
a request, so any process can call them. A channel keeps an `Applicant` (case id, data key,
duress) in its own session — the web in the server-side session with the key sealed under the
cookie (`intake/views.py`) — and passes it back on every step:

    applicant = applicants.enter(codename)          # None: wrong codename
    page = applicants.status(applicant, now)         # None: the case is gone; end the session
    applicants.reply(applicant, "text")
    applicants.act(applicant, "cancel")              # the table's applicant rows only
    applicants.confirm_crossing(applicant, now)
    applicants.new_duress_codename(applicant, "ru")

Under duress (the duress codename was entered) nothing of the case is opened and nothing the
applicant does reaches staff; the channel shows its harmless page.
"""

from dataclasses import dataclass
from datetime import datetime

from safepassage.cases import applicant_side, conversation, transitions
from safepassage.cases.models import Case
from safepassage.passage import instructions


@dataclass(frozen=True)
class Applicant:
    """Who is signed in, as a channel holds it between steps."""

    case_id: int
    data_key: bytes | None  # None under duress
    duress: bool


@dataclass(frozen=True)
class Status:
    """What the applicant's page shows."""

    case: Case
    messages: list[conversation.ShownMessage]
    instructions: instructions.Instructions | None
    confirmed: bool
    actions: frozenset[str]  # the table's applicant actions possible in this state


def enter(codename: str) -> Applicant | None:
    """Sign in with a codename (a duress codename signs in too, under duress)."""
    session = applicant_side.enter_with_codename(codename)
    if session is None:
        return None
    return Applicant(session.case.pk, session.data_key, session.duress)


def case_of(applicant: Applicant) -> Case | None:
    """His case, or None when it is gone or was crypto-shredded: the session must end."""
    case = Case.objects.select_related("programme").filter(pk=applicant.case_id).first()
    if case is None or case.shredded_at is not None:
        return None
    if applicant.data_key is None and not applicant.duress:
        return None
    return case


def status(applicant: Applicant, now: datetime) -> Status | None:
    """His page: state, messages, instructions (recorded as shown, once), what he may do."""
    case = case_of(applicant)
    if case is None or applicant.data_key is None:
        return None
    shown = instructions.instructions_for(case, now)
    if shown is not None:
        instructions.release_instructions(case, shown, now)
    session = applicant_side.ApplicantSession(case, applicant.data_key, duress=False)
    return Status(
        case=case,
        messages=applicant_side.applicant_messages(session),
        instructions=shown,
        confirmed=bool(shown and shown.crossing.applicant_confirmed_at),
        actions=frozenset(
            t.action for t in transitions.available(case, transitions.APPLICANT_ROLES)
        ),
    )


def reply(applicant: Applicant, text: str) -> bool:
    """Send staff a message. False (and nothing stored) under duress or for a gone case."""
    case = case_of(applicant)
    if case is None or applicant.duress or applicant.data_key is None:
        return False
    applicant_side.applicant_reply(case, applicant.data_key, text)
    return True


def act(applicant: Applicant, action: str) -> bool:
    """Cancel, apply (from a question), say he is ready again, ask for another time: only the
    table's applicant rows, only from the states they allow. False when refused."""
    case = case_of(applicant)
    if case is None or applicant.duress or action not in transitions.APPLICANT_ACTIONS:
        return False
    try:
        applicant_side.applicant_action(case, action)
    except transitions.TransitionRefused:
        return False
    return True


def confirm_crossing(applicant: Applicant, now: datetime) -> bool:
    """He says he will come. False when there is no released crossing to confirm."""
    case = case_of(applicant)
    if case is None or applicant.duress:
        return False
    return instructions.applicant_confirms(case, now)


def new_duress_codename(applicant: Applicant, language: str) -> str | None:
    """A second codename that, entered instead of his own, opens nothing and warns staff."""
    case = case_of(applicant)
    if case is None or applicant.duress:
        return None
    return applicant_side.create_duress_codename(case, language)
