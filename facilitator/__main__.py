"""The `facilitator` console script.

`serve` monkey-patches for the chosen async server before anything else is imported (the
patch must come first, or sockets and locks stay blocking).
"""
from __future__ import annotations

import os
import sys


def _async_mode_from_argv(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
        if arg == "--async-mode" and index + 1 < len(argv):
            return argv[index + 1]
    return os.environ.get("ASYNC_MODE") or "eventlet"


def monkey_patch_for_serve(argv: list[str]) -> str:
    """Patch for the async server `serve` will use (before anything else is imported);
    returns the mode. Also used by bench/launch_app.py."""
    mode = _async_mode_from_argv(argv)
    if mode == "eventlet":
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
        import warnings
        # Known and chosen: eventlet is in bug-fix-only mode and warns on import; gevent is the
        # tested alternative (`--async-mode gevent`, docs/deployment.md §5).
        warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
        import eventlet
        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey
        monkey.patch_all()
    os.environ["ASYNC_MODE"] = mode
    return mode


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"] and not {"-h", "--help"} & set(argv):
        monkey_patch_for_serve(argv)
    from .cli import cli
    cli.main(args=argv, prog_name="facilitator")


if __name__ == "__main__":
    main()
