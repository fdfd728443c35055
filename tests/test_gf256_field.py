"""GF(2^8) as a field: axioms (exhaustive), tables, element-wise API, asarray, random.

The ground truth here is an independent carry-less multiply reduced modulo
0x11d, written below without any of fastcode's tables.
"""
import numpy as np
import pytest

import fastcode
from fastcode import GF256 as F
from fastcode.errors import FieldTypeError, FieldValueError
from fastcode.reference import gf256 as ref

POLY = 0x11D
ALL = np.arange(256, dtype=np.uint8)


# ---- independent arithmetic ---------------------------------------------------

def clmul_mod(a, b):
    """a * b in GF(2^8) by shift-and-add with reduction mod 0x11d (Python ints)."""
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & 0x100:
            a ^= POLY
    return r


def _clmul_table():
    """The full 256x256 product table, vectorised shift-and-add (no logs)."""
    a = np.arange(256, dtype=np.int64)[:, None] * np.ones(256, dtype=np.int64)[None, :]
    b = np.arange(256, dtype=np.int64)[None, :] * np.ones(256, dtype=np.int64)[:, None]
    r = np.zeros((256, 256), dtype=np.int64)
    for _ in range(8):
        r ^= np.where(b & 1, a, 0)
        b >>= 1
        a <<= 1
        a = np.where(a & 0x100, a ^ POLY, a)
    return r.astype(np.uint8)


MULT = _clmul_table()


def slow_pow(a, e):
    """a ** e by repeated squaring on clmul_mod; e any Python int (negative ok for a != 0)."""
    a, e = int(a), int(e)
    if e < 0:
        # a^-1 = a^254 for non-zero a
        a = slow_pow(a, 254)
        e = -e
    r = 1
    while e:
        if e & 1:
            r = clmul_mod(r, a)
        a = clmul_mod(a, a)
        e >>= 1
    return r


def polymul_polymod(a, b):
    """a * b as a degree-14 polynomial product, then long division by 0x11d."""
    p = 0
    for i in range(8):
        if (b >> i) & 1:
            p ^= a << i
    for deg in range(14, 7, -1):
        if (p >> deg) & 1:
            p ^= POLY << (deg - 8)
    return p


def test_independent_arithmetic_is_consistent():
    # Two independent constructions agree on every pair, and with known values.
    for a in range(256):
        for b in range(0, 256, 7):
            assert clmul_mod(a, b) == polymul_polymod(a, b) == MULT[a, b], (a, b)
    assert clmul_mod(2, 0x80) == 0x1D  # x * x^7 = x^8 = x^4 + x^3 + x^2 + 1
    assert clmul_mod(2, 0x8E) == 1     # 2^-1 = 0x8e for 0x11d
    assert clmul_mod(0x53, 0xCA) != 1  # (these are inverses under AES' 0x11b, not here)


# ---- axioms, exhaustively ---------------------------------------------------------

@pytest.fixture(scope="module")
def prod():
    """F.mul over every pair (256 x 256) via broadcasting."""
    return F.mul(ALL[:, None], ALL[None, :])


def test_mul_table_matches_clmul(prod):
    assert prod.shape == (256, 256) and prod.dtype == np.uint8
    np.testing.assert_array_equal(prod, MULT)


def test_commutativity(prod):
    np.testing.assert_array_equal(prod, prod.T)
    s = F.add(ALL[:, None], ALL[None, :])
    np.testing.assert_array_equal(s, s.T)


def test_identities_and_zero(prod):
    np.testing.assert_array_equal(prod[1], ALL)
    np.testing.assert_array_equal(prod[:, 1], ALL)
    assert not prod[0].any() and not prod[:, 0].any()
    np.testing.assert_array_equal(F.add(ALL, 0), ALL)
    # additive inverse: a + a = 0, neg(a) = a
    assert not F.add(ALL, ALL).any()
    np.testing.assert_array_equal(F.neg(ALL), ALL)
    np.testing.assert_array_equal(F.sub(ALL[:, None], ALL[None, :]), ALL[:, None] ^ ALL[None, :])


