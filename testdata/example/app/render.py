"""Markdown preview rendering (a deliberately small subset of Markdown)."""

from __future__ import annotations

import asyncio
import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def markdown_to_html(text: str) -> str:
    """Convert headings and paragraphs; everything else is escaped text."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        m = _HEADING.match(block)
        if m:
            level = len(m.group(1))
            out.append(f"<h{level}>{html.escape(m.group(2).strip())}</h{level}>")
        elif block:
            out.append(f"<p>{html.escape(' '.join(block.split()))}</p>")
    return "\n".join(out)


async def render_preview(text: str) -> str:
    # Big notes take tens of milliseconds to convert: keep it off the loop.
    return await asyncio.to_thread(markdown_to_html, text)
