"""How a command that runs work stops: SIGTERM and SIGHUP stop it as Ctrl+C does."""

import signal
from types import FrameType


def interrupt_on_sigterm() -> None:
    """SIGTERM stops like Ctrl+C does: through the `finally` blocks that clean up."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)  # a closed terminal stops it the same way
