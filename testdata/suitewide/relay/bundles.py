"""Uploaded bundles: a tar archive in memory with a manifest.json."""

import asyncio
import io
import json
import tarfile


def _manifest(blob: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        member = tar.extractfile("manifest.json")
        return json.loads(member.read())


async def read_manifest(blob: bytes) -> dict:
    return await asyncio.to_thread(_manifest, blob)
