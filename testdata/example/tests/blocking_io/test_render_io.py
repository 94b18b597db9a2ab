"""Anchor for the markdown preview renderer."""

from __future__ import annotations

import threading

from app import render


# teeth: expect red-other
async def test_preview_is_rendered_off_the_event_loop(monkeypatch):
    threads = []
    real = render.markdown_to_html

    def spy(text: str) -> str:
        threads.append(threading.get_ident())
        return real(text)

    monkeypatch.setattr(render, "markdown_to_html", spy)

    html = await render.render_preview("# Plan\n\nship it")

    assert html == "<h1>Plan</h1>\n<p>ship it</p>"
    assert threads and threads[0] != threading.get_ident(), "rendering ran on the event-loop thread"
