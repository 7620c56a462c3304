"""Which host serves what: staff pages only on the staff host(s), applicant pages only on the
others (the onion service), and the real client address behind the documented proxy.

Written by hand because Django routes by path, not by host, and the two audiences must not
share one: a staff sign-in page on the onion address tells the other side whose site it is
and invites guessing (issue #16). With `SAFEPASSAGE_STAFF_HOSTS` unset (the local demo) one
host serves both.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect

STAFF_PATH = re.compile(r"^/[a-z]{2}(?:-[a-z]+)?/staff(?:/|$)")
EITHER = ("/static/",)
APPLICANT_URLCONF = "safepassage.applicant_urls"


def is_staff_host(request: HttpRequest) -> bool:
    # "staff.example.org." (a fully qualified name) is the same host as without its dot.
    return request.get_host().split(":")[0].lower().rstrip(".") in settings.STAFF_HOSTS


class HostsMiddleware:
    """An applicant host routes by a URL conf without staff views, so a staff URL is any
    unknown page there (404), and a staff host answers an applicant URL likewise. A staff
    host is always served over HTTPS: a plain request is redirected (the onion service is
    plain HTTP by design, inside Tor)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.STAFF_HOSTS or request.path.startswith(EITHER):
            return self.get_response(request)
        if is_staff_host(request):
            if not request.is_secure():
                return HttpResponsePermanentRedirect(f"https://{request.get_host()}{request.path}")
            if request.path == "/":
                return HttpResponsePermanentRedirect("/ru/staff/")
            if not STAFF_PATH.match(request.path):
                raise Http404
        else:
            # The staff host keeps the whole URL conf (its leaflets name applicant addresses);
            # an applicant host gets one without a single staff view.
            request.urlconf = APPLICANT_URLCONF  # type: ignore[attr-defined]
        return self.get_response(request)


def client_address(request: HttpRequest) -> str:
    """For django-axes and the staff sign-in's waits: the address nginx saw (`X-Real-IP`,
    which it sets, never appends) when `SAFEPASSAGE_BEHIND_PROXY` is on; otherwise the
    socket's peer. Behind the proxy the peer is always nginx, so a wait would fall on
    everyone."""
    if settings.BEHIND_PROXY and (forwarded := request.META.get("HTTP_X_REAL_IP")):
        return str(forwarded)
    return str(request.META.get("REMOTE_ADDR", ""))
