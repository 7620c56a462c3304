from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.states import State
from safepassage.lib.textinput import TextAreaField, TextField


class OwnIds(forms.Form):
    """Two forms of one page may share a field name: each gets ids of its own (the case page
    holds a note form and a message form, both with "text")."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class NoteForm(OwnIds):
    id_prefix = "id_note"
    text = TextAreaField(max_length=4000, label=_("Note (staff only)"))


class MessageForm(OwnIds):
    id_prefix = "id_message"
    text = TextAreaField(max_length=2000, label=_("Message to the applicant"))


class ActionForm(forms.Form):
    action = forms.CharField(max_length=32)
    reason = TextField(max_length=1000, required=False, label=_("Reason (kept as a staff note)"))


class ProbeForm(forms.Form):
    flagged = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class SearchForm(forms.Form):
    q = TextField(max_length=16, required=False, label=_("Case reference"))
    state = forms.ChoiceField(required=False, label=_("State"))

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(State.choices)
        field = self.fields["state"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("My queue"))] + [(state, labels[state]) for state in states]
