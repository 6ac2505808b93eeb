"""The graph on the bank's day (as `bff demo` runs it): with the sandbox bank's clock moved into the next
month, 开通 pushes statistics ending with the bank's month, which the bank accepts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from app_fixtures import Bff

from bff import clock
from bff.domain.calendar import SHANGHAI

AGREE = (
    'mutation { agreeToAuthorization(input: {agreementVersion: "2026-01", entryPoint: YZW_HOME_BANNER})'
    " { userErrors { code } } }"
)
OPEN = "mutation { openFinancing { admission { status } pushPending userErrors { code } } }"
PUSH_ERROR = "{ viewer { admission { pushError { code message } } } }"


@pytest.fixture
def on_the_banks_day(bff: Bff) -> Iterator[None]:
    clock.follow(lambda: (bff.sandbox.state.today - datetime.now(SHANGHAI).date()).days)
    yield
    clock.follow(None)
    bff.sandbox.state.reset()


@pytest.mark.usefixtures("on_the_banks_day")
async def test_statistics_end_with_the_banks_month_after_its_clock_moved(bff: Bff) -> None:
    # given: the bank's clock 40 days ahead, in another month than the system's
    bank_today = bff.sandbox.state.advance(40)
    # when
    assert (await bff.query(AGREE))["data"]["agreeToAuthorization"]["userErrors"] == []
    opened = (await bff.query(OPEN))["data"]["openFinancing"]
    # then: the bank took the push, whose months end with its own month
    assert opened == {"admission": {"status": "OPENED"}, "pushPending": False, "userErrors": []}
    assert (await bff.query(PUSH_ERROR))["data"]["viewer"]["admission"]["pushError"] is None
    (push,) = bff.sandbox.state.supplier_pushes()
    assert push.months[-1].month == f"{bank_today.year:04d}-{bank_today.month:02d}"
