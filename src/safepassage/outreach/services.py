"""Outreach's writers, each atomic with its audit entry: a new campaign with its code, and
the programme's official channels. The views and the bot call these, never each other."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.outreach import codes
from safepassage.outreach.forms import CampaignForm, OfficialChannelsForm
from safepassage.outreach.models import Campaign, OfficialChannels
from safepassage.programmes.models import Programme


def channels_of(programme: Programme) -> OfficialChannels:
    """The programme's official channels (empty, unsaved, until the admin saves them)."""
    return OfficialChannels.objects.filter(programme=programme).first() or OfficialChannels(
        programme=programme
    )


def create_campaign(form: CampaignForm, programme: Programme, *, by: User) -> Campaign:
    """The admin's new campaign under a fresh code, saved with its audit entry."""
    for _attempt in range(5):  # 2**25 codes: a clash is rare, and a new draw settles it
        campaign = form.save(commit=False)
        campaign.programme, campaign.created_by, campaign.code = programme, by, codes.new_code()
        try:
            with transaction.atomic():
                campaign.save()
                log.record(
                    Action.OUTREACH_CAMPAIGN_SAVED,
                    log.staff_actor(by),
                    programme_id=programme.pk,
                    id=campaign.pk,
                )
            return campaign
        except IntegrityError:
            campaign.pk = None
    raise IntegrityError("no free campaign code after five draws")


@transaction.atomic
def save_channels(form: OfficialChannelsForm, programme: Programme, *, by: User) -> None:
    """The admin's edit of the official channels, saved with its audit entry."""
    form.save()
    log.record(Action.OUTREACH_CHANNELS_SAVED, log.staff_actor(by), programme_id=programme.pk)
