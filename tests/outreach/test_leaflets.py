"""Leaflets and pocket cards: their text read back, every QR code decoded to its exact
address, the same bytes for the same input (issue #13)."""

import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import cast

import pytest
from pypdf import PdfReader

from safepassage.outreach import codes, leaflets
from safepassage.outreach.models import Campaign, OfficialChannels
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, refusal, text_of

pytestmark = pytest.mark.django_db

ONION = "b" * 56 + ".onion"


def zbarimg() -> str:
    found = shutil.which("zbarimg")
    if found is None:
        message = "zbarimg not found (apt-get install zbar-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def pdftoppm() -> str:
    """Poppler's rasteriser, to look at a printed page as PNG."""
    found = shutil.which("pdftoppm")
    if found is None:
        message = "pdftoppm is missing (Debian's poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def tokmak(world) -> Campaign:
    """A campaign of Russian leaflets over Tokmak, with no channels of its own."""
    return Campaign.objects.create(
        programme=world.programme,
        name="Tokmak",
        medium="leaflet",
        language="ru",
        starts_on=date(2026, 11, 1),
        code=codes.new_code(),
    )


@pytest.fixture
def leaflet(world) -> tuple[Campaign, OfficialChannels]:
    campaign = tokmak(world)
    channels = OfficialChannels.objects.create(
        programme=world.programme,
        onion_address=ONION,
        bot_username="safe_passage_bot",
        bot_id="7001234567",
        phone_numbers="+380 44 000 00 00",
    )
    return campaign, channels


