"""Crossing windows: the programme's standard times of night, on the coming days.

Windows are defined in the receiving side's local time (PASSAGE_WINDOW_ZONE); the applicant is
told the time in his own zone (PASSAGE_APPLICANT_ZONE), always with the zone named, because an
hour's confusion between Kyiv and Moscow time is enough to get someone shot. How a window is
written for a person is `safepassage.lib.display.window`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from safepassage.passage.risk import BAND_NAMES, Band, band_of


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, UTC
    end: datetime

    @property
    def band(self) -> Band:
        return band_of(self.start.astimezone(window_zone()).hour)

    @property
    def band_label(self) -> str:
        return str(BAND_NAMES[self.band])

    @property
    def night(self) -> date:
        return night_of(self.start)

    @property
    def key(self) -> str:
        return self.start.strftime("%Y%m%dT%H%MZ")


def window_zone() -> ZoneInfo:
    return ZoneInfo(settings.PASSAGE_WINDOW_ZONE)


# A night runs from noon to noon in the window zone: windows before noon belong to the
# evening before. The plain night on a crossing row is all the worker knows of its time.
NIGHT_TURNS = time(12)


def night_of(moment: datetime) -> date:
    return (moment.astimezone(window_zone()) - timedelta(hours=12)).date()


def night_begins(night: date) -> datetime:
    return datetime.combine(night, NIGHT_TURNS, window_zone())


def last_ended_night(now: datetime) -> date:
    """The latest night that is over at `now`."""
    return night_of(now) - timedelta(days=1)


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
