"""Coded-DMTL placements and lower bounds (spec 04-coded-dmtl.md sections 2, 4, 7)."""
import itertools
from fractions import Fraction

import numpy as np
import pytest

from fastcode.errors import InvalidArgumentError
from fastcode.schemes.dmtl.bounds import (
    baseline_loads,
    closed_form_uplink,
    cut_set_constraints,
    cyclic_bounds,
    dmtl_bounds,
    man_bounds,
    uplink_lp,
)
from fastcode.schemes.dmtl.placement import (
    as_placement,
    cyclic_placement,
    holders,
    man_placement,
    placement_from_sets,
    placement_sets,
    random_placement,
)

HET4 = [{0, 1, 2, 3}, {1, 2}, {3, 4}, {0, 2, 4}]
HET5 = [{0, 1, 2}, {2, 3}, {3, 4, 5, 0}, {5, 1}, {0, 2, 4}]

# spec section 7: (placement, LP R_u*, sum miss / (K-1), R_d*)
TABLE = [
    ("cyclic 3 2", cyclic_placement(3, 2), Fraction(3, 2), Fraction(3, 2), 1),
    ("cyclic 4 2", cyclic_placement(4, 2), Fraction(8, 3), Fraction(8, 3), 2),
    ("cyclic 5 3", cyclic_placement(5, 3), Fraction(5, 2), Fraction(5, 2), 2),
    ("cyclic 6 2", cyclic_placement(6, 2), Fraction(24, 5), Fraction(24, 5), 4),
    ("MAN 4 2", man_placement(4, 2), Fraction(4), Fraction(4), 3),
    ("het 4x5", placement_from_sets(HET4), Fraction(3), Fraction(3), 3),
    ("het 5x6", placement_from_sets(HET5), Fraction(4), Fraction(4), 4),
]


def brute_force_constraints(Z):
    """Every non-empty proper S with its |E_S| (no pruning): the definition of (LB-u)."""
    K = Z.shape[0]
    hold = holders(Z)
    out = []
    for size in range(1, K):
        for S in itertools.combinations(range(K), size):
            E = sum(1 for h in hold if set(h) <= set(S))
            out.append((S, E))
    return out


def satisfies(rates, constraints):
    return all(sum(rates[j] for j in S) >= e for S, e in constraints)


# ---- placements -------------------------------------------------------------------

def test_cyclic_placement_sets():
    assert placement_sets(cyclic_placement(3, 2)) == [(0, 1), (1, 2), (0, 2)]
    Z = cyclic_placement(6, 3)
    assert Z.sum(axis=0).tolist() == [3] * 6 and Z.sum(axis=1).tolist() == [3] * 6


