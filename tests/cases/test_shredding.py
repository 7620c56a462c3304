"""Crypto-shredding leaves nothing behind (issue #16): not the crossing plan, not the
applicant's open sessions, not the old bytes in SQLite's write-ahead log."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from safepassage.audit import log
from safepassage.cases import retention
from safepassage.cases.models import Case, CaseKey, Codename
from safepassage.passage.models import Crossing
from tests.conftest import audit_entries, enter, submit
from tests.fixtures.crossings import notify, verified_with_codename


@pytest.mark.django_db
def test_shredding_ends_his_sessions_and_his_open_page_asks_him_to_sign_in(world, client):
    codename = submit(client)
    applicant, bystander = Client(), Client()
    enter(applicant, codename)
    bystander.get("/en/enter/")
    sessions = Session.objects.count()
    retention.shred(Case.objects.get(), actor=log.SYSTEM)
    assert Session.objects.count() == sessions - 1  # his, and only his
    assert applicant.get("/en/my/")["Location"] == "/en/enter/"
    assert bystander.get("/en/enter/").status_code == 200


@pytest.mark.django_db
def test_shredding_destroys_the_crossing_plan(world, front, client):
    case, _codename = verified_with_codename(client)
    notify(world, case, front.orchard)
    retention.shred(case, actor=log.SYSTEM)
    assert not Crossing.objects.filter(case=case).exists()
    assert audit_entries("case.opened", case_ref=case.reference) == [("applicant", {})]
    assert audit_entries("case.shredded", case_ref=case.reference) == [("system", {})]


@pytest.mark.django_db(transaction=True)
def test_shredding_leaves_no_old_bytes_in_the_database_file_or_its_log(world, client):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own files; PostgreSQL's are its server's")
    submit(client)
    case = Case.objects.get()
    secrets = [
        bytes(case.dossier)[-40:],
        bytes(case.identity)[-40:],
        *(bytes(key.sealed)[-40:] for key in CaseKey.objects.filter(case=case)),
        bytes(Codename.objects.get().wrapped_key)[-40:],
    ]
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1  # freed pages are zeroed
    retention.shred(case, actor=log.SYSTEM)
    with open(name + "-wal", "rb") as wal, open(name, "rb") as database:
        raw = wal.read() + database.read()  # read while the connection is still open
    for secret in secrets:
        assert secret not in raw
