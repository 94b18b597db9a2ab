"""Content-addressed blobs on the local filesystem.

Blobs live at ``<root>/<first two hex digits>/<rest of the sha256>``. Every
filesystem call is offloaded to a worker thread so the store can be used from
request handlers running on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path


class BlobNotFound(KeyError):
    """No blob is stored under the requested digest."""


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def locate(self, digest: str) -> Path:
        """Where the blob with this digest lives (pure path arithmetic, no IO)."""
        return self.root / digest[:2] / digest[2:]

    def _write_blob(self, digest: str, data: bytes) -> None:
        path = self.locate(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)

    async def put(self, data: bytes) -> str:
        """Store ``data`` and return its sha256 digest; storing twice is a no-op."""
        # Large uploads hash for a while; keep the loop responsive.
        digest = await asyncio.to_thread(_sha256_hex, data)
        if await asyncio.to_thread(self.locate(digest).exists):
            return digest
        await asyncio.to_thread(self._write_blob, digest, data)
        return digest

    async def get(self, digest: str) -> bytes:
        path = self.locate(digest)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobNotFound(digest) from None

    async def delete(self, digest: str) -> None:
        await asyncio.to_thread(self.locate(digest).unlink, missing_ok=True)