def test_man_placement_shape_and_loads():
    Z = man_placement(5, 2, eta=2)
    assert Z.shape == (5, 20)
    assert Z.sum(axis=1).tolist() == [20 * 2 // 5] * 5      # m_k = N r / K
    assert Z.sum(axis=0).tolist() == [2] * 20
    # the first block (workers {0, 1}) holds datasets 0 and 1
    assert holders(Z)[0] == (0, 1) and holders(Z)[1] == (0, 1)


def test_random_placement_is_valid(rng):
    for _ in range(20):
        Z = random_placement(5, 7, rng)
        as_placement(Z)
        assert not Z.all(axis=1).any()


@pytest.mark.parametrize("Z, match", [
    ([[1, 0, 0], [1, 1, 0]], "dataset.*2.*stored by no worker"),
    ([[1, 1, 1], [0, 0, 0]], "worker.*1.*empty worker"),
    ([1, 0, 1], "2-D"),
    ([[1, 2], [0, 1]], "0/1"),
    (np.zeros((0, 3)), "at least one worker"),
])
def test_bad_placements_raise(Z, match):
    with pytest.raises(InvalidArgumentError, match=match):
        as_placement(Z)
    with pytest.raises(ValueError):          # InvalidArgumentError is a ValueError
        dmtl_bounds(Z)


def test_bad_constructor_arguments():
    with pytest.raises(InvalidArgumentError, match="M must be <= K"):
        cyclic_placement(3, 4)
    with pytest.raises(InvalidArgumentError, match="K must be an integer >= 1"):
        cyclic_placement(0, 1)
    with pytest.raises(InvalidArgumentError, match="r must be <= K"):
        man_placement(3, 4)
    with pytest.raises(InvalidArgumentError, match=r"sets\[1\].*outside"):
        placement_from_sets([{0}, {5}], N=3)
    with pytest.raises(InvalidArgumentError, match="stored by no worker"):
        placement_from_sets([{0}, {2}])
    with pytest.raises(InvalidArgumentError, match="demands must have one set per worker"):
        dmtl_bounds(cyclic_placement(3, 2), demands=[{2}])
    with pytest.raises(InvalidArgumentError, match="stores"):
        dmtl_bounds(cyclic_placement(3, 2), demands=[{0}, {0}, {1}])


# ---- bounds -------------------------------------------------------------------------

@pytest.mark.parametrize("name, Z, lp, relax, down", TABLE, ids=[t[0] for t in TABLE])
def test_reference_table(name, Z, lp, relax, down):
    b = dmtl_bounds(Z)
    assert b.lp_uplink == lp
    assert b.downlink == down
    assert b.lp_exact
    miss = Z.shape[1] - Z.sum(axis=1)
    assert Fraction(int(miss.sum()), Z.shape[0] - 1) == relax
    assert b.closed_form_uplink == max(relax, down)
    assert sum(b.lp_rates) == lp
    assert satisfies(b.lp_rates, brute_force_constraints(Z))


def test_closed_form_lp_gap_example():
    Z = placement_from_sets([{0, 1, 2}, {0}, {3}])
    assert closed_form_uplink(Z) == Fraction(7, 2)
    assert dmtl_bounds(Z).lp_uplink == 4


@pytest.mark.parametrize("K, M", [(3, 2), (4, 2), (5, 3), (6, 3), (8, 4), (6, 2), (7, 1), (5, 5)])
def test_cyclic_closed_form_equals_lp(K, M):
    Z = cyclic_placement(K, M)
    R_u, R_d = cyclic_bounds(K, M)
    b = dmtl_bounds(Z)
    assert (b.lp_uplink, b.downlink) == (R_u, R_d)
    # the balanced optimum is the symmetric point (K - M) / (K - 1)
    assert list(b.lp_rates) == [Fraction(K - M, K - 1)] * K


@pytest.mark.parametrize("K, r, eta", [(4, 2, 1), (5, 2, 1), (5, 3, 1), (4, 1, 2), (6, 3, 1)])
def test_man_closed_form_equals_lp(K, r, eta):
    Z = man_placement(K, r, eta)
    R_u, R_d = man_bounds(K, r, eta)
    b = dmtl_bounds(Z)
    assert (b.lp_uplink, b.downlink) == (R_u, R_d)
    N = Z.shape[1]
    assert R_u / N == Fraction(K - r, K - 1) and R_d / N == 1 - Fraction(r, K)


def test_lp_equals_brute_force_lp_on_random_placements(rng):
    """The pruned constraint family gives the same optimum as every S (the definition)."""
    from scipy.optimize import linprog
    for _ in range(15):
        K, N = int(rng.integers(2, 7)), int(rng.integers(2, 8))
        Z = random_placement(K, N, rng, density=float(rng.uniform(0.2, 0.7)))
        cons = brute_force_constraints(Z)
        A = np.array([[1.0 if j in S else 0.0 for j in range(K)] for S, _ in cons])
        b = np.array([e for _, e in cons], dtype=float)
        ref = linprog(np.ones(K), A_ub=-A, b_ub=-b, bounds=[(0, None)] * K).fun
        value, rates, exact = uplink_lp(Z)
        assert exact and abs(float(value) - ref) < 1e-9
        assert satisfies(rates, cons) and sum(rates) == value
        assert value >= closed_form_uplink(Z)


def test_relaxed_constraint_family_is_weaker_but_valid():
    Z = placement_from_sets([{0, 1, 2}, {0}, {3}])
    cons, exact = cut_set_constraints(Z, exhaustive_max_k=2)
    assert not exact
    value, _, exact = uplink_lp(Z, exhaustive_max_k=2)
    assert not exact and value <= 4
    assert dmtl_bounds(Z, exhaustive_max_k=2).lp_exact is False


def test_demands_restrict_the_cut_set():
    Z = cyclic_placement(3, 2)
    # nobody wants anything: no constraint, no load
    value, rates, _ = uplink_lp(Z, demands=[set(), set(), set()])
    assert value == 0
    # only worker 0 wants dataset 2 (held by workers 1 and 2): one value uplinked in total
    assert uplink_lp(Z, demands=[{2}, set(), set()])[0] == 1


def test_baselines_cyclic_3_2():
    base = baseline_loads(cyclic_placement(3, 2))
    assert base["uncoded"] == (3, 3)
    assert base["server_mds"] == (3, 1)
    # a dataset every worker stores is never forwarded by the uncoded baseline
    base = baseline_loads(placement_from_sets([{0, 1}, {0, 2}]))
    assert base["uncoded"] == (3, 2)
