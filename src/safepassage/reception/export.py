"""The information-bureau export (GC III Art. 122–123): one JSON document, or the same as CSV.

Pure functions on already-decrypted records; services.export decrypts, audits and marks what
was sent. The JSON schema in bureau_export.schema.json is the contract, and every document is
validated against it before it leaves, so the bureau never receives a malformed record.
"""

import csv
import io
import json
import unicodedata
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from safepassage.lib.textinput import without_invisible
from safepassage.reception.particulars import FIELDS

SCHEMA_ID = "safepassage/bureau-export/1"
SCHEMA_PATH = Path(__file__).with_name("bureau_export.schema.json")
RECORD_FIELDS = ["reference", *FIELDS, "language", "refused", "captured_on", "registered_on"]
CSV_COLUMNS = [
    "record",
    *RECORD_FIELDS,
    "card_sent_on",
    "event_kind",
    "event_date",
    "event_place",
    "event_details",
    "event_corrects",
]


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def document(programme_slug: str, prisoners: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    doc = {
        "schema": SCHEMA_ID,
        "programme": programme_slug,
        "generated_at": now.isoformat(),
        "prisoners": prisoners,
    }
    jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())
    return doc


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


# A cell a spreadsheet would run as a formula is prefixed with an apostrophe (CSV injection,
# OWASP's list). Spreadsheets skip leading spaces and read full-width forms (＝, ＋) as their
# ASCII twins, so the test is made after both.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if not isinstance(value, str) or not value:
        return value
    value = without_invisible(value)  # also from records stored before they were refused
    folded = unicodedata.normalize("NFKC", value)
    if folded.startswith(FORMULA_STARTS) or folded.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(doc: dict[str, Any]) -> str:
    """One `prisoner` row per person, then one `event` row per later event, same reference."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()

    def write(row: dict[str, Any]) -> None:
        writer.writerow({name: csv_cell(value) for name, value in row.items()})

    for prisoner in doc["prisoners"]:
        row = {name: prisoner[name] for name in RECORD_FIELDS}
        row["refused"] = " ".join(prisoner["refused"])
        write({"record": "prisoner", **row, "card_sent_on": prisoner["card_sent_on"]})
        for event in prisoner["events"]:
            write(
                {
                    "record": "event",
                    "reference": prisoner["reference"],
                    "event_kind": event["kind"],
                    "event_date": event["date"],
                    "event_place": event["place"],
                    "event_details": event["details"],
                    "event_corrects": (
                        f"{event['corrects']['kind']} {event['corrects']['date']}"
                        if "corrects" in event
                        else ""
                    ),
                }
            )
    return out.getvalue()
