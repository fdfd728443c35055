"""MPI runtime: real `mpiexec -n 5 python -m mpi4py ...` jobs in a subprocess with a timeout.

Skipped (with the reason) only when mpi4py or mpiexec is missing: install the
``mpi`` extra (``pip install 'fastcode[mpi]'``, mpi4py + the mpich wheel).
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fastcode.runtime.mpi import STUCK_EXIT_CODE   # the module imports mpi4py lazily

TIMEOUT_S = 60
TESTS = Path(__file__).resolve().parent


def _mpiexec():
    # The mpich wheel puts mpiexec beside the interpreter, which may not be on PATH.
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


try:
    import mpi4py  # noqa: F401
    _MISSING = None if _mpiexec() else "mpiexec not found (pip install mpich)"
except ImportError:
    _MISSING = "mpi4py not installed (pip install 'fastcode[mpi]')"

pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


def mpirun(args, n=5, **env_extra):
    """Run ``python -m mpi4py ARGS`` on n ranks; never hangs past TIMEOUT_S."""
    cmd = [_mpiexec(), "-n", str(n), sys.executable, "-m", "mpi4py", *args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
               **env_extra)
    try:
        # cwd: `-m` puts the working directory first on sys.path, and from the
        # repository root that would import the uncompiled source tree.
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env,
                              cwd=TESTS)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"MPI job hung for {TIMEOUT_S} s: {' '.join(cmd)}\n{exc.stdout}\n{exc.stderr}")
    return proc


@pytest.mark.parametrize("scheme", ["uncoded", "replication"])
def test_fastcode_run_under_mpiexec(scheme):
    proc = mpirun(["-m", "fastcode", "run", scheme, "--rounds", "8", "--rows", "64", "--cols", "16",
                   "--straggler", "shifted-exp:1,2", "--time-scale", "0.02", "--json"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    [summary] = doc["results"]
    assert doc["parameters"]["runtime"] == "mpi" and summary["workers"] == 4
    assert summary["rounds"] == 8 and summary["wrong_rounds"] == 0 and summary["failed_rounds"] == 0


FAULTS_SCRIPT = textwrap.dedent("""
    import time
    import numpy as np
    from fastcode.errors import RoundTimeoutError, WorkerFailedError
    from fastcode.runtime import mpi
    from runtime_doubles import UncodedMatVec
    from runtime_doubles import FaultyReplication, FixedDelays

    if mpi.rank() != 0:
        mpi.serve()
    else:
        rng = np.random.default_rng(5)
        A = rng.integers(-8, 8, (48, 16)).astype(float)
        x0, x1 = rng.integers(-8, 8, (2, 16)).astype(float)
        model = FixedDelays(np.zeros(4), np.zeros(4), [0.0, 1.0, 0.0, 0.0], np.zeros(4))
        with mpi.MPICluster(model, timeout=10) as cluster:
            cluster.setup(FaultyReplication(4, 2), A)
            # A worker that raises: its partner covers its block.
            r = cluster.run_round((x0, {1: ("raise", 0)}))
            assert np.array_equal(r.output, A @ x0), "raise"
            # Stale round: worker 0 is slow in round 1, worker 1 straggles in round 2;
            # worker 0's round-1 result arrives during round 2 and must be discarded.
            r1 = cluster.run_round((x0, {0: ("sleep", 0.5)}))
            r2 = cluster.run_round((x1, {}))
            assert np.array_equal(r1.output, A @ x0) and 0 not in r1.responders
            assert np.array_equal(r2.output, A @ x1), "stale result decoded"
            assert 0 in r2.responders and r2.discarded >= 1, (r2.responders, r2.discarded)
            # No redundancy: a raise fails the round at once, a straggler times it out.
            cluster.setup(FaultyReplication(4, 1), A)
            t = time.perf_counter()
            try:
                cluster.run_round((x0, {2: ("raise", 0)}))
                raise AssertionError("no WorkerFailedError")
            except WorkerFailedError as exc:
                assert 2 in exc.failures and time.perf_counter() - t < 10.0   # not the 30 s timeout
            cluster.straggler_model = FixedDelays([0.0, 0.0, 20.0, 0.0], np.zeros(4))
            try:
                cluster.run_round((x0, {}), timeout=0.5)
                raise AssertionError("no RoundTimeoutError")
            except RoundTimeoutError as exc:
                assert exc.pending == (2,)
            r = cluster.run_round((x1, {}))
            assert np.array_equal(r.output, A @ x1), "after timeout"
        print("MPI-FAULTS-OK")
