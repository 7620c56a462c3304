"""How a name a relative typed is compared with a name a prisoner gave (issue #24).

Names are compared in Cyrillic, the canonical form: NFC, lower case, ё as е, hyphens and
spaces as one space; Latin input is brought back to Cyrillic (cyrtranslit), and a surname or
patronymic in another gender or case is brought to its masculine nominative by the Russian
dictionary (pymorphy3: "Иванова" asked by his mother is "иванов"). Because a transliteration
back is a guess ("Shcherbakov" comes back as "шчербаков"), Latin input is also compared with
the Latin spellings his own documents may carry, generated from his Cyrillic name under the
schemes passports and visas use (iuliia). Scores are rapidfuzz's.

`bucket` is what the families blind index digests: a deliberately coarse key (the Latin
consonants of the name's ICAO spelling), so that the spellings of one name fall together and
each truncated digest holds several people.
"""

import re
import unicodedata
from functools import cache, lru_cache

import cyrtranslit
import iuliia
import pymorphy3
from rapidfuzz import fuzz

LATIN_SCHEMES = (
    iuliia.ICAO_DOC_9303,  # passports since 2013
    iuliia.MVD_782,  # passports 2010-2013
    iuliia.GOST_52535,  # older documents
    iuliia.BGN_PCGN,
    iuliia.WIKIPEDIA,  # what people type from memory
)
LATIN = re.compile(r"[a-z]")
INITIAL = re.compile(r"^\w\.?$")
VOICELESS = str.maketrans("vwbdgz", "ffptks")


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def plain(text: str) -> str:
    """NFC, lower case, ё as е, every run of hyphens, dots and spaces as one space."""
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    return " ".join(re.findall(r"\w+", text))


def is_latin(text: str) -> bool:
    return bool(LATIN.search(plain(text)))


def cyrillic(text: str) -> str:
    """`text` in Cyrillic: Latin brought back (lower case first: cyrtranslit reads "Zh" as
    "Z" and "h"), Cyrillic as it is."""
    words = plain(text)
    return plain(cyrtranslit.to_cyrillic(words, "ru")) if is_latin(words) else words


@lru_cache(maxsize=65536)  # names repeat: the dictionary's parse is the costly part
def _dictionary_form(word: str, tag: str) -> str:
    """The masculine nominative of a surname (`Surn`), patronymic (`Patr`) or first name
    (`Name`), where the dictionary knows the word as one; otherwise the word."""
    for parse in _morph().parse(word):
        if tag in parse.tag:
            return str(parse.normal_form).replace("ё", "е")
    return word


def canonical(text: str, tag: str = "Surn") -> str:
    """The form both sides are compared in: Cyrillic, each word in its dictionary form."""
    return " ".join(_dictionary_form(word, tag) for word in cyrillic(text).split())


@lru_cache(maxsize=65536)
def latin_spellings(text: str) -> frozenset[str]:
    """The Latin spellings of a Cyrillic name a document may carry, lower case."""
    return frozenset(plain(scheme.translate(plain(text))) for scheme in LATIN_SCHEMES)


@lru_cache(maxsize=65536)
def bucket(text: str, tag: str = "Surn") -> str:
    """The Latin consonants of the name's ICAO spelling, voiced ones as their voiceless pairs
    and doubled letters once: Иванов, Ivanov, Ivanoff, Iwanow and Иванова all give "fnf";
    Shcherbakov and Scherbakov both "scrpkf". Written here because it is not a
    transliteration but a deliberately lossy key for a blind index."""
    if is_latin(text):
        latin = plain(text)
    else:
        latin = plain(iuliia.ICAO_DOC_9303.translate(canonical(text, tag)))
    consonants = re.sub(r"[^a-z]|[aeiouyhj]", "", latin).translate(VOICELESS)
    return re.sub(r"(.)\1+", r"\1", consonants)


def is_initial(text: str) -> bool:
    return bool(INITIAL.match(text.strip()))


def similarity(asked: str, given: str, tag: str = "Surn") -> int:
    """0-100: how alike a name asked about is to a name a prisoner gave. An initial ("С.")
    agrees fully with a name of that first letter and not at all otherwise."""
    if not asked.strip() or not given.strip():
        return 0
    if is_initial(asked):
        return 100 if cyrillic(asked)[:1] == canonical(given, tag)[:1] else 0
    score = fuzz.ratio(canonical(asked, tag), canonical(given, tag))
    if is_latin(asked):
        typed = plain(asked)
        score = max([score, *(fuzz.ratio(typed, spelling) for spelling in latin_spellings(given))])
    return round(score)


def patronymic_similarity(asked: str, first_names: str, father: str) -> int:
    """The patronymic asked about against the one he gave after his first name, or else
    against his father's first name: "Петрович" begins as "Пётр" does, less its last
    letter ("Сергей" / "Сергеевич", "Илья" / "Ильич")."""
    given = first_names.split()[1:]
    if given:
        return similarity(asked, " ".join(given), "Patr")
    if not father.strip() or not asked.strip():
        return 0
    if is_initial(asked):
        return 100 if cyrillic(asked)[:1] == cyrillic(father)[:1] else 0
    stem = canonical(father, "Name")[:-1]
    return 100 if canonical(asked, "Patr").startswith(stem) else 0
