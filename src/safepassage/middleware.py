"""Request and response rules for every page: nothing sent may be kept by the browser or a
proxy, and nothing but a plain form may be sent."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response


class NoUploadsMiddleware:
    """No page takes a file: a multipart body is refused (400) before anything reads it, so a
    file part is never parsed or spooled to disk (issue #16)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.content_type or "").startswith("multipart/"):
            raise BadRequest("multipart bodies are not accepted")
        return self.get_response(request)


class KeysNotGrantedMiddleware:
    """A staff page that needs a field group's key the session does not hold (his grant for it
    waits for a key holder) says so, instead of failing: the pages show what the session's
    keys open, and this catches whatever asks for more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from safepassage.cases.dossier import GroupNotHeld

        if not isinstance(exception, GroupNotHeld):
            return None
        return render(request, "cases/no_key_yet.html", status=403)
