"""Calls taken by operators, and one inbox for every channel (issue #12)."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.cases.models import Case
from safepassage.inbox.models import ReplyTemplate
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, enter, submit, text_of

pytestmark = pytest.mark.django_db


def call_form(operator: Client, **overrides: str) -> dict[str, str]:
    page = operator.get("/en/staff/p/north/call/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the form carries a submission token"
    return {
        "caller": "relative",
        "stage": "mobilised",
        "direction": "Zaporizhzhia direction",
        "group": "alone",
        "language": "ru",
        "campaign": "",
        "phone_inspected": "yes",
        "calls_again": "Thursday evening",
        "script_read": "on",
        "notes": "Mother calling, he is in training",
        "token": token.group(1),
        **overrides,
    }


def test_a_call_becomes_a_case_and_the_caller_signs_in_with_the_codename_read_back(
    world, staff_client
):
    operator = staff_client(Role.INTAKE)
    page = operator.get("/en/staff/p/north/call/").content.decode()
    assert "phone" not in re.findall(r'name="([a-z_]+)"', page)  # no number field at all
    assert "Safety script" in text_of(page, "safety-script")
    data = call_form(operator)
    response = operator.post("/en/staff/p/north/call/", data)
    assert response["Location"] == "/en/staff/p/north/call/codename/"
    codename = text_of(operator.get(response["Location"]).content.decode(), "codename")
    assert len(codename.split()) == 8
    wrong = operator.post("/en/staff/p/north/call/codename/", {"heard": "wrong words"})
    assert "That is not his codename" in wrong.content.decode()
    done = operator.post("/en/staff/p/north/call/codename/", {"heard": codename.upper()})
    case = Case.objects.get()
    assert done["Location"] == f"/en/staff/case/{case.reference}/"
    assert case.channel == "hotline"
    assert case.state == "applied"
    shown = text_of(operator.get(done["Location"]).content.decode(), "circumstances")
    assert "Who called A relative, on his behalf" in shown
    assert "His phone may be inspected or taken Yes" in shown
    # The codename is gone from the operator's session once read back.
    assert operator.get("/en/staff/p/north/call/codename/")["Location"] == "/en/staff/p/north/call/"
    # The same form sent again makes no second case.
    operator.post("/en/staff/p/north/call/", data)
    assert Case.objects.count() == 1
    assert audit_entries("hotline.call_recorded") == [(f"staff:{world.staff[Role.INTAKE].pk}", {})]
    # The caller comes back on the web with the codename read to him.
    applicant = Client()
    enter(applicant, codename)
    assert applicant.get("/en/my/").status_code == 200
    home = operator.get("/en/staff/").content.decode()
    assert "Website 0 · Telegram bot 0 · Hotline (operator) 1" in text_of(
        home, "applications-by-channel"
    )


def test_no_call_is_recorded_before_the_safety_script_is_read(world, staff_client):
    operator = staff_client(Role.INTAKE)
    data = call_form(operator)
    del data["script_read"]
    response = operator.post("/en/staff/p/north/call/", data)
    assert response.status_code == 400
    assert "Read him the safety script" in response.content.decode()
    assert not Case.objects.exists()


def test_the_inbox_lists_the_longest_waiting_first_and_a_reply_takes_one_step(world, staff_client):
    first, second = Client(), Client()
    first_codename = submit(first, message="When can I go?")
    submit(second, message="Is it safe?")
    older, newer = Case.objects.order_by("pk")
    Case.objects.filter(pk=older.pk).update(awaiting_since=timezone.now().replace(year=2025))
    enter(first, first_codename)
    for _ in range(3):  # writing more buys no place
        first.post("/en/my/reply/", {"text": "Please answer"})
    operator = staff_client(Role.INTAKE)
    page = operator.get("/en/staff/p/north/inbox/").content.decode()
    assert page.index(f"inbox-{older.reference}") < page.index(f"inbox-{newer.reference}")
    row = text_of(page, f"inbox-{older.reference}")
    assert ("Website" in row and "Russian" in row) or "English" in row
    assert "waiting 3" in row  # days, since 2025

    ReplyTemplate.objects.create(
        programme=world.programme, language="en", title="Next steps", text="We will write soon."
    )
    page = operator.get("/en/staff/p/north/inbox/").content.decode()
    template = ReplyTemplate.objects.get()
    inserted = operator.post(
        f"/en/staff/p/north/inbox/{older.reference}/", {"insert": str(template.pk), "do": "insert"}
    )
    assert inserted.status_code == 200  # putting a template in is not a refusal
    filled = inserted.content.decode()
    assert "We will write soon." in text_of(filled, f"inbox-{older.reference}")
    sent = operator.post(
        f"/en/staff/p/north/inbox/{older.reference}/",
        {"text": "We will write soon. Stay where you are.", "do": "send"},
    )
    assert sent["Location"] == "/en/staff/p/north/inbox/"
    page = operator.get("/en/staff/p/north/inbox/").content.decode()
    assert f"inbox-{older.reference}" not in page
    assert f"inbox-{newer.reference}" in page
    assert "Stay where you are." in first.get("/en/my/").content.decode()


def test_only_roles_that_answer_applicants_have_the_inbox(world, staff_client):
    assert staff_client(Role.LIAISON).get("/en/staff/p/north/inbox/").status_code == 404
    assert staff_client(Role.RECEPTION).get("/en/staff/p/north/inbox/").status_code == 404
    verifier = staff_client(Role.VERIFIER)
    assert verifier.get("/en/staff/p/north/inbox/").status_code == 200
    assert verifier.get("/en/staff/p/north/call/").status_code == 404


def test_the_admin_keeps_reply_templates_in_each_language(world, staff_client):
    admin = staff_client(Role.ADMIN)
    response = admin.post(
        "/en/staff/p/north/templates/",
        {"language": "uk", "title": "Thanks", "text": "Дякуємо, ми відповімо."},
    )
    assert response.status_code == 302
    page = admin.get("/en/staff/p/north/templates/").content.decode()
    assert "Ukrainian" in text_of(page, "templates")
    template = ReplyTemplate.objects.get()
    assert audit_entries("inbox.template_saved") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"id": template.pk})
    ]


def test_a_campaign_code_read_on_the_phone_is_checked_and_counted(world, staff_client):
    from safepassage.outreach import codes
    from safepassage.outreach.models import Campaign

    leaflet = Campaign.objects.create(
        programme=world.programme,
        name="Radio Tokmak",
        medium="radio",
        language="ru",
        starts_on="2026-11-01",
        code=codes.new_code(),
    )
    operator = staff_client(Role.INTAKE)
    wrong = operator.post("/en/staff/p/north/call/", call_form(operator, campaign="ABCDEF"))
    assert "No campaign has this code" in wrong.content.decode()
    assert not Case.objects.exists()
    spoken = codes.spoken(leaflet.code).lower()
    operator.post("/en/staff/p/north/call/", call_form(operator, campaign=spoken))
    assert Case.objects.get().campaign_id == leaflet.pk


def test_a_call_whose_codename_was_never_read_back_is_marked_in_the_inbox(world, staff_client):
    """Issue #27, point 15: the operator left before the caller read it back."""
    operator = staff_client(Role.INTAKE)
    operator.post("/en/staff/p/north/call/", call_form(operator))
    case = Case.objects.get()
    inbox = operator.get("/ru/staff/p/north/inbox/").content.decode()
    assert text_of(inbox, f"not-read-back-{case.reference}").startswith(
        "Звонящий так и не повторил своё кодовое слово"
    )
    second = call_form(operator)
    operator.post("/en/staff/p/north/call/", second)
    other = Case.objects.exclude(pk=case.pk).get()
    codename = text_of(
        operator.get("/en/staff/p/north/call/codename/").content.decode(), "codename"
    )
    operator.post("/en/staff/p/north/call/codename/", {"heard": codename})
    inbox = operator.get("/ru/staff/p/north/inbox/").content.decode()
    assert f'id="not-read-back-{other.reference}"' not in inbox
    assert f'id="not-read-back-{case.reference}"' in inbox
    operator_pk = world.staff[Role.INTAKE].pk
    assert audit_entries("hotline.codename_read_back", case_ref=other.reference) == [
        (f"staff:{operator_pk}", {})
    ]


def test_a_template_put_in_a_reply_names_who_wrote_it(world, staff_client):
    """Issue #22, point 13: an operator sends a template as his own; he sees who wrote it."""
    admin = staff_client(Role.ADMIN)
    admin.post(
        "/en/staff/p/north/templates/",
        {"language": "ru", "title": "Спасибо", "text": "Спасибо, мы ответим."},
    )
    template = ReplyTemplate.objects.get()
    submit(Client())
    reference = Case.objects.get().reference
    operator = staff_client(Role.INTAKE)
    page = operator.post(
        f"/ru/staff/p/north/inbox/{reference}/", {"insert": str(template.pk), "do": "insert"}
    ).content.decode()
    shown = text_of(page, f"inserted-{reference}")
    assert shown.startswith("Из шаблона «Спасибо», последним его написал north-admin ")
    assert shown.endswith("Прочитайте, прежде чем отправлять: он уйдёт от вашего имени.")
