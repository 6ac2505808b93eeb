"""Bearer tokens: HS256 JWTs whose `sub` is the supplier code and `role` is SUPPLIER or OPERATOR."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt

from bff.errors import AuthenticationError

# Matched with `fullmatch`: `$` alone also matches before a trailing newline ("GD-BOTH\n").
SUPPLIER_CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class Role(enum.StrEnum):
    SUPPLIER = "SUPPLIER"
    OPERATOR = "OPERATOR"


@dataclass(frozen=True, slots=True)
class Viewer:
    supplier_code: str
    role: Role
    # When the token stops being valid (a websocket authenticated by it is closed then); not part of
    # who the viewer is, so two viewers of the same supplier and role compare equal.
    expires_at: datetime | None = field(default=None, compare=False)

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    def may_read(self, supplier_code: str) -> bool:
        return self.is_operator or supplier_code == self.supplier_code


def mint_token(
    secret: str,
    supplier_code: str,
    *,
    role: Role = Role.SUPPLIER,
    ttl: timedelta = timedelta(hours=12),
    audience: str | None = None,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": supplier_code,
        "role": role.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
    }
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")


def viewer_from_token(token: str, secret: str, *, audience: str | None = None) -> Viewer:
    """Verify signature, expiry (required) and, if configured, audience; never trust an unsigned claim."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=audience,
            options={"require": ["sub", "exp"], "verify_aud": audience is not None},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("The token has expired; sign in again.") from None
    except jwt.PyJWTError:
        raise AuthenticationError("The token is not valid.") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not SUPPLIER_CODE_PATTERN.fullmatch(subject):
        raise AuthenticationError("The token does not name a supplier.")
    try:
        role = Role(claims.get("role", Role.SUPPLIER.value))
    except ValueError:
        raise AuthenticationError("The token carries an unknown role.") from None
    try:
        # PyJWT checked that `exp` reads as an integer and is in the future; it may still be past year 9999.
        expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (OverflowError, OSError, ValueError):
        raise AuthenticationError("The token is not valid.") from None
    return Viewer(supplier_code=subject, role=role, expires_at=expires_at)


def viewer_from_authorization(header: str | None, secret: str, *, audience: str | None = None) -> Viewer:
    if not header:
        raise AuthenticationError("Sign in: send `Authorization: Bearer <token>`.")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("The Authorization header must be `Bearer <token>`.")
    return viewer_from_token(token.strip(), secret, audience=audience)
