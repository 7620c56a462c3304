"""The applicant's web session: what the browser's session keeps of him between pages, the
decorator that hands it to a view, and its end when his case is shredded. The web's side of
the channel-neutral applicant API (applicants.py), as SecureDrop's source_app keeps its
session manager apart from its views.

One value is sealed under the cookie (vault/sessions.py): the case, its data key and, under
duress, the decoy, so the session row in the database says neither whose it is nor which
kind it is. Beside it, in plain, only a keyed hash of the case (`case_tag`), which nobody
without the codename pepper can link to a case, so shredding can end his sessions.
"""

import base64
import json
import time
from collections.abc import Callable, Iterable
from functools import wraps
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from safepassage.intake import applicants
from safepassage.vault.sessions import SessionStore

SESSION_CASE_TAG = "applicant_case_tag"


def case_tag(case_id: int) -> str:
    return blake2b(
        str(case_id).encode(), key=settings.CODENAME_PEPPER, person=b"sp-session-case"
    ).hexdigest()


def end_sessions_of(case_ids: Iterable[int]) -> int:
    """Delete every live session of these cases (their sealed data keys with them); returns
    how many. Sessions are few (they expire within hours and the worker clears them), so
    each is decoded once."""
    tags = {case_tag(case_id) for case_id in case_ids}
    if not tags:
        return 0
    store = SessionStore()
    ended = [
        row.pk
        for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if store.decode(row.session_data).get(SESSION_CASE_TAG) in tags
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


SESSION_APPLICANT, SESSION_SEEN = "applicant", "applicant_seen"
# Larger than any kept applicant: his keys and a decoy whose notebook holds at most 4,096
# bytes (vault/codenames.py), with JSON's escaping.
SESSION_BLOB_BYTES = 16384
AppletView = Callable[..., HttpResponse]


def keep(request: HttpRequest, applicant: applicants.Applicant) -> None:
    key = applicant.data_key or applicant.decoy_key or b""  # under duress, the decoy's
    kept = {
        "case": applicant.case_id,
        "key": base64.b64encode(key).decode(),
        "duress": applicant.duress,
        "credential": applicant.credential.hex(),
        "decoy": applicant.decoy.as_dict() if applicant.decoy else None,
    }
    request.session[SESSION_CASE_TAG] = case_tag(applicant.case_id)
    # Padded to one size, so a session row's length does not tell a duress session (which
    # also carries its decoy) from a real one.
    blob = json.dumps(kept).encode().ljust(SESSION_BLOB_BYTES, b" ")
    request.session.put_secret(SESSION_APPLICANT, blob)  # type: ignore[attr-defined]


def _kept(request: HttpRequest) -> applicants.Applicant | None:
    sealed = request.session.get_secret(SESSION_APPLICANT)  # type: ignore[attr-defined]
    if sealed is None:
        return None
    try:  # sealed, so only an older version of this shape can fail: then sign in again
        kept = json.loads(sealed)
        duress = bool(kept["duress"])
        return applicants.Applicant(
            case_id=int(kept["case"]),
            data_key=None if duress else base64.b64decode(kept["key"]),
            duress=duress,
            credential=bytes.fromhex(kept["credential"]),
            decoy=applicants.Decoy.from_dict(kept["decoy"]) if kept["decoy"] else None,
            decoy_key=base64.b64decode(kept["key"]) if duress else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def mark_seen(request: HttpRequest) -> None:
    """When he last did something, in whole seconds: a number of one width, so that the
    session row's length never varies with it (a duress sign-in writes the same bytes)."""
    request.session[SESSION_SEEN] = int(time.time())


def _signed_in(request: HttpRequest) -> applicants.Applicant | None:
    """The signed-in applicant, or None; ends the session after 10 minutes idle, or when
    his case has been shredded meanwhile."""
    applicant = _kept(request)
    if applicant is None:
        return None
    now = time.time()
    if now - request.session.get(SESSION_SEEN, 0) > settings.APPLICANT_IDLE_SECONDS:
        request.session.flush()
        return None
    mark_seen(request)
    if applicants.case_of(applicant) is None:
        request.session.flush()
        return None
    return applicant


def applicant_required(view: AppletView) -> AppletView:
    """Injects the signed-in applicant (as SecureDrop's source app does); else to sign-in.
    What the view did to a duress session's decoy is kept for the next page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        applicant = _signed_in(request)
        if applicant is None:
            return redirect("intake:enter")
        response = view(request, applicant, *args, **kwargs)
        if applicant.decoy is not None and request.session.get_secret(SESSION_APPLICANT):  # type: ignore[attr-defined]
            keep(request, applicant)
        return response

    return wrapper
