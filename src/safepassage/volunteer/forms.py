from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.lib.textinput import TextField


class StartForm(forms.Form):
    posting = TextField(max_length=200, label=_("Posting"))


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[("open", "open"), ("end", "end")])
