"""«Your rights and the risks»: the plain, honest words an applicant and his family read before
any choice (issue #26), on one public page (intake's `/rights/`), in the bot (`/rights`),
named on the back of every leaflet, and in part on the after-care page before a pathway
consent, whose statement then names the version he read.

The words live here, below every app, because each of those places shows them. A new version
gets a new `VERSION`: a consent keeps the version it was given under, so what someone read is
never rewritten. Before a version goes in front of real people, a lawyer checks it against the
sources and a native speaker reads each language (docs/LANGUAGES.md).
"""

from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safepassage.lib import display

# The day this version was written and its sources were checked.
VERSION = date(2026, 12, 7)


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    paragraphs: tuple[Promise, ...]


SECTIONS = (
    Section(
        "particulars",
        _("What you must say as a prisoner"),
        (
            _(
                "As a prisoner of war you must give five things: your surname, your first "
                "names, your rank, your date of birth and your service number (Third Geneva "
                "Convention, Article 17). Nothing more."
            ),
            _(
                "You may refuse every other question. No one may threaten, insult or punish "
                "you for refusing, or treat you worse in any way."
            ),
        ),
    ),
    Section(
        "images",
        _("No filming, no publishing, no interviews"),
        (
            _(
                "No one may film or photograph you, or publish anything about you, without "
                "your consent: a prisoner is protected against insults and public curiosity "
                "(Article 13)."
            ),
            _(
                "Refuse interviews. In Russia voluntary surrender is punished with 3 to 10 "
                "years in prison (Criminal Code, article 352.1), and interviews given in "
                "captivity have been used as evidence."
            ),
        ),
    ),
    Section(
        "exchange",
        pgettext_lazy("prisoner exchange", "Exchange"),
        (
            _(
                "Prisoners go home in exchanges, in batches the two sides agree on. You may "
                "ask to be put on the exchange lists, or to stay off them."
            ),
            _(
                "Your choice is written down with its date, and you may change it at any "
                "time. If you ask to stay off the lists, your name is on no exchange list we "
                "produce."
            ),
        ),
    ),
    Section(
        "returnees",
        _("What those who went back have faced"),
        (
            _(
                "Independent Russian media have reported criminal cases for voluntary "
                "surrender, including against soldiers who came back from captivity, and "
                "returned prisoners being sent back to the front."
            ),
            _(
                "Think about this before you ask to be exchanged. Staying, or asylum in a third "
                "country, are other paths: the after-care officer explains each of them."
            ),
        ),
    ),
    Section(
        "never",
        _("What we will never ask"),
        (
            _(
                "We never ask you or your family for money, bank or card details, codes from "
                "text messages or payment of any kind. Anyone who asks is not us."
            ),
        ),
    ),
)
BY_KEY = {section.key: section for section in SECTIONS}

# What the after-care officer shows before recording a pathway consent.
BEFORE_A_PATHWAY = (BY_KEY["exchange"], BY_KEY["returnees"])

SOURCES = (
    _(
        "Geneva Convention relative to the Treatment of Prisoners of War of 12 August 1949, "
        "Articles 13, 17 and 118 (ICRC, International Humanitarian Law Databases)."
    ),
    _(
        "Criminal Code of the Russian Federation, article 352.1 «Voluntary surrender», added by "
        "Federal Law No. 365-FZ of 24 September 2022."
    ),
    _(
        "Office of the UN High Commissioner for Human Rights, «Treatment of prisoners of war "
        "and persons hors de combat in the context of the armed attack by the Russian "
        "Federation against Ukraine», March 2023."
    ),
)


@dataclass(frozen=True)
class ReadSection:
    """A section as read in one language: plain text, no longer lazy."""

    key: str
    title: str
    paragraphs: list[str]


def read_in(language: str, sections: tuple[Section, ...] = SECTIONS) -> list[ReadSection]:
    """`sections` as plain text in `language`, for a page or a chat in another language than
    the request's (the after-care page shows them in his, the bot in the chat's)."""
    with translation.override(language):
        return [ReadSection(s.key, str(s.title), [str(p) for p in s.paragraphs]) for s in sections]


def version_label() -> str:
    """The version as a reader names it, in the active language: «of 7 Dec 2026»."""
    return display.day(VERSION)
