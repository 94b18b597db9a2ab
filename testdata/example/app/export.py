"""Streaming JSON-lines export.

Notes are serialised on the event loop and handed to a writer thread through a
queue, so a slow disk never holds up serialisation and memory stays bounded to
what the writer has not drained yet.
"""

from __future__ import annotations

import asyncio
import json
import queue
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

from app.notes import Note

_END = b""


def _drain_chunks(chunks: "queue.SimpleQueue[bytes]", dest: Path) -> int:
    written = 0
    with open(dest, "wb") as out:
        while (chunk := chunks.get()) != _END:
            out.write(chunk)
            written += len(chunk)
    return written


async def _produce(notes: Iterable[Note], chunks: "queue.SimpleQueue[bytes]") -> None:
    try:
        for note in notes:
            chunks.put(json.dumps(asdict(note), sort_keys=True).encode() + b"\n")
            await asyncio.sleep(0)  # let other requests run between notes
    finally:
        chunks.put(_END)


async def export_jsonl(notes: Iterable[Note], dest: Path) -> int:
    """Write ``notes`` to ``dest`` as JSON lines; returns the number of bytes written."""
    chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    producer = asyncio.create_task(_produce(notes, chunks))
    written = await asyncio.to_thread(_drain_chunks, chunks, dest)
    await producer
    return written
