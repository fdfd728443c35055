"""GF(2^16) in the Cantor basis: tables, field axioms, the field API, and every
SIMD level of the native FFT kernels against the scalar reference."""
import numpy as np
import pytest

from fastcode.errors import FieldTypeError, FieldValueError, ShardSizeError, SingularMatrixError
from fastcode.fields import GF65536
from fastcode.reference import gf65536 as ref

native = pytest.importorskip("fastcode.fields._gf65536",
                             reason="native GF(2^16) module not built")

RNG = np.random.default_rng(65536)


def _poly_mul(a, b):
    """Carry-less product mod 0x1002D in the polynomial basis (independent of the tables)."""
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & 0x10000:
            a ^= 0x1002D
    return r


def _to_poly(v):
    out = 0
    for bit, basis in enumerate(ref.CANTOR_BASIS):
        if v >> bit & 1:
            out ^= basis
    return out


def test_native_tables_equal_reference():
    exp, log = native.tables()
    assert np.array_equal(exp, ref.EXP)
    assert np.array_equal(log.astype(np.int64), ref.LOG)


def test_products_match_the_polynomial_basis():
    a = RNG.integers(0, 65536, 300)
    b = RNG.integers(0, 65536, 300)
    prod = GF65536.mul(a, b)
    for x, y, p in zip(a, b, prod):
        assert _to_poly(int(p)) == _poly_mul(_to_poly(int(x)), _to_poly(int(y)))


def test_cantor_basis_and_subspace_polynomials():
    # v_0 = 1 and v_i^2 + v_i = v_{i-1}: in Cantor coordinates v_i is 1 << i
    v = np.array([1 << i for i in range(16)], dtype=np.uint16)
    assert GF65536.mul(1, 12345) == 12345
    assert np.array_equal(GF65536.mul(v[1:], v[1:]) ^ v[1:], v[:-1])
    # hence W_1(x) = x^2 + x maps the element x to x >> 1, which is what lets
    # the codec use x >> i as the twiddle of layer i
    x = np.arange(65536, dtype=np.uint16)
    assert np.array_equal(GF65536.mul(x, x) ^ x, x >> 1)


def test_field_axioms_on_random_samples():
    a, b, c = (GF65536.random(2000, rng=RNG) for _ in range(3))
    mul, add = GF65536.mul, GF65536.add
    assert np.array_equal(mul(a, b), mul(b, a))
    assert np.array_equal(mul(mul(a, b), c), mul(a, mul(b, c)))
    assert np.array_equal(mul(a, add(b, c)), add(mul(a, b), mul(a, c)))
    nz = a[a != 0]
    assert np.all(mul(nz, GF65536.inv(nz)) == 1)
    assert np.array_equal(GF65536.div(mul(a, nz[:1]), nz[:1]), a)
    assert np.array_equal(GF65536.pow(nz, 65535), np.ones_like(nz))
    assert np.array_equal(GF65536.pow(nz, -1), GF65536.inv(nz))
    assert np.array_equal(GF65536.pow(a, 3), mul(a, mul(a, a)))
    assert np.array_equal(GF65536.sub(a, b), add(a, b))
    assert np.array_equal(GF65536.neg(a), a)


def test_field_errors():
    with pytest.raises(ZeroDivisionError):
        GF65536.inv([1, 0])
    with pytest.raises(ZeroDivisionError):
        GF65536.div([1], [0])
    with pytest.raises(FieldValueError):
        GF65536.asarray([70000])
    with pytest.raises(FieldValueError):
        GF65536.asarray([-1])
    with pytest.raises(FieldTypeError):
        GF65536.asarray([1.5])
    with pytest.raises(ShardSizeError):
        GF65536.inv_matrix(np.ones((2, 3), dtype=np.uint16))
    with pytest.raises(SingularMatrixError):
        GF65536.inv_matrix(np.ones((2, 2), dtype=np.uint16))


def test_small_linear_algebra():
    A = GF65536.random((6, 6), rng=RNG)
    A[np.diag_indices(6)] |= 1  # keep it generic; singular draws are astronomically rare
    inv = GF65536.inv_matrix(A)
    assert np.array_equal(GF65536.matmul(A, inv), GF65536.eye(6))
    B = GF65536.random((6, 3), rng=RNG)
    X = GF65536.solve(A, B)
    assert np.array_equal(GF65536.matmul(A, X), B)
    assert GF65536.rank(A) == 6
    assert GF65536.rank(np.vstack([A[:3], A[:3]])) == 3
    assert GF65536.det(A) != 0 and GF65536.det(np.vstack([A[:5], A[:1]])) == 0
    x = GF65536.solve(A, B[:, 0])
    assert x.shape == (6,) and np.array_equal(GF65536.matmul(A, x), B[:, 0])


