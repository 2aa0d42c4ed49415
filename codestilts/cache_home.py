"""Where codestilts caches what it can compute again (tokenised features, task sizes)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "CODESTILTS_CACHE"
OFF = frozenset({"off", "0", "false", "none", "no"})


def cache_home() -> Path | None:
    """``$CODESTILTS_CACHE`` (default ``~/.cache/codestilts``), or None when it turns caching off."""
    value = os.environ.get(CACHE_ENV, "")
    if value.strip().lower() in OFF:
        return None
    return Path(value).expanduser() if value else Path.home() / ".cache" / "codestilts"
