"""Properties of the transition table, driven by Hypothesis: whatever actions anyone tries,
in any order, a case only ever moves along a row of the table, by a role that row allows,
and every move is in the audit log; a refused action changes nothing and logs nothing."""

import contextlib
from datetime import date, timedelta
from typing import ClassVar

import pytest
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from safepassage.aftercare import consents
from safepassage.aftercare.models import Consent
from safepassage.audit.log import verify
from safepassage.audit.models import AuditEvent
from safepassage.cases import counts, submission, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib.acts import Refused
from safepassage.passage import outcomes, plans, windows
from safepassage.passage.models import Crossing, ReceivingUnit, Sector
from safepassage.passage.plan_contents import Plan
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.conftest import World, make_world

ACTORS = sorted({*Role, transitions.APPLICANT, transitions.SYSTEM})
WALK = ["apply", "start_verification", "verify", "schedule", "depart", "arrive", "register"]
PATH_TO = {
    State.INQUIRY: [],
    State.VERIFIED: WALK[:3],
    State.SCHEDULED: WALK[:4],
    State.RECEIVED: WALK[:6],
    State.REGISTERED: WALK,
}
ENDINGS = {"cancel", "reject", "mark_compromised", "record_death"}
ACTIONS = [*(t.action for t in transitions.TABLE), "no_such_action"]


