from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bff.domain.money import (
    InvalidAmountError,
    fen_to_yuan,
    format_yuan,
    parse_yuan,
    round_fen,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.30", Decimal("12.30")),
        ("12.3", Decimal("12.30")),
        ("12", Decimal("12.00")),
        (" 0.01 ", Decimal("0.01")),
        ("0", Decimal("0.00")),
        ("99999999999999.99", Decimal("99999999999999.99")),
        (1500, Decimal("1500.00")),
        (Decimal("7.5"), Decimal("7.50")),
    ],
    ids=[
        "two-decimals-kept",
        "one-decimal-padded",
        "integer-text-padded",
        "surrounding-spaces-ignored",
        "zero-accepted",
        "large-amount-exact",
        "int-accepted",
        "decimal-accepted",
    ],
)
def test_parse_yuan_reads_exact_amounts(value: str | int | Decimal, expected: Decimal) -> None:
    amount = parse_yuan(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e3",
        "1E3",
        "1.234",
        "0.001",
        "",
        "   ",
        "12,30",
        "1.2.3",
        "--1",
        "¥12",
        True,
        False,
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E+3"),
        Decimal("1.005"),
    ],
    ids=[
        "nan-refused",
        "lower-case-nan-refused",
        "infinity-refused",
        "negative-infinity-refused",
        "inf-refused",
        "exponent-refused",
        "upper-case-exponent-refused",
        "three-decimals-refused",
        "sub-fen-refused",
        "empty-refused",
        "blank-refused",
        "comma-decimal-refused",
        "two-points-refused",
        "double-minus-refused",
        "currency-sign-refused",
        "true-refused",
        "false-refused",
        "decimal-nan-refused",
        "decimal-infinity-refused",
        "decimal-exponent-refused",
        "decimal-three-decimals-refused",
    ],
)
def test_parse_yuan_refuses_anything_inexact(value: str | int | Decimal) -> None:
    with pytest.raises(InvalidAmountError):
        parse_yuan(value)


@pytest.mark.parametrize(
    ("fen", "yuan"),
    [(0, "0.00"), (1, "0.01"), (10, "0.10"), (12345, "123.45"), (9999999999999999, "99999999999999.99")],
    ids=["zero", "one-fen", "ten-fen", "ordinary", "largest-exact"],
)
def test_fen_and_yuan_convert_exactly_both_ways(fen: int, yuan: str) -> None:
    assert fen_to_yuan(fen) == Decimal(yuan)
    assert str(fen_to_yuan(fen)) == yuan
    assert yuan_to_fen(Decimal(yuan)) == fen


def test_yuan_to_fen_refuses_fractions_of_a_fen() -> None:
    with pytest.raises(InvalidAmountError):
        yuan_to_fen(Decimal("0.005"))


def test_sums_stay_exact_where_floats_would_not() -> None:
    assert parse_yuan("0.10") + parse_yuan("0.20") == parse_yuan("0.30")


@pytest.mark.parametrize(
    ("computed", "rounded"),
    [("0.125", "0.13"), ("0.124", "0.12"), ("0.135", "0.14"), ("50.005", "50.01"), ("-0.125", "-0.13")],
    ids=["half-rounds-up", "below-half-rounds-down", "half-up-not-bankers", "half-of-large", "negative-half"],
)
def test_round_fen_rounds_half_up(computed: str, rounded: str) -> None:
    assert round_fen(Decimal(computed)) == Decimal(rounded)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("5"), "5.00"), (Decimal("5.1"), "5.10"), (Decimal("1234567.89"), "1234567.89")],
    ids=["whole-yuan-gets-two-places", "one-place-padded", "no-grouping-or-exponent"],
)
def test_format_yuan_always_has_two_places(amount: Decimal, text: str) -> None:
    assert format_yuan(amount) == text


@given(st.integers(min_value=0, max_value=10**15))
def test_fen_round_trip_through_text_is_exact(fen: int) -> None:
    assert yuan_to_fen(parse_yuan(format_yuan(fen_to_yuan(fen)))) == fen
