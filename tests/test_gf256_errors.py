"""Bad input to the GF(2^8) API: the documented error class, the argument named
in the message, never a crash (DESIGN.md section 6)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastcode
from fastcode import GF256 as F
from fastcode.errors import (
    FastcodeError,
    FieldTypeError,
    FieldValueError,
    ShardSizeError,
    SingularMatrixError,
)

A = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)   # 2 x 3


@pytest.fixture
def restore_threads():
    saved = fastcode.get_num_threads()
    yield
    fastcode.set_num_threads(saved)
B = np.arange(30, dtype=np.uint8).reshape(3, 10)        # 3 x 10


def test_error_hierarchy():
    assert issubclass(FieldTypeError, FastcodeError) and issubclass(FieldTypeError, TypeError)
    assert issubclass(FieldValueError, FastcodeError) and issubclass(FieldValueError, ValueError)
    assert issubclass(ShardSizeError, FastcodeError) and issubclass(ShardSizeError, ValueError)
    assert issubclass(SingularMatrixError, FastcodeError)
    assert issubclass(SingularMatrixError, np.linalg.LinAlgError)
    assert issubclass(fastcode.NotEnoughShardsError, ValueError)


# ---- matmul: A ------------------------------------------------------------------------

@pytest.mark.parametrize("bad,exc", [
    (A.astype(np.float64), FieldTypeError),
    (A.astype(np.float32), FieldTypeError),
    ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], FieldTypeError),
    ([["a", "b", "c"], ["d", "e", "f"]], FieldTypeError),
    (np.array([[1, 2, 300], [4, 5, 6]]), FieldValueError),
    (np.array([[1, 2, -1], [4, 5, 6]]), FieldValueError),
    (np.array([[1, 2, 300], [4, 5, 6]], dtype=np.int16), FieldValueError),
    (np.array([1, 2, 3], dtype=np.uint8), ShardSizeError),
    (np.zeros((2, 3, 1), dtype=np.uint8), ShardSizeError),
    (np.uint8(3), ShardSizeError),
])
def test_matmul_bad_A(bad, exc):
    with pytest.raises(exc, match=r"\bA\b"):
        F.matmul(bad, B)
    with pytest.raises(exc, match=r"\bA\b"):
        F.plan_matmul(bad)


# ---- matmul: B --------------------------------------------------------------------------

@pytest.mark.parametrize("bad,exc", [
    (B.astype(np.float64), FieldTypeError),
    (B.astype(np.int16), FieldTypeError),
    (B.astype(np.int8), FieldTypeError),
    (B.astype(np.uint16), FieldTypeError),
    (B.astype(bool), FieldTypeError),
    ([1.0, 2.0, 3.0], FieldTypeError),                      # list of floats
    ([[1.0] * 10, [2.0] * 10, [3.0] * 10], FieldTypeError),  # nested lists of floats
    ([row.astype(np.float32) for row in B], FieldTypeError),
    ([row.astype(np.int16) for row in B], FieldTypeError),
    ([np.zeros(10, np.uint8), np.zeros(10, np.uint8), "abcdefghij"], FieldTypeError),
    (b"abc", FieldTypeError),
    ("abc", FieldTypeError),
    (5, FieldTypeError),
    (None, FieldTypeError),
    (np.zeros((3, 10, 2), np.uint8), ShardSizeError),
    (np.zeros((), np.uint8), ShardSizeError),
    (np.zeros((4, 10), np.uint8), ShardSizeError),            # B rows != A cols
    (np.zeros((2, 10), np.uint8), ShardSizeError),
    (np.zeros(4, np.uint8), ShardSizeError),                  # vector of the wrong length
    ([np.zeros(10, np.uint8)] * 2, ShardSizeError),           # wrong number of buffers
    ([np.zeros(10, np.uint8)] * 4, ShardSizeError),
    ([np.zeros(10, np.uint8), np.zeros(11, np.uint8), np.zeros(10, np.uint8)], ShardSizeError),
    ([bytes(10), bytearray(10), bytes(9)], ShardSizeError),
    ([np.zeros((1, 10), np.uint8)] * 3, ShardSizeError),        # buffers must be 1-D
])
def test_matmul_bad_B(bad, exc):
    with pytest.raises(exc, match=r"\bB"):
        F.matmul(A, bad)
    with pytest.raises(exc, match=r"\bB"):
        F.plan_matmul(A)(bad)


def test_matmul_bad_buffer_formats():
    import array
    with pytest.raises(FieldTypeError, match=r"B\[0\]"):
        F.matmul(A, [array.array("H", [0] * 10), bytes(20), bytes(20)])
    with pytest.raises(FieldTypeError, match=r"B\[1\]"):
        F.matmul(A, [bytes(20), memoryview(np.zeros((4, 5), np.uint8)), bytes(20)])


# ---- matmul: out -----------------------------------------------------------------------

@pytest.mark.parametrize("bad,exc", [
    (np.zeros((3, 10), np.uint8), ShardSizeError),        # wrong row count
    (np.zeros((1, 10), np.uint8), ShardSizeError),
    (np.zeros((2, 9), np.uint8), ShardSizeError),         # wrong length
    (np.zeros((2, 11), np.uint8), ShardSizeError),
    (np.zeros(20, np.uint8), ShardSizeError),             # wrong ndim
    (np.zeros((2, 10, 1), np.uint8), ShardSizeError),
    (np.zeros((2, 10), np.float64), FieldTypeError),      # wrong dtype
    (np.zeros((2, 10), np.int16), FieldTypeError),
    ([np.zeros(10, np.uint8)] * 1, ShardSizeError),
    ([np.zeros(10, np.uint8), np.zeros(9, np.uint8)], ShardSizeError),
    ([np.zeros(9, np.uint8), np.zeros(9, np.uint8)], ShardSizeError),
    ([bytearray(10), bytearray(11)], ShardSizeError),
    ([np.zeros(10, np.float32), np.zeros(10, np.uint8)], FieldTypeError),
    ("out", FieldTypeError),
    (7, FieldTypeError),
])
def test_matmul_bad_out_shape_or_type(bad, exc):
    with pytest.raises(exc, match=r"\bout"):
        F.matmul(A, B, out=bad)


def _readonly(shape):
    x = np.zeros(shape, np.uint8)
    x.setflags(write=False)
    return x


@pytest.mark.parametrize("make", [
    lambda: _readonly((2, 10)),
    lambda: [_readonly(10), np.zeros(10, np.uint8)],
    lambda: [bytes(10), bytearray(10)],
    lambda: [bytearray(10), memoryview(bytes(10))],
    lambda: np.broadcast_to(np.zeros(10, np.uint8), (2, 10)),
    lambda: np.zeros((2, 20), np.uint8)[:, ::2],            # non-contiguous rows
    lambda: np.asfortranarray(np.zeros((2, 10), np.uint8)),
    lambda: np.zeros((10, 2), np.uint8).T,
    lambda: np.zeros((2, 10), np.uint8)[:, ::-1],
    lambda: [np.zeros(20, np.uint8)[::2], np.zeros(10, np.uint8)],
    lambda: [np.zeros(10, np.uint8), np.zeros(30, np.uint8)[::3]],
], ids=["readonly", "readonly-list", "bytes", "ro-memoryview", "broadcast", "stride2",
        "fortran", "transposed", "reversed-cols", "list-stride2", "list-stride3"])
def test_matmul_out_not_writable_in_place(make):
    with pytest.raises(ValueError, match=r"\bout"):
        F.matmul(A, B, out=make())


def test_matmul_out_overlapping_B_is_staged():
    # documented choice: an out that overlaps B gets the right product (formed in a
    # temporary first); only out rows overlapping each other are refused
    for out_rows in ([0, 1], [2, 3], "list-first", "list-last"):
        data = np.arange(60, dtype=np.uint8).reshape(6, 10)
        Bv = data[:3]
        want = F.matmul(A, Bv.copy())
        if out_rows == "list-first":
            out = [data[0], np.zeros(10, np.uint8)]
        elif out_rows == "list-last":
            out = [np.zeros(10, np.uint8), data[2]]
        else:
            out = data[out_rows[0]:out_rows[1] + 1]
        F.matmul(A, Bv, out=out)
        np.testing.assert_array_equal(np.stack(list(out)), want)
    # a buffer list input, out overlapping one of its buffers
    buf = bytearray(range(40))
    ins = [memoryview(buf)[0:10], memoryview(buf)[10:20], memoryview(buf)[20:30]]
    want = F.matmul(A, [bytes(b) for b in ins])
    out = [memoryview(buf)[25:35], bytearray(10)]
    F.matmul(A, ins, out=out)
    np.testing.assert_array_equal(np.stack([np.frombuffer(o, np.uint8) for o in out]), want)
    # disjoint parts of one buffer are fine
    data = np.arange(60, dtype=np.uint8).reshape(6, 10)
    Bc = data[:3].copy()
    F.matmul(A, data[:3], out=data[3:5])
    np.testing.assert_array_equal(data[:3], Bc)
    np.testing.assert_array_equal(data[3:5], F.matmul(A, Bc))


def test_matmul_out_regions_overlapping_each_other():
    out = np.zeros(15, np.uint8)
    with pytest.raises(ValueError, match=r"\bout"):
        F.matmul(A, B, out=[out[:10], out[5:15]])
    with pytest.raises(ValueError, match=r"\bout"):
        F.matmul(A, B, out=[out[:10], out[:10]])


def test_matmul_vector_out():
    x = np.array([1, 2, 3], np.uint8)
    with pytest.raises(ShardSizeError, match=r"\bout"):
        F.matmul(A, x, out=np.zeros(3, np.uint8))
    with pytest.raises(FieldTypeError, match=r"\bout"):
        F.matmul(A, x, out=np.zeros(2, np.float64))
    with pytest.raises(ValueError, match=r"\bout"):
        F.matmul(A, x, out=_readonly(2))
    # a writable bytes-like out is accepted for a vector as for a matrix
    out = bytearray(2)
    F.matmul(A, x, out=out)
    assert list(out) == F.matmul(A, x).tolist()


def test_matmul_zero_rows_out_shape_checked():
    A0 = np.zeros((0, 3), np.uint8)
    assert F.matmul(A0, B, out=np.zeros((0, 10), np.uint8)).shape == (0, 10)
    with pytest.raises(ShardSizeError, match=r"\bout"):
        F.matmul(A0, B, out=np.zeros((0, 9), np.uint8))
    with pytest.raises(ShardSizeError, match=r"\bout"):
        F.matmul(A0, B, out=np.zeros((1, 10), np.uint8))


@pytest.mark.parametrize("n", [0, -1, 1.5, "2", True, 2.0])
def test_matmul_bad_n_threads(n):
    with pytest.raises(ValueError, match="n_threads"):
        F.matmul(A, B, n_threads=n)
    with pytest.raises(ValueError, match="n_threads"):
        F.plan_matmul(A)(B, n_threads=n)


# ---- region kernels ---------------------------------------------------------------------

@pytest.mark.parametrize("c,exc", [
    (256, FieldValueError), (-1, FieldValueError), (1000, FieldValueError),
    (1.5, FieldTypeError), (np.float64(2), FieldTypeError), ("a", FieldTypeError),
    ([1, 2], ShardSizeError), (np.array([[3]], np.uint8), ShardSizeError),
])
def test_region_bad_coefficient(c, exc):
    src = np.zeros(10, np.uint8)
    with pytest.raises(exc, match=r"\bc\b"):
        F.mul_region(c, src)
    with pytest.raises(exc, match=r"\bc\b"):
        F.mad_region(c, src, np.zeros(10, np.uint8))


@pytest.mark.parametrize("src,exc", [
    (np.zeros(10, np.float64), FieldTypeError),
    (np.zeros(10, np.int16), FieldTypeError),
    ([1.0, 2.0], FieldTypeError),
    ([1, 2, 3], FieldTypeError),
    ("abc", FieldTypeError),
    (None, FieldTypeError),
    (np.zeros((2, 5), np.uint8), ShardSizeError),
    (np.zeros((), np.uint8), ShardSizeError),
])
def test_region_bad_src(src, exc):
    with pytest.raises(exc, match=r"\bsrc\b"):
        F.mul_region(3, src)
    with pytest.raises(exc, match=r"\bsrc\b"):
        F.mad_region(3, src, np.zeros(10, np.uint8))


@pytest.mark.parametrize("make,exc", [
    (lambda: np.zeros(9, np.uint8), ShardSizeError),
    (lambda: np.zeros(11, np.uint8), ShardSizeError),
    (lambda: bytearray(9), ShardSizeError),
    (lambda: np.zeros(10, np.float32), FieldTypeError),
    (lambda: np.zeros((2, 5), np.uint8), ShardSizeError),
    (lambda: _readonly(10), ValueError),
    (lambda: bytes(10), ValueError),
    (lambda: np.zeros(20, np.uint8)[::2], ValueError),
    (lambda: np.zeros(10, np.uint8)[::-1], ValueError),
], ids=["short", "long", "bytearray-short", "float", "2d", "readonly", "bytes", "stride2",
        "reversed"])
def test_region_bad_out(make, exc):
    src = np.zeros(10, np.uint8)
    with pytest.raises(exc, match=r"\bout\b"):
        F.mul_region(3, src, out=make())
    with pytest.raises(exc, match=r"\bout\b"):
        F.mad_region(3, src, make())


@pytest.mark.parametrize("shift", [1, -1, 5, -63, 64])
def test_region_partial_overlap_never_silently_wrong(shift):
    """out partially overlapping src (other than out is src): either a ValueError
    naming out, or the result of reading src before writing out."""
    from fastcode.reference import gf256 as ref
    for op in ("mul", "mad"):
        buf = np.random.default_rng(abs(shift)).integers(0, 256, 400, dtype=np.uint8)
        s0 = 100
        src = buf[s0:s0 + 150]
        out = buf[s0 + shift:s0 + shift + 150]
        src0, out0 = src.copy(), out.copy()
        want = ref.MUL[7][src0] if op == "mul" else out0 ^ ref.MUL[7][src0]
        try:
            if op == "mul":
                F.mul_region(7, src, out=out)
            else:
                F.mad_region(7, src, out)
        except ValueError as exc:
            assert "out" in str(exc)
            np.testing.assert_array_equal(buf[s0:s0 + 150], src0)  # nothing written
        else:
            np.testing.assert_array_equal(out, want, err_msg=f"{op} shift={shift}")


# ---- linear algebra ---------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.zeros((2, 3), np.uint8), np.zeros((3, 2), np.uint8),
                                 np.zeros((0, 1), np.uint8)])
def test_linalg_non_square(bad):
    for fn in (F.inv_matrix, F.det):
        with pytest.raises(ShardSizeError, match=r"\bA\b"):
            fn(bad)
    with pytest.raises(ShardSizeError, match=r"\bA\b"):
        F.solve(bad, np.zeros(bad.shape[0], np.uint8))


@pytest.mark.parametrize("bad,exc", [
    (np.eye(3), FieldTypeError),
    ([[1.5, 0], [0, 1]], FieldTypeError),
    (np.array([[256, 0], [0, 1]]), FieldValueError),
    (np.zeros(3, np.uint8), ShardSizeError),
    (np.zeros((2, 2, 2), np.uint8), ShardSizeError),
    (np.uint8(1), ShardSizeError),
])
def test_linalg_bad_matrix(bad, exc):
    for fn in (F.inv_matrix, F.det, F.rank):
        with pytest.raises(exc, match=r"\bA\b"):
            fn(bad)
    with pytest.raises(exc, match=r"\bA\b"):
        F.solve(bad, np.zeros(2, np.uint8))


@pytest.mark.parametrize("bad,exc", [
    (np.zeros(4, np.uint8), ShardSizeError),
    (np.zeros((2, 3), np.uint8), ShardSizeError),
    (np.zeros((3, 2, 2), np.uint8), ShardSizeError),
    (np.zeros((), np.uint8), ShardSizeError),
    (np.zeros(3, np.float64), FieldTypeError),
    (np.array([1, 2, 999]), FieldValueError),
])
def test_solve_bad_rhs(bad, exc):
    with pytest.raises(exc, match=r"\bB\b"):
        F.solve(np.eye(3, dtype=np.uint8), bad)


# ---- element-wise -----------------------------------------------------------------------

def test_elementwise_bad_values_name_the_argument():
    with pytest.raises(FieldValueError, match=r"\ba\b"):
        F.add([256], [1])
    with pytest.raises(FieldValueError, match=r"\bb\b"):
        F.mul([1], [-3])
    with pytest.raises(FieldTypeError, match=r"\bb\b"):
        F.div([1], [1.0])
    with pytest.raises(FieldTypeError, match=r"\ba\b"):
        F.inv([0.5])
    with pytest.raises(FieldTypeError, match=r"\ba\b"):
        F.pow([0.5], 2)
    with pytest.raises(ValueError):  # shapes that do not broadcast
        F.add(np.zeros(3, np.uint8), np.zeros(4, np.uint8))
    with pytest.raises(ValueError):
        F.mul(np.zeros(3, np.uint8), np.zeros(4, np.uint8))


# ---- settings ------------------------------------------------------------------------------

def test_set_simd_level_unknown_names():
    before = fastcode.simd_level()
    for name in ("bogus", "AVX2", "", "sse2", "neon", None):
        with pytest.raises(ValueError):
            fastcode.set_simd_level(name)
        assert fastcode.simd_level() == before


def test_set_simd_level_above_cpu():
    before = fastcode.simd_level()
    unavailable = [lv for lv in fastcode.platform.SIMD_LEVELS
                   if lv not in fastcode.available_simd_levels()]
    if not unavailable:
        pytest.skip("this CPU has every level")
    for name in unavailable:
        with pytest.raises(ValueError, match=name):
            fastcode.set_simd_level(name)
        assert fastcode.simd_level() == before


def test_set_simd_level_all_available_roundtrip():
    before = fastcode.simd_level()
    try:
        for name in fastcode.available_simd_levels():
            fastcode.set_simd_level(name)
            assert fastcode.simd_level() == name
    finally:
        fastcode.set_simd_level(before)


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2", None, 2.0])
def test_set_num_threads_rejects(n):
    before = fastcode.get_num_threads()
    with pytest.raises(ValueError):
        fastcode.set_num_threads(n)
    assert fastcode.get_num_threads() == before


def test_set_backend_rejects():
    before = fastcode.get_backend()
    for name in ("bogus", "NUMPY", "", None):
        with pytest.raises(ValueError):
            fastcode.set_backend(name)
    assert fastcode.get_backend() == before


# ---- environment variables (fresh interpreters) -------------------------------------------

_PROBE = r"""
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import fastcode
res = {"level": fastcode.simd_level(), "best": fastcode.available_simd_levels()[-1],
       "warnings": [[w.category.__name__, str(w.message)] for w in caught]}
