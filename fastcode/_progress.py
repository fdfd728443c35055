"""One progress line on a terminal, shared by every long-running command.

Lowest layer: imports nothing from fastcode.  Progress goes to stderr and only
when stderr is a terminal, so pipes, logs and tests stay clean.
"""
import sys
import time


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


class StepProgress:
    """``[name] i/total label  elapsed`` on one stderr line, advanced one step
    at a time; drawn only on a terminal unless ``enabled`` says otherwise."""

    def __init__(self, name, total, enabled=None):
        self.name, self.total, self.done = name, total, 0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.t0 = time.perf_counter()

    def step(self, label):
        self.done += 1
        if self.enabled:
            sys.stderr.write(f"\r[{self.name}] {self.done}/{self.total} {label:<40s} "
                             f"{time.perf_counter() - self.t0:5.1f}s")
            sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
