"""Markdown notes stored as ``<root>/notes/<slug>.md``.

Handlers run on the event loop; every filesystem touch is offloaded, either with
``asyncio.to_thread`` or through :func:`app.fileio.run_file_io`.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from app.fileio import fsync_directory, run_file_io, write_text_atomic


class NoteNotFound(LookupError):
    pass


class NoteExists(FileExistsError):
    pass


@dataclass(frozen=True)
class Note:
    slug: str
    title: str
    body: str


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "untitled"


def format_note(title: str, body: str) -> str:
    return f"# {title}\n\n{body}"


def parse_note(slug: str, text: str) -> Note:
    head, _, body = text.partition("\n\n")
    return Note(slug=slug, title=head.removeprefix("# ").strip(), body=body)


def read_note_file(path: Path) -> Note:
    """Synchronous reader, for scripts and worker threads only."""
    return parse_note(path.stem, path.read_text(encoding="utf-8"))


def _load_index(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _count_markdown(folder: Path) -> int:
    try:
        return sum(1 for name in os.listdir(folder) if name.endswith(".md"))
    except FileNotFoundError:
        return 0


def _copy_to_snapshot(src: Path, snapshots: Path, *, keep: int) -> Path:
    folder = snapshots / src.stem
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob("*.md"), key=lambda p: int(p.stem))
    target = folder / f"{int(existing[-1].stem) + 1 if existing else 1}.md"
    shutil.copyfile(src, target)
    for old in (existing + [target])[:-keep]:
        old.unlink()
    return target


class NoteService:
    def __init__(self, root: Path, *, io_timeout: float = 5.0, keep_snapshots: int = 5) -> None:
        self.root = Path(root)
        self.notes_dir = self.root / "notes"
        self.trash_dir = self.root / "trash"
        self.index_path = self.root / "index.json"
        self.io_timeout = io_timeout
        self.keep_snapshots = keep_snapshots
        self.last_checkpoint: float | None = None
        self.recently_published: collections.deque[str] = collections.deque(maxlen=20)
        self._reindex_task: asyncio.Task[int] | None = None

    def note_path(self, slug: str) -> Path:
        return self.notes_dir / f"{slug}.md"

    async def startup(self) -> None:
        await asyncio.to_thread(os.makedirs, self.notes_dir, exist_ok=True)

    async def create_note(self, title: str, body: str) -> Note:
        note = Note(slug=slugify(title), title=title, body=body)
        await run_file_io(write_text_atomic, self.note_path(note.slug), format_note(title, body))
        return note

    async def read_note(self, slug: str) -> Note:
        path = self.note_path(slug)
        try:
            text = await run_file_io(path.read_text, encoding="utf-8")
        except FileNotFoundError:
            raise NoteNotFound(slug) from None
        return parse_note(slug, text)

    async def update_note(self, slug: str, body: str) -> Note:
        current = await self.read_note(slug)
        await asyncio.to_thread(
            write_text_atomic,
            self.note_path(slug),
            format_note(current.title, body),
            encoding="utf-8",
        )
        return Note(slug=slug, title=current.title, body=body)

    async def rename_note(self, slug: str, new_title: str) -> Note:
        src = self.note_path(slug)
        dst = self.note_path(slugify(new_title))

        def _move() -> str:
            if dst.exists():
                raise NoteExists(dst.name)
            body = parse_note(slug, src.read_text(encoding="utf-8")).body
            write_text_atomic(dst, format_note(new_title, body))
            src.unlink()
            return body

        body = await asyncio.to_thread(_move)
        return Note(slug=dst.stem, title=new_title, body=body)

    def _move_to_trash(self, path: Path) -> Path:
        self.trash_dir.mkdir(parents=True, exist_ok=True)
        return path.rename(self.trash_dir / f"{path.stem}-{time.time_ns()}.md")

    async def delete_note(self, slug: str) -> Path:
        path = self.note_path(slug)
        if not await asyncio.to_thread(path.exists):
            raise NoteNotFound(slug)
        return await asyncio.to_thread(self._move_to_trash, path)

    async def purge_trash(self) -> None:
        await run_file_io(shutil.rmtree, self.trash_dir, ignore_errors=True)

    async def stats(self) -> dict[str, int]:
        notes, trashed = await asyncio.gather(
            asyncio.to_thread(_count_markdown, self.notes_dir),
            asyncio.to_thread(_count_markdown, self.trash_dir),
        )
        return {"notes": notes, "trash": trashed}

    async def list_notes(self) -> list[Note]:
        names = await asyncio.to_thread(lambda: sorted(p.name for p in self.notes_dir.iterdir()))
        reads = [asyncio.to_thread(read_note_file, self.notes_dir / name) for name in names if name.endswith(".md")]
        return list(await asyncio.gather(*reads))

    def _rebuild_index(self) -> int:
        entries = {}
        for path in sorted(self.notes_dir.iterdir()):
            if path.suffix == ".md":
                note = read_note_file(path)
                entries[note.slug] = note.title
        write_text_atomic(self.index_path, json.dumps(entries, indent=2, sort_keys=True))
        return len(entries)

    async def reindex(self) -> int:
        """Rebuild the title index; concurrent callers share one rebuild."""
        if self._reindex_task is None or self._reindex_task.done():
            self._reindex_task = asyncio.create_task(asyncio.to_thread(self._rebuild_index))
        return await self._reindex_task

    async def search_titles(self, term: str) -> list[str]:
        # The data dir may be a network share: never wait on it forever.
        index = await asyncio.wait_for(asyncio.to_thread(_load_index, self.index_path), timeout=self.io_timeout)
        term = term.lower()
        return sorted(slug for slug, title in index.items() if term in title.lower())

    async def snapshot(self, slug: str) -> Path:
        loop = asyncio.get_running_loop()
        copy = functools.partial(_copy_to_snapshot, self.note_path(slug), self.root / "snapshots", keep=self.keep_snapshots)
        return await loop.run_in_executor(None, copy)

    async def publish(self, slug: str, html: str) -> Path:
        loop = asyncio.get_running_loop()
        target = self.root / "public" / f"{slug}.html"
        pending = loop.run_in_executor(None, write_text_atomic, target, html)
        self.recently_published.appendleft(slug)
        await pending
        return target

    async def checkpoint(self) -> float:
        """Make completed writes durable (directory entries included)."""
        await asyncio.to_thread(fsync_directory, self.notes_dir)
        self.last_checkpoint = time.monotonic()
        return self.last_checkpoint
