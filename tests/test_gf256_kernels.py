"""GF(2^8) bulk kernels (matmul / plans / mul_region / mad_region) against the
NumPy reference, at every SIMD level this CPU has.

Every output is written into a view of a larger buffer filled with random bytes;
everything outside the view must be unchanged afterwards (guard bytes before and
after every output row), and inputs must be unchanged.  Views are placed at a
chosen misalignment (address mod 64) so the unaligned paths are exercised.

Level-parametrized tests run for every level fastcode knows; a level this CPU
lacks is skipped with a message saying so, and the module prints which levels
ran and which were skipped.  CI reruns this file with FASTCODE_SIMD=<level>
for each level the CPU has: then only the level selected at import is
exercised (that is the point of the rerun) and the others skip with a message.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastcode
from fastcode import GF256 as F
from fastcode.errors import ShardSizeError
from fastcode.reference import gf256 as ref

MUL = ref.MUL  # checked exhaustively against an independent clmul in test_gf256_field.py
IMPORT_LEVEL = fastcode.simd_level()
FORCED = os.environ.get("FASTCODE_SIMD", "")
AVAILABLE = tuple(fastcode.available_simd_levels())
LEVELS = (IMPORT_LEVEL,) if FORCED else AVAILABLE
ALL_LEVELS = fastcode.platform.SIMD_LEVELS
_RAN = set()      # levels some test of this module actually ran on
_SKIPPED = {}     # level -> why it was skipped

LENGTHS = (0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 4097)
BIG = (1 << 20) + 3
GUARD = 64


def _native():
    from fastcode.fields.gf256 import _native
    return _native


def _skip_reason(level):
    """Why `level` is not exercised in this run, or None if it is."""
    if level not in AVAILABLE:
        return (f"this CPU lacks the {level} level "
                f"(it has {', '.join(AVAILABLE)})")
    if level not in LEVELS:
        return f"FASTCODE_SIMD={FORCED} run: only {IMPORT_LEVEL} is exercised"
    return None


@pytest.fixture(params=ALL_LEVELS)
def simd(request):
    """Force a SIMD level for one test, restoring the previous one afterwards;
    skip (with the reason) a level this CPU or this run does not cover."""
    why = _skip_reason(request.param)
    if why:
        _SKIPPED[request.param] = why
        pytest.skip(why)
    prev = fastcode.simd_level()
    fastcode.set_simd_level(request.param)
    assert fastcode.simd_level() == request.param
    _RAN.add(request.param)
    yield request.param
    fastcode.set_simd_level(prev)


@pytest.fixture(scope="module", autouse=True)
def _report_levels(request):
    """After the module, name the levels that ran and those skipped (and why)
    in the terminal output, also under -q."""
    yield
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    ran = [lv for lv in ALL_LEVELS if lv in _RAN]
    with capture.global_and_fixture_disabled():   # past output capturing, also under -q
        reporter.write_line(f"\nGF(2^8) kernel levels run: {', '.join(ran) or 'none'}")
        for level, why in _SKIPPED.items():
            reporter.write_line(f"GF(2^8) kernel level skipped: {level}: {why}")


@pytest.fixture
def threads_restored():
    prev = fastcode.get_num_threads()
    yield
    fastcode.set_num_threads(prev)


# ---- helpers -----------------------------------------------------------------------------

def expected_matmul(A, B):
    """out[r] = XOR_j A[r, j] * B[j], from the reference product table."""
    A = np.asarray(A, dtype=np.uint8)
    B = np.asarray(B, dtype=np.uint8)
    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.uint8)
    for r in range(A.shape[0]):
        for j in range(A.shape[1]):
            c = A[r, j]
            if c:
                out[r] ^= MUL[c][B[j]]
    return out


class Guarded:
    """A (rows, length) view at address misalignment `mis` (mod 64) inside a
    larger random buffer; check() asserts nothing outside the view changed."""

    def __init__(self, rows, length, mis, rng):
        width = ((2 * GUARD + 64 + length + 63) // 64) * 64
        self.buf = rng.integers(0, 256, (rows, width), dtype=np.uint8)
        base = self.buf.ctypes.data
        self.start = GUARD + ((mis - (base + GUARD)) % 64)
        self.length = length
        self.view = self.buf[:, self.start:self.start + length]
        if rows and length:
            assert self.view.ctypes.data % 64 == mis % 64
        self.snapshot = self.buf.copy()

    def check(self, what="out"):
        after = self.buf.copy()
        after[:, self.start:self.start + self.length] = \
            self.snapshot[:, self.start:self.start + self.length]
        if not np.array_equal(after, self.snapshot):
            bad = np.argwhere(after != self.snapshot)[:5].tolist()
            pytest.fail(f"{what}: bytes outside the view were modified at (row, col) {bad} "
                        f"(view starts at col {self.start}, length {self.length})")

    def unchanged(self, what="input"):
        if not np.array_equal(self.buf, self.snapshot):
            pytest.fail(f"{what} was modified")


def structured_matrix(rows, k, rng):
    """Rows of every kind the plan distinguishes: zero, unit (copy), single
    non-zero (scaled copy), 0/1, general; plus some all-zero columns."""
    A = rng.integers(1, 256, (rows, k), dtype=np.uint8)
    if k >= 3:
        A[:, rng.choice(k, size=k // 3, replace=False)] = 0
    kinds = rng.permutation(np.arange(rows) % 5)
    for r, kind in enumerate(kinds):
        j = rng.integers(k)
        if kind == 0:
            A[r] = 0
        elif kind == 1:
            A[r] = 0
            A[r, j] = 1
        elif kind == 2:
            A[r] = 0
            A[r, j] = rng.integers(2, 256)
        elif kind == 3:
            A[r] = rng.integers(0, 2, k)
        else:
            A[r] = rng.integers(0, 256, k)
    return A


def matrix_of_kind(kind, rows, k, rng):
    if kind == "random":
        return rng.integers(0, 256, (rows, k), dtype=np.uint8)
    if kind == "dense":
        return rng.integers(1, 256, (rows, k), dtype=np.uint8)
    if kind == "structured":
        return structured_matrix(rows, k, rng)
    if kind == "binary":
        return rng.integers(0, 2, (rows, k), dtype=np.uint8)
    if kind == "zero":
        return np.zeros((rows, k), dtype=np.uint8)
    if kind == "units":  # every row a copy of some input
        A = np.zeros((rows, k), dtype=np.uint8)
        A[np.arange(rows), rng.integers(0, k, rows)] = 1
        return A
    if kind == "scaled":  # every row a scaled copy
        A = np.zeros((rows, k), dtype=np.uint8)
        A[np.arange(rows), rng.integers(0, k, rows)] = rng.integers(2, 256, rows)
        return A
    if kind == "zerocols":  # general rows, but half the columns all zero
        A = rng.integers(1, 256, (rows, k), dtype=np.uint8)
        A[:, ::2] = 0
        return A
    raise AssertionError(kind)


KINDS = ("random", "dense", "structured", "binary", "zero", "units", "scaled", "zerocols")


def run_matmul(A, k, length, rng, mis_in=None, mis_out=None, n_threads=None, plan=None):
    """A @ B with guarded, misaligned input and output views; asserts everything."""
    rows = A.shape[0]
    mis_in = int(rng.integers(64)) if mis_in is None else mis_in
    mis_out = int(rng.integers(64)) if mis_out is None else mis_out
    gin = Guarded(k, length, mis_in, rng)
    gout = Guarded(rows, length, mis_out, rng)
    want = expected_matmul(A, gin.view)
    call = plan if plan is not None else (lambda B, out, n_threads: F.matmul(A, B, out=out,
                                                                             n_threads=n_threads))
    res = call(gin.view, out=gout.view, n_threads=n_threads)
    assert res is gout.view
    ctx = f"A{A.shape} L={length} mis_in={mis_in} mis_out={mis_out} level={fastcode.simd_level()}"
    if not np.array_equal(gout.view, want):
        r, i = np.argwhere(gout.view != want)[0]
        pytest.fail(f"{ctx}: first mismatch at row {r}, byte {i}: "
                    f"got {gout.view[r, i]}, want {want[r, i]}; A row = {A[r].tolist()}")
    gout.check(f"out ({ctx})")
    gin.unchanged(f"B ({ctx})")
    return want


# ---- matmul: lengths, shapes, matrix kinds ----------------------------------------------

def test_level_fixture_sanity():
    assert set(LEVELS) <= set(AVAILABLE) <= set(ALL_LEVELS)
    assert AVAILABLE[0] == "scalar"
    assert AVAILABLE[-1] == fastcode.platform.default_simd_level()
    if FORCED in AVAILABLE:
        assert IMPORT_LEVEL == FORCED


def test_info_lists_levels():
    info = fastcode.info()
    assert info["simd_available"] == list(AVAILABLE)
    assert info["simd_default"] == AVAILABLE[-1]
    assert set(ALL_LEVELS) == {"scalar", "ssse3", "avx2", "avx512", "avx2_gfni", "avx512_gfni",
                               "neon"}
    if _native() is not None:
        assert ALL_LEVELS == _native().LEVELS   # the C enum's names, in its order


def test_levels_match_cpu_features():
    """A level is available exactly when the CPU has the features it needs."""
    f = fastcode.platform.cpu_features()
    needs = {"ssse3": f["ssse3"], "avx2": f["avx2"],
             "avx512": f["avx512f"] and f["avx512bw"],
             "avx2_gfni": f["avx2"] and f["gfni"],
             "avx512_gfni": f["avx512f"] and f["avx512bw"] and f["avx512vl"] and f["gfni"],
             "neon": f["neon"]}
    if _native() is None:
        pytest.skip("native module not built")
    for level, has in needs.items():
        assert (level in AVAILABLE) == bool(has), level


@pytest.mark.parametrize("length", LENGTHS)
def test_matmul_lengths(simd, length, rng):
    for rows, k in [(1, 1), (1, 3), (3, 5), (6, 10), (7, 7), (8, 12), (13, 4)]:
        for kind in ("random", "structured"):
            run_matmul(matrix_of_kind(kind, rows, k, rng), k, length, rng)


@pytest.mark.parametrize("rows", range(1, 9))
@pytest.mark.parametrize("k", [1, 2, 3, 5, 6, 7, 16, 31, 32])
def test_matmul_shapes(simd, rows, k, rng):
    for kind in KINDS:
        run_matmul(matrix_of_kind(kind, rows, k, rng), k, 131, rng)


@pytest.mark.parametrize("rows,k", [(9, 3), (12, 32), (13, 5), (19, 17), (40, 32), (64, 2)])
def test_matmul_many_groups(simd, rows, k, rng):
    for kind in ("random", "structured", "dense", "binary"):
        run_matmul(matrix_of_kind(kind, rows, k, rng), k, 200, rng)


def test_matmul_every_offset(simd, rng):
    """Every input misalignment 0..63 and every output misalignment 0..63."""
    A = structured_matrix(8, 6, rng)
    A[0] = rng.integers(1, 256, 6)  # make sure some group exists
    A[1] = rng.integers(1, 256, 6)
    for mis in range(64):
        run_matmul(A, 6, 97, rng, mis_in=mis, mis_out=(37 * mis + 5) % 64)
        run_matmul(A, 6, 160, rng, mis_in=(11 * mis + 3) % 64, mis_out=mis)


def test_matmul_every_coefficient(simd, rng):
    """Each coefficient 0..255 through the single-row path and through the group kernels."""
    c = np.arange(256, dtype=np.uint8)
    run_matmul(c[:, None].copy(), 1, 77, rng)                     # rows c * B0 (singles)
    A = np.stack([c, rng.integers(1, 256, 256, dtype=np.uint8)], axis=1)
    run_matmul(A, 2, 77, rng)                                     # c*B0 + d*B1 (groups)
    A = np.stack([rng.integers(1, 256, 256, dtype=np.uint8), c[::-1]], axis=1)
    run_matmul(A, 2, 33, rng)


@pytest.mark.parametrize("rows,k,kind", [(4, 5, "random"), (8, 6, "structured"), (1, 1, "dense")])
def test_matmul_big(simd, rows, k, kind, rng):
    run_matmul(matrix_of_kind(kind, rows, k, rng), k, BIG, rng, mis_in=1, mis_out=63)


def test_matmul_degenerate_shapes(simd, rng):
    # rows == 0
    B = F.random((4, 50), rng)
    out = F.matmul(np.zeros((0, 4), np.uint8), B)
    assert out.shape == (0, 50) and out.dtype == np.uint8
    # k == 0: the empty sum is zero, also into a guarded out
    g = Guarded(3, 50, 5, rng)
    F.matmul(np.zeros((3, 0), np.uint8), np.zeros((0, 50), np.uint8), out=g.view)
    assert not g.view.any()
    g.check()
    out = F.matmul(np.zeros((3, 0), np.uint8), np.zeros((0, 50), np.uint8))
    assert out.shape == (3, 50) and not out.any()
    # length 0 with out given
    g = Guarded(3, 0, 7, rng)
    F.matmul(F.random((3, 2), rng), np.zeros((2, 0), np.uint8), out=g.view)
    g.check()


# ---- matmul: input and output forms ----------------------------------------------------

def test_matmul_returns_new_array(simd, rng):
    A = F.random((5, 7), rng)
    B = F.random((7, 1000), rng)
    out = F.matmul(A, B)
    assert isinstance(out, np.ndarray) and type(out) is np.ndarray
    assert out.dtype == np.uint8 and out.shape == (5, 1000) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, expected_matmul(A, B))


def test_matmul_A_as_lists_and_other_int_dtypes(simd, rng):
    A = F.random((3, 4), rng)
    B = F.random((4, 70), rng)
    want = expected_matmul(A, B)
    np.testing.assert_array_equal(F.matmul(A.tolist(), B), want)
    np.testing.assert_array_equal(F.matmul(A.astype(np.int64), B), want)
    np.testing.assert_array_equal(F.matmul(np.asfortranarray(A), B), want)
    np.testing.assert_array_equal(F.matmul(np.ascontiguousarray(A.T).T, B), want)


def test_matmul_list_of_buffers(simd, rng):
    k, rows, L = 6, 7, 333
    A = structured_matrix(rows, k, rng)
    A[:2] = rng.integers(1, 256, (2, k))
    data = F.random((k, L), rng)
    want = expected_matmul(A, data)
    # inputs at different misalignments, mixed buffer types
    bufs = [Guarded(1, L, m, rng) for m in (1, 7, 13, 33, 62, 0)]
    for g, row in zip(bufs, data):
        g.view[0] = row
        g.snapshot = g.buf.copy()
    inputs = [bufs[0].view[0], bytes(data[1]), bytearray(data[2]), memoryview(bytes(data[3])),
              bufs[4].view[0], memoryview(bytearray(data[5]))]
    outs = [Guarded(1, L, m, rng) for m in range(3, 3 + 9 * rows, 9)]
    out_list = [g.view[0] for g in outs]
    res = F.matmul(A, inputs, out=out_list)
    assert res is out_list
    for r, g in enumerate(outs):
        np.testing.assert_array_equal(g.view[0], want[r], err_msg=f"row {r}")
        g.check(f"out[{r}]")
    bufs[0].unchanged()
    bufs[4].unchanged()
    # out as bytearrays and a 2-D result from a list input
    out_ba = [bytearray(L) for _ in range(rows)]
    F.matmul(A, inputs, out=out_ba)
    for r in range(rows):
        assert bytes(out_ba[r]) == want[r].tobytes()
    np.testing.assert_array_equal(F.matmul(A, inputs), want)
    np.testing.assert_array_equal(F.matmul(A, [bytes(x) for x in data]), want)
    np.testing.assert_array_equal(F.matmul(A, tuple(bytearray(x) for x in data)), want)
    # a 2-D out with a list input, and a list out with a 2-D input
    g = Guarded(rows, L, 9, rng)
    F.matmul(A, inputs, out=g.view)
    np.testing.assert_array_equal(g.view, want)
    g.check()
    out_list = [np.empty(L, np.uint8) for _ in range(rows)]
    F.matmul(A, data, out=out_list)
    np.testing.assert_array_equal(np.stack(out_list), want)


def test_matmul_vector(simd, rng):
    for rows, k in [(1, 1), (5, 3), (8, 8), (13, 31)]:
        A = F.random((rows, k), rng)
        x = F.random(k, rng)
        want = expected_matmul(A, x[:, None])[:, 0]
        y = F.matmul(A, x)
        assert y.shape == (rows,) and y.dtype == np.uint8
        np.testing.assert_array_equal(y, want)
        out = np.empty(rows, np.uint8)
        assert F.matmul(A, x, out=out) is out
        np.testing.assert_array_equal(out, want)
        # strided input vector and a strided output vector in a guarded buffer
        xs = np.zeros(2 * k, np.uint8)
        xs[::2] = x
        g = Guarded(1, 2 * rows, 3, rng)
        ys = g.view[0, ::2]
        F.matmul(A, xs[::2], out=ys)
        np.testing.assert_array_equal(ys, want)
        # the odd bytes between the strided outputs are untouched
        np.testing.assert_array_equal(g.view[0, 1::2],
                                      g.snapshot[0, g.start + 1:g.start + 2 * rows:2])
        g.view[0, ::2] = g.snapshot[0, g.start:g.start + 2 * rows:2]
        g.check()


@pytest.mark.parametrize("form", ["stride2", "fortran", "reversed_rows", "reversed_cols",
                                  "transpose", "every_other_row"])
def test_matmul_noncontiguous_inputs(simd, form, rng):
    k, rows, L = 5, 7, 301
    A = structured_matrix(rows, k, rng)
    A[0] = rng.integers(1, 256, k)
    data = F.random((k, L), rng)
    want = expected_matmul(A, data)
    if form == "stride2":
        big = F.random((k, 2 * L), rng)
        big[:, ::2] = data
        B = big[:, ::2]
    elif form == "fortran":
        B = np.asfortranarray(data)
    elif form == "reversed_rows":
        B = data[::-1].copy()[::-1]
    elif form == "reversed_cols":
        B = data[:, ::-1].copy()[:, ::-1]
    elif form == "transpose":
        B = np.ascontiguousarray(data.T).T
    else:
        big = F.random((2 * k, L), rng)
        big[::2] = data
        B = big[::2]
    np.testing.assert_array_equal(B, data)
    B0 = B.copy()
    g = Guarded(rows, L, 17, rng)
    F.matmul(A, B, out=g.view)
    np.testing.assert_array_equal(g.view, want)
    g.check()
    np.testing.assert_array_equal(B, B0)
    np.testing.assert_array_equal(F.matmul(A, B), want)
    # the same through a list of non-contiguous 1-D rows
    np.testing.assert_array_equal(F.matmul(A, [B[j] for j in range(k)]), want)


def test_matmul_out_with_reversed_row_order(simd, rng):
    A = F.random((4, 3), rng)
    B = F.random((3, 100), rng)
    buf = np.zeros((4, 100), np.uint8)
    F.matmul(A, B, out=buf[::-1])
    np.testing.assert_array_equal(buf[::-1], expected_matmul(A, B))


def test_matmul_does_not_modify_A(simd, rng):
    A = structured_matrix(8, 9, rng)
    A0 = A.copy()
    F.matmul(A, F.random((9, 70), rng))
    F.plan_matmul(A)(F.random((9, 70), rng))
    np.testing.assert_array_equal(A, A0)


def test_matmul_with_out_allocates_no_region_memory(rng):
    """DESIGN 2: every bulk operation takes out= and allocates nothing when given
    (NumPy reports its buffers to tracemalloc; a copy of B or out would show up)."""
    import tracemalloc
    if fastcode.get_backend() != "native":
        pytest.skip("the NumPy reference allocates temporaries by design")
    L = 1 << 20
    A = structured_matrix(8, 10, rng)
    A[:3] = rng.integers(1, 256, (3, 10))
    B = F.random((10, L), rng)
    out = np.empty((8, L), np.uint8)
    plan = F.plan_matmul(A)
    blist = list(B)
    olist = list(out)
    src, acc = B[0], out[0]
    for call in (lambda: F.matmul(A, B, out=out), lambda: plan(B, out=out),
                 lambda: plan(blist, out=olist), lambda: F.mad_region(7, src, acc),
                 lambda: F.mul_region(7, src, out=acc)):
        call()  # warm up
        tracemalloc.start()
        try:
            call()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < L // 4, f"peak {peak} bytes allocated for a {L}-byte region"


# ---- plans ------------------------------------------------------------------------------

def test_plan_reuse(simd, rng):
    for rows, k in [(3, 4), (8, 10), (14, 6)]:
        A = structured_matrix(rows, k, rng)
        A[0] = rng.integers(1, 256, k)
        plan = F.plan_matmul(A)
        assert plan.shape == (rows, k)
        for length in (1, 64, 65, 4097, 33, 0, 1000):
            run_matmul(A, k, length, rng, plan=plan)
        # same out reused, several inputs
        out = np.empty((rows, 500), np.uint8)
        for _ in range(3):
            B = F.random((k, 500), rng)
            assert plan(B, out=out) is out
            np.testing.assert_array_equal(out, expected_matmul(A, B))
        # A modified after planning: the plan keeps the matrix it was built from
        A_before = A.copy()
        A[:] = 0
        B = F.random((k, 200), rng)
        np.testing.assert_array_equal(plan(B), expected_matmul(A_before, B))


def test_plan_shared_across_python_threads(simd, rng):
    """Plans are immutable: several threads may apply one plan at once (GIL released)."""
    A = structured_matrix(10, 12, rng)
    A[:3] = rng.integers(1, 256, (3, 12))
    plan = F.plan_matmul(A)
    datas = [F.random((12, 20_000 + 7 * i), rng) for i in range(8)]
    wants = [expected_matmul(A, d) for d in datas]
    barrier = threading.Barrier(4, timeout=120)

    def work(i):
        if i < 4:
            barrier.wait()
        outs = []
        for _ in range(3):
            outs.append(plan(datas[i]))
        return outs

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(8)))
    for i, outs in enumerate(results):
        for o in outs:
            np.testing.assert_array_equal(o, wants[i])


# ---- mul_region / mad_region -------------------------------------------------------------

COEFFS = (0, 1, 2, 3, 0x1D, 0x8E, 0x80, 255)


def _check_region_op(op, c, length, rng, mis_in, mis_out):
    gin = Guarded(1, length, mis_in, rng)
    gout = Guarded(1, length, mis_out, rng)
    src = gin.view[0]
    out = gout.view[0]
    before = out.copy()
    if op == "mul":
        want = MUL[c][src]
        res = F.mul_region(c, src, out=out)
    else:
        want = before ^ MUL[c][src]
        res = F.mad_region(c, src, out)
    assert res is out
    ctx = f"{op} c={c} L={length} mis_in={mis_in} mis_out={mis_out} level={fastcode.simd_level()}"
    np.testing.assert_array_equal(out, want, err_msg=ctx)
    gout.check(ctx)
    gin.unchanged(ctx)


@pytest.mark.parametrize("op", ["mul", "mad"])
@pytest.mark.parametrize("length", LENGTHS)
def test_region_lengths(simd, op, length, rng):
    for c in COEFFS + tuple(int(x) for x in rng.integers(2, 256, 3)):
        _check_region_op(op, c, length, rng, int(rng.integers(64)), int(rng.integers(64)))


@pytest.mark.parametrize("op", ["mul", "mad"])
def test_region_every_offset(simd, op, rng):
    for mis in range(64):
        c = int(rng.integers(2, 256))
        _check_region_op(op, c, 95, rng, mis, (29 * mis + 1) % 64)
        _check_region_op(op, 1, 95, rng, (5 * mis + 2) % 64, mis)


@pytest.mark.parametrize("op", ["mul", "mad"])
def test_region_every_coefficient(simd, op, rng):
    for c in range(256):
        _check_region_op(op, c, 70, rng, c % 64, (c * 7) % 64)


@pytest.mark.parametrize("op", ["mul", "mad"])
def test_region_big(simd, op, rng):
    for c in (1, int(rng.integers(2, 256))):
        _check_region_op(op, c, BIG, rng, 1, 63)


@pytest.mark.parametrize("length", [1, 17, 64, 97, 4097])
def test_region_in_place(simd, length, rng):
    for c in COEFFS:
        g = Guarded(1, length, int(rng.integers(64)), rng)
        x = g.view[0]
        x0 = x.copy()
        assert F.mul_region(c, x, out=x) is x
        np.testing.assert_array_equal(x, MUL[c][x0])
        g.check("mul in place")
        x1 = x.copy()
        assert F.mad_region(c, x, x) is x
        # x + c*x = (1 + c) x
        np.testing.assert_array_equal(x, x1 ^ MUL[c][x1])
        np.testing.assert_array_equal(x, MUL[1 ^ c][x1])
        g.check("mad in place")


def test_region_buffer_types(simd, rng):
    src = F.random(100, rng)
    c = 0x53
    want = MUL[c][src]
    np.testing.assert_array_equal(F.mul_region(c, src), want)
    np.testing.assert_array_equal(F.mul_region(c, bytes(src)), want)
    np.testing.assert_array_equal(F.mul_region(c, bytearray(src)), want)
    np.testing.assert_array_equal(F.mul_region(np.uint8(c), src[::1]), want)
    out = bytearray(100)
    F.mul_region(c, src, out=out)
    assert bytes(out) == want.tobytes()
    acc = bytearray(src.tobytes())
    F.mad_region(c, bytes(src), acc)
    assert bytes(acc) == (src ^ want).tobytes()
    # non-contiguous source is copied, not rejected
    big = F.random(200, rng)
    np.testing.assert_array_equal(F.mul_region(c, big[::2]), MUL[c][big[::2]])
    out = np.zeros(100, np.uint8)
    F.mad_region(c, big[::2], out)
    np.testing.assert_array_equal(out, MUL[c][big[::2]])
    # out=None allocates a fresh array
    res = F.mul_region(c, src)
    assert res is not src and res.dtype == np.uint8 and res.shape == (100,)


# ---- threads -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_threads_case():
    rng = np.random.default_rng(20240611)
    L = (4 << 20) + 17
    B = rng.integers(0, 256, (4, L), dtype=np.uint8)
    A = np.array([[1, 2, 3, 4], [0, 0, 7, 0], [5, 0, 0, 9], [0, 1, 0, 0], [0, 0, 0, 0]],
                 dtype=np.uint8)
    return A, B, expected_matmul(A, B)


@pytest.mark.parametrize("n_threads", [2, 3, 4])
def test_threads_equal_single_thread(simd, n_threads, big_threads_case):
    A, B, want = big_threads_case
    one = F.matmul(A, B, n_threads=1)
    np.testing.assert_array_equal(one, want)
    many = F.matmul(A, B, n_threads=n_threads)
    np.testing.assert_array_equal(many, want)
    # through a misaligned view of B and a guarded out as well
    L = B.shape[1] - 5
    rng = np.random.default_rng(n_threads)
    g = Guarded(A.shape[0], L, 13, rng)
    F.matmul(A, B[:, 3:3 + L], out=g.view, n_threads=n_threads)
    np.testing.assert_array_equal(g.view, want[:, 3:3 + L])
    g.check()


def test_set_num_threads_used_by_default(simd, big_threads_case, threads_restored):
    A, B, want = big_threads_case
    for n in (3, 2, 1):
        fastcode.set_num_threads(n)
        assert fastcode.get_num_threads() == n
        np.testing.assert_array_equal(F.matmul(A, B), want)
        np.testing.assert_array_equal(F.plan_matmul(A)(B), want)


def test_threads_many_groups_and_region_lengths(threads_restored, rng):
    # several groups + singles, a length that is not a multiple of 64
    A = structured_matrix(14, 8, rng)
    A[:8] = rng.integers(1, 256, (8, 8))
    L = (1 << 20) + 45
    B = F.random((8, L), rng)
    want = expected_matmul(A, B)
    for n in (1, 2, 3, 4, 7):
        np.testing.assert_array_equal(F.matmul(A, B, n_threads=n), want, err_msg=f"n={n}")


def test_threads_wide_k_short_regions(rng):
    """A large k with short regions lets many threads start on chunks of a few
    bytes, some of them empty; the result must not change."""
    k, L = 6000, 200
    A = rng.integers(0, 256, (2, k), dtype=np.uint8)
    A[1, ::3] = 0
    B = F.random((k, L), rng)
    want = np.zeros((2, L), np.uint8)
    for r in range(2):
        for j in np.nonzero(A[r])[0]:
            want[r] ^= MUL[A[r, j]][B[j]]
    for n in (1, 2, 3, 8):
        g = Guarded(2, L, 5, rng)
        F.matmul(A, B, out=g.view, n_threads=n)
        np.testing.assert_array_equal(g.view, want, err_msg=f"n={n}")
        g.check()


# ---- cache-blocking stripes -----------------------------------------------------------

@pytest.fixture
def stripe_len():
    native = _native()
    if native is None:
        pytest.skip("native module not built")
    return native.stripe_len


def test_stripe_len_properties(stripe_len):
    for k in (1, 2, 10, 32, 50, 200, 1000):
        for rows in (1, 4, 8, 16, 100):
            s = stripe_len(k, rows)
            assert s % 64 == 0 and 1024 <= s <= 64 * 1024, (k, rows, s)


@pytest.mark.parametrize("k,rows", [(10, 4), (32, 8), (3, 7), (150, 8), (1, 1)])
def test_stripe_boundaries(simd, stripe_len, k, rows, rng):
    s = stripe_len(k, rows)
    A = structured_matrix(rows, k, rng)
    A[0] = rng.integers(1, 256, k)
    lengths = [s - 1, s, s + 1, 2 * s - 1, 2 * s, 2 * s + 1, 3 * s + 33]
    if s > 16 * 1024:
        lengths = [s - 1, s + 1, 2 * s + 3]
    plan = F.plan_matmul(A)
    for length in lengths:
        run_matmul(A, k, length, rng, plan=plan)


# ---- the private module keeps its own checks -----------------------------------------

def test_native_dot_prod_checks_lengths():
    native = _native()
    if native is None:
        pytest.skip("native module not built")
    M = np.ones((2, 2), np.uint8)
    with pytest.raises(ShardSizeError):
        native.dot_prod(M, np.zeros((2, 10), np.uint8), np.zeros((2, 9), np.uint8))
    with pytest.raises(ShardSizeError):
        native.dot_prod(M, [np.zeros(10, np.uint8), np.zeros(9, np.uint8)],
                        np.zeros((2, 10), np.uint8))
    with pytest.raises(ShardSizeError):
        native.dot_prod(M, np.zeros((3, 10), np.uint8), np.zeros((2, 10), np.uint8))
    with pytest.raises(ShardSizeError):
        native.mul_region(3, np.zeros(10, np.uint8), np.zeros(9, np.uint8))
    with pytest.raises(ShardSizeError):
        native.mad_region(3, np.zeros(10, np.uint8), np.zeros(11, np.uint8))
    with pytest.raises(ValueError):
        native.dot_prod(M, np.zeros((2, 10), np.uint8), np.zeros((2, 20), np.uint8)[:, ::2])


# ---- every length, offset and output count, against two definitions -----------------------

def logexp_matmul(A, B):
    """out[r] = XOR_j A[r, j] * B[j] with a * b = exp(log a + log b) (0 if either is 0):
    the textbook definition, independent of the product table the kernels use."""
    A = np.asarray(A, dtype=np.uint8)
    B = np.asarray(B, dtype=np.uint8)
    log, exp = ref.LOG, ref.EXP
    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.uint8)
    logb = log[B]
    for j in range(A.shape[1]):
        col = A[:, j]
        prod = exp[(log[col][:, None] + logb[j][None, :]) % 255]
        prod[col == 0] = 0
        prod[:, B[j] == 0] = 0
        out ^= prod
    return out


def _scalar_matmul(A, B):
    """The scalar C kernels' answer (the level every SIMD level must equal)."""
    prev = fastcode.simd_level()
    fastcode.set_simd_level("scalar")
    try:
        return F.matmul(A, B, n_threads=1)
    finally:
        fastcode.set_simd_level(prev)