for name, fn in [("threads", fastcode.get_num_threads), ("backend", fastcode.get_backend)]:
    try:
        res[name] = fn()
    except Exception as exc:
        res[name] = [type(exc).__name__, str(exc)]
print(json.dumps(res))
"""


def _probe(tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("FASTCODE_")}
    full.update(env)
    proc = subprocess.run([sys.executable, "-c", _PROBE], env=full, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_env_defaults(tmp_path):
    res = _probe(tmp_path)
    assert res["level"] == res["best"]
    assert res["threads"] == 1 and res["backend"] == "native"
    assert res["warnings"] == []


@pytest.mark.parametrize("value", ["bogus", "AVX2", "sse9"])
def test_env_simd_bogus_warns_and_uses_best(tmp_path, value):
    res = _probe(tmp_path, FASTCODE_SIMD=value)
    assert res["level"] == res["best"]
    cats = [c for c, _ in res["warnings"]]
    assert cats == ["RuntimeWarning"], res["warnings"]
    assert "FASTCODE_SIMD" in res["warnings"][0][1] and value in res["warnings"][0][1]


def test_env_simd_above_cpu_warns(tmp_path):
    if "avx512" in fastcode.available_simd_levels():
        pytest.skip("this CPU has avx512")
    res = _probe(tmp_path, FASTCODE_SIMD="avx512")
    assert res["level"] == res["best"]
    assert [c for c, _ in res["warnings"]] == ["RuntimeWarning"]


@pytest.mark.parametrize("level", fastcode.available_simd_levels())
def test_env_simd_valid(tmp_path, level):
    res = _probe(tmp_path, FASTCODE_SIMD=level)
    assert res["level"] == level and res["warnings"] == []


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", " ", str(2**31), str(2**64)])
def test_env_num_threads_bogus(tmp_path, value):
    res = _probe(tmp_path, FASTCODE_NUM_THREADS=value)
    assert res["threads"][0] == "ValueError"
    assert "FASTCODE_NUM_THREADS" in res["threads"][1]


def test_env_num_threads_valid(tmp_path):
    assert _probe(tmp_path, FASTCODE_NUM_THREADS="3")["threads"] == 3


@pytest.mark.parametrize("threads", [2**31, 2**63, fastcode.MAX_THREADS + 1, 0, -1, 2.0, True])
def test_thread_counts_out_of_range_are_value_errors(threads, restore_threads):
    # 2**31 used to reach the kernel's C int and raise OverflowError
    data = np.zeros((3, 64), np.uint8)
    with pytest.raises(ValueError, match=r"n_threads must be an integer in \[1, 1024\]"):
        F.matmul(A, data[:3], n_threads=threads)
    with pytest.raises(ValueError, match="n_threads"):
        fastcode.PrimeField(257).matmul(np.eye(2, dtype=np.uint32), np.eye(2, dtype=np.uint32),
                                        n_threads=threads)
    with pytest.raises(ValueError, match="number of threads"):
        fastcode.set_num_threads(threads)
    assert fastcode.get_num_threads() == 1


def test_thread_count_at_the_maximum_is_accepted(restore_threads):
    fastcode.set_num_threads(fastcode.MAX_THREADS)
    data = F.random((3, 64), 0)
    np.testing.assert_array_equal(F.matmul(A, data), F.matmul(A, data, n_threads=1))


def test_env_backend(tmp_path):
    assert _probe(tmp_path, FASTCODE_BACKEND="numpy")["backend"] == "numpy"
    res = _probe(tmp_path, FASTCODE_BACKEND="bogus")
    assert res["backend"][0] == "ValueError" and "FASTCODE_BACKEND" in res["backend"][1]


# ---- no input crashes the process ------------------------------------------------------------

def test_garbage_never_crashes(rng):
    """A spray of odd inputs: every failure is a clean Python exception."""
    values = [None, 0, -1, 256, 1.5, "x", b"xx", bytearray(3), [], [[]], [1, 2], [[1, 2]],
              np.zeros(0, np.uint8), np.zeros((0, 0), np.uint8), np.zeros((2, 0), np.uint8),
              np.zeros((0, 2), np.uint8), np.zeros((2, 2), np.uint8), np.ones((3, 1), np.uint8),
              np.zeros((2, 2), np.float64), np.zeros((2, 2, 2), np.uint8), object(),
              np.zeros(5, np.uint8)[::2], memoryview(b"abc")]
    ok = (ValueError, TypeError, ZeroDivisionError, np.linalg.LinAlgError)
    calls = [
        lambda a, b: F.matmul(a, b),
        lambda a, b: F.matmul(np.ones((2, 2), np.uint8), a, out=b),
        lambda a, b: F.plan_matmul(a)(b),
        lambda a, b: F.mul_region(a, b),
        lambda a, b: F.mad_region(1, a, b),
        lambda a, b: F.solve(a, b),
        lambda a, b: F.inv_matrix(a),
        lambda a, b: F.rank(a),
        lambda a, b: F.det(a),
        lambda a, b: F.div(a, b),
        lambda a, b: F.pow(a, b),
    ]
    for call in calls:
        for a in values:
            for b in values:
                try:
                    call(a, b)
                except ok:
                    pass


def test_strided_memoryviews():
    """Strided memoryviews behave like strided arrays: copied as inputs, rejected
    (ValueError naming the argument) as outputs; never a BufferError."""
    from fastcode.reference import gf256 as ref
    x = np.arange(60, dtype=np.uint8)
    ins = [memoryview(x)[0:20:2], memoryview(x[20:40])[::2], memoryview(bytes(range(40, 60)))[::2]]
    want = np.empty((2, 10), np.uint8)
    ref.dot_prod(A, [np.asarray(v) for v in ins], want)
    np.testing.assert_array_equal(F.matmul(A, ins), want)
    np.testing.assert_array_equal(F.mul_region(3, memoryview(x)[::3]), ref.MUL[3][x[::3]])
    with pytest.raises(ValueError, match=r"out\[0\]"):
        F.matmul(A, B, out=[memoryview(bytearray(20))[::2], bytearray(10)])
    with pytest.raises(ValueError, match=r"\bout\b"):
        F.mul_region(3, np.zeros(10, np.uint8), out=memoryview(bytearray(20))[::2])
