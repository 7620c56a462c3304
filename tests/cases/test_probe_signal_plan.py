"""Issue #25, goal 2 (in part): the attention list on every staff page starts from the open
probe signals, never from a programme's cases, however many cases there are."""

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from safepassage.cases import probes
from safepassage.cases.models import Case, ProbeSignal
from tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_a_signal_carries_its_cases_programme(world):
    submit(Client())
    case = Case.objects.get()
    signal = ProbeSignal.objects.create(case=case, kind=ProbeSignal.Kind.MANUAL)
    assert signal.programme_id == world.programme.pk


def test_the_open_signals_are_found_from_the_signals_themselves(world):
    for _ in range(5):
        submit(Client())
    first = Case.objects.earliest("pk")
    ProbeSignal.objects.create(case=first, kind=ProbeSignal.Kind.BURST)
    # A programme's history is mostly cleared signals: the open ones are found by the index.
    cleared = timezone.now()
    ProbeSignal.objects.bulk_create(
        ProbeSignal(case=first, programme=world.programme, kind="manual", cleared_at=cleared)
        for _ in range(300)
    )
    query = probes.open_probe_signals([world.programme.pk])
    sql, params = query.query.sql_with_params()
    where = sql.split(" WHERE ", 1)[1]
    assert '"cases_probesignal"."programme_id" IN' in where
    assert '"cases_case"' not in where  # the case is joined for display, never searched
    assert [s.kind for s in query] == ["burst"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " | ".join(row[-1] for row in cursor.fetchall())
        assert plan.startswith("SEARCH cases_probesignal USING INDEX open_probe_signals"), plan
        assert "SCAN cases_case" not in plan, plan
