"""Anchors for attachments (app/attachments.py on top of storekit.BlobStore)."""

from __future__ import annotations

import hashlib

import pytest
from storekit import BlobStore

from app.attachments import Attachments


@pytest.fixture
def attachments(tmp_path) -> Attachments:
    return Attachments(BlobStore(tmp_path / "blobs"))


# teeth: expect teeth
async def test_upload_stores_blob_once(attachments: Attachments):
    first = await attachments.upload("receipt.pdf", b"%PDF-1.7 receipt")
    again = await attachments.upload("copy.pdf", b"%PDF-1.7 receipt")

    assert first.id == again.id == hashlib.sha256(b"%PDF-1.7 receipt").hexdigest()
    assert attachments.store.locate(first.id).read_bytes() == b"%PDF-1.7 receipt"


# teeth: expect teeth
async def test_download_returns_stored_bytes(attachments: Attachments):
    digest = hashlib.sha256(b"hello").hexdigest()
    path = attachments.store.locate(digest)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"hello")

    assert await attachments.download(digest) == b"hello"
