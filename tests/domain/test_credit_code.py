import pytest

from bff.domain.credit_code import check_character, is_valid_credit_code

VALID = "91350100M000100Y43"


@pytest.mark.parametrize(
    "code",
    [
        VALID,
        "91110108MA01ABCDEN",
        "12100000400000624D",
        "914403000000000250",
    ],
    ids=[
        "fujian-enterprise-code-is-valid",
        "beijing-code-with-letters-in-body-is-valid",
        "public-institution-code-is-valid",
        "check-character-zero-is-valid",
    ],
)
def test_valid_codes_are_accepted(code: str) -> None:
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        VALID[:17] + "2",
        VALID[:17] + "X",
        "91350100M000100Y34",
        "91350100m000100y43",
        VALID[:17],
        VALID + "3",
        "",
        "91350100I000100Y43",
        "91350100O000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "91350100Z000100Y43",
        " 91350100M000100Y43",
        "91350100M000100Y4３",
    ],
    ids=[
        "changed-check-character-digit-is-invalid",
        "changed-check-character-letter-is-invalid",
        "swapped-last-two-characters-is-invalid",
        "lower-case-is-invalid",
        "seventeen-characters-is-invalid",
        "nineteen-characters-is-invalid",
        "empty-is-invalid",
        "letter-i-is-invalid",
        "letter-o-is-invalid",
        "letter-s-is-invalid",
        "letter-v-is-invalid",
        "letter-z-is-invalid",
        "leading-space-is-invalid",
        "full-width-digit-is-invalid",
    ],
)
def test_invalid_codes_are_refused(code: str) -> None:
    assert not is_valid_credit_code(code)


def test_check_character_matches_the_standard_example() -> None:
    assert check_character(VALID[:17]) == VALID[17]


@pytest.mark.parametrize("position", range(17), ids=lambda p: f"changed-character-at-{p}-is-detected")
def test_any_single_changed_body_character_is_detected(position: int) -> None:
    original = VALID[position]
    replacement = "1" if original != "1" else "2"
    changed = VALID[:position] + replacement + VALID[position + 1 :]
    assert not is_valid_credit_code(changed)