def test_no_zero_divisors(prod):
    nz = prod[1:, 1:]
    assert (nz != 0).all()


def test_multiplicative_group_rows_are_permutations(prod):
    # Each non-zero a permutes the non-zero elements (group property / cancellation).
    for a in range(1, 256):
        assert sorted(prod[a, 1:].tolist()) == list(range(1, 256))


def test_distributivity_exhaustive():
    # a * (b + c) == a*b + a*c for every a, b and c (16.7M triples), one a at a time.
    bc = ALL[:, None] ^ ALL[None, :]
    for a in range(256):
        lhs = F.mul(np.uint8(a), bc)
        rhs = MULT[a][:, None] ^ MULT[a][None, :]
        if not np.array_equal(lhs, rhs):
            b, c = np.argwhere(lhs != rhs)[0]
            pytest.fail(f"distributivity fails at a={a}, b={b}, c={c}")


def test_associativity_random_triples(rng):
    a, b, c = (rng.integers(0, 256, 200_000, dtype=np.uint8) for _ in range(3))
    np.testing.assert_array_equal(F.mul(F.mul(a, b), c), F.mul(a, F.mul(b, c)))
    np.testing.assert_array_equal(F.mul(F.mul(a, b), c), MULT[MULT[a, b], c])
    np.testing.assert_array_equal(F.add(F.add(a, b), c), F.add(a, F.add(b, c)))


def test_associativity_exhaustive_over_a_subgroup_generator():
    # (a*b)*c == a*(b*c) for all a, b and c in a fixed set, independent table only for RHS
    sample = np.array([0, 1, 2, 3, 0x1D, 0x80, 0x8E, 0xFF], dtype=np.uint8)
    lhs = F.mul(F.mul(ALL[:, None, None], ALL[None, :, None]), sample[None, None, :])
    rhs = MULT[ALL[:, None, None], MULT[ALL[None, :, None], sample[None, None, :]]]
    np.testing.assert_array_equal(lhs, rhs)


def test_inverse_of_every_nonzero_element():
    inv = F.inv(ALL[1:])
    assert inv.dtype == np.uint8
    np.testing.assert_array_equal(MULT[ALL[1:], inv], np.ones(255, np.uint8))
    # independently: a^254 = a^-1
    for a in range(1, 256):
        assert int(inv[a - 1]) == slow_pow(a, 254)
    # inv is an involution
    np.testing.assert_array_equal(F.inv(inv), ALL[1:])


def test_division_exhaustive():
    q = F.div(ALL[:, None], ALL[None, 1:])
    np.testing.assert_array_equal(MULT[q, ALL[None, 1:]], np.broadcast_to(ALL[:, None], q.shape))


# ---- tables: reference vs independent vs C ------------------------------------------

def test_reference_tables_match_independent_math():
    # exp[i] = 2^i (generator 2), period 255, extended to 512 entries
    x = 1
    for i in range(255):
        assert int(ref.EXP[i]) == x, i
        x = clmul_mod(x, 2)
    assert x == 1  # 2 has order 255: primitive
    assert len(set(ref.EXP[:255].tolist())) == 255
    np.testing.assert_array_equal(ref.EXP[255:510], ref.EXP[:255])
    assert len(ref.EXP) >= 510
    for i in range(510, len(ref.EXP)):
        assert ref.EXP[i] == ref.EXP[i % 255]
    # log is the inverse of exp on non-zero elements
    np.testing.assert_array_equal(ref.EXP[ref.LOG[1:]], ALL[1:])
    np.testing.assert_array_equal(ref.LOG[ref.EXP[:255]], np.arange(255))
    np.testing.assert_array_equal(ref.MUL, MULT)
    assert ref.INV[0] == 0
    np.testing.assert_array_equal(MULT[ALL[1:], ref.INV[1:]], np.ones(255, np.uint8))


