"""One exception for a rule that says no: `reason` is translated and safe to show the person.

Each app's refusal is a subclass only so a caller can tell whose rule refused; every view
catches them the same way (`confirm.refused` returns to the page with the reason).
"""


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
