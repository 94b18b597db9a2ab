"""Plain unit tests (outside tests/blocking_io, so the Blockbuster gate is off)."""

from app.notes import format_note, parse_note, slugify
from app.render import markdown_to_html


def test_slugify_lowercases_and_joins_words():
    assert slugify("Weekly Review: Q3!") == "weekly-review-q3"
    assert slugify("???") == "untitled"


def test_note_round_trips_through_markdown():
    note = parse_note("groceries", format_note("Groceries", "eggs\nmilk\n"))
    assert (note.title, note.body) == ("Groceries", "eggs\nmilk\n")


def test_markdown_to_html_escapes_text():
    assert markdown_to_html("# A & B\n\n<b>hi</b>") == "<h1>A &amp; B</h1>\n<p>&lt;b&gt;hi&lt;/b&gt;</p>"
