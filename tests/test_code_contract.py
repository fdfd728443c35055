"""Every code through one contract suite (fastcode.codes.base.Code).

For each code: it is a ``Code`` with n, k and field; over every responder
pattern (all 2^n of them for n <= 12; a seeded sample per size would take
over for larger n) ``can_decode(indices)`` is True exactly when
``decode(results, indices)`` succeeds, and a successful decode gives the right
answer with the results in any order (they pair with ``indices``
positionally); ``out=`` is filled and returned; the old keyword names still
work with a DeprecationWarning.
"""
import itertools
import math

import numpy as np
import pytest

from fastcode import GF256, NotEnoughShardsError, PrimeField, Reals, SingularMatrixError
from fastcode.codes import (ApproxCommEfficient, Code, CommEfficient, CyclicMDS, CyclicRepetition,
                            ExpanderApprox, FractionalRepetition, GradientCode, MatDot, MDSCode,
                            OrthoMatDot, OrthoPolyCode, PolynomialCode, StackedApprox,
                            StochasticGC, real_mds_code)
from fastcode.codes.designs import cyclic_assignment, random_regular_graph
from fastcode.codes.polynomial import worker_product

F65537 = PrimeField(65537)
F101 = PrimeField(101)
PER_SIZE = 1000        # patterns tried per size when C(n, size) is larger (never at n <= 12)


# ---- one adapter per code family: results of every worker, the answer, old keywords ------------

class MDSCase:
    old = {"indices": "present", "results": "shards"}

    def __init__(self, code):
        self.code = code

    def instance(self, rng):
        f = self.code.field
        data = f.random((self.code.k, 7), rng)
        word = np.concatenate([data, self.code.encode(data)])
        return word, data

    def take(self, results, order):
        return results[order]

    def out(self, answer):
        return np.empty_like(answer)

    def same(self, got, want):
        return _same(self.code.field, got, want)


class ProductCase:
    old = {"indices": "workers"}

    def __init__(self, code, transpose):
        self.code, self.transpose = code, transpose

    def instance(self, rng):
        code, f = self.code, self.code.field
        rows = 6 if self.transpose else 4
        inner = code.m * 2 if isinstance(code, MatDot) else 6
        if self.transpose:           # PolynomialCode: C = A^T B, A (s, r), B (s, t)
            A = _random(f, (inner, code.k_a * 2), rng)
            B = _random(f, (inner, code.k_b * 3), rng)
            want = f.matmul(np.ascontiguousarray(A.T), B)
        else:                        # MatDot: C = A B
            A = _random(f, (rows, inner), rng)
            B = _random(f, (inner, 5), rng)
            want = f.matmul(A, B)
        return [worker_product(t) for t in code.encode(A, B)], want

    def take(self, results, order):
        return [results[j] for j in order]

    def out(self, answer):
        return np.empty_like(answer)

    def same(self, got, want):
        return _same(self.code.field, got, want)


