"""Matching an inquiry against registered prisoners without exposing the register (issue #24).

At registration reception hands families the prisoner's particulars (reception's
`prisoner_registered`), and families keeps a tracing copy of his names and birth, sealed to
the families key, with its blind indexes (`keep_tracing_copy`), in the registration's own
transaction. The indexes are keyed by the programme's families index key, a random key sealed
to the families key and to the custody key (`FamiliesIndexKey`): the reception officer's
session opens it with the custody key, the tracing officer's with the families key, and a copy
of the database opens it with neither. Whoever holds the custody key already reads the
register, so it tells him nothing new. A person asked about gives the same coarse keys; the
copies behind them are opened and scored in the tracing officer's session, and a person
confirms the match (tracing.py).

Only registered prisoners have copies: an applicant, a case being verified, scheduled or in
transit is never a candidate, and nothing about his case is read or written here.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safepassage.cases import dossier
from safepassage.families import names
from safepassage.families.models import FamiliesIndexKey, Match, TracingCopy, TracingIndex
from safepassage.lib import display
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.reception.models import Prisoner
from safepassage.vault import crypto

COPIED = ("surname", "first_names", "father_first_name", "date_of_birth", "place_of_birth")
# How much each agreement weighs; a field the inquirer left empty weighs nothing.
WEIGHTS = {"surname": 40, "first_name": 25, "patronymic": 15, "born": 20}
SHOWN_FROM = 70  # the least score a candidate needs to be shown
MOST_SHOWN = 10
FULL_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def index_key(programme: Programme, keyring: Keyring) -> bytes | None:
    """The programme's families index key, opened with the custody or the families key of
    `keyring`; made on first need (any key holder can: it is sealed to public keys)."""
    row = FamiliesIndexKey.objects.filter(programme=programme).first()
    if row is None:
        families_key = programme.group_keys().get("families")
        if families_key is None:
            return None
        made = crypto.new_data_key()
        sealed, sealed_next = programme.seal("custody", made)
        try:
            with transaction.atomic():
                row = FamiliesIndexKey.objects.create(
                    programme=programme,
                    for_families=crypto.seal(bytes(families_key.public_key), made),
                    for_custody=sealed,
                    for_custody_next=sealed_next,
                )
        except IntegrityError:  # another session made it a moment before: that one stands
            row = FamiliesIndexKey.objects.get(programme=programme)
    if "custody" in keyring:
        return crypto.unseal(keyring["custody"], bytes(row.for_custody))
    if "families" in keyring:
        return crypto.unseal(keyring["families"], bytes(row.for_families))
    return None


def keep_tracing_copy(prisoner: Prisoner, particulars: dict[str, Any], keyring: Keyring) -> None:
    """Seal what tracing matches against to the families key and index it, in the caller's
    transaction; a correction replaces the copy and its indexes. A programme without a
    families key yet keeps none."""
    programme = prisoner.case.programme
    families_key = programme.group_keys().get("families")
    key = index_key(programme, keyring)
    if families_key is None or key is None:
        return
    _keep(prisoner, particulars, programme, bytes(families_key.public_key), key)


def _keep(
    prisoner: Prisoner,
    particulars: dict[str, Any],
    programme: Programme,
    families_public: bytes,
    key: bytes,
) -> None:
    copied = {name: particulars.get(name, "") for name in COPIED}
    plain = json.dumps(copied, ensure_ascii=False).encode()
    sealed = crypto.seal(families_public, plain)
    copy, created = TracingCopy.objects.get_or_create(
        prisoner=prisoner, defaults={"programme": programme, "sealed": sealed}
    )
    if not created:
        copy.indexes.all().delete()
        TracingCopy.objects.filter(pk=copy.pk).update(sealed=sealed)
    TracingIndex.objects.bulk_create(
        TracingIndex(copy=copy, programme=programme, kind=kind, digest=_digest(key, kind, text))
        for kind, text in _keys_of_prisoner(copied).items()
    )


def copy_the_registered(programme_id: int, keyring: Keyring, limit: int = 500) -> int:
    """Tracing copies for prisoners registered before families existed, made at the sign-in
    of someone who holds the custody key (the only key that reads their particulars), a
    bounded batch at a time. Returns how many."""
    if "custody" not in keyring:
        return 0
    waiting = list(
        Prisoner.objects.filter(
            case__programme_id=programme_id,
            registered_at__isnull=False,
            case__shredded_at__isnull=True,
            tracing_copy__isnull=True,
        ).select_related("case__programme")[:limit]
    )
    if not waiting:  # the common case at a sign-in: nothing is opened
        return 0
    programme = waiting[0].case.programme
    families_key = programme.group_keys().get("families")
    key = index_key(programme, keyring) if families_key else None
    if families_key is None or key is None:
        return 0
    made = 0
    for prisoner in waiting:  # the programme's keys opened once for the whole batch
        case_key = dossier.case_key(prisoner.case, keyring, "custody")
        if case_key is None or prisoner.particulars is None:
            continue
        particulars = crypto.decrypt_json(case_key, prisoner.particulars)
        with transaction.atomic():
            _keep(prisoner, particulars, programme, bytes(families_key.public_key), key)
        made += 1
    return made


def destroy_what_tracing_holds(case_id: int) -> None:
    """The case is crypto-shredded: his tracing copy goes with it, and so do the matches to
    him (who asked, sealed to the custody key, and his decisions)."""
    TracingCopy.objects.filter(prisoner__case_id=case_id).delete()
    Match.objects.filter(prisoner__case_id=case_id).delete()


def opened_copy(copy: TracingCopy, families_private_key: bytes) -> dict[str, str]:
    copied: dict[str, str] = json.loads(crypto.unseal(families_private_key, copy.sealed))
    return copied


# --- Blind indexes --------------------------------------------------------------------------


def _digest(index_key: bytes, kind: str, key: str) -> int:
    hash_key = crypto.derive_key(index_key, f"families-index:{kind}")
    full = blake2b(key.encode(), key=hash_key, digest_size=8).digest()
    return int.from_bytes(full, "big") >> (64 - settings.FAMILIES_INDEX_BITS)


def _keys_of_prisoner(copied: dict[str, str]) -> dict[str, str]:
    keys: dict[str, str] = {TracingIndex.Kind.SURNAME: names.bucket(copied["surname"])}
    first = (copied["first_names"].split() or [""])[0]
    year = copied["date_of_birth"][:4]
    if first and year:
        keys[TracingIndex.Kind.GIVEN_YEAR] = f"{names.bucket(first, 'Name')}:{year}"
    return keys


# --- Candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Born:
    year: int | None
    day: date | None


def born(text: str) -> Born:
    """A date or a year of birth as people write it: "12.03.1994", "1994-03-12", "1994"."""
    text = text.strip()
    for pattern, order in ((FULL_DATE, (3, 2, 1)), (ISO_DATE, (1, 2, 3))):
        if found := pattern.search(text):
            year, month, day = (int(found.group(n)) for n in order)
            try:
                return Born(year, date(year, month, day))
            except ValueError:
                return Born(year, None)
    year_found = YEAR.search(text)
    return Born(int(year_found.group(1)) if year_found else None, None)


def birth_similarity(asked: str, date_of_birth: str) -> int | None:
    """None when he did not say; 100 for the same day (or the same year, if he gave only
    the year); 50 for the same year on another day; 0 otherwise."""
    said = born(asked)
    if said.year is None:
        return None
    registered = born(date_of_birth)
    if said.day is not None and registered.day is not None:
        if said.day == registered.day:
            return 100
        return 50 if said.year == registered.year else 0
    return 100 if said.year == registered.year else 0


def _keys_asked(person: dict[str, str]) -> dict[str, str]:
    keys: dict[str, str] = {TracingIndex.Kind.SURNAME: names.bucket(person["surname"])}
    year = born(person.get("born", "")).year
    if year and not names.is_initial(person["first_name"]):
        keys[TracingIndex.Kind.GIVEN_YEAR] = f"{names.bucket(person['first_name'], 'Name')}:{year}"
    return keys


@dataclass(frozen=True)
class Comparison:
    label: Any
    asked: str
    registered: str
    score: int | None  # None: not compared (nothing asked, or shown only)


@dataclass(frozen=True)
class Candidate:
    prisoner_id: int
    score: int
    fields: list[Comparison]


def agreement(score: int | None) -> Any:
    """How a field agrees, in words, beside the field on the tracing officer's page."""
    if score is None:
        return ""
    if score >= 90:
        return pgettext_lazy("how two names agree", "the same")
    return pgettext_lazy("how two names agree", "close") if score >= 70 else _("differs")


