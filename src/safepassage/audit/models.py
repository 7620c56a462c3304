"""Audit events. Each entry's MAC covers the previous entry's MAC, so the chain breaks where an
entry is altered or removed; the head row, also MACed, catches a removed tail."""

from django.db import models


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    programme_id_ref = models.BigIntegerField(null=True, db_index=True)
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    case_ref = models.CharField(max_length=32, blank=True, db_index=True)
    detail = models.JSONField(default=dict)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """One row: the last sequence number and MAC, so truncating the tail is detected."""

    seq = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, default="")
    head_mac = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"head #{self.seq}"
