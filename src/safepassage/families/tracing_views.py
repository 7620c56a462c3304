"""The tracing officer's pages (issue #24): the programme's inquiries, and one inquiry side by
side with its candidates among registered prisoners, opened in his session with the families
key. He sees inquiries and an inquiry's candidates; never the prisoner register, never a case
page (his role opens no case: programmes/roles.py)."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safepassage.families import figures, tracing
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug


class ConfirmMatchForm(forms.Form):
    sought = forms.IntegerField(min_value=1, max_value=3)
    prisoner = forms.IntegerField(min_value=1)


def _tracing_programme(request: StaffRequest, slug: str) -> tuple[Programme, bytes | None]:
    """The programme, if he traces in it, and the families key his session holds."""
    programme = programme_by_slug(slug)
    if programme is None or Role.TRACING not in request.scope.roles_in(programme.pk):
        raise Http404
    return programme, session_keys.keyring(request, programme).get("families")


@require_http_methods(["GET"])
@staff_required
def inquiries(request: StaffRequest, slug: str) -> HttpResponse:
    programme, key = _tracing_programme(request, slug)
    if key is None:
        return redirect("staff:login")
    shown = tracing.latest_inquiries(programme, user=request.user, key=key)
    context = {
        "programme": programme,
        "shown": shown,
        "figures": figures.figures(programme, timezone.now()),
    }
    return render(request, "families/inquiries.html", context)


@require_http_methods(["GET"])
@staff_required
def inquiry(request: StaffRequest, slug: str, inquiry_id: int) -> HttpResponse:
    programme, key = _tracing_programme(request, slug)
    if key is None:
        return redirect("staff:login")
    try:
        opened = tracing.inquiry_with_candidates(programme, inquiry_id, user=request.user, key=key)
    except Refused as exc:
        raise Http404 from exc
    return render(request, "families/inquiry.html", {"programme": programme, "opened": opened})


@require_http_methods(["POST"])
@staff_required
def confirm(request: StaffRequest, slug: str, inquiry_id: int) -> HttpResponse:
    programme, key = _tracing_programme(request, slug)
    if key is None:
        return redirect("staff:login")
    back = reverse("tracing-inquiry", args=[programme.slug, inquiry_id])
    form = ConfirmMatchForm(request.POST)
    if not form.is_valid():
        return show_refusal(request, _("Choose a candidate to confirm."), back)
    step = second_step(
        request,
        title=_("Confirm this prisoner as the person asked about?"),
        consequence=_(
            "Reception or after-care will then put the inquiry to him, and what he decides is "
            "all the inquirer may learn. Compare every field before you confirm."
        ),
        back=back,
    )
    if step is not None:
        return step
    try:
        tracing.confirm_match(
            programme,
            inquiry_id,
            sought=form.cleaned_data["sought"],
            prisoner_id=form.cleaned_data["prisoner"],
            user=request.user,
            key=key,
        )
    except Refused as why:
        return show_refusal(request, why.reason, back)
    return redirect(back)
