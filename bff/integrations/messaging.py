"""The sender adapter: SMS and e-mail through two HTTP gateways (`BFF_SMS_URL`, `BFF_EMAIL_URL`).

`POST {sms_url}` `{"phone", "text"}` and `POST {email_url}` `{"to", "subject", "body"}`, each with an
`Idempotency-Key` header: the gateway sends a key once however often it is asked, so a retry after a crash
(sent, but not yet recorded as sent) never reaches the handler twice. A 2xx answer is taken as sent; a 5xx,
a timeout or a refused connection is `UpstreamUnavailableError` (retried later), any other answer
`UpstreamResponseError`. Logs show recipients masked (`bff.domain.masking`).
"""

from __future__ import annotations

import json

import aiohttp

from bff.errors import UpstreamResponseError
from bff.integrations.http import request_json

SMS = "sms"
EMAIL = "email"
KEY_HEADER = "Idempotency-Key"


class MessageSender:
    def __init__(self, session: aiohttp.ClientSession, *, sms_url: str | None, email_url: str | None) -> None:
        self._session = session
        self._sms_url = sms_url
        self._email_url = email_url

    @property
    def sms_enabled(self) -> bool:
        return self._sms_url is not None

    @property
    def email_enabled(self) -> bool:
        return self._email_url is not None

    async def send_sms(self, phone: str, text: str, *, key: str) -> None:
        if self._sms_url is None:
            raise UpstreamResponseError(SMS, "no SMS gateway configured (BFF_SMS_URL)")
        await self._post(SMS, self._sms_url, {"phone": phone, "text": text}, key)

    async def send_email(self, to: str, subject: str, body: str, *, key: str) -> None:
        if self._email_url is None:
            raise UpstreamResponseError(EMAIL, "no e-mail gateway configured (BFF_EMAIL_URL)")
        await self._post(EMAIL, self._email_url, {"to": to, "subject": subject, "body": body}, key)

    async def _post(self, system: str, url: str, body: dict[str, str], key: str) -> None:
        status, _ = await request_json(
            self._session,
            system,
            "POST",
            url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", KEY_HEADER: key},
        )
        if not 200 <= status < 300:
            raise UpstreamResponseError(system, f"answered HTTP {status}", status=status)
