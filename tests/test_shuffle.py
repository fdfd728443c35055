"""Coded shuffling (fastcode.schemes.shuffle)."""
import itertools

import numpy as np
import pytest

from fastcode import GF256, PrimeField, Reals
from fastcode.cli import main
from fastcode.errors import InvalidArgumentError, ShardSizeError
from fastcode.schemes.shuffle import (
    CodedShuffle,
    UncodedShuffle,
    coded_load,
    independent_caches,
    random_blocks,
    realistic_caches,
    shuffle_gain,
    uncoded_load,
)


@pytest.mark.parametrize("n, s, unc, cod, gain", [
    (10, 0.1, 0.900, 0.5862, 1.535), (10, 0.2, 0.800, 0.3571, 2.241), (10, 0.5, 0.500, 0.0999, 5.005),
    (25, 0.2, 0.800, 0.1594, 5.019), (25, 0.5, 0.500, 0.0400, 12.50)])
def test_oracle_table_3(n, s, unc, cod, gain):
    assert uncoded_load(s) == pytest.approx(unc, abs=5e-4)
    assert coded_load(n, s) == pytest.approx(cod, abs=5e-5)
    assert shuffle_gain(n, s) == pytest.approx(gain, rel=1e-3)


def test_two_worker_example():
    """Worker 0 needs X = rows {0, 1} and caches row 2 of Y; worker 1 needs Y = rows
    {2, 3} and caches row 0 of X: one multicast X[0] + Y[2] serves both."""
    caches = np.array([[False, False, True, False], [True, False, False, False]])
    demands = [np.array([0, 1]), np.array([2, 3])]
    plan = CodedShuffle(2, GF256).plan(caches, demands)
    shared = [m for m in plan.multicasts if m.recipients == (0, 1)]
    assert len(shared) == 1 and shared[0].length == 1
    assert {k: v.tolist() for k, v in shared[0].pieces.items()} == {0: [0], 1: [2]}
    assert plan.rows_sent == 3
    assert UncodedShuffle(2).plan(caches, demands).rows_sent == 4
    data = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], dtype=np.uint8)
    msgs = CodedShuffle(2, GF256).encode(data, plan)
    assert np.array_equal(msgs[plan.multicasts.index(shared[0])], data[[0]] ^ data[[2]])   # XOR


def _brute_force_rows_sent(caches, demands):
    """sum over S of max_i |X_{i, S - i}| by direct enumeration of the sets."""
    n = caches.shape[0]
    total = 0
    for t in range(1, n + 1):
        for S in itertools.combinations(range(n), t):
            longest = 0
            for i in S:
                others = [j for j in range(n) if j != i]
                want = set(S) - {i}
                size = sum(1 for r in demands[i]
                           if not caches[i, r] and {j for j in others if caches[j, r]} == want)
                longest = max(longest, size)
            total += longest
    return total


@pytest.mark.parametrize("field", [GF256, Reals, PrimeField(65537)])
@pytest.mark.parametrize("model", ["independent", "realistic"])
def test_every_worker_recovers_its_block(field, model):
    n, rpb = 5, 40
    rng = np.random.default_rng(1)
    current, new = random_blocks(n, rpb, rng), list(random_blocks(n, rpb, rng))
    N = n * rpb
    caches = (independent_caches(n, N, 0.4, rng) if model == "independent"
              else realistic_caches(current, N, 0.4, rng))
    data = field.random((N, 6), rng)
    cs = CodedShuffle(n, field)
    plan = cs.plan(caches, new)
    msgs = cs.encode(data, plan)
    # what is transmitted is what is counted, and what the definition gives
    assert sum(m.shape[0] for m in msgs) == plan.rows_sent == _brute_force_rows_sent(caches, new)
    for i in range(n):
        rows = np.flatnonzero(caches[i])
        got = cs.decode_at(i, plan, msgs, rows, data[rows])
        if field == Reals:
            assert np.allclose(got, data[new[i]], rtol=0, atol=1e-12)
        else:
            assert np.array_equal(got, data[new[i]])


def test_decode_reads_only_its_own_cache():
    n, rpb = 4, 30
    rng = np.random.default_rng(2)
    new = list(random_blocks(n, rpb, rng))
    caches = independent_caches(n, n * rpb, 0.5, rng)
    data = GF256.random((n * rpb, 3), rng)
    cs = CodedShuffle(n, GF256)
    plan = cs.plan(caches, new)
    msgs = cs.encode(data, plan)
    rows = np.flatnonzero(caches[0])
    garbage = data.copy()
    garbage[~caches[0]] = 0                                  # rows it does not hold are unknown
    assert np.array_equal(cs.decode_at(0, plan, msgs, rows, garbage[rows]), data[new[0]])


def test_uncoded_baseline_counts_missing_rows():
    n, rpb = 6, 100
    rng = np.random.default_rng(3)
    new = list(random_blocks(n, rpb, rng))
    caches = independent_caches(n, n * rpb, 0.3, rng)
    plan = UncodedShuffle(n).plan(caches, new)
    assert plan.rows_sent == sum(int((~caches[i, new[i]]).sum()) for i in range(n))
    data = Reals.random((n * rpb, 2), rng)
    msgs = UncodedShuffle(n, Reals).encode(data, plan)
    for i in range(n):
        rows = np.flatnonzero(caches[i])
        assert np.array_equal(UncodedShuffle(n, Reals).decode_at(i, plan, msgs, rows, data[rows]),
                              data[new[i]])


def test_load_converges_to_formula_independent_caching():
    # large blocks and few workers: every piece is long, so max ~ mean
    n, s, rpb = 3, 0.5, 40000
    rng = np.random.default_rng(4)
    loads = [CodedShuffle(n).plan(independent_caches(n, n * rpb, s, rng),
                                  list(random_blocks(n, rpb, rng))).load for _ in range(3)]
    assert np.mean(loads) == pytest.approx(coded_load(n, s), rel=0.01)


def test_bad_inputs():
    cs = CodedShuffle(3)
    caches = np.zeros((3, 6), dtype=bool)
    demands = [np.array([0, 1]), np.array([2, 3]), np.array([4, 5])]
    with pytest.raises(ShardSizeError):
        cs.plan(caches[:2], demands)
    with pytest.raises(ShardSizeError):
        cs.plan(caches.astype(int), demands)
    with pytest.raises(InvalidArgumentError):
        cs.plan(caches, [np.array([0, 0]), demands[1], demands[2]])       # duplicate rows
    with pytest.raises(InvalidArgumentError):
        cs.plan(caches, [np.array([0, 9]), demands[1], demands[2]])       # row out of range
    with pytest.raises(InvalidArgumentError):
        coded_load(10, 0.0)
    with pytest.raises(InvalidArgumentError):
        CodedShuffle(0)
    plan = cs.plan(caches, demands)
    with pytest.raises(ShardSizeError):
        cs.encode(np.zeros((5, 2), dtype=np.uint8), plan)


def test_cli_simulate_shuffle(capsys):
    assert main(["simulate", "shuffle", "--rows-per-block", "30", "--trials", "1"]) == 0
    out = capsys.readouterr().out
    assert "0.5862" in out and "12.500" in out and "realistic" in out
