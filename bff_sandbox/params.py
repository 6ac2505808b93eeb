"""Strict query-parameter parsing shared by the simulated mall and MRO (each reports errors its own way)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

MAX_PAGE_SIZE = 100
MAX_BATCH = 100


class InvalidParameterError(ValueError):
    """A request parameter the upstream refuses; the message is what the upstream answers."""


def csv_list(params: Mapping[str, str], name: str, *, required: bool = False) -> list[str] | None:
    """A comma-separated list; None when absent (or empty and optional); empty items are refused."""
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        if required:
            raise InvalidParameterError(f"{name} is required")
        return None
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise InvalidParameterError(f"{name} has an empty item")
    if len(items) > MAX_BATCH:
        raise InvalidParameterError(f"{name} has more than {MAX_BATCH} items")
    return list(dict.fromkeys(items))


def choices(params: Mapping[str, str], name: str, allowed: Collection[str]) -> list[str] | None:
    values = csv_list(params, name)
    if values is None:
        return None
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidParameterError(f"{name} has unknown values: {', '.join(unknown)}")
    return values


def bounded_int(
    params: Mapping[str, str], name: str, *, default: int, low: int, high: int | None = None
) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise InvalidParameterError(f"{name} must be an integer")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise InvalidParameterError(f"{name} must be {bounds}")
    return value


def required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise InvalidParameterError(f"{name} is required")
    return value
