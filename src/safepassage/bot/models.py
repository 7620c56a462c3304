"""What the bot must still delete, should its process be killed before it could
(`bot/pending.py`): one row per message shown to a signed-in applicant, sealed by the server
(a fixed-width chat and message number, so every row has one length), gone once deleted."""

from django.db import models

from safepassage.vault.fields import ServerSealedTextField


class PendingDeletion(models.Model):
    sealed = ServerSealedTextField()

    def __str__(self) -> str:
        return "a message to delete"
