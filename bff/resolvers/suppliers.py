"""Suppliers: who they are (mall profile) and whether they may enter Xinrongbao (both systems' history)."""

from __future__ import annotations

import asyncio

from bff.context import Context
from bff.domain.eligibility import Eligibility, evaluate_eligibility
from bff.domain.records import Fulfilment, SupplierProfile
from bff.errors import NotFoundError


async def require_profile(context: Context, supplier_code: str) -> SupplierProfile:
    profile = await context.loaders.suppliers.load(supplier_code)
    if profile is None:
        raise NotFoundError(f"The platform does not know supplier {supplier_code}.")
    return profile


async def readable_supplier_code(context: Context, supplier_code: str) -> str | None:
    """The code if the viewer may read that supplier and the platform knows it, else None."""
    if not context.viewer.may_read(supplier_code):
        return None
    profile = await context.loaders.suppliers.load(supplier_code)
    return None if profile is None else profile.code


async def supplier_eligibility(context: Context, supplier_code: str) -> Eligibility:
    profile, mall, mro = await asyncio.gather(
        require_profile(context, supplier_code),
        context.loaders.mall_fulfilment.load(supplier_code),
        context.loaders.mro_fulfilment.load(supplier_code),
    )
    histories: list[Fulfilment] = [item for item in (mall, mro) if item is not None]
    return evaluate_eligibility(profile, histories, context.today())
