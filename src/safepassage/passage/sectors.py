"""A programme's sectors and receiving units, as its coordinator configures them: names, the
risk figures the planner starts from, which unit receives where. Audited in the same
transaction.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.passage.models import (
    ReceivingUnit,
    Sector,
    UnitKeyGrant,
)
from safepassage.programmes.models import Programme


def sectors_of(programme: Programme, *, active_only: bool = True) -> QuerySet[Sector]:
    sectors = Sector.objects.filter(programme=programme).select_related("receiving_unit")
    return sectors.filter(active=True) if active_only else sectors


@transaction.atomic
def save_configuration(
    form: "ModelForm[Sector] | ModelForm[ReceivingUnit]", programme: Programme, *, user: User
) -> Sector | ReceivingUnit:
    """An admin's edit of a sector or a receiving unit, saved with its audit entry. A person
    no longer a unit's liaison loses its key and the unit is due a new key pair (plans.py); a
    new liaison receives the key from a plan-key holder."""
    saved = form.save()
    if isinstance(saved, ReceivingUnit):
        left = UnitKeyGrant.objects.filter(unit=saved).exclude(user__in=saved.liaisons.all())
        if left.exists():
            left.delete()
            ReceivingUnit.objects.filter(pk=saved.pk).update(key_renewal_due=True)
    log.record(
        Action.PASSAGE_SECTOR_SAVED
        if isinstance(saved, Sector)
        else Action.PASSAGE_RECEIVINGUNIT_SAVED,
        log.staff_actor(user),
        programme_id=programme.pk,
        id=saved.pk,
    )
    return saved


def units_of(programme: Programme) -> QuerySet[ReceivingUnit]:
    return ReceivingUnit.objects.filter(programme=programme).order_by("name")
