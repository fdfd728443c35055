"""Real-clock checks of the local runtime, with wide bounds: how closely measured
round latencies follow the injected delays.  They depend on how loaded the machine
is, so they are marked slow (``pytest -m slow``); the default suite checks the same
behaviour through orderings and lower bounds only (a sleep never ends early)."""
import numpy as np
import pytest

from fastcode.runtime import LocalCluster
from fastcode.sim import ShiftedExponential
from runtime_doubles import FixedDelays, ReplicatedMatVec, UncodedMatVec

pytestmark = pytest.mark.slow


def _matrix(rows, cols):
    return np.random.default_rng(0).integers(-4, 5, (rows, cols)).astype(np.float64)


def test_measured_latency_tracks_the_model():
    model = ShiftedExponential(2.0, shift=1.0)
    with LocalCluster(8, model, time_scale=0.05, rng=3, timeout=10) as cluster:
        cluster.setup(ReplicatedMatVec(8, 2), _matrix(64, 16))
        results = [cluster.run_round(np.ones(16)) for _ in range(12)]
    measured = np.mean([r.wall_time for r in results])
    ideal = np.mean([r.ideal_time for r in results])
    assert measured == pytest.approx(ideal, rel=0.5, abs=0.01)


def test_round_ends_near_the_deciding_delay():
    A = _matrix(40, 16)
    x = np.ones(16)
    with LocalCluster(4, FixedDelays([0.05, 0.05, 0.05, 0.8]), timeout=10) as cluster:
        cluster.setup(ReplicatedMatVec(4, 2), A)
        assert 0.05 <= cluster.run_round(x).wall_time < 0.4
        cluster.setup(UncodedMatVec(4), A)
        assert 0.8 <= cluster.run_round(x).wall_time < 1.5
