"""The reception desk on paper: tonight's expected arrivals (window, sector, head count,
never who) and the prisoners held (reference, when taken, registered, card due), for the
officer who works where no screen is (issue #27, point 15). Bundled fonts, so Cyrillic prints;
the PDF's metadata names no one."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safepassage.lib import display
from safepassage.reception.card import FONT, FONT_DIR, FONT_FILES


@dataclass(frozen=True)
class Held:
    reference: str
    taken: str
    registered: str
    card_due: str
    overdue: bool


def render(
    programme_name: str,
    expected: list[tuple[str, str, int]],
    held: list[Held],
    now: datetime,
    zone: str,
) -> bytes:
    """`expected`: (window as read, sector, head count) of each acknowledged crossing."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_("Reception desk"))
    pdf.set_creator("Safe Passage")
    pdf.add_font(FONT, "", FONT_DIR / FONT_FILES[0])
    pdf.add_font(FONT, "B", FONT_DIR / FONT_FILES[1])
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, f"{_('Reception desk')} · {programme_name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    printed = _("Printed %(when)s") % {"when": display.moment(now, zone)}
    pdf.cell(0, 6, printed, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _table(
        pdf,
        _("Expected in the next 24 hours"),
        [_("Window"), _("Sector"), _("People crossing")],
        [(when, sector, str(count)) for when, sector, count in expected],
        [95, 60, 35],
        _("No acknowledged crossing in the next 24 hours."),
    )
    _table(
        pdf,
        _("Received"),
        [_("Case"), _("Taken prisoner"), _("Registered"), _("Card due by")],
        [
            (
                h.reference,
                h.taken,
                h.registered,
                h.card_due + (f" · {_('overdue')}" if h.overdue else ""),
            )
            for h in held
        ],
        [30, 60, 40, 60],
        _("Nobody has been received yet."),
    )
    return bytes(pdf.output())


def _due(held: Held) -> str:
    return f"{held.card_due} · {_('overdue')}" if held.overdue else held.card_due


def _table(
    pdf: FPDF,
    title: str,
    head: list[str],
    rows: list[tuple[str, ...]],
    widths: list[int],
    empty: str,
) -> None:
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not rows:
        pdf.set_font(FONT, "", 9)
        pdf.cell(0, 6, empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        return
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
        pdf.set_font(FONT, "B", 9)
        header = table.row()
        for cell in head:
            header.cell(cell)
        pdf.set_font(FONT, "", 9)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.ln(3)
