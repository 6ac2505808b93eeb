"""统一社会信用代码 check characters (GB 32100-2015), computed the way the bank does, independently of `bff`.

The code is 18 characters from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z). The 18th
is the check character: with Wi = 3^(i-1) mod 31 and Ci the alphabet index of the i-th character,
C18 = 31 − (Σ Ci·Wi mod 31), where 31 stands for 0.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character of seventeen characters from `ALPHABET`."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:-1]) == code[-1]
