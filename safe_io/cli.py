"""How every command line of the project ends: its own status; one line on Ctrl-C
(status 130, as a shell reports SIGINT); quietly when whoever reads its output
went away (``| head``: status 141, as a process ended by SIGPIPE)."""
from __future__ import annotations

import os
import sys
from typing import Callable, NoReturn

INTERRUPTED = 130
CLOSED_PIPE = 141


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's own flush at exit finds
    no closed pipe to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def run(main: Callable[[], int], *, name: str, interrupted: str = "interrupted") -> NoReturn:
    """``sys.exit(main())``, with Ctrl-C and a closed output pipe handled as above.
    ``interrupted`` says what was left (``interrupted: nothing was written``)."""
    try:
        status = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        print(f"{name}: {interrupted}", file=sys.stderr, flush=True)
        _quiet_stdout()
        os._exit(INTERRUPTED)  # nothing else runs: no atexit handler's traceback after the line
    except BrokenPipeError:
        _quiet_stdout()
        status = CLOSED_PIPE
    sys.exit(status)
