"""The admin's campaign and official-channels forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.lib.textinput import DayMonthYearField, VisibleTextOnly
from safepassage.outreach.models import Campaign, OfficialChannels


class CampaignForm(VisibleTextOnly, forms.ModelForm[Campaign]):
    starts_on = DayMonthYearField(label=_("From"))
    ends_on = DayMonthYearField(label=_("Until"), required=False)

    class Meta:
        model = Campaign
        fields = ["name", "medium", "language", "area", "starts_on", "ends_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return data


class OfficialChannelsForm(VisibleTextOnly, forms.ModelForm[OfficialChannels]):
    class Meta:
        model = OfficialChannels
        fields = ["onion_address", "bot_username", "bot_id", "phone_numbers"]

    def clean_onion_address(self) -> str:
        value: str = self.cleaned_data["onion_address"].strip().lower()
        if value and not value.endswith(".onion"):
            raise forms.ValidationError(_("An onion address ends in .onion."))
        if value and (len(value) != 62 or not value[:56].isalnum()):
            raise forms.ValidationError(_("Give the whole address: 56 characters, then .onion."))
        return value

    def clean_bot_username(self) -> str:
        value: str = self.cleaned_data["bot_username"].strip().removeprefix("@")
        if value and not (5 <= len(value) <= 32 and value.replace("_", "").isalnum()):
            raise forms.ValidationError(_("A bot's username has 5 to 32 letters, digits or _."))
        return value

    def clean_bot_id(self) -> str:
        value: str = self.cleaned_data["bot_id"].strip()
        if value and not value.isdigit():
            raise forms.ValidationError(_("The bot's id is a number."))
        return value

    def clean_phone_numbers(self) -> str:
        value: str = self.cleaned_data["phone_numbers"].strip()
        if any(char not in "+0123456789 ()-," for char in value):
            raise forms.ValidationError(_("Only digits, spaces, +, brackets, dashes and commas."))
        return value
