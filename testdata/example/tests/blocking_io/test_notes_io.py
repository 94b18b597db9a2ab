"""Anchors for the note CRUD handlers in app/notes.py."""

from __future__ import annotations

import pytest

from app.notes import NoteNotFound, NoteService


# teeth: expect teeth
async def test_create_note_writes_markdown_file(service: NoteService):
    await service.startup()
    note = await service.create_note("Weekly Review", "ship the exporter\n")

    assert note.slug == "weekly-review"
    assert service.note_path("weekly-review").read_text(encoding="utf-8") == "# Weekly Review\n\nship the exporter\n"


# teeth: expect broken
async def test_create_note_file_is_named_after_title(service: NoteService):
    await service.create_note("Team Sync", "agenda\n")

    # One plain-text file per note, named after the title.
    assert (service.notes_dir / "team-sync.txt").exists()


# teeth: expect teeth
async def test_read_note_parses_title_and_body(service: NoteService, make_note):
    make_note("groceries", "Groceries", "eggs\nmilk\n")

    note = await service.read_note("groceries")

    assert (note.title, note.body) == ("Groceries", "eggs\nmilk\n")


# teeth: expect teeth (and teeth audit: a duplicate of the test above)
async def test_read_note_keeps_unicode_body(service: NoteService, make_note):
    make_note("cafe", "Café", "crème brûlée\n")

    note = await service.read_note("cafe")

    assert note.body == "crème brûlée\n"


# teeth: expect teeth
async def test_update_note_rewrites_body(seeded: NoteService):
    updated = await seeded.update_note("groceries", "bread\n")

    assert updated.title == "Groceries"
    assert seeded.note_path("groceries").read_text(encoding="utf-8") == "# Groceries\n\nbread\n"


# teeth: expect teeth (and teeth audit: a dangling reference, the handler was renamed)
async def test_rename_note_moves_file(seeded: NoteService):
    """Guards app/notes.py:NoteService.rename, the rename handler."""
    renamed = await seeded.rename_note("groceries", "Shopping List")

    assert renamed.slug == "shopping-list"
    assert not seeded.note_path("groceries").exists()
    assert seeded.note_path("shopping-list").read_text(encoding="utf-8").startswith("# Shopping List\n")


# teeth: expect teeth
async def test_delete_note_moves_it_to_trash(seeded: NoteService):
    trashed = await seeded.delete_note("groceries")

    assert trashed.parent == seeded.trash_dir
    assert not seeded.note_path("groceries").exists()
    with pytest.raises(NoteNotFound):
        await seeded.delete_note("groceries")


# teeth: expect teeth
async def test_stats_counts_notes_and_trash(seeded: NoteService):
    assert await seeded.stats() == {"notes": 2, "trash": 0}


# teeth: expect teeth
async def test_list_notes_returns_every_note(seeded: NoteService):
    notes = await seeded.list_notes()

    assert [n.slug for n in notes] == ["groceries", "weekly-review"]
    assert notes[1].title == "Weekly Review"
