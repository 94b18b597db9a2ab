"""In-memory metadata store with an SQLAlchemy-style ``run_sync`` hook.

``run_sync`` runs a synchronous function against the connection *on the event
loop* (like ``AsyncConnection.run_sync``); it is not a thread offload.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")


class MetadataDB:
    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Any]] = {"notes": {}, "attachments": {}}

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return fn(self._tables, *args)


def count_rows(tables: dict[str, dict[str, Any]], table: str) -> int:
    return len(tables[table])
