"""The applicant's side, for every channel: the one way in for the web, a bot, an operator.

Functions take plain values (a codename, a case id, a data key, a language, the time), never
a request, so any process can call them. A channel keeps an `Applicant` in its own session —
the web sealed under the cookie (`intake/views.py`) — and passes it back on every step,
saving it again afterwards (under duress a step changes its decoy):

    applicant = applicants.enter(codename)          # None: wrong codename
    page = applicants.status(applicant, now)         # None: the case is gone; end the session
    applicants.reply(applicant, "text")
    applicants.act(applicant, "cancel")              # the table's applicant rows only
    applicants.confirm_crossing(applicant, now)
    applicants.new_duress_codename(applicant, "ru")

Under duress (a duress codename was entered) the applicant gets the same pages, forms and
answers as anyone, filled from a decoy: a case just applied, no crossing, the messages he
sent under that codename (kept sealed with it, so the decoy holds from one sign-in to the
next). Nothing he does there reaches staff; the verifiers were warned when he signed in
(issue #16).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from safepassage.cases import applicant_writers, sign_ins, transitions
from safepassage.cases import messages as case_messages
from safepassage.cases.models import Case, Message
from safepassage.cases.states import State
from safepassage.passage import instructions
from safepassage.programmes.models import Programme
from safepassage.vault import codenames

# Where a crossing can be in preparation (a notice sent, or acknowledged): after a duress
# sign-in his page says it is on hold.
ON_HOLD_STATES = frozenset({State.VERIFIED, State.SCHEDULED})


@dataclass
class Decoy:
    """What a duress session shows: an inert case, and what he did in this session only."""

    state: str = State.APPLIED
    messages: list[case_messages.ShownMessage] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "messages": [[m.created_at.isoformat(), m.text] for m in self.messages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Decoy":
        """The decoy as kept: at most what fits its credential's notebook, newest kept."""
        data = codenames.fit_notebook(data)
        messages = [
            case_messages.ShownMessage(
                Message.Sender.APPLICANT, datetime.fromisoformat(at), str(text)
            )
            for at, text in data.get("messages", [])
        ]
        return cls(state=str(data.get("state", State.APPLIED)), messages=messages)


@dataclass(frozen=True)
class Applicant:
    """Who is signed in, as a channel holds it between steps."""

    case_id: int
    data_key: bytes | None  # None under duress
    duress: bool
    credential: bytes = b""  # the lookup hash of the codename he came in with
    decoy: Decoy | None = None  # under duress only
    decoy_key: bytes | None = None  # under duress: seals the decoy kept with his credential


@dataclass(frozen=True)
class Status:
    """What the applicant's page shows."""

    state: str
    programme: Programme
    messages: list[case_messages.ShownMessage]
    instructions: instructions.Instructions | None
    confirmed: bool
    actions: frozenset[str]  # the table's applicant actions possible in this state
    on_hold: bool = False  # after a duress sign-in: his crossing is on hold, he must not go
    come_back_at: datetime | None = None  # a crossing is planned: his instructions appear then


def enter(codename: str) -> Applicant | None:
    """Sign in with a codename (a duress codename signs in too, under duress)."""
    session = applicant_writers.enter_with_codename(codename)
    if session is None:
        return None
    decoy = Decoy.from_dict(session.notebook) if session.duress else None
    return Applicant(
        session.case.pk,
        session.data_key,
        session.duress,
        session.credential,
        decoy,
        session.decoy_key,
    )


def _keep_decoy(case: Case, applicant: Applicant) -> None:
    """Under duress: what the decoy now shows, kept with his credential for next time."""
    if applicant.decoy is not None and applicant.decoy_key is not None:
        applicant_writers.write_notebook(
            case, applicant.credential, applicant.decoy_key, applicant.decoy.as_dict()
        )


def _notebooks_as_under_duress(case: Case, applicant: Applicant) -> None:
    """A real session's write touches the notebooks as a duress session's does."""
    if applicant.data_key is not None:
        applicant_writers.seal_notebooks_again(case, applicant.credential, applicant.data_key)


def case_of(applicant: Applicant) -> Case | None:
    """His case, or None when it is gone or was crypto-shredded: the session must end."""
    case = Case.objects.select_related("programme").filter(pk=applicant.case_id).first()
    if case is None or case.shredded_at is not None:
        return None
    if applicant.data_key is None and not applicant.duress:
        return None
    return case


