"""Messages between the applicant and staff: encrypted under the case's data key, which
only the applicant's codename and the programme key open."""

from dataclasses import dataclass
from typing import Any

from safepassage.cases.models import Case, Message
from safepassage.vault import crypto


@dataclass(frozen=True)
class ShownMessage:
    sender: str
    created_at: Any
    text: str
    author: str = ""  # the staff member who wrote it; staff pages only, never the applicant


def new_message(data_key: bytes, sender: str, text: str, author: Any = None) -> Message:
    """A message encrypted under the case's data key, not yet saved."""
    return Message(sender=sender, author=author, body=crypto.encrypt_json(data_key, {"text": text}))


def add_message(case: Case, data_key: bytes, sender: str, text: str, author: Any = None) -> None:
    message = new_message(data_key, sender, text, author)
    message.case = case
    message.save(force_insert=True)


def shown_messages(case: Case, data_key: bytes, *, authors: bool = False) -> list[ShownMessage]:
    return [
        ShownMessage(
            m.sender,
            m.created_at,
            crypto.decrypt_json(data_key, m.body)["text"],
            m.author.username if authors and m.author else "",
        )
        for m in case.messages.select_related("author")
    ]
