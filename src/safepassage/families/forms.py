"""The inquiry form: who asks and about whom. Never a telephone number, an e-mail, a bank
detail or a document number of the inquirer: the form has no field for them. And the form on
which the prisoner's officer records what he decided."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safepassage.cases import pacing
from safepassage.families.inquirers import MAX_SOUGHT
from safepassage.families.models import Decision, Letter
from safepassage.lib.textinput import TextAreaField, TextField

RELATIONSHIPS = [
    ("mother", _("Mother")),
    ("father", _("Father")),
    ("wife", _("Wife")),
    ("husband", _("Husband")),
    ("son", _("Son")),
    ("daughter", _("Daughter")),
    ("sister", _("Sister")),
    ("brother", _("Brother")),
    ("other", _("Another relative or close person")),
]
# Each person asked about, in the order the form shows them.
SOUGHT_FIELDS: dict[str, tuple[Any, int]] = {
    "surname": (_("Surname"), 80),
    "first_name": (_("First name"), 80),
    "patronymic": (_("Patronymic"), 80),
    "born": (_("Date or year of birth"), 20),
    "place_of_birth": (_("Place of birth"), 120),
    "unit": (_("Unit or military unit number"), 120),
    "last_heard": (_("When and where he was last heard from"), 300),
    "call_sign": (pgettext_lazy("soldier's radio name", "Call sign"), 60),
    "marks": (_("Distinguishing marks"), 300),
}
REQUIRED_FOR_THE_FIRST = ("surname", "first_name")


class InquiryForm(forms.Form):
    relationship = forms.ChoiceField(label=_("Who you are to him"), choices=RELATIONSHIPS)
    inquirer_name = TextField(
        label=_("Your name, as he knows you"),
        max_length=120,
        help_text=_("Only the name he would recognise: «mum», «Lena»."),
    )
    region = TextField(
        label=_("Your region (coarse: a region, not a town)"), max_length=80, required=False
    )
    question = TextField(label=_("A question only he would answer"), max_length=200, required=False)
    answer = TextField(label=_("Its answer"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("The language we answer you in"), choices=settings.LANGUAGES, initial="ru"
    )
    # The form's ticket (cases/pacing.py, families/flood.py): read by the server only.
    token = forms.CharField(widget=forms.HiddenInput, max_length=pacing.TICKET_MAX_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_SOUGHT + 1):
            for name, (label, length) in SOUGHT_FIELDS.items():
                field_class = TextAreaField if length >= 300 else TextField
                self.fields[f"s{n}_{name}"] = field_class(
                    label=label,
                    max_length=length,
                    required=n == 1 and name in REQUIRED_FOR_THE_FIRST,
                )

    @classmethod
    def sent_again(cls, data: Any, ticket: str) -> "InquiryForm":
        """The form as it was sent, every answer kept, with the ticket to send it again with
        (a flood's slot, or a fresh ticket for an expired one)."""
        kept = data.copy()
        kept["token"] = ticket
        form = cls(kept)
        form.is_valid()
        return form

    def about_you(self) -> list[forms.BoundField]:
        names = ("relationship", "inquirer_name", "region", "question", "answer", "language")
        return [self[name] for name in names]

    def sought_groups(self) -> list[list[forms.BoundField]]:
        """The form's fields of each person asked about, for the template."""
        return [[self[f"s{n}_{name}"] for name in SOUGHT_FIELDS] for n in range(1, MAX_SOUGHT + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for n in range(2, MAX_SOUGHT + 1):
            given = any(cleaned.get(f"s{n}_{name}") for name in SOUGHT_FIELDS)
            for name in REQUIRED_FOR_THE_FIRST:
                if given and not cleaned.get(f"s{n}_{name}"):
                    self.add_error(f"s{n}_{name}", _("Give at least his surname and first name."))
        return cleaned

    def inquirer(self) -> dict[str, str]:
        fields = ("relationship", "inquirer_name", "region", "question", "answer")
        return {name: self.cleaned_data[name] for name in fields}

    def sought(self) -> list[dict[str, str]]:
        people = []
        for n in range(1, MAX_SOUGHT + 1):
            person = {name: self.cleaned_data.get(f"s{n}_{name}") or "" for name in SOUGHT_FIELDS}
            if any(person.values()):
                people.append(person)
        return people


class CodenameForm(forms.Form):
    codename = TextField(label=_("Your inquiry's codename"), max_length=200)


class DecisionForm(forms.Form):
    """What the prisoner decided one inquirer may learn, as his officer records it."""

    match = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(
        label=_("What he decided"), choices=Decision.Kind.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("The language he read the statement in"),
        choices=settings.LANGUAGES,
        initial="ru",
    )
    words = TextAreaField(
        label=_("In his own words (optional)"),
        max_length=1000,
        required=False,
        help_text=_("For instance «my mother is dead» or «I do not know this person»."),
    )


class LetterForm(forms.Form):
    """A letter or card the prisoner sends, as his officer types it."""

    match = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=_("Letter or card"), choices=Letter.Kind.choices)
    text = TextAreaField(
        label=_("His words"),
        max_length=4000,
        help_text=_("Nothing of where he is held, his unit or his comrades' names (Art. 76)."),
    )


class ReviewForm(forms.Form):
    letter = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    verdict = forms.ChoiceField(choices=[("pass", "pass"), ("refuse", "refuse")])
    reason = TextField(label=_("What must not go"), max_length=500, required=False)


class InquirerLetterForm(forms.Form):
    """The inquirer's answer to the person he asked about."""

    number = forms.ChoiceField(choices=[(str(n), str(n)) for n in range(1, MAX_SOUGHT + 1)])
    text = TextAreaField(label=_("Your letter"), max_length=4000)
