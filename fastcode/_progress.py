"""One progress line on a terminal, shared by every long-running command.

Lowest layer: imports nothing from fastcode.  Progress goes to stderr and, unless
the caller says otherwise, only when stderr is a terminal, so pipes, logs and
tests stay clean.  One :class:`Progress` serves every command:

- ``progress(done, total, label)`` or ``progress.step(label)`` redraws the one
  status line ``[name] [#####.....] done/total label  elapsed``;
- ``progress.stage("k-curve")`` is a ``(done, total, label)`` callback whose
  labels start with ``k-curve: `` (one bar for each part of a run);
- ``progress.note(text)`` writes a line that stays (a message of a long run);
- ``progress.clear()`` erases the status line (the ``with`` block does it too).
"""
import sys
import time

__all__ = ["Progress", "terminal_progress"]


class Progress:
    """The status line of one command on ``stream`` (default stderr).

    ``enabled``: None draws only when ``stream`` is a terminal; True or False
    force it on or off (e.g. off for ``--quiet``, on for messages that a log
    should keep).  ``total`` is the number of steps of :meth:`step`."""

    width = 30

    def __init__(self, name="", total=0, enabled=None, stream=None):
        self.name, self.total, self.done = name, total, 0
        self.stream = sys.stderr if stream is None else stream
        self.enabled = self.stream.isatty() if enabled is None else bool(enabled)
        self.t0 = time.perf_counter()
        self._drawn = False

    def __call__(self, done, total, label=""):
        """Draw ``done`` of ``total`` with ``label``."""
        self.done, self.total = done, total
        if not self.enabled:
            return
        filled = self.width * done // max(total, 1)
        head = f"[{self.name}] " if self.name else ""
        self.stream.write(f"\r\x1b[K{head}[{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{done}/{total} {label}  {time.perf_counter() - self.t0:.1f}s")
        self.stream.flush()
        self._drawn = True

    def step(self, label=""):
        """One more of :attr:`total` steps done."""
        self(self.done + 1, self.total, label)

    def stage(self, prefix):
        """A ``(done, total, label)`` callback drawing ``prefix: label``."""
        def report(done, total, label=""):
            self(done, total, f"{prefix}: {label}")
        return report

    def note(self, text):
        """Write ``text`` as a line of its own (erasing the status line first)."""
        if not self.enabled:
            return
        self.clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def clear(self):
        """Erase the status line, if one is drawn."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.clear()
        return False


def terminal_progress(stream=None, name=""):
    """A :class:`Progress` on ``stream`` (default stderr) if it is a terminal, else None."""
    progress = Progress(name, stream=stream)
    return progress if progress.enabled else None
