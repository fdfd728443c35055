"""Coded matrix-vector / matrix-matrix schemes (fastcode.schemes.matvec)."""
import itertools
import pickle

import numpy as np
import pytest

from fastcode import GF256, PrimeField, Reals
from fastcode.codes import MDSCode
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.schemes.matvec import (
    CodedMatMul,
    CodedMatVec,
    ReplicatedMatVec,
    UncodedMatVec,
    block_product,
    real_mds_code,
)

F = PrimeField(65537)
EPS = np.finfo(np.float64).eps


def _run(scheme, x, responders):
    return scheme.decode({i: scheme.compute(i, x) for i in responders}, x)


# ---- exact decoding over finite fields -------------------------------------------------------

@pytest.mark.parametrize("field", [F, PrimeField(257), GF256])
def test_every_responder_set_exact(field):
    n, k = 6, 4
    rng = np.random.default_rng(1)
    A = field.random((23, 9), rng)                  # 23 rows: k does not divide them
    x = field.random(9, rng)
    want = field.matmul(A, x)
    s = CodedMatVec(A, n, k, field=field)
    for S in itertools.permutations(range(n), k):
        assert np.array_equal(_run(s, x, S), want), S


def test_vandermonde_kind_and_from_code():
    rng = np.random.default_rng(2)
    A, x = F.random((12, 5), rng), F.random(5, rng)
    for s in (CodedMatVec(A, 5, 3, field=F, kind="vandermonde"),
              CodedMatVec.from_code(A, MDSCode(5, 3, F, kind="cauchy"))):
        for S in itertools.combinations(range(5), 3):
            assert np.array_equal(_run(s, x, S), F.matmul(A, x))


def test_more_than_k_results_any_order():
    rng = np.random.default_rng(3)
    A, x = F.random((16, 7), rng), F.random(7, rng)
    s = CodedMatVec(A, 7, 4, field=F)
    assert np.array_equal(_run(s, x, [6, 0, 5, 2, 4, 1]), F.matmul(A, x))


# ---- reals: error bounded by the condition number ------------------------------------------------

def test_real_code_error_bound_all_sets():
    n, k = 8, 5
    rng = np.random.default_rng(4)
    A, x = rng.standard_normal((40, 30)), rng.standard_normal(30)
    want = A @ x
    s = CodedMatVec(A, n, k)
    G = s.code.G
    for S in itertools.combinations(range(n), k):
        err = np.linalg.norm(_run(s, x, S) - want) / np.linalg.norm(want)
        assert err <= 100 * np.linalg.cond(G[list(S)]) * EPS, (S, err)


def test_real_default_code_is_well_conditioned():
    # the systematic Cauchy code over the reals is ~1e8 at (20, 16); the default must stay small
    from fastcode.matrices_real import condition_numbers
    code = real_mds_code(20, 16)
    worst = condition_numbers(code.G.T, 16).worst
    assert worst < 1e5
    cauchy = condition_numbers(MDSCode(20, 16, Reals).G.T, 16).worst
    assert worst < cauchy / 100


def test_real_20_16_sampled_sets():
    rng = np.random.default_rng(5)
    A, x = rng.standard_normal((100, 64)), rng.standard_normal(64)
    s = CodedMatVec(A, 20, 16)
    for _ in range(30):
        S = rng.permutation(20)[:16]
        y = _run(s, x, S)
        assert np.linalg.norm(y - A @ x) / np.linalg.norm(A @ x) < 1e-10


# ---- fast path, padding, transpose, matrices ---------------------------------------------------------

def test_systematic_fast_path_is_a_concatenation():
    rng = np.random.default_rng(6)
    A, x = rng.standard_normal((30, 11)), rng.standard_normal(11)
    s = CodedMatVec(A, 6, 4)
    results = {i: s.compute(i, x) for i in [5, 3, 1, 0, 2]}
    before = s.code.cache_info
    y = s.decode(results)
    assert s.code.cache_info == before                  # no decoder prepared or even looked up
    # exactly the systematic workers' own numbers: no arithmetic on them
    assert np.array_equal(y, np.concatenate([results[i] for i in range(4)])[:30])


def test_repeated_rounds_reuse_encoding_and_decoder():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((20, 8))
    s = CodedMatVec(A, 6, 4)
    tasks = s.encode()
    assert s.setup_tasks(A) is tasks and s.encode() is tasks
    first = None
    for r in range(3):
        x = rng.standard_normal(8)
        assert np.allclose(_run(s, x, [5, 4, 1, 2]), A @ x)
        assert np.allclose(_run(s, x, [2, 1, 4, 5]), A @ x)       # same pattern, other order
        first = first or s.code.cache_info
    assert s.code.cache_info == first                           # prepared once for all rounds


def test_padding_shapes():
    rng = np.random.default_rng(8)
    A, x = rng.standard_normal((10, 3)), rng.standard_normal(3)
    s = CodedMatVec(A, 5, 4)                  # 10 rows, k = 4: blocks of 3 rows, 2 rows of padding
    assert s.block_rows == 3
    assert s.compute(0, x).shape == (3,)
    assert np.allclose(_run(s, x, [4, 3, 2, 1]), A @ x)


