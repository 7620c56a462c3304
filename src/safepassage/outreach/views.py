"""Outreach pages: the admin's campaigns with what each brought, the official channels the
admin keeps, and the public page that lists them. Thin: check the role, call one function,
render."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safepassage.lib.acts import show_refusal
from safepassage.outreach import daily, figures, leaflets, services
from safepassage.outreach.forms import CampaignForm, OfficialChannelsForm
from safepassage.outreach.models import Campaign
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug


def _admin_of(request: StaffRequest, slug: str) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None or Role.ADMIN not in request.scope.roles_in(programme.pk):
        raise Http404
    return programme


@require_http_methods(["GET", "POST"])
@staff_required
def campaigns(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _admin_of(request, slug)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.create_campaign(form, programme, by=request.user)
        return redirect("outreach:campaigns", slug=programme.slug)
    tables = figures.tables(programme)
    context = {
        "programme": programme,
        "form": form,
        "tables": tables,
        "per_day": daily.applications_per_day(
            [programme.pk],
            timezone.now(),
            by="campaign",
            weeks_hidden=figures.weeks_hidden(tables),
        ),
        "measures": [label for _key, label, _states in figures.MEASURES],
        "small": settings.OUTREACH_SMALL_COUNT,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/campaigns.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def channels(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _admin_of(request, slug)
    form = OfficialChannelsForm(request.POST or None, instance=services.channels_of(programme))
    if request.method == "POST" and form.is_valid():
        services.save_channels(form, programme, by=request.user)
        return redirect(reverse("outreach:channels", args=[programme.slug]) + "?saved=1")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outreach/channels_edit.html",
        {"programme": programme, "form": form, "saved": "saved" in request.GET},
        status=status,
    )


def official(request: HttpRequest, slug: str) -> HttpResponse:
    """The public list of the programme's genuine channels (no JavaScript)."""
    programme = programme_by_slug(slug)
    if programme is None:
        raise Http404
    return render(
        request,
        "outreach/official.html",
        {"programme": programme, "channels": services.channels_of(programme)},
    )


@staff_required
def leaflet(request: StaffRequest, slug: str, code: str, fmt: str) -> HttpResponse:
    """A campaign's pocket card or leaflet, print-ready (leaflets.py)."""
    programme = _admin_of(request, slug)
    campaign = Campaign.objects.filter(programme=programme, code=code).first()
    if campaign is None or fmt not in leaflets.FORMATS:
        raise Http404
    official = services.channels_of(programme)
    if not leaflets.reachable(official):
        return show_refusal(
            request,
            _(
                "A leaflet must say how to reach the programme: set the onion address, the"
                " bot or a hotline number on the official channels page first."
            ),
            reverse("outreach:campaigns", args=[programme.slug]),
        )
    pdf = leaflets.render(campaign, official, fmt)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{campaign.code}-{fmt}.pdf"'
    return response