def _check_guards(buf, start, length, fill, what):
    """Bytes of `buf` outside [start, start + length) along axis 1 still equal `fill`."""
    if not (np.array_equal(buf[:, :start], fill[:, :start])
            and np.array_equal(buf[:, start + length:], fill[:, start + length:])):
        pytest.fail(f"{what}: bytes outside the output view were modified")


def test_logexp_definition_matches_reference(rng):
    A = rng.integers(0, 256, (5, 256), dtype=np.uint8)
    A[:, :3] = 0
    B = np.tile(np.arange(256, dtype=np.uint8), (256, 1))
    np.testing.assert_array_equal(logexp_matmul(A, B), expected_matmul(A, B))


@pytest.mark.parametrize("rows,k", [(4, 10), (2, 4), (7, 3), (12, 5)])
def test_every_length_0_to_4096(simd, rows, k, rng):
    """Every region length 0..4096 (and a few odd ones past it) at a fixed odd
    misalignment of inputs and outputs, through one plan: equal to the scalar C
    kernels and to the log/exp definition, guard bytes untouched."""
    A = rng.integers(1, 256, (rows, k), dtype=np.uint8)
    if rows > 2:
        A[1] = 0
        A[1, rng.integers(k)] = 1          # a copy row beside the groups
    top = 4096 + 300
    data = F.random((k, top + 128), rng)
    mis_in, start = 13, 64 + 29
    B_full = data[:, mis_in:mis_in + top]
    want = logexp_matmul(A, B_full)
    np.testing.assert_array_equal(_scalar_matmul(A, B_full), want)
    plan = F.plan_matmul(A)
    fill = rng.integers(0, 256, (rows, top + 192), dtype=np.uint8)
    buf = fill.copy()
    for length in list(range(0, 4097)) + [4097, 4111, 4159, 4160, 4161, top]:
        out = buf[:, start:start + length]
        plan(B_full[:, :length], out=out, n_threads=1)
        if not np.array_equal(out, want[:, :length]):
            r, i = np.argwhere(out != want[:, :length])[0]
            pytest.fail(f"level={simd} L={length}: row {r} byte {i}: got {out[r, i]}, "
                        f"want {want[r, i]}")
        _check_guards(buf, start, length, fill, f"level={simd} L={length}")
        buf[:, start:start + length] = fill[:, start:start + length]


