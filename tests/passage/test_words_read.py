"""The words the receiving unit and reception read beside a crossing, in each language: a
misread word at the line can get a man shot."""

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage import notices
from safepassage.programmes.roles import Role
from tests.conftest import text_of
from tests.fixtures.crossings import notify, verified_case

pytestmark = pytest.mark.django_db

HEAD_COUNT = {
    "ru": ("Сколько человек переходит 1", "Сотрудники"),
    "uk": ("Скільки людей переходить 1", "Співробітники"),
    "be": ("Колькі людзей пераходзіць 1", "Супрацоўнікі"),
    "en": ("People crossing 1", "People 1"),
}


@pytest.mark.parametrize("lang", HEAD_COUNT)
def test_the_head_count_reads_as_people_crossing_never_as_staff(
    world, front, client, staff_client, lang
):
    crossing = notify(world, verified_case(client), front.orchard)
    liaison = staff_client(Role.LIAISON)
    head_count, team_word = HEAD_COUNT[lang]
    page = liaison.get(f"/{lang}/staff/notices/").content.decode()
    notice = text_of(page, f"notice-{crossing.pk}")
    assert head_count in notice
    assert team_word not in notice
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    desk = staff_client(Role.RECEPTION).get(f"/{lang}/staff/p/north/reception/").content.decode()
    assert head_count.removesuffix(" 1") in text_of(desk)
    assert team_word not in text_of(desk)


def test_the_team_page_is_still_called_staff(world, staff_client):
    home = staff_client(Role.ADMIN).get("/ru/staff/").content.decode()
    assert "Сотрудники" in text_of(home)
    assert "Сколько человек" not in text_of(home)


def test_one_limit_on_a_group_and_the_form_says_how_to_apply_with_more(world, client):
    from tests.conftest import application, form_token

    page = client.get("/ru/north/apply/").content.decode()
    response = client.post(
        "/ru/north/apply/", application(form_token(page), group="group", group_size="51")
    )
    assert response.status_code == 200  # the form again, with what to do
    assert (
        "Один переход — не больше 50 человек. Если вас больше, укажите здесь 50 и напишите"
        " в сообщении, сколько вас: мы спланируем несколько переходов."
    ) in text_of(response.content.decode())


def test_the_planner_says_how_to_split_a_group_one_crossing_cannot_take(
    world, front, client, staff_client, monkeypatch
):
    from safepassage.cases import dossier

    case = verified_case(client, group="group", group_size="30")
    url = f"/ru/staff/case/{case.reference}/crossing/"
    coordinator = staff_client(Role.COORDINATOR)
    assert 'id="group-split"' not in coordinator.get(url).content.decode()
    monkeypatch.setattr(dossier, "MAX_GROUP_SIZE", 20)  # a group from before the one limit
    page = coordinator.get(url).content.decode()
    assert text_of(page, "group-split") == (
        "В его группе 30 человек: один переход — не больше 20. Спланируйте этот переход на 20,"
        " а остальных — следующими переходами, каждый со своим уведомлением."
    )


def test_no_page_shows_djangos_dashes_or_a_code_in_the_address(world, client, staff_client):
    """Issue #27, point 12: selects read «Выберите…», the applicant's address bar words."""
    from tests.conftest import enter, submit

    admin = staff_client(Role.ADMIN)
    for url in ("/ru/staff/p/north/sectors/new/", "/ru/staff/p/north/units/new/"):
        page = admin.get(url).content.decode()
        assert "---------" not in page
    page = admin.get("/ru/staff/p/north/sectors/new/").content.decode()
    assert "Выберите…" in page
    people = text_of(admin.get("/ru/staff/p/north/people/").content.decode(), "team")
    assert "выданы" in people
    assert " выдан " not in f"{people} "
    applicant = Client()
    enter(applicant, submit(client), lang="ru")
    assert applicant.get("/ru/my/request_other_time/").status_code == 404
    assert applicant.get("/ru/my/another-time/").status_code == 200
    assert applicant.get("/ru/my/cancel/").status_code == 200


def test_the_capture_card_has_one_name_in_russian():
    import re

    import polib

    po = polib.pofile("src/safepassage/locale/ru/LC_MESSAGES/django.po")
    names = " ".join(e.msgstr for e in po if "capture card" in e.msgid.lower())
    assert not re.search(r"[Кк]арточк\w* пленного", names)
    assert "о взятии" not in names
    assert names.count("взятия в плен") >= 10