def test_field_constants():
    assert F.polynomial == 0x11D and F.generator == 2
    assert F.order == 256 and F.characteristic == 2 and F.dtype == np.uint8
    assert ref.POLYNOMIAL == 0x11D and ref.GENERATOR == 2


@pytest.fixture
def native():
    from fastcode.fields.gf256 import _native
    if _native is None:
        pytest.skip("native module not built")
    return _native


@pytest.mark.parametrize("level", fastcode.available_simd_levels())
def test_c_mul_table_via_mul_region(native, level):
    """The C product table (and the nibble tables derived from it) equal the
    independent one: mul_region(c, 0..255) is row c of the table."""
    prev = fastcode.simd_level()
    fastcode.set_simd_level(level)
    try:
        # 0..255 three times plus a tail: vector body and scalar tail both see every byte
        src = np.concatenate([ALL, ALL, ALL, ALL[:13]])
        out = np.empty_like(src)
        for c in range(256):
            native.mul_region(c, src, out)
            np.testing.assert_array_equal(out, MULT[c][src], err_msg=f"c={c} level={level}")
    finally:
        fastcode.set_simd_level(prev)


def test_c_mul_table_via_dot_plan(native):
    # The 256 x 256 products as one matmul: A = column of all c, B = row 0..255.
    A = ALL[:, None].copy()
    B = ALL[None, :].copy()
    out = np.empty((256, 256), np.uint8)
    native.dot_prod(A, B, out)
    np.testing.assert_array_equal(out, MULT)


def test_c_inverse_table_via_1x1_linalg(native):
    for a in range(1, 256):
        m = np.array([[a]], dtype=np.uint8)
        assert int(native.inv_matrix(m)[0, 0]) == slow_pow(a, 254)
        assert native.det(m) == a
        assert int(native.solve(m, np.array([[1]], np.uint8))[0, 0]) == int(ref.INV[a])
    with pytest.raises(fastcode.SingularMatrixError):
        native.inv_matrix(np.zeros((1, 1), np.uint8))


# ---- element-wise API ------------------------------------------------------------------

def test_add_mul_broadcasting(rng):
    a = rng.integers(0, 256, (4, 1, 5), dtype=np.uint8)
    b = rng.integers(0, 256, (3, 1), dtype=np.uint8)
    s = F.add(a, b)
    p = F.mul(a, b)
    assert s.shape == p.shape == (4, 3, 5)
    assert s.dtype == p.dtype == np.uint8
    A, B = np.broadcast_arrays(a, b)
    np.testing.assert_array_equal(s, A ^ B)
    np.testing.assert_array_equal(p, MULT[A, B])
    np.testing.assert_array_equal(F.sub(a, b), A ^ B)


def test_scalar_and_list_operands():
    assert int(F.mul(2, 0x80)) == 0x1D
    assert int(F.add(5, 3)) == 6
    np.testing.assert_array_equal(F.mul([1, 2, 3], 2), [2, 4, 6])
    np.testing.assert_array_equal(F.mul([0x80, 0x40], [2, 4]), [0x1D, 0x1D])
    assert int(F.div(0x1D, 2)) == 0x80
    assert int(F.inv(2)) == slow_pow(2, 254) == 0x8E


def test_div_broadcasting(rng):
    a = rng.integers(0, 256, (6, 7), dtype=np.uint8)
    b = rng.integers(1, 256, (7,), dtype=np.uint8)
    q = F.div(a, b)
    assert q.shape == (6, 7) and q.dtype == np.uint8
    np.testing.assert_array_equal(MULT[q, b[None, :]], a)
    np.testing.assert_array_equal(F.mul(q, b), a)


