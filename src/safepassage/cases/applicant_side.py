"""What an applicant does with his codename once he has applied: sign in (or under duress),
read and send messages, take the actions the table allows him. Channel-neutral callers go
through intake/applicants.py."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import transitions
from safepassage.cases.conversation import ShownMessage, add_message, shown_messages
from safepassage.cases.models import Case, Codename, Message, ProbeSignal
from safepassage.cases.states import OPEN
from safepassage.vault import codenames, crypto


@dataclass(frozen=True)
class ApplicantSession:
    case: Case
    data_key: bytes | None  # None under duress: nothing of the case is opened
    duress: bool


def enter_with_codename(codename: str) -> ApplicantSession | None:
    if not codenames.looks_like_codename(codename):
        return None
    digest = codenames.lookup_hash(codename)
    credential = Codename.objects.select_related("case").filter(lookup_hash=digest).first()
    if credential is None or not codenames.same_hash(credential.lookup_hash, digest):
        return None
    try:
        data_key = codenames.unwrap_key(codename, credential.wrapped_key)
    except crypto.DecryptionError:
        return None
    case = credential.case
    if credential.duress:
        _report_duress(case)
        return ApplicantSession(case=case, data_key=None, duress=True)
    log.record_case(case, Action.APPLICANT_ENTERED, log.APPLICANT)
    return ApplicantSession(case=case, data_key=data_key, duress=False)


def _report_duress(case: Case) -> None:
    with transaction.atomic():
        ProbeSignal.objects.get_or_create(
            case=case, kind=ProbeSignal.Kind.DURESS, cleared_at__isnull=True
        )
        case.probe_flagged = True
        case.save(update_fields=["probe_flagged"])
        log.record_case(case, Action.APPLICANT_DURESS, log.SYSTEM)
        if case.state in OPEN:
            transitions.perform(
                case, "mark_compromised", roles=transitions.SYSTEM_ROLES, actor=transitions.SYSTEM
            )


def create_duress_codename(case: Case, language: str) -> str:
    """A second codename that shows a harmless page and marks the case compromised."""
    codename = codenames.generate(language)
    with transaction.atomic():
        Codename.objects.filter(case=case, duress=True).delete()
        Codename.objects.create(
            case=case,
            lookup_hash=codenames.lookup_hash(codename),
            wrapped_key=codenames.wrap_key(codename, crypto.new_data_key()),
            duress=True,
        )
        log.record_case(case, Action.APPLICANT_DURESS_CODENAME_CREATED, log.APPLICANT)
    return codename


def applicant_messages(session: ApplicantSession) -> list[ShownMessage]:
    if session.data_key is None:
        return []
    return shown_messages(session.case, session.data_key)


def applicant_reply(case: Case, data_key: bytes, text: str) -> None:
    with transaction.atomic():
        add_message(case, data_key, Message.Sender.APPLICANT, text)
        Case.objects.filter(pk=case.pk).update(awaiting_reply=True, updated_at=timezone.now())
        log.record_case(case, Action.MESSAGE_FROM_APPLICANT, log.APPLICANT)


def applicant_action(case: Case, action: str) -> Case:
    """Cancel, apply (from an inquiry) or say they are ready again (from dormant)."""
    return transitions.perform(
        case, action, roles=transitions.APPLICANT_ROLES, actor=transitions.APPLICANT
    )
