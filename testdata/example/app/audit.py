"""Best-effort audit trail: an append-only JSON-lines file.

Auditing must never fail a user request, so write errors are logged and dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    async def record(self, action: str, **fields: Any) -> dict[str, Any]:
        event = {"action": action, "at": time.time(), **fields}
        try:
            await asyncio.to_thread(self._append, json.dumps(event, sort_keys=True))
        except Exception:
            logger.warning("audit write failed, dropping %s event", action, exc_info=True)
        return event
