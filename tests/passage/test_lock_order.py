"""Every writer locks a case before its crossing (docs/LOCK_ORDER.md), so two of them never
wait on each other. On PostgreSQL, a liaison acknowledging while the applicant cancels once
could deadlock: the liaison's writer locked the crossing first, the cancel the case first."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation

from safepassage.cases.models import Case
from safepassage.passage import notices
from safepassage.passage.models import Crossing
from safepassage.passage.planning import PlanRefused
from safepassage.programmes.roles import Role
from tests.fixtures.crossings import notify, verified_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_liaison_answering_while_the_case_moves_waits_instead_of_deadlocking(world, front):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time (sqlite/base.py): nothing to race")
    case = verified_case(Client())
    crossing = notify(world, case, front.orchard)
    case_locked, outcome = threading.Event(), {}

    def the_case_moves() -> None:
        # As transitions.perform takes its locks: the case, then (its effect) the crossing.
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                case_locked.set()
                time.sleep(0.5)  # the liaison's answer arrives now
                Crossing.objects.filter(pk=crossing.pk).update(status=Crossing.Status.WITHDRAWN)
            outcome["move"] = "committed"
        except Exception as error:
            outcome["move"] = repr(error)
        finally:
            connection.close()

    def the_liaison_answers() -> None:
        case_locked.wait()
        translation.activate("en")
        try:
            notices.acknowledge(
                crossing.pk,
                user=world.staff[Role.LIAISON],
                keys=world.unit_keys,
                now=timezone.now(),
            )
            outcome["answer"] = "acknowledged"
        except PlanRefused as refused:
            outcome["answer"] = f"refused: {refused.reason}"
        except Exception as error:
            outcome["answer"] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=the_case_moves),
        threading.Thread(target=the_liaison_answers),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {
        "move": "committed",
        "answer": "refused: This notice is no longer waiting for an answer.",
    }
