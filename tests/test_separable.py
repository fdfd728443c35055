"""Distributed linearly separable computation (spec 04-coded-dmtl.md section 8)."""
import itertools
from fractions import Fraction

import numpy as np
import pytest

from fastcode import PrimeField
from fastcode.errors import (
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
    SingularMatrixError,
)
from fastcode.schemes.dmtl.placement import cyclic_placement, placement_from_sets
from fastcode.errors import LPError
from fastcode.schemes.dmtl.separable import (
    SeparableComputation,
    capped_separable_lp,
    cyclic_separable_assignment,
    heterogeneous_separable_design,
    kron_identity,
    separable_bounds,
)

BIG = PrimeField(2**31 - 1)
CHECKED = [(4, 2, 1), (4, 2, 2), (4, 2, 3), (4, 2, 4), (5, 3, 2), (5, 3, 3), (5, 3, 5), (6, 3, 4), (6, 4, 2)]


def test_cyclic_assignment():
    Z = cyclic_separable_assignment(4, 2)
    assert [np.flatnonzero(r).tolist() for r in Z] == [[0, 1, 2], [1, 2, 3], [0, 2, 3], [0, 1, 3]]
    Zg = cyclic_separable_assignment(3, 2, K=6)       # groups {0,1}, {2,3}, {4,5}
    assert [np.flatnonzero(r).tolist() for r in Zg] == [[0, 1, 2, 3], [2, 3, 4, 5], [0, 1, 4, 5]]
    with pytest.raises(InvalidArgumentError, match="K must be a multiple of N"):
        cyclic_separable_assignment(3, 2, K=4)
    with pytest.raises(InvalidArgumentError, match="N_r must be <= N"):
        cyclic_separable_assignment(3, 4)


