"""The 经办人 form: mainland mobiles, e-mail syntax, a name; every bad field reported at once."""

from __future__ import annotations

import pytest

from bff.domain.handler_form import HandlerForm, validate_handler


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        pytest.param("13800138000", "13800138000", id="plain-mobile"),
        pytest.param("+86 138-0013-8000", "13800138000", id="country-code-and-dashes"),
        pytest.param("8619912345678", "19912345678", id="86-prefix"),
    ],
)
def test_mainland_mobiles_are_accepted_and_normalised(phone: str, expected: str) -> None:
    assert validate_handler("张三", phone, "a@b.cn") == HandlerForm("张三", expected, "a@b.cn")


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("12800138000", id="second-digit-2"),
        pytest.param("1380013800", id="ten-digits"),
        pytest.param("138001380000", id="twelve-digits"),
        pytest.param("010-12345678", id="landline"),
        pytest.param("", id="empty"),
        pytest.param("+1 415 555 0100", id="foreign"),
    ],
)
def test_other_phone_numbers_are_refused(phone: str) -> None:
    result = validate_handler("张三", phone, "a@b.cn")
    assert isinstance(result, list)
    assert [(r.code.value, r.field) for r in result] == [("INVALID_INPUT", "phone")]


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("plain", id="no-at"),
        pytest.param("a@b", id="no-dot-domain"),
        pytest.param("a b@c.cn", id="space"),
        pytest.param("a..b@c.cn", id="double-dot"),
        pytest.param("a@-b.cn", id="domain-starts-with-dash"),
        pytest.param("x" * 250 + "@b.cn", id="too-long"),
    ],
)
def test_bad_emails_are_refused(email: str) -> None:
    result = validate_handler("张三", "13800138000", email)
    assert isinstance(result, list)
    assert [r.field for r in result] == ["email"]


def test_every_bad_field_is_reported_at_once() -> None:
    result = validate_handler("  ", "1", "x")
    assert isinstance(result, list)
    assert [r.field for r in result] == ["name", "phone", "email"]


def test_email_is_lower_cased_and_name_spaces_folded() -> None:
    assert validate_handler(" 张  三 ", "13800138000", " Li.Si@Example.COM ") == HandlerForm(
        "张 三", "13800138000", "li.si@example.com"
    )
