"""The inquirer's browser session, a trust zone of its own (issue #24): `InquirerSession` owns
every key it keeps, as intake/sessions.ApplicantSession does the applicant's. Both values are
sealed under the cookie (vault/sessions.py): the session row in the database says neither
which inquiry is open in it nor what its codename is. It also counts this browser's wrong
codenames and the inquiries it sent, as the applicant's session does."""

from datetime import date

from django.http import HttpRequest

from safepassage.families.inquirers import Receipt
from safepassage.vault.sessions import KeepsWrongCodenames, SessionStore, store_of

INQUIRY, RECEIPT, OWN_KEY = "inquiry", "inquiry-receipt", "inquiry-own-key"
WRONG_CODENAMES, INQUIRIES_SENT = "inquiry-wrong-codenames", "inquiries-sent"


class InquirerSession(KeepsWrongCodenames):
    WRONG_CODENAMES_KEY = WRONG_CODENAMES

    def __init__(self, request: HttpRequest) -> None:
        self._store: SessionStore = store_of(request)

    def keep_receipt(self, receipt: Receipt) -> None:
        """The codename and its date, for the one page after the form that shows them."""
        self._store.put_secret(
            RECEIPT, f"{receipt.answer_by.isoformat()}|{receipt.codename}".encode()
        )

    def take_receipt(self) -> Receipt | None:
        sealed = self._store.get_secret(RECEIPT)
        self._store.drop_secret(RECEIPT)
        if sealed is None:
            return None
        day, codename = sealed.decode().split("|", 1)
        return Receipt(codename=codename, answer_by=date.fromisoformat(day))

    def sign_in(self, inquiry_id: int, own_key: bytes | None) -> None:
        """`own_key` opens the letters to him; kept sealed under the cookie."""
        self._store.cycle_key()
        self._store.put_secret(INQUIRY, str(inquiry_id).encode())
        if own_key is not None:
            self._store.put_secret(OWN_KEY, own_key)

    @property
    def own_key(self) -> bytes | None:
        return self._store.get_secret(OWN_KEY)

    @property
    def inquiry_id(self) -> int | None:
        sealed = self._store.get_secret(INQUIRY)
        return None if sealed is None else int(sealed.decode())

    def sign_out(self) -> None:
        self._store.flush()

    # --- inquiries sent (wrong codenames: KeepsWrongCodenames) -----------------------------

    def inquiries_sent(self) -> list[float]:
        """When this browser sent inquiries (Unix seconds), the last hour's."""
        return list(self._store.get(INQUIRIES_SENT, []))

    def set_inquiries_sent(self, times: list[float]) -> None:
        self._store[INQUIRIES_SENT] = times
