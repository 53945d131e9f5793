"""A stop signal taken by another thread still stops a command waiting in its main thread (the kernel
gives a process-directed signal to any thread that does not block it)."""

import signal
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from reelflow.stopping import interrupt_on_sigterm, wait_for_interrupt


@pytest.fixture
def sigterm_interrupts() -> Iterator[None]:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    interrupt_on_sigterm()
    yield
    signal.signal(signal.SIGTERM, before[0])
    signal.signal(signal.SIGHUP, before[1])


def _waiting(thread: int) -> bool:
    frame = sys._current_frames().get(thread)
    return frame is not None and frame.f_code is wait_for_interrupt.__code__


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_another_thread_took_interrupts_the_wait(sigterm_interrupts: None, signum: int) -> None:
    main = threading.get_ident()
    woke = threading.Event()
    rescued = threading.Event()

    def signal_from_another_thread() -> None:
        while not _waiting(main):
            time.sleep(0.01)
        signal.pthread_kill(threading.get_ident(), signum)  # this thread takes it, as the kernel may
        if not woke.wait(timeout=60):  # never leave the test hanging: wake the main thread itself
            rescued.set()
            signal.pthread_kill(main, signum)

    sender = threading.Thread(target=signal_from_another_thread, daemon=True)
    sender.start()
    with pytest.raises(KeyboardInterrupt):
        wait_for_interrupt()
    woke.set()
    sender.join(timeout=60)
    assert not rescued.is_set(), "the wait only ended when the main thread itself took the signal"
