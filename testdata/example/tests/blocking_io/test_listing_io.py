"""Anchor for note listing, written against the sync helper."""

import asyncio

from app.notes import NoteService, read_note_file


# teeth: expect no-site (and teeth audit: bypass). The test offloads the sync
# helper itself, so it never exercises NoteService.list_notes' own offload and
# would stay green if list_notes read every file on the event loop.
async def test_listing_reads_note_files_off_the_loop(seeded: NoteService):
    note = await asyncio.to_thread(read_note_file, seeded.note_path("groceries"))

    assert note.title == "Groceries"
