"""SQLite write transactions queue on a file lock beside the database (safepassage/sqlite),
so a waiting writer is woken the moment the lock is free instead of sleeping in steps."""

import fcntl
import os

import pytest
from django.db import connection, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the queue is SQLite's"),
]


def other_writer_can_enter() -> bool:
    fd = os.open(f"{connection.settings_dict['NAME']}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_transaction_holds_the_queue_until_it_commits():
    assert other_writer_can_enter()
    with transaction.atomic():
        assert not other_writer_can_enter()
    assert other_writer_can_enter()


def test_a_failed_transaction_leaves_the_queue_too():
    def refused_while_holding_the_queue():
        with transaction.atomic():
            assert not other_writer_can_enter()
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError, match="refused"):
        refused_while_holding_the_queue()
    assert other_writer_can_enter()
