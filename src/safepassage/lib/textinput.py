"""Validation shared by every form that takes free text from a person."""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.lib import display

# C0/C1 controls other than tab and newline, and U+FFFD, which is what invalid UTF-8 in a
# request body decodes to: refused rather than stored.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


# Invisible format characters: bidirectional embeddings, overrides and isolates, zero-width
# spaces and joiners, marks, the byte-order mark. Shown to staff, in a PDF or a spreadsheet
# they can make a name or a number read otherwise than it is stored ("Trojan Source"), so
# every text a person types loses them (issue #16).
INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]")


def without_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)


def no_control_characters(value: str) -> None:
    if _FORBIDDEN.search(value):
        raise ValidationError(
            _("This field contains characters that cannot be accepted. Please retype it."),
            code="control_characters",
        )


class TextField(forms.CharField):
    def __init__(self, *, max_length: int, **kwargs: object) -> None:
        super().__init__(max_length=max_length, **kwargs)  # type: ignore[arg-type]
        self.validators.append(no_control_characters)

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        return without_invisible(text.replace("\r\n", "\n")) if text else text


DJANGO_BLANK = "---------"  # what Django's selects show for "nothing chosen"


class VisibleTextOnly(forms.BaseForm):
    """For forms whose text fields are not TextFields (model forms): every text they clean
    loses its invisible format characters, and a select's empty choice reads as words, not
    as Django's dashes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_BLANK:
                field.empty_label = _("Choose…")
            elif isinstance(field, forms.ChoiceField) and isinstance(field.choices, list):
                field.choices = [
                    (value, _("Choose…") if label == DJANGO_BLANK else label)
                    for value, label in field.choices
                ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = without_invisible(value)
        return cleaned


class TextAreaField(TextField):
    widget = forms.Textarea


def plausible_birth_date(value: date | None) -> None:
    if value is None:
        return
    today = display.calendar_day(timezone.now(), display.applicant_zone())
    if value.year < 1940 or value > date(today.year - 16, today.month, min(today.day, 28)):
        raise ValidationError(_("Please check the date of birth."), code="implausible")


_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


class DayMonthYearField(forms.DateField):
    """A date typed as DD.MM.YYYY. A date that does not exist (31.02.1990) is named as such,
    not answered with the format again: the person typed the format right."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%d.%m.%Y", "%Y-%m-%d"])
        kwargs.setdefault("help_text", _("DD.MM.YYYY"))
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Enter the date as DD.MM.YYYY, for example 07.03.1994.")},
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, str) and (parts := _DAY_MONTH_YEAR.match(value)):
            day, month, year = (int(p) for p in parts.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValidationError(
                    _("There is no such date: %(date)s. Please check the day and the month."),
                    code="no_such_date",
                    params={"date": value.strip()},
                ) from None
        return super().to_python(value)