def _applicant_actions(state: str) -> frozenset[str]:
    return frozenset(
        t.action
        for t in transitions.TABLE
        if state in t.sources and t.allowed & transitions.APPLICANT_ROLES
    )


def status(applicant: Applicant, now: datetime, *, showing: bool = True) -> Status | None:
    """His page: state, messages, instructions, what he may do. The instructions are recorded
    as shown (once) when `showing`; a channel that shows them only on request (the bot)
    asks with `showing=False` first, to know whether to offer them."""
    case = case_of(applicant)
    if case is None:
        return None
    if applicant.decoy is not None:
        decoy = applicant.decoy
        return Status(
            decoy.state,
            case.programme,
            decoy.messages,
            None,
            False,
            _applicant_actions(decoy.state),
        )
    if applicant.data_key is None:
        return None
    on_hold = case.state in ON_HOLD_STATES and sign_ins.crossing_on_hold(case, applicant.data_key)
    shown = instructions.instructions_for(case, applicant.data_key, now)
    if shown is not None and showing:
        instructions.release_instructions(case, shown, now)
    session = applicant_writers.ApplicantSession(
        case, applicant.data_key, duress=False, credential=applicant.credential
    )
    return Status(
        state=case.state,
        programme=case.programme,
        messages=applicant_writers.applicant_messages(session),
        instructions=shown,
        confirmed=bool(shown and shown.crossing.applicant_confirmed_at),
        actions=_applicant_actions(case.state),
        on_hold=on_hold,
        come_back_at=None
        if on_hold or shown
        else instructions.instructions_from(case, applicant.data_key, now),
    )


def reply(applicant: Applicant, text: str) -> bool:
    """Send staff a message. Under duress it joins the decoy only. False for a gone case."""
    case = case_of(applicant)
    if case is None:
        return False
    if applicant.decoy is not None:
        sent = case_messages.ShownMessage(Message.Sender.APPLICANT, timezone.now(), text)
        applicant.decoy.messages.append(sent)
        applicant.decoy.messages = Decoy.from_dict(applicant.decoy.as_dict()).messages
        _keep_decoy(case, applicant)
        return True
    if applicant.data_key is None:
        return False
    applicant_writers.applicant_reply(case, applicant.data_key, text)
    _notebooks_as_under_duress(case, applicant)
    return True


def act(applicant: Applicant, action: str) -> bool:
    """Cancel, apply (from a question), say he is ready again, ask for another time: only the
    table's applicant rows, only from the states they allow. False when refused. Under
    duress the decoy moves as the case would have."""
    case = case_of(applicant)
    if case is None or action not in transitions.APPLICANT_ACTIONS:
        return False
    if applicant.decoy is not None:
        if action not in _applicant_actions(applicant.decoy.state):
            return False
        applicant.decoy.state = transitions.BY_ACTION[action].target
        _keep_decoy(case, applicant)
        return True
    try:
        applicant_writers.applicant_action(case, action)
    except transitions.TransitionRefused:
        return False
    _notebooks_as_under_duress(case, applicant)
    return True


def confirm_crossing(applicant: Applicant, now: datetime) -> bool:
    """He says he will come. False when there is no released crossing to confirm."""
    case = case_of(applicant)
    if case is None or applicant.duress or applicant.data_key is None:
        return False
    return instructions.applicant_confirms(case, applicant.data_key, now)


def new_duress_codename(applicant: Applicant, language: str) -> str | None:
    """A further codename that, entered instead of his own, opens nothing and warns staff."""
    case = case_of(applicant)
    if case is None:
        return None
    if applicant.decoy is not None:
        decoy = applicant.decoy.as_dict()
    else:  # his own messages, so the page the duress codename opens shows what his shows
        shown = case_messages.shown_messages(case, applicant.data_key or b"")
        own = [m for m in shown if m.sender == Message.Sender.APPLICANT]
        decoy = Decoy(messages=own).as_dict()
    return applicant_writers.create_duress_codename(
        case,
        language,
        keep=applicant.credential,
        own_key=applicant.data_key or applicant.decoy_key or b"",
        duress=applicant.duress,
        decoy=decoy,
    )
