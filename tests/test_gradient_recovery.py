"""Recovery kernels (fastcode/codes/_recovery.pyx): the combine against NumPy on odd
lengths, both kernels, non-contiguous inputs (copied), zero lengths, out= buffers;
the sparse QR least squares against numpy.linalg.lstsq; responder parsing."""
import numpy as np
import pytest

from fastcode.codes import CommEfficient, CyclicRepetition
from fastcode.codes import _recovery
from fastcode.errors import FieldTypeError, InvalidArgumentError, ShardSizeError

LENGTHS = [0, 1, 15, 16, 17, 31, 33, 2047, 2048, 2049, 4097, 5000]
KERNELS = ["baseline"] + (["avx2"] if _recovery.KERNEL != "baseline" else [])


@pytest.fixture(params=KERNELS)
def kernel(request):
    old = "avx2" if _recovery.KERNEL != "baseline" else "baseline"
    _recovery.set_kernel(request.param)
    yield request.param
    _recovery.set_kernel(old)


@pytest.mark.parametrize("L", LENGTHS)
@pytest.mark.parametrize("k", [1, 3, 4, 5, 9])
@pytest.mark.parametrize("m", [1, 2, 3])
def test_combine_matches_numpy(kernel, L, k, m, rng):
    W = rng.standard_normal((m, k))
    Y = rng.standard_normal((k, L))
    out = np.full((m, L), np.nan)
    _recovery.combine(W, Y, out)
    np.testing.assert_allclose(out, W @ Y, rtol=1e-12, atol=1e-12)
    out2 = np.full((m, L), np.nan)
    _recovery.combine(W, [Y[i].copy() for i in range(k)], out2)       # list of rows
    np.testing.assert_array_equal(out, out2)


def test_combine_zero_weights_skip_rows(kernel, rng):
    W = np.array([[1.0, 0.0, 2.0, 0.0, 0.0, 3.0]])
    Y = rng.standard_normal((6, 100))
    Y[[1, 3, 4]] = np.nan
    out = np.empty((1, 100))
    _recovery.combine(W, Y, out)
    np.testing.assert_allclose(out[0], Y[0] + 2 * Y[2] + 3 * Y[5])
    _recovery.combine(np.zeros((1, 6)), Y, out)                      # all rows skipped
    np.testing.assert_array_equal(out, 0.0)
    _recovery.combine(np.zeros((1, 0)), np.zeros((0, 100)), out)     # no responders
    np.testing.assert_array_equal(out, 0.0)


def test_combine_checks_shapes():
    with pytest.raises(ShardSizeError):
        _recovery.combine(np.ones((1, 3)), np.ones((2, 5)), np.empty((1, 5)))
    with pytest.raises(ShardSizeError):
        _recovery.combine(np.ones((1, 2)), np.ones((2, 5)), np.empty((1, 4)))
    with pytest.raises(ShardSizeError):
        _recovery.combine(np.ones((1, 2)), np.ones((2, 10))[:, ::2], np.empty((1, 5)))
    with pytest.raises(ShardSizeError):
        _recovery.combine(np.ones((1, 2)), [np.ones(5), np.ones(4)], np.empty((1, 5)))


@pytest.fixture(scope="module")
def crc():
    return CyclicRepetition(10, 3, rng=1, draws=2)


def _data(code, d, rng):
    G = rng.standard_normal((code.N, d))
    return G, code.encode_all(G)


@pytest.mark.parametrize("d", [0, 1, 17, 4097])
def test_decode_out_buffers(crc, d, rng):
    G, Y = _data(crc, d, rng)
    F = [9, 0, 4, 2, 7, 5, 1]
    out = np.full(d, np.nan)
    res = crc.decode(Y[F], F, out=out)
    assert res is out
    np.testing.assert_allclose(out, G.sum(0), atol=1e-9)
    out2 = np.full((1, d), np.nan)
    assert crc.decode(Y[F], F, out=out2) is out2
    np.testing.assert_allclose(out2[0], G.sum(0), atol=1e-9)
    for bad in (np.empty(d + 1), np.empty(d, dtype=np.float32), np.empty((2, d))):
        with pytest.raises((ShardSizeError, FieldTypeError)):
            crc.decode(Y[F], F, out=bad)
    with pytest.raises(ShardSizeError):
        crc.decode(Y[F], F, out=np.empty((d, 2))[:, 0] if d > 1 else np.empty(d + 2))


