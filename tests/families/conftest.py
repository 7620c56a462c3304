"""Registered prisoners the families tests match inquiries against."""

from datetime import date

import pytest
from django.test import Client

from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.fixtures.prisoners import MANDATORY_ANSWERS, received_case


def registered_as(world, front, born: date, **particulars: str):
    """A man taken through the real crossing and registered with these particulars."""
    case = received_case(world, front, Client())
    answers = {**MANDATORY_ANSWERS, **particulars, "date_of_birth": born}
    return reception.register(
        case, answers, user=world.staff[Role.RECEPTION], keyring=world.keyring
    )


@pytest.fixture
def ivanov(world, front):
    """Иванов Сергей Петрович, born 12 March 1994, and a namesake who is not him."""
    him = registered_as(
        world, front, date(1994, 3, 12), surname="Иванов", first_names="Сергей Петрович"
    )
    registered_as(world, front, date(1990, 6, 1), surname="Иванов", first_names="Олег Иванович")
    return him
