"""LocalCluster end to end: exact results, real stragglers, faults, stale rounds, clean-up.

Every test runs under a watchdog (faulthandler's timer thread, no signal.alarm):
a hang dumps all tracebacks and ends the run instead of blocking CI.
"""
import os
import signal
import threading
import time

import numpy as np
import pytest

from fastcode.errors import ClusterStateError, FastcodeError, RoundTimeoutError, WorkerFailedError
from fastcode.runtime import LocalCluster, sample_delays
from fastcode.runtime._master import MAX_OWED, ideal_time
from fastcode.sim import ShiftedExponential
from runtime_doubles import (FaultyReplication, FixedDelays, ReplicatedMatVec, UncodedMatVec,
                             matvec_task)

# a hung runtime dumps every thread's stack and fails the run (conftest's watchdog)
pytestmark = pytest.mark.usefixtures("watchdog")


# -- test doubles (in runtime_doubles.py: workers import it, so it stays light) ----

class LambdaScheme(UncodedMatVec):
    worker_fn = staticmethod(lambda block, x: block @ x)


def int_matrix(rng, rows, cols):
    """Integer-valued float64 data: every product and sum is exact, so the
    distributed result must equal the direct one bit for bit."""
    return rng.integers(-8, 8, size=(rows, cols)).astype(np.float64)


@pytest.fixture
def A(rng):
    return int_matrix(rng, 48, 16)


# -- end to end -----------------------------------------------------------------

@pytest.mark.parametrize("backend", ["process", "thread"])
@pytest.mark.parametrize("scheme_cls", [UncodedMatVec, ReplicatedMatVec])
def test_end_to_end_exact(backend, scheme_cls, A, rng):
    with LocalCluster(4, backend=backend, timeout=10) as cluster:
        cluster.setup(scheme_cls(4), A)
        for round_id in range(3):
            x = int_matrix(rng, 16, 1)[:, 0]
            result = cluster.run_round(x)
            assert np.array_equal(result.output, A @ x)
            assert result.round_id == round_id
            assert scheme_cls(4).can_decode(result.responders)
            # No real failure; a worker may at most be left out as still busy with
            # earlier rounds when the machine is loaded.
            assert all("busy" in reason for reason in result.failures.values())
            responded = list(result.responders)
            assert np.all(np.isfinite(result.latencies[responded]))
            assert result.wall_time >= result.wait_time >= 0


def test_large_payload_and_input_through_shared_memory(rng):
    # 16 Ki-wide rows: x (128 KiB) is above INLINE_LIMIT, so it goes by shared memory
    # and its buffer is rewritten in place every round.
    A = int_matrix(rng, 64, 16384)
    with LocalCluster(4, timeout=20) as cluster:
        cluster.setup(UncodedMatVec(4), A)
        for _ in range(3):
            x = int_matrix(rng, 16384, 1)[:, 0]
            assert np.array_equal(cluster.run_round(x).output, A @ x)
        blocks = [b.name for b in cluster.transport._blocks["setup"]]
        blocks.append(cluster.transport._blocks["input"][0].name)
        assert len(blocks) == 5
        # Every worker has mapped every block, so no name is left in /dev/shm (a kill
        # cannot leak them), yet the mappings still carry the data round after round.
        assert not any(os.path.exists(f"/dev/shm/{name}") for name in blocks)
        x = int_matrix(rng, 16384, 1)[:, 0]
        assert np.array_equal(cluster.run_round(x).output, A @ x)
    assert not any(os.path.exists(f"/dev/shm/{name}") for name in blocks)


def test_re_setup_with_another_scheme(A, rng):
    with LocalCluster(4, timeout=10) as cluster:
        cluster.setup(UncodedMatVec(4), A)
        x = int_matrix(rng, 16, 1)[:, 0]
        assert np.array_equal(cluster.run_round(x).output, A @ x)
        B = int_matrix(rng, 40, 16)
        cluster.setup(ReplicatedMatVec(4, 2), B)
        assert np.array_equal(cluster.run_round(x).output, B @ x)


# -- stragglers -----------------------------------------------------------------

