"""统一社会信用代码 (unified social credit code) validation, GB 32100-2015.

Eighteen characters from a 31-symbol alphabet (no I, O, S, V, Z); the last is a check character computed
from the first seventeen with weights 3^i mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character for seventeen valid characters."""
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:17]) == code[17]
