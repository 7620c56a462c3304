"""Fail when a language catalogue is incomplete or its compiled form is stale.

Checks every language in settings.LANGUAGES except the source language (English msgids):
no untranslated or fuzzy entry, and the .mo file holds exactly what the .po says.
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src/safepassage/locale"
COMPLETE = ["ru"]  # English is the source language; uk and be join when complete.


def main() -> int:
    failures = []
    for language in COMPLETE:
        po = polib.pofile(str(LOCALE / language / "LC_MESSAGES/django.po"))
        missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
        failures += [f"{language}: not translated: {msgid!r}" for msgid in missing]
        mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES/django.mo"))
        compiled = {e.msgid: e.msgstr for e in mo}
        stale = [e.msgid for e in po.translated_entries() if compiled.get(e.msgid) != e.msgstr]
        failures += [
            f"{language}: .mo is stale for {msgid!r} (run make messages)" for msgid in stale
        ]
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"translations: {len(failures)} problem(s) in {', '.join(COMPLETE)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
