"""Coded-DMTL scheme: design, encode/relay/decode, GF(7) example (spec 04-coded-dmtl.md sections 3-7)."""
from fractions import Fraction

import numpy as np
import pytest

from fastcode import PrimeField
from fastcode.errors import InvalidArgumentError, ShardSizeError, SingularMatrixError
from fastcode.schemes.dmtl import DMTLScheme, gf7_example, merge_values, split_values
from fastcode.schemes.dmtl.bounds import dmtl_bounds
from fastcode.schemes.dmtl.placement import (
    cyclic_placement,
    man_placement,
    placement_from_sets,
    random_placement,
)

F7 = PrimeField(7)
BIG = PrimeField(2**31 - 1)
HET4 = [{0, 1, 2, 3}, {1, 2}, {3, 4}, {0, 2, 4}]
HET5 = [{0, 1, 2}, {2, 3}, {3, 4, 5, 0}, {5, 1}, {0, 2, 4}]


def check_exact(scheme, values, two_stage=False):
    _, _, decoded = scheme.run_iteration(values, two_stage=two_stage)
    for k, dec in enumerate(decoded):
        np.testing.assert_array_equal(dec, values[scheme.wanted(k)], err_msg=f"worker {k}")


# ---- the worked example over GF(7) (section 6) --------------------------------------

def all_gf7_assignments():
    """Every (v_0^a, v_0^b, v_1^a, v_1^b, v_2^a, v_2^b) in GF(7)^6, one per column: (6, 7^6)."""
    grid = np.indices((7,) * 6).reshape(6, -1)
    return grid.astype(np.uint32)


def test_gf7_example_matrices():
    s = gf7_example()
    assert (s.P, s.T, s.T_d) == (2, (1, 1, 1), 2)
    assert s.loads() == (Fraction(3, 2), 1)
    np.testing.assert_array_equal(s.A, [[1, 1, 1], [1, 2, 3]])
    # X_0 = v_0^a + v_1^b, X_1 = v_1^a + v_2^b, X_2 = v_2^a + v_0^b (columns v_n^a = 2n, v_n^b = 2n+1)
    np.testing.assert_array_equal(s.U, [[1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 1], [0, 1, 0, 0, 1, 0]])
    # the determinants of the three 2x2 systems the workers solve
    assert [F7.det(s.A[:, [1, 2]]), F7.det(s.A[:, [0, 2]]), F7.det(s.A[:, [0, 1]])] == [1, 2, 1]
    assert all(s.supports_two_stage(k) for k in range(3))
    total = sum(s.loads())
    assert total == Fraction(5, 2)
    assert sum(s.baselines()["server_mds"]) == 4 and sum(s.baselines()["uncoded"]) == 6


def test_gf7_example_exhaustive():
    """Every one of the 7^6 value assignments is decoded exactly by every worker, both decoders."""
    s = gf7_example()
    sub = all_gf7_assignments()                 # (N P, L) sub-values, L = 7^6 columns
    L = sub.shape[1]
    values = merge_values(sub, 2, 2 * L)        # (3, B) with B = 2 L: v_n = [v_n^a..., v_n^b...]
    np.testing.assert_array_equal(split_values(values, 2), sub)
    X, Y, _ = s.run_iteration(values)
    a, b = sub[0::2].astype(np.int64), sub[1::2].astype(np.int64)
    np.testing.assert_array_equal(X[0][0], (a[0] + b[1]) % 7)
    np.testing.assert_array_equal(X[1][0], (a[1] + b[2]) % 7)
    np.testing.assert_array_equal(X[2][0], (a[2] + b[0]) % 7)
    x = np.stack([X[0][0], X[1][0], X[2][0]]).astype(np.int64)
    np.testing.assert_array_equal(Y, np.stack([x.sum(0) % 7, (x[0] + 2 * x[1] + 3 * x[2]) % 7]))
    check_exact(s, values)
    check_exact(s, values, two_stage=True)