def test_every_offset_pair(simd, rng):
    """Input misalignment 0..63 against output misalignment 0..63 (every pair of
    residues via two coprime walks), at lengths around one and two vectors."""
    A = rng.integers(1, 256, (5, 6), dtype=np.uint8)
    for mis_in in range(64):
        for step, length in ((1, 63), (7, 64), (29, 129), (45, 200)):
            run_matmul(A, 6, length, rng, mis_in=mis_in, mis_out=(mis_in * step + 3) % 64)


@pytest.mark.parametrize("k", [1, 3, 17])
def test_outputs_1_to_255(simd, k, rng):
    """Every output count 1..255 (one group, several groups, passes of every
    width) against the log/exp definition, with guard bytes around each row."""
    length = 211                       # head, body and tail at any vector width
    B = F.random((k, length), rng)
    A_all = rng.integers(0, 256, (255, k), dtype=np.uint8)
    want_all = logexp_matmul(A_all, B)
    for rows in range(1, 256):
        A = A_all[:rows]
        g = Guarded(rows, length, (rows * 7) % 64, rng)
        F.matmul(A, B, out=g.view, n_threads=1)
        if not np.array_equal(g.view, want_all[:rows]):
            r, i = np.argwhere(g.view != want_all[:rows])[0]
            pytest.fail(f"level={simd} rows={rows} k={k}: row {r} byte {i}")
        g.check(f"rows={rows} k={k} level={simd}")


