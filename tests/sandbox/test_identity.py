"""The legal-representative page checks ID numbers (GB 11643 check digit) and bank cards (Luhn)."""

from __future__ import annotations

import pytest

from bff_sandbox.identity import bank_card_problem, id_check_character, id_number_problem, luhn_valid


@pytest.mark.parametrize("number", ["11010519491231002X", "440300198001011233", "11010519491231002x"])
def test_valid_id_numbers(number: str) -> None:
    assert id_number_problem(number) is None


def test_the_check_character_of_the_standards_example() -> None:
    assert id_check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("44030019800101123X", "校验位"),  # one wrong check character
        ("440300198001011234", "校验位"),
        ("440300198013011233", "出生日期"),  # month 13
        ("4403001980010112", "18位"),
        ("44030019800101123Y", "18位"),
    ],
)
def test_invalid_id_numbers_say_why(number: str, words: str) -> None:
    problem = id_number_problem(number)
    assert problem is not None
    assert words in problem


@pytest.mark.parametrize("card", ["6222021234567890128", "4111111111111111", "6222020200112233446"])
def test_cards_passing_luhn(card: str) -> None:
    assert luhn_valid(card)
    assert bank_card_problem(card) is None


@pytest.mark.parametrize(
    ("card", "words"),
    [
        ("6222021234567890123", "Luhn"),
        ("4111111111111112", "Luhn"),
        ("62220", "12至19位"),
        ("6222abc", "12至19位"),
    ],
)
def test_cards_failing_say_why(card: str, words: str) -> None:
    problem = bank_card_problem(card)
    assert problem is not None
    assert words in problem
