"""Splitting a programme made before keys per field group (issue #17), at the first sign-in of a
person who holds its one old key.

Migration programmes 0009 gave the programme its group keys and sealed them to its members; new
cases use them. What is left is the old cases, whose texts are all under one data key sealed to
the old programme key. Only a session that opens that key can move them, so the first one that
does (`split`, in the sign-in's transaction) re-encrypts each old case:

- the applicant's messages, his notebook and his crossing's instructions stay under the old
  data key, which becomes the case's messages key (his codename opens it and cannot be
  re-wrapped without him);
- every other group gets a new data key, and its texts are re-encrypted under it (the
  dossier split into identity and circumstances);
- notes, sealed plans and the receiving units' keys are sealed again to the notes and plan
  keys; the blind indexes are dropped and computed again under the group keys by the next
  verifier's page (probes.index_pending).

Then the old key's grants and its public half are deleted. One exception is written down in
docs/DESIGN.md: a payment recorded before the split keeps its reference under the old data
key (the ledger is append-only, enforced by the database), so for such a case the after-care
key is that old key.
"""

from django.apps import apps
from django.db import transaction
from django.dispatch import Signal
from nacl.public import PrivateKey

from safepassage.cases.dossier import SEALED_ELSEWHERE, renewable, seal_dossier
from safepassage.cases.models import BlindIndex, Case, CaseKey, Note
from safepassage.programmes.models import KeyGrant, Programme
from safepassage.programmes.roles import CASE_KEY_GROUPS
from safepassage.vault import crypto

# Sent in the split's transaction, before the old key is retired, for the apps that sealed
# something else to the old programme key (passage: its units' keys and plans).
programme_split = Signal()  # programme=, private_key=


def split(programme_id: int, private_key: bytes) -> int:
    """Re-encrypt every old case of the programme and retire its old key; returns how many
    cases. Does nothing if the key is not the programme's old one."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme_id)
        old_public = programme.public_key
        if old_public is None or bytes(PrivateKey(private_key).public_key) != bytes(old_public):
            return 0
        old_cases = Case.objects.filter(programme=programme, sealed_key__isnull=False)
        count = 0
        for case in old_cases.iterator(chunk_size=200):
            _split_case(programme, case, crypto.unseal(private_key, bytes(case.sealed_key or b"")))
            count += 1
        for note in Note.objects.filter(case__programme=programme):
            body = crypto.unseal(private_key, bytes(note.body))
            note.body, note.body_next = programme.seal("notes", body)
            note.save(update_fields=["body", "body_next"])
        programme_split.send(sender=Programme, programme=programme, private_key=private_key)
        Case.objects.filter(programme=programme, shredded_at__isnull=True).update(indexed_at=None)
        BlindIndex.objects.filter(programme=programme).delete()
        KeyGrant.objects.filter(programme=programme, group="").delete()
        Programme.objects.filter(pk=programme.pk).update(public_key=None)
    return count


def _split_case(programme: Programme, case: Case, old_key: bytes) -> None:
    data_keys = {
        group: crypto.new_data_key() if renewable(case.pk, group) else old_key
        for group in CASE_KEY_GROUPS
    }
    answers = crypto.decrypt_json(old_key, case.dossier) if case.dossier else {}
    if case.dossier:
        case.dossier, case.identity = seal_dossier(data_keys, answers)
    for label, field, path, group in SEALED_ELSEWHERE:
        if data_keys[group] == old_key:
            continue
        sealed_rows = apps.get_model(label).objects.filter(**{path: case})
        for row in sealed_rows.exclude(**{field: None}):
            plain = crypto.decrypt_bytes(old_key, bytes(getattr(row, field)))
            setattr(row, field, crypto.encrypt_bytes(data_keys[group], plain))
            row.save(update_fields=[field])
    case_keys = []
    for group, key in data_keys.items():
        sealed, sealed_next = programme.seal(group, key)
        case_keys.append(CaseKey(case=case, group=group, sealed=sealed, sealed_next=sealed_next))
    CaseKey.objects.bulk_create(case_keys)
    case.sealed_key = None
    case.save(update_fields=["dossier", "identity", "sealed_key"])
