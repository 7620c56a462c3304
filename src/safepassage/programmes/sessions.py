"""The staff side's browser sessions, one class per trust zone, so that no view indexes the
session (as intake/sessions.ApplicantSession is for the applicant):

- `StaffBrowserSession`: a signed-in staff member's session: when he was last seen (the idle
  sign-out) and the call an operator is taking (the codename to read out, sealed under the
  cookie, and the case it opened; or a relative's inquiry codename). The programme keys it
  holds are `session_keys.py`'s.
- `EnrolmentSession`: an invitee following his link, before he is anyone: the invitation,
  its token (sealed), the account the password step made or resumed, the authenticator he is
  confirming, and his recovery codes (sealed) until the one page that shows them.

Secrets go through vault/sessions.py's sealed values; what stays in plain is a row id or a
case reference, which the session row in the database shows to nobody without the cookie's
key anyway.
"""

from django.http import HttpRequest

from safepassage.vault.sessions import SessionStore, store_of

STAFF_SEEN = "staff_seen"
SEEN_EVERY = 60  # seconds
CALL_CODENAME, CALL_CASE = "hotline-codename", "hotline_case"
RELATIVE_CALL_CODENAME = "relative-call-codename"

JOIN_ID, JOIN_TOKEN, JOIN_USER, JOIN_DEVICE = (
    "join_invitation",
    "join-token",
    "join_user",
    "join_device",
)
JOIN_CODES, JOIN_CODES_SHOWN = "join-codes", "join_codes_shown"


class StaffBrowserSession:
    def __init__(self, request: HttpRequest) -> None:
        self._store: SessionStore = store_of(request)

    @property
    def row_key(self) -> str:
        """What names this session in his list of sessions (`StaffSession`)."""
        return SessionStore.row_key(self._store.session_key or "")

    def idle_for(self, now: float) -> float:
        """Seconds since his last request; 0 for a session that has not been seen yet."""
        return now - float(self._store.get(STAFF_SEEN, now))

    def seen(self, now: float) -> None:
        """Stamped at most once a minute: a page read within the minute writes no session
        row (issue #25, point 1), and the idle sign-out is late by a minute at most."""
        stamped = self._store.get(STAFF_SEEN)
        if stamped is None or now - float(stamped) >= SEEN_EVERY:
            self._store[STAFF_SEEN] = now

    def take_call(self, codename: str, case_reference: str) -> None:
        self._store.put_secret(CALL_CODENAME, codename.encode())
        self._store[CALL_CASE] = case_reference

    def call(self) -> tuple[str, str] | None:
        """The codename to read out and the case of the call in progress, if there is one."""
        sealed = self._store.get_secret(CALL_CODENAME)
        if sealed is None:
            return None
        return sealed.decode(), str(self._store.get(CALL_CASE, ""))

    def end_call(self) -> None:
        self._store.drop_secret(CALL_CODENAME)
        self._store.pop(CALL_CASE, None)

    def take_relative_call(self, codename: str) -> None:
        """A relative's call: the inquiry codename to read out until he has read it back."""
        self._store.put_secret(RELATIVE_CALL_CODENAME, codename.encode())

    def relative_call(self) -> str | None:
        sealed = self._store.get_secret(RELATIVE_CALL_CODENAME)
        return None if sealed is None else sealed.decode()

    def end_relative_call(self) -> None:
        self._store.drop_secret(RELATIVE_CALL_CODENAME)


class EnrolmentSession:
    def __init__(self, request: HttpRequest) -> None:
        self._store: SessionStore = store_of(request)

    def start(self, invitation_id: int, token: str) -> None:
        """A fresh session for the link: whatever the browser held before is gone."""
        self._store.flush()
        self._store[JOIN_ID] = invitation_id
        self._store.put_secret(JOIN_TOKEN, token.encode())

    def end(self) -> None:
        self._store.flush()

    @property
    def invitation_id(self) -> int:
        return int(self._store.get(JOIN_ID, 0))

    @property
    def token(self) -> str:
        return (self._store.get_secret(JOIN_TOKEN) or b"").decode()

    @property
    def user_id(self) -> int | None:
        value = self._store.get(JOIN_USER)
        return None if value is None else int(value)

    def belongs_to(self, user_id: int) -> None:
        """The account this session made or resumed (by its password)."""
        self._store[JOIN_USER] = user_id

    @property
    def device_id(self) -> int:
        return int(self._store.get(JOIN_DEVICE, 0))

    def confirming(self, device_id: int) -> None:
        self._store[JOIN_DEVICE] = device_id

    def keep_codes(self, codes: list[str]) -> None:
        self._store.put_secret(JOIN_CODES, "\n".join(codes).encode())
        self._store[JOIN_CODES_SHOWN] = True

    @property
    def codes_due(self) -> bool:
        return bool(self._store.get(JOIN_CODES_SHOWN))

    def take_codes(self) -> list[str] | None:
        """The recovery codes, once: the session is ended as they are taken."""
        sealed = self._store.get_secret(JOIN_CODES)
        self._store.flush()
        return None if sealed is None else sealed.decode().split("\n")