def test_wide_inputs_255(simd, rng):
    """k = 255 inputs into 1, 6 and 16 outputs (16 = the widest pass)."""
    B = F.random((255, 300), rng)
    for rows in (1, 6, 16, 17):
        A = rng.integers(0, 256, (rows, 255), dtype=np.uint8)
        np.testing.assert_array_equal(F.matmul(A, B), logexp_matmul(A, B),
                                      err_msg=f"rows={rows} level={simd}")


@pytest.mark.parametrize("op", ["mul", "mad"])
def test_region_every_length_to_300(simd, op, rng):
    for length in range(0, 301):
        c = int(rng.integers(2, 256))
        _check_region_op(op, c, length, rng, length % 64, (length * 5 + 1) % 64)


@pytest.fixture(scope="module")
def paths_case():
    """RS(14, 10)-shaped data with 4 data rows lost: one encode matrix, one
    decode pattern, a length that crosses stripes and thread chunks."""
    rng = np.random.default_rng(21)
    from fastcode import MDSCode
    code = MDSCode(14, 10)
    data = rng.integers(0, 256, (10, (1 << 20) + 77), dtype=np.uint8)
    parity = expected_matmul(code.parity_matrix, data)
    cw = np.concatenate([data, parity])
    present = np.array([i for i in range(14) if i not in (0, 3, 5, 8)])
    return code, data, parity, cw, present


def test_same_bytes_every_level_and_path(paths_case):
    """Single-threaded, threaded, and the fused decode (copies and rebuilt rows
    in one pass) give the reference bytes on every level the CPU has."""
    code, data, parity, cw, present = paths_case
    shards = np.ascontiguousarray(cw[present])
    prev = fastcode.simd_level()
    try:
        for level in LEVELS:
            fastcode.set_simd_level(level)
            plan = F.plan_matmul(code.parity_matrix)
            for threads in (1, 2, 3):
                np.testing.assert_array_equal(plan(data, n_threads=threads), parity,
                                              err_msg=f"encode level={level} threads={threads}")
            decoder = code.decoder(present)
            out = np.empty_like(data)
            np.testing.assert_array_equal(decoder(shards, out=out), data,
                                          err_msg=f"fused decode level={level}")
            rebuilt = code.decoder(present, which=[0, 3, 5, 8])(shards)
            np.testing.assert_array_equal(rebuilt, data[[0, 3, 5, 8]],
                                          err_msg=f"rebuild level={level}")
            _RAN.add(level)
    finally:
        fastcode.set_simd_level(prev)
