"""Every language the site serves is whole: a catalogue held complete by check_messages, and
a codename word list (docs/LANGUAGES.md says how to add one)."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings

from safepassage.programmes.roles import Role
from safepassage.vault import codenames
from tests.conftest import enter, submit, text_of

ROOT = Path(__file__).resolve().parent.parent


def _check_messages():
    spec = importlib.util.spec_from_file_location(
        "check_messages", ROOT / "tools/check_messages.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_served_language_has_a_complete_catalogue_and_a_word_list():
    complete = set(_check_messages().COMPLETE)
    for code, _name in settings.LANGUAGES:
        if code == "en":  # the source language
            continue
        assert code in complete, f"{code}: add it to COMPLETE in tools/check_messages.py"
        assert (ROOT / f"src/safepassage/locale/{code}/LC_MESSAGES/django.mo").exists(), code
        assert code in codenames.WORDLIST_LANGUAGES, f"{code}: no codename word list"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "headline", "apply_button", "others"),
    [
        ("uk", "З війни можна вийти живим", "Надіслати заявку", "Русский Беларуская English"),
        ("be", "З вайны можна выйсці жывым", "Адправіць заяўку", "Русский Українська English"),
    ],
)
def test_an_applicant_applies_in_ukrainian_or_belarusian_and_gets_words_of_his_language(
    world, client, language, headline, apply_button, others
):
    home = client.get(f"/{language}/").content.decode()
    assert headline in text_of(home)
    # The switch names every other language in that language.
    assert re.findall(r'hreflang="[a-z]+" lang="[a-z]+">([^<]+)</a>', home) == others.split()
    form = client.get(f"/{language}/north/apply/").content.decode()
    assert apply_button in form
    codename = submit(client, lang=language)
    words = set(codenames.wordlist(language))
    assert all(word in words for word in codename.split())
    page = enter(client, codename, lang=language)
    assert page.status_code == 302


@pytest.mark.django_db
def test_a_staff_page_reads_in_ukrainian(world, staff_client):
    page = staff_client(Role.VERIFIER).get("/uk/staff/").content.decode()
    assert "Огляд" in text_of(page)
    assert "Черги" in text_of(page)
