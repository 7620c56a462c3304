"""A call taken by an operator becomes a case through the same service as a web application
(submission.submit_application: same encryption, counters, audit), marked as come in by the
hotline. No caller number is asked for or stored. The codename is for the operator to read
out; it is kept, sealed, only in the operator's session until the caller has read it back."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import casework, submission
from safepassage.cases.models import Case
from safepassage.lib.acts import Refused
from safepassage.programmes.models import Programme
from safepassage.vault import codenames


class CallRefused(Refused):
    """The call cannot be recorded as asked; `reason` is safe to show the operator."""


# What of the operator's form goes into the case's dossier (circumstances).
DOSSIER_FIELDS = (
    "direction",
    "group",
    "group_size",
    "caller",
    "stage",
    "phone_inspected",
    "calls_again",
)


def record_call(
    programme: Programme, answers: dict[str, Any], *, user: User, token: str
) -> tuple[Case, str]:
    """The case and its codename. The form's token makes a second click make no second case
    (the same codename comes back)."""
    dossier = {name: answers[name] for name in DOSSIER_FIELDS if answers.get(name)}
    receipt = submission.submit_application(
        programme,
        dossier,
        token=token,
        language=answers["language"],
        wants_to_apply=True,
        binding=f"hotline:{user.pk}".encode(),
        channel=Case.Channel.HOTLINE,
        campaign_id=answers["campaign"].pk if answers.get("campaign") else None,
    )
    case = submission.case_of_token(token)
    if receipt.codename is None or case is None:
        raise CallRefused(
            _("This call was recorded already and its codename can no longer be shown.")
        )
    if not receipt.created:  # the same form sent twice: the same codename, nothing more
        return case, receipt.codename
    with transaction.atomic():
        # He waits for an answer like anyone who wrote: the inbox lists him until someone
        # replies, and he reads the reply when he comes back with his codename.
        Case.objects.filter(pk=case.pk, awaiting_since__isnull=True).update(
            awaiting_reply=True, awaiting_since=timezone.now()
        )
        if answers.get("notes"):
            casework.add_note(case, user=user, text=answers["notes"])
        if answers.get("probe_suspected"):
            casework.set_probe_flag(case, user=user, flagged=True)
        log.record_case(case, Action.HOTLINE_CALL_RECORDED, log.staff_actor(user))
    return case, receipt.codename


def codename_read_back(case: Case, *, user: User) -> None:
    """The caller read his codename back: recorded against his case, so the inbox can mark a
    call whose codename never was (the caller then cannot come back with it)."""
    log.record_case(case, Action.HOTLINE_CODENAME_READ_BACK, log.staff_actor(user))


def never_read_back(cases: list[Case]) -> set[str]:
    """The references, among these, of calls whose codename the caller never read back."""
    from safepassage.audit.models import AuditEvent  # the read-back is a fact of the log

    calls = [c.reference for c in cases if c.channel == Case.Channel.HOTLINE]
    read = set(
        AuditEvent.objects.filter(
            action=Action.HOTLINE_CODENAME_READ_BACK.value, case_ref__in=calls
        ).values_list("case_ref", flat=True)
    )
    return set(calls) - read


def read_back_matches(codename: str, heard: str) -> bool:
    """The caller read the codename back as `heard`: the same words, however spaced."""
    return codenames.normalise(heard) == codenames.normalise(codename)
