"""Matching an inquiry against registered prisoners (issue #24): what relatives type finds the
man; only registered prisoners are ever candidates; the tracing officer reads them side by
side, each view audited, and confirms one; the register stays closed to him."""

from datetime import date

import pytest
from django.test import Client

from safepassage.cases import retention
from safepassage.cases.models import Case
from safepassage.families import matching, names
from safepassage.families.models import Inquiry, Match, TracingCopy, TracingIndex
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.conftest import audit_entries, refusal, submit, text_of
from tests.families.test_inquiries import ask
from tests.fixtures.prisoners import MANDATORY_ANSWERS, received_case, registered_as
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db


def found_for(world, **asked: str) -> list[int]:
    """The candidates' prisoner ids for one person asked about, best first."""
    key = world.keyring["families"]
    person = {"surname": "", "first_name": "", **asked}
    return [c.prisoner_id for c in matching.candidates(world.programme, person, key)]


@pytest.mark.parametrize(
    "asked",
    [
        {"surname": "Ivanov", "first_name": "Sergei"},
        {"surname": "Иванова", "first_name": "Сергей"},  # his mother's surname
        {"surname": "Иванов", "first_name": "С.", "patronymic": "П.", "born": "12.03.1994"},
        {"surname": "ИВАНОВ", "first_name": "Серёжа", "born": "1994"},
        {"surname": "Ivanoff", "first_name": "Sergey", "patronymic": "Petrovich"},
        # A misspelt surname is still found by his first name and year of birth.
        {"surname": "Ибанов", "first_name": "Сергей", "born": "1994"},
    ],
    ids=["latin", "feminine", "initials-and-date", "capitals-diminutive", "french", "misspelt"],
)
def test_matching_finds_him_from_what_relatives_type(world, ivanov, asked):
    assert found_for(world, **asked)[:1] == [ivanov.pk]


def test_a_namesake_with_another_patronymic_and_birth_is_no_candidate(world, ivanov):
    assert found_for(
        world, surname="Иванов", first_name="С.", patronymic="П.", born="12.03.1994"
    ) == [ivanov.pk]


def test_never_an_applicant_nor_a_man_who_crossed_and_is_not_registered(world, front):
    """Three men named Иванов Сергей Петрович: one applied, one crossed and is not yet
    registered; neither is ever a candidate, and nothing of their cases changes."""
    submit(Client(), surname="Иванов", first_names="Сергей Петрович")
    received_case(world, front, Client(), surname="Иванов", first_names="Сергей Петрович")
    cases_before = list(Case.objects.order_by("pk").values())
    assert found_for(world, surname="Иванов", first_name="Сергей", born="1994") == []
    assert not TracingCopy.objects.exists()
    assert list(Case.objects.order_by("pk").values()) == cases_before


def test_a_shredded_case_leaves_no_tracing_copy(world, ivanov):
    found_for(world, surname="Иванов", first_name="Сергей")
    retention.shred(ivanov.case, actor="test")
    assert not TracingCopy.objects.filter(prisoner=ivanov).exists()
    assert found_for(world, surname="Иванов", first_name="Сергей") != [ivanov.pk]


def test_a_corrected_surname_is_matched_as_corrected(world, ivanov):
    found_for(world, surname="Иванов", first_name="Сергей")
    answers = {
        **MANDATORY_ANSWERS,
        "surname": "Иваненко",
        "first_names": "Сергей Петрович",
        "date_of_birth": date(1994, 3, 12),
    }
    reception.register(
        ivanov.case, answers, user=world.staff[Role.RECEPTION], keyring=world.keyring
    )
    assert found_for(world, surname="Иваненко", first_name="Сергей")[:1] == [ivanov.pk]
    assert TracingIndex.objects.filter(copy__prisoner=ivanov).count() == 2


def test_registration_indexes_him_at_once_and_each_digest_is_a_byte(world, ivanov):
    """No tracing officer's session is needed: reception's registration indexed both men."""
    digests = list(TracingIndex.objects.values_list("digest", flat=True))
    assert len(digests) == 4  # two men, a surname and a first name with year each
    assert all(0 <= digest < 256 for digest in digests)


def test_the_index_key_opens_with_the_custody_or_the_families_key_only(world, ivanov):
    from safepassage.families.models import FamiliesIndexKey
    from safepassage.vault import crypto

    row = FamiliesIndexKey.objects.get(programme=world.programme)
    by_custody = matching.index_key(world.programme, {"custody": world.keyring["custody"]})
    by_families = matching.index_key(world.programme, {"families": world.keyring["families"]})
    assert by_custody == by_families
    for group in ("identity", "circumstances", "aftercare", "plan"):
        assert matching.index_key(world.programme, {group: world.keyring[group]}) is None
        with pytest.raises(crypto.DecryptionError, match="could not be opened"):
            crypto.unseal(world.keyring[group], bytes(row.for_custody))


def test_a_copy_of_the_database_holds_no_registered_name(world, ivanov):
    found_for(world, surname="Иванов", first_name="Сергей")
    raw = database_bytes()
    for typed in ("Иванов", "Сергей Петрович", "1994-03-12", "12.03.1994"):
        assert typed.encode() not in raw, typed


