"""Forms of the after-care page and the reward schedule."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from safepassage.aftercare.models import (
    EXCHANGE_LIST_CHOICES,
    NOT_NEGATIVE,
    PATHWAYS,
    Category,
    Consent,
    RewardRate,
)
from safepassage.lib.textinput import TextAreaField, TextField, VisibleTextOnly
from safepassage.reception.forms import DATE_ERROR, DATE_FORMATS


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("He consents to"), choices=Consent.Kind.choices)
    language = forms.ChoiceField(
        label=_("Language he read the statement in"), choices=settings.LANGUAGES, initial="ru"
    )
    read_and_agreed = forms.BooleanField(
        label=_("He has read the statement in his language and agrees to it"),
        error_messages={"required": _("Without his agreement nothing is recorded.")},
    )
    shown_rights = forms.BooleanField(
        label=_(
            "Before a path or a choice about exchange lists: he has read «Your rights and "
            "the risks» above"
        ),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if (kind in PATHWAYS or kind in EXCHANGE_LIST_CHOICES) and not cleaned.get("shown_rights"):
            self.add_error(
                "shown_rights",
                _("Show him «Your rights and the risks» first: the choice names what he read."),
            )
        return cleaned


class WithdrawForm(forms.Form):
    consent = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EquipmentForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = TextAreaField(
        max_length=1000,
        label=_("What exactly (model, markings, condition)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    handed_over_on = forms.DateField(
        label=_("Handed over on"),
        help_text=_("DD.MM.YYYY"),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": DATE_ERROR},
    )


class ClaimForm(forms.Form):
    claim = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    step = forms.ChoiceField(choices=[("verify", "verify"), ("approve", "approve")])


class PaymentForm(forms.Form):
    claim = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reference = TextField(max_length=300, label=_("Payment reference (how and to whom)"))


class RateForm(VisibleTextOnly, forms.ModelForm[RewardRate]):
    amount = forms.DecimalField(
        label=_("Reward"), max_digits=14, decimal_places=2, validators=NOT_NEGATIVE
    )
    # Longer than a code on purpose, so a wrong entry gets the clear message below.
    currency = forms.CharField(label=_("Currency"), max_length=20)

    class Meta:
        model = RewardRate
        fields = ["amount", "currency"]

    def clean_currency(self) -> str:
        currency: str = self.cleaned_data["currency"].upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code, such as USD."))
        return currency


class ExchangeListForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", "PDF"), ("csv", "CSV")], initial="pdf"
    )
    only_new = forms.BooleanField(
        label=_("Only those who asked since the last list in this format"),
        required=False,
        initial=True,
    )
