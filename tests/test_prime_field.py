"""PrimeField: construction, validation, element-wise ops, every matmul path,
linear algebra, NTT, polynomials and fixed point, against exact Python-int
arithmetic (fastcode.reference.prime)."""
import pickle

import numpy as np
import pytest

import fastcode
from fastcode import FieldTypeError, FieldValueError, PrimeField, ShardSizeError, SingularMatrixError
from fastcode.fields import prime as prime_mod
from fastcode.fields.prime import matmul as prime_matmul
from fastcode.fields.prime import EXACT_LIMIT, MatmulStrategy, is_prime, min_prime_for_product
from fastcode.reference import prime as ref

PRIMES = [3, 65537, 33554393, 2**31 - 1]


def sieve(n):
    flags = np.ones(n, dtype=bool)
    flags[:2] = False
    for i in range(2, int(n**0.5) + 1):
        if flags[i]:
            flags[i * i::i] = False
    return flags


def exact(A, B, p):
    """A @ B mod p with Python integers."""
    return ref.matmul(A, B, p)


@pytest.fixture(params=PRIMES)
def F(request):
    return PrimeField(request.param)


# ---- construction ----------------------------------------------------------------

def test_is_prime_matches_sieve():
    flags = sieve(20000)
    assert [n for n in range(20000) if is_prime(n)] == list(np.nonzero(flags)[0])


@pytest.mark.parametrize("n", [561, 1105, 2047, 1373653, 25326001, 3215031751, 2152302898747])
def test_is_prime_rejects_pseudoprimes(n):
    # Carmichael numbers and strong pseudoprimes to small bases
    assert not is_prime(n)


@pytest.mark.parametrize("p", [5, 65537, 7340033, 998244353, 33554393, 2**31 - 1])
def test_known_primes(p):
    assert is_prime(p)
    assert PrimeField(p).p == p


@pytest.mark.parametrize("bad", [1, 2, 4, 65535, 2**31 - 3, 2**31, 2**31 + 11, -7, 0])
def test_bad_p_rejected(bad):
    with pytest.raises(FieldValueError):
        PrimeField(bad)


@pytest.mark.parametrize("bad", [65537.0, "65537", True, None])
def test_non_integer_p_rejected(bad):
    with pytest.raises(FieldValueError):
        PrimeField(bad)


def test_composite_message_names_a_factor():
    with pytest.raises(FieldValueError, match="not prime.*divisible by 3"):
        PrimeField(65535)


def test_identity_equality_hash_pickle_immutability():
    F = PrimeField(65537)
    assert PrimeField(np.int64(65537)) is F
    assert F == PrimeField(65537) and F != PrimeField(257) and F != fastcode.GF256
    assert hash(F) == hash(PrimeField(65537))
    assert pickle.loads(pickle.dumps(F)) == F
    assert {F: 1}[PrimeField(65537)] == 1
    with pytest.raises(AttributeError):
        F.p = 5
    assert F.dtype == np.uint32 and F.order == F.characteristic == 65537
    assert repr(F) == "PrimeField(65537)"


# ---- validation ------------------------------------------------------------------

def test_asarray_validates(F):
    p = F.p
    good = np.array([0, 1, p - 1], dtype=np.uint32)
    assert F.asarray(good) is good
    assert F.asarray([0, p - 1]).dtype == np.uint32
    assert F.asarray(np.array([0, p - 1], dtype=np.int64)).tolist() == [0, p - 1]
    with pytest.raises(FieldValueError, match="outside"):
        F.asarray([0, p])
    with pytest.raises(FieldValueError, match="outside"):
        F.asarray(np.array([2**32 - 1], dtype=np.uint32))
    with pytest.raises(FieldValueError, match="outside"):
        F.asarray([-1, 0])
    with pytest.raises(FieldTypeError):
        F.asarray(np.array([1.0, 2.0]))
    with pytest.raises(FieldTypeError):
        F.asarray(["1"])


