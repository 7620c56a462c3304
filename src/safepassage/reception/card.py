"""The capture card of GC III Art. 70, laid out after the model in Annex IV B, as a PDF.

Labels are in the prisoner's language; the font is the bundled DejaVu Sans, so Cyrillic prints
as it should on any machine. The PDF's metadata names no one.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safepassage.lib.textinput import without_invisible
from safepassage.reception.particulars import HEALTH

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVu"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


@cache
def _printable() -> frozenset[int]:
    """The characters both bundled faces can draw (Latin, Cyrillic, Greek and more)."""
    faces = [set(TTFont(FONT_DIR / name).getBestCmap()) for name in FONT_FILES]
    return frozenset(set.intersection(*faces))


def unprintable(text: str) -> list[str]:
    """The characters of `text` the card could not draw: the PDF would silently drop them,
    and a card with half a name is worse than a clear refusal at registration."""
    return sorted({c for c in text if not c.isspace() and ord(c) not in _printable()})


@dataclass(frozen=True)
class CardData:
    particulars: dict[str, Any]
    captured_on: date
    dated: date


def _when(value: str | date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return day.strftime("%d.%m.%Y")


def _lines(data: CardData) -> list[tuple[str, str]]:
    """The numbered points of the model card, with this prisoner's answers."""
    p = data.particulars
    health = str(HEALTH[p["health"]]) if p.get("health") in HEALTH else ""
    present = ", ".join(v for v in (p.get("facility", ""), p.get("prisoner_number", "")) if v)
    return [
        (_("1. Power on which the prisoner depends"), p.get("power", "")),
        (_("2. Name"), p.get("surname", "")),
        (_("3. First names (in full)"), p.get("first_names", "")),
        (_("4. First name of father"), p.get("father_first_name", "")),
        (_("5. Date of birth"), _when(p.get("date_of_birth"))),
        (_("6. Place of birth"), p.get("place_of_birth", "")),
        (_("7. Rank"), p.get("rank", "")),
        (_("8. Service number"), p.get("service_number", "")),
        (_("9. Address of family"), p.get("family_address", "")),
        (_("10. Taken prisoner on"), _when(data.captured_on)),
        (_("11. State of health"), health),
        (_("12. My present address: prisoner number, name of camp"), present),
        (_("13. Date"), _when(data.dated)),
        (_("14. Signature"), ""),
    ]


def _block(pdf: FPDF, height: float, text: str, **options: object) -> None:
    """A paragraph across the page; the next one starts under it at the left margin."""
    pdf.multi_cell(
        pdf.epw,
        height,
        without_invisible(text),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        **options,  # type: ignore[arg-type]
    )


def render(data: CardData, language: str) -> bytes:
    with translation.override(language):
        pdf = FPDF(orientation="P", unit="mm", format=(148, 210))  # A5
        pdf.set_title(_("Capture card for prisoner of war"))
        pdf.set_creator("Safe Passage")
        pdf.add_font(FONT, "", FONT_DIR / FONT_FILES[0])
        pdf.add_font(FONT, "B", FONT_DIR / FONT_FILES[1])
        pdf.set_auto_page_break(auto=True, margin=10)
        pdf.add_page()
        width = pdf.epw
        pdf.set_font(FONT, "B", 9)
        pdf.cell(width, 5, _("PRISONER OF WAR MAIL"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "B", 12)
        _block(pdf, 6, _("CAPTURE CARD FOR PRISONER OF WAR"), align="C")
        pdf.set_font(FONT, "", 8)
        _block(pdf, 4, _("Central Prisoners of War Agency"), align="C")
        _block(pdf, 4, _("Write legibly and in block letters"), align="C")
        pdf.ln(2)
        for label, value in _lines(data):
            pdf.set_font(FONT, "", 7)
            pdf.set_text_color(80)
            _block(pdf, 3.5, label, align="L")
            pdf.set_font(FONT, "B", 10)
            pdf.set_text_color(0)
            _block(pdf, 5.5, value or " ", border="B", align="L")
            pdf.ln(1)
        pdf.set_font(FONT, "", 7)
        _block(
            pdf,
            3.5,
            _(
                "This card must be completed by each prisoner immediately after being taken "
                "prisoner and each time his address is changed. It is distinct from the card "
                "which the prisoner is allowed to send to his family."
            ),
            align="L",
        )
        return bytes(pdf.output())
