"""The application form and the codename form."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.dossier import MAX_GROUP_SIZE, SERVICE_TYPES
from safepassage.cases.pacing import TICKET_MAX_LENGTH
from safepassage.lib.textinput import (
    DayMonthYearField,
    TextAreaField,
    TextField,
    plausible_birth_date,
)


def alone_or_group() -> forms.ChoiceField:
    """The required alone-or-group question, the same wherever an application is taken."""
    return forms.ChoiceField(
        label=_("Alone or in a group?"),
        choices=[("alone", _("Alone")), ("group", _("In a group"))],
        widget=forms.RadioSelect,
        initial="alone",
    )


class GroupSizeRequired(forms.BaseForm):
    """A group must say its size; alone, no size is kept."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("group") == "group"
            and not data.get("group_size")
            and not self.has_error("group_size")
        ):
            self.add_error("group_size", _("Say how many people are in the group."))
        if data.get("group") == "alone":
            data["group_size"] = None
        return data


class ApplicationForm(GroupSizeRequired, forms.Form):
    intent = forms.ChoiceField(
        label=_("What do you want to do now?"),
        choices=[
            ("apply", _("Apply to cross over")),
            ("ask", _("Only ask a question first")),
        ],
        widget=forms.RadioSelect,
        initial="apply",
    )
    direction = TextField(
        max_length=300,
        label=_("Where are you, or where are you being sent?"),
        help_text=_("Direction, area or nearest settlement, as far as you know it."),
    )
    group = alone_or_group()
    group_size = forms.IntegerField(
        label=_("If in a group: how many people, you included?"),
        min_value=2,
        max_value=MAX_GROUP_SIZE,
        required=False,
        error_messages={
            "min_value": _("A group is two people or more. If you are alone, choose “Alone”."),
            "max_value": _(
                "One crossing takes up to %(limit_value)s people. For a larger group, give"
                " %(limit_value)s here and write in your message how many you are: we will"
                " plan several crossings."
            ),
        },
    )
    surname = TextField(max_length=80, required=False, label=_("Surname"))
    first_names = TextField(max_length=120, required=False, label=_("First names"))
    rank = TextField(max_length=60, required=False, label=_("Rank"))
    date_of_birth = DayMonthYearField(
        required=False, label=_("Date of birth"), validators=[plausible_birth_date]
    )
    service_number = TextField(max_length=40, required=False, label=_("Service number"))
    unit = TextField(max_length=200, required=False, label=_("Unit"))
    service_type = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=[("", _("Prefer not to say")), *SERVICE_TYPES],
    )
    equipment = TextField(
        max_length=300,
        required=False,
        label=_("Equipment you could bring"),
        help_text=_("For example a vehicle, an armoured vehicle or a tank. Rewards are paid."),
    )
    message = TextAreaField(
        max_length=2000, required=False, label=_("Anything you want to tell us or ask")
    )
    # The form's ticket (cases/pacing.py): the server reads it, the applicant never sees it.
    token = forms.CharField(widget=forms.HiddenInput, max_length=TICKET_MAX_LENGTH)

    def answers(self) -> dict[str, Any]:
        """The dossier: the answers without the form's own fields."""
        data = self.cleaned_data
        skip = {"intent", "message", "token"}
        answers = {k: v for k, v in data.items() if k not in skip}
        if answers.get("date_of_birth"):
            answers["date_of_birth"] = answers["date_of_birth"].isoformat()
        return {k: ("" if v is None else v) for k, v in answers.items()}


class CodenameForm(forms.Form):
    codename = TextField(
        max_length=200,
        label=_("Your codename"),
        # Eight words wrap on a phone: a multi-line field shows them all while he types.
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "codename-input",
            }
        ),
    )


class ReplyForm(forms.Form):
    text = TextAreaField(max_length=2000, label=_("Your message"))