# ---- the reference transforms ----------------------------------------------------

@pytest.mark.parametrize("size,delta", [(1, 0), (2, 0), (8, 0), (16, 16), (32, 96), (64, 1024)])
def test_reference_ifft_inverts_fft(size, delta):
    coef = RNG.integers(0, 65536, (size, 5)).astype(np.uint16)
    work = coef.copy()
    ref.fft(work, size, delta)
    ref.ifft(work, size, delta)
    assert np.array_equal(work, coef)


def test_reference_fft_evaluates_the_novel_basis():
    # X_j(x) = prod over set bits i of j of W_i(x), W_i(omega_x) = omega_{x >> i}
    size, delta = 8, 8
    for j in range(size):
        coef = np.zeros((size, 1), dtype=np.uint16)
        coef[j] = 1
        ref.fft(coef, size, delta)
        for p in range(size):
            want = 1
            for i in range(3):
                if j >> i & 1:
                    want = int(GF65536.mul(want, (p + delta) >> i))
            assert coef[p, 0] == want


def test_error_locator_native_equals_direct_products():
    for size in (1, 2, 16, 256):
        erased = (RNG.random(size) < 0.4).astype(np.uint8)
        logs = native.error_locator(size, erased)
        assert np.array_equal(logs.astype(np.int64), ref.error_locator_logs(erased.nonzero()[0], size))
        for i in RNG.choice(size, min(size, 8), replace=False):
            prod = 1
            for j in erased.nonzero()[0]:
                if j != i:
                    prod = int(GF65536.mul(prod, i ^ j))
            assert ref.EXP[logs[i]] == prod


def test_shard_symbol_layout_round_trips():
    for length in (2, 62, 64, 66, 128, 190):
        shards = RNG.integers(0, 256, (3, length), dtype=np.uint8)
        sym = ref.shards_to_symbols(shards)
        assert sym.shape == (3, length // 2)
        assert np.array_equal(ref.symbols_to_shards(sym), shards)
    one = np.zeros((1, 64), dtype=np.uint8)
    one[0, 3], one[0, 35] = 0x34, 0x12  # symbol 3: low byte at 3, high byte at 32 + 3
    assert ref.shards_to_symbols(one)[0, 3] == 0x1234


# ---- every SIMD level against the scalar kernels -------------------------------------

LEVELS = native.available_levels()
CONSTANTS = (0, 1, 2, 0x8000, 0xFFFF, 12345)


def _regions(count, length):
    return [RNG.integers(0, 256, length, dtype=np.uint8) for _ in range(count)]


@pytest.mark.parametrize("level", LEVELS)
def test_level_kernels_equal_scalar(level):
    for length in (64, 192, 1024):
        for c in CONSTANTS + tuple(RNG.integers(0, 65536, 3)):
            c = int(c)
            for op, count in (("fft2", 2), ("ifft2", 2), ("mul", 1), ("xor2", 2)):
                base = _regions(count, length)
                mine = [r.copy() for r in base]
                want = [r.copy() for r in base]
                args = () if op == "xor2" else (c,)
                getattr(native, "kernel_" + op)(level, *mine, *args)
                getattr(native, "kernel_" + op)("scalar", *want, *args)
                assert all(np.array_equal(x, y) for x, y in zip(mine, want)), (op, c, length)
            cs = (c, int(RNG.integers(0, 65536)), int(RNG.integers(0, 65536)))
            for op in ("fft4", "ifft4"):
                base = _regions(4, length)
                mine = [r.copy() for r in base]
                want = [r.copy() for r in base]
                getattr(native, "kernel_" + op)(level, *mine, *cs)
                getattr(native, "kernel_" + op)("scalar", *want, *cs)
                assert all(np.array_equal(x, y) for x, y in zip(mine, want)), (op, cs, length)


def test_scalar_kernel_is_the_field_product():
    x = RNG.integers(0, 256, 128, dtype=np.uint8)
    c = 4321
    out = x.copy()
    native.kernel_mul("scalar", out, c)
    want = ref.symbols_to_shards(GF65536.mul(ref.shards_to_symbols(x[None]), c))[0]
    assert np.array_equal(out, want)


def test_kernel_arguments_are_checked():
    with pytest.raises(ShardSizeError):
        native.kernel_mul("scalar", np.zeros(63, dtype=np.uint8), 3)
    with pytest.raises(ValueError):
        native.kernel_mul("nonsense", np.zeros(64, dtype=np.uint8), 3)
    with pytest.raises(ValueError):
        native.set_level("nonsense")
    assert native.active_level() in LEVELS
