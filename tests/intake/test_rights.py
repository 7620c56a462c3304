"""«Your rights and the risks» (issue #26): one public page, linked from every applicant page,
dated, with its sources, in every language."""

import pytest

from tests.conftest import submit, text_of

pytestmark = pytest.mark.django_db


def test_the_page_says_the_five_things_and_the_risk_of_interviews_in_russian(client):
    html = client.get("/ru/rights/").content.decode()
    assert text_of(html, "rights-version") == (
        "Версия от 07.12.2026. Источники ниже проверены в этот день."
    )
    assert text_of(html, "rights-particulars") == (
        "Что вы обязаны сообщить в плену "
        "В плену вы обязаны назвать пять вещей: фамилию, имена, звание, дату рождения и "
        "личный номер (Третья Женевская конвенция, статья 17). Больше ничего. "
        "На любой другой вопрос вы можете не отвечать. Никто не вправе угрожать вам, "
        "оскорблять или наказывать вас за отказ или обращаться с вами хуже."
    )
    assert "от 3 до 10 лет" in text_of(html, "rights-images")
    assert "статья 352.1" in text_of(html, "rights-images")
    assert "Федеральным законом № 365-ФЗ от 24 сентября 2022 года" in text_of(
        html, "rights-sources"
    )


def test_the_page_reads_in_english_ukrainian_and_belarusian(client):
    english = text_of(client.get("/en/rights/").content.decode(), "rights-never")
    assert english == (
        "What we will never ask We never ask you or your family for money, bank or card "
        "details, codes from text messages or payment of any kind. Anyone who asks is not us."
    )
    assert text_of(client.get("/uk/rights/").content.decode(), "rights-version") == (
        "Версія від 07.12.2026. Джерела нижче перевірено цього дня."
    )
    assert text_of(client.get("/be/rights/").content.decode(), "rights-version") == (
        "Версія ад 07.12.2026. Крыніцы ніжэй правераныя ў гэты дзень."
    )


def test_every_applicant_page_links_to_it(world, client):
    codename = submit(client, lang="ru")
    pages = ["/ru/", "/ru/safety/", "/ru/enter/", "/ru/north/apply/", "/ru/north/official/"]
    for path in pages:
        html = client.get(path).content.decode()
        assert 'href="/ru/rights/" id="rights-link"' in html, path
    signed_in = client.post("/ru/enter/", {"codename": codename}, follow=True).content.decode()
    assert 'href="/ru/rights/" id="rights-link"' in signed_in
    assert text_of(signed_in, "rights-link") == "Ваши права и риски"
