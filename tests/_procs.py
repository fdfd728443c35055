"""Processes and shared memory of a subprocess's session, read from Linux /proc (helpers of
the interrupt and shared-memory tests)."""
import os
import sys
from pathlib import Path

import fastcode

LINUX_PROC_SHM = (sys.platform.startswith("linux") and os.path.isdir("/dev/shm")
                  and os.path.isdir("/proc/self"))
"""Whether this machine has what these helpers read."""


def fastcode_env():
    """The environment of a subprocess that imports the very fastcode these tests import
    (in-place build or installed); run it with a cwd elsewhere, as `-m` puts that on sys.path."""
    return dict(os.environ, PYTHONPATH=str(Path(fastcode.__file__).resolve().parent.parent))


def session_pids(sid):
    """Pids of the live processes of session ``sid`` (zombies left out)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # fields after the ")" closing the command name: state ppid pgrp session ...
            fields = stat.rpartition(")")[2].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                pids.append(int(entry))
    return pids


def shm_mappings(pid):
    """{segment name: deleted?} of the fastcode_* shared-memory segments process ``pid`` maps."""
    out = {}
    try:
        lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        if "/dev/shm/fastcode_" in line:
            path = line[line.index("/dev/shm/"):]
            out[path.split()[0][len("/dev/shm/"):]] = path.endswith("(deleted)")
    return out
