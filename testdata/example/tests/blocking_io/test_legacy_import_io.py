"""Anchor for notes brought in by the legacy importer."""

from __future__ import annotations

import pytest

from app.legacy import import_legacy_folder
from app.notes import NoteService


# teeth: expect gate-off
# The importer is a synchronous migration script; the test calls it on the loop
# for brevity, which the gate would reject (tracked in NOTES-212).
@pytest.mark.allow_blocking_io
async def test_imported_legacy_notes_are_listed(service: NoteService, tmp_path):
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "a.txt").write_text("Old Plans\n\nrewrite everything\n")

    assert import_legacy_folder(legacy, service.notes_dir) == ["old-plans"]
    assert [n.title for n in await service.list_notes()] == ["Old Plans"]