def test_gf7_example_worker0_by_hand():
    """Worker 0 solves [[1,1],[2,3]] [X_1; X_2] = [Y_0 - X_0; Y_1 - X_0], then back-substitutes."""
    s = gf7_example()
    v = np.array([[3, 5], [6, 1], [2, 4]], dtype=np.uint32)  # v_n = (v_n^a, v_n^b), B = 2, L = 1
    X, Y, dec = s.run_iteration(v)
    X0 = (3 + 1) % 7
    rhs = np.array([(int(Y[0, 0]) - X0) % 7, (int(Y[1, 0]) - X0) % 7])
    X1, X2 = F7.solve(np.array([[1, 1], [2, 3]]), rhs)
    assert (X1, X2) == (X[1][0, 0], X[2][0, 0])
    v2b, v2a = (int(X1) - 6) % 7, (int(X2) - 5) % 7      # v_2^b = X_1 - v_1^a, v_2^a = X_2 - v_0^b
    assert [v2a, v2b] == [2, 4] == dec[0][0].tolist()


# ---- designed schemes meet the bounds --------------------------------------------------

PLACEMENTS = {
    "cyclic 3 2": cyclic_placement(3, 2),
    "cyclic 4 2": cyclic_placement(4, 2),
    "cyclic 5 3": cyclic_placement(5, 3),
    "cyclic 6 3": cyclic_placement(6, 3),
    "cyclic 8 4": cyclic_placement(8, 4),
    "cyclic 6 2": cyclic_placement(6, 2),
    "MAN 4 2": man_placement(4, 2),
    "MAN 5 2": man_placement(5, 2),
    "het 4x5": placement_from_sets(HET4),
    "het 5x6": placement_from_sets(HET5),
    "gap 3x4": placement_from_sets([{0, 1, 2}, {0}, {3}]),
}


@pytest.mark.parametrize("name", list(PLACEMENTS))
def test_design_meets_bounds_and_decodes(name, rng):
    Z = PLACEMENTS[name]
    s = DMTLScheme.design(Z, BIG, rng)
    b = dmtl_bounds(Z)
    assert s.loads() == (b.lp_uplink, b.downlink)
    assert sum(s.worker_uplink_loads()) == b.lp_uplink
    assert s.P == max(1, s.P) and all(t == r * s.P for t, r in zip(s.T, b.lp_rates))
    values = BIG.random((s.N, 3 * s.P + 1), rng)     # B not a multiple of P: zero padding
    check_exact(s, values)
    if name.startswith("cyclic"):
        assert all(s.supports_two_stage(k) for k in range(s.K))
        check_exact(s, values, two_stage=True)


def test_cyclic_rates_and_subpacketisation(rng):
    s = DMTLScheme.design(cyclic_placement(8, 4), BIG, rng)
    assert s.P == 7 // np.gcd(7, 4) and s.T == (4,) * 8 and s.T_d == 28


def test_random_placements_decode_exactly(rng):
    for trial in range(12):
        K, N = int(rng.integers(2, 7)), int(rng.integers(2, 8))
        Z = random_placement(K, N, rng, density=float(rng.uniform(0.25, 0.75)))
        s = DMTLScheme.design(Z, BIG, rng)
        b = dmtl_bounds(Z)
        assert s.loads() == (b.lp_uplink, b.downlink), f"trial {trial}: Z={Z.astype(int).tolist()}"
        for B in (1, 5):
            check_exact(s, BIG.random((N, B), rng))


def test_smaller_prime_uses_las_vegas(rng):
    """GF(101) is too small for a Cauchy A of this size: random A, redraws until (R1) holds."""
    F = PrimeField(101)
    s = DMTLScheme.design(cyclic_placement(8, 4), F, rng)
    check_exact(s, F.random((8, 9), rng))


def test_general_demands_with_interference(rng):
    Z = cyclic_placement(5, 2)
    demands = [{2}, {4}, {0, 1}, set(), {1, 2, 3}]
    s = DMTLScheme.design(Z, BIG, rng, demands=demands)
    assert [s.wanted(k).tolist() for k in range(5)] == [sorted(d) for d in demands]
    check_exact(s, BIG.random((5, 4), rng))
    # the demand LP is a lower bound; the design never needs more than the full-demand loads
    assert dmtl_bounds(Z, demands).lp_uplink <= s.loads()[0] <= dmtl_bounds(Z).lp_uplink


