"""The plain INSERT of hot paths writes what Model.save would have written."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, Codename, Message
from safepassage.lib import fast_insert
from safepassage.programmes.services import create_programme


@pytest.fixture
def case(db):
    programme = create_programme("p", "P")[0]
    return Case.objects.create(programme=programme, reference="R1", state="inquiry", dossier=b"")


def test_a_row_reads_back_as_written_with_its_defaults_and_id(case):
    fast_insert.insert(Codename(case=case, lookup_hash=b"\x00h" * 16, wrapped_key=b"\xffk" * 36))
    fast_insert.insert(Message(case=case, sender=Message.Sender.APPLICANT, body=b"\x01" * 50))
    stored = Codename.objects.get(case=case)
    assert bytes(stored.lookup_hash) == b"\x00h" * 16
    assert bytes(stored.wrapped_key) == b"\xffk" * 36
    assert stored.legacy_duress is None  # the default, written by the plain INSERT
    message = Message.objects.get(case=case)
    assert message.pk is not None
    assert message.author is None
    assert bytes(message.body) == b"\x01" * 50


def test_json_and_an_explicit_primary_key_are_written_as_given(db):
    at = timezone.now() - timedelta(days=1)
    detail = {"source": "inquiry", "nested": [1, "два"]}
    fast_insert.insert(
        AuditEvent(seq=7, at=at, actor="a", action="x", detail=detail, prev_mac="p", mac="m")
    )
    stored = AuditEvent.objects.get(seq=7)
    assert (stored.at, stored.detail, stored.programme_id_ref) == (at, detail, None)


def test_a_constraint_still_refuses_a_row(case):
    fast_insert.insert(Codename(case=case, lookup_hash=b"same" * 8, wrapped_key=b"k"))
    with (
        pytest.raises(IntegrityError, match=r"UNIQUE constraint|duplicate key"),
        transaction.atomic(),
    ):
        fast_insert.insert(Codename(case=case, lookup_hash=b"same" * 8, wrapped_key=b"k"))
    assert Codename.objects.count() == 1
