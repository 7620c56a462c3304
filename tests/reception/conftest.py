"""A person who has crossed: a case taken through the real crossing flow to `received`."""

from datetime import date

from django.utils import timezone

from safepassage.passage import notices
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.passage.conftest import front, into_the_past, notify, under_way, verified_case

__all__ = ["MANDATORY_ANSWERS", "front", "received_case", "register"]

MANDATORY_ANSWERS = {
    "surname": "Жуковский",
    "first_names": "Аркадий Петрович",
    "rank": "рядовой",
    "date_of_birth": "07.03.1994",
    "service_number": "АБ-123456",
    "language": "ru",
}


def received_case(world, front, client, **overrides):
    """Applied, verified, notice acknowledged, arrival reported by the liaison."""
    case = verified_case(client, **overrides)
    crossing = notify(world, case, front.orchard)
    liaison = world.staff[Role.LIAISON]
    notices.acknowledge(crossing.pk, user=liaison, keys=world.unit_keys, now=timezone.now())
    under_way(world, crossing)
    notices.report_arrival(crossing.pk, user=liaison, keys=world.unit_keys, now=timezone.now())
    into_the_past(world, crossing)  # frees the sector's window and signal for the next case
    case.refresh_from_db()
    return case


def register(world, case, **answers):
    """Register through the service with the mandatory answers, plus `answers`."""
    data = {**MANDATORY_ANSWERS, **answers}
    data["date_of_birth"] = date(1994, 3, 7)
    return reception.register(case, data, user=world.staff[Role.RECEPTION], keyring=world.keyring)
