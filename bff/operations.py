"""The documents of `operations/`: one `.graphql` per portal page or widget, named after its operation.

They are what the portals send, what `BFF_PERSISTED_ONLY=true` allows, what GraphiQL offers as examples and
what the reference portal (`/portal`) is built on. A document is identified by the SHA-256 of its exact text
(Apollo's automatic persisted queries hash the same way), printed by `bff operations`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The repository's operations/ (next to the bff package); BFF_OPERATIONS_DIR points elsewhere.
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1] / "operations"


@dataclass(frozen=True, slots=True)
class Operation:
    name: str  # the operation's name, which is also the file's stem
    file: str
    text: str
    sha256: str
    kind: str  # query, mutation or subscription


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def operations_directory() -> Path:
    configured = os.environ.get("BFF_OPERATIONS_DIR")
    return Path(configured) if configured else DEFAULT_DIRECTORY


def _kind(text: str) -> str:
    for line in text.splitlines():
        word = line.split("(", 1)[0].split(" ", 1)[0].strip()
        if word in ("query", "mutation", "subscription"):
            return word
    return "query"


@lru_cache(maxsize=4)
def load_operations(directory: Path | None = None) -> tuple[Operation, ...]:
    """Every document of the directory, by name; none when it does not exist (an installed wheel)."""
    folder = directory or operations_directory()
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        found.append(Operation(path.stem, path.name, text, sha256_of(text), _kind(text)))
    return tuple(found)


def by_hash(directory: Path | None = None) -> dict[str, Operation]:
    return {operation.sha256: operation for operation in load_operations(directory)}
