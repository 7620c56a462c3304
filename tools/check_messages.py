"""Fail when a language catalogue is incomplete, out of step with the code, or stale.

For every complete language, and English (the source language, whose entries stay empty): no
untranslated (English aside) or fuzzy entry; the catalogue holds exactly the strings the code
marks for translation (extracted again, with Django's makemessages, from a copy of the source,
so the repository is not touched); and the .mo file holds exactly what the .po says.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src/safepassage/locale"
COMPLETE = ["ru", "uk", "be"]  # English is the source language.


def _extracted(language: str) -> set[str]:
    """The msgids makemessages finds in the code now."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "safepassage"
        shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        subprocess.run(  # noqa: S603  (our own interpreter's django-admin, fixed arguments)
            [
                str(Path(sys.executable).with_name("django-admin")),
                "makemessages",
                f"--locale={language}",
                "--no-obsolete",
                "--settings=safepassage.settings",
            ],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        po = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES/django.po"))
        return {e.msgid for e in po if not e.obsolete}


SOURCE = "en"  # its entries stay empty (the msgid is the text); none may be fuzzy or stale


def main() -> int:
    failures = []
    for language in [*COMPLETE, SOURCE]:
        po = polib.pofile(str(LOCALE / language / "LC_MESSAGES/django.po"))
        untranslated = [] if language == SOURCE else po.untranslated_entries()
        missing = [e.msgid for e in untranslated + po.fuzzy_entries()]
        failures += [f"{language}: not translated: {msgid!r}" for msgid in missing]
        catalogued = {e.msgid for e in po if not e.obsolete}
        in_code = _extracted(language)
        failures += [
            f"{language}: in the code, not in the catalogue (run make messages): {msgid!r}"
            for msgid in sorted(in_code - catalogued)
        ]
        failures += [
            f"{language}: in the catalogue, no longer in the code (run make messages): {msgid!r}"
            for msgid in sorted(catalogued - in_code)
        ]
        mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES/django.mo"))
        # Keyed by context too: "Inquiry" a case state and "Inquiry" a relative's are two.
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
        stale = [
            e.msgid
            for e in po.translated_entries()
            if compiled.get((e.msgctxt, e.msgid)) != e.msgstr
        ]
        failures += [
            f"{language}: .mo is stale for {msgid!r} (run make messages)" for msgid in stale
        ]
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"translations: {len(failures)} problem(s) in {', '.join([*COMPLETE, SOURCE])}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
