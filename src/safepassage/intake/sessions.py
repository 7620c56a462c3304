"""The applicant's web session: `ApplicantSession` owns every key his browser's session keeps
(who he is once signed in, when he was last seen, his wrong codenames, the applications it
sent, the campaign that brought it, the receipt of his form), so that no view indexes the
session; the decorator that hands him to a view; and the end of his sessions when his case is
shredded. The web's side of the channel-neutral applicant API (applicants.py), as
SecureDrop's source_app keeps its session manager apart from its views.

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
from safepassage.vault.sessions import KeepsWrongCodenames, SessionStore, store_of

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


RECEIPT_OF_FORM = "receipt"  # the form's token, which opens its receipt (the codename)
CAMPAIGN = "campaign"  # the code of the leaflet that brought him, until he applies
WRONG_CODENAMES = "wrong_codenames"  # [failures, not before (whole seconds since the epoch)]
APPLICATIONS_SENT = "applications_sent"  # the session's application times, in seconds


class ApplicantSession(KeepsWrongCodenames):  # wrong codenames: throttle.py
    """Every value the applicant's browser session holds, read and written only here."""

    WRONG_CODENAMES_KEY = WRONG_CODENAMES

    def __init__(self, request: HttpRequest) -> None:
        self._store: SessionStore = store_of(request)

    # --- signed in -----------------------------------------------------------------------

    def keep(self, applicant: applicants.Applicant) -> None:
        key = applicant.data_key or applicant.decoy_key or b""  # under duress, the decoy's
        kept = {
            "case": applicant.case_id,
            "key": base64.b64encode(key).decode(),
            "duress": applicant.duress,
            "credential": applicant.credential.hex(),
            "decoy": applicant.decoy.as_dict() if applicant.decoy else None,
        }
        self._store[SESSION_CASE_TAG] = case_tag(applicant.case_id)
        # Padded to one size, so a session row's length does not tell a duress session
        # (which also carries its decoy) from a real one.
        blob = json.dumps(kept).encode().ljust(SESSION_BLOB_BYTES, b" ")
        self._store.put_secret(SESSION_APPLICANT, blob)

    def is_signed_in(self) -> bool:
        return self._store.get_secret(SESSION_APPLICANT) is not None

    def kept(self) -> applicants.Applicant | None:
        sealed = self._store.get_secret(SESSION_APPLICANT)
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

    def mark_seen(self) -> None:
        """When he last did something, in whole seconds: a number of one width, so that the
        session row's length never varies with it (a duress sign-in writes the same bytes)."""
        self._store[SESSION_SEEN] = int(time.time())

    def idle_seconds(self) -> float:
        return time.time() - int(self._store.get(SESSION_SEEN, 0))

    # --- applications (flood.py), the campaign, the receipt ---------------------------------

    def applications_sent(self) -> list[float]:
        return list(self._store.get(APPLICATIONS_SENT, []))

    def set_applications_sent(self, times: list[float]) -> None:
        self._store[APPLICATIONS_SENT] = times

    def campaign_code(self) -> str:
        return str(self._store.get(CAMPAIGN, ""))

    def set_campaign_code(self, code: str) -> None:
        self._store[CAMPAIGN] = code

    def forget_campaign(self) -> None:
        self._store.pop(CAMPAIGN, None)

    def keep_receipt(self, token: str) -> None:
        self._store.put_secret(RECEIPT_OF_FORM, token.encode())

    def receipt_token(self) -> str | None:
        token = self._store.get_secret(RECEIPT_OF_FORM)
        return token.decode() if token is not None else None

    def receipt_binding(self) -> bytes:
        """Only this browser session can open the receipt of a form it sent."""
        return self._store.bound_key(b"receipt")

    # --- its life ---------------------------------------------------------------------------

    def has_row(self) -> bool:
        return self._store.session_key is not None

    def save_now(self) -> None:
        """Written in the caller's transaction (an application's), and not again after it."""
        self._store.save()
        self._store.modified = False

    def start_over(self) -> None:
        """A new cookie for a sign-in, so a cookie seen before it opens nothing after."""
        self._store.cycle_key()

    def end(self) -> None:
        self._store.flush()


def _signed_in(session: ApplicantSession) -> applicants.Applicant | None:
    """The signed-in applicant, or None; ends the session after 10 minutes idle, or when
    his case has been shredded meanwhile."""
    applicant = session.kept()
    if applicant is None:
        return None
    if session.idle_seconds() > settings.APPLICANT_IDLE_SECONDS:
        session.end()
        return None
    session.mark_seen()
    if applicants.case_of(applicant) is None:
        session.end()
        return None
    return applicant


def applicant_required(view: AppletView) -> AppletView:
    """Injects the signed-in applicant (as SecureDrop's source app does); else to sign-in.
    What the view did to a duress session's decoy is kept for the next page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = ApplicantSession(request)
        applicant = _signed_in(session)
        if applicant is None:
            return redirect("intake:enter")
        response = view(request, applicant, *args, **kwargs)
        if applicant.decoy is not None and session.is_signed_in():
            session.keep(applicant)
        return response

    return wrapper
