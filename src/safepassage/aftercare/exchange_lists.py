"""Exchange lists for the programme's authority (issue #26): the Art. 17 particulars of those
who asked to be on the lists and have not withdrawn it, as CSV or PDF, all or only those new
since the last list in the same format. Recorded and audited with the list.

Never on a list: whoever asked to stay off the lists (his choice is the only one in force, by
the database's constraint), whoever chose volunteer service, and whoever was already
exchanged (the exchange closes his choice: consents.close_exchange_list_choice).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safepassage.aftercare.models import Consent, ExchangeList
from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.reception.card import FONT, FONT_DIR, FONT_FILES
from safepassage.reception.export import csv_cell
from safepassage.reception.models import Prisoner
from safepassage.reception.particulars import MANDATORY
from safepassage.vault import crypto

COLUMNS = ("reference", *MANDATORY)


@dataclass(frozen=True)
class Row:
    reference: str
    particulars: dict[str, str]


def last_list(programme: Programme, fmt: str) -> ExchangeList | None:
    return (
        ExchangeList.objects.filter(programme=programme, format=fmt)
        .order_by("-produced_at")
        .first()
    )


def _asked_to_be_listed(programme: Programme, since: datetime | None) -> list[Consent]:
    asked = Consent.objects.filter(
        case__programme=programme,
        kind=Consent.Kind.ON_EXCHANGE_LISTS,
        withdrawn_at__isnull=True,
    ).exclude(
        Exists(
            Consent.objects.filter(
                case=OuterRef("case"), kind=Consent.Kind.VOLUNTEER, withdrawn_at__isnull=True
            )
        )
    )
    if since is not None:
        asked = asked.filter(given_at__gt=since)
    return list(asked.select_related("case").order_by("given_at", "pk"))


def exchange_list(
    programme: Programme,
    *,
    only_new: bool,
    fmt: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> list[Row]:
    """The rows of the list (the caller renders them: `as_csv`, `as_pdf`), recorded and
    audited in one transaction."""
    now = now or timezone.now()
    previous = last_list(programme, fmt) if only_new else None
    with transaction.atomic():
        rows = []
        for consent in _asked_to_be_listed(programme, previous.produced_at if previous else None):
            prisoner = Prisoner.objects.filter(
                case=consent.case, registered_at__isnull=False
            ).first()
            key = dossier.case_key(consent.case, keyring, "custody")
            if prisoner is None or prisoner.particulars is None or key is None:
                continue  # not registered, or shredded: nothing to give
            particulars = crypto.decrypt_json(key, prisoner.particulars)
            shown = {name: str(particulars.get(name) or "") for name in MANDATORY}
            rows.append(Row(consent.case.reference, shown))
        ExchangeList.objects.create(
            programme=programme, format=fmt, produced_at=now, prisoners=len(rows)
        )
        log.record(
            Action.AFTERCARE_EXCHANGE_LIST,
            log.staff_actor(user),
            programme_id=programme.pk,
            prisoners=len(rows),
            only_new=only_new,
            format=fmt,
        )
    return rows


def as_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [csv_cell(row.reference), *(csv_cell(row.particulars[n]) for n in MANDATORY)]
        )
    return out.getvalue()


def as_pdf(rows: list[Row], now: datetime, language: str) -> bytes:
    """A4 landscape, one line per person, with the bundled DejaVu font (Cyrillic)."""
    with translation.override(language):
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_creation_date(now)
        pdf.set_title(_("Exchange list"))
        pdf.set_creator("Safe Passage")
        pdf.add_font(FONT, "", FONT_DIR / FONT_FILES[0])
        pdf.add_font(FONT, "B", FONT_DIR / FONT_FILES[1])
        pdf.set_auto_page_break(auto=True, margin=12)
        pdf.add_page()
        pdf.set_font(FONT, "B", 13)
        pdf.cell(0, 8, _("Exchange list"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9)
        pdf.cell(
            0,
            6,
            _("Those who asked to be exchanged: %(count)s") % {"count": len(rows)},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        with pdf.table(col_widths=(28, 50, 60, 35, 30, 44), text_align="LEFT") as table:
            header = table.row()
            for label in (_("Reference"), *MANDATORY.values()):
                header.cell(str(label))
            for row in rows:
                cells = table.row()
                cells.cell(row.reference)
                for name in MANDATORY:
                    cells.cell(row.particulars[name])
        return bytes(pdf.output())
