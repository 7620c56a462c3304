"""Planning one crossing: the notice, the liaison's answer, the instructions, the endings."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.log import verify
from safepassage.audit.models import AuditEvent
from safepassage.cases import applicant_writers, probes, queues, transitions
from safepassage.cases.models import ProbeSignal
from safepassage.passage import (
    calibration,
    instructions,
    learning,
    notices,
    outcomes,
    planning,
    plans,
    windows,
)
from safepassage.passage.models import Crossing, Sector
from safepassage.programmes.roles import Role
from safepassage.reception.models import Prisoner
from tests.conftest import audit_entries, enter, found, refusal, sign_in, text_of
from tests.fixtures.crossings import (
    at,
    crossed,
    first_window,
    into_the_past,
    notify,
    replan,
    under_way,
    verified_case,
    verified_with_codename,
)

pytestmark = pytest.mark.django_db


def actions(case):
    return list(
        AuditEvent.objects.filter(case_ref=case.reference)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_the_coordinator_sees_a_suggestion_with_and_without_coordination(
    world, front, client, staff_client
):
    case = verified_case(client)
    html = (
        staff_client(Role.COORDINATOR)
        .get(f"/en/staff/case/{case.reference}/crossing/")
        .content.decode()
    )
    assert "Planner suggestion" in html
    assert "Orchard" in html

    without = float(found(r'id="p-uncoordinated">([\d.]+)<', html))
    with_ = float(found(r'id="p-coordinated">([\d.]+)<', html))
    assert without < 0.10 < with_
    coordinator = world.staff[Role.COORDINATOR]
    reads = audit_entries("case.read", case_ref=case.reference)
    assert reads == [(f"staff:{coordinator.pk}", {"groups": ["planning"]})]


def test_a_case_is_scheduled_only_after_the_liaison_acknowledges(
    world, front, client, staff_client
):
    case = verified_case(client)
    coordinator = staff_client(Role.COORDINATOR)
    window = first_window()
    response = coordinator.post(
        f"/en/staff/case/{case.reference}/crossing/plan/",
        {
            "sector": front.orchard.pk,
            "window": window.key,
            "signal": "white_cloth_arm",
            "escort": "drone",
            "head_count": "1",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "verified"
    with pytest.raises(transitions.TransitionRefused, match="not acknowledged"):
        transitions.perform(case, "schedule", roles=frozenset({Role.COORDINATOR}), actor="x")

    liaison = staff_client(Role.LIAISON)
    page = liaison.get("/en/staff/notices/").content.decode()
    crossing = Crossing.objects.get()
    assert f"notice-{crossing.pk}" in page
    assert "White cloth on the arm" in page
    assert "south-east tree line" in page
    assert "Kyiv time" in page
    assert liaison.post(f"/en/staff/notices/{crossing.pk}/acknowledge/").status_code == 302
    case.refresh_from_db()
    assert case.state == "scheduled"
    events = actions(case)
    acknowledged_at = events.index("passage.notice_acknowledged")
    assert events[acknowledged_at + 1] == "case.schedule"  # same transaction, in this order
    assert verify() == []


def test_the_liaison_never_sees_who_is_coming(world, front, client, staff_client):
    case = verified_case(
        client, surname="Zhukovsky", direction="Near the water tower east of Rabotino"
    )
    notify(world, case, front.orchard)
    liaison = staff_client(Role.LIAISON)
    html = liaison.get("/en/staff/notices/").content.decode()
    assert "Orchard" in html
    for secret in ("Zhukovsky", "Arkady", "Rabotino", "AB-123456", case.reference, "motor rifle"):
        assert secret not in html
    assert liaison.get(f"/en/staff/case/{case.reference}/crossing/").status_code == 404


def test_a_liaison_sees_and_answers_only_their_own_sectors_notices(world, front, client):
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    other = sign_in(Client(), front.other_liaison)
    assert f"notice-{crossing.pk}" not in other.get("/en/staff/notices/").content.decode()
    assert other.post(f"/en/staff/notices/{crossing.pk}/acknowledge/").status_code == 404
    crossing.refresh_from_db()
    assert crossing.status == "notified"


def test_a_decline_needs_a_reason_and_leaves_the_case_verified(world, front, client, staff_client):
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    liaison = staff_client(Role.LIAISON)
    empty = liaison.post(f"/en/staff/notices/{crossing.pk}/decline/", {"reason": ""})
    assert empty.status_code == 400
    assert "This field is required" in empty.content.decode()
    bad = liaison.post(f"/en/staff/notices/{crossing.pk}/decline/", {"reason": "a\x00b"})
    assert bad.status_code == 400
    liaison.post(f"/en/staff/notices/{crossing.pk}/decline/", {"reason": "Rotation that night"})
    crossing.refresh_from_db()
    case.refresh_from_db()
    assert crossing.status == "declined"
    assert case.state == "verified"
    html = (
        staff_client(Role.COORDINATOR)
        .get(f"/en/staff/case/{case.reference}/crossing/")
        .content.decode()
    )
    assert "Rotation that night" in html
    assert "Planner suggestion" in html
    assert audit_entries("passage.notice_declined", case_ref=case.reference) == [
        (f"staff:{world.staff[Role.LIAISON].pk}", {"crossing": crossing.pk})
    ]


def test_bad_plan_input_is_a_clear_refusal_not_a_500(world, front, client, staff_client):
    case = verified_case(client)
    coordinator = staff_client(Role.COORDINATOR)
    url = f"/en/staff/case/{case.reference}/crossing/plan/"
    garbage = coordinator.post(
        url, {"sector": "x", "window": "never", "signal": "wave", "head_count": "-3"}
    )
    assert garbage.status_code == 400
    assert "Select a valid choice" in garbage.content.decode()
    assert not Crossing.objects.exists()


def test_a_full_window_and_a_resting_signal_are_refused(world, front, client):
    first, second, third = (verified_case(client) for _ in range(3))
    window = first_window()
    notify(world, first, front.orchard, window=window, signal="arms_raised_spread")
    with pytest.raises(planning.PlanRefused, match="no room"):
        notify(world, second, front.orchard, window=window, signal="arms_letter_l")
    later = next(w for w in windows.upcoming(timezone.now()) if w.night != window.night)
    with pytest.raises(planning.PlanRefused, match="too recently"):
        notify(world, third, front.orchard, window=later, signal="arms_raised_spread")
    notify(world, third, front.orchard, window=later, signal="arms_letter_l")


def test_one_case_has_one_crossing_in_preparation(world, front, client):
    case = verified_case(client)
    notify(world, case, front.orchard)
    with pytest.raises(planning.PlanRefused, match="already has a crossing in preparation"):
        notify(world, case, front.quarry)


def acknowledged(world, front, client, **overrides):
    case = verified_case(client, **overrides)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    case.refresh_from_db()
    crossing.refresh_from_db()
    return case, crossing


def window_of(crossing):
    return windows.Window(crossing.window_start, crossing.window_end)


def test_instructions_appear_only_within_the_lead_time_and_after_acknowledgement(
    world, front, client, settings
):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    window = window_of(crossing)
    assert (
        instructions.instructions_for(case, world.case_key(case), at(window, -1)) is None
    )  # not acknowledged
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=at(window, -30)
    )
    case.refresh_from_db()
    assert (
        instructions.instructions_for(case, world.case_key(case), at(window, -25)) is None
    )  # too early
    shown = instructions.instructions_for(case, world.case_key(case), at(window, -23))
    assert shown is not None
    assert shown.signal.key == "arms_raised_spread"
    assert shown.when.endswith("· Moscow time (UTC+3)")
    assert (
        instructions.instructions_for(case, world.case_key(case), at(window, 5)) is None
    )  # the window is over
    assert "passage.instructions_released" not in actions(case)  # reading writes nothing
    instructions.release_instructions(case, shown, at(window, -23))
    instructions.release_instructions(case, shown, at(window, -22))  # a second view
    assert actions(case).count("passage.instructions_released") == 1
    crossing.refresh_from_db()
    assert crossing.instructions_shown_at == at(window, -23)


@pytest.mark.parametrize("writer", ["release_instructions", "applicant_confirms"])
def test_a_failed_audit_write_leaves_neither_the_time_nor_the_entry(
    world, front, client, settings, monkeypatch, writer
):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    case.refresh_from_db()
    shown = instructions.instructions_for(case, world.case_key(case), timezone.now())
    before = AuditEvent.objects.count()

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(log, "_append", disk_full)
    assert shown is not None
    write: Callable[[], object]
    if writer == "release_instructions":
        write = partial(instructions.release_instructions, case, shown, timezone.now())
    else:
        write = partial(instructions.applicant_confirms, case, world.case_key(case), timezone.now())
    with pytest.raises(RuntimeError, match="disk full"):
        write()
    crossing.refresh_from_db()
    assert crossing.instructions_shown_at is None
    assert crossing.applicant_confirmed_at is None
    assert AuditEvent.objects.count() == before


def test_the_applicant_reads_confirms_and_can_print(world, front, client, settings):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    case, codename = verified_with_codename(client)
    crossing = notify(world, case, front.orchard)
    applicant = Client()
    enter(applicant, codename)
    assert 'id="instructions"' not in applicant.get("/en/my/").content.decode()
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    html = applicant.get("/en/my/").content.decode()
    assert 'id="instructions"' in html
    assert "burnt orchard" in html
    assert "Moscow time" in html
    assert "Raise both arms straight up" in html
    assert "Follow the drone at walking pace" in html
    applicant.post("/en/my/confirm-crossing/")
    crossing.refresh_from_db()
    assert crossing.applicant_confirmed_at is not None
    assert "We are expecting you" in applicant.get("/en/my/").content.decode()
    assert audit_entries("passage.notice_acknowledged", case_ref=case.reference) == [
        (f"staff:{world.staff[Role.LIAISON].pk}", {"crossing": crossing.pk})
    ]
    by_him = [("applicant", {"crossing": crossing.pk})]
    assert audit_entries("passage.instructions_released", case_ref=case.reference) == by_him
    assert audit_entries("passage.applicant_confirmed", case_ref=case.reference) == by_him


def test_a_probe_suspect_gets_no_instructions_until_a_verifier_releases_them(
    world, front, client, settings, staff_client
):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    case, _crossing = acknowledged(world, front, client)
    ProbeSignal.objects.create(case=case, kind=ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS)
    # One automatic signal alone holds nothing back: the adversary can make one fall on a
    # real applicant.
    assert instructions.instructions_for(case, world.case_key(case), timezone.now()) is not None
    ProbeSignal.objects.create(case=case, kind=ProbeSignal.Kind.BURST)
    assert probes.probe_risk(case) > settings.PASSAGE_PROBE_RISK_THRESHOLD
    assert instructions.instructions_for(case, world.case_key(case), timezone.now()) is None
    assert (
        staff_client(Role.COORDINATOR)
        .post(f"/en/staff/case/{case.reference}/crossing/override/", {"reason": "x"})
        .status_code
        == 404
    )
    verifier = staff_client(Role.VERIFIER)
    page = verifier.get(f"/en/staff/case/{case.reference}/crossing/").content.decode()
    assert "held back" in page
    verifier.post(
        f"/en/staff/case/{case.reference}/crossing/override/", {"reason": "Known to us by phone"}
    )
    assert instructions.instructions_for(case, world.case_key(case), timezone.now()) is not None
    overrides = audit_entries("passage.probe_hold_overridden", case_ref=case.reference)
    assert overrides == [
        (
            f"staff:{world.staff[Role.VERIFIER].pk}",
            {"crossing": case.crossings.get().pk, "probe_risk": 0.58},
        )
    ]


def test_a_lone_burst_signal_does_not_hold_instructions_back(world, front, client, settings):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    case, _ = acknowledged(world, front, client)
    ProbeSignal.objects.create(case=case, kind=ProbeSignal.Kind.BURST)
    assert instructions.instructions_for(case, world.case_key(case), timezone.now()) is not None


@pytest.mark.parametrize("action", ["cancel", "request_other_time"])
def test_the_applicant_calling_it_off_withdraws_the_notice(
    world, front, client, staff_client, action
):
    case, crossing = acknowledged(world, front, client)
    applicant_writers.applicant_action(case, action)
    crossing.refresh_from_db()
    case.refresh_from_db()
    assert crossing.status == "withdrawn"
    assert crossing.closed_reason == action
    assert case.state == ("cancelled" if action == "cancel" else "verified")
    html = staff_client(Role.LIAISON).get("/en/staff/notices/").content.decode()
    assert "do not expect anyone" in html


def test_unanswered_notices_expire_and_missed_windows_return_the_case(
    world, front, client, settings
):
    """The worker holds no key: it knows only the plain night, and acts when it is over."""
    unanswered_case = verified_case(client)
    unanswered = notify(world, unanswered_case, front.quarry)
    case, crossing = acknowledged(world, front, client)
    window = window_of(crossing)
    assert notices.expire(at(window, 1)) == notices.Expired(0, 0)  # the night goes on
    night_over = windows.night_begins(window.night) + timedelta(days=1, minutes=1)
    result = notices.expire(night_over)
    assert result.unanswered == 1
    assert result.missed == 0
    unanswered.refresh_from_db()
    assert unanswered.status == "expired"
    grace = settings.PASSAGE_MISSED_GRACE_HOURS
    assert notices.expire(night_over + timedelta(hours=grace - 1)).missed == 0
    result = notices.expire(night_over + timedelta(hours=grace))
    assert result.missed == 1
    crossing.refresh_from_db()
    case.refresh_from_db()
    assert case.state == "verified"
    assert crossing.status == "withdrawn"
    assert crossing.closed_reason == "window_missed"
    assert audit_entries("passage.notice_withdrawn", case_ref=case.reference) == [
        ("system", {"crossing": crossing.pk, "reason": "unschedule"})
    ]


def test_a_session_that_reads_the_window_withdraws_an_unanswered_notice_when_it_begins(
    world, front, client, staff_client
):
    """The coordinator's page opens the plan, so it need not wait for the night's end."""
    case = verified_case(client)
    crossing = replan(
        world,
        notify(world, case, front.orchard),
        window_start=timezone.now() - timedelta(minutes=1),
        window_end=timezone.now() + timedelta(minutes=89),
    )
    assert crossing.status == "notified"
    page = staff_client(Role.COORDINATOR).get(f"/en/staff/case/{case.reference}/crossing/")
    assert "not acknowledged before the window began" in text_of(page.content.decode())
    crossing.refresh_from_db()
    assert crossing.status == "expired"
    assert crossing.closed_reason == "unanswered"


def typed(moment):
    """A moment as the arrival field takes it: local time in the window zone."""
    return moment.astimezone(ZoneInfo("Europe/Kyiv")).strftime("%Y-%m-%dT%H:%M")


def test_the_liaison_reports_arrival_at_the_time_he_saw_it(world, front, client, staff_client):
    case, crossing = acknowledged(world, front, client)
    liaison = staff_client(Role.LIAISON)
    url = f"/en/staff/notices/{crossing.pk}/arrived/"
    early = liaison.post(url, {"arrived_at": typed(timezone.now()), "confirmed": "yes"})
    assert refusal(liaison, early).startswith(
        "The window has not begun yet: an arrival can be recorded from "
    )
    crossing = under_way(world, crossing)
    before_window = crossing.window_start - timedelta(minutes=31)
    refused = liaison.post(url, {"arrived_at": typed(before_window), "confirmed": "yes"})
    assert refusal(liaison, refused).startswith("The window has not begun yet")
    future = liaison.post(
        url, {"arrived_at": typed(timezone.now() + timedelta(hours=1)), "confirmed": "yes"}
    )
    assert "cannot be in the future" in refusal(liaison, future)
    case.refresh_from_db()
    assert case.state == "scheduled"
    assert not Prisoner.objects.filter(case=case).exists()
    seen = (crossing.window_start + timedelta(minutes=5)).replace(second=0, microsecond=0)
    assert liaison.post(url, {"arrived_at": typed(seen), "confirmed": "yes"}).status_code == 302
    case.refresh_from_db()
    crossing.refresh_from_db()
    assert case.state == "received"
    assert crossing.outcome == "arrived"
    assert Prisoner.objects.get(case=case).captured_at == seen  # the reported time


def test_nobody_records_an_arrival_hours_before_the_window(
    world, front, client, staff_client, time_machine
):
    case, crossing = acknowledged(world, front, client)
    coordinator = staff_client(Role.COORDINATOR)
    response = coordinator.post(
        f"/en/staff/case/{case.reference}/crossing/outcome/",
        {"outcome": "arrived", "confirmed": "yes"},
    )
    assert "The window has not begun yet" in refusal(coordinator, response)
    with pytest.raises(planning.PlanRefused, match="The window has not begun yet"):
        outcomes.record_arrival(
            case,
            arrived_at=timezone.now(),
            user=world.staff[Role.COORDINATOR],
            keys=world.keys,
            roles=frozenset({Role.COORDINATOR}),
            now=timezone.now(),
        )
    # The table alone holds no key to read the window: it admits only an arrival that
    # record_arrival checked and wrote, even once the window is open (moved there, since
    # whether the crossing's night has begun yet depends on the hour the test runs).
    time_machine.move_to(crossing.window_start)
    with pytest.raises(transitions.TransitionRefused, match="Record the arrival with its time"):
        transitions.perform(case, "arrive", roles=frozenset({Role.RECEPTION}), actor="staff:t")
    case.refresh_from_db()
    assert case.state == "scheduled"
    assert not Prisoner.objects.filter(case=case).exists()


def test_outcomes_move_the_case_and_killed_is_never_a_surrender(world, front, client, staff_client):
    coordinator = staff_client(Role.COORDINATOR)
    expected = {"killed": "lost", "captured": "compromised", "turned_back": "verified"}
    for outcome, state in expected.items():
        case, crossing = acknowledged(world, front, client)
        url = f"/en/staff/case/{case.reference}/crossing/outcome/"
        asked = coordinator.post(url, {"outcome": outcome})
        assert asked.status_code == 200
        assert 'id="confirm-step"' in asked.content.decode()
        ends_case = outcome != "turned_back"
        if ends_case:
            unexplained = coordinator.post(url, {"outcome": outcome, "confirmed": "yes"})
            assert unexplained.status_code == 400
            assert "Give the reason" in text_of(unexplained.content.decode(), "confirm-step")
        case.refresh_from_db()
        assert case.state == "scheduled"  # asking changed nothing
        reason = "Seen by the drone operator" if ends_case else ""
        response = coordinator.post(url, {"outcome": outcome, "confirmed": "yes", "reason": reason})
        assert response.status_code == 302
        case.refresh_from_db()
        crossing.refresh_from_db()
        assert (case.state, crossing.outcome, crossing.status) == (state, outcome, "completed")
        into_the_past(world, crossing)
    assert queues.counters([world.programme.pk]).crossed == 0


def test_missing_stays_in_transit_and_can_still_arrive(world, front, client, staff_client):
    case, crossing = acknowledged(world, front, client)
    coordinator = staff_client(Role.COORDINATOR)
    url = f"/en/staff/case/{case.reference}/crossing/outcome/"
    coordinator.post(url, {"outcome": "missing", "confirmed": "yes"})
    case.refresh_from_db()
    assert case.state == "in_transit"
    under_way(world, crossing)
    coordinator.post(url, {"outcome": "arrived", "confirmed": "yes"})
    case.refresh_from_db()
    crossing.refresh_from_db()
    assert case.state == "received"
    assert crossing.outcome == "arrived"
    assert queues.counters([world.programme.pk]).crossed == 1
    by_coordinator = f"staff:{world.staff[Role.COORDINATOR].pk}"
    assert audit_entries("passage.outcome", case_ref=case.reference) == [
        (by_coordinator, {"crossing": crossing.pk, "outcome": "missing"}),
        (by_coordinator, {"crossing": crossing.pk, "outcome": "arrived"}),
    ]


def test_calibration_compares_predicted_and_observed_per_sector(world, front, client, staff_client):
    for outcome in ("arrived", "arrived", "killed", "turned_back"):
        crossed(world, front, client, outcome)
    # Counted in a key holder's session: the sector of a crossing is sealed.
    assert calibration.calibration(world.programme)[0].crossings == 0
    assert learning.count_outcomes(world.programme.pk, world.keyring) == 4
    assert learning.count_outcomes(world.programme.pk, world.keyring) == 0  # once each
    rows = {row.sector: row for row in calibration.calibration(world.programme)}
    orchard = rows["Orchard"]
    assert orchard.crossings == 3  # turned back is left out
    assert orchard.observed == pytest.approx(2 / 3)
    attempted = Crossing.objects.exclude(outcome__in=["", "turned_back"]).select_related("unit")
    predicted = [c.survival_coordinated for c in plans.opened(attempted, world.keys)]
    assert orchard.predicted == pytest.approx(sum(predicted) / len(predicted))
    assert orchard.interval[0] < 2 / 3 < orchard.interval[1]
    html = staff_client(Role.ADMIN).get("/en/staff/p/north/calibration/").content.decode()
    assert "Orchard" in html
    assert "0.67" in html
    untried = Sector.objects.exclude(pk=front.orchard.pk).get()
    row = text_of(html, f"sector-{untried.pk}").split()
    assert row[len(untried.name.split()) : len(untried.name.split()) + 4] == ["0", "—", "—", "—"]


def test_a_duress_sign_in_holds_the_instructions_back_until_a_verifier_decides(
    world, front, client, settings
):
    case, codename = verified_with_codename(client)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    applicant = Client()
    enter(applicant, codename)
    page = applicant.post("/en/my/duress/").content.decode()

    duress = found(r'id="duress-codename">([^<]+)<', page)
    captor = Client()
    enter(captor, duress)
    html = captor.get("/en/my/").content.decode()
    assert "burnt orchard" not in html
    assert 'id="instructions"' not in html
    crossing.refresh_from_db()
    case.refresh_from_db()
    assert case.state == "scheduled"
    assert crossing.status == "acknowledged"
    assert (
        instructions.instructions_for(case, world.case_key(case), timezone.now()) is None
    )  # held back
    own = applicant.get("/en/my/").content.decode()
    assert 'id="instructions"' not in own
    assert text_of(own, "status").startswith("Your crossing is on hold. Do not go")


def test_an_applicant_in_transit_cannot_cancel_even_by_posting_directly(
    world, front, client, staff_client
):
    case, codename = verified_with_codename(client)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    transitions.perform(case, "depart", roles=frozenset({Role.COORDINATOR}), actor="staff:t")
    applicant = Client()
    enter(applicant, codename)
    assert 'href="/en/my/cancel/"' not in applicant.get("/en/my/").content.decode()
    response = applicant.post("/en/my/cancel/")
    assert response.status_code == 302
    assert response["Location"] == "/en/my/"
    case.refresh_from_db()
    crossing.refresh_from_db()
    assert case.state == "in_transit"
    assert crossing.status == "acknowledged"
    with pytest.raises(transitions.TransitionRefused, match="not possible in the case's state"):
        transitions.perform(case, "cancel", roles=frozenset({"applicant"}), actor="applicant")
    assert AuditEvent.objects.filter(case_ref=case.reference, action="case.cancel").count() == 0


def test_no_audit_entry_says_where_when_or_with_which_signal(world, front, client):
    case, crossing = acknowledged(world, front, client)
    under_way(world, crossing)
    outcomes.record_outcome(
        case,
        "arrived",
        user=world.staff[Role.COORDINATOR],
        keys=world.keys,
        roles=frozenset({Role.COORDINATOR}),
        now=timezone.now(),
    )
    details = list(AuditEvent.objects.values_list("detail", flat=True))
    assert len(details) > 5
    for detail in details:
        assert not {"sector", "window", "signal", "escort"} & set(detail), detail
        assert crossing.signal not in str(detail)
        assert "Orchard" not in str(detail)
