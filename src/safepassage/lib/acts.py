"""Grave acts and refused ones: the second step before an irreversible or grave act, with no
JavaScript; the exception a rule raises to say no; and how a refused act comes back to its page.

The first POST of a grave form (reject, mark compromised, an outcome, an arrival, a capture
card sent, a withdrawn consent, a payment) answers with a page that says what will happen and
carries the form's fields again; only its "Confirm" button, which adds `confirmed=yes`, does
the act. Acts that end a case also ask for the reason there, and refuse without one.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

CARRIED_OVER_EXCLUDED = frozenset({"csrfmiddlewaretoken", "confirmed"})


class Refused(Exception):
    """A rule that says no: `reason` is translated and safe to show the person.

    Each app's refusal is a subclass only so a caller can tell whose rule refused; every view
    catches them the same way (`show_refusal` returns to the page with the reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def second_step(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    back: str,
    reason_required: bool = False,
) -> HttpResponse | None:
    """None once the person confirmed (and gave a reason where one is required); otherwise
    the confirmation page, whose form posts the same fields back to the same address."""
    confirmed = request.POST.get("confirmed") == "yes"
    reason = request.POST.get("reason", "").strip()
    if confirmed and (reason or not reason_required):
        return None
    error = _("Give the reason: it is kept with the case.") if confirmed else ""
    carried = [
        (name, value)
        for name in request.POST
        if name not in CARRIED_OVER_EXCLUDED and not (reason_required and name == "reason")
        for value in request.POST.getlist(name)
    ]
    context = {
        "title": title,
        "consequence": consequence,
        "carried": carried,
        "reason_required": reason_required,
        "reason": reason,
        "error": error,
        "back": back,
    }
    return render(request, "confirm_step.html", context, status=400 if error else 200)


def show_refusal(request: HttpRequest, reason: str, to: str) -> HttpResponse:
    """A refused POST returns to the page it came from (post/redirect/get), which shows the
    reason: a reload cannot send the act again, and the address bar shows the page's own URL."""
    messages.error(request, reason)
    return redirect(to)
