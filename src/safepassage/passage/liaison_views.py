"""The receiving unit's liaison, a trust zone of his own: his console lists his units' notices
(window, approach, signal, head count, nothing of the applicant) and takes his answers. He holds
his units' keys only; nothing here opens a case."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.lib import display
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.passage import notices as hold_fire
from safepassage.passage import plans
from safepassage.passage.forms import (
    ArrivalForm,
    ArrivalTimeField,
    DeclineForm,
)
from safepassage.passage.models import Crossing
from safepassage.passage.recognition import SIGNALS, Signal
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import Role


@dataclass(frozen=True)
class ShownNotice:
    notice: Crossing
    signal: Signal
    arrival_form: ArrivalForm
    now: datetime

    @property
    def time_left(self) -> str:
        return display.time_left(self.notice.window_start, self.now)

    @property
    def answerable(self) -> bool:
        """Still open to an answer: the window has not begun (until the worker expires it)."""
        return self.notice.window_start > self.now


def _liaison(request: StaffRequest) -> None:
    if not any(Role.LIAISON in roles for roles in request.scope.roles.values()):
        raise Http404


@staff_required
def notices(request: StaffRequest, status: int = 200, **extra: Any) -> HttpResponse:
    _liaison(request)
    now = timezone.now()  # a GET writes nothing: the worker expires notices every 5 minutes
    failed_form: ArrivalForm | None = extra.pop("arrival_form", None)
    failed_pk = extra.pop("arriving", None)

    def arrival_form(pk: int) -> ArrivalForm:
        if failed_pk == pk and failed_form is not None:
            return failed_form
        initial = {"arrived_at": ArrivalTimeField.now_initial()}
        return ArrivalForm(initial=initial, auto_id=f"id_arrival_{pk}_%s")

    shown = [
        ShownNotice(notice, SIGNALS[notice.signal], arrival_form(notice.pk), now)
        for notice in hold_fire.notices_for(request.user, plans.keys_of(request), now)
    ]
    context = {
        "withdrawn": [n for n in shown if n.notice.withdrawal_unseen],
        "pending": [n for n in shown if n.notice.status == Crossing.Status.NOTIFIED],
        "acknowledged": [n for n in shown if n.notice.status == Crossing.Status.ACKNOWLEDGED],
        "finished": [n for n in shown if not n.notice.is_active and not n.notice.withdrawal_unseen],
        "waiting_for_key": plans.waiting_for_unit_key(request.user),
        "now": now,
        "decline_form": DeclineForm(),
        "error": "",
        **extra,
    }
    return render(request, "passage/notices.html", context, status=status)


@require_POST
@staff_required
def notice_answer(request: StaffRequest, pk: int, answer: str) -> HttpResponse:
    _liaison(request)
    now = timezone.now()
    user = request.user
    unit_keys = plans.keys_of(request)
    try:
        if answer == "acknowledge":
            hold_fire.acknowledge(pk, user=user, keys=unit_keys, now=now)
        elif answer == "withdrawal-seen":
            hold_fire.confirm_withdrawal_seen(pk, user=user, keys=unit_keys, now=now)
        elif answer == "arrived":
            arrival = ArrivalForm(request.POST, auto_id=f"id_arrival_{pk}_%s")
            if not arrival.is_valid():
                return notices(request, status=400, arrival_form=arrival, arriving=pk)
            step = second_step(
                request,
                title=_("Report the arrival at %(time)s?")
                % {
                    "time": display.moment(
                        arrival.cleaned_data["arrived_at"], display.window_zone()
                    )
                },
                consequence=_("The crossing ends and reception takes over. This cannot be undone."),
                back=reverse("passage:notices"),
            )
            if step is not None:
                return step
            hold_fire.report_arrival(
                pk,
                user=user,
                keys=unit_keys,
                arrived_at=arrival.cleaned_data["arrived_at"],
                now=now,
            )
        elif answer == "decline":
            form = DeclineForm(request.POST)
            if not form.is_valid():
                return notices(request, status=400, decline_form=form, declining=pk)
            hold_fire.decline(
                pk, user=user, keys=unit_keys, reason=form.cleaned_data["reason"], now=now
            )
        else:
            raise Http404
    except Crossing.DoesNotExist as missing:
        raise Http404 from missing
    except Refused as why:
        return show_refusal(request, why.reason, reverse("passage:notices"))
    return redirect("passage:notices")
