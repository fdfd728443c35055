"""Backend switch: fastcode.set_backend("numpy") routes the GF(2^8) bulk API to the
NumPy reference, with identical results and the same validation."""
import os
import subprocess
import sys

import numpy as np
import pytest

import fastcode
from fastcode import GF256 as F
from fastcode.errors import FieldTypeError, ShardSizeError, SingularMatrixError
from fastcode.fields import gf256 as gf256_module
from fastcode.reference import gf256 as ref

TESTS = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def restore_backend():
    prev = fastcode.get_backend()
    yield
    fastcode.set_backend(prev)


class _NoNative:
    """Stands in for the native module: any use fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"native kernel {name!r} used while the backend is 'numpy'")


def _all_ops(rng):
    """Results of every bulk operation on fixed inputs (deterministic given rng)."""
    A = F.random((7, 9), rng)
    A[2] = 0
    A[3] = 0
    A[3, 4] = 1
    A[4] = 0
    A[4, 1] = 0x53
    B = F.random((9, 1000 + 37), rng)
    res = {}
    res["matmul"] = F.matmul(A, B)
    res["matmul_list"] = F.matmul(A, [bytes(r) for r in B])
    res["matmul_vector"] = F.matmul(A, B[:, 5].copy())
    out = np.full((7, B.shape[1]), 0xAA, np.uint8)
    F.matmul(A, B, out=out)
    res["matmul_out"] = out
    res["matmul_noncontig"] = F.matmul(A, np.asfortranarray(B))
    res["plan"] = F.plan_matmul(A)(B[:, :333])
    res["mul_region"] = F.mul_region(0x8E, B[0])
    acc = B[1].copy()
    F.mad_region(0x1D, B[0], acc)
    res["mad_region"] = acc
    inplace = B[2].copy()
    F.mad_region(7, inplace, inplace)
    res["mad_inplace"] = inplace
    M = F.random((30, 30), rng)
    M[0, 0] ^= 1 if ref.det(M) == 0 else 0
    res["inv_matrix"] = F.inv_matrix(M) if ref.det(M) else None
    res["solve"] = F.solve(M, B[:, :30][:9].T.copy()) if ref.det(M) else None
    res["solve_vec"] = F.solve(M, B[0, :30]) if ref.det(M) else None
    res["rank"] = F.rank(F.random((20, 35), rng))
    S = F.random((12, 12), rng)
    S[5] = S[0] ^ S[1]
    res["rank_singular"] = F.rank(S)
    res["det"] = F.det(M)
    res["det_singular"] = F.det(S)
    return res


def test_numpy_backend_gives_identical_results(restore_backend, monkeypatch):
    fastcode.set_backend("native")
    native = _all_ops(np.random.default_rng(99))
    fastcode.set_backend("numpy")
    assert fastcode.get_backend() == "numpy"
    monkeypatch.setattr(gf256_module, "_native", _NoNative())
    numpy_res = _all_ops(np.random.default_rng(99))
    assert native.keys() == numpy_res.keys()
    for key in native:
        if isinstance(native[key], np.ndarray):
            assert numpy_res[key].dtype == native[key].dtype == np.uint8, key
            np.testing.assert_array_equal(numpy_res[key], native[key], err_msg=key)
        else:
            assert numpy_res[key] == native[key], key


def test_numpy_backend_routes_to_reference(restore_backend, monkeypatch):
    calls = []
    real_apply = ref.DotPlan.apply

    def spy(self, inputs, outputs, n_threads=1):
        calls.append(self.matrix.shape)
        return real_apply(self, inputs, outputs, n_threads)

    monkeypatch.setattr(ref.DotPlan, "apply", spy)
    fastcode.set_backend("numpy")
    assert gf256_module._impl() is ref
    F.matmul(np.ones((2, 3), np.uint8), np.ones((3, 8), np.uint8))
    assert calls == [(2, 3)]
    fastcode.set_backend("native")
    if gf256_module._native is not None:
        assert gf256_module._impl() is gf256_module._native
        F.matmul(np.ones((2, 3), np.uint8), np.ones((3, 8), np.uint8))
        assert calls == [(2, 3)]


def test_plan_follows_backend_switch(restore_backend, monkeypatch, rng):
    A = F.random((5, 4), rng)
    B = F.random((4, 300), rng)
    want = np.empty((5, 300), np.uint8)
    ref.dot_prod(A, B, want)
    fastcode.set_backend("native")
    plan = F.plan_matmul(A)
    np.testing.assert_array_equal(plan(B), want)
    fastcode.set_backend("numpy")
    monkeypatch.setattr(gf256_module, "_native", _NoNative())
    np.testing.assert_array_equal(plan(B), want)   # rebuilt on the reference
    monkeypatch.undo()
    fastcode.set_backend("native")
    np.testing.assert_array_equal(plan(B), want)   # and back


def test_numpy_backend_validates_the_same(restore_backend):
    fastcode.set_backend("numpy")
    A = np.ones((2, 3), np.uint8)
    with pytest.raises(ShardSizeError, match="B"):
        F.matmul(A, np.zeros((4, 5), np.uint8))
    with pytest.raises(FieldTypeError, match="B"):
        F.matmul(A, np.zeros((3, 5), np.float64))
    with pytest.raises(ShardSizeError, match="out"):
        F.matmul(A, np.zeros((3, 5), np.uint8), out=np.zeros((2, 4), np.uint8))
    # out overlapping B is staged (the documented choice), on either backend
    B = np.arange(25, dtype=np.uint8).reshape(5, 5)
    want = F.matmul(A, B[:3].copy())
    F.matmul(A, B[:3], out=B[2:4])
    np.testing.assert_array_equal(B[2:4], want)
    with pytest.raises(ValueError, match="out rows overlap each other"):
        F.matmul(A, B[:3], out=[B[4], B[4]])
    with pytest.raises(ShardSizeError, match="out"):
        F.mul_region(3, np.zeros(5, np.uint8), out=np.zeros(4, np.uint8))
    with pytest.raises(SingularMatrixError):
        F.inv_matrix(np.zeros((3, 3), np.uint8))
    with pytest.raises(SingularMatrixError):
        F.solve(np.zeros((3, 3), np.uint8), np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match="n_threads"):
        F.matmul(A, np.zeros((3, 5), np.uint8), n_threads=0)


def test_backend_restored_by_fixture():
    assert fastcode.get_backend() == os.environ.get("FASTCODE_BACKEND", "native")


def test_missing_native_falls_back_loudly(restore_backend, monkeypatch, rng):
    fastcode.set_backend("native")
    monkeypatch.setattr(gf256_module, "_native", None)
    A = F.random((3, 4), rng)
    B = F.random((4, 50), rng)
    with pytest.warns(RuntimeWarning, match="not built"):
        out = F.matmul(A, B)
    want = np.empty((3, 50), np.uint8)
    ref.dot_prod(A, B, want)
    np.testing.assert_array_equal(out, want)
    assert fastcode.get_backend() == "numpy"


def test_kernel_suite_runs_on_the_reference(tmp_path):
    """A slice of the kernel tests in a fresh interpreter with FASTCODE_BACKEND=numpy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTCODE_")}
    env["FASTCODE_BACKEND"] = "numpy"
    env["FASTCODE_SIMD"] = "scalar"  # one level: the kernels are not used anyway
    selection = ("test_matmul_lengths or test_matmul_list_of_buffers or test_matmul_vector "
                 "or test_region_in_place or test_plan_reuse or test_matmul_degenerate")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-x",
         os.path.join(TESTS, "test_gf256_kernels.py"), "-k", selection],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    tail = proc.stdout[-3000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, tail
    assert "backend=numpy" in proc.stdout, tail
    assert " passed" in proc.stdout and "failed" not in proc.stdout, tail
    n_passed = int(proc.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert n_passed >= 10, tail
