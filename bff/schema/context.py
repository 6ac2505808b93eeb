"""Typed access to the per-request context from a resolver's `info`."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from bff.context import Context

Info: TypeAlias = strawberry.Info[Context, None]


def context_of(info: Info) -> Context:
    return info.context