def test_demands_without_interference_meet_demand_bound(rng):
    # worker k wants only dataset k+2 (mod 4); every dataset k lacks is wanted, so no interference
    Z = cyclic_placement(4, 3)
    demands = [{3}, {0}, {1}, {2}]
    s = DMTLScheme.design(Z, BIG, rng, demands=demands)
    b = dmtl_bounds(Z, demands)
    assert s.loads() == (b.lp_uplink, b.downlink)
    check_exact(s, BIG.random((4, 3), rng))


def test_explicit_rates(rng):
    Z = cyclic_placement(3, 2)
    s = DMTLScheme.design(Z, BIG, rng, rates=[1, 1, 0])   # also feasible, unbalanced
    assert s.P == 1 and s.T == (1, 1, 0)
    check_exact(s, BIG.random((3, 4), rng))


# ---- errors -------------------------------------------------------------------------------

def test_zero_pattern_violation_raises():
    s = gf7_example()
    U = s.U.copy()
    U[0, 4] = 1          # worker 0 does not store dataset 2
    with pytest.raises(InvalidArgumentError, match="zero pattern.*worker 0"):
        DMTLScheme(s.Z, U, s.A, 2, [1, 1, 1], F7)


def test_shape_mismatches_raise():
    s = gf7_example()
    with pytest.raises(ShardSizeError, match="U must have shape"):
        DMTLScheme(s.Z, s.U[:, :4], s.A, 2, [1, 1, 1], F7)
    with pytest.raises(ShardSizeError, match="A must have shape"):
        DMTLScheme(s.Z, s.U, s.A[:, :2], 2, [1, 1, 1], F7)
    with pytest.raises(InvalidArgumentError, match="T must hold 3"):
        DMTLScheme(s.Z, s.U, s.A, 2, [1, 2], F7)
    with pytest.raises(ShardSizeError, match="own_values of worker 1"):
        s.encode(1, np.zeros((3, 4), dtype=np.uint32))
    with pytest.raises(ShardSizeError, match="Y must have shape"):
        s.decode(0, np.zeros((2, 3), dtype=np.uint32), np.zeros((2, 4), dtype=np.uint32))
    with pytest.raises(ShardSizeError, match="X must hold 3"):
        s.server_combine([np.zeros((1, 2), dtype=np.uint32)])
    with pytest.raises(ShardSizeError, match="values must have shape"):
        s.run_iteration(np.zeros((2, 4), dtype=np.uint32))


def test_bad_placement_in_design():
    with pytest.raises(InvalidArgumentError, match="stored by no worker"):
        DMTLScheme.design([[1, 0, 0], [1, 1, 0]])
    with pytest.raises(InvalidArgumentError, match="empty worker"):
        DMTLScheme.design([[1, 1], [0, 0]])


def test_undecodable_design_names_the_worker():
    s = gf7_example()
    U = s.U.copy()
    U[1] = 0             # worker 1 sends nothing useful: workers 0 and 2 lose v_2^b, v_1^a
    with pytest.raises(SingularMatrixError, match="worker 0 cannot decode"):
        DMTLScheme(s.Z, U, s.A, 2, [1, 1, 1], F7)


def test_two_stage_refused_when_not_symmetric(rng):
    s = DMTLScheme.design(placement_from_sets(HET4), BIG, rng)
    k = next(k for k in range(s.K) if not s.supports_two_stage(k))
    with pytest.raises(InvalidArgumentError, match="two-stage"):
        s.decode_two_stage(k, s.field.zeros((s.T_d, 1)), s.field.zeros((int(s.Z[k].sum()), 1)))


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_training_on_the_local_runtime_matches_the_centralised_run(backend):
    from fastcode.schemes.dmtl.training import (DMTLTraining, make_mtl_job, reference_training,
                                              run_on_cluster)
    from fastcode.runtime import LocalCluster
    from fastcode.schemes.dmtl.placement import cyclic_placement
    from fastcode.sim import ShiftedExponential

    job = make_mtl_job(4, d=24, rng=5)
    scheme = DMTLTraining(cyclic_placement(4, 2), rng=5)
    with LocalCluster(4, ShiftedExponential(2.0, shift=1.0), backend=backend,
                      time_scale=0.001, rng=2) as cluster:
        out = run_on_cluster(cluster, scheme, job, 6)
    assert out["models"].shape == job.W0.shape
    assert np.array_equal(out["models"], reference_training(job, 6))
    assert len(out["round_times"]) == 6
