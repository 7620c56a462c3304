"""The messages the bot showed a signed-in applicant and has not deleted yet, kept so that
a process killed outright deletes them when it starts again (issue #22, point 5).

In memory the bot keeps them as before; each is also written to `PendingDeletion`, sealed
under the server's key (vault/fields.py), with the bot's own id so that one programme's bot
never sweeps another's, and removed once deleted. A copy of the database shows only how many
messages wait to be deleted, never to whom; the running bot opens them at start-up.
"""

from django.db import transaction

from safepassage.bot.models import PendingDeletion


def _text(bot_id: int, chat_id: int, message_id: int) -> str:
    return f"{bot_id:>20} {chat_id:>20} {message_id:>12}"  # one width: one sealed length


def remember(bot_id: int, chat_id: int, message_id: int) -> int:
    return PendingDeletion.objects.create(sealed=_text(bot_id, chat_id, message_id)).pk


def forget(row: int) -> None:
    PendingDeletion.objects.filter(pk=row).delete()


def left_behind(bot_id: int) -> list[tuple[int, int]]:
    """This bot's messages an earlier process did not delete, taken off the table."""
    found: list[tuple[int, int]] = []
    with transaction.atomic():
        for row in PendingDeletion.objects.select_for_update():
            owner, chat_id, message_id = (int(part) for part in row.sealed.split())
            if owner == bot_id:
                found.append((chat_id, message_id))
                row.delete()
    return found
