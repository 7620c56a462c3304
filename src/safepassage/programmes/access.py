"""The gate in front of every staff page: password, second factor, idle timeout, scope."""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from safepassage.programmes.services import StaffScope, scope_of
from safepassage.programmes.sessions import StaffBrowserSession


class StaffRequest(HttpRequest):
    """A request that passed `staff_required`: a signed-in staff member and their roles."""

    user: User  # narrowed once here, so views need no casts
    scope: StaffScope


def is_verified(user: Any) -> bool:
    """Signed in with both factors (django-otp adds is_verified to the user)."""
    if user is None:  # a request refused before authentication ran (NoUploadsMiddleware)
        return False
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not is_verified(user):
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        now, browser = time.time(), StaffBrowserSession(request)
        if browser.idle_for(now) > settings.STAFF_IDLE_SECONDS:
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        browser.seen(now)
        request.scope = scope_of(user)  # type: ignore[attr-defined,arg-type]
        return view(request, *args, **kwargs)

    return wrapper
