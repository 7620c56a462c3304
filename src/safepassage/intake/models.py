"""What the intake app keeps of its own: wrong codenames per browser session, to slow that
session down (`throttle.py`). Nothing of an applicant."""

from django.db import models


class WrongCodenames(models.Model):
    """Wrong codenames entered in one browser session (keyed by a hash of its cookie)."""

    key = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField()  # no codename is checked for this session before it
    last_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.failures} wrong codenames"
