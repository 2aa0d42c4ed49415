"""codestilts: intermediate-task training and zero-shot cross-programming-language transfer.

``codestilts.run(config)`` and ``codestilts.plan(config)`` are the Python API (see
:mod:`codestilts.api`); they are imported on first use so that light subpackages such as
``codestilts.execution`` load without torch.
"""

__version__ = "0.1.0"
__all__ = ["RunResult", "plan", "run", "__version__"]


def __getattr__(name: str):
    if name in ("RunResult", "plan", "run"):
        from codestilts import api

        return getattr(api, name)
    raise AttributeError(f"module 'codestilts' has no attribute {name!r}")
