"""The retry curve: base × 2^(attempts−1), capped, with ± 10 % jitter, until the give-up time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bff.outbox import OutboxPolicy

POLICY = OutboxPolicy(base_backoff=timedelta(seconds=1), max_backoff=timedelta(minutes=5))


def no_jitter(low: float, high: float) -> float:
    return 0.0


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        pytest.param(1, 1, id="first-failure-waits-the-base"),
        pytest.param(2, 2, id="second-doubles"),
        pytest.param(5, 16, id="fifth-is-2^4"),
        pytest.param(9, 256, id="ninth-is-2^8"),
        pytest.param(10, 300, id="tenth-hits-the-cap"),
        pytest.param(1000, 300, id="huge-counts-stay-capped"),
    ],
)
def test_backoff_doubles_up_to_the_cap(attempts: int, seconds: int) -> None:
    assert POLICY.backoff(attempts, uniform=no_jitter) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("jitter", "seconds"), [(-0.1, 14.4), (0.1, 17.6)])
def test_jitter_is_at_most_ten_percent(jitter: float, seconds: float) -> None:
    def extreme(low: float, high: float) -> float:
        assert (low, high) == (-0.1, 0.1)
        return jitter

    assert POLICY.backoff(5, uniform=extreme) == timedelta(seconds=seconds)


def test_real_jitter_stays_within_bounds() -> None:
    delays = {POLICY.backoff(3) for _ in range(50)}
    assert all(timedelta(seconds=3.6) <= d <= timedelta(seconds=4.4) for d in delays)
    assert len(delays) > 1


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"give_up_after": timedelta(0)}, id="no-time-to-retry"),
        pytest.param({"lease": timedelta(0)}, id="no-lease"),
        pytest.param({"base_backoff": timedelta(minutes=20)}, id="base-above-cap"),
    ],
)
def test_nonsensical_policies_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is not what matters here
        OutboxPolicy(**settings)  # type: ignore[arg-type]


WRITTEN = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_the_default_caps_the_wait_at_15_minutes_and_gives_up_after_24_hours() -> None:
    policy = OutboxPolicy()
    assert policy.backoff(1000, uniform=no_jitter) == timedelta(minutes=15)
    assert policy.deadline(WRITTEN) == WRITTEN + timedelta(hours=24)


@pytest.mark.parametrize(
    ("attempts", "failed_after", "next_after"),
    [
        pytest.param(1, timedelta(0), timedelta(seconds=1), id="first-failure-waits-the-base"),
        pytest.param(500, timedelta(hours=3), timedelta(hours=3, minutes=15), id="many-attempts-still-retry"),
        pytest.param(
            40, timedelta(hours=23, minutes=50), timedelta(hours=24), id="the-last-wait-ends-at-the-deadline"
        ),
        pytest.param(2, timedelta(hours=24), None, id="at-the-deadline-gives-up"),
        pytest.param(1, timedelta(days=3), None, id="past-it-gives-up-even-on-the-first-attempt"),
    ],
)
def test_the_next_attempt_depends_on_the_time_since_writing_not_on_the_count(
    attempts: int, failed_after: timedelta, next_after: timedelta | None
) -> None:
    now = WRITTEN + failed_after
    expected = None if next_after is None else WRITTEN + next_after
    assert OutboxPolicy().next_attempt(attempts, WRITTEN, now, uniform=no_jitter) == expected
