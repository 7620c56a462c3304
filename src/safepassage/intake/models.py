"""The intake app keeps nothing of its own: an applicant's session holds what it needs
(`sessions.py`), its wrong codenames included (`throttle.py`)."""
