"""Slowing down wrong codenames, one browser session at a time.

A correct codename always gets in, at once: it is checked before anything else, even during
a wait, and nobody's failures count against anyone else (issue #16: a flood of wrong
codenames from fresh sessions once locked every applicant out through a site-wide cap; issue
#22: a soldier who mistyped four times must not be told to wait when he types it right).
Guessing needs no global cap to be hopeless: a codename has 88 bits. What a session pays for
its own wrong codenames is a growing wait (safepassage/lib/backoff.py's policy: the first few are
free, then 2, 4, 8 … seconds, at most fifteen minutes), during which every wrong codename is
answered only with the wait. Behind a Tor onion service every request comes from the same
address, so nothing is keyed by address.

The count lives in the session itself, not in a table of its own: a flood of wrong codenames
from fresh sessions adds no rows beyond the sessions, which expire.
"""

from safepassage.intake.sessions import ApplicantSession
from safepassage.lib import backoff

POLICY = backoff.WRONG_CODENAMES


def seconds_to_wait(session: ApplicantSession) -> int:
    """How long this session must wait before a wrong codename is answered otherwise."""
    return backoff.session_wait(session)


def record_failure(session: ApplicantSession) -> int:
    """Count a wrong codename for this session; returns the seconds it must now wait."""
    return backoff.session_failure(session)


def forget(session: ApplicantSession) -> None:
    """A correct codename: the session's earlier mistakes are forgotten."""
    session.forget_wrong_codenames()
