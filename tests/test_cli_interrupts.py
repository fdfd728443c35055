"""Ctrl-C and SIGTERM during `fastcode run`, `demo` and `simulate`: one "interrupted" line,
exit status 130 (Ctrl-C) or 143 (SIGTERM), no process of the command left, no shared-memory
segment left; and stale segments of a killed master are swept by the next LocalCluster.

Each command runs in its own session.  The signal goes out once the command is in the
middle of its work, which the test sees, not guesses: the worker processes map their
shared-memory payloads.  Ctrl-C is sent to the whole process group, as a terminal does;
SIGTERM to the command's process only, as `kill` does."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _procs import LINUX_PROC_SHM, fastcode_env, session_pids, shm_mappings

from fastcode.runtime import LocalCluster
from fastcode.runtime import _shm

pytestmark = pytest.mark.skipif(not LINUX_PROC_SHM, reason="needs Linux /dev/shm and /proc")

GUARD_S = 90   # failure guards only: each wait returns as soon as its condition holds

COMMANDS = {
    "run": (["run", "mds", "--workers", "2", "--rows", "48", "--cols", "4096", "--rounds", "100000",
             "--straggler", "shifted-exp:0.01,100", "--time-scale", "1"],
            r"fastcode run mds: interrupted; \d+ of 100000 rounds done"),
    "demo": (["demo", "--workers", "2", "--rows", "64", "--cols", "64", "--rounds", "100000",
              "--time-scale", "0.01"],
             r"fastcode demo: interrupted; \d+ of 300000 rounds done"),
    "simulate": (["simulate", "stream", "--jobs", "50", "--omegas", "1.1", "--hetero=",
                  "--real-jobs", "0", "--local-jobs", "100000", "--quiet"],
                 r"fastcode simulate stream: interrupted after \d+\.\d s"),
}


def _wait(condition, what, proc=None, out=None):
    """Poll ``condition`` until it holds; fails if ``proc`` (when given) exits first."""
    deadline = time.monotonic() + GUARD_S
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the command exited ({proc.returncode}) before {what}:\n{out.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"after {GUARD_S} s, still not {what}")
        time.sleep(0.02)


def _workers_map_their_payloads(sid, workers, seen):
    holders = [pid for pid in session_pids(sid) if shm_mappings(pid)]
    for pid in holders:
        seen.update(shm_mappings(pid))
    return len(holders) >= workers + 1           # the master maps every segment too


# SIGTERM takes the very path of Ctrl-C in every command: checked on `run` in the default
# suite, on demo and simulate with -m slow (each case starts real worker processes).
CASES = [(command, signum) if command == "run" or signum == signal.SIGINT
         else pytest.param(command, signum, marks=pytest.mark.slow)
         for command in COMMANDS for signum in (signal.SIGINT, signal.SIGTERM)]


@pytest.mark.parametrize("command, signum", CASES,
                         ids=[f"{c}-{'ctrl-c' if s == signal.SIGINT else 'sigterm'}"
                              for c in COMMANDS for s in (signal.SIGINT, signal.SIGTERM)])
def test_interrupt_is_one_line_and_leaves_nothing(command, signum, tmp_path):
    argv, line = COMMANDS[command]
    out = tmp_path / "err"
    with open(tmp_path / "out", "w") as stdout, open(out, "w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "fastcode", *argv], cwd=tmp_path,
                                env=fastcode_env(), stdout=stdout, stderr=stderr,
                                start_new_session=True)
    seen = set()
    try:
        _wait(lambda: _workers_map_their_payloads(proc.pid, 2, seen),
              "its workers are running", proc, out)
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)          # a terminal's Ctrl-C: the whole group
        else:
            os.kill(proc.pid, signum)            # `kill`: the command's process only
        status = proc.wait(timeout=GUARD_S)
        _wait(lambda: not session_pids(proc.pid), "every process of the command is gone")
    finally:
        if session_pids(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    err = out.read_text()
    assert status == 128 + signum, err
    assert "Traceback" not in err
    assert re.fullmatch(line, err.strip().splitlines()[-1]), err
    assert seen, "the run mapped no shared memory: the test would prove nothing"
    left = {p.name for p in Path("/dev/shm").glob(f"{_shm.PREFIX}{proc.pid}_*")}
    assert not left and not {name for name in seen if os.path.exists(f"/dev/shm/{name}")}


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid          # reaped: no process has this pid now (until it is reused)


def test_a_cluster_start_sweeps_segments_of_a_dead_master():
    dead = _dead_pid()
    stale = Path(f"/dev/shm/{_shm.PREFIX}{dead}_0badc0de")
    alive = Path(f"/dev/shm/{_shm.PREFIX}{os.getpid()}_0000beef")    # this process: running
    other = Path(f"/dev/shm/{_shm.PREFIX}x_not_ours")                  # not of the naming
    for path in (stale, alive, other):
        path.write_bytes(b"\0" * 64)
    try:
        with LocalCluster(1, backend="thread"):
            pass
        assert not stale.exists()
        assert alive.exists() and other.exists()
    finally:
        for path in (stale, alive, other):
            path.unlink(missing_ok=True)


def test_blocks_are_named_after_their_owner():
    block, _ = _shm.pack({"a": np.arange(10)})
    try:
        assert block.name.startswith(f"{_shm.PREFIX}{os.getpid()}_")
        assert block.name not in _shm.sweep_stale()            # its owner (we) is running
        assert os.path.exists(f"/dev/shm/{block.name}")
    finally:
        _shm.free(block)
    assert not os.path.exists(f"/dev/shm/{block.name}")
