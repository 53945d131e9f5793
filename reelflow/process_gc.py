"""When the garbage collector runs in a `reelflow` process (the command, not a library caller: the tests
run the same code in one long process, where this would keep garbage for good).

Starting local mode makes about half a million objects that live as long as the process (modules, moto's
and botocore's models, the provisioned resources) and little garbage, and every full collection walks
them all: measured from a fresh `reelflow run`, the collector took 0.75 of the 3.3 CPU seconds before the
first ffmpeg, and its collections at exit over a second after the last. So the command starts with the
collector off, freezes what exists once local mode is up (never walked again; the start's garbage is kept,
a few megabytes), collects as usual from then on, and freezes again as it exits."""

import atexit
import gc


def hold() -> None:
    """At the start of the process: no collection until `settle()`, none during teardown."""
    gc.disable()
    atexit.register(gc.freeze)


def settle() -> None:
    """Everything that exists now lives as long as the process: collect only what comes after."""
    gc.freeze()
    gc.enable()
