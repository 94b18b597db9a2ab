"""Plugin discovery: the names in the plugin directory."""

import asyncio
import os


def _names(directory: str) -> list:
    return sorted(n for n in os.listdir(directory) if not n.startswith("."))


async def discover(directory: str) -> list:
    return await asyncio.to_thread(_names, directory)
