"""One inbox for every channel: the cases whose applicant wrote and nobody answered yet,
longest waiting first (from his first unanswered message, so more messages buy no place),
with the channel, his language and how long he has waited; and the reply templates."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import queues
from safepassage.cases.dossier import case_key, circumstances_of, readable
from safepassage.cases.messages import shown_messages
from safepassage.cases.models import Case, Message
from safepassage.inbox import hotline
from safepassage.inbox.models import ReplyTemplate
from safepassage.lib import display
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import OPENS, Role, readable_groups

PAGE = 50


@dataclass(frozen=True)
class Waiting:
    case: Case
    channel: str
    language: str  # his language's code (templates are chosen by it)
    language_name: str
    waited: str
    last_message: str
    read_back: bool = True  # a call: the caller read his codename back to the operator


def answering_roles(roles: frozenset[Role]) -> frozenset[Role]:
    """The roles that read and answer applicants' messages."""
    return frozenset(role for role in roles if "messages" in readable_groups({role}))


def inbox(
    programme: Programme, roles: frozenset[Role], *, keyring: Keyring, user: User, now: datetime
) -> list[Waiting]:
    """The waiting cases this person may open (roles.OPENS), oldest wait first. Reading their
    messages is audited, one entry for the page naming its cases."""
    states = {state for role in answering_roles(roles) for state in OPENS.get(role, ())}
    cases = [
        case
        for case in queues.awaiting_reply([programme.pk], limit=PAGE * 2)
        if case.state in states
    ][:PAGE]
    rows = []
    facts = circumstances_of(cases, keyring) if cases else {}
    not_read_back = hotline.never_read_back(cases)
    for case in cases:
        data_key = case_key(case, keyring, "messages")
        if data_key is None:
            continue
        language = str(facts[case.pk]["language"] or "ru")
        his = [m for m in shown_messages(case, data_key) if m.sender == Message.Sender.APPLICANT]
        rows.append(
            Waiting(
                case=case,
                channel=case.get_channel_display(),
                language=language,
                language_name=readable("language", language),
                waited=display.waited(case.awaiting_since or case.updated_at, now),
                last_message=his[-1].text if his else "",
                read_back=case.reference not in not_read_back,
            )
        )
    if rows:
        log.record(
            Action.CASE_QUEUE_READ,
            log.staff_actor(user),
            programme_id=programme.pk,
            groups=["messages", "circumstances"],
            cases=[row.case.reference for row in rows],
        )
    return rows


def templates_of(programme: Programme) -> list[ReplyTemplate]:
    return list(ReplyTemplate.objects.filter(programme=programme))


@transaction.atomic
def save_template(template: ReplyTemplate, *, user: User) -> ReplyTemplate:
    template.saved_by, template.saved_at = user, timezone.now()
    template.save()
    log.record(
        Action.REPLY_TEMPLATE_SAVED,
        log.staff_actor(user),
        programme_id=template.programme_id,
        id=template.pk,
    )
    return template