def test_transpose():
    rng = np.random.default_rng(9)
    A = F.random((13, 10), rng)
    z = F.random(13, rng)
    s = CodedMatVec(A, 6, 4, field=F, transpose=True)
    want = F.matmul(np.ascontiguousarray(A.T), z)
    for S in itertools.combinations(range(6), 4):
        assert np.array_equal(_run(s, z, S), want)
    with pytest.raises(ShardSizeError):
        s.compute(0, F.random(10, rng))        # A^T x needs x of length rows(A)


def test_matmul_variant():
    rng = np.random.default_rng(10)
    A, X = rng.standard_normal((17, 6)), rng.standard_normal((6, 3))
    s = CodedMatMul(A, 6, 4)
    assert s.compute(5, X).shape == (5, 3)
    assert np.allclose(_run(s, X, [5, 4, 0, 2]), A @ X)
    with pytest.raises(ShardSizeError):
        s.compute(0, X[:, 0])                  # CodedMatMul takes matrices
    with pytest.raises(ShardSizeError):
        CodedMatVec(A, 6, 4).compute(0, X)     # CodedMatVec takes vectors


# ---- baselines ------------------------------------------------------------------------------------

def test_uncoded_baseline():
    rng = np.random.default_rng(11)
    A, x = rng.standard_normal((11, 4)), rng.standard_normal(4)
    s = UncodedMatVec(A, 4)
    assert s.load == 0.25 and s.recovery_threshold == 4
    assert not s.can_decode([0, 1, 2])
    assert np.allclose(_run(s, x, [3, 1, 0, 2]), A @ x)
    with pytest.raises(NotEnoughShardsError):
        _run(s, x, [0, 1, 2])


def test_replication_baseline_group_rule():
    rng = np.random.default_rng(12)
    A, x = rng.standard_normal((12, 4)), rng.standard_normal(4)
    s = ReplicatedMatVec(A, 6, 2)               # blocks held by (0,1), (2,3), (4,5)
    assert s.load == pytest.approx(1 / 3)
    assert s.can_decode([1, 2, 5]) and not s.can_decode([0, 1, 2, 3])
    assert np.allclose(_run(s, x, [1, 2, 5]), A @ x)
    with pytest.raises(InvalidArgumentError):
        ReplicatedMatVec(A, 6, 4)


# ---- runtime protocol ------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda A: CodedMatVec(A, 6, 4), lambda A: UncodedMatVec(A, 6),
                                  lambda A: ReplicatedMatVec(A, 6, 3)])
def test_runtime_protocol(make):
    rng = np.random.default_rng(13)
    A = rng.standard_normal((24, 5))
    s = make(A)
    fn = s.worker_fn
    assert fn is block_product and fn.__qualname__ == fn.__name__       # importable by name
    payloads = s.setup_tasks(A)
    assert len(payloads) == s.n_workers
    payloads = pickle.loads(pickle.dumps(payloads))                     # shipped to workers
    x = rng.standard_normal(5)
    order = list(rng.permutation(s.n_workers))
    results = {}
    for i in order:                                                     # arrival order
        results[int(i)] = fn(payloads[i], x)
        if s.can_decode(list(results)):
            break
    assert s.can_decode(list(results) + [0])                            # monotone
    assert np.allclose(s.decode(results, x), A @ x)
    assert all(s.worker_load(i) == s.load for i in range(s.n_workers))
    with pytest.raises(InvalidArgumentError):
        s.setup_tasks(A + 1)


# ---- bad inputs ----------------------------------------------------------------------------------

def test_bad_inputs():
    rng = np.random.default_rng(14)
    A, x = rng.standard_normal((8, 4)), rng.standard_normal(4)
    with pytest.raises(InvalidArgumentError):
        CodedMatVec(A, 3, 4)                                            # k > n
    with pytest.raises(ShardSizeError):
        CodedMatVec(A[0], 3, 2)                                         # A not 2-D
    with pytest.raises(InvalidArgumentError):
        CodedMatVec(A, 4, 2, kind="chebyshev")
    with pytest.raises(InvalidArgumentError):
        CodedMatVec(F.random((4, 4), 0), 4, 2, field=F, kind="gaussian")
    s = CodedMatVec(A, 5, 3)
    with pytest.raises(ShardSizeError):
        s.compute(0, rng.standard_normal(5))                            # wrong length x
    with pytest.raises(InvalidArgumentError):
        s.compute(5, x)                                                 # no worker 5
    good = {i: s.compute(i, x) for i in range(5)}
    with pytest.raises(NotEnoughShardsError):
        s.decode({3: good[3], 4: good[4]})                              # too few
    with pytest.raises(ShardSizeError):
        s.decode({0: good[0], 3: good[3][:-1], 4: good[4]})             # mismatched shapes
    with pytest.raises(ShardSizeError):
        s.decode({0: np.zeros(7), 3: np.zeros(7), 4: np.zeros(7)})     # wrong block length
    with pytest.raises(InvalidArgumentError):
        s.decode({7: good[0], 3: good[3], 4: good[4]})                  # unknown worker id
    with pytest.raises(InvalidArgumentError):
        s.decode([(0, good[0]), (0, good[0]), (3, good[3])])            # duplicates need a dict
    with pytest.raises(Exception):
        CodedMatVec(np.full((4, 4), 70000), 4, 2, field=F)              # values outside GF(p)
