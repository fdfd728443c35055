"""`kill -9` of a whole `fastcode run` process group leaves no /dev/shm/fastcode_* segment.

The master unlinks each shared-memory block as soon as every worker that needs
it has mapped it, so once the workers are running no segment has a name, and a
SIGKILL (which also kills multiprocessing's resource tracker) cannot leak one."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _procs import LINUX_PROC_SHM, fastcode_env, session_pids, shm_mappings

pytestmark = pytest.mark.skipif(not LINUX_PROC_SHM, reason="needs Linux /dev/shm and /proc")

WORKERS = 3
GUARD_S = 90   # failure guard only: the test returns as soon as its condition holds
# Delays of >= 1000 s hold every worker in round 1, after it has mapped its setup
# payload and the round input (x of 4096 float64 = 32 KiB goes by shared memory).
COMMAND = ["run", "mds", "--workers", str(WORKERS), "--rows", "48", "--cols", "4096",
           "--rounds", "1000", "--straggler", "shifted-exp:1000,1", "--time-scale", "1",
           "--timeout", "3000"]


def _workers_hold_only_unlinked_segments(sid, seen):
    """True once the master and every worker map their segments, all of them unlinked.
    Adds every segment name seen to ``seen``."""
    holders = 0
    for pid in session_pids(sid):
        maps = shm_mappings(pid)
        seen.update(maps)
        if maps and not all(maps.values()):
            return False                 # a segment still has its name in /dev/shm
        if len(maps) >= 2:               # a worker: its payload + the round input
            holders += 1
    return holders >= WORKERS + 1        # the master maps every segment too


def test_sigkill_of_the_process_group_leaves_no_segment(tmp_path):
    before = {p.name for p in Path("/dev/shm").glob("fastcode_*")}
    env = fastcode_env()
    with open(tmp_path / "out", "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "fastcode", *COMMAND], cwd=tmp_path, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    seen = set()
    try:
        deadline = time.monotonic() + GUARD_S
        while not _workers_hold_only_unlinked_segments(proc.pid, seen):
            if proc.poll() is not None:
                pytest.fail(f"fastcode run exited early ({proc.returncode}):\n"
                            + (tmp_path / "out").read_text())
            if time.monotonic() > deadline:
                linked = [name for name in seen if os.path.exists(f"/dev/shm/{name}")]
                pytest.fail(f"after {GUARD_S} s the workers still do not hold only unlinked "
                            f"segments; still linked: {linked}")
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert seen, "the run mapped no shared memory: the test would prove nothing"
    # Only the segments this run made: other processes on the machine may be making theirs.
    leaked = {p.name for p in Path("/dev/shm").glob("fastcode_*")} - before
    assert not leaked & seen
