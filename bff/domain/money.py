"""Exact CNY amounts: `Decimal` with two places at the edges, integer fen in storage.

SQLite keeps `DecimalField` as text and does arithmetic on it in floating point, so every amount the
database holds is an integer number of fen; conversion happens only here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class InvalidAmountError(ValueError):
    """A text or number that is not an exact, finite amount of yuan with at most two decimals."""


def parse_yuan(value: str | int | Decimal) -> Decimal:
    """Read an upstream or client amount in yuan, refusing NaN, infinities, exponents and sub-fen digits."""
    if isinstance(value, bool | float):
        raise InvalidAmountError(f"not an exact amount: {value!r}")
    if isinstance(value, int):
        return Decimal(value).quantize(CENT)
    text = str(value).strip()
    if not text or any(ch not in "0123456789.-" for ch in text):
        raise InvalidAmountError(f"not an amount: {value!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidAmountError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise InvalidAmountError(f"not an amount with at most two decimals: {value!r}")
    return amount.quantize(CENT)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def yuan_to_fen(amount: Decimal) -> int:
    """Convert an amount already known to be whole fen; refuses to round silently."""
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise InvalidAmountError(f"amount has fractions of a fen: {amount}")
    return int(scaled)


def round_fen(amount: Decimal) -> Decimal:
    """Round a computed amount (e.g. amount × ratio) half-up to the fen."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    return str(amount.quantize(CENT))
