"""A registered prisoner, and a second after-care officer for two-person approvals."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff
from tests.conftest import PASSWORD
from tests.passage.conftest import front
from tests.reception.conftest import received_case, register

__all__ = ["front", "registered", "second_officer"]


@pytest.fixture
def registered(world, front, client):
    case = received_case(world, front, client)
    register(world, case)
    case.refresh_from_db()
    assert case.state == "registered"
    return case


@pytest.fixture
def second_officer(world):
    user = add_staff(
        world.programme,
        "north-aftercare-2",
        PASSWORD,
        [Role.AFTERCARE],
        private_key=world.private_key,
    )
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user
