"""Anchor for the audit trail."""

from __future__ import annotations

from app.audit import AuditLog


# teeth: expect swallowed
async def test_audit_record_returns_event(tmp_path):
    audit = AuditLog(tmp_path / "audit.log")

    event = await audit.record("note.deleted", slug="groceries")

    assert event["action"] == "note.deleted"
    assert event["slug"] == "groceries"
