"""The operator's call form, the codename read-back, and the reply templates' form."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.dossier import APPLICANT_LANGUAGES, CALLERS, PHONE_RISK, STAGES
from safepassage.cases.pacing import TICKET_MAX_LENGTH
from safepassage.inbox.models import ReplyTemplate
from safepassage.intake.forms import GroupSizeRequired, alone_or_group
from safepassage.lib.textinput import TextAreaField, TextField, VisibleTextOnly
from safepassage.outreach import attribution
from safepassage.outreach.models import Campaign
from safepassage.programmes.models import Programme


class CallForm(VisibleTextOnly, GroupSizeRequired, forms.Form):
    """What an operator asks on the phone. Deliberately no field for the caller's number."""

    caller = forms.ChoiceField(
        label=_("Who is calling?"), choices=CALLERS, widget=forms.RadioSelect
    )
    stage = forms.ChoiceField(label=_("Where is he now?"), choices=STAGES, widget=forms.RadioSelect)
    direction = TextField(
        max_length=300,
        label=_("Direction or area, as coarse as he likes"),
    )
    group = alone_or_group()
    group_size = forms.IntegerField(
        label=_("If in a group: how many people, him included?"),
        min_value=2,
        max_value=200,
        required=False,
    )
    language = forms.ChoiceField(label=_("Language to answer him in"), choices=APPLICANT_LANGUAGES)
    campaign = TextField(
        max_length=20,
        required=False,
        label=_("Campaign code, if he has one (from a leaflet or a post)"),
    )
    phone_inspected = forms.ChoiceField(
        label=_("May his phone be inspected or taken away?"),
        choices=PHONE_RISK,
        widget=forms.RadioSelect,
        initial="unknown",
    )
    calls_again = TextField(max_length=100, required=False, label=_("When will he call again?"))
    script_read = forms.BooleanField(
        label=_("I read him the safety script"),
        error_messages={"required": _("Read him the safety script before recording the call.")},
    )
    probe_suspected = forms.BooleanField(required=False, label=_("I suspect a probe"))
    notes = TextAreaField(max_length=2000, required=False, label=_("Notes (staff only)"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=TICKET_MAX_LENGTH)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_campaign(self) -> Campaign | None:
        """The operator can ask again: a code that is no campaign's is refused here (on the
        web and in the bot it is only ignored)."""
        typed = self.cleaned_data.get("campaign") or ""
        if not typed:
            return None
        campaign = attribution.campaign_for(typed, self.programme)
        if campaign is None:
            raise forms.ValidationError(_("No campaign has this code. Ask him to read it again."))
        return campaign


class ReadBackForm(forms.Form):
    heard = TextField(max_length=200, label=_("The codename as he read it back"))


class ReplyForm(VisibleTextOnly, forms.Form):
    text = TextAreaField(max_length=2000, label=_("Reply"))
    inserted_from: ReplyTemplate | None = None  # the template put in the box, if any


class TemplateForm(VisibleTextOnly, forms.ModelForm[ReplyTemplate]):
    class Meta:
        model = ReplyTemplate
        fields = ["language", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
