"""Blockbuster gate for the blocking-IO anchors.

Every test collected from this directory runs (setup, call and teardown) with
Blockbuster active: a blocking call made on the event-loop thread from code
under ``app`` or ``storekit`` raises ``blockbuster.BlockingError``.
Opt a test out with ``@pytest.mark.allow_blocking_io`` (say why next to it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from blockbuster import BlockBuster

from app.notes import NoteService, format_note

ANCHOR_DIR = Path(__file__).parent.resolve()
SCANNED_MODULES = ["app", "storekit"]

_blockbuster: BlockBuster | None = None


def _gate() -> BlockBuster:
    global _blockbuster
    if _blockbuster is None:
        _blockbuster = BlockBuster(scanned_modules=SCANNED_MODULES)
    return _blockbuster


def _is_anchor(item: pytest.Item) -> bool:
    return ANCHOR_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    if not _is_anchor(item) or item.get_closest_marker("allow_blocking_io"):
        return (yield)
    gate = _gate()
    gate.activate()
    try:
        return (yield)
    finally:
        gate.deactivate()


# -- fixtures shared by the anchors (plain synchronous setup, no service calls) --


@pytest.fixture
def service(tmp_path: Path) -> NoteService:
    (tmp_path / "notes").mkdir()
    return NoteService(tmp_path)


@pytest.fixture
def make_note(service: NoteService):
    def _make(slug: str, title: str, body: str) -> Path:
        path = service.note_path(slug)
        path.write_text(format_note(title, body), encoding="utf-8")
        return path

    return _make


@pytest.fixture
def seeded(service: NoteService, make_note) -> NoteService:
    make_note("groceries", "Groceries", "eggs\nmilk\n")
    make_note("weekly-review", "Weekly Review", "ship the exporter\n")
    return service
