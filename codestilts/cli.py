"""The `codestilts` command line.

Every command is a small function taking the parsed arguments. A :class:`UserError` anywhere below
becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from codestilts.errors import UserError
from codestilts.execution.cli import register as register_execution

Command = Callable[[argparse.Namespace], int | None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codestilts",
        description="Intermediate-task training and zero-shot cross-programming-language transfer.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in _REGISTRARS:
        register(sub)
    return parser


_REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [register_execution]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        return int(handler(args) or 0)
    except UserError as err:
        print(f"codestilts: error: {err.render()}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("codestilts: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
