"""One-off importer for the pre-0.3 layout (plain ``.txt`` files, title on line 1).

Used by the ``notes-migrate`` script; synchronous on purpose.
"""

from __future__ import annotations

from pathlib import Path

from app.notes import format_note, slugify


def import_legacy_folder(src: Path, notes_dir: Path) -> list[str]:
    notes_dir.mkdir(parents=True, exist_ok=True)
    imported = []
    for path in sorted(src.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        slug = slugify(title)
        (notes_dir / f"{slug}.md").write_text(format_note(title.strip(), body.lstrip("\n")), encoding="utf-8")
        imported.append(slug)
    return imported
