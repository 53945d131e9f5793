"""When the garbage collector runs in a `reelflow` process, and how the process ends (the command, not a
library caller: the tests run the same code in one long process, where this would keep garbage for good).

Starting local mode makes about half a million objects that live as long as the process (modules, moto's
and botocore's models, the provisioned resources) and little garbage, and every full collection walks
them all: measured from a fresh `reelflow run`, the collector took 0.75 of the 3.3 CPU seconds before the
first ffmpeg, and its collections at exit over a second after the last. So the process starts with the
collector off; `run` and `demo` freeze what exists once local mode is up (never walked again; the start's
garbage is kept, a few megabytes), every other command as soon as its arguments are read; then the
collector runs as usual, and the process freezes everything again as it exits.

`run` and `demo` then end without the interpreter's teardown, which frees those objects one by one
(0.1-0.3 CPU s after the last ffmpeg): the exit handlers run (logging's flush, coverage's data), the
output is flushed, and the process exits, its memory going back to the system at once."""

import atexit
import gc
import os
import sys
from typing import NoReturn


def hold() -> None:
    """At the start of the process: no collection until `settle()`, none during teardown."""
    gc.disable()
    atexit.register(gc.freeze)


def settle() -> None:
    """Everything that exists now lives as long as the process: collect only what comes after."""
    gc.freeze()
    gc.enable()


def end(code: int) -> NoReturn:
    """Exit with `code` once local mode has stopped (its threads are done or idle): the exit handlers,
    the buffered output, then the process, without the teardown."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
