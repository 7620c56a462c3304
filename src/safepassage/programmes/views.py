"""Staff sign-in: password (throttled by django-axes), then a TOTP code (django-otp); and
changing one's password.

The password also opens the programme keys granted to this person (programmes/session_keys.py).
"""

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.programmes import sign_in as staff_sign_in
from safepassage.programmes import throttle
from safepassage.programmes.access import StaffRequest, is_verified, staff_required
from safepassage.programmes.forms import SignInCodeForm


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The password step. After failures here, the next try waits (throttle.py); a try
    during the wait is refused without looking at the password."""
    now = timezone.now()
    username = str(request.POST.get("username", ""))[:150]
    if request.method == "POST" and (wait := throttle.seconds_to_wait(request, username, now)):
        return _wait(request, wait)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        throttle.forget(request, username)
        staff_sign_in.password_accepted(request, user, form.cleaned_data["password"])
        return redirect("staff:second_factor")
    if request.method == "POST":
        throttle.record_failure(request, username, now)
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/login.html", {"form": form}, status=status)


def _wait(request: HttpRequest, seconds: int) -> HttpResponse:
    message = ngettext(
        "Too many wrong passwords from here. Wait %(seconds)d second, then try again.",
        "Too many wrong passwords from here. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}
    form = AuthenticationForm(request)
    response = render(request, "programmes/login.html", {"form": form, "wait": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("staff:login")
    if is_verified(user):
        return redirect("dashboard-home")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        # Enrolment happens only through an enrolment link (team.py), never at a password
        # sign-in: whoever first held a new account's password must not choose its factor.
        logout(request)
        return render(request, "programmes/no_second_factor.html", status=403)
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        used = _recovery_device(user, token) if len(token) != 6 else None
        allowed, _ = device.verify_is_allowed()
        if used is None and allowed and len(token) == 6 and device.verify_token(token):
            used = device
        if used is not None:
            staff_sign_in.signed_in(request, user, used)
            return redirect("dashboard-home")
        staff_sign_in.code_refused(user)
        form.add_error("token", _wrong_code_message(device))
    return render(request, "programmes/second_factor.html", {"form": form})


def _recovery_device(user: Any, token: str) -> StaticDevice | None:
    """The recovery-code device a one-time code belongs to (the code is used up)."""
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def _wrong_code_message(device: TOTPDevice) -> str:
    """Wrong, and how long to wait: django-otp doubles the pause after every failure, and a
    right code typed during it is refused too, so the person must know when to try again."""
    allowed, why = device.verify_is_allowed()
    locked_until = (why or {}).get("locked_until")
    if allowed or locked_until is None:
        return str(SignInCodeForm.base_fields["token"].error_messages["invalid"])
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Wrong code. Wait %(seconds)d second, then type the code your app shows then.",
        "Wrong code. Wait %(seconds)d seconds, then type the code your app shows then.",
        seconds,
    ) % {"seconds": seconds}


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    staff_sign_in.sign_out(request)
    return redirect("staff:login")


@require_http_methods(["GET", "POST"])
@staff_required
def change_password(request: StaffRequest) -> HttpResponse:
    """Django's own form (the old password, the new one twice, the password validators);
    the person's private key is wrapped again under the new password, so every programme key
    granted to him stays his (programmes/staff_keys.py)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff_sign_in.change_password(
            request,
            request.user,
            form.cleaned_data["old_password"],
            form.cleaned_data["new_password1"],
        )
        messages.success(request, _("Your password is changed. Your keys are kept."))
        return redirect("dashboard-home")
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/password.html", {"form": form}, status=status)
