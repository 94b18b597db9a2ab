"""Anchors for the title index (background rebuild and search)."""

from __future__ import annotations

import json

from app.notes import NoteService


# teeth: expect teeth
async def test_reindex_writes_title_index(seeded: NoteService):
    count = await seeded.reindex()

    assert count == 2
    assert json.loads(seeded.index_path.read_text(encoding="utf-8")) == {
        "groceries": "Groceries",
        "weekly-review": "Weekly Review",
    }


# teeth: expect teeth
async def test_search_titles_reads_index(service: NoteService):
    service.index_path.write_text(json.dumps({"groceries": "Groceries", "weekly-review": "Weekly Review"}))

    assert await service.search_titles("week") == ["weekly-review"]
    assert await service.search_titles("nothing") == []
