"""The inquirer's browser session, a trust zone of its own (issue #24): `InquirerSession` owns
every key it keeps, as intake/sessions.ApplicantSession does the applicant's. Both values are
sealed under the cookie (vault/sessions.py): the session row in the database says neither
which inquiry is open in it nor what its codename is."""

from django.http import HttpRequest

from safepassage.vault.sessions import SessionStore, store_of

INQUIRY, RECEIPT = "inquiry", "inquiry-receipt"


class InquirerSession:
    def __init__(self, request: HttpRequest) -> None:
        self._store: SessionStore = store_of(request)

    def keep_receipt(self, codename: str) -> None:
        """The codename, for the one page after the form that shows it."""
        self._store.put_secret(RECEIPT, codename.encode())

    def take_receipt(self) -> str | None:
        sealed = self._store.get_secret(RECEIPT)
        self._store.drop_secret(RECEIPT)
        return None if sealed is None else sealed.decode()

    def sign_in(self, inquiry_id: int) -> None:
        self._store.cycle_key()
        self._store.put_secret(INQUIRY, str(inquiry_id).encode())

    @property
    def inquiry_id(self) -> int | None:
        sealed = self._store.get_secret(INQUIRY)
        return None if sealed is None else int(sealed.decode())

    def sign_out(self) -> None:
        self._store.flush()