def test_injected_delays_are_real_and_the_round_stops_early(A, rng):
    # Worker 3 straggles 0.8 s; replication decodes from its partner at ~0.05 s,
    # uncoded must wait for it.
    delays = [0.05, 0.05, 0.05, 0.8]
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, FixedDelays(delays), timeout=10) as cluster:
        cluster.setup(ReplicatedMatVec(4, 2), A)
        result = cluster.run_round(x)
        assert np.array_equal(result.output, A @ x)
        # decoded without the straggler (never waited for), after the fast ones' delay
        assert 3 not in result.responders and np.isnan(result.latencies[3])
        assert 0.05 <= result.wall_time < delays[3]
        assert result.ideal_time == pytest.approx(0.05)
        # The straggler is cancelled by the next round: it does not delay it.
        result = cluster.run_round(x)
        assert 3 not in result.responders and 0.05 <= result.wall_time < delays[3]
        cluster.setup(UncodedMatVec(4), A)
        result = cluster.run_round(x)
        assert np.array_equal(result.output, A @ x)
        assert result.wall_time >= 0.8 and result.latencies[3] >= 0.8


def test_delays_follow_the_model_and_loads(A):
    model = ShiftedExponential(2.0, shift=1.0)
    with LocalCluster(8, model, time_scale=0.05, rng=3, timeout=10) as cluster:
        cluster.setup(ReplicatedMatVec(8, 2), int_matrix(np.random.default_rng(0), 64, 16))
        x = np.ones(16)
        results = [cluster.run_round(x) for _ in range(12)]
    for r in results:
        # Every worker has load 1/4: at least the shift 0.05 * 1/4 s.
        assert np.all(r.delays >= 0.05 / 4)
        assert r.wall_time >= r.ideal_time
    # (how closely measured latency tracks the prediction is a real-clock check:
    # tests/test_runtime_timing.py, marked slow)


def test_sample_delays_passes_scalar_or_array_loads():
    model = FixedDelays([1.0, 2.0, 3.0])
    assert np.array_equal(sample_delays(model, np.full(3, 0.5), None), [1, 2, 3])
    assert model.loads[-1] == 0.5
    sample_delays(model, np.array([0.5, 0.25, 0.25]), None)
    assert np.array_equal(model.loads[-1], [0.5, 0.25, 0.25])
    assert np.array_equal(sample_delays(None, np.ones(3), None), np.zeros(3))


def test_ideal_time_is_the_decoding_order_statistic():
    delays = np.array([0.4, 0.1, 0.3, 0.2])
    assert ideal_time(UncodedMatVec(4), delays) == 0.4
    assert ideal_time(ReplicatedMatVec(4, 2), delays) == 0.2  # blocks {0,1} and {2,3}
    assert ideal_time(UncodedMatVec(4), np.array([0.1, np.inf, 0.1, 0.1])) == np.inf


# -- faults -----------------------------------------------------------------------

def faulty_round(x, faults):
    return (x, faults)


def test_worker_that_raises_survivors_decode(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, timeout=10) as cluster:
        cluster.setup(FaultyReplication(4, 2), A)
        result = cluster.run_round((x, {1: ("raise", 0)}))
        assert np.array_equal(result.output, A @ x)
        # Worker 1 failed at once, so its partner 0 must be among the responders.
        assert 0 in result.responders
        if 1 in result.failures:
            assert "boom on worker 1" in result.failures[1]
        # The worker survives its exception and serves the next round.
        assert np.array_equal(cluster.run_round((x, {})).output, A @ x)


