"""User-facing errors.

Anything a user can get wrong (a config key, a data file, a flag) raises :class:`UserError`. The CLI
prints its message on one line and exits with code 2; it never shows a traceback for these.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix: bad config, missing file, unknown name."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text