def test_decode_non_contiguous_and_other_dtypes_are_copied(crc, rng):
    G, Y = _data(crc, 40, rng)
    F = [1, 2, 3, 4, 6, 8, 9]
    want = G.sum(0)
    wide = np.zeros((len(F), 80))
    wide[:, ::2] = Y[F]
    np.testing.assert_allclose(crc.decode(wide[:, ::2], F), want, atol=1e-9)      # strided
    np.testing.assert_allclose(crc.decode(np.asfortranarray(Y[F]), F), want, atol=1e-9)
    rows = [wide[i, ::2] for i in range(len(F))]                                  # strided rows
    np.testing.assert_allclose(crc.decode(rows, F), want, atol=1e-9)
    Y32 = Y[F].astype(np.float32)
    np.testing.assert_allclose(crc.decode(Y32, F), crc.decode(Y32.astype(np.float64), F))
    np.testing.assert_allclose(crc.decode([list(r) for r in Y[F]], F), want, atol=1e-9)
    before = wide.copy()
    crc.decode(wide[:, ::2], F)
    np.testing.assert_array_equal(wide, before)                                   # inputs untouched
    with pytest.raises(FieldTypeError):
        crc.decode(Y[F] + 0j, F)


def test_comm_efficient_decode_out_shape(rng):
    code = CommEfficient(7, 2, 2)
    G = rng.standard_normal((7, 9))
    Y = code.encode_all(G)                             # (7, 5): padded to 10
    F = [6, 0, 2, 3, 5]
    out = np.empty((2, 5))
    code.decode(Y[F], F, out=out)
    np.testing.assert_allclose(out.reshape(-1)[:9], G.sum(0), atol=1e-10)
    assert abs(out.reshape(-1)[9]) < 1e-10             # the padding sums to zero


# ---- sparse least squares ------------------------------------------------------------

def _csr(B):
    from fastcode.codes.gradient import csr_arrays as csr
    return csr(B)


@pytest.mark.parametrize("n,N,k,density", [(30, 30, 20, 0.2), (12, 40, 12, 0.3), (8, 8, 8, 0.9),
                                           (50, 20, 15, 0.1)])
def test_sparse_lstsq_matches_numpy(n, N, k, density, rng):
    B = rng.standard_normal((n, N)) * (rng.random((n, N)) < density)
    B[np.arange(n), np.arange(n) % N] += 1.0            # no empty rows
    F = np.sort(rng.permutation(n)[:k]).astype(np.int64)
    T = rng.standard_normal((N, 2))
    a, res, ok = _recovery.sparse_lstsq(*_csr(B), F, N, T, 1e-12)
    M = B[F].T
    if np.linalg.matrix_rank(M) == k:
        assert ok
        ref = np.linalg.lstsq(M, T, rcond=None)[0]
        np.testing.assert_allclose(a, ref, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(res, np.linalg.norm(M @ a - T, axis=0), rtol=1e-8, atol=1e-12)
    else:
        assert not ok


def test_sparse_lstsq_flags_rank_deficiency(rng):
    B = rng.standard_normal((5, 9))
    B[3] = 2 * B[1]
    a, res, ok = _recovery.sparse_lstsq(*_csr(B), np.arange(5, dtype=np.int64), 9,
                                        np.ones((9, 1)), 1e-11)
    assert not ok
    a, res, ok = _recovery.sparse_lstsq(*_csr(B), np.array([0, 1, 2, 4], dtype=np.int64), 9,
                                        np.ones((9, 1)), 1e-11)
    assert ok
    with pytest.raises(InvalidArgumentError):
        _recovery.sparse_lstsq(*_csr(B), np.array([0, 7], dtype=np.int64), 9, np.ones((9, 1)), 0.0)
    with pytest.raises(ShardSizeError):
        _recovery.sparse_lstsq(*_csr(B), np.array([0, 1], dtype=np.int64), 9, np.ones((8, 1)), 0.0)


# ---- responders ----------------------------------------------------------------------------

def test_parse_responders_forms():
    for r in ([3, 0, 7], (3, 0, 7), np.array([3, 0, 7]), np.array([3, 0, 7], dtype=np.uint8),
              [np.int32(3), 0, np.int64(7)]):
        idx, key, _ = _recovery.parse_responders(r, 10)
        assert idx.dtype == np.int64 and idx.tolist() == [3, 0, 7]
        assert key == bytes([0b10001001, 0])
    idx, key, _ = _recovery.parse_responders([], 10)
    assert len(idx) == 0 and key == bytes(2)
    for bad in ([1, 1], [10], [-1], [True], [1.0], np.array([1.0]), [[1]], "ab", [None]):
        with pytest.raises(InvalidArgumentError):
            _recovery.parse_responders(bad, 10)
