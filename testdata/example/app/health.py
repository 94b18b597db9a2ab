"""Liveness/readiness probe."""

from __future__ import annotations

from app import __version__
from app.db import MetadataDB, count_rows


async def health(db: MetadataDB) -> dict[str, object]:
    notes = await db.run_sync(count_rows, "notes")
    return {"status": "ok", "version": __version__, "notes": notes}
