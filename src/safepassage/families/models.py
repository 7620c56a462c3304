"""A relative's inquiry about a soldier (issue #24): everything he typed is one ciphertext under
the inquiry's own data key, itself sealed to the programme's families key, which only tracing
officers hold. What stays in plain is the programme, the day it came and the keyed hash of
its codename, a credential of its own kind (vault/codenames.inquiry_lookup_hash)."""

from django.db import models

from safepassage.programmes.models import Programme


class Inquiry(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    received_at = models.DateTimeField(db_index=True)
    lookup_hash = models.BinaryField(max_length=32, unique=True)
    # The inquiry's data key, sealed to the programme's families public key.
    sealed_key = models.BinaryField()
    # JSON: who asks (relationship, his name as the soldier knows it, region, a question only
    # the soldier would answer and its answer, language) and whom (up to three people).
    contents = models.BinaryField()

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"inquiry {self.pk}"
