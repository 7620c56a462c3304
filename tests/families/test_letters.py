"""Letters and cards (issue #24, GC III Art. 71 and Annex IV C): with his consent the prisoner
sends a card, another officer reviews it, the inquirer reads it and its PDF at the next
release and answers; never fewer than Art. 71's floor; nothing of it in a database copy."""

import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safepassage.families import inquirers, letters, releases
from safepassage.families.models import Letter
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, refusal, text_of
from tests.families.test_decisions import Inquirer, confirm, decide
from tests.test_data_at_rest import database_bytes

pytestmark = pytest.mark.django_db


def allowed(world, ivanov):
    """A mother whose son let her write to him: (her, the match)."""
    mother = Inquirer()
    match = confirm(world, mother, ivanov)
    decide(world, match, "letters")
    return mother, match


def passed_letter(world, case, match, text: str, kind: str = "letter") -> Letter:
    """His letter, written by reception and passed by after-care."""
    letter = letters.write_to_inquirer(
        case,
        match.pk,
        kind=kind,
        text=text,
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    return letters.review(
        case,
        letter.pk,
        passed=True,
        reason="",
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )


def released(time_machine) -> None:
    release = inquirers.next_release(timezone.now())
    time_machine.move_to(release)
    releases.release_answers(release)


def test_his_card_is_reviewed_by_another_officer_and_reaches_her_at_the_release(
    world, ivanov, staff_client, time_machine
):
    mother, match = allowed(world, ivanov)
    url = f"/ru/staff/case/{ivanov.case.reference}/relatives/"
    writer = staff_client(Role.RECEPTION)
    written = writer.post(
        url + "letter/", {"match": match.pk, "kind": "card", "text": "Мама, я жив. Не волнуйся."}
    )
    assert written["Location"] == url
    card = Letter.objects.get()
    page = writer.get(url).content.decode()
    assert text_of(page, f"letter-{card.pk}").endswith(
        "ждёт проверки Мама, я жив. Не волнуйся. Проверяет другой сотрудник."
    )
    own = writer.post(url + "review/", {"letter": card.pk, "verdict": "pass", "reason": ""})
    assert refusal(writer, own) == "Проверяет не тот, кто его написал."
    reviewer = staff_client(Role.AFTERCARE)
    reviewer.post(url + "review/", {"letter": card.pk, "verdict": "pass", "reason": ""})
    card.refresh_from_db()
    assert card.review == "passed"
    assert card.reviewed_by == world.staff[Role.AFTERCARE]
    assert 'id="letters"' not in mother.page()  # nothing before the release

    released(time_machine)
    page = mother.page()
    assert text_of(page, f"letter-{card.pk}") == (
        "Открытка от него Мама, я жив. Не волнуйся. Открытка (PDF)"
    )
    pdf = mother.client.get(f"/ru/family/letters/{card.pk}/card.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "ПОЧТА ВОЕННОПЛЕННЫХ" in text
    assert "Кому: мама Галя" in text
    assert "От кого: Жуковский" not in text
    assert "От кого: Иванов Сергей Петрович" in text
    assert "Мама, я жив. Не волнуйся." in text
    assert Client().get(f"/ru/family/letters/{card.pk}/card.pdf")["Location"] == (
        "/ru/family/enter/"
    )
    assert audit_entries("families.letter_written") == [
        (f"staff:{world.staff[Role.RECEPTION].pk}", {"kind": "card"})
    ]
    assert audit_entries("families.letter_reviewed") == [
        (f"staff:{world.staff[Role.AFTERCARE].pk}", {"kind": "card", "passed": True})
    ]


def test_she_answers_and_her_letter_passes_the_same_review(
    world, ivanov, staff_client, time_machine
):
    mother, _match = allowed(world, ivanov)
    released(time_machine)
    mother.page()  # she comes back, days later, and signs in
    sent = mother.client.post("/ru/family/letters/write/", {"number": "1", "text": "Сынок, ждём"})
    assert sent["Location"] == "/ru/family/answer/"
    answer = Letter.objects.get(direction="in")
    assert (
        text_of(mother.page(), f"letter-{answer.pk}") == "Ваше письмо · ждёт проверки Сынок, ждём"
    )
    officer = staff_client(Role.RECEPTION)
    url = f"/ru/staff/case/{ivanov.case.reference}/relatives/"
    assert "Письмо ему" in text_of(officer.get(url).content.decode(), f"letter-{answer.pk}")
    refused = officer.post(url + "review/", {"letter": answer.pk, "verdict": "refuse"})
    assert (
        refusal(officer, refused)
        == "Укажите, что нельзя пропустить: это сохраняется вместе с письмом."
    )
    officer.post(
        url + "review/", {"letter": answer.pk, "verdict": "refuse", "reason": "назван город"}
    )
    page = officer.get(url).content.decode()
    assert "Не пропущено: назван город" in text_of(page, f"letter-{answer.pk}")
    assert text_of(mother.page(), f"letter-{answer.pk}").startswith("Ваше письмо · не пропущено")
    assert audit_entries("families.letter_written") == [("inquirer", {})]


def test_never_fewer_than_the_art_71_floor_and_a_refused_one_does_not_count(
    world, ivanov, settings
):
    settings.FAMILIES_CARDS_PER_MONTH = 1  # less than the floor: the floor holds
    _mother, match = allowed(world, ivanov)

    def card(text: str) -> Letter:
        return letters.write_to_inquirer(
            ivanov.case,
            match.pk,
            kind="card",
            text=text,
            user=world.staff[Role.RECEPTION],
            keyring=world.keyring,
        )

    first = card("1")
    letters.review(
        ivanov.case,
        first.pk,
        passed=False,
        reason="место",
        user=world.staff[Role.AFTERCARE],
        keyring=world.keyring,
    )
    for n in range(2, 6):
        card(str(n))
    with pytest.raises(letters.LetterRefused, match="столько, сколько можно \\(4\\)"):
        card("6")
    assert Letter.objects.exclude(review="refused").count() == 4


def test_no_letter_without_his_consent_nor_after_he_takes_it_back(world, ivanov, time_machine):
    mother = Inquirer()
    match = confirm(world, mother, ivanov)
    decide(world, match, "share")
    with pytest.raises(letters.LetterRefused, match="не разрешил переписку"):
        letters.write_to_inquirer(
            ivanov.case,
            match.pk,
            kind="letter",
            text="…",
            user=world.staff[Role.RECEPTION],
            keyring=world.keyring,
        )
    decide(world, match, "letters")
    letter = passed_letter(world, ivanov.case, match, "Привет")
    decide(world, match, "decline")  # before the release: the letter does not go
    released(time_machine)
    letter.refresh_from_db()
    assert letter.released_at is None
    assert 'id="letters"' not in mother.page()  # and she is signed in again
    sent = mother.client.post("/ru/family/letters/write/", {"number": "1", "text": "Ответь"})
    assert sent.status_code == 400
    assert not Letter.objects.filter(direction="in").exists()


def test_a_database_copy_holds_no_letter(world, ivanov, time_machine):
    mother, match = allowed(world, ivanov)
    letters.write_to_inquirer(
        ivanov.case,
        match.pk,
        kind="letter",
        text="Я жив и здоров",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    released(time_machine)
    mother.page()
    mother.client.post("/ru/family/letters/write/", {"number": "1", "text": "Ждём тебя дома"})
    raw = database_bytes()
    for typed in ("Я жив и здоров", "Ждём тебя дома"):
        assert typed.encode() not in raw, typed
