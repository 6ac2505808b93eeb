"""The sandbox's own money and credit-code arithmetic, and that it agrees with `bff.domain`'s.

The two are written independently on purpose (the sandbox checks the BFF); agreement on every input is
what makes a disagreement in an end-to-end test point at a real bug rather than at the simulator.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bff.domain import credit_code as bff_credit_code
from bff.domain import money as bff_money
from bff_sandbox import credit_code
from bff_sandbox.money import format_yuan, parse_yuan, round_fen, to_fen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.30", Decimal("12.30")),
        ("12.3", Decimal("12.30")),
        (" 12 ", Decimal("12.00")),
        ("-0.01", Decimal("-0.01")),
    ],
    ids=["two-decimals", "one-decimal", "whole-yuan-padded", "negative"],
)
def test_parse_yuan_reads_plain_amounts(text: str, expected: Decimal) -> None:
    amount = parse_yuan(text)

    assert amount == expected
    assert amount is not None
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    ["", "12.345", "1e3", "NaN", "Infinity", "1,000", "１２", "12.", ".5", "abc"],
)
def test_parse_yuan_refuses_what_is_not_a_plain_amount(text: str) -> None:
    assert parse_yuan(text) is None


def test_round_fen_rounds_half_up_and_format_yuan_keeps_two_places() -> None:
    assert round_fen(Decimal("0.005")) == Decimal("0.01")
    assert round_fen(Decimal("2.344")) == Decimal("2.34")
    assert format_yuan(Decimal(7)) == "7.00"


def test_to_fen_refuses_fractions_of_a_fen() -> None:
    assert to_fen(Decimal("123.45")) == 12345
    with pytest.raises(ValueError, match="fractions of a fen"):
        to_fen(Decimal("0.001"))


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_money_agrees_with_the_bff_on_every_fen_amount(fen: int) -> None:
    text = bff_money.format_yuan(bff_money.fen_to_yuan(fen))

    assert parse_yuan(text) == bff_money.parse_yuan(text)
    assert to_fen(Decimal(text)) == bff_money.yuan_to_fen(Decimal(text)) == fen
    assert format_yuan(Decimal(text)) == text


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False))
def test_round_fen_agrees_with_the_bff(amount: Decimal) -> None:
    assert round_fen(amount) == bff_money.round_fen(amount)


def test_check_character_of_a_published_code() -> None:
    assert credit_code.check_character("91350100M000100Y4") == "3"
    assert credit_code.is_valid("91350100M000100Y43")
    assert not credit_code.is_valid("91350100M000100Y44")


@given(st.text(alphabet=credit_code.ALPHABET, min_size=17, max_size=17))
def test_check_character_agrees_with_the_bff(first17: str) -> None:
    assert credit_code.check_character(first17) == bff_credit_code.check_character(first17)


@given(st.text(alphabet=credit_code.ALPHABET + "IOSVZa", min_size=16, max_size=19))
def test_validity_agrees_with_the_bff(code: str) -> None:
    assert credit_code.is_valid(code) == bff_credit_code.is_valid_credit_code(code)