class CaseLifecycle(RuleBasedStateMachine):
    # One programme for every run (made once: a world is slow to build).
    world: ClassVar[World]
    sector: ClassVar[Sector]
    case: Case
    state: str

    @initialize(start=st.sampled_from(list(PATH_TO)))
    def a_fresh_application(self, start):
        if not hasattr(CaseLifecycle, "world"):
            CaseLifecycle.world = make_world("fuzz", "Fuzz")
            unit = ReceivingUnit.objects.create(programme=self.world.programme, name="unit")
            CaseLifecycle.sector = Sector.objects.create(
                programme=self.world.programme,
                name="sector",
                description="landmarks",
                approach="approach",
                receiving_unit=unit,
            )
        receipt = submission.submit_application(
            self.world.programme,
            {"direction": "north", "group": "alone"},
            token=submission.new_submission_token(),
            language="ru",
            wants_to_apply=False,
        )
        assert receipt.created
        self.case = Case.objects.latest("pk")
        self.state = State.INQUIRY
        # Walk it by the rightful roles to where this run starts, so every run need not
        # find the long way to the far states by chance.
        for action in PATH_TO[start]:
            if action == "schedule":
                self.the_unit_acknowledges_a_notice()
            if action == "register":
                self.reception_registers()
                continue
            if action == "arrive":
                self.the_unit_reports_the_arrival()
                continue
            row = transitions.BY_ACTION[action]
            transitions.perform(self.case, action, roles=frozenset(row.allowed), actor="fuzz")
            self.state = row.target
        assert Case.objects.get(pk=self.case.pk).state == start

    @rule(data=st.data())
    def someone_tries(self, data):
        # Mostly actions that keep the case going, by the role the row names, so runs reach
        # the far states; sometimes anything at all, by anyone.
        onward = [t.action for t in transitions.TABLE if self.state in t.sources] or ACTIONS
        onward = [a for a in onward if a not in ENDINGS] or onward
        action = data.draw(st.sampled_from(onward) | st.sampled_from(ACTIONS))
        row = transitions.BY_ACTION.get(action)
        rightful = frozenset(row.allowed) if row else frozenset({Role.ADMIN})
        roles = data.draw(
            st.just(rightful) | st.frozensets(st.sampled_from(ACTORS), min_size=1, max_size=3)
        )
        if action == "schedule" and data.draw(st.booleans()):
            self.the_unit_acknowledges_a_notice()
        before = AuditEvent.objects.count()
        moves_before = self._moves()
        refusal = None
        try:
            transitions.perform(self.case, action, roles=roles, actor="fuzz")
        except transitions.TransitionRefused as refused:
            refusal = refused
        if refusal is not None:
            assert refusal.reason
            assert Case.objects.get(pk=self.case.pk).state == self.state
            assert AuditEvent.objects.count() == before
            return
        row = transitions.BY_ACTION[action]
        assert self.state in row.sources, f"{action} from {self.state}"
        assert row.allowed & roles
        self.state = row.target
        assert self._moves() == [*moves_before, f"case.{action}"]

    # The other ways a case moves: through the apps' own rules, which take the table's rows.

    @rule()
    def the_unit_acknowledges_a_notice(self):
        if (
            self.state == State.VERIFIED
            and not self.case.crossings.filter(status__in=Crossing.ACTIVE).exists()
        ):
            start = timezone.now() - timedelta(minutes=10)  # under way: arrival possible
            crossing = Crossing(
                case=self.case,
                unit=self.sector.receiving_unit,
                night=windows.night_of(start),
                status=Crossing.Status.ACKNOWLEDGED,
            )
            plan = Plan(
                sector_id=self.sector.pk,
                window_start=start,
                window_end=start + timedelta(hours=1),
                signal="arms_raised_spread",
                escort=Crossing.Escort.DRONE,
                head_count=1,
                survival_uncoordinated=0.1,
                survival_coordinated=0.4,
            )
            case_key = self.world.case_key(self.case)
            plans.seal(crossing, plan, unit=self.sector.receiving_unit, case_key=case_key)
            crossing.save()

    @rule()
    def the_unit_reports_the_arrival(self):
        """Every arrival goes through record_arrival, which opens the sealed window."""
        self._through_a_service(
            lambda: outcomes.record_arrival(
                self.case,
                arrived_at=timezone.now(),
                user=self.world.staff[Role.LIAISON],
                roles=frozenset({Role.LIAISON}),
                keys=self.world.unit_keys,
                now=timezone.now(),
            ),
            Refused,
        )

    @rule()
    def reception_registers(self):
        self._through_a_service(
            lambda: reception.register(
                self.case,
                {
                    "surname": "S",
                    "first_names": "F",
                    "rank": "R",
                    "date_of_birth": date(1990, 1, 1),
                    "service_number": "N",
                },
                user=self.world.staff[Role.RECEPTION],
                keyring=self.world.keyring,
            ),
            reception.ReceptionRefused,
        )

    @rule(kind=st.sampled_from(list(Consent.Kind)))
    def aftercare_records_a_consent(self, kind):
        self._through_a_service(
            lambda: consents.record_consent(
                self.case,
                kind,
                language="ru",
                user=self.world.staff[Role.AFTERCARE],
                keyring=self.world.keyring,
            ),
            consents.AftercareRefused,
        )

    @rule()
    def he_withdraws_his_consents(self):
        for consent in self.case.consents.filter(withdrawn_at__isnull=True):
            self._through_a_service(
                lambda c=consent: consents.withdraw_consent(
                    self.case, c.pk, user=self.world.staff[Role.AFTERCARE]
                ),
                consents.AftercareRefused,
            )

    def _through_a_service(self, call, refusal):
        moves_before = self._moves()
        with contextlib.suppress(refusal):  # a refusal is a fine outcome; checked below
            call()
        self.case.refresh_from_db()
        moves = self._moves()
        if self.case.state != self.state:
            assert len(moves) == len(moves_before) + 1, "a move without its audit entry"
            row = transitions.BY_ACTION[moves[-1].removeprefix("case.")]
            assert self.state in row.sources
            assert row.target == self.case.state
            self.state = self.case.state
        else:
            assert moves == moves_before

    def _moves(self):
        return list(
            AuditEvent.objects.filter(case_ref=self.case.reference, detail__has_key="target")
            .order_by("seq")
            .values_list("action", flat=True)
        )

    @invariant()
    def the_stored_state_is_the_one_the_table_led_to(self):
        if hasattr(self, "case"):
            stored = Case.objects.get(pk=self.case.pk).state
            assert stored == self.state
            assert stored in State.values

    @invariant()
    def the_counters_agree_with_the_cases(self):
        if hasattr(CaseLifecycle, "world"):
            ids = [self.world.programme.pk]
            rows = Case.objects.filter(programme_id__in=ids).values_list("state")
            actual = {state: n for state, n in rows.annotate(n=Count("pk")) if n}
            assert {s: n for s, n in counts.by_state(ids).items() if n} == actual

    @invariant()
    def the_audit_chain_holds(self):  # (checked whole each step: keep the runs small)
        assert verify() == []


@pytest.mark.django_db
def test_no_sequence_of_actions_leaves_the_table_or_skips_the_audit():
    with contextlib.suppress(AttributeError):
        del CaseLifecycle.world  # a fresh programme for this database
    run = CaseLifecycle.TestCase
    run.settings = settings(
        max_examples=60,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    run().runTest()