def _as_written(date_of_birth: str) -> str:
    """The registered date of birth as staff read dates (DD.MM.YYYY)."""
    registered = born(date_of_birth).day
    return display.day(registered) if registered else date_of_birth


def compare(person: dict[str, str], copied: dict[str, str]) -> list[Comparison]:
    """Field by field, as the tracing officer reads them side by side."""
    first, *others = copied["first_names"].split() or [""]
    return [
        Comparison(
            _("Surname"),
            person["surname"],
            copied["surname"],
            names.similarity(person["surname"], copied["surname"]),
        ),
        Comparison(
            _("First name"),
            person["first_name"],
            first,
            names.similarity(person["first_name"], first, "Name"),
        ),
        Comparison(
            _("Patronymic"),
            person.get("patronymic", ""),
            " ".join(others) or copied["father_first_name"],
            names.patronymic_similarity(
                person.get("patronymic", ""), copied["first_names"], copied["father_first_name"]
            )
            if person.get("patronymic")
            else None,
        ),
        Comparison(
            _("Date or year of birth"),
            person.get("born", ""),
            _as_written(copied["date_of_birth"]),
            birth_similarity(person.get("born", ""), copied["date_of_birth"]),
        ),
        Comparison(
            _("Place of birth"), person.get("place_of_birth", ""), copied["place_of_birth"], None
        ),
    ]


def overall(fields: list[Comparison]) -> int:
    weighed = [
        (weight, field.score)
        for weight, field in zip(WEIGHTS.values(), fields, strict=False)
        if field.score is not None
    ]
    return round(sum(w * s for w, s in weighed) / sum(w for w, _s in weighed))


def candidates(
    programme: Programme, person: dict[str, str], families_private_key: bytes
) -> list[Candidate]:
    """The registered prisoners most like one person asked about, best first."""
    key = index_key(programme, {"families": families_private_key})
    if key is None:
        return []
    wanted = Q()
    for kind, text in _keys_asked(person).items():
        wanted |= Q(kind=kind, digest=_digest(key, kind, text))
    behind = TracingIndex.objects.filter(wanted, programme=programme).values("copy_id")
    found = []
    for copy in TracingCopy.objects.filter(pk__in=behind).order_by("pk"):
        fields = compare(person, opened_copy(copy, families_private_key))
        score = overall(fields)
        if score >= SHOWN_FROM:
            found.append(Candidate(copy.prisoner_id, score, fields))
    found.sort(key=lambda candidate: -candidate.score)
    return found[:MOST_SHOWN]
