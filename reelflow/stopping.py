"""How a command that runs work stops: SIGTERM and SIGHUP stop it as Ctrl+C does."""

import signal
import time
from types import FrameType
from typing import NoReturn

# A signal may be taken by any thread; Python runs the handler in the main thread at its next bytecode,
# so the main thread must never sleep long in one call (a sleep is cut short only by a signal it took).
WAKE_SECONDS = 0.2


def interrupt_on_sigterm() -> None:
    """SIGTERM stops like Ctrl+C does: through the `finally` blocks that clean up."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)  # a closed terminal stops it the same way


def wait_for_interrupt() -> NoReturn:
    """Block the main thread until Ctrl+C, SIGTERM or SIGHUP, whichever thread the kernel gave it to."""
    while True:
        time.sleep(WAKE_SECONDS)
