"""Which campaign brought an application: its typed or scanned code, read with its check
character. An unknown or mistyped code is ignored, never an error for the applicant."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from safepassage.outreach import codes
from safepassage.outreach.models import Campaign
from safepassage.programmes.models import Programme

CAMPAIGN = "campaign"  # the applicant's session keeps the code, until he applies


def campaign_for(typed: str, programme: Programme | None = None) -> Campaign | None:
    code = codes.read(typed or "")
    if code is None:
        return None
    found = Campaign.objects.filter(code=code)
    if programme is not None:
        found = found.filter(programme=programme)
    return found.first()


def arrive(request: HttpRequest, code: str) -> HttpResponse:
    """`/<lang>/r/<code>/`, the address on a leaflet's QR code: the code goes into the
    applicant's session (nothing else is noted), and he is taken to the form. An unknown
    code takes him to the start page, like any visitor."""
    campaign = campaign_for(code)
    if campaign is None:
        return redirect("intake:home")
    request.session[CAMPAIGN] = campaign.code
    return redirect("intake:apply", slug=campaign.programme.slug)
