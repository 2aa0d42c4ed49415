"""User-facing errors.

Anything a user can get wrong (a config key, a data file, a flag) raises :class:`UserError`. The CLI
prints its message on one line and exits with code 2; it never shows a traceback for these. A
problem of the machine rather than of codestilts (a full or read-only disk, no permission, out of
memory) becomes one too, through :func:`environment_error`.
"""

from __future__ import annotations

import errno
import re


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


FULL = "free some space (or choose another --out)"
REFUSED = "check the file's permissions, or choose a writable --out"
DISK_ERRORS = {
    errno.ENOSPC: ("no space left on device", FULL),
    errno.EDQUOT: ("disk quota exceeded", FULL),
    errno.EROFS: ("read-only file system", REFUSED),
    errno.EACCES: ("permission denied", REFUSED),
    errno.EPERM: ("operation not permitted", REFUSED),
}
"""errno -> (what it means, what to do)."""
RUST_IO = re.compile(r"\(os error (\d+)\)")
"""How libraries written in Rust (safetensors, tokenizers) report an OS error in their messages."""
TORCH_WRITE_FAILED = "file write failed"
"""How torch.save reports a failed write, without the OS error (in practice a full disk)."""
RERUN = "then run the same command again: finished stages are kept and a trained stage resumes from its checkpoint"


def _causes(err: BaseException) -> list[BaseException]:
    """``err`` and the exceptions it was raised from or while handling, innermost last."""
    chain: list[BaseException] = []
    while err is not None and err not in chain:
        chain.append(err)
        err = err.__cause__ or err.__context__
    return chain


def environment_error(err: BaseException, where: str) -> UserError | None:
    """The :class:`UserError` for a full or read-only disk, a refused write or exhausted memory
    (``where``: what was running, e.g. a stage); None for any other error."""
    for cause in _causes(err):
        if isinstance(cause, MemoryError) or type(cause).__name__ == "OutOfMemoryError":  # torch's CPU/GPU OOM
            return UserError("out of memory", where=where, hint=f"lower batch_size or max_length, or free memory; {RERUN}")
        code = _disk_errno(cause)
        if code is not None:
            problem, fix = DISK_ERRORS[code]
            filename = getattr(cause, "filename", None)
            return UserError(f"{filename}: {problem}" if filename else problem, where=where, hint=f"{fix}; {RERUN}")
    return None


def _disk_errno(err: BaseException) -> int | None:
    """The errno of a disk problem (one of :data:`DISK_ERRORS`) that ``err`` reports, if any."""
    if isinstance(err, OSError):
        code = err.errno
    elif found := RUST_IO.search(str(err)):
        code = int(found.group(1))
    else:
        code = errno.ENOSPC if isinstance(err, RuntimeError) and TORCH_WRITE_FAILED in str(err) else None
    return code if code in DISK_ERRORS else None
