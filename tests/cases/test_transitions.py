"""The state machine: only the table moves a case, only the roles it names, always audited."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.audit.models import AuditEvent
from safepassage.cases import counts, transitions
from safepassage.cases.models import Case, ProbeSignal
from safepassage.cases.queues import counters
from safepassage.cases.states import State
from safepassage.programmes.roles import Role
from safepassage.programmes.services import create_programme

ACTORS = sorted({actor for t in transitions.TABLE for actor in t.allowed} | {str(Role.ADMIN)})


@pytest.fixture
def programme(db):
    return create_programme("t", "T")[0]


def new_case(programme, state=State.INQUIRY):
    return Case.objects.create(
        programme=programme, reference=f"R{Case.objects.count()}", state=state, dossier=b""
    )


def test_every_state_is_reachable_or_initial_and_every_target_is_a_state():
    targets = {State(t.target) for t in transitions.TABLE}
    assert set(State) - targets == {State.INQUIRY}
    assert all(source in State.values for t in transitions.TABLE for source in t.sources)


def test_an_applicant_can_cancel_but_not_verify(programme):
    case = new_case(programme, State.VERIFYING)
    with pytest.raises(transitions.TransitionRefused, match="Your role may not"):
        transitions.perform(case, "verify", roles=frozenset({"applicant"}), actor="applicant")
    transitions.perform(case, "cancel", roles=frozenset({"applicant"}), actor="applicant")
    assert Case.objects.get(pk=case.pk).state == State.CANCELLED


def test_a_liaison_and_an_admin_cannot_reject(programme):
    case = new_case(programme, State.APPLIED)
    for role in (Role.LIAISON, Role.ADMIN):
        with pytest.raises(transitions.TransitionRefused, match="Your role may not"):
            transitions.perform(case, "reject", roles=frozenset({role}), actor="staff:1")


def test_a_manual_probe_flag_blocks_verification(programme):
    case = new_case(programme, State.VERIFYING)
    ProbeSignal.objects.create(case=case, kind=ProbeSignal.Kind.MANUAL)
    with pytest.raises(transitions.TransitionRefused, match="probe"):
        transitions.perform(case, "verify", roles=frozenset({Role.VERIFIER}), actor="staff:1")


def test_scheduling_waits_for_an_acknowledged_hold_fire_notice(programme):
    case = new_case(programme, State.VERIFIED)
    with pytest.raises(transitions.TransitionRefused, match="hold-fire"):
        transitions.perform(case, "schedule", roles=frozenset({Role.COORDINATOR}), actor="s")


def test_a_transition_and_its_audit_entry_are_one(programme):
    case = new_case(programme, State.APPLIED)
    transitions.perform(case, "start_verification", roles=frozenset({Role.VERIFIER}), actor="s")
    event = AuditEvent.objects.get(action="case.start_verification")
    assert event.case_ref == case.reference
    assert event.detail == {"source": "applied", "target": "verifying", "reason_given": False}


def test_a_new_case_opened_by_an_application_reads_in_the_log_as_opened_then_applied(programme):
    case = Case(programme=programme, reference="NEW1", dossier=b"")
    transitions.create_case(case, action="apply", roles=frozenset({"applicant"}), actor="applicant")
    assert Case.objects.get(pk=case.pk).state == State.APPLIED
    events = list(AuditEvent.objects.filter(case_ref="NEW1").order_by("seq"))
    assert [e.action for e in events] == ["case.opened", "case.apply"]
    assert events[1].detail == {"source": "inquiry", "target": "applied", "reason_given": False}
    assert counts.by_state([programme.pk]) == {State.APPLIED: 1}


def test_a_new_case_takes_only_what_the_table_allows_from_inquiry(programme):
    staff = frozenset({Role.VERIFIER})
    with pytest.raises(transitions.TransitionRefused, match="Your role may not"):
        transitions.create_case(
            Case(programme=programme, reference="N1"), action="apply", roles=staff, actor="staff:1"
        )
    with pytest.raises(transitions.TransitionRefused, match="not possible in the case's state"):
        transitions.create_case(
            Case(programme=programme, reference="N2"), action="verify", roles=staff, actor="staff:1"
        )
    # Cancelling has an effect (it ends the crossing), which only `perform` runs.
    with pytest.raises(ValueError, match="guard or an effect"):
        transitions.create_case(
            Case(programme=programme, reference="N3"),
            action="cancel",
            roles=frozenset({"applicant"}),
            actor="applicant",
        )
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="case.").exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(transitions.BY_ACTION)), st.sampled_from(ACTORS)),
        max_size=12,
    )
)
def test_no_sequence_of_actions_leaves_the_table_or_skips_the_audit(programme, steps):
    case = new_case(programme)
    state = case.state
    for action, actor in steps:
        before = AuditEvent.objects.count()
        rule = transitions.BY_ACTION[action]
        allowed = (
            state in rule.sources
            and actor in rule.allowed
            and not (rule.guard and transitions.rule(rule.guard)(case, timezone.now()))
        )
        try:
            transitions.perform(case, action, roles=frozenset({actor}), actor=actor)
        except transitions.TransitionRefused:
            assert not allowed
            assert AuditEvent.objects.count() == before
            continue
        assert allowed
        assert (state, action, case.state) == (state, action, rule.target)
        assert AuditEvent.objects.count() == before + 1
        state = case.state
    assert Case.objects.get(pk=case.pk).state == state


def test_intake_closes_an_answered_question_which_never_counts_as_an_application(programme):
    case = new_case(programme)
    assert case.state == State.INQUIRY
    transitions.perform(case, "close_answered", roles=frozenset({Role.INTAKE}), actor="t")
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED
    totals = counters([programme.pk])
    assert totals.by_state["answered"] == 1
    assert totals.applications == 0
    assert totals.crossed == 0
    with pytest.raises(transitions.TransitionRefused, match="not possible in the case's state"):
        transitions.perform(case, "apply", roles=frozenset({"applicant"}), actor="t")


def test_every_guard_and_effect_the_table_names_exists_and_cases_imports_no_app_above_it():
    for row in transitions.TABLE:
        for path in (row.guard, row.effect):
            if path is not None:
                assert callable(transitions.rule(path)), (row.action, path)
    source = (Path(transitions.__file__).parent).rglob("*.py")
    imports_above = re.compile(
        r"^\s*(from|import) safepassage\.(passage|reception|aftercare|volunteer)\b", re.M
    )
    for module in source:
        assert not imports_above.search(module.read_text()), module
