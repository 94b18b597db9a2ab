"""Filesystem helpers shared by the service.

Blocking filesystem work from request handlers goes through :func:`run_file_io`,
which runs it on a small dedicated pool so a burst of slow disk calls cannot
starve the default executor used by everything else.
"""

from __future__ import annotations

import asyncio
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_FILE_IO_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="notes-file-io")


async def run_file_io(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking filesystem work on the dedicated file-IO pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_FILE_IO_POOL, functools.partial(func, *args, **kwargs))


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` via a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding=encoding)
    os.replace(tmp, path)
    return path


def fsync_directory(path: Path) -> None:
    """Flush directory entries (renames, new files) of ``path`` to stable storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
