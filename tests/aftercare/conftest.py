"""A registered prisoner, and a second after-care officer for two-person approvals."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff
from tests.conftest import PASSWORD
from tests.passage.conftest import front
from tests.reception.conftest import received_case, register

__all__ = ["front", "registered", "second_officer", "verifying_officer"]


@pytest.fixture
def registered(world, front, client):
    case = received_case(world, front, client)
    register(world, case)
    case.refresh_from_db()
    assert case.state == "registered"
    return case


def officer(world, username: str):
    user = add_staff(world.programme, username, PASSWORD, [Role.AFTERCARE], keyring=world.keyring)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


@pytest.fixture
def second_officer(world):
    return officer(world, "north-aftercare-2")


@pytest.fixture
def verifying_officer(world):
    """Who checks the equipment: never one of the claim's two approvers."""
    return officer(world, "north-aftercare-3")