@pytest.mark.parametrize("N, N_r, K_c", CHECKED)
def test_every_responder_set_decodes(N, N_r, K_c, rng):
    s = SeparableComputation(N, N_r, K_c, field=BIG, rng=rng)
    assert s.communication_cost() == max(N_r, K_c)
    assert s.M == N - N_r + 1
    B = 2 * s.P + 1                                   # padding exercised when P > 1
    W = BIG.random((N, B), rng)
    want = BIG.matmul(s.F, W)
    answers = {n: s.encode(n, W[s.datasets(n)]) for n in range(N)}
    assert all(a.shape == (s.t, -(-B // s.P)) for a in answers.values())
    for S in itertools.permutations(range(N), N_r):   # every subset, in every arrival order
        got = s.decode({n: answers[n] for n in S}, B=B)
        np.testing.assert_array_equal(got, want, err_msg=f"responders {S}")


@pytest.mark.parametrize("p", [17, 101, 257, 65537])
@pytest.mark.parametrize("N, N_r, K_c", CHECKED)
def test_small_primes_decode_every_responder_set(N, N_r, K_c, p, rng):
    """Issue 24: a random demand drawn by the scheme is redrawn with the design, so a
    small field only costs draws (100 are plenty from p = 17 on, see repro.dmtl.MIN_PRIME)."""
    field = PrimeField(p)
    s = SeparableComputation(N, N_r, K_c, field=field, rng=rng, max_tries=100)
    W = field.random((N, 2 * s.P), rng)
    want = field.matmul(s.F, W)
    answers = {n: s.encode(n, W[s.datasets(n)]) for n in range(N)}
    for S in itertools.combinations(range(N), N_r):
        np.testing.assert_array_equal(s.decode({n: answers[n] for n in S}, B=2 * s.P), want)


def test_given_demand_is_kept_and_exhaustion_names_the_field():
    F3 = PrimeField(3)
    F = np.ones((2, 6), dtype=np.uint32)          # rank 1: K_c = 2 rows never decodable
    with pytest.raises(SingularMatrixError, match=r"in 5 tries over PrimeField\(3\)"):
        SeparableComputation(6, 3, 2, F=F, field=F3, rng=0, max_tries=5)
    s = SeparableComputation(4, 2, 1, F=[[1, 2, 3, 4]], field=PrimeField(101), rng=0)
    assert s.F.tolist() == [[1, 2, 3, 4]]


def test_extra_responders_and_list_form(rng):
    s = SeparableComputation(5, 3, 2, field=BIG, rng=rng)
    W = BIG.random((5, 4), rng)
    ans = {n: s.encode(n, W[s.datasets(n)]) for n in (4, 1, 0, 2)}
    np.testing.assert_array_equal(s.decode(ans, B=4), BIG.matmul(s.F, W))
    order = [2, 0, 4]
    np.testing.assert_array_equal(s.decode([ans[n] for n in order], order, B=4), BIG.matmul(s.F, W))
    assert s.can_decode([4, 1, 0]) and not s.can_decode([4, 4, 1])


def test_kc1_is_tandons_gradient_code():
    """F = sum, G = [0, 1, -1]: worker answers are 1/2 g0 + g1, g1 - g2, 1/2 g0 + g2 up to scaling."""
    F7 = PrimeField(7)
    half = 4                                          # 1/2 in GF(7)
    s = SeparableComputation(3, 2, 1, F=[[1, 1, 1]], field=F7, G=[[0, 1, 6]])
    tandon = [[half, 1, 0], [0, 1, 6], [half, 0, 1]]
    for n in range(3):
        full = np.zeros(3, dtype=np.uint32)
        full[s.datasets(n)] = s.encoders[n][0]
        assert np.any(full)
        # proportional to Tandon's row: the 2 x 3 matrix [ours; Tandon's] has rank 1
        assert F7.rank(np.array([full, tandon[n]], dtype=np.uint32)) == 1, f"worker {n}: {full}"
    W = F7.random((3, 5), 0)
    for S in itertools.combinations(range(3), 2):
        got = s.decode({n: s.encode(n, W[s.datasets(n)]) for n in S})
        np.testing.assert_array_equal(got[0], W.astype(np.int64).sum(axis=0) % 7)


def test_errors(rng):
    s = SeparableComputation(4, 2, 1, field=BIG, rng=rng)
    with pytest.raises(NotEnoughShardsError, match="N_r=2"):
        s.decode({0: s.field.zeros((1, 3))})
    with pytest.raises(ShardSizeError, match="messages of worker 0"):
        s.encode(0, BIG.zeros((2, 3)))
    with pytest.raises(ShardSizeError, match="F must have shape"):
        SeparableComputation(4, 2, 2, F=BIG.zeros((2, 3)), field=BIG)
    with pytest.raises(InvalidArgumentError, match="K_c must be an integer >= 1"):
        SeparableComputation(4, 2, 0)
    with pytest.raises(InvalidArgumentError, match="responders"):
        s.decode({0: BIG.zeros((1, 3)), 7: BIG.zeros((1, 3))})


def test_kron_identity():
    F = BIG.asarray([[1, 2], [3, 4]])
    K = kron_identity(BIG, F, 2)
    np.testing.assert_array_equal(K, np.kron(F, np.eye(2, dtype=np.uint32)))


# ---- heterogeneous extension (section 8.4 table) ---------------------------------------

HET_TABLE = [
    (cyclic_placement(3, 2), ["3/2", "2", "3"], 2),
    (placement_from_sets([{0, 1, 2, 3}, {1, 2}, {3, 4}, {0, 2, 4}]), ["2", "5/2", "3", "4", "5"], 3),
    (placement_from_sets([{0, 1, 2}, {2, 3}, {3, 4, 5, 0}, {5, 1}, {0, 2, 4}]),
     ["2", "3", "7/2", "4", "5", "6"], 4),
]


@pytest.mark.parametrize("Z, bounds, meets_from", HET_TABLE, ids=["cyclic3", "het4x5", "het5x6"])
def test_heterogeneous_table(Z, bounds, meets_from, rng):
    K, N = Z.shape
    assert [separable_bounds(Z, K_c)[0] for K_c in range(1, N + 1)] == [Fraction(b) for b in bounds]
    for K_c in range(1, N + 1):
        F = BIG.random((K_c, N), rng)
        if K_c < meets_from:
            with pytest.raises(LPError):
                capped_separable_lp(Z, K_c)
            with pytest.raises(LPError, match="capped construction infeasible"):
                heterogeneous_separable_design(Z, F, BIG, rng)
            continue
        d = heterogeneous_separable_design(Z, F, BIG, rng)
        assert d.meets_bound and d.load() == Fraction(bounds[K_c - 1])
        np.testing.assert_array_equal(BIG.matmul(d.A, d.U), kron_identity(BIG, F, d.P))
        V = BIG.random((N, 7), rng)
        X = [d.encode(j, V[np.flatnonzero(Z[j])]) for j in range(K)]
        np.testing.assert_array_equal(d.decode(X, 7), BIG.matmul(F, V))


def test_heterogeneous_zero_pattern(rng):
    Z = placement_from_sets([{0, 1, 2}, {2, 3}, {3, 4, 5, 0}, {5, 1}, {0, 2, 4}])
    d = heterogeneous_separable_design(Z, BIG.random((5, 6), rng), BIG, rng)
    for j in range(Z.shape[0]):
        rows = d.U[d.offsets[j]:d.offsets[j + 1]]
        missing = np.flatnonzero(~Z[j])
        assert not np.any(rows.reshape(rows.shape[0], 6, d.P)[:, missing])


def test_heterogeneous_shape_mismatch():
    with pytest.raises(ShardSizeError, match="F must have shape"):
        heterogeneous_separable_design(cyclic_placement(3, 2), BIG.zeros((2, 4)), BIG)
    with pytest.raises(InvalidArgumentError, match="stored by no worker"):
        separable_bounds([[1, 0], [1, 0]], 1)
