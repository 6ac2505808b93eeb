"""The business day follows the system clock, or (in `bff demo`) the sandbox bank's movable day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bff import clock
from bff.domain.calendar import SHANGHAI, today_in_shanghai


@pytest.fixture
def following() -> Iterator[None]:
    yield
    clock.follow(None)


def test_the_business_day_is_the_system_date_in_shanghai() -> None:
    assert today_in_shanghai() == datetime.now(SHANGHAI).date()


@pytest.mark.usefixtures("following")
def test_the_business_day_follows_a_clock_moved_ahead() -> None:
    days_ahead = [0]
    clock.follow(lambda: days_ahead[0])
    days_ahead[0] = 31

    assert today_in_shanghai() == datetime.now(SHANGHAI).date() + timedelta(days=31)

    clock.follow(None)
    assert today_in_shanghai() == datetime.now(SHANGHAI).date()
