"""Recipients as logs show them."""

from __future__ import annotations

import pytest

from bff.domain.masking import mask_email, mask_phone, mask_recipient


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        pytest.param("13800138000", "138****8000", id="mainland-mobile"),
        pytest.param(" 13800138000 ", "138****8000", id="surrounding-spaces"),
        pytest.param("12345", "***45", id="short"),
    ],
)
def test_phone_numbers_keep_only_their_ends(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_email_addresses_keep_the_first_letter_and_the_domain() -> None:
    assert mask_email("zhangsan@example.com") == "z***@example.com"


def test_recipient_by_channel() -> None:
    assert mask_recipient("SMS", "13800138000") == "138****8000"
    assert mask_recipient("EMAIL", "li@corp.cn") == "l***@corp.cn"
