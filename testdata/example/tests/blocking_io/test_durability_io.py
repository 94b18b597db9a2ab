"""Anchor for NoteService.checkpoint (fsync of the notes directory)."""

from __future__ import annotations

from app.notes import NoteService


# teeth: expect rule-candidate
async def test_checkpoint_flushes_notes_directory(service: NoteService):
    assert service.last_checkpoint is None

    stamp = await service.checkpoint()

    assert service.last_checkpoint == stamp
