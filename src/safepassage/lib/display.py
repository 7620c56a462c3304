"""How values are shown to a person: times in a named zone, dates, money, distances.

Every time a person reads carries its zone. Times are converted here, in Python, and handed to
templates as finished text: Django's `|date` filter converts an aware datetime back into the
active time zone (UTC) before formatting, which once showed a crossing window three hours
early under a local label. Templates therefore never format a datetime themselves; they use
the filters in `safepassage.lib.display_tags`, which call these functions.

Dates follow one format per language (`SHORT_DATE_FORMAT` in `safepassage/formats/`):
ДД.ММ.ГГГГ in Russian, "28 Nov 2026" in English.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

ZONE_NAMES: dict[str, Promise] = {
    "Europe/Moscow": gettext_lazy("Moscow time"),
    "Europe/Kyiv": gettext_lazy("Kyiv time"),
    "Europe/Minsk": gettext_lazy("Minsk time"),
    "UTC": gettext_lazy("UTC"),
}


def window_zone() -> str:
    """The receiving side's zone: windows, the liaison's and the coordinator's pages."""
    return str(settings.PASSAGE_WINDOW_ZONE)


def applicant_zone() -> str:
    """The zone the applicant lives by: his instructions and his messages."""
    return str(settings.PASSAGE_APPLICANT_ZONE)


def staff_zone() -> str:
    """The zone of every other staff page: the receiving side's, where the staff work."""
    return window_zone()


def zone_name(zone_key: str) -> str:
    return str(ZONE_NAMES.get(zone_key, zone_key))


def utc_offset(moment: datetime) -> str:
    """The offset as people write it: "UTC+3", "UTC+5:30", "UTC+0"."""
    offset = moment.utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local(moment: datetime, zone_key: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone_key))


def zone_label(moment: datetime, zone_key: str) -> str:
    """ "Kyiv time (UTC+2)": the zone's name and its offset at that moment."""
    return f"{zone_name(zone_key)} ({utc_offset(local(moment, zone_key))})"


def calendar_day(moment: datetime, zone_key: str | None = None) -> date:
    """The calendar day `moment` falls on in `zone_key` (the staff's zone unless named): the
    day every count by day is bucketed under, so a chart's "today" is the label's today."""
    return local(moment, zone_key or staff_zone()).date()


def start_of_day(value: date, zone_key: str | None = None) -> datetime:
    """The first instant of the calendar day `value` in `zone_key` (the staff's zone unless
    named), as an aware datetime for a range on an indexed column."""
    return datetime.combine(value, datetime.min.time(), tzinfo=ZoneInfo(zone_key or staff_zone()))


def day(value: datetime | date, zone_key: str | None = None) -> str:
    """The calendar day in the language's one date format; an aware datetime is first moved
    into `zone_key` (so 23:30 UTC is already tomorrow in Kyiv)."""
    if isinstance(value, datetime):
        value = calendar_day(value, zone_key)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def clock(moment: datetime, zone_key: str) -> str:
    return formats.time_format(local(moment, zone_key), "TIME_FORMAT")


def moment(value: datetime, zone_key: str) -> str:
    """ "28.11.2026 01:00 · Kyiv time (UTC+2)"."""
    return f"{day(value, zone_key)} {clock(value, zone_key)} · {zone_label(value, zone_key)}"


def window(start: datetime, end: datetime, zone_key: str) -> str:
    """A crossing window as one person must read it, in their zone, with the zone named:
    "28.11.2026, 01:00–02:30 · Kyiv time (UTC+2)". A window across midnight names both days;
    one across a change of clocks names both offsets."""
    first, last = local(start, zone_key), local(end, zone_key)
    if first.date() == last.date():
        span = f"{day(start, zone_key)}, {clock(start, zone_key)}–{clock(end, zone_key)}"
    else:
        span = (
            f"{day(start, zone_key)}, {clock(start, zone_key)} – "
            f"{day(end, zone_key)}, {clock(end, zone_key)}"
        )
    offsets = utc_offset(first)
    if utc_offset(last) != offsets:
        offsets = f"{offsets} → {utc_offset(last)}"
    return f"{span} · {zone_name(zone_key)} ({offsets})"


def money(amount: int | Decimal | float, currency: str) -> str:
    """ "10 000 USD" in Russian, "10,000 USD" in English: one format, thousands grouped."""
    return f"{formats.number_format(amount, 0, force_grouping=True)} {currency}".strip()


def distance(km: float) -> str:
    return _("%(km)s km") % {"km": formats.number_format(km, 1)}


def time_left(until: datetime, now: datetime) -> str:
    """ "in 5 h 20 min", "in 40 min", or "started" once it is past."""
    seconds = int((until - now).total_seconds())
    if seconds <= 0:
        return _("started")
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return _("in %(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("in %(m)d min") % {"m": minutes}


def waited(since: datetime, now: datetime) -> str:
    """How long someone has waited: "3 d 4 h", "5 h 20 min", "40 min"."""
    minutes = max(0, int((now - since).total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def own_name(code: str) -> str:
    """A language's name in that language: Русский, Українська, Беларуская, English."""
    name = str(get_language_info(code)["name_local"])
    return name[:1].upper() + name[1:]
