"""Supplier profiles and fulfilment histories, batched by supplier code."""

from __future__ import annotations

from aiodataloader import DataLoader

from bff.domain.records import Fulfilment, SupplierProfile
from bff.integrations.mall import MallClient
from bff.integrations.mro import MroClient
from bff.loaders.per_key import PerKeyLoader

# The mall answers at most 100 codes per call; a larger batch is split into several calls.
MALL_CODES_PER_CALL = 100


class SupplierByCodeLoader(DataLoader[str, SupplierProfile | None]):
    def __init__(self, mall: MallClient) -> None:
        super().__init__(max_batch_size=MALL_CODES_PER_CALL)
        self._mall = mall

    async def batch_load_fn(self, codes: list[str]) -> list[SupplierProfile | None]:
        found = {profile.code: profile for profile in await self._mall.suppliers(codes)}
        return [found.get(code) for code in codes]


class MallFulfilmentByCodeLoader(DataLoader[str, Fulfilment | None]):
    def __init__(self, mall: MallClient) -> None:
        super().__init__(max_batch_size=MALL_CODES_PER_CALL)
        self._mall = mall

    async def batch_load_fn(self, codes: list[str]) -> list[Fulfilment | None]:
        found = {item.supplier_code: item for item in await self._mall.fulfilment(codes)}
        return [found.get(code) for code in codes]


class MroFulfilmentByCodeLoader(PerKeyLoader[str, Fulfilment | None]):
    """The MRO shop has no batch endpoint for fulfilment: one call per distinct code, all at once."""

    def __init__(self, mro: MroClient) -> None:
        super().__init__()
        self._mro = mro

    async def load_one(self, key: str) -> Fulfilment | None:
        return await self._mro.fulfilment(key)
