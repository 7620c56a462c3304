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
    applicant's session (nothing else is noted), and he is taken to the form. The answer is
    the same whether the code exists or not, so nobody can try codes to learn the
    programme's campaigns (issue #22, point 13): the lookup runs either way, the session is
    written either way, and the address he is sent to depends only on how many programmes
    the site serves (one: its form; several: the start page, where he picks his)."""
    campaign = campaign_for(code)
    request.session[CAMPAIGN] = campaign.code if campaign else ""
    programmes = list(Programme.objects.order_by("pk").values_list("slug", flat=True)[:2])
    if len(programmes) == 1:
        return redirect("intake:apply", slug=programmes[0])
    return redirect("intake:home")
