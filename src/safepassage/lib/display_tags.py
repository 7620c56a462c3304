"""Template filters over `safepassage.lib.display`, built into every template (settings.TEMPLATES).

{{ message.created_at|moment:applicant_zone }}   28.11.2026 02:00 · московское время (UTC+3)
{% window c.window_start c.window_end window_zone %}
{{ p.registered_at|day:staff_zone }}             28.11.2026
{{ claim.amount|money:claim.currency }}          10 000 USD
"""

from datetime import date, datetime
from decimal import Decimal

from django import template

from safepassage.lib import display

register = template.Library()


@register.filter(expects_localtime=False)
def moment(value: datetime | None, zone_key: str) -> str:
    return display.moment(value, zone_key) if value else ""


@register.filter(expects_localtime=False)
def day(value: datetime | date | None, zone_key: str | None = None) -> str:
    return display.day(value, zone_key) if value else ""


@register.filter
def zone_name(zone_key: str) -> str:
    """ "Moscow time": a zone as people name it."""
    return display.zone_name(zone_key)


@register.filter
def money(amount: int | Decimal | None, currency: str) -> str:
    return display.money(amount, currency) if amount is not None else ""


@register.filter
def distance(km: float | None) -> str:
    return display.distance(km) if km is not None else ""


@register.simple_tag
def window(start: datetime, end: datetime, zone_key: str) -> str:
    return display.window(start, end, zone_key)
