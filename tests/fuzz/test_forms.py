"""Random input into every form, applicant and staff: never a server error, and a refused
form writes nothing."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.programmes.roles import Role
from tests.conftest import enter, sign_in
from tests.fixtures.prisoners import received_case

# Any text a browser could send: every code point but lone surrogates, which no encoder sends.
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
value = text | st.sampled_from(["", "0", "-1", "1e309", "31.02.1994", "on", "NaN", "../"])
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form(*fields: str) -> st.SearchStrategy[dict[str, str]]:
    known = st.fixed_dictionaries({}, optional={name: value for name in fields})
    extra = st.dictionaries(text.filter(bool), value, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


APPLICATION = (
    "intent direction group group_size surname first_names rank date_of_birth "
    "service_number unit service_type equipment message token"
).split()


@pytest.mark.django_db
@FUZZ
@given(data=form(*APPLICATION))
def test_the_application_form(world, data):
    before = Case.objects.count()
    response = Client().post("/ru/north/apply/", data)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:  # stored, then the codename page
        assert response["Location"] == "/ru/north/apply/received/"
        assert Case.objects.count() == before + 1
    else:
        assert Case.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(codename=value, reply=form("text"), action=st.sampled_from(["cancel", "x", "apply"]))
def test_codename_entry_and_the_applicants_pages(world, codename, reply, action):
    client = Client()
    assert enter(client, codename).status_code < 500
    assert client.post("/ru/my/reply/", reply).status_code < 500
    assert client.post(f"/ru/my/{action}/", reply).status_code < 500


@pytest.fixture
def signed_in(world):
    return {role: sign_in(Client(), world.staff[role]) for role in Role if role != Role.LIAISON}


@pytest.fixture
def received(world, front):
    """One person who has crossed, shared by every example of a test."""
    return received_case(world, front, Client())


@pytest.mark.django_db
@FUZZ
@given(
    path=st.sampled_from(
        [
            ("reception", "reception/register/"),
            ("reception", "reception/event/"),
            ("aftercare", "aftercare/consent/"),
            ("aftercare", "aftercare/withdraw/"),
            ("aftercare", "aftercare/equipment/"),
            ("aftercare", "aftercare/claim/"),
            ("aftercare", "aftercare/payment/"),
            ("volunteer", "volunteer/start/"),
            ("volunteer", "volunteer/step/"),
            ("coordinator", "crossing/plan/"),
            ("coordinator", "crossing/outcome/"),
            ("coordinator", "crossing/constraints/"),
            ("verifier", "action/"),
            ("verifier", "note/"),
            ("verifier", "message/"),
        ]
    ),
    data=form(
        *"surname first_names rank date_of_birth service_number refused language kind "
        "occurred_on place details read_and_agreed consent category description "
        "handed_over_on claim step reference posting sector window signal escort "
        "head_count outcome action reason text sectors available_from".split()
    ),
)
def test_the_staff_forms_on_a_case(received, signed_in, path, data):
    role, suffix = path
    case = received
    # A refused form re-renders the page, which is an audited read; nothing else is written.
    changes = AuditEvent.objects.exclude(action__endswith="read")
    events = changes.count()
    response = signed_in[Role(role)].post(f"/en/staff/case/{case.reference}/{suffix}", data)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert changes.count() == events


@pytest.mark.django_db
@FUZZ
@given(data=form("q", "page"))
def test_the_queue_search(world, signed_in, data):
    response = signed_in[Role.VERIFIER].get(f"/en/staff/p/{world.programme.slug}/queue/", data)
    assert response.status_code < 500
