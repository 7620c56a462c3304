"""The rules of volunteer service: it needs the person's standing consent, it cannot start
before the cooling-off period after registration has passed, and it ends the moment the
consent is withdrawn. Only the volunteer-service role calls these (see views.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.aftercare import consents
from safepassage.aftercare.models import Consent
from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.cases.models import Case
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.reception import services as reception
from safepassage.vault import crypto
from safepassage.volunteer.models import VolunteerService


class VolunteerRefused(Refused):
    """A rule of this app said no; `reason` is safe to show."""


def _consented(case: Case) -> bool:
    return consents.active_pathway(case) == Consent.Kind.VOLUNTEER


def candidates(programme: Programme) -> QuerySet[Case]:
    """Cases whose standing pathway consent is volunteer service."""
    return Case.objects.filter(
        programme=programme,
        consents__kind=Consent.Kind.VOLUNTEER,
        consents__withdrawn_at__isnull=True,
    ).order_by("reference")


def service_of(case: Case) -> VolunteerService | None:
    """The open service, else the last one that ended."""
    return (
        VolunteerService.objects.filter(case=case)
        .order_by(F("ended_at").asc(nulls_first=True), "-opened_at")
        .first()
    )


def open_service(case: Case, *, user: User, now: datetime | None = None) -> VolunteerService:
    registered = reception.registered_at(case)
    if not _consented(case) or registered is None:
        raise VolunteerRefused(_("He has not chosen volunteer service, or has withdrawn it."))
    now = now or timezone.now()
    with transaction.atomic():
        service, created = VolunteerService.objects.get_or_create(
            case=case,
            ended_at__isnull=True,
            defaults={
                "opened_at": now,
                "opened_by": user,
                "eligible_from": registered + timedelta(days=settings.VOLUNTEER_COOLING_OFF_DAYS),
            },
        )
        if created:
            log.record_case(case, Action.VOLUNTEER_OPENED, log.staff_actor(user))
    return service


def start_service(
    case: Case, *, posting: str, user: User, keyring: Keyring, now: datetime | None = None
) -> VolunteerService:
    now = now or timezone.now()
    with transaction.atomic():
        service = (
            VolunteerService.objects.select_for_update()
            .filter(case=case, ended_at__isnull=True)
            .first()
        )
        if service is None or not _consented(case):
            raise VolunteerRefused(_("He has not chosen volunteer service, or has withdrawn it."))
        if service.started_at is not None:
            raise VolunteerRefused(_("Service has already started."))
        if now < service.eligible_from:
            raise VolunteerRefused(
                _("Service cannot start before %(date)s: %(days)s days after registration.")
                % {
                    "date": display.moment(service.eligible_from, display.staff_zone()),
                    "days": settings.VOLUNTEER_COOLING_OFF_DAYS,
                }
            )
        key = dossier.writing_key(case, keyring, "volunteer")  # CaseShredded: a refusal
        service.started_at, service.started_by = now, user
        service.record = crypto.encrypt_json(key, {"posting": posting})
        service.save(update_fields=["started_at", "started_by", "record"])
        log.record_case(case, Action.VOLUNTEER_STARTED, log.staff_actor(user))
    return service


@transaction.atomic
def end_service(case: Case, *, reason: str, actor: str, now: datetime | None = None) -> bool:
    """End the open service (or close a record never started), with its audit entry."""
    updated = VolunteerService.objects.filter(case=case, ended_at__isnull=True).update(
        ended_at=now or timezone.now(), end_reason=reason
    )
    if updated:
        log.record_case(case, Action.VOLUNTEER_ENDED, actor, reason=reason)
    return bool(updated)


def consent_withdrawn(
    sender: object, case: Case, kind: str, actor: str, now: datetime, **kwargs: object
) -> None:
    """After-care's signal, in the transaction that withdraws a consent: withdrawing volunteer
    consent ends the service."""
    if kind == Consent.Kind.VOLUNTEER:
        end_service(case, reason="consent_withdrawn", actor=actor, now=now)


@dataclass(frozen=True)
class ServiceView:
    case: Case
    service: VolunteerService | None
    posting: str
    consented: bool


def open_case(case: Case, *, user: User, keyring: Keyring) -> ServiceView:
    service = service_of(case)
    posting = ""
    if service and service.record:
        key = dossier.case_key(case, keyring, "volunteer")
        posting = crypto.decrypt_json(key, service.record)["posting"] if key else ""
    log.record_case(case, Action.VOLUNTEER_READ, log.staff_actor(user))
    return ServiceView(case, service, posting, _consented(case))
