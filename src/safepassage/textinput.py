"""Validation shared by every form that takes free text from a person."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0/C1 controls other than tab and newline, and U+FFFD, which is what invalid UTF-8 in a
# request body decodes to: refused rather than stored.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


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
        return text.replace("\r\n", "\n") if text else text


class TextAreaField(TextField):
    widget = forms.Textarea


def plausible_birth_date(value: date | None) -> None:
    if value is None:
        return
    today = date.today()
    if value.year < 1940 or value > date(today.year - 16, today.month, min(today.day, 28)):
        raise ValidationError(_("Please check the date of birth."), code="implausible")
