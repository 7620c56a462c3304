"""Leaflets and pocket cards: their text read back, every QR code decoded to its exact
address, the same bytes for the same input (issue #13)."""

import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from safepassage.outreach import codes, leaflets
from safepassage.outreach.models import Campaign, OfficialChannels
from safepassage.programmes.roles import Role
from tests.conftest import refusal, text_of

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
    assert "+380 44 000 00 00" in front and "@safe_passage_bot" in front
    assert ONION in front.replace(" ", "")  # to type where the QR code cannot be scanned
    for signal in ("Руки вверх, затем в стороны", "Белая ткань на руке", "Оружие за спиной"):
        assert signal in back
    assert "Никто из программы никогда не просит денег." in back
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
    assert headline in front and signal in back and money in back
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


@pytest.mark.parametrize("fmt", ["card", "a6", "a5"])
def test_each_side_fills_its_page(leaflet, fmt, tmp_path):
    """Issue #27, point 8: the A6 leaflet filled half its page in small type. Looked at as
    PNG pages (poppler's pdftoppm): on each side, ink reaches the last fifth of the page."""
    from PIL import Image

    program = shutil.which("pdftoppm")
    if program is None:
        message = "pdftoppm is missing (Debian's poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
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
            min(image.crop((0, y, image.width, y + 1)).getextrema()) for y in range(height)
        ]
        inked = [y for y, darkest in enumerate(row_darkest) if darkest < 128]
        assert inked and inked[-1] > height * 0.8, (side.name, inked[-1], height)