class GradientCase:
    old = {"indices": "responders", "results": "coded"}
    d = 5

    def __init__(self, code, exact=True):
        self.code, self.exact = code, exact

    def instance(self, rng):
        f = self.code.field
        G = _random(f, (self.code.N, self.d), rng)
        return self.code.encode_all(G), f.sum(G, axis=0)

    def take(self, results, order):
        return results[order]

    def out(self, answer):
        L = -(-self.d // self.code.m)
        return np.empty(self.code.m * L, dtype=self.code.field.dtype)

    def same(self, got, want):
        if not self.exact:           # an approximation: right shape, finite
            return got.shape[0] >= self.d and bool(np.all(np.isfinite(got)))
        return _same(self.code.field, got[:self.d], want)


def _random(f, shape, rng):
    return rng.standard_normal(shape) if f == Reals else f.random(shape, rng)


def _same(field, got, want):
    if field == Reals:
        return got.shape == want.shape and np.allclose(got, want, rtol=1e-7, atol=1e-7)
    return np.array_equal(got, want)


def _non_mds_gradient_code():
    """A cyclic-repetition code over GF(101) whose workers 3 and 4 send the same
    combination: some (n - s)-sets decode, others (holding both) do not."""
    base = CyclicRepetition(7, 2, field=F101, rng=1)
    B = base.B.copy()
    B[4] = B[3]                                 # workers 3 and 4 send the same combination
    A = base.assignment | (B != 0)
    return GradientCode(B[None], A, field=F101, s=2)


CASES = {
    "mds-gf256-cauchy": lambda: MDSCase(MDSCode(9, 5)),
    "mds-gf256-vandermonde": lambda: MDSCase(MDSCode(8, 4, kind="vandermonde")),
    "mds-gf256-repetition": lambda: MDSCase(MDSCode(5, 1)),
    "mds-gf256-no-parity": lambda: MDSCase(MDSCode(4, 4)),
    "mds-gf257": lambda: MDSCase(MDSCode(7, 4, PrimeField(257))),
    "mds-reals": lambda: MDSCase(real_mds_code(8, 5)),
    "poly-ntt": lambda: ProductCase(PolynomialCode(9, 2, 2, F65537), True),
    "poly-generic-points": lambda: ProductCase(
        PolynomialCode(7, 2, 3, F101, points=[2, 3, 5, 7, 11, 13, 17]), True),
    "poly-reals": lambda: ProductCase(PolynomialCode(7, 2, 2, Reals), True),
    "orthopoly": lambda: ProductCase(OrthoPolyCode(8, 2, 2), True),
    "matdot": lambda: ProductCase(MatDot(7, 3, F65537), False),
    "orthomatdot": lambda: ProductCase(OrthoMatDot(7, 3), False),
    "frc-reals": lambda: GradientCase(FractionalRepetition(6, 2)),
    "frc-gf256": lambda: GradientCase(FractionalRepetition(6, 1, field=GF256)),
    "crc-reals": lambda: GradientCase(CyclicRepetition(8, 3, rng=0, draws=2)),
    "crc-prime": lambda: GradientCase(CyclicRepetition(7, 2, field=F65537, rng=0)),
    "cyclic-mds-reals": lambda: GradientCase(CyclicMDS(9, 4)),
    "cyclic-mds-prime": lambda: GradientCase(CyclicMDS(8, 3, field=PrimeField(17))),
    "comm-efficient-reals": lambda: GradientCase(CommEfficient(8, 2, 3)),
    "comm-efficient-prime": lambda: GradientCase(CommEfficient(7, 2, 2, field=F65537)),
    "gradient-not-mds": lambda: GradientCase(_non_mds_gradient_code()),
    "approx-comm-efficient": lambda: GradientCase(
        ApproxCommEfficient(cyclic_assignment(8, 3), m=2, rng=0), exact=False),
    "stacked": lambda: GradientCase(StackedApprox(cyclic_assignment(6, 2), m=2), exact=False),
    "expander": lambda: GradientCase(ExpanderApprox(random_regular_graph(8, 3, rng=0)), exact=False),
    "stochastic": lambda: GradientCase(StochasticGC(cyclic_assignment(7, 3), 0.2), exact=False),
    # n = 12: 4096 patterns each
    "mds-gf256-12": lambda: MDSCase(MDSCode(12, 8)),
    "poly-ntt-12": lambda: ProductCase(PolynomialCode(12, 2, 4, F65537), True),
    "matdot-12": lambda: ProductCase(MatDot(12, 5, F65537), False),
    "crc-reals-12": lambda: GradientCase(CyclicRepetition(12, 4, rng=0, draws=1)),
    "comm-efficient-prime-12": lambda: GradientCase(CommEfficient(12, 3, 2, field=F65537)),
    "expander-12": lambda: GradientCase(ExpanderApprox(random_regular_graph(12, 3, rng=0)),
                                        exact=False),
}


@pytest.fixture(params=sorted(CASES), scope="module")
def case(request):
    return CASES[request.param]()


def _patterns(n, rng):
    """Responder sets of every size: all of them when few, else a seeded sample."""
    for size in range(n + 1):
        if math.comb(n, size) <= PER_SIZE:
            yield from itertools.combinations(range(n), size)
        else:
            for _ in range(PER_SIZE):
                yield tuple(sorted(rng.choice(n, size, replace=False).tolist()))


def _decodable_order(code, rng):
    """A shuffled decodable responder list: everyone, else the first decodable k-set."""
    for S in itertools.chain([range(code.n)], itertools.combinations(range(code.n), code.k)):
        if code.can_decode(list(S)):
            return [int(i) for i in rng.permutation(list(S))]
    raise AssertionError(f"{code!r} decodes no pattern")


def _decode(code, results, indices, **kw):
    try:
        return code.decode(results, indices, **kw)
    except (NotEnoughShardsError, SingularMatrixError):
        return None


def test_is_a_code(case):
    code = case.code
    assert isinstance(code, Code)
    assert 1 <= code.k <= code.n <= 12 and code.field is not None
    assert code.k == code.recovery_threshold


def test_can_decode_agrees_with_decode_on_every_pattern(case, rng):
    code = case.code
    results, want = case.instance(rng)
    decodable = 0
    for S in _patterns(code.n, rng):
        order = list(rng.permutation(S)) if S else []
        order = [int(i) for i in order]                  # any arrival order
        got = _decode(code, case.take(results, order), order)
        can = code.can_decode(order)
        assert isinstance(can, bool)
        assert can == (got is not None), (S, can)
        if got is not None:
            decodable += 1
            assert case.same(got, want), S
    assert decodable
    if type(code) is GradientCode:
        # a wrapped code that is not MDS-like: exact codes decode from the first n - s
        # responders (sorted), so some sets fail -- and can_decode says so
        assert decodable < sum(1 for _ in _patterns(code.n, np.random.default_rng(0)))
        assert not code.can_decode([0, 1, 2, 3, 4]) and code.can_decode([0, 1, 2, 3, 5])
        return
    # the codes built to be MDS-like decode from all n, and from any k
    assert code.can_decode(list(range(code.n)))
    assert code.can_decode(list(range(code.n - code.k, code.n)))


def test_out_is_filled_and_returned(case, rng):
    code = case.code
    results, want = case.instance(rng)
    S = _decodable_order(code, rng)
    out = case.out(want)
    got = code.decode(case.take(results, S), S, out=out)
    assert got is out
    assert case.same(out, want)


def test_old_keyword_names_warn_and_work(case, rng):
    code = case.code
    results, want = case.instance(rng)
    S = _decodable_order(code, rng)
    new = dict(results=case.take(results, S), indices=S)
    old = {case.old.get(name, name): value for name, value in new.items()}
    with pytest.warns(DeprecationWarning, match="deprecated"):
        got = code.decode(**old)
    assert case.same(got, want)
    if isinstance(case, GradientCase):      # the only codes that had can_decode before
        with pytest.warns(DeprecationWarning, match="responders"):
            assert code.can_decode(responders=S)
    assert case.same(code.decode(**new), want)             # the new names: no warning
    with pytest.raises(TypeError, match="both"):
        code.decode(new["results"], S, **{case.old["indices"]: S})
    with pytest.raises(TypeError, match="missing"):
        code.decode(new["results"])


def test_invalid_indices_raise_in_both(case):
    code = case.code
    for bad in ([0, 0], [code.n]):
        with pytest.raises(ValueError):
            code.can_decode(bad)