def test_pow_against_repeated_multiplication(rng):
    exps = np.array([0, 1, 2, 3, 7, 254, 255, 256, 509, 510, 1000, 65535], dtype=np.int64)
    p = F.pow(ALL[:, None], exps[None, :])
    assert p.shape == (256, len(exps)) and p.dtype == np.uint8
    for a in range(256):
        for j, e in enumerate(exps):
            assert int(p[a, j]) == slow_pow(a, int(e)), (a, int(e))


def test_pow_zero_cases():
    assert int(F.pow(0, 0)) == 1  # convention 0^0 = 1
    assert int(F.pow(0, 5)) == 0
    np.testing.assert_array_equal(F.pow(ALL, 0), np.ones(256, np.uint8))


def test_pow_negative_exponents(rng):
    a = ALL[1:]
    for e in (-1, -2, -3, -254, -255, -256, -1000):
        got = F.pow(a, e)
        want = np.array([slow_pow(int(x), e) for x in a], dtype=np.uint8)
        np.testing.assert_array_equal(got, want, err_msg=f"e={e}")
    np.testing.assert_array_equal(F.pow(a, -1), F.inv(a))
    # a^e * a^-e = 1
    e = rng.integers(-10_000, 10_000, 255)
    np.testing.assert_array_equal(MULT[F.pow(a, e), F.pow(a, -e)], np.ones(255, np.uint8))


def test_pow_negative_exponent_of_zero_raises():
    with pytest.raises(ZeroDivisionError):
        F.pow(0, -1)
    with pytest.raises(ZeroDivisionError):
        F.pow(np.array([1, 0, 3], np.uint8), np.array([-1, -1, 2]))
    # a zero base with a non-negative exponent alongside negative exponents is fine
    np.testing.assert_array_equal(F.pow(np.array([0, 2], np.uint8), np.array([3, -1])),
                                  [0, slow_pow(2, -1)])


@pytest.mark.parametrize("e", [2**40, 2**40 + 1, 2**62, 2**62 + 7, 2**63 - 1, -(2**62), -(2**63) + 1])
def test_pow_large_int64_exponents(e):
    """Exponents are reduced mod 255 exactly: no int64 overflow in log * e."""
    a = ALL[1:]
    got = F.pow(a, np.int64(e))
    want = np.array([slow_pow(int(x), e % 255) for x in a], dtype=np.uint8)
    np.testing.assert_array_equal(got, want, err_msg=f"e={e}")


def test_pow_uint64_exponents():
    a = ALL[1:]
    for e in (2**63, 2**64 - 1, 2**64 - 256):
        got = F.pow(a, np.uint64(e))
        want = np.array([slow_pow(int(x), e % 255) for x in a], dtype=np.uint8)
        np.testing.assert_array_equal(got, want, err_msg=f"e={e}")


def test_pow_exponent_broadcasting(rng):
    a = rng.integers(0, 256, (5, 1), dtype=np.uint8)
    e = rng.integers(0, 600, (1, 4))
    p = F.pow(a, e)
    assert p.shape == (5, 4)
    for i in range(5):
        for j in range(4):
            assert int(p[i, j]) == slow_pow(int(a[i, 0]), int(e[0, j]))


def test_pow_rejects_non_integer_exponent():
    with pytest.raises(FieldTypeError, match="exponent"):
        F.pow(3, 1.5)
    with pytest.raises(TypeError):
        F.pow(3, np.array([1.0, 2.0]))


def test_division_by_zero_raises():
    with pytest.raises(ZeroDivisionError):
        F.div(1, 0)
    with pytest.raises(ZeroDivisionError):
        F.div(ALL, ALL)  # ALL has a 0
    with pytest.raises(ZeroDivisionError):
        F.div(np.array([1, 2], np.uint8), np.array([[1], [0]], np.uint8))
    with pytest.raises(ZeroDivisionError):
        F.inv(0)
    with pytest.raises(ZeroDivisionError):
        F.inv(ALL)


