"""Phone numbers and e-mail addresses as logs may show them: enough to recognise, never the whole."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """`13800138000` → `138****8000`; anything short keeps only its last 2 characters."""
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_email(address: str) -> str:
    """`zhangsan@example.com` → `z***@example.com`."""
    local, at, domain = address.strip().partition("@")
    if not at:
        return mask_phone(address)
    return f"{local[:1]}***@{domain}"


def mask_recipient(channel: str, recipient: str) -> str:
    return mask_email(recipient) if channel == "EMAIL" else mask_phone(recipient)
