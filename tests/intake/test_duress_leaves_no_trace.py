"""A duress sign-in writes exactly the rows a real one writes (issue #22, point 1): the same
tables, the same actions and actors, the same sizes; they differ only in values that are
random or sealed. Whoever forced the sign-in finds nothing in a copy of the database, on the
audit page, or in the moment of the write."""

from datetime import datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from safepassage.cases.models import Case, ProbeSignal, SignIn
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, enter, found, submit, text_of

pytestmark = pytest.mark.django_db


# Plain fields that differ between any two writes: when, and the audit chain's links.
RANDOM_FIELDS = {
    ("auditevent", "mac"),
    ("auditevent", "prev_mac"),
    ("audithead", "mac"),
    ("audithead", "head_mac"),
}


def _is_random_or_sealed(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    if field.primary_key or isinstance(field, models.BinaryField | models.DateTimeField):
        return True
    if model._meta.model_name == "session":  # its key is random, its data sealed
        return field.name in {"session_key", "session_data"}
    return (model._meta.model_name, field.name) in RANDOM_FIELDS


def _shown(model, field, value):
    """A value as the comparison sees it: random and sealed ones by type and size only."""
    if value is not None and _is_random_or_sealed(model, field):
        if isinstance(value, datetime):
            return "a moment"
        if isinstance(value, str):
            return ("text", len(value))
        if isinstance(value, bytes | memoryview):
            return ("bytes", len(bytes(value)))
        return type(value).__name__  # a random primary key
    return value


def snapshot() -> dict[str, dict[Any, Any]]:
    tables = {}
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        tables[model._meta.label] = {
            obj.pk: {f.attname: getattr(obj, f.attname) for f in fields}
            for obj in model._default_manager.all()
        }
    return tables


def written(before: dict[str, Any], after: dict[str, Any]) -> list[Any]:
    """Every row added, changed or deleted, as the comparison sees it, in a stable order."""
    found = []
    for model in apps.get_models():
        label, fields = model._meta.label, {f.attname: f for f in model._meta.concrete_fields}
        old, new = before[label], after[label]
        for pk in new.keys() - old.keys():
            row = new[pk]
            found.append(
                (
                    label,
                    "added",
                    sorted((k, _shown(model, fields[k], v)) for k, v in row.items() if k != "seq"),
                )
            )
        for pk in old.keys() & new.keys():
            changed = {k for k in new[pk] if new[pk][k] != old[pk][k] and k != "seq"}
            if changed:
                found.append(
                    (
                        label,
                        "changed",
                        sorted((k, _shown(model, fields[k], new[pk][k])) for k in changed),
                    )
                )
        found.extend((label, "deleted", []) for _pk in old.keys() - new.keys())
    return sorted(found, key=repr)


def sign_in_and_diff(codename: str) -> list[Any]:
    before = snapshot()
    browser = Client()
    assert enter(browser, codename)["Location"] == "/en/my/"
    return written(before, snapshot())


def test_a_duress_sign_in_writes_exactly_what_a_real_one_writes(world, client):
    codename = submit(client)
    real = Client()
    enter(real, codename)
    page = real.post("/en/my/duress/").content.decode()
    duress = found(r'id="duress-codename">([^<]+)<', page)

    real_rows = sign_in_and_diff(codename)
    duress_rows = sign_in_and_diff(duress)
    assert real_rows == duress_rows
    tables = {label for label, _kind, _fields in real_rows}
    assert {"cases.SignIn", "audit.AuditEvent", "cases.Codename"} <= tables
    assert not ProbeSignal.objects.exists()
    assert not Case.objects.get().probe_flagged


def test_the_warning_reaches_the_real_applicant_the_verifier_and_the_coordinator(
    world, front, staff_client
):
    from django.utils import timezone

    from safepassage.passage import notices
    from tests.fixtures.crossings import notify, verified_with_codename

    case, codename = verified_with_codename(Client(), lang="ru")
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    real = Client()
    enter(real, codename, lang="ru")
    page = real.post("/ru/my/duress/").content.decode()
    duress = found(r'id="duress-codename">([^<]+)<', page)
    enter(Client(), duress, lang="ru")
    # His own page, before any staff member has looked: his crossing is on hold.
    again = Client()
    enter(again, codename, lang="ru")
    status = text_of(again.get("/ru/my/").content.decode(), "status")
    assert status == (
        "Ваш переход приостановлен. Не выходите к месту перехода, что бы вам ни говорили"
        " раньше. Ждите нашего сообщения здесь."
    )
    # The verifier's home reads the sealed sign-ins and shows the duress in its own words.
    verifier = staff_client(Role.VERIFIER)
    home = text_of(verifier.get("/ru/staff/").content.decode(), "attention")
    assert f"{case.reference} — Было использовано кодовое слово на случай принуждения" in home
    assert not SignIn.objects.exists()  # read, and gone, whatever their kind
    case_page = text_of(verifier.get(f"/ru/staff/case/{case.reference}/").content.decode())
    assert "Кто-то вошёл с кодовым словом этого заявителя на случай принуждения" in case_page
    assert "Риск провокации" not in case_page
    assert audit_entries("applicant.sign_ins_read") == [
        (f"staff:{world.staff[Role.VERIFIER].pk}", {"count": 3})
    ]
    # The coordinator who owns the crossing decides; the page says duress, not probe.
    coordinator = staff_client(Role.COORDINATOR)
    items = text_of(coordinator.get("/ru/staff/").content.decode(), "attention")
    assert (
        f"{case.reference} — Было использовано кодовое слово на случай принуждения: сохраните"
        " переход или отмените его"
    ) in items
    url = f"/ru/staff/case/{case.reference}/crossing/"
    shown = text_of(coordinator.get(url).content.decode())
    assert "Кто-то вошёл с кодовым словом этого заявителя на случай принуждения" in shown
    assert "проверки" not in text_of(coordinator.get(url).content.decode(), "duress")
    # He calls it off (asked twice): the notice is withdrawn, the liaison told at the top.
    asked = text_of(coordinator.post(f"{url}call-off-after-duress/").content.decode())
    assert "Отменить этот переход?" in asked
    coordinator.post(f"{url}call-off-after-duress/", {"confirmed": "yes"})
    crossing.refresh_from_db()
    assert crossing.status == "withdrawn"
    liaison = text_of(staff_client(Role.LIAISON).get("/ru/staff/").content.decode())
    assert "Отменено: никто не придёт, сообщите своему подразделению" in liaison
    assert [actor for actor, _ in audit_entries("passage.called_off_after_duress")] == [
        f"staff:{world.staff[Role.COORDINATOR].pk}"
    ]
    # He still reads that his crossing is on hold until a verifier decides.
    status = text_of(again.get("/ru/my/").content.decode(), "status")
    assert status.startswith("Ваш переход приостановлен.")
    assert audit_entries("passage.called_off_after_duress", case_ref=case.reference) == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {"crossing": crossing.pk})
    ]
