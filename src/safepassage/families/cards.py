"""A prisoner's card to his relative, as a PDF after the model correspondence card of GC III
Annex IV C: "Prisoner of war mail", the addressee, the sender, the date and his words. The
model's "place of detention" is left out on purpose: nothing on it may say where he is held
(Art. 76). Labels in the inquirer's language; the bundled DejaVu fonts print Cyrillic; the
PDF's metadata names no one."""

from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safepassage.lib.textinput import without_invisible
from safepassage.reception.card import FONT, FONT_DIR, FONT_FILES


def render(body: dict[str, str], dated: date, language: str) -> bytes:
    with translation.override(language):
        pdf = FPDF(orientation="L", unit="mm", format=(105, 148))  # a postcard, A6
        pdf.set_title(_("Correspondence card"))
        pdf.set_creator("Safe Passage")
        pdf.add_font(FONT, "", FONT_DIR / FONT_FILES[0])
        pdf.add_font(FONT, "B", FONT_DIR / FONT_FILES[1])
        pdf.set_auto_page_break(auto=True, margin=8)
        pdf.add_page()

        def line(height: float, text: str, style: str = "", size: float = 9) -> None:
            pdf.set_font(FONT, style, size)
            pdf.multi_cell(
                pdf.epw, height, without_invisible(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

        line(5, _("PRISONER OF WAR MAIL"), "B", 10)
        line(4, _("Correspondence card (Geneva Convention III, Annex IV C)"), "", 7)
        pdf.ln(2)
        line(4.5, _("To: %(name)s") % {"name": body.get("to", "")})
        line(4.5, _("From: %(name)s") % {"name": body.get("from", "")})
        line(4.5, _("Date: %(day)s") % {"day": dated.strftime("%d.%m.%Y")})
        pdf.ln(2)
        line(5, body.get("text", ""), "", 10)
        return bytes(pdf.output())