@pytest.mark.parametrize("fmt", ["card", "a6", "a5"])
def test_the_leaflet_reads_back_in_its_language(leaflet, fmt):
    campaign, channels = leaflet
    pdf = PdfReader(io.BytesIO(leaflets.render(campaign, channels, fmt)))
    assert len(pdf.pages) == 2  # both sides
    front, back = (" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Вы можете выйти живым" in front
    assert f"Ваш код: {codes.spoken(campaign.code)}" in front
    assert "+380 44 000 00 00" in front
    assert "@safe_passage_bot" in front
    assert ONION in front.replace(" ", "")  # to type where the QR code cannot be scanned
    for signal in ("Руки вверх, затем в стороны", "Белая ткань на руке", "Оружие за спиной"):
        assert signal in back
    assert "Никто из программы никогда не просит денег." in back
    # Where to read «Your rights and the risks» (issue #26): the site's page and the bot.
    assert "Ваши права и риски — прежде любого выбора:" in back
    assert f"http://{ONION}/ru/rights/,/rightsвботе" in back.replace(" ", "")
    campaign.language = "en"
    english = PdfReader(io.BytesIO(leaflets.render(campaign, channels, fmt)))
    assert "You can come out alive" in " ".join(english.pages[0].extract_text().split())


def qr_addresses(pdf_bytes: bytes) -> set[str]:
    """What zbarimg reads from each image of the first page."""
    program = zbarimg()
    found = set()
    with tempfile.TemporaryDirectory() as folder:
        for index, image in enumerate(PdfReader(io.BytesIO(pdf_bytes)).pages[0].images):
            assert image.image is not None
            path = Path(folder) / f"{index}.png"
            image.image.save(path)
            out = subprocess.run(
                [program, "--quiet", "--raw", str(path)], capture_output=True, text=True
            )
            found.add(out.stdout.strip())
    return found


def test_every_qr_code_decodes_to_its_exact_address(leaflet):
    campaign, channels = leaflet
    assert qr_addresses(leaflets.render(campaign, channels, "a6")) == {
        f"http://{ONION}/ru/r/{campaign.code}/",
        f"https://t.me/safe_passage_bot?start={campaign.code}",
    }


def test_the_same_input_gives_the_same_bytes(leaflet):
    campaign, channels = leaflet
    assert leaflets.render(campaign, channels, "a5") == leaflets.render(campaign, channels, "a5")


def test_the_admin_downloads_a_leaflet(world, leaflet, staff_client):
    campaign, _channels = leaflet
    admin = staff_client(Role.ADMIN)
    response = admin.get(f"/en/staff/p/north/campaigns/{campaign.code}/card.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert admin.get(f"/en/staff/p/north/campaigns/{campaign.code}/a9.pdf").status_code == 404


@pytest.mark.parametrize(
    ("language", "headline", "signal", "money"),
    [
        ("uk", "Ви можете вийти живим", "Біла тканина на руці", "Ніхто з програми"),
        ("be", "Вы можаце выйсці жывым", "Белая тканіна на руцэ", "Ніхто з праграмы"),
    ],
)
def test_ukrainian_and_belarusian_leaflets_print_in_their_language(
    leaflet, language, headline, signal, money
):
    campaign, channels = leaflet
    campaign.language = language
    assert campaign.site_language == language  # the link on it opens the site in his language
    pdf = PdfReader(io.BytesIO(leaflets.render(campaign, channels, "a6")))
    front, back = (" ".join(page.extract_text().split()) for page in pdf.pages)
    assert headline in front
    assert signal in back
    assert money in back
    assert qr_addresses(leaflets.render(campaign, channels, "a6")) == {
        f"http://{ONION}/{language}/r/{campaign.code}/",
        f"https://t.me/safe_passage_bot?start={campaign.code}",
    }


def test_a_leaflet_with_no_way_to_reach_the_programme_is_refused(world, staff_client):
    """Issue #27, point 8: the demo printed leaflets with no channel at all."""
    campaign = tokmak(world)
    admin = staff_client(Role.ADMIN)
    response = admin.get(f"/ru/staff/p/north/campaigns/{campaign.code}/a6.pdf")
    assert refusal(admin, response).startswith(
        "Листовка должна говорить, как связаться с программой"
    )
    saved = admin.post(
        "/ru/staff/p/north/channels/",
        {"onion_address": ONION, "bot_username": "", "bot_id": "", "phone_numbers": ""},
        follow=True,
    )
    assert text_of(saved.content.decode(), "saved").startswith("Сохранено.")
    pdf = admin.get(f"/ru/staff/p/north/campaigns/{campaign.code}/a6.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert audit_entries("outreach.channels_saved") == [(f"staff:{world.staff[Role.ADMIN].pk}", {})]


@pytest.mark.parametrize("fmt", ["card", "a6", "a5"])
def test_each_side_fills_its_page(leaflet, fmt, tmp_path):
    """Issue #27, point 8: the A6 leaflet filled half its page in small type. Looked at as
    PNG pages (poppler's pdftoppm): on each side, ink reaches the last fifth of the page."""
    from PIL import Image

    program = pdftoppm()
    campaign, channels = leaflet
    pdf = tmp_path / "leaflet.pdf"
    pdf.write_bytes(leaflets.render(campaign, channels, fmt))
    subprocess.run([program, "-png", "-r", "40", str(pdf), str(tmp_path / "side")], check=True)
    sides = sorted(tmp_path.glob("side-*.png"))
    assert len(sides) == 2
    for side in sides:
        image = Image.open(side).convert("L")
        height = image.height
        row_darkest = [
            min(cast(tuple[int, int], image.crop((0, y, image.width, y + 1)).getextrema()))
            for y in range(height)
        ]
        inked = [y for y, darkest in enumerate(row_darkest) if darkest < 128]
        assert inked, side.name
        assert inked[-1] > height * 0.8, (side.name, inked[-1], height)
        # ... and stops inside the bottom margin: nothing is cut off at the edge.
        assert inked[-1] < height * 0.985, (side.name, inked[-1], height)


def _pictogram_png(key: str, tmp_path: Path):
    """One signal drawing as printed: placed on a page by fpdf2 as the leaflet places it and
    rasterised by poppler, so the test sees what the soldier sees."""
    from fpdf import FPDF
    from PIL import Image

    program = pdftoppm()
    pdf = FPDF(unit="mm", format=(60, 60))
    pdf.add_page()
    pdf.image(str(leaflets.PICTOGRAMS / f"{key}.svg"), x=0, y=0, w=60, h=60)
    pdf.output(str(tmp_path / f"{key}.pdf"))
    # 60 mm at 50.8 dpi is 120 pixels: one pixel per unit of the drawings' viewBox.
    out = tmp_path / key
    subprocess.run(
        [program, "-png", "-r", "50.8", "-singlefile", f"{out}.pdf", str(out)], check=True
    )
    return Image.open(f"{out}.png").convert("RGB")


def _figures(image, darker_than: int = 100) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (left, top, right, bottom) of the separate pieces of dark ink."""
    width, height = image.size
    pixels = image.load()
    ink = {(x, y) for x in range(width) for y in range(height) if max(pixels[x, y]) < darker_than}
    boxes = []
    while ink:
        stack = [ink.pop()]
        xs, ys = [], []
        while stack:
            x, y = stack.pop()
            xs.append(x)
            ys.append(y)
            for near in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if near in ink:
                    ink.remove(near)
                    stack.append(near)
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


@pytest.mark.parametrize("key", sorted(p.stem for p in leaflets.PICTOGRAMS.glob("*.svg")))
def test_no_signal_drawing_carries_a_red_mark(key, tmp_path):
    """Issue #27, point 8: a red cross beside the rifle read as a medic's sign."""
    image = _pictogram_png(key, tmp_path)
    reds = [p for p in image.get_flattened_data() if p[0] - max(p[1], p[2]) > 60]
    assert reds == []


def test_arms_raised_then_spread_is_drawn_as_two_people_in_turn(tmp_path):
    """Issue #27, point 8: both positions drawn on one body looked like horns and a dashed
    line. Printed, the drawing shows two whole people side by side (first arms up, then
    spread) with an arrow between them."""
    image = _pictogram_png("arms_raised_spread", tmp_path)
    people = [box for box in _figures(image) if box[3] - box[1] > image.height * 0.6]
    assert len(people) == 2
    first, then = sorted(people)
    assert first[2] < then[0]
    # The first raises his arms above his head: his drawing is tall and narrow; the second
    # spreads them: his is wider than the first's.
    assert then[2] - then[0] > 1.5 * (first[2] - first[0])
    arrows = [box for box in _figures(image) if box not in people and box[0] >= first[2]]
    assert len(arrows) == 1


def test_the_slung_rifle_lies_on_the_body(tmp_path):
    """Issue #27, point 8: the rifle stood apart from the body. Printed, the grey of the rifle
    crosses the soldier's torso, and the magazine lies apart on the ground."""
    image = _pictogram_png("weapon_barrel_down", tmp_path)
    # Grey counts as ink here: the rifle is part of the soldier's drawing.
    (soldier,) = [box for box in _figures(image, 200) if box[3] - box[1] > image.height * 0.8]
    pixels = image.load()
    grey = [
        (x, y)
        for x in range(image.width)
        for y in range(image.height)
        if 70 < pixels[x, y][0] < 130 and abs(pixels[x, y][0] - pixels[x, y][2]) < 30
    ]
    rifle = [(x, y) for x, y in grey if soldier[0] <= x <= soldier[2] and y < soldier[3]]
    torso_x = (soldier[0] + soldier[2]) // 2
    assert any(abs(x - torso_x) <= 2 for x, _y in rifle)
    magazine = [(x, y) for x, y in grey if x > soldier[2]]
    assert magazine
    assert min(y for _x, y in magazine) > image.height * 0.75
