"""Messages kept as JSON files."""

import asyncio
import json
from pathlib import Path


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


async def load(path: Path) -> dict:
    return json.loads(await asyncio.to_thread(_read, path))


async def save(path: Path, message: dict) -> None:
    await asyncio.to_thread(_write, path, json.dumps(message))


def subject(message: dict) -> str:
    return message.get("subject", "").strip() or "(no subject)"
