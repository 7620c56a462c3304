"""A staff page read writes no session row within the minute (issue #25, point 1), and the idle
sign-out still comes after STAFF_IDLE_SECONDS of nothing."""

import pytest
from django.utils import timezone

from safepassage.programmes.roles import Role

pytestmark = pytest.mark.django_db


def session_rows() -> list[tuple[str, str]]:
    from safepassage.vault.sessions import SessionStore

    model = SessionStore.get_model_class()
    return sorted(model.objects.values_list("session_key", "session_data"))


def test_reading_pages_within_a_minute_writes_no_session_row(world, staff_client, time_machine):
    time_machine.move_to(timezone.now())
    verifier = staff_client(Role.VERIFIER)
    verifier.get("/ru/staff/")
    before = session_rows()
    for _ in range(3):
        assert verifier.get("/ru/staff/").status_code == 200
    assert session_rows() == before
    time_machine.shift(61)
    verifier.get("/ru/staff/")
    assert session_rows() != before  # stamped again after the minute


def test_a_staff_session_ends_after_its_idle_time(world, staff_client, time_machine, settings):
    settings.STAFF_IDLE_SECONDS = 300
    time_machine.move_to(timezone.now())
    verifier = staff_client(Role.VERIFIER)
    assert verifier.get("/ru/staff/").status_code == 200
    time_machine.shift(250)
    assert verifier.get("/ru/staff/").status_code == 200  # still within the idle time
    time_machine.shift(301)
    assert verifier.get("/ru/staff/")["Location"].startswith("/ru/staff/login/")