def test_elementwise_ops_do_not_modify_inputs(rng):
    a = rng.integers(0, 256, 100, dtype=np.uint8)
    b = rng.integers(1, 256, 100, dtype=np.uint8)
    a0, b0 = a.copy(), b.copy()
    F.add(a, b), F.mul(a, b), F.div(a, b), F.inv(b), F.pow(a, 3)
    n = F.neg(a)
    n[:] = 0
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


# ---- asarray ------------------------------------------------------------------------------

def test_asarray_passes_uint8_through():
    x = np.arange(10, dtype=np.uint8)
    assert F.asarray(x) is x


@pytest.mark.parametrize("value", [
    [0, 1, 255],
    np.array([0, 1, 255], dtype=np.int64),
    np.array([0, 1, 255], dtype=np.int16),
    np.array([0, 1, 255], dtype=np.uint16),
    np.array([0, 1, 255], dtype=np.uint64),
    (0, 1, 255),
])
def test_asarray_converts_integers_in_range(value):
    out = F.asarray(value)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [0, 1, 255])


def test_asarray_scalars_and_bools():
    assert F.asarray(7).dtype == np.uint8 and int(F.asarray(7)) == 7
    np.testing.assert_array_equal(F.asarray(np.array([True, False])), [1, 0])


@pytest.mark.parametrize("value", [[0, 256], [-1, 3], np.array([300], np.int16),
                                   np.array([-5], np.int8), 256, -1,
                                   np.array([2**40], np.int64), 2**64 - 1, [2**63],
                                   2**70, [1, 2**64], [1, -2**70]])
def test_asarray_rejects_out_of_range(value):
    with pytest.raises(FieldValueError, match="myarg"):
        F.asarray(value, "myarg")


@pytest.mark.parametrize("value", [[0.0, 1.0], np.array([1.5]), np.array([1.0], np.float32),
                                   ["a"], [1, "b"], np.array([1 + 2j]), object(), [None]])
def test_asarray_rejects_non_integers(value):
    with pytest.raises(FieldTypeError, match="myarg"):
        F.asarray(value, "myarg")
    assert issubclass(FieldTypeError, TypeError)


# ---- random ---------------------------------------------------------------------------------

def test_random_reproducible():
    a = F.random((7, 33), rng=np.random.default_rng(1234))
    b = F.random((7, 33), rng=np.random.default_rng(1234))
    c = F.random((7, 33), rng=1234)
    d = F.random((7, 33), rng=np.random.default_rng(1235))
    assert a.dtype == np.uint8 and a.shape == (7, 33)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, d)


def test_random_uses_the_generator_state():
    g = np.random.default_rng(5)
    a = F.random(1000, rng=g)
    b = F.random(1000, rng=g)
    assert not np.array_equal(a, b)
    # covers the whole field
    big = F.random(100_000, rng=7)
    assert set(np.unique(big).tolist()) == set(range(256))


def test_random_shapes():
    assert F.random((), rng=0).shape == ()
    assert F.random(0, rng=0).shape == (0,)
    assert F.random((2, 0, 3), rng=0).shape == (2, 0, 3)


def test_field_descriptor_behaviour():
    import pickle
    assert F == fastcode.GF256
    assert pickle.loads(pickle.dumps(F)) is F
    assert hash(F) == hash(fastcode.GF256)
    np.testing.assert_array_equal(F.eye(3), np.eye(3, dtype=np.uint8))
    assert F.eye(3).dtype == np.uint8 and F.zeros((2, 2)).dtype == np.uint8


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                   np.int64, np.uint64])
def test_pow_exponent_dtypes(dtype):
    info = np.iinfo(dtype)
    exps = np.array(sorted({0, 1, 2, 100, int(info.max), int(info.min), int(info.max) - 1}),
                    dtype=dtype)
    a = ALL[1:, None]
    got = F.pow(a, exps[None, :])
    want = np.array([[slow_pow(int(x), int(e) % 255) for e in exps] for x in a[:, 0]],
                    dtype=np.uint8)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(F.pow(ALL, np.array(True)), ALL)
