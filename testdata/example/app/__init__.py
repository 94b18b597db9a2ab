"""Notes service: markdown notes, attachments and exports behind an asyncio API."""

__version__ = "0.4.0"
