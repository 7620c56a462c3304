from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safepassage.cases.dossier import MAX_GROUP_SIZE
from safepassage.lib import display
from safepassage.lib.textinput import (
    DayMonthYearField,
    TextAreaField,
    TextField,
    VisibleTextOnly,
    no_control_characters,
)
from safepassage.passage.models import Crossing, ReceivingUnit, Sector
from safepassage.passage.recognition import signal_choices
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role


class SectorForm(VisibleTextOnly, forms.ModelForm[Sector]):
    class Meta:
        model = Sector
        fields = [
            "name",
            "description",
            "approach",
            "receiving_unit",
            "distance_km",
            "meeting_distance_km",
            "mines_per_km",
            "mines_per_km_guided",
            "receiving_shelling_share",
            "shelling_night",
            "shelling_dawn",
            "shelling_day",
            "shelling_dusk",
            "p_own_side",
            "p_receiving_fire_uncoordinated",
            "p_receiving_fire_coordinated",
            "capacity_per_window",
            "crossings_per_night",
            "prior_weight",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["receiving_unit"].queryset = ReceivingUnit.objects.filter(  # type: ignore[attr-defined]
            programme=programme
        )
        for name in ("name", "description", "approach"):
            self.fields[name].validators.append(no_control_characters)

    def clean(self) -> dict[str, Any]:
        """A coordinated figure is never worse than the one it replaces: coordination must
        not lower an estimate."""
        data = super().clean()
        pairs = [
            (
                "meeting_distance_km",
                "distance_km",
                _("The meeting point cannot be farther than the far edge."),
            ),
            (
                "mines_per_km_guided",
                "mines_per_km",
                _("The guided route cannot be more mined than off it."),
            ),
            (
                "p_receiving_fire_coordinated",
                "p_receiving_fire_uncoordinated",
                _("An acknowledged notice cannot make the receiving side fire more."),
            ),
        ]
        for coordinated, alone, message in pairs:
            both = data.get(coordinated) is not None and data.get(alone) is not None
            if both and data[coordinated] > data[alone]:
                self.add_error(coordinated, message)
        if data.get("name") and self._name_taken(data["name"]):
            self.add_error("name", _("The programme already has a sector of that name."))
        return data

    def _name_taken(self, name: str) -> bool:
        """Names are encrypted (vault/fields.py), so the database cannot compare them."""
        others = Sector.objects.filter(programme=self.instance.programme).exclude(
            pk=self.instance.pk
        )
        wanted = name.strip().casefold()
        return any(other.name.strip().casefold() == wanted for other in others)


class ReceivingUnitForm(VisibleTextOnly, forms.ModelForm[ReceivingUnit]):
    class Meta:
        model = ReceivingUnit
        fields = ["name", "liaisons"]
        widgets = {"liaisons": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["liaisons"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            membership__programme=programme, membership__role=Role.LIAISON
        ).order_by("username")
        self.fields["name"].validators.append(no_control_characters)


class ConstraintsForm(forms.Form):
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Sectors he can reach (none ticked: any)"),
    )
    # Typed as ДД.ММ.ГГГГ, and the field says so (issue #27, point 15).
    available_from = DayMonthYearField(required=False, label=_("Available from (night of)"))
    available_until = DayMonthYearField(required=False, label=_("Available until (night of)"))

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.filter(  # type: ignore[attr-defined]
            programme=programme, active=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            raise forms.ValidationError(_("The last night comes before the first."))
        return data


class PlanForm(forms.Form):
    sector = forms.TypedChoiceField(coerce=int, label=_("Sector"))
    window = forms.ChoiceField(label=_("Window"))
    signal = forms.ChoiceField(choices=signal_choices, label=_("Recognition signal"))
    escort = forms.ChoiceField(choices=Crossing.Escort.choices, label=_("Escort"))
    head_count = forms.IntegerField(
        min_value=1, max_value=MAX_GROUP_SIZE, label=_("People crossing")
    )

    def __init__(
        self,
        *args: Any,
        sectors: list[tuple[int, str]],
        windows: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = sectors  # type: ignore[attr-defined]
        self.fields["window"].choices = windows  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = TextField(max_length=500, label=_("Why the unit cannot hold fire then"))


def _arrival_label() -> str:
    return gettext("Arrival time (%(zone)s)") % {"zone": display.zone_name(display.window_zone())}


class ArrivalTimeField(forms.DateTimeField):
    """When he arrived, as the receiving side's clock showed it (the window zone); typed by a
    person who saw it, defaulting to now. The form shows which zone it means."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", lazy(_arrival_label, str)())
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"], **kwargs)

    def to_python(self, value: Any) -> datetime | None:
        naive = super().to_python(value)
        if naive is None:
            return None
        # Read in the window zone, whatever the server's zone is.
        return naive.replace(tzinfo=None).replace(tzinfo=ZoneInfo(display.window_zone()))

    @staticmethod
    def now_initial() -> str:
        return display.local(timezone.now(), display.window_zone()).strftime("%Y-%m-%dT%H:%M")


class ArrivalForm(forms.Form):
    arrived_at = ArrivalTimeField()


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Crossing.Outcome.choices, label=_("Outcome"))
    arrived_at = ArrivalTimeField(
        required=False, help_text=_("Only for an arrival; empty means now.")
    )


class OverrideForm(forms.Form):
    reason = TextAreaField(max_length=1000, label=_("Why the instructions may go out"))


class KeepAfterDuressForm(forms.Form):
    reason = TextAreaField(max_length=1000, label=_("Why the crossing can go ahead"))
