"""Which campaign brought an application: its typed or scanned code, read with its check
character. An unknown or mistyped code is ignored, never an error for the applicant. The
leaflet's address itself is an applicant page (intake/views.campaign_link)."""

from safepassage.outreach import codes
from safepassage.outreach.models import Campaign
from safepassage.programmes.models import Programme


def campaign_for(typed: str, programme: Programme | None = None) -> Campaign | None:
    code = codes.read(typed or "")
    if code is None:
        return None
    found = Campaign.objects.filter(code=code)
    if programme is not None:
        found = found.filter(programme=programme)
    return found.first()
