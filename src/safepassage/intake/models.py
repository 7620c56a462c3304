"""What the intake app keeps of its own: wrong codenames per browser session, to slow that
session down (`throttle.py`). Nothing of an applicant."""

from safepassage import backoff


class WrongCodenames(backoff.Counter):
    """Wrong codenames entered in one browser session (keyed by a hash of its cookie)."""
