"""Checks the bank's legal-representative page runs on what a person types.

- **居民身份证号码 (GB 11643-1999).** 17 digits and a check character: the sum of the digits weighted
  7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, modulo 11, picks it from `1 0 X 9 8 7 6 5 4 3 2`; digits 7–14
  are a real birth date.
- **银行卡号 (Luhn, ISO/IEC 7812).** 12 to 19 digits; from the right, every second digit doubled (minus 9
  when above 9); the sum is a multiple of 10.
"""

from __future__ import annotations

import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_SHAPE = re.compile(r"\d{17}[\dX]")
CARD_SHAPE = re.compile(r"\d{12,19}")


def id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """Why an ID number is not one (a message for the person), or None when it is."""
    number = value.strip().upper()
    if not ID_SHAPE.fullmatch(number):
        return "身份证号码应为18位：17位数字加1位校验码（数字或X）（The ID number has 18 characters）"
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效，请核对（The birth date in the ID number is not a date）"
    if id_check_character(number[:17]) != number[17]:
        return "身份证号码校验位不正确，请核对后重新输入（The ID number's check digit is wrong: check for a typo）"
    return None


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def bank_card_problem(value: str) -> str | None:
    number = value.strip().replace(" ", "")
    if not CARD_SHAPE.fullmatch(number):
        return "银行卡号应为12至19位数字（The card number has 12 to 19 digits）"
    if not luhn_valid(number):
        return "银行卡号校验未通过，请核对卡号（The card number fails the Luhn check: check for a typo）"
    return None
