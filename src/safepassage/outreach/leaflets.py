"""Print-ready leaflets and pocket cards for a campaign (issue #13): a pocket card (A7) and a
leaflet (A6 or A5), both sides. The front: how to reach the programme, with a QR code for
the onion site and one for the bot's link carrying the campaign code, the code to type or say,
the hotline numbers. The back: the surrender signals from the signal library, and three
lines of safety advice. Texts come from the translation catalogues, addresses and numbers from
the programme's official channels, the fonts are bundled (as for the capture card), and the
same input gives the same bytes."""

import io
from datetime import UTC, datetime, time
from pathlib import Path

import segno
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safepassage.outreach.codes import spoken
from safepassage.outreach.models import Campaign, OfficialChannels
from safepassage.passage.recognition import SIGNALS
from safepassage.reception.card import FONT, FONT_DIR, FONT_FILES

FORMATS = {"card": (74.0, 105.0), "a6": (105.0, 148.0), "a5": (148.0, 210.0)}
PICTOGRAMS = Path(__file__).resolve().parent.parent / "static" / "passage" / "signals"
SIGNALS_SHOWN = ("arms_raised_spread", "white_cloth_arm", "weapon_barrel_down")


def links(campaign: Campaign, channels: OfficialChannels) -> list[tuple[str, str]]:
    """(caption, URL) of each QR code the front carries."""
    found = []
    if channels.onion_address:
        url = f"http://{channels.onion_address}/{campaign.site_language}/r/{campaign.code}/"
        found.append((_("Website, in Tor Browser"), url))
    if channels.bot_username:
        url = f"https://t.me/{channels.bot_username}?start={campaign.code}"
        found.append((_("Telegram bot"), url))
    return found


def _qr(url: str) -> io.BytesIO:
    image = io.BytesIO()
    segno.make(url, error="q").save(image, kind="png", scale=8, border=4)
    image.seek(0)
    return image


def reachable(channels: OfficialChannels) -> bool:
    """A leaflet must carry at least one way to reach the programme."""
    return bool(channels.onion_address or channels.bot_username or channels.phones)


def render(campaign: Campaign, channels: OfficialChannels, fmt: str) -> bytes:
    width, height = FORMATS[fmt]
    scale = width / FORMATS["a6"][0]
    with translation.override(campaign.site_language):
        pdf = FPDF(orientation="P", unit="mm", format=(width, height))
        pdf.set_creation_date(datetime.combine(campaign.starts_on, time(), UTC))
        pdf.set_title(_("Safe Passage"))
        pdf.set_creator("Safe Passage")
        pdf.add_font(FONT, "", FONT_DIR / FONT_FILES[0])
        pdf.add_font(FONT, "B", FONT_DIR / FONT_FILES[1])
        margin = 5 * scale
        pdf.set_margins(margin, margin, margin)
        pdf.set_auto_page_break(auto=False)
        _front(pdf, campaign, channels, scale)
        _back(pdf, campaign, channels, scale)
        return bytes(pdf.output())


def _text(pdf: FPDF, size: float, text: str, *, bold: bool = False, align: str = "C") -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(pdf.epw, size * 0.45, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _front(pdf: FPDF, campaign: Campaign, channels: OfficialChannels, scale: float) -> None:
    pdf.add_page()
    _text(pdf, 19 * scale, _("You can come out alive"), bold=True)
    pdf.ln(2 * scale)
    _text(
        pdf,
        10 * scale,
        _(
            "Safe Passage helps soldiers who no longer want to fight to cross safely, and "
            "treats them lawfully afterwards. Apply in secret; we agree the time, the place and "
            "the signal with you."
        ),
    )
    pdf.ln(3 * scale)
    codes = links(campaign, channels)
    size = min(46 * scale, (pdf.epw - 6 * scale) / max(1, len(codes)))
    top = pdf.get_y()
    for index, (caption, url) in enumerate(codes):
        x = pdf.l_margin + index * (pdf.epw / len(codes)) + (pdf.epw / len(codes) - size) / 2
        pdf.image(_qr(url), x=x, y=top, w=size, h=size)
        pdf.set_xy(x - 2 * scale, top + size + 0.5 * scale)
        pdf.set_font(FONT, "", 8 * scale)
        pdf.multi_cell(size + 4 * scale, 3.6 * scale, caption, align="C")
    if channels.onion_address:  # to type by hand where a QR code cannot be scanned
        pdf.set_y(top + size + 4 * scale)
        _text(pdf, 6 * scale, channels.onion_address)
    pdf.set_y(pdf.get_y() + 1 * scale if codes else top)
    # The code and the numbers stand at the foot of the page, where a folded leaflet shows.
    pdf.set_y(max(pdf.get_y() + 2 * scale, pdf.h - pdf.t_margin - 22 * scale))
    _text(pdf, 15 * scale, _("Your code: %(code)s") % {"code": spoken(campaign.code)}, bold=True)
    pdf.ln(1.5 * scale)
    if channels.phones:
        _text(pdf, 11 * scale, _("Hotline: %(numbers)s") % {"numbers": ", ".join(channels.phones)})
    if channels.bot_username:
        _text(pdf, 10 * scale, "@" + channels.bot_username)


def _back(pdf: FPDF, campaign: Campaign, channels: OfficialChannels, scale: float) -> None:
    """The signals one under another, each drawn large beside its steps: a soldier glances at
    it once, in the dark, and must remember it."""
    pdf.add_page()
    _text(pdf, 14 * scale, _("When you cross, show a signal"), bold=True)
    pdf.ln(2 * scale)
    size = 26 * scale  # three signals and the notes below fit the page with its margin
    text_x = pdf.l_margin + size + 3 * scale
    for key in SIGNALS_SHOWN:
        signal = SIGNALS[key]
        top = pdf.get_y()
        pdf.image(str(PICTOGRAMS / f"{key}.svg"), x=pdf.l_margin, y=top, w=size, h=size)
        pdf.set_xy(text_x, top)
        pdf.set_font(FONT, "B", 9.5 * scale)
        width = pdf.epw - size - 3 * scale
        pdf.multi_cell(
            width, 4.2 * scale, str(signal.title), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT
        )
        pdf.set_font(FONT, "", 7.5 * scale)
        for number, step in enumerate(signal.steps, start=1):
            pdf.multi_cell(
                width, 3.4 * scale, f"{number}. {step}", new_x=XPos.LEFT, new_y=YPos.NEXT
            )
        pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + size) + 2 * scale)
    for line in (
        _("Learn the code and the addresses by heart, then destroy this leaflet."),
        _("Nobody from the programme ever asks for money."),
        _("Check every channel against the official list before you write."),
    ):
        _text(pdf, 8.5 * scale, "• " + line, align="L")
        pdf.ln(0.8 * scale)
    _text(pdf, 8.5 * scale, "• " + rights_line(campaign, channels), align="L")


def rights_line(campaign: Campaign, channels: OfficialChannels) -> str:
    """Where «Your rights and the risks» is read (lib/rights.py): the site's page, the bot's
    command, or both, as the programme has them."""
    where = []
    if channels.onion_address:
        where.append(f"http://{channels.onion_address}/{campaign.site_language}/rights/")
    if channels.bot_username:
        where.append(_("/rights in the bot"))
    if not where:
        return str(_("Ask us about your rights and the risks before any choice."))
    return _("Your rights and the risks, before any choice: %(where)s") % {
        "where": ", ".join(str(w) for w in where)
    }
