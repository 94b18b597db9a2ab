"""Anchor for the streaming JSON-lines export."""

from __future__ import annotations

import json

from app.export import export_jsonl
from app.notes import Note


# teeth: expect timeout
async def test_export_jsonl_streams_every_note(tmp_path):
    notes = [Note("groceries", "Groceries", "eggs\n"), Note("weekly-review", "Weekly Review", "ship\n")]
    dest = tmp_path / "export.jsonl"

    written = await export_jsonl(notes, dest)

    lines = dest.read_bytes().splitlines()
    assert written == dest.stat().st_size
    assert [json.loads(line)["slug"] for line in lines] == ["groceries", "weekly-review"]
