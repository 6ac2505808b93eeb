"""The three upstream clients, built once per process around the one shared session."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from bff.config import Settings
from bff.integrations.mall import MallClient
from bff.integrations.mro import MroClient
from bff.integrations.webank import WebankClient


@dataclass(frozen=True, slots=True)
class Upstreams:
    mall: MallClient
    mro_shop: MroClient
    webank: WebankClient

    @classmethod
    def from_settings(cls, session: aiohttp.ClientSession, settings: Settings) -> Upstreams:
        return cls(
            mall=MallClient(session, settings.mall_url),
            mro_shop=MroClient(session, settings.mro_url),
            webank=WebankClient(
                session, settings.webank_url, app_id=settings.webank_app_id, secret=settings.webank_secret
            ),
        )
