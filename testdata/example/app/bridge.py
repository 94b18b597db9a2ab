"""Bridge for synchronous plugins.

Plugins run in their own worker threads and call back into the async service
through :class:`SyncBridge`, which schedules the coroutine on the service's loop.
"""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


class SyncBridge:
    def __init__(self, loop: asyncio.AbstractEventLoop, *, timeout: float = 10.0) -> None:
        self._loop = loop
        self._timeout = timeout

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the service loop from a plugin thread and wait for it."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(self._timeout)

    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """Alias kept for plugins written against the 0.3 API."""
        return self.call(coro)
