"""The 经办人 (handler) form: who at the supplier handles the application, as WeBank receives it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bff.domain.refusals import Refusal, RefusalCode

# Mainland China mobile numbers: 11 digits starting 13–19; an optional +86/86 prefix, spaces and dashes.
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Practical e-mail syntax: one @, a dotted domain, no spaces; at most 254 characters (RFC 5321 path limit).
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
NAME_MAX = 64


@dataclass(frozen=True, slots=True)
class HandlerForm:
    name: str
    phone: str
    email: str


def normalise_mobile(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def validate_handler(name: str, phone: str, email: str) -> HandlerForm | list[Refusal]:
    """The cleaned form, or one refusal per bad field."""
    problems: list[Refusal] = []
    clean_name = " ".join(name.split())
    if not clean_name:
        problems.append(Refusal(RefusalCode.INVALID_INPUT, "请填写经办人姓名。", "name"))
    elif len(clean_name) > NAME_MAX:
        problems.append(Refusal(RefusalCode.INVALID_INPUT, f"经办人姓名不能超过{NAME_MAX}个字符。", "name"))
    mobile = normalise_mobile(phone)
    if not MOBILE.match(mobile):
        problems.append(
            Refusal(RefusalCode.INVALID_INPUT, "请填写11位中国大陆手机号码，例如 13800138000。", "phone")
        )
    clean_email = email.strip()
    if len(clean_email) > 254 or not EMAIL.match(clean_email) or ".." in clean_email:
        problems.append(
            Refusal(RefusalCode.INVALID_INPUT, "请填写有效的电子邮箱地址，例如 name@example.com。", "email")
        )
    if problems:
        return problems
    return HandlerForm(name=clean_name, phone=mobile, email=clean_email.lower())
