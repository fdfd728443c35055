"""Batched stripes: ``plan(B)`` with B (stripes, k, L) or a list of stripes runs
every stripe in one C call (``fc_dot_plan_apply_batch``).  Every result is
compared with the 2-D path stripe by stripe and with the NumPy reference, at
every SIMD level this CPU has, on odd lengths, unaligned views, guard bytes,
stripes that are views of one codeword array, and thread counts that split the
batch by stripes or (few long stripes) by bytes.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastcode
from fastcode import GF256
from fastcode._util import memory
from fastcode.errors import FieldTypeError, InvalidArgumentError, ShardSizeError
from fastcode.fields.gf256 import is_stripe_batch
from fastcode.reference import gf256 as ref

LEVELS = tuple(fastcode.available_simd_levels())
GUARD = 64


@pytest.fixture(params=LEVELS)
def level(request):
    previous = fastcode.simd_level()
    fastcode.set_simd_level(request.param)
    yield request.param
    fastcode.set_simd_level(previous)


def _reference(A, B):
    """(stripes, rows, L) by the NumPy reference, stripe by stripe."""
    out = np.empty((B.shape[0], A.shape[0], B.shape[2]), dtype=np.uint8)
    for s in range(B.shape[0]):
        ref.dot_prod(A, np.ascontiguousarray(B[s]), out[s])
    return out


def _matrix(rows, k, rng, kind="random"):
    A = GF256.random((rows, k), rng)
    if kind == "copies" and rows and k:
        # unit rows (copies), a scaled copy and a zero row beside general rows
        A[0] = 0
        A[0, rng.integers(k)] = 1
        if rows > 1:
            A[1] = 0
            A[1, rng.integers(k)] = 7
        if rows > 2:
            A[2] = 0
    return A


def _guarded(shape, offset, rng):
    """A (stripes, rows, L) view at address offset `offset` mod 64 inside a random
    buffer with GUARD bytes before and after; returns (view, buffer)."""
    n = int(np.prod(shape))
    buf = rng.integers(0, 256, n + 2 * GUARD + 64, dtype=np.uint8)
    start = GUARD + (offset - buf.ctypes.data - GUARD) % 64
    return buf[start:start + n].reshape(shape), buf, start


@pytest.mark.parametrize("rows,k,kind", [(4, 10, "random"), (2, 4, "random"), (1, 1, "random"),
                                         (10, 50, "random"), (20, 3, "random"),
                                         (40, 17, "random"), (6, 8, "copies")])
@pytest.mark.parametrize("length", [1, 31, 64, 65, 1000, 4096])
def test_batch_equals_2d_path_and_reference(level, rows, k, kind, length, rng):
    A = _matrix(rows, k, rng, kind)
    plan = GF256.plan_matmul(A)
    B = GF256.random((5, k, length), rng)
    out = plan(B)
    assert out.shape == (5, rows, length) and out.dtype == np.uint8
    assert np.array_equal(out, _reference(A, B))
    for s in range(5):
        assert np.array_equal(out[s], plan(B[s]))


@pytest.mark.parametrize("offset_in,offset_out", [(0, 0), (1, 63), (16, 16), (33, 7)])
def test_batch_guard_bytes_and_misaligned_views(level, offset_in, offset_out, rng):
    A = _matrix(5, 9, rng)
    B, in_buf, _ = _guarded((7, 9, 333), offset_in, rng)
    in_before = in_buf.copy()
    out, out_buf, start = _guarded((7, 5, 333), offset_out, rng)
    before = out_buf.copy()
    res = GF256.plan_matmul(A)(B, out=out)
    assert res is out
    assert np.array_equal(out, _reference(A, B))
    n = out.size
    assert np.array_equal(out_buf[:start], before[:start])
    assert np.array_equal(out_buf[start + n:], before[start + n:])
    assert np.array_equal(in_buf, in_before)


def test_batch_forms(level, rng):
    A = _matrix(3, 4, rng)
    plan = GF256.plan_matmul(A)
    B = GF256.random((4, 4, 100), rng)
    want = _reference(A, B)
    # a list of (k, L) arrays, a list of lists of rows, bytes-like rows
    assert np.array_equal(plan(list(B)), want)
    assert np.array_equal(plan([list(b) for b in B]), want)
    assert np.array_equal(plan([[bytes(r) for r in b] for b in B]), want)
    assert np.array_equal(plan(tuple(B)), want)
    # outputs as a list of stripes (arrays or lists of rows), filled in place
    out = [np.empty((3, 100), np.uint8) for _ in range(4)]
    assert plan(B, out=out) is out
    assert np.array_equal(np.stack(out), want)
    rows = [[np.empty(100, np.uint8) for _ in range(3)] for _ in range(4)]
    plan(list(B), out=rows)
    assert np.array_equal(np.array(rows), want)
    out2 = [bytearray(100) for _ in range(3)]
    plan(B[:1], out=[out2])
    assert np.array_equal(np.array([list(r) for r in out2]), want[0])


def test_batch_strided_views(level, rng):
    """Stripes of a codeword array (stripe stride > rows * L), reversed stripes, and
    rows that are not contiguous (copied on input, refused on output)."""
    A = _matrix(4, 10, rng)
    plan = GF256.plan_matmul(A)
    cw = GF256.random((6, 14, 257), rng)
    want = _reference(A, np.ascontiguousarray(cw[:, :10]))
    plan(cw[:, :10], out=cw[:, 10:])
    assert np.array_equal(cw[:, 10:], want)
    assert np.array_equal(plan(cw[::-1, :10]), want[::-1])
    assert np.array_equal(plan(cw[:, :10, ::2]), _reference(A, np.ascontiguousarray(cw[:, :10, ::2])))
    with pytest.raises(ValueError, match="contiguous"):
        plan(cw[:, :10, ::2], out=np.empty((6, 4, 257), np.uint8)[:, :, ::2])


def test_batch_in_place_codeword_overlap_is_staged(level, rng):
    # out = rows 1..4 of each stripe overlaps the inputs (rows 0..9): computed first
    A = _matrix(4, 10, rng)
    plan = GF256.plan_matmul(A)
    cw = GF256.random((5, 14, 100), rng)
    want = _reference(A, np.ascontiguousarray(cw[:, :10]))
    plan(cw[:, :10], out=cw[:, 1:5])
    assert np.array_equal(cw[:, 1:5], want)


@pytest.mark.parametrize("threads", [1, 2, 3, 5])
@pytest.mark.parametrize("stripes,length", [(9, 100_000), (2, 600_000), (1, 1_100_000),
                                            (300, 4096)])
def test_batch_threads_same_bytes(threads, stripes, length, rng):
    """Many stripes (split by stripes) and few long ones (each split by bytes)."""
    A = _matrix(4, 10, rng)
    plan = GF256.plan_matmul(A)
    B = GF256.random((stripes, 10, length), rng)
    single = plan(B, n_threads=1)
    assert np.array_equal(plan(B, n_threads=threads), single)
    cols = np.r_[0:50, length - 50:length]
    assert np.array_equal(single[:, :, cols], _reference(A, np.ascontiguousarray(B[:, :, cols])))


def test_batch_degenerate_shapes(level, rng):
    plan = GF256.plan_matmul(_matrix(3, 4, rng))
    assert plan(np.zeros((0, 4, 10), np.uint8)).shape == (0, 3, 10)
    assert plan(np.zeros((2, 4, 0), np.uint8)).shape == (2, 3, 0)
    empty_rows = GF256.plan_matmul(np.zeros((0, 4), np.uint8))
    assert empty_rows(GF256.random((2, 4, 10), rng)).shape == (2, 0, 10)
    no_inputs = GF256.plan_matmul(np.zeros((3, 0), np.uint8))
    out = np.full((2, 3, 10), 9, np.uint8)
    no_inputs(np.zeros((2, 0, 10), np.uint8), out=out)
    assert not out.any()


@pytest.mark.parametrize("bad,exc,match", [
    (np.zeros((2, 4, 10), np.uint16), FieldTypeError, "dtype"),
    (np.zeros((2, 5, 10), np.uint8), ShardSizeError, "5 rows, expected 4"),
    ([np.zeros((4, 10), np.uint8), np.zeros((3, 10), np.uint8)], ShardSizeError, r"B\[1\]"),
    ([np.zeros((4, 10), np.uint8), np.zeros((4, 11), np.uint8)], ShardSizeError, "length"),
    ([[np.zeros(10, np.uint8)] * 3 + [None]], FieldTypeError, r"B\[0\]\[3\]"),
])
def test_batch_bad_inputs_named(bad, exc, match):
    plan = GF256.plan_matmul(np.ones((3, 4), np.uint8))
    with pytest.raises(exc, match=match):
        plan(bad)


def test_batch_bad_outputs_untouched(rng):
    plan = GF256.plan_matmul(_matrix(3, 4, rng))
    B = GF256.random((2, 4, 10), rng)
    ro = np.zeros((2, 3, 10), np.uint8)
    ro.setflags(write=False)
    cases = [(np.zeros((2, 3, 11), np.uint8), ShardSizeError),
             (np.zeros((3, 3, 10), np.uint8), ShardSizeError),
             (np.zeros((2, 2, 10), np.uint8), ShardSizeError),
             (np.zeros((2, 3, 10), np.int8), FieldTypeError),
             (ro, ValueError)]
    for out, exc in cases:
        before = np.array(out, copy=True)
        with pytest.raises(exc):
            plan(B, out=out)
        assert np.array_equal(out, before)


def test_batch_out_rows_overlapping_each_other_are_refused(rng):
    plan = GF256.plan_matmul(_matrix(3, 4, rng))
    B = GF256.random((4, 4, 32), rng)
    buf = np.zeros(4096, np.uint8)
    # stripes 48 bytes apart, rows 64 apart: stripe 1's row 0 overlaps stripe 0's row 0
    out = np.lib.stride_tricks.as_strided(buf, (4, 3, 32), (48, 64, 1))
    with pytest.raises(InvalidArgumentError, match="overlap each other"):
        plan(B, out=out)
    row = np.zeros(32, np.uint8)
    with pytest.raises(InvalidArgumentError):
        plan(B, out=[[np.zeros(32, np.uint8)] * 3] * 3 + [[row, row, np.zeros(32, np.uint8)]])
    assert not buf.any() and not row.any()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_batch_any_placement_right_or_refused(data):
    """Stripes placed anywhere in one buffer (3-D views with any strides, inputs
    and outputs interleaved): the result is the reference's, or the call raises
    InvalidArgumentError exactly when two output rows share bytes, with nothing
    written."""
    k, rows = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3))
    S = data.draw(st.integers(1, 4))
    L = data.draw(st.integers(1, 24))
    buf = np.random.default_rng(data.draw(st.integers(0, 99))).integers(0, 256, 4000, np.uint8)

    def view(r):
        s1 = data.draw(st.integers(1, 2 * L))
        s0 = data.draw(st.integers(1, 3 * r * L))
        span = (S - 1) * s0 + (r - 1) * s1 + L
        at = data.draw(st.integers(0, len(buf) - span))
        return np.lib.stride_tricks.as_strided(buf[at:], (S, r, L), (s0, s1, 1))

    A = GF256.random((rows, k), data.draw(st.integers(0, 99)))
    B, out = view(k), view(rows)
    want = _reference(A, np.ascontiguousarray(B))
    before = buf.copy()
    out_rows = [out[s, r] for s in range(S) for r in range(rows)]
    alias = memory.sweep(out_rows, [])[1]
    try:
        GF256.plan_matmul(A)(B, out=out)
    except InvalidArgumentError:
        assert alias
        assert np.array_equal(buf, before)
        return
    assert not alias
    assert np.array_equal(out, want)


def test_is_stripe_batch():
    assert is_stripe_batch(np.zeros((1, 2, 3), np.uint8))
    assert is_stripe_batch([np.zeros((2, 3), np.uint8)])
    assert is_stripe_batch([[np.zeros(3, np.uint8)]])
    assert is_stripe_batch([[]])
    assert not is_stripe_batch(np.zeros((2, 3), np.uint8))
    assert not is_stripe_batch([np.zeros(3, np.uint8)])
    assert not is_stripe_batch([[1, 2, 3]])          # a malformed list of rows, not stripes
    assert not is_stripe_batch([])
    assert not is_stripe_batch(b"abc")


def test_batch_on_the_numpy_backend(rng):
    A = _matrix(3, 5, rng)
    B = GF256.random((3, 5, 40), rng)
    previous = fastcode.get_backend()
    fastcode.set_backend("numpy")
    try:
        plan = GF256.plan_matmul(A)
        assert np.array_equal(plan(B), _reference(A, B))
        cw = np.concatenate([B, np.zeros((3, 3, 40), np.uint8)], axis=1)
        plan(cw[:, :5], out=cw[:, 2:5])           # overlaps the inputs: staged
        assert np.array_equal(cw[:, 2:5], _reference(A, B))
        with pytest.raises(InvalidArgumentError):
            plan(B, out=[[np.zeros(40, np.uint8)] * 3] * 3)
    finally:
        fastcode.set_backend(previous)