def test_operations_reject_bad_values(F):
    with pytest.raises(FieldValueError):
        F.add([F.p], [1])
    with pytest.raises(FieldValueError):
        F.matmul([[F.p]], [[1]])
    with pytest.raises(FieldTypeError):
        F.matmul(np.ones((2, 2)), np.ones((2, 2), dtype=np.uint32))
    with pytest.raises(FieldValueError):
        F.inv_matrix([[-1, 0], [0, 1]])


@pytest.mark.parametrize("bad", [None, 2**32 - 1, 2**31])
def test_matmul_rejects_out_of_range_uint32_on_every_path(F, rng, bad, monkeypatch):
    """uint32 operands are range-checked inside the float kernels: every plan,
    both operands, both split sides, threaded or not, must still refuse."""
    monkeypatch.setattr(prime_matmul, "MIN_THREAD_WORK", 0)    # thread even tiny products
    bad = F.p if bad is None else bad
    A, B = F.random((40, 50), rng), F.random((50, 30), rng)
    plans = ["int", "float", None] + list(every_float_plan(F.p))
    for which in "AB":
        A2, B2 = A.copy(), B.copy()
        (A2 if which == "A" else B2)[7, 3] = bad
        for st in plans:
            for threads in (1, 2):
                with pytest.raises(FieldValueError, match=f"{which} has values outside"):
                    F.matmul(A2, B2, strategy=st, n_threads=threads)


def test_random(F, rng):
    x = F.random((1000,), rng)
    assert x.dtype == np.uint32 and x.max() < F.p
    assert np.array_equal(F.random((5, 3), 7), F.random((5, 3), 7))


# ---- element-wise ------------------------------------------------------------------

