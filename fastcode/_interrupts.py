"""Ctrl-C and SIGTERM as one exception, so a command can clean up and say one line.

Inside :func:`raise_on_signals`, SIGINT and SIGTERM raise :class:`Interrupted`
(a ``KeyboardInterrupt``, so every ``finally`` and ``with`` block on the way
out runs: a ``LocalCluster`` stops and joins its workers and frees its shared
memory).  After the first signal both are ignored until the block ends: a
second Ctrl-C must not cut that cleanup short (it is bounded: a cluster's
close takes at most a few seconds).  The exit status of an interrupted command
is ``128 + signal number``, the shell's convention: 130 for Ctrl-C, 143 for
SIGTERM.

Lowest layer: imports nothing from fastcode.
"""
import contextlib
import signal
import threading

__all__ = ["Interrupted", "raise_on_signals", "exit_status"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The command was stopped by signal ``signum`` (SIGINT or SIGTERM)."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def exit_status(exc):
    """The exit status of a command stopped by ``exc``: 128 + its signal (130 for a plain
    KeyboardInterrupt, which is Ctrl-C)."""
    return 128 + getattr(exc, "signum", signal.SIGINT)


def _raise(signum, _frame):
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)       # let the cleanup on the way out finish
    raise Interrupted(signum)


@contextlib.contextmanager
def raise_on_signals():
    """SIGINT and SIGTERM raise :class:`Interrupted` inside the block (main thread only;
    elsewhere the block runs with the handlers as they are).  The previous handlers come
    back at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for s in SIGNALS:
        signal.signal(s, _raise)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
