"""Every language the site serves is whole: a catalogue held complete by check_messages, and
a codename word list (docs/LANGUAGES.md says how to add one)."""

import importlib.util
from pathlib import Path

from django.conf import settings

from safepassage.vault import codenames

ROOT = Path(__file__).resolve().parent.parent


def _check_messages():
    spec = importlib.util.spec_from_file_location(
        "check_messages", ROOT / "tools/check_messages.py"
    )
    assert spec and spec.loader
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
