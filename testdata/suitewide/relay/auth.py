"""Credentials: the token file is re-read when it changes."""

import asyncio
import os


def _mtime(path: str) -> float:
    return os.stat(path).st_mtime


async def update_auth(path: str) -> float:
    # The gate exempts os.stat here (can_block_in in tests/conftest.py).
    return await asyncio.to_thread(_mtime, path)
