"""Typed access to the per-request context from a resolver's `info`."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from bff.context import Context

Info: TypeAlias = strawberry.Info[Context, None]


def context_of(info: Info) -> Context:
    return info.context


def supplier_context(info: Info) -> Context:
    """The context of a supplier's own action (a mutation, a subscription); FORBIDDEN to operators."""
    info.context.require_supplier()
    return info.context
