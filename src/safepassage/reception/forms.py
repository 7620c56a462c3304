"""Forms of the reception desk. The registration form marks only the five Art. 17 fields as
required; every other field says it is optional, and a refusal to answer is its own tick box."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from safepassage.lib.textinput import (
    DayMonthYearField,
    TextAreaField,
    TextField,
    plausible_birth_date,
)
from safepassage.reception import card
from safepassage.reception.models import CustodyEvent
from safepassage.reception.particulars import HEALTH, MANDATORY, OPTIONAL

ART_17 = _("Required: a prisoner must give this (GC III Art. 17).")
DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATE_ERROR = _("Enter the date as DD.MM.YYYY, for example 07.03.1994.")


def _required(label: Any, max_length: int) -> TextField:
    return TextField(max_length=max_length, label=label, error_messages={"required": ART_17})


def _optional(label: Any, max_length: int = 200) -> TextField:
    return TextField(max_length=max_length, label=label, required=False)


class RegistrationForm(forms.Form):
    surname = _required(MANDATORY["surname"], 120)
    first_names = _required(MANDATORY["first_names"], 120)
    rank = _required(MANDATORY["rank"], 120)
    date_of_birth = DayMonthYearField(
        label=MANDATORY["date_of_birth"],
        input_formats=DATE_FORMATS,
        validators=[plausible_birth_date],
        error_messages={"required": ART_17, "invalid": DATE_ERROR},
    )
    service_number = _required(MANDATORY["service_number"], 40)
    power = _optional(OPTIONAL["power"], 120)
    father_first_name = _optional(OPTIONAL["father_first_name"], 120)
    place_of_birth = _optional(OPTIONAL["place_of_birth"])
    mother_maiden_name = _optional(OPTIONAL["mother_maiden_name"], 120)
    next_of_kin = _optional(OPTIONAL["next_of_kin"])
    family_address = TextAreaField(
        max_length=1000,
        label=OPTIONAL["family_address"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    health = forms.ChoiceField(
        label=OPTIONAL["health"], choices=[("", "—"), *HEALTH.items()], required=False
    )
    facility = _optional(OPTIONAL["facility"])
    prisoner_number = _optional(OPTIONAL["prisoner_number"], 40)
    refused = forms.MultipleChoiceField(
        label=_("He declined to answer (this has no consequence for him)"),
        choices=list(OPTIONAL.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(
        label=_("His language, for the capture card"),
        choices=settings.LANGUAGES,
        initial="ru",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in data.get("refused") or []:
            if data.get(name):
                self.add_error(name, _("Marked as declined: leave it empty, or untick it below."))
        for name, value in list(data.items()):
            if isinstance(value, str) and (missing := card.unprintable(value)):
                self.add_error(
                    name,
                    _(
                        "The capture card cannot print %(characters)s. Write it in Latin or "
                        "Cyrillic letters, as in his documents."
                    )
                    % {"characters": " ".join(missing)},
                )
        return data


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=CustodyEvent.Kind.choices)
    occurred_on = forms.DateField(
        label=_("Date"),
        help_text=_("DD.MM.YYYY"),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": DATE_ERROR},
    )
    place = _optional(_("Place (camp, hospital, crossing point)"))
    details = TextAreaField(
        max_length=1000,
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    corrects = forms.TypedChoiceField(
        label=_("This corrects an earlier event"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The wrong event stays on record, marked as corrected."),
    )

    def __init__(
        self, *args: Any, correctable: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["corrects"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("No: a new event")), *(correctable or [])]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[("json", "JSON"), ("csv", "CSV")], initial="json"
    )
    only_new = forms.BooleanField(
        label=_("Only records new or changed since the last export"),
        required=False,
        initial=True,
    )


class FindForm(forms.Form):
    """Find a prisoner by his service number, or by his name and date of birth."""

    service_number = TextField(max_length=40, required=False, label=_("Service number"))
    surname = TextField(max_length=80, required=False, label=_("Surname"))
    first_names = TextField(max_length=120, required=False, label=_("First names"))
    born = DayMonthYearField(required=False, label=_("Date of birth"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("service_number") and not data.get("surname"):
            raise forms.ValidationError(_("Give a service number, or a surname."))
        return data
