"""storekit: content-addressed blob storage with an asyncio API."""

from storekit.blobs import BlobNotFound, BlobStore

__all__ = ["BlobNotFound", "BlobStore"]
__version__ = "0.3.1"
