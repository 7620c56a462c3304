"""Crossing windows: the programme's standard times of night, on the coming days.

Windows are defined in the receiving side's local time (PASSAGE_WINDOW_ZONE); the applicant is
told the time in his own zone (PASSAGE_APPLICANT_ZONE), always with the zone named, because an
hour's confusion between Kyiv and Moscow time is enough to get someone shot.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from safepassage.passage.risk import Band, band_of

ZONE_NAMES: dict[str, Promise] = {
    "Europe/Moscow": _("Moscow time"),
    "Europe/Kyiv": _("Kyiv time"),
    "Europe/Minsk": _("Minsk time"),
    "UTC": _("UTC"),
}


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, UTC
    end: datetime

    @property
    def band(self) -> Band:
        return band_of(self.start.astimezone(window_zone()).hour)

    @property
    def night(self) -> date:
        """The night a window belongs to: windows before noon belong to the evening before."""
        local = self.start.astimezone(window_zone())
        return (local - timedelta(hours=12)).date()

    @property
    def key(self) -> str:
        return self.start.strftime("%Y%m%dT%H%MZ")


def window_zone() -> ZoneInfo:
    return ZoneInfo(settings.PASSAGE_WINDOW_ZONE)


def _daily_times() -> list[tuple[time, time]]:
    """PASSAGE_WINDOWS, e.g. "01:00-02:30,04:30-06:00", as (start, end) local times."""
    result = []
    for part in settings.PASSAGE_WINDOWS.split(","):
        start, end = part.strip().split("-")
        result.append((time.fromisoformat(start), time.fromisoformat(end)))
    return result


def upcoming(now: datetime, days: int | None = None) -> list[Window]:
    """Windows starting at least PASSAGE_MIN_NOTICE_HOURS from now, within the planning days."""
    zone = window_zone()
    earliest = now + timedelta(hours=settings.PASSAGE_MIN_NOTICE_HOURS)
    first_day = now.astimezone(zone).date()
    windows = []
    latest = now + timedelta(days=days or settings.PASSAGE_PLANNING_DAYS)
    for offset in range((days or settings.PASSAGE_PLANNING_DAYS) + 1):
        day = first_day + timedelta(days=offset)
        for start, end in _daily_times():
            begins = datetime.combine(day, start, zone)
            ends = datetime.combine(day, end, zone)
            if ends <= begins:
                ends += timedelta(days=1)
            if earliest <= begins < latest:
                windows.append(Window(begins.astimezone(UTC), ends.astimezone(UTC)))
    return windows


def by_key(now: datetime, key: str) -> Window | None:
    return next((w for w in upcoming(now) if w.key == key), None)


@dataclass(frozen=True)
class LocalTime:
    """A window as one person should read it: the times in their zone, and the zone's name."""

    start: datetime
    end: datetime
    zone_name: str
    utc_offset: str


def in_zone(window_start: datetime, window_end: datetime, zone_key: str) -> LocalTime:
    zone = ZoneInfo(zone_key)
    start = window_start.astimezone(zone)
    offset = start.utcoffset() or timedelta()
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    label = f"UTC{hours:+d}" + (f":{rest // 60:02d}" if rest else "")
    return LocalTime(
        start, window_end.astimezone(zone), str(ZONE_NAMES.get(zone_key, zone_key)), label
    )