def test_unpicklable_result_is_reported_not_fatal(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(2, timeout=10) as cluster:
        cluster.setup(FaultyReplication(2, 1), A)
        with pytest.raises(WorkerFailedError, match="cannot be sent"):
            cluster.run_round((x, {1: ("unpicklable", 0)}))
        assert np.array_equal(cluster.run_round((x, {})).output, A @ x)


def test_worker_that_raises_without_redundancy_fails_fast(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, FixedDelays([0.0, 0.0, 0.0, 2.0], np.zeros(4)), timeout=10) as cluster:
        cluster.setup(FaultyReplication(4, 1), A)
        start = time.perf_counter()
        with pytest.raises(WorkerFailedError, match="boom on worker 2") as info:
            cluster.run_round((x, {2: ("raise", 0)}))
        # Known impossible as soon as worker 2 raised: before worker 3's 2 s answer
        # (it is not among the responders) and long before the 10 s timeout.
        assert 3 not in info.value.responders
        assert time.perf_counter() - start < 5.0
        assert 2 in info.value.failures and info.value.round_id == 0
        assert isinstance(info.value, FastcodeError)
        # Later rounds work again.
        assert np.array_equal(cluster.run_round((x, {})).output, A @ x)


def _kill_later(pid, after):
    timer = threading.Timer(after, os.kill, (pid, signal.SIGKILL))
    timer.start()
    return timer


def test_worker_killed_mid_round_survivors_decode(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    # Block 1 is held by workers 2 and 3; 2 is killed while it "computes",
    # 3 answers at 0.8 s and the round decodes from the survivors.
    with LocalCluster(4, FixedDelays([0.0, 0.0, 3.0, 0.8]), timeout=10) as cluster:
        cluster.setup(ReplicatedMatVec(4, 2), A)
        timer = _kill_later(cluster.pids()[2], 0.2)
        result = cluster.run_round(x)
        timer.join()
        assert np.array_equal(result.output, A @ x)
        assert "died" in result.failures[2]
        assert result.wall_time >= 0.8 and 2 not in result.responders
        assert cluster.dead_workers.keys() == {2}
        # The dead worker is not asked again; its partner covers its block.
        result = cluster.run_round(x)
        assert np.array_equal(result.output, A @ x) and "died" in result.failures[2]


def test_worker_killed_mid_round_without_redundancy_fails_fast(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, FixedDelays([0.0, 0.0, 5.0, 0.0]), timeout=10) as cluster:
        cluster.setup(UncodedMatVec(4), A)
        start = time.perf_counter()
        timer = _kill_later(cluster.pids()[2], 0.2)
        with pytest.raises(WorkerFailedError, match="died") as info:
            cluster.run_round(x)
        timer.join()
        assert time.perf_counter() - start < 5.0         # before worker 2's 5 s, not the 10 s timeout
        assert 2 in info.value.failures
        # With a worker gone for good, uncoded rounds fail at once (not at the timeout).
        start = time.perf_counter()
        with pytest.raises(WorkerFailedError):
            cluster.run_round(x)
        assert time.perf_counter() - start < 5.0


def test_worker_slower_than_the_timeout(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, FixedDelays([0.0, 30.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
                      timeout=0.6) as cluster:
        cluster.setup(UncodedMatVec(4), A)
        start = time.perf_counter()
        with pytest.raises(RoundTimeoutError) as info:
            cluster.run_round(x)
        elapsed = time.perf_counter() - start
        assert 0.6 <= elapsed < 15.0          # at the 0.6 s timeout, not after the 30 s straggler
        assert info.value.pending == (1,) and set(info.value.responders) == {0, 2, 3}
        # The straggler's wait is cancelled by the next round, which succeeds.
        assert np.array_equal(cluster.run_round(x).output, A @ x)
        # With redundancy the same straggler costs nothing.
        cluster.setup(ReplicatedMatVec(4, 2), A)
        cluster.straggler_model = FixedDelays([0.0, 30.0, 0.0, 0.0])
        assert np.array_equal(cluster.run_round(x).output, A @ x)


def test_infinite_delay_is_a_known_dropout(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, FixedDelays([0.0, np.inf, 0.0, 0.0]), timeout=10) as cluster:
        cluster.setup(ReplicatedMatVec(4, 2), A)
        result = cluster.run_round(x)
        assert np.array_equal(result.output, A @ x) and "dropped" in result.failures[1]
        cluster.setup(UncodedMatVec(4), A)
        start = time.perf_counter()
        with pytest.raises(WorkerFailedError, match="dropped"):
            cluster.run_round(x)
        assert time.perf_counter() - start < 5.0         # at once, not at the 10 s timeout


def test_stale_result_is_never_used_in_a_later_round(A, rng):
    """Worker 0 computes round 0 slowly (0.5 s, uninterruptible); round 0 decodes from its
    partner 1.  In round 1, worker 1 straggles (1 s), so block 0 must come from worker 0 --
    whose round-0 result arrives during round 1 and must be discarded, not decoded."""
    x0, x1 = int_matrix(rng, 16, 2).T
    model = FixedDelays([0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0])
    with LocalCluster(4, model, timeout=10) as cluster:
        cluster.setup(FaultyReplication(4, 2), A)
        r0 = cluster.run_round((x0, {0: ("sleep", 0.5)}))
        assert np.array_equal(r0.output, A @ x0) and 0 not in r0.responders
        r1 = cluster.run_round((x1, {}))
        assert np.array_equal(r1.output, A @ x1)
        assert 0 in r1.responders and 1 not in r1.responders
        assert r1.discarded >= 1  # worker 0's round-0 result
        # Worker 0 answers round 1 right after its slow round 0 (~0.5 s after round 0
        # started), before worker 1's 1 s straggle: 1 is not among the responders.
        assert r1.wall_time >= 0.3


def test_stuck_worker_is_not_sent_more_work(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    with LocalCluster(4, timeout=10, backend="thread") as cluster:
        cluster.setup(FaultyReplication(4, 2), A)
        cluster.run_round((x, {3: ("sleep", 1.0)}))   # worker 3 busy with round 0
        for _ in range(MAX_OWED - 1):                 # rounds queued behind it
            assert 3 not in cluster.run_round((x, {})).failures
        r = cluster.run_round((x, {}))
        assert "busy" in r.failures[3] and np.array_equal(r.output, A @ x)


# -- misuse and clean-up ------------------------------------------------------------

def test_misuse_raises_clear_errors(A):
    with LocalCluster(2, backend="thread") as cluster:
        with pytest.raises(ClusterStateError, match="before a successful setup"):
            cluster.run_round(np.ones(16))
        with pytest.raises(ClusterStateError, match="n_workers=4"):
            cluster.setup(UncodedMatVec(4), A)
        with pytest.raises(ClusterStateError, match="module-level"):
            cluster.setup(LambdaScheme(2), A)
    with pytest.raises(ClusterStateError, match="closed"):
        cluster.setup(UncodedMatVec(2), A)
    with pytest.raises(ValueError):
        LocalCluster(2, backend="gpu")
    with pytest.raises(ValueError):
        LocalCluster(2, start_method="fork")


def test_processes_are_cleaned_up_on_exceptions(A):
    with pytest.raises(KeyboardInterrupt):
        with LocalCluster(3, FixedDelays([0.0, 0.0, 30.0]), timeout=60) as cluster:
            cluster.setup(UncodedMatVec(3), A)
            procs = list(cluster.transport.processes)
            threading.Timer(0.3, lambda: None).start()
            raise KeyboardInterrupt  # as if Ctrl-C hit during a round
    start = time.perf_counter()
    for p in procs:
        p.join(3)
        assert not p.is_alive()
    assert time.perf_counter() - start < 10


def test_close_is_bounded_even_with_a_worker_stuck_in_compute(A, rng):
    x = int_matrix(rng, 16, 1)[:, 0]
    cluster = LocalCluster(4, timeout=10)
    cluster.setup(FaultyReplication(4, 2), A)
    cluster.run_round((x, {2: ("sleep", 30.0)}))
    start = time.perf_counter()
    cluster.close()
    cluster.close()  # idempotent
    assert time.perf_counter() - start < 15          # bounded, not the 30 s compute
    assert not any(p.is_alive() for p in cluster.transport.processes)


def test_worker_fn_is_the_examples_task():
    # The example schemes share one picklable module-level worker function.
    assert UncodedMatVec.worker_fn is matvec_task and ReplicatedMatVec.worker_fn is matvec_task


# -- the `fastcode run` command -----------------------------------------------------

@pytest.mark.parametrize("scheme", ["uncoded", "replication"])
def test_cli_run_local(scheme, capsys):
    from fastcode.cli import main
    code = main(["run", scheme, "--workers", "4", "--rounds", "3", "--rows", "32", "--cols", "8",
                 "--straggler", "shifted-exp:1,2", "--time-scale", "0.01", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert '"wrong_rounds": 0' in out and '"rounds": 3' in out


def test_cli_run_reports_errors(capsys):
    from fastcode.cli import main
    code = main(["run", "replication", "--workers", "3", "--rounds", "1", "--rows", "8",
                 "--cols", "4", "--backend", "thread"])
    assert code == 2
    assert "r=2 must be an int dividing n=3" in capsys.readouterr().err
