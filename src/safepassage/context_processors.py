"""Template context shared by every page."""

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language, override

from safepassage.lib import display

DEMO_RECHECK_SECONDS = 60


def _in_language(request: HttpRequest, code: str) -> str:
    # The request's URL was resolved already: reversing its match is what translate_url
    # does after resolving the path a second time (half the cost of an applicant's page).
    match = request.resolver_match
    if match is None or not match.view_name:
        return translate_url(request.path, code)
    try:
        with override(code):
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return translate_url(request.path, code)


def language_links(request: HttpRequest) -> dict[str, Any]:
    """Links to this same page in the other languages, each named in its own language (a
    reader looks for his language's name as he writes it): no JavaScript, no cookie."""
    current = get_language()
    return {
        "language_links": [
            (code, display.own_name(code), _in_language(request, code))
            for code, _name in settings.LANGUAGES
            if code != current
        ]
    }


def zones(request: HttpRequest) -> dict[str, str]:
    """The zones pages show times in (display.py): every time shown carries its zone."""
    return {
        "applicant_zone": display.applicant_zone(),
        "window_zone": display.window_zone(),
        "staff_zone": display.staff_zone(),
    }


_demo_checked: tuple[float, bool] = (0.0, False)


def _is_demo() -> bool:
    """Whether this installation holds a demo programme; asked at most once a minute, so an
    applicant's page costs no query for it."""
    global _demo_checked
    checked_at, answer = _demo_checked
    if time.monotonic() - checked_at > DEMO_RECHECK_SECONDS:
        from safepassage.programmes.services import has_demo_programme

        answer = has_demo_programme()
        _demo_checked = (time.monotonic(), answer)
    return answer


def demo(request: HttpRequest) -> dict[str, Any]:
    """Every applicant page of a demo installation says so (templates/base.html)."""
    return {"demo_installation": _is_demo}
