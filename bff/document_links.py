"""Signed, short-lived download links for the bank's documents (`Document.downloadUrl`).

A link is `/documents/{token}` on the BFF, never a bank URL. The token is
`base64url(JSON {"d": doc_id, "s": supplier code, "e": expiry epoch seconds, "n": file name})` + "." +
`base64url(HMAC-SHA256(key, payload))`, the key derived from `BFF_JWT_SECRET` for this one purpose. It is
bound to the supplier it was made for: the download route serves it only when the bank lists that
document for that supplier, so a link never opens another supplier's document. Expired, forged or
unreadable tokens read as `None` (the route answers 404 and says no more).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

PURPOSE = b"xinrongbao document links v1"


@dataclass(frozen=True, slots=True)
class DocumentGrant:
    doc_id: str
    supplier_code: str
    expires_at: int  # epoch seconds
    filename: str


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def sign(secret: str, grant: DocumentGrant) -> str:
    payload = json.dumps(
        {"d": grant.doc_id, "s": grant.supplier_code, "e": grant.expires_at, "n": grant.filename},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    signature = hmac.new(_key(secret), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def verify(secret: str, token: str, now: float) -> DocumentGrant | None:
    """The grant a token carries, if it was signed with `secret` and has not expired at `now`."""
    encoded, dot, signature = token.partition(".")
    if not dot:
        return None
    try:
        payload, given = _unb64(encoded), _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(hmac.new(_key(secret), payload, hashlib.sha256).digest(), given):
        return None
    try:
        fields = json.loads(payload)
        grant = DocumentGrant(str(fields["d"]), str(fields["s"]), int(fields["e"]), str(fields["n"]))
    except (ValueError, KeyError, TypeError):
        return None
    return grant if now < grant.expires_at else None


def content_disposition(filename: str) -> str:
    """RFC 6266 `attachment` with an ASCII fallback and the real (Chinese) name as RFC 5987 `filename*`."""
    from urllib.parse import quote

    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
