"""Anchor for the health probe."""

from __future__ import annotations

from app.db import MetadataDB
from app.health import health


# teeth: expect no-site
async def test_health_reports_ok():
    report = await health(MetadataDB())

    assert report["status"] == "ok"
    assert report["notes"] == 0