def test_the_tracing_officer_reads_the_candidates_side_by_side(world, ivanov, staff_client):
    """The page, in Russian, field by field; the view is audited with whom it showed."""
    ask(Client(), s1_born="12.03.1994")
    tracer = staff_client(Role.TRACING)
    inquiry_id = Inquiry.objects.get().pk
    page = tracer.get(f"/ru/staff/p/north/inquiries/{inquiry_id}/").content.decode()
    table = text_of(page, "candidates-1")
    assert table.startswith("В запросе Кандидат 1 (100%)")
    assert "Фамилия Иванов Иванов (совпадает)" in table
    assert "Имя Сергей Сергей (совпадает)" in table
    assert "Отчество Петрович Петрович (совпадает)" in table
    assert "Дата или год рождения 12.03.1994 12.03.1994 (совпадает)" in table
    assert "Олег" not in page
    assert text_of(page, "who-asks") == "Кто спрашивает: мама Галя (Мать), Тамбовская область"
    assert audit_entries("families.candidates_viewed") == [
        (
            f"staff:{world.staff[Role.TRACING].pk}",
            {"inquiry": inquiry_id, "candidates": [[ivanov.pk]]},
        )
    ]


def test_the_tracing_officer_confirms_a_candidate_and_only_a_candidate(
    world, front, ivanov, staff_client
):
    ask(Client())
    stranger = registered_as(
        world, front, date(1985, 1, 1), surname="Петренко", first_names="Олег Иванович"
    )
    tracer = staff_client(Role.TRACING)
    inquiry_id = Inquiry.objects.get().pk
    url = f"/ru/staff/p/north/inquiries/{inquiry_id}/"
    tracer.get(url)
    step = tracer.post(url + "confirm/", {"sought": 1, "prisoner": ivanov.pk})
    assert "Подтвердить, что это тот, о ком спрашивают?" in step.content.decode()
    assert not Match.objects.exists()
    reached = tracer.post(
        url + "confirm/", {"sought": 1, "prisoner": stranger.pk, "confirmed": "yes"}
    )
    assert refusal(tracer, reached) == "Этого пленного нет среди кандидатов этого человека."
    assert not Match.objects.exists()
    done = tracer.post(url + "confirm/", {"sought": 1, "prisoner": ivanov.pk, "confirmed": "yes"})
    assert done["Location"] == url
    match = Match.objects.get()
    assert (match.prisoner, match.sought) == (ivanov, 1)
    page = tracer.get(url).content.decode()
    assert text_of(page, "match-1").startswith(
        f"Совпадение подтвердил {world.staff[Role.TRACING].username}, "
    )
    assert 'id="candidates-1"' not in page
    assert audit_entries("families.match_confirmed") == [
        (
            f"staff:{world.staff[Role.TRACING].pk}",
            {"inquiry": inquiry_id, "sought": 1, "prisoner": ivanov.pk},
        )
    ]
    again = tracer.post(url + "confirm/", {"sought": 1, "prisoner": ivanov.pk, "confirmed": "yes"})
    assert refusal(tracer, again) == "Совпадение для этого человека уже подтверждено."


def test_no_one_else_opens_an_inquiry_or_its_candidates(world, ivanov, staff_client):
    ask(Client())
    inquiry_id = Inquiry.objects.get().pk
    url = f"/ru/staff/p/north/inquiries/{inquiry_id}/"
    for role in (Role.INTAKE, Role.VERIFIER, Role.COORDINATOR, Role.RECEPTION, Role.ADMIN):
        client = staff_client(role)
        assert client.get(url).status_code == 404, role
        assert (
            client.post(url + "confirm/", {"sought": 1, "prisoner": ivanov.pk}).status_code == 404
        )
    assert staff_client(Role.TRACING).get("/ru/staff/p/north/inquiries/999/").status_code == 404
    assert not audit_entries("families.candidates_viewed")


@pytest.mark.parametrize(
    ("typed", "given", "tag", "alike"),
    [
        ("Shcherbakov", "Щербаков", "Surn", True),
        ("Kovalskaya", "Ковальский", "Surn", True),
        ("Ковальская", "Ковальский", "Surn", True),
        ("Zhukovsky", "Жуковский", "Surn", True),
        ("Петров", "Иванов", "Surn", False),
        ("Yurii", "Юрий", "Name", True),
        ("О.", "Сергей", "Name", False),
    ],
)
def test_names_are_compared_in_cyrillic_and_against_document_spellings(typed, given, tag, alike):
    assert (names.similarity(typed, given, tag) >= 85) is alike
    if alike:
        assert names.bucket(typed, tag) == names.bucket(given, tag)


def test_a_patronymic_agrees_with_his_fathers_first_name():
    assert names.patronymic_similarity("Сергеевич", "Иван", "Сергей") == 100
    assert names.patronymic_similarity("Ильич", "Иван", "Илья") == 100
    assert names.patronymic_similarity("Петрович", "Иван", "Олег") == 0


@pytest.mark.parametrize(
    ("written", "year", "day"),
    [
        ("12.03.1994", 1994, date(1994, 3, 12)),
        ("1994-03-12", 1994, date(1994, 3, 12)),
        ("1994", 1994, None),
        ("в 1994 году", 1994, None),
        ("31.02.1994", 1994, None),
        ("не знаю", None, None),
    ],
)
def test_a_birth_is_read_as_people_write_it(written, year, day):
    assert matching.born(written) == matching.Born(year, day)


def test_a_prisoner_registered_before_families_gets_his_copy_at_a_custody_holders_sign_in(
    world, ivanov, staff_client
):
    TracingCopy.objects.all().delete()  # as if registered before this version
    staff_client(Role.TRACING)  # the families key alone does not read his particulars
    assert not TracingCopy.objects.exists()
    staff_client(Role.AFTERCARE)
    assert TracingCopy.objects.count() == 2
    assert found_for(world, surname="Иванов", first_name="Сергей", born="1994") == [ivanov.pk]
