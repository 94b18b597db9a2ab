"""Health checks for the gate itself: it catches blocking calls, and the opt-out works."""

from __future__ import annotations

import pytest
from blockbuster import BlockingError

from app.notes import read_note_file


# teeth: expect no-site
async def test_gate_flags_blocking_read_on_the_loop(tmp_path):
    note = tmp_path / "n.md"
    note.write_text("# N\n\nbody")

    with pytest.raises(BlockingError):
        read_note_file(note)


# teeth: expect gate-off
@pytest.mark.allow_blocking_io
async def test_opt_out_marker_disables_the_gate(tmp_path):
    note = tmp_path / "n.md"
    note.write_text("# N\n\nbody")

    assert read_note_file(note).title == "N"
