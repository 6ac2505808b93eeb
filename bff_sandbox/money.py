"""The sandbox's own yuan arithmetic: amounts are `Decimal` yuan with two places, fen where MRO wants them.

Written here rather than imported from `bff.domain.money` on purpose: the simulated upstreams check what
the BFF computes, so they must not share its code (a bug there would be agreed with, not caught).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# What the bank accepts as an amount in a body or a form: plain ASCII digits, at most two decimals.
_YUAN = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")


def parse_yuan(text: str) -> Decimal | None:
    """The amount a yuan string states, or None when it is not one (exponents, NaN, sub-fen digits…)."""
    text = text.strip()
    if _YUAN.fullmatch(text) is None:
        return None
    return Decimal(text).quantize(CENT)


def format_yuan(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def round_fen(amount: Decimal) -> Decimal:
    """A computed amount (a share, an interest) rounded half-up to the fen, as the bank books it."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Whole fen for MRO's integer amounts; the seed only holds whole fen, so anything else is a bug."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has fractions of a fen")
    return int(fen)