def edge_values(p):
    return np.array(sorted({0, 1, 2, (p - 1) // 2, (p + 1) // 2, p - 2, p - 1}), dtype=np.uint32)


def test_elementwise_against_reference(F, rng):
    p = F.p
    a = np.concatenate([edge_values(p), F.random(50, rng)])
    b = np.concatenate([F.random(50, rng), edge_values(p)])
    assert np.array_equal(F.add(a, b), ref.add(a, b, p))
    assert np.array_equal(F.sub(a, b), ref.sub(a, b, p))
    assert np.array_equal(F.mul(a, b), ref.mul(a, b, p))
    assert np.array_equal(F.neg(a), ref.sub(0, a, p))
    nz = b[b != 0]
    assert np.array_equal(F.inv(nz), ref.inv(nz, p))
    assert np.array_equal(F.div(a[: len(nz)], nz), ref.mul(a[: len(nz)], ref.inv(nz, p), p))
    e = rng.integers(-5, 2**40, size=a.shape)
    e[a == 0] = np.abs(e[a == 0])
    assert np.array_equal(F.pow(a, e), ref.power(a, e, p))
    assert np.array_equal(F.mul(F.inv(nz), nz), np.ones(len(nz), dtype=np.uint32))


def test_broadcasting(F, rng):
    a = F.random((4, 1), rng)
    b = F.random((1, 5), rng)
    assert F.mul(a, b).shape == (4, 5)
    assert np.array_equal(F.add(a, b), ref.add(a, b, F.p))
    assert np.array_equal(F.pow(a, np.arange(5)), ref.power(a, np.arange(5)[None, :], F.p))


def test_zero_division(F):
    with pytest.raises(ZeroDivisionError, match="^a has zero"):
        F.inv([1, 0])
    with pytest.raises(ZeroDivisionError, match="^b has zero"):
        F.div([1], [0])     # the zero is in b: the message names b
    with pytest.raises(ZeroDivisionError, match="^b has zero"):
        F.div(1, 0)
    with pytest.raises(ZeroDivisionError):
        F.pow([0], [-1])
    assert F.pow([0, 0, 2], [0, 3, 0]).tolist() == [1, 0, 1]


# ---- matmul --------------------------------------------------------------------

SHAPES = [(1, 1, 1), (3, 5, 4), (7, 33, 2), (2, 17, 65), (33, 64, 31), (1, 100, 1)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("strategy", ["int", "float", None])
def test_matmul_random(F, rng, shape, strategy):
    m, k, n = shape
    A, B = F.random((m, k), rng), F.random((k, n), rng)
    assert np.array_equal(F.matmul(A, B, strategy=strategy), exact(A, B, F.p))


@pytest.mark.parametrize("strategy", ["int", "float"])
def test_matmul_adversarial_extremes(F, strategy):
    # entries with the largest centred magnitude and equal signs: largest sums
    p, h = F.p, (F.p - 1) // 2
    for a, b in [(h, h), (h + 1, h + 1), (h, h + 1), (p - 1, p - 1)]:
        A = np.full((4, 300), a, dtype=np.uint32)
        B = np.full((300, 3), b, dtype=np.uint32)
        C = F.matmul(A, B, strategy=strategy)
        assert np.all(C == (300 * a * b) % p)


def every_float_plan(p):
    for limbs, shift, kb in prime_mod.float_strategies(p):
        for split in "AB":
            yield MatmulStrategy("float", limbs, shift, kb, split)


@pytest.mark.parametrize("p", PRIMES)
def test_every_float_plan_small(p, rng):
    F = PrimeField(p)
    h = (p - 1) // 2
    for st in every_float_plan(p):
        for (m, k, n) in [(3, 40, 5), (6, 1, 2), (1, 9, 1)]:
            A, B = F.random((m, k), rng), F.random((k, n), rng)
            A[0, :] = h  # extreme centred values mixed with random ones
            B[:, 0] = h + 1
            assert np.array_equal(F.matmul(A, B, strategy=st), exact(A, B, p)), st


@pytest.mark.parametrize("p", PRIMES)
def test_block_bound_is_tight_and_exact(p):
    """k_block is the largest count whose worst-case sum stays within EXACT_LIMIT."""
    h = (p - 1) // 2
    for limbs, shift, kb in prime_mod.float_strategies(p):
        _, dbound = prime_mod.limb_split(p, limbs)
        assert kb * dbound * h <= EXACT_LIMIT < (kb + 1) * dbound * h
        assert EXACT_LIMIT < 2**53
        if limbs > 1:
            assert p * 2**shift + p < 2**52   # the fold's Horner step


def vector_case(p, k, rng):
    """(a, b, exact a.b mod p) for length k with all-extreme centred entries,
    computed exactly without object arrays."""
    h = (p - 1) // 2
    signs = rng.integers(0, 2, size=k).astype(bool)
    a = np.where(signs, h, p - h).astype(np.uint32)     # centred +-h
    b = np.full(k, h + 1, dtype=np.uint32)               # centred -h
    # a.b = h * (h+1) * #(+) + (p-h)*(h+1) * #(-)
    plus = int(signs.sum())
    want = (h * (h + 1) * plus + (p - h) * (h + 1) * (k - plus)) % p
    return a, b, want


def threshold_cases():
    # (p, limbs): plans whose block bound is small enough to test on both sides
    for p in PRIMES:
        for limbs, shift, kb in prime_mod.float_strategies(p):
            if kb <= 9_000_000:
                # multi-limb plans at k ~ 8e6 need ~1 GB of buffers: slow tier
                marks = [pytest.mark.slow] if limbs > 1 and kb > 4_000_000 else []
                yield pytest.param(p, limbs, id=f"p{p}-L{limbs}-kb{kb}", marks=marks)


@pytest.mark.parametrize("p,limbs", list(threshold_cases()))
def test_matmul_at_block_threshold(p, limbs, rng):
    """Inner dimension just below, at and just above the block bound, worst-case
    magnitudes, both split sides."""
    if fastcode.get_backend() != "native":
        pytest.skip("exercises the native float64 plans; the reference would take minutes")
    F = PrimeField(p)
    (shift, kb), = [(s, kb) for L, s, kb in prime_mod.float_strategies(p) if L == limbs]
    h = (p - 1) // 2
    for k in (kb - 1, kb, kb + 1):
        a, b, want = vector_case(p, k, rng)
        for split in "AB":
            st = MatmulStrategy("float", limbs, shift, kb, split)
            got = F.matmul(a.reshape(1, k), b.reshape(k, 1), strategy=st)
            assert int(got[0, 0]) == want, (k, split)
        # all-equal signs: the largest possible sum
        A = np.full((1, k), h, dtype=np.uint32)
        B = np.full((k, 2), h, dtype=np.uint32)
        st = MatmulStrategy("float", limbs, shift, kb, "A")
        assert np.all(F.matmul(A, B, strategy=st) == (k * h * h) % p)
    prime_mod.release_workspace()
    # and a 2-D product over more than one block, checked exactly
    if kb < 5000:
        k = 2 * kb + 3
        A, B = F.random((5, k), rng), F.random((k, 4), rng)
        for split in "AB":
            st = MatmulStrategy("float", limbs, shift, kb, split)
            assert np.array_equal(F.matmul(A, B, strategy=st), exact(A, B, p))


@pytest.mark.parametrize("p", PRIMES)
def test_int_kernel_at_reduction_threshold(p):
    """The integer kernel adds `chunk` products (p-1)^2 between reductions:
    inner dimensions around chunk, with every product at its maximum."""
    if fastcode.get_backend() != "native":
        pytest.skip("exercises the native integer kernel")
    F = PrimeField(p)
    chunk = (2**64 - 1 - p) // (p - 1) ** 2          # as in csrc/gfp_matmul.c
    assert p + chunk * (p - 1) ** 2 < 2**64 <= p + (chunk + 1) * (p - 1) ** 2
    if chunk > 1_000_000:
        pytest.skip(f"chunk {chunk} too large to reach")
    for k in (chunk - 1, chunk, chunk + 1, 2 * chunk + 1, 3 * chunk):
        if k < 1:
            continue
        A = np.full((2, k), p - 1, dtype=np.uint32)
        B = np.full((k, 3), p - 1, dtype=np.uint32)
        assert np.all(F.matmul(A, B, strategy="int") == (k * (p - 1) ** 2) % p), k


def test_forced_plan_beyond_bound_is_refused():
    F = PrimeField(2**31 - 1)
    limbs, shift, kb = prime_mod.float_strategies(F.p)[0]
    with pytest.raises(ValueError, match="not exact"):
        F.matmul(np.ones((1, 2), np.uint32), np.ones((2, 1), np.uint32),
                 strategy=MatmulStrategy("float", limbs, shift, kb + 1))
    with pytest.raises(ValueError):
        F.matmul(np.ones((1, 2), np.uint32), np.ones((2, 1), np.uint32), strategy="blas")


def test_automatic_choice():
    big = PrimeField(2**31 - 1).matmul_strategy(1024, 1024, 1024)
    assert big.method == "float" and big.limbs >= 2
    assert PrimeField(65537).matmul_strategy(1024, 1024, 1024).limbs == 1
    assert PrimeField(65537).matmul_strategy(4, 4, 4).method == "int"
    # matrix-vector: split the narrow operand
    mv = prime_mod.choose_strategy(2**31 - 1, 2000, 2000, 1, allow_int=False)
    assert mv.limbs >= 2 and mv.split == "B"


def test_matmul_shapes_out_and_vector(F, rng):
    A, B = F.random((6, 9), rng), F.random((9, 5), rng)
    want = exact(A, B, F.p)
    out = np.empty((6, 5), dtype=np.uint32)
    assert F.matmul(A, B, out=out) is out and np.array_equal(out, want)
    big = np.zeros((6, 10), dtype=np.uint32)
    view = big[:, ::2]                                  # non-contiguous out
    assert F.matmul(A, B, out=view) is view and np.array_equal(big[:, ::2], want)
    v = B[:, 0].copy()
    assert np.array_equal(F.matmul(A, v), want[:, 0])
    assert np.array_equal(F.matmul(A[:, ::-1], B[::-1]), want)   # non-contiguous inputs
    assert F.matmul(F.zeros((3, 0)), F.zeros((0, 4))).tolist() == [[0] * 4] * 3
    assert F.matmul(F.zeros((0, 3)), F.zeros((3, 4))).shape == (0, 4)
    with pytest.raises(ShardSizeError):
        F.matmul(A, B.T)
    with pytest.raises(ShardSizeError):
        F.matmul(A, B, out=np.empty((5, 6), dtype=np.uint32))
    with pytest.raises(FieldTypeError):
        F.matmul(A, B, out=np.empty((6, 5), dtype=np.int64))


def test_plan_matmul(F, rng):
    A = F.random((4, 7), rng)
    plan = F.plan_matmul(A)
    B = F.random((7, 3), rng)
    assert np.array_equal(plan(B), exact(A, B, F.p))


def test_numpy_backend_routes_to_reference(F, rng, monkeypatch):
    calls = []
    real = ref.matmul
    monkeypatch.setattr(ref, "matmul", lambda *a: calls.append(1) or real(*a))
    A, B = F.random((3, 4), rng), F.random((4, 2), rng)
    old = fastcode.get_backend()
    fastcode.set_backend("numpy")
    try:
        got = F.matmul(A, B)
        inv_ok = F.rank(A)
    finally:
        fastcode.set_backend(old)
    assert calls and np.array_equal(got, real(A, B, F.p)) and inv_ok == ref.rank(A, F.p)


# ---- linear algebra ------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 5, 17, 40])
def test_inverse_and_solve(F, rng, n):
    A = F.random((n, n), rng)
    while ref.rank(A, F.p) < n:
        A = F.random((n, n), rng)
    Ai = F.inv_matrix(A)
    assert np.array_equal(Ai, ref.inv_matrix(A, F.p))
    assert np.array_equal(F.matmul(A, Ai), F.eye(n))
    B = F.random((n, 3), rng)
    X = F.solve(A, B)
    assert np.array_equal(X, ref.solve(A, B, F.p))
    assert np.array_equal(F.solve(A, B[:, 0]), X[:, 0])
    assert F.det(A) == ref.det(A, F.p) != 0


def test_singular(F, rng):
    A = F.random((6, 6), rng)
    A[5] = F.add(A[0], F.mul(A[1], 2 % F.p))
    with pytest.raises(SingularMatrixError):
        F.inv_matrix(A)
    with pytest.raises(SingularMatrixError):
        F.solve(A, F.random((6, 1), rng))
    with pytest.raises(np.linalg.LinAlgError):
        F.inv_matrix(F.zeros((3, 3)))
    assert F.det(A) == 0
    assert F.rank(A) == ref.rank(A, F.p) == 5


@pytest.mark.parametrize("shape,rank", [((5, 9), 3), ((9, 5), 2), ((6, 6), 6), ((4, 4), 0), ((1, 7), 1)])
def test_rank_and_nullspace(F, rng, shape, rank):
    m, n = shape
    A = F.matmul(F.random((m, rank), rng), F.random((rank, n), rng)) if rank else F.zeros(shape)
    r = F.rank(A)
    assert r == ref.rank(A, F.p)
    N = F.nullspace(A)
    assert N.shape == (n - r, n)
    assert np.array_equal(N, ref.nullspace(A, F.p))
    assert not np.any(F.matmul(A, N.T))
    assert F.rank(N) == n - r if n - r else True


def test_det_against_reference(F, rng):
    for n in (1, 2, 3, 8):
        A = F.random((n, n), rng)
        assert F.det(A) == ref.det(A, F.p)
    P = np.eye(3, dtype=np.uint32)[[1, 0, 2]]             # one swap
    assert F.det(P) == F.p - 1
    assert F.det(F.zeros((0, 0))) == 1


def test_linalg_shape_errors(F):
    with pytest.raises(ShardSizeError):
        F.inv_matrix(F.zeros((2, 3)))
    with pytest.raises(ShardSizeError):
        F.solve(F.eye(3), F.zeros((2, 1)))


# ---- roots of unity, NTT, polynomials ---------------------------------------------

NTT_PRIMES = [65537, 7340033, 998244353]


@pytest.mark.parametrize("p", NTT_PRIMES + [33554393, 2**31 - 1])
def test_primitive_root(p):
    F = PrimeField(p)
    g = F.primitive_root()
    for q in prime_mod.prime_factors(p - 1):
        assert pow(g, (p - 1) // q, p) != 1


def test_root_of_unity():
    F = PrimeField(65537)
    w = F.root_of_unity(16)
    assert pow(w, 16, F.p) == 1 and pow(w, 8, F.p) != 1
    assert F.two_adicity() == 16
    with pytest.raises(FieldValueError):
        F.root_of_unity(3)
    with pytest.raises(FieldValueError):
        PrimeField(7340033).root_of_unity(2**21)
    assert PrimeField(7340033).two_adicity() == 20


@pytest.mark.parametrize("p", NTT_PRIMES)
@pytest.mark.parametrize("n", [1, 2, 8, 64])
def test_ntt_against_definition_and_round_trip(p, n, rng):
    F = PrimeField(p)
    x = F.random((n, 3), rng)
    X = F.ntt(x)
    assert np.array_equal(X, ref.dft(x, F.root_of_unity(n), p))
    assert np.array_equal(F.intt(X), x)
    # along another axis
    assert np.array_equal(F.ntt(x.T, axis=1), X.T)
    assert np.array_equal(F.intt(F.ntt(x.T, axis=-1), axis=-1), x.T)


def test_ntt_large_round_trip(rng):
    if fastcode.get_backend() != "native":
        pytest.skip("the reference transform is the O(n^2) definition")
    F = PrimeField(998244353)
    x = F.random((4096, 2), rng)
    assert np.array_equal(F.intt(F.ntt(x)), x)


def test_ntt_with_polynomial_code_root():
    # Yu et al.'s points 64^j mod 65537 are the 16th roots of unity
    F = PrimeField(65537)
    coeffs = np.arange(1, 17, dtype=np.uint32)
    vals = F.ntt(coeffs, root=64)
    pts = np.array([pow(64, j, 65537) for j in range(16)], dtype=np.uint32)
    assert np.array_equal(vals, F.poly_eval(coeffs, pts))
    assert np.array_equal(F.intt(vals, root=64), coeffs)
    with pytest.raises(FieldValueError):
        F.ntt(coeffs, root=16)             # 16 = 2^4 has order 8: not a primitive 16th root
    with pytest.raises(ShardSizeError):
        F.ntt(np.zeros(12, dtype=np.uint32))


def test_poly_eval_and_interpolate(F, rng):
    n = min(12, F.p)
    pts = rng.choice(F.p, size=n, replace=False).astype(np.uint32)
    coeffs = F.random((n, 4), rng)
    vals = F.poly_eval(coeffs, pts)
    assert np.array_equal(vals, ref.poly_eval(coeffs, pts, F.p))
    back = F.interpolate(pts, vals)
    assert np.array_equal(back, coeffs)
    assert np.array_equal(back, ref.interpolate(pts, vals, F.p))
    assert np.array_equal(F.interpolate(pts[:1], vals[:1]), vals[:1])
    with pytest.raises(FieldValueError):
        F.interpolate(np.array([1, 1], dtype=np.uint32), F.zeros((2,)))


def test_interpolate_1d_values():
    F = PrimeField(65537)
    pts = np.array([3, 5, 7], dtype=np.uint32)
    c = np.array([9, 0, 2], dtype=np.uint32)       # 9 + 2x^2
    assert np.array_equal(F.interpolate(pts, F.poly_eval(c, pts)), c)


# ---- fixed point ----------------------------------------------------------------

def test_fixed_point_round_trip():
    F = PrimeField(2**31 - 1)
    x = np.array([-3.25, 0.0, 1.5, 1000.125])
    y = F.from_float(x, 8)
    assert y.dtype == np.uint32 and y[0] == F.p - 26
    assert np.array_equal(F.to_float(y, 8), x)
    with pytest.raises(FieldValueError):
        F.from_float([2.0**30], 1)
    with pytest.raises(FieldValueError):
        F.from_float([np.nan], 1)


def test_exact_real_product_through_required_prime(rng):
    A = rng.uniform(-3, 3, size=(20, 50))
    B = rng.uniform(-1, 1, size=(50, 7))
    sa, sb = 2**8, 2**6
    p = min_prime_for_product(A.shape, B.shape, 3, 1, sa, sb)
    F = PrimeField(p)
    C = F.to_float(F.matmul(F.from_float(A, sa), F.from_float(B, sb)), sa * sb)
    want = (np.rint(A * sa) @ np.rint(B * sb)) / (sa * sb)
    assert np.array_equal(C, want)
    # the bound is needed: the next smaller prime field can fail on extreme data
    Aext = np.full((1, 50), 3.0)
    Bext = np.full((50, 1), 1.0)
    Cext = F.to_float(F.matmul(F.from_float(Aext, sa), F.from_float(Bext, sb)), sa * sb)
    assert Cext[0, 0] == 150.0
    assert p > 2 * 50 * 3 * sa * 1 * sb and not any(is_prime(q) for q in range(2 * 50 * 3 * sa * sb + 1, p))


def test_required_prime_errors():
    with pytest.raises(FieldValueError, match="2\\^31"):
        min_prime_for_product((10, 10**6), (10**6, 10), 100, 100, 100, 100)
    with pytest.raises(ShardSizeError):
        min_prime_for_product((2, 3), (4, 2), 1, 1)
    assert min_prime_for_product((1, 1), (1, 1), 0, 0) == 3


def test_random_primes_every_plan_small_blocks(rng):
    """Random primes of every size, random shapes (zeros included), every plan
    forced with short blocks so products span several folds."""
    if fastcode.get_backend() != "native":
        pytest.skip("exercises the native plans")
    for _ in range(20):
        bits = int(rng.integers(2, 32))
        p = prime_mod.next_prime(int(rng.integers(2 ** (bits - 1), 2 ** bits)))
        if not 2 < p < 2**31:
            continue
        F = PrimeField(p)
        m, k, n = (int(x) for x in rng.integers(0, 30, 3))
        A, B = F.random((m, k), rng), F.random((k, n), rng)
        extremes = [0, 1, (p - 1) // 2, (p + 1) // 2, p - 1]
        if rng.random() < 0.5 and A.size:
            A[...] = rng.choice(extremes, A.shape)
        want = exact(A, B, p)
        plans = ["int", None] + [MatmulStrategy("float", L, s, min(kb, int(rng.integers(1, 12))), side)
                                 for L, s, kb in prime_mod.float_strategies(p) for side in "AB"]
        for st in plans:
            assert np.array_equal(F.matmul(A, B, strategy=st), want), (p, m, k, n, st)


@pytest.mark.parametrize("shape", [(300, 300, 300), (3, 2000, 3000)])
@pytest.mark.parametrize("strategy", ["int", "float"])
def test_threaded_matmul(shape, strategy, rng):
    if fastcode.get_backend() != "native":
        pytest.skip("threads split the native kernels")
    F = PrimeField(2**31 - 1)
    m, k, n = shape
    A, B = F.random((m, k), rng), F.random((k, n), rng)
    one = F.matmul(A, B, strategy=strategy, n_threads=1)
    assert np.array_equal(F.matmul(A, B, strategy=strategy, n_threads=2), one)
    assert np.array_equal(F.matmul(A, B, strategy=strategy, n_threads=3), one)
    rows, cols = rng.integers(0, m, 3), rng.integers(0, n, 5)
    assert np.array_equal(one[rows][:, cols], exact(A[rows], B[:, cols], F.p))
    with pytest.raises(ValueError):
        F.matmul(A, B, n_threads=0)
