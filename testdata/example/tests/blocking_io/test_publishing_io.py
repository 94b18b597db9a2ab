"""Anchors for snapshots and publishing."""

from __future__ import annotations

from app.notes import NoteService


# teeth: expect teeth
async def test_snapshot_copies_note_and_prunes_old_copies(seeded: NoteService):
    seeded.keep_snapshots = 2
    for _ in range(3):
        latest = await seeded.snapshot("groceries")

    assert latest.name == "3.md"
    assert sorted(p.name for p in latest.parent.iterdir()) == ["2.md", "3.md"]


# teeth: expect teeth
async def test_publish_writes_html_page(seeded: NoteService):
    target = await seeded.publish("groceries", "<h1>Groceries</h1>")

    assert target.read_text(encoding="utf-8") == "<h1>Groceries</h1>"
    assert list(seeded.recently_published) == ["groceries"]
