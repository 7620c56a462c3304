"""Error pages in the visitor's language. They show no request data and no traceback."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from safepassage.lib import hosts


def _page(request: HttpRequest | None, status: int, title: str, text: str) -> HttpResponse:
    """The applicant's error page, or on a staff address the staff one (with its navigation):
    a colleague who mistypes an address stays among the staff pages. On an applicant host a
    staff address gets the applicant's page, as any unknown address does."""
    staff = (
        request is not None
        and "/staff/" in request.path
        and (not settings.STAFF_HOSTS or hosts.is_staff_host(request))
    )
    template = "staff/error.html" if staff else "error.html"
    context = {"status": status, "title": title, "text": text}
    body = render_to_string(template, context, request=request if staff else None)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("The request could not be read"),
        _("Something in what was sent was not accepted: it may be too long. Nothing was saved."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, _("Not allowed"), _("You may not open this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, _("Page not found"), _("There is nothing at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    # The plain page: whatever failed (the database, say) must not fail this page too.
    return _page(None, 500, _("Something went wrong"), _("Please try again in a few minutes."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("The form has expired"),
        _("Go back, reload the page and send the form again. Nothing was saved."),
    )