""")


def test_faults_and_stale_rounds_over_mpi():
    proc = mpirun(["-c", FAULTS_SCRIPT])
    assert proc.returncode == 0 and "MPI-FAULTS-OK" in proc.stdout, proc.stdout + proc.stderr


def test_mpi_is_optional_and_lazy():
    # Importing the runtime (and the CLI) must not import mpi4py.
    code = ("import sys, fastcode.runtime, fastcode.runtime.mpi, fastcode.cli; "
            "assert 'mpi4py' not in sys.modules, 'mpi4py imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=TIMEOUT_S, cwd=TESTS)


# Worker 1 (rank 2) dies or gets stuck inside its worker function in round 0.
# Workers (2i, 2i+1) hold the same block, so every round can still decode.
LOST_RANK_SCRIPT = textwrap.dedent("""
    import os, signal, sys, time
    import numpy as np
    from fastcode.runtime import mpi

    FAULT = os.environ["FAULT"]


    def task(payload, round_input):
        worker, block = payload
        x, doomed = round_input
        if worker in doomed:
            if FAULT == "kill9":
                os.kill(os.getpid(), signal.SIGKILL)
            elif FAULT.startswith("exit"):
                os._exit(int(FAULT[4:]))    # gone without MPI_Finalize, with that status
            elif FAULT == "sysexit":
                sys.exit(0)             # leaves serve(): no goodbye, then MPI_Finalize waits
            elif FAULT == "stuck":
                time.sleep(3600)        # a worker function that never returns
        return block @ x


    class Pairs:
        n_workers = 4
        worker_fn = staticmethod(task)

        def setup_tasks(self, A):
            blocks = np.array_split(A, 2)
            return [(i, blocks[i // 2]) for i in range(4)]

        def worker_load(self, i):
            return 0.5

        def can_decode(self, responders):
            return len({i // 2 for i in responders}) == 2

        def decode(self, results, round_input):
            first = {}
            for i in results:
                first.setdefault(i // 2, results[i])
            return np.concatenate([first[0], first[1]])


    if mpi.rank() != 0:
        mpi.serve()
    else:
        A = np.arange(48 * 16, dtype=float).reshape(48, 16)
        with mpi.MPICluster(None, timeout=10) as cluster:
            cluster.setup(Pairs(), A)
            print("SETUP-OK", flush=True)
            for r in range(4):
                x = np.full(16, float(r))
                out = cluster.run_round((x, {1} if r == 0 else set())).output
                assert np.array_equal(out, A @ x), r
                print("ROUND-OK", r, flush=True)
        print("MASTER-DONE", cluster.transport.stuck_ranks, flush=True)
""")


@pytest.mark.parametrize("fault", ["stuck", "sysexit"])
def test_stuck_rank_ends_the_job_instead_of_hanging(fault):
    # The rounds decode from the survivors; close() names the stuck rank; at exit the
    # master aborts the job (MPI_Finalize would wait for that rank forever).  A worker
    # function that calls sys.exit never says goodbye either, and ends the same way.
    t0 = time.monotonic()
    proc = mpirun(["-c", LOST_RANK_SCRIPT], FAULT=fault)
    elapsed = time.monotonic() - t0
    out = proc.stdout + proc.stderr
    assert "ROUND-OK 3" in proc.stdout and "MASTER-DONE [2]" in proc.stdout, out
    assert "MPI ranks [2] did not stop" in proc.stderr, out
    assert proc.returncode == STUCK_EXIT_CODE, out
    assert elapsed < TIMEOUT_S, elapsed


# mpiexec's status when one rank dies, as measured under load (runtime/mpi.py):
# 9 when MPICH kills the job loudly ("BAD TERMINATION ...", the killed ranks' SIGKILL),
# or, now and then, the dead rank's own status, with or without that message.
DEAD_RANK_STATUSES = {"kill9": {9}, "exit1": {9, 1}, "exit0": {9, 0}}


@pytest.mark.parametrize("fault", sorted(DEAD_RANK_STATUSES))
def test_dead_rank_ends_the_whole_job(fault):
    # MPICH's launcher kills every rank when one dies (documented in runtime/mpi.py):
    # the job ends at once (mpirun fails the test on a hang) and the master never
    # finishes.  Its message is best effort: under load MPICH sometimes ends the job
    # silently with the dead rank's status, even 0 after os._exit(0).
    proc = mpirun(["-c", LOST_RANK_SCRIPT], FAULT=fault)
    out = proc.stdout + proc.stderr
    assert "SETUP-OK" in proc.stdout, out
    assert "MASTER-DONE" not in proc.stdout, out
    assert proc.returncode in DEAD_RANK_STATUSES[fault], out
