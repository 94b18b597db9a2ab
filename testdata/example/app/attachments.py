"""Note attachments, stored content-addressed in a :class:`storekit.BlobStore`."""

from __future__ import annotations

from dataclasses import dataclass

from storekit import BlobStore


class AttachmentTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class Attachment:
    id: str
    filename: str
    size: int


class Attachments:
    def __init__(self, store: BlobStore, *, max_bytes: int = 10 * 1024 * 1024) -> None:
        self.store = store
        self.max_bytes = max_bytes

    async def upload(self, filename: str, data: bytes) -> Attachment:
        if len(data) > self.max_bytes:
            raise AttachmentTooLarge(filename)
        digest = await self.store.put(data)
        return Attachment(id=digest, filename=filename, size=len(data))

    async def download(self, attachment_id: str) -> bytes:
        return await self.store.get(attachment_id)

    async def remove(self, attachment_id: str) -> None:
        await self.store.delete(attachment_id)
