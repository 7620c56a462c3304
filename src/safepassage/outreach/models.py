"""Campaigns: a leaflet drop, a video, a channel post. A case keeps which campaign brought
it, sealed by the server (`Case.campaign_sealed`), and nothing else about how it came: no
address, user agent, referrer or finer time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.dossier import APPLICANT_LANGUAGES
from safepassage.programmes.models import Programme
from safepassage.vault.fields import ServerSealedTextField


class Campaign(models.Model):
    class Medium(models.TextChoices):
        LEAFLET = "leaflet", _("Leaflet")
        VIDEO = "video", _("Video")
        CHANNEL_POST = "channel_post", _("Channel post")
        RADIO = "radio", _("Radio")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    # Its name and area name a place and often a unit ("Покровск, 3-я рота"): sealed by the
    # server (vault/fields.py), so a copy of the database does not show where leaflets fell
    # (issue #22, point 7).
    name = ServerSealedTextField(_("name"), max_length=120)
    medium = models.CharField(_("medium"), max_length=16, choices=Medium.choices)
    language = models.CharField(_("language"), max_length=8, choices=APPLICANT_LANGUAGES)
    area = ServerSealedTextField(
        _("area"), max_length=120, blank=True, help_text=_("Coarse: a region or a front.")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    code = models.CharField(max_length=6, unique=True)  # outreach/codes.py
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]  # not by name: the database cannot read it

    def __str__(self) -> str:
        return self.name

    @property
    def site_language(self) -> str:
        """The site's pages in his language where they exist, else Russian."""
        served = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in served else "ru"


class OfficialChannels(models.Model):
    """The programme's genuine ways in, as its public page, its leaflets and the bot's
    /verify list them, so a soldier can tell them from the adversary's fakes. Edited by the
    programme admin; never hard-coded."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="+")
    onion_address = models.CharField(_("onion address, in full"), max_length=100, blank=True)
    bot_username = models.CharField(_("Telegram bot's username"), max_length=64, blank=True)
    bot_id = models.CharField(
        _("Telegram bot's numeric id"),
        max_length=20,
        blank=True,
        help_text=_("A fake bot can copy the name, never the number."),
    )
    phone_numbers = models.CharField(
        _("hotline numbers"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    updated_at = models.DateField(auto_now=True)

    def __str__(self) -> str:
        return f"official channels of {self.programme}"

    @property
    def phones(self) -> list[str]:
        return [number.strip() for number in self.phone_numbers.split(",") if number.strip()]
