"""One progress line on a terminal, shared by every long-running command.

Lowest layer: imports nothing from fastcode.  Progress goes to stderr and only
when stderr is a terminal, so pipes, logs and tests stay clean.
"""
import sys


class TtyProgress:
    """Callable ``progress(done, total, label)`` drawing a bar on one line; ``clear()`` erases it."""

    width = 30

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done, total, label=""):
        filled = self.width * done // max(total, 1)
        self.stream.write(f"\r\x1b[K[{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{done}/{total} {label}")
        self.stream.flush()

    def clear(self):
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def terminal_progress(stream=None):
    """A TtyProgress on ``stream`` (default stderr) if it is a terminal, else None."""
    stream = sys.stderr if stream is None else stream
    return TtyProgress(stream) if stream.isatty() else None
