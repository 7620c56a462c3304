"""Regenerate the codename word lists in src/safepassage/vault/wordlists/.

Run by hand, never at run time: `pip install mnemonic wordfreq pymorphy3 pymorphy3-dicts-ru
pymorphy3-dicts-uk` in a scratch environment, then `python tools/make_wordlists.py`.

Where a curated BIP-39 list exists for the language (the `mnemonic` package, MIT licence) it is
the base, since its words were chosen to be memorable and distinct; frequency-ranked dictionary
nouns fill the places the blocklist empties.

A codename must be memorable and harmless if overheard or found: the lists keep common,
concrete nouns in their dictionary form and drop anything about war, surrender, captivity,
politics, crime or the body, so that no codename reads as incriminating.
"""

from pathlib import Path

import mnemonic
import pymorphy3
import wordfreq

SIZE = 2048  # 11 bits a word; a codename has 8 words, 88 bits.
OUT = Path(__file__).resolve().parent.parent / "src/safepassage/vault/wordlists"

# Stems (prefix match) that must never appear in a codename.
BLOCKED = {
    "ru": """войн воен солдат арми плен сдач сдат сдаю оруж автомат танк штурм фронт бой боец
    враг убий убит смерт труп кров нарко путин украин росси москв киев кремл зеленск нацис фаш
    дезерт измен предат шпион развед агент полиц тюрьм суд прокур преступ террор бомб ракет
    снаряд мин пуля пулем граната взрыв выстрел стрел огонь пожар раненый ран госпит морг
    гроб могил похорон казн пытк насил секс попа жоп член грудь голый пьян водк алког
    коммун партия выбор президент депутат министр правительств власть сша америк германи
    бог церк ислам мусульм еврей чечен хохол москал чурк негр граница побег
    беглец
    командир генерал офицер сержант рядов взвод рота батальон полк дивиз бригад отряд
    оруд героин кокаин дрон пилот вертол самолет корабл флот крейсер бункер окоп блиндаж позици
    засад атак
    оборон наступ отступ эвакуац беженц жертв гибел погиб""".split(),
    "uk": """війн військ солдат армі полон здач здат зброя автомат танк штурм фронт бій боєць
    ворог вбив смерт труп кров нарко путін україн росі москв київ кремл зеленськ нацис фаш
    дезерт зрад шпигун розвід агент поліц тюрм суд прокур злочин терор бомб ракет снаряд мін
    куля кулем граната вибух постріл стріл вогонь пожеж поран госпіт морг труна могил похорон
    страт катув насил
    секс пиян горілк алког комун партія вибор президент депутат міністр
    уряд влада бог церк іслам кордон втеча командир генерал офіцер сержант взвод рота
    батальйон полк дивіз бригад загін дрон пілот гелікопт літак корабл флот бункер окоп
    кацап дтек бліндаж позиці засід атак оборон наступ відступ евакуац біженц
    жертв загиб""".split(),
    "en": """war army soldier prison captiv surrender weapon gun rifle tank assault front battle
    enemy kill murder death dead corpse blood drug putin ukrain russia moscow kyiv kremlin nazi
    fascis desert traitor treason spy agent police jail court crime terror bomb rocket missile
    shell mine bullet grenade explo shoot shot fire wound hospital funeral grave tortur rape sex
    drunk vodka alcohol communis party election president minister government god church islam
    border escape command general officer sergeant platoon company battalion regiment division
    brigade drone pilot helicopter plane ship fleet bunker trench attack defen retreat refugee
    victim naked porn fuck shit hell damn penis breast gay black white""".split(),
}


def russian_like(lang: str, analyzer: pymorphy3.MorphAnalyzer) -> list[str]:
    words = []
    for word in wordfreq.top_n_list(lang, 60000):
        if not word.isalpha() or not 4 <= len(word) <= 8 or "ё" in word or "'" in word:
            continue
        parse = analyzer.parse(word)[0]
        tag = parse.tag
        if (
            tag.POS == "NOUN"
            and parse.normal_form == word
            and "nomn" in tag
            and "plur" not in tag
            and parse.score > 0.5
            and not {"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Init"} & tag.grammemes
        ):
            words.append(word)
    return words


def english() -> list[str]:
    return [
        w
        for w in wordfreq.top_n_list("en", 20000)
        if w.isascii() and w.isalpha() and 4 <= len(w) <= 8 and w.islower()
    ]


def bip39(name: str) -> list[str]:
    return [w.replace("ё", "е") for w in mnemonic.Mnemonic(name).wordlist]


def allowed(word: str, lang: str) -> bool:
    return not any(word.startswith(stem) or stem in word for stem in BLOCKED[lang])


def main() -> None:
    candidates = {
        "ru": bip39("russian") + russian_like("ru", pymorphy3.MorphAnalyzer(lang="ru")),
        "uk": russian_like("uk", pymorphy3.MorphAnalyzer(lang="uk")),
        "en": bip39("english") + english(),
    }
    for lang, words in candidates.items():
        kept = [w for w in dict.fromkeys(words) if allowed(w, lang)][:SIZE]
        if len(kept) < SIZE:
            raise SystemExit(f"{lang}: only {len(kept)} words, need {SIZE}")
        (OUT / f"{lang}.txt").write_text("\n".join(sorted(kept)) + "\n", encoding="utf-8")
        print(lang, len(kept))


if __name__ == "__main__":
    main()
