"""Staff forms: the sign-in code, and the programme admin's people pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.programmes.roles import Role


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        label=_("Six-digit code from your authenticator app"),
        error_messages={"invalid": _("Enter the six digits shown in your app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SignInCodeForm(forms.Form):
    """The second step of staff sign-in: a code from the authenticator app, or one of the
    one-time recovery codes given at enrolment."""

    token = forms.RegexField(
        regex=r"^(\d{6}|[a-z2-7]{8})$",
        label=_("Six-digit code from your authenticator app, or a recovery code"),
        error_messages={
            "invalid": _("Enter the six digits shown in your app, or a recovery code.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip().lower()


def _role_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Role.choices]


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=_role_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )


class InviteForm(RolesForm):
    username = forms.RegexField(
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        label=_("Username"),
        help_text=_("3 to 40 Latin letters, digits, dots, dashes or underscores."),
        error_messages={
            "invalid": _("Use 3 to 40 Latin letters, digits, dots, dashes or underscores.")
        },
    )
    field_order = ["username", "roles"]


class OwnPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )


class RecoveryCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("One of your recovery codes"))
        kwargs.setdefault(
            "help_text",
            _("Unless a second admin confirmed this reset: one of the codes you kept."),
        )
        super().__init__(max_length=32, required=False, strip=True, **kwargs)
