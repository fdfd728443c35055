"""Fuzzing the public API: every call returns the NumPy reference's answer or
raises a FastcodeError, never crashes, hangs or modifies its inputs.

Covered: GF256.matmul / plan_matmul; MDSCode encode, decode, reconstruct,
verify, update (GF(2^8) and GF(p)); PrimeField matmul, solve, inv_matrix;
Reals.matmul; the gradient codes' decode; CodedMatVec.decode; the zfec shim.

Inputs (hypothesis draws the shapes, the layout and the faults; the values come
from a NumPy generator seeded by hypothesis, so a case stays small to shrink):

- layouts: C and Fortran order, strided and negative-stride views, read-only
  arrays, lists of rows, bytes, nested Python lists, other dtypes;
- faults: a wrong shape or ndim, 0-d arrays, values outside the field (>= p,
  negative, > 255), non-integer floats for finite fields, NaN and inf for the
  reals, duplicate, out-of-range, non-integer or too few indices;
- ``out=``: fresh, a list of rows, the input itself or a view overlapping it
  (documented as staged: the right answer), rows overlapping each other
  (InvalidArgumentError), read-only, non-contiguous, wrong shape or dtype.

Each case knows its expected outcome: the reference answer (computed from
private copies before the call), or "no answer" (the input is invalid: the call
must raise a FastcodeError).  Layouts the API documents as accepted must give
the answer; for the others a FastcodeError is also fine.  Every input that
``out`` does not alias must be byte-identical after the call, whatever it did.

Crash safety: the cases run in a child ``python -X faulthandler -m pytest`` (the
parent test below), which writes each case's description to a file before
running it; a segfault or a hang (the parent's timeout, then SIGABRT for
faulthandler's traceback) is reported as a failing test with that case.

Profiles: the default one (``pytest tests/test_fuzz_api.py``, ~20 s) and the
long one (``pytest -m slow tests/test_fuzz_api.py``, ~10^5 cases).
"""
import os
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastcode

HERE = Path(__file__).resolve()
PROFILE = os.environ.get("FASTCODE_FUZZ_PROFILE")        # set in the child only
LAST_CASE = os.environ.get("FASTCODE_FUZZ_LAST_CASE")

# Examples per inner test (9 inner tests): ~20 s in all for "ci", ~10^5 for "slow".
EXAMPLES = {"ci": 300, "slow": 11200}
TIMEOUT_S = {"ci": 300, "slow": 3 * 3600}


# ---- the parent: run the inner tests in a child process ------------------------------------

def _run_child(profile):
    with tempfile.TemporaryDirectory() as tmp:
        last = Path(tmp) / "last_case.txt"
        env = dict(os.environ, FASTCODE_FUZZ_PROFILE=profile, FASTCODE_FUZZ_LAST_CASE=str(last),
                   PYTHONFAULTHANDLER="1")
        # The child imports the very fastcode this process tested (installed, or an
        # in-place build), whatever its working directory puts on sys.path.
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(fastcode.__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
        # Only the fuzz_* functions are tests in the child (and only test_* here).
        cmd = [sys.executable, "-X", "faulthandler", "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "-o", "python_functions=fuzz_*", str(HERE)]
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            output, _ = proc.communicate(timeout=TIMEOUT_S[profile])
            hung = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)          # faulthandler prints every thread's stack
            try:
                output, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
            hung = True
        case = last.read_text() if last.exists() else "(none recorded)"
    tail = "\n".join(output.splitlines()[-80:])
    if hung:
        pytest.fail(f"fuzz child hung for {TIMEOUT_S[profile]} s; last case:\n{case}\n{tail}")
    if proc.returncode < 0:
        pytest.fail(f"fuzz child crashed (signal {-proc.returncode}); last case:\n{case}\n{tail}")
    assert proc.returncode == 0, f"fuzz failures (exit {proc.returncode}):\n{tail}"
    assert " passed" in output and "skipped" not in output, tail
    print(output.splitlines()[-1])


def test_fuzz_api():
    _run_child("ci")


@pytest.mark.slow
def test_fuzz_api_long():
    _run_child("slow")


# ---- the child: cases, layouts, faults and the property -------------------------------------
# (Defined in both processes, collected as tests only in the child: see _run_child.)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fastcode import GF256, MDSCode, PrimeField, Reals  # noqa: E402
from fastcode.errors import (FastcodeError, InvalidArgumentError, NotEnoughShardsError,  # noqa: E402
                             ShardSizeError, SingularMatrixError)
from fastcode.reference import gf256 as ref_gf256  # noqa: E402
from fastcode.reference import prime as ref_prime  # noqa: E402

FUZZ = settings(max_examples=EXAMPLES.get(PROFILE, 20), deadline=None, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)
PRIMES = (3, 257, 65537, 2**31 - 1)
LENGTHS = (0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129, 257)


class Case:
    """One call: what it is (for the report), its inputs, and what must happen.

    ``expected`` is the reference answer, or None when the input is invalid
    (``must_raise``); ``lenient`` marks layouts the API does not document as
    accepted (a FastcodeError is then as good as the answer)."""

    def __init__(self, name):
        self.name = name
        self.notes = {}
        self.inputs = []          # objects the call must leave unchanged
        self.outs = []            # out= containers (unchanged only if the call raised)
        self.aliased = False      # out shares memory with an input: inputs may change
        self.must_raise = None    # reason the input is invalid
        self.error_class = FastcodeError
        self.lenient = []         # reasons a FastcodeError is acceptable
        self.expected = None
        self.compare = _equal
        self.reported = None      # a deviation reported to the lead: only no crash, inputs intact
        self.values = {}          # argument name -> the values it holds (NaN faults included)

    def note(self, **kw):
        self.notes.update(kw)

    def invalid(self, reason, error_class=FastcodeError):
        if self.must_raise is None:
            self.must_raise, self.error_class = reason, error_class
        else:                      # two faults: either may be reported first
            self.must_raise, self.error_class = f"{self.must_raise}; {reason}", FastcodeError

    def __repr__(self):
        notes = ", ".join(f"{k}={v}" for k, v in self.notes.items())
        extra = f"; must raise: {self.must_raise}" if self.must_raise else ""
        extra += f"; lenient: {', '.join(self.lenient)}" if self.lenient else ""
        return f"{self.name}({notes}){extra}"


# Reported to the lead (code outside this file's rooms): plain ValueError/TypeError where
# the property wants a FastcodeError.  Each is pinned by a strict xfail test at the end, so
# fixing it turns that test into a failure (XPASS) and its entry here has to go.
# Deviations the fuzzer found and that were fixed (plain ValueError/TypeError where a
# FastcodeError was due, Reals.matmul not validating out=, GF256 k = 0 zeroing overlapping
# out rows): none is tolerated any more; each keeps a regression test at the end.
REPORTED = ()


def _reported(exc):
    return any(type(exc) is cls and text in str(exc) for cls, text in REPORTED)


def _record(case):
    if LAST_CASE:
        with open(LAST_CASE, "w") as f:
            f.write(repr(case))


def _snapshot(obj):
    if isinstance(obj, np.ndarray):
        return ("array", obj.copy(), obj.shape, obj.strides, obj.flags.writeable)
    if isinstance(obj, (list, tuple)):
        return (type(obj), [_snapshot(x) for x in obj])
    if isinstance(obj, dict):
        return (dict, [_snapshot(v) for v in obj.values()], list(obj))
    if isinstance(obj, bytearray):
        return (bytearray, bytes(obj))
    return ("other", obj)


def _same(a, b):
    if a[0] == "array":
        return (a[2:] == b[2:] and a[1].dtype == b[1].dtype
                and np.array_equal(a[1], b[1], equal_nan=a[1].dtype.kind in "fc"))
    if a[0] in (list, tuple, dict):
        return a[0] == b[0] and a[2:] == b[2:] and len(a[1]) == len(b[1]) and all(
            _same(x, y) for x, y in zip(a[1], b[1]))
    return a == b


def _equal(got, expected):
    got = np.asarray(got)
    return got.shape == expected.shape and got.dtype == expected.dtype and np.array_equal(
        got, expected, equal_nan=expected.dtype.kind in "fc")


def _close(got, expected):
    """Floating point: same shape and dtype, same non-finite pattern, close elsewhere."""
    got = np.asarray(got)
    if got.shape != expected.shape or got.dtype != expected.dtype:
        return False
    fin = np.isfinite(expected)
    if not np.array_equal(np.isfinite(got), fin):
        return False
    # where the reference is inf, the sign must agree; NaN matches NaN
    if not np.array_equal(np.isnan(got), np.isnan(expected)):
        return False
    inf = np.isinf(expected)
    if not np.array_equal(got[inf], expected[inf]):
        return False
    scale = max(1.0, float(np.max(np.abs(expected[fin]), initial=0.0)))
    return bool(np.all(np.abs(got[fin] - expected[fin]) <= 1e-9 * scale))


def check(case, call):
    """Run ``call()`` and assert the property for ``case`` (see the module doc)."""
    _record(case)
    inputs = [_snapshot(x) for x in case.inputs]
    outs = [_snapshot(x) for x in case.outs]
    if case.reported:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                call()
            except Exception:
                pass
        if not case.aliased:
            assert all(_same(s, _snapshot(x)) for s, x in zip(inputs, case.inputs)), \
                f"{case}: modified an input"
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            got = call()
        except FastcodeError as exc:
            unchanged = [_same(s, _snapshot(x)) for s, x in zip(inputs + outs, case.inputs + case.outs)]
            assert all(unchanged), f"{case}: raised {exc!r} after modifying its arguments"
            if case.must_raise is not None:
                # (an undocumented layout may legitimately fail first, with its own error)
                assert case.lenient or isinstance(exc, case.error_class), \
                    f"{case}: raised {exc!r}, expected {case.error_class.__name__}"
                return
            assert case.lenient, f"{case}: raised {type(exc).__name__}: {exc} for a valid call"
            return
        except Exception as exc:
            if not (_reported(exc) and (case.must_raise or case.lenient)):
                raise AssertionError(f"{case}: raised {type(exc).__name__}: {exc} "
                                     "(not a FastcodeError)") from exc
            unchanged = [_same(s, _snapshot(x)) for s, x in zip(inputs + outs, case.inputs + case.outs)]
            assert all(unchanged), f"{case}: raised {exc!r} after modifying its arguments"
            return
    assert case.must_raise is None, f"{case}: returned instead of raising"
    if case.outs and isinstance(case.outs[0], list):
        assert got is case.outs[0], f"{case}: did not return its out= list"
        assert len(got) == len(case.expected) and all(
            case.compare(r, e) for r, e in zip(got, case.expected)), \
            f"{case}: wrong answer\n got {got!r}\nwant {case.expected!r}"
        got = case.expected
    assert case.compare(got, case.expected), \
        f"{case}: wrong answer\n got {np.asarray(got)!r}\nwant {case.expected!r}"
    if not case.aliased:
        for s, x in zip(inputs, case.inputs):
            assert _same(s, _snapshot(x)), f"{case}: modified an input"


# ---- values and layouts -------------------------------------------------------------------

def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _values(field, shape, rng):
    if field is Reals:
        return rng.standard_normal(shape)
    if field is GF256:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    top = rng.choice([field.p, 2, min(field.p, 4)])   # often tiny values: zeros and ones
    return rng.integers(0, top, shape, dtype=np.uint64).astype(np.uint32)


INPUT_LAYOUTS = ("C", "C", "C", "F", "cols_strided", "rows_strided", "neg_rows", "neg_cols",
                 "readonly", "rows", "rows_readonly", "pylist", "bytes", "other_dtype")
ARRAY_LAYOUTS = frozenset({"C", "F", "cols_strided", "rows_strided", "neg_rows", "neg_cols",
                           "readonly"})


def _layout(kind, X):
    """X (2-D) presented as ``kind``; same values."""
    if kind == "C":
        return X.copy()
    if kind == "F":
        return np.asfortranarray(X)
    if kind == "cols_strided":
        buf = np.zeros((X.shape[0], 2 * X.shape[1] + 1), X.dtype)
        buf[:, 1::2] = X
        return buf[:, 1::2]
    if kind == "rows_strided":
        buf = np.zeros((2 * X.shape[0], X.shape[1]), X.dtype)
        buf[::2] = X
        return buf[::2]
    if kind == "neg_rows":
        return X[::-1].copy()[::-1]
    if kind == "neg_cols":
        return X[:, ::-1].copy()[:, ::-1]
    if kind == "readonly":
        Y = X.copy()
        Y.setflags(write=False)
        return Y
    if kind == "rows":
        return [r.copy() for r in X]
    if kind == "rows_readonly":
        rows = [r.copy() for r in X]
        for r in rows:
            r.setflags(write=False)
        return rows
    if kind == "pylist":
        return X.tolist()
    if kind == "bytes":
        return [r.tobytes() for r in X]
    if kind == "other_dtype":      # the same values in a wider dtype
        return X.astype(np.longdouble if X.dtype.kind == "f" else np.int64)
    raise AssertionError(kind)


FAULTS = (None,) * 6 + ("extra_row", "extra_col", "ndim0", "ndim4", "value_high", "value_neg",
                        "nonint_float", "nan", "inf")


def _fault(kind, X, field):
    """(faulty object, invalid?) from X, or None if the fault does not apply."""
    if kind == "extra_row":
        return np.concatenate([X, X[:1] if len(X) else np.zeros((1, X.shape[1]), X.dtype)]), True
    if kind == "extra_col":
        return np.concatenate([X, np.zeros((X.shape[0], 1), X.dtype)], axis=1), True
    if kind == "ndim0":
        return np.asarray(X.flat[0] if X.size else X.dtype.type(1)), True
    if kind == "ndim4":
        # 4-D: refused everywhere (3-D arrays are batches of stripes for the GF(2^8) plans
        # and MDSCode, a valid call)
        return X[None, None], True
    if field is Reals:
        if kind in ("nan", "inf") and X.size:
            Y = X.copy()
            Y.flat[X.size // 2] = np.nan if kind == "nan" else -np.inf
            return Y, False             # valid: the answer is NumPy's
        return None
    if not X.size or kind in ("nan", "inf"):
        return None
    Y = X.astype(np.float64 if kind == "nonint_float" else np.int64)
    Y.flat[X.size // 2] = {"value_high": 256 if field is GF256 else field.p,
                           "value_neg": -1, "nonint_float": 0.5}[kind]
    return Y, True


SHAPE_FAULTS = ("extra_row", "extra_col", "ndim0", "ndim4")


def _argument(draw, case, name, X, field, accepted=ARRAY_LAYOUTS, bad_shapes=("extra_row",)):
    """X (canonical 2-D values) as the argument ``name``: a fault or a layout.

    ``bad_shapes``: the shape faults that make this argument invalid (an extra
    column of B in A @ B, say, is just another valid call); the value faults
    (out of the field) always do, NaN and inf (Reals) never do."""
    faults = [f for f in FAULTS if f not in SHAPE_FAULTS or f in bad_shapes or f in ("ndim0", "ndim4")]
    # one fault per call: two could cancel (an extra column of A and an extra row of B)
    fault = None if case.notes.get("fault") else draw(st.sampled_from(faults))
    made = _fault(fault, X, field) if fault else None
    if made is not None:
        obj, bad = made
        case.note(**{name: fault, "fault": name})
        if bad:
            case.invalid(f"{name}: {fault}")
        else:
            case.values[name] = obj
        case.inputs.append(obj)
        return obj
    kind = draw(st.sampled_from(INPUT_LAYOUTS))
    if X.shape[0] == 0 and kind in ("rows", "rows_readonly", "pylist", "bytes"):
        kind = "C"      # an empty list has no row length: a different (ambiguous) call
    obj = _layout(kind, X)
    case.note(**{name: f"{kind}{X.shape}"})
    if kind not in accepted:
        case.lenient.append(f"{name} as {kind}")
    case.inputs.append(obj)
    return obj


OUT_KINDS = ("none", "none", "fresh", "fresh", "rows", "alias", "alias_shift", "rows_overlap",
             "readonly", "noncontig", "wrong_shape", "wrong_dtype")


def _out(draw, case, rows, length, dtype, source=None, accepted=("fresh", "rows")):
    """An ``out=`` argument for a (rows, length) result, as (out, source).

    ``source`` is an input of the same shape and dtype that ``out`` may alias
    (documented: the result is staged, so it is right); for a shifted alias it is
    replaced by a view into a buffer shared with ``out``, which the caller must
    pass instead."""
    dtype = np.dtype(dtype)
    kind = draw(st.sampled_from(OUT_KINDS))
    alias_ok = (isinstance(source, np.ndarray) and source.shape == (rows, length)
                and source.dtype == dtype and source.flags.c_contiguous
                and source.flags.writeable)
    if kind.startswith("alias") and not alias_ok:
        kind = "fresh"
    if kind == "rows_overlap" and (rows < 2 or length < 2):
        kind = "fresh"
    case.note(out=kind)
    if kind == "none":
        return None, source
    if kind == "fresh":
        out = np.full((rows, length), 7, dtype)
    elif kind == "rows":
        out = [np.full(length, 7, dtype) for _ in range(rows)]
    elif kind == "alias":
        out = source
        case.aliased = True
    elif kind == "alias_shift":
        shift = draw(st.integers(-3, 3))
        size = rows * length
        buf = np.zeros(size + 8, dtype)
        view = buf[4:4 + size].reshape(rows, length)
        view[...] = source
        case.inputs[[x is source for x in case.inputs].index(True)] = view
        source = view
        out = buf[4 + shift:4 + shift + size].reshape(rows, length)
        case.aliased = True
        case.note(shift=shift)
    elif kind == "rows_overlap":
        buf = np.full(rows * length, 7, dtype)
        out = np.lib.stride_tricks.as_strided(buf, (rows, length), (dtype.itemsize, dtype.itemsize))
        case.invalid("out rows overlap each other", InvalidArgumentError)
    elif kind == "readonly":
        out = np.zeros((rows, length), dtype)
        out.setflags(write=False)
        case.invalid("out is read-only")
    elif kind == "noncontig":
        out = np.zeros((rows, 2 * length), dtype)[:, ::2]    # filled, or refused: either
    elif kind == "wrong_shape":
        out = np.zeros((rows + 1, length), dtype)
        case.invalid("out has the wrong shape")
    else:
        out = np.zeros((rows, length), np.float32)
        case.invalid("out has the wrong dtype")
    if kind not in accepted and not kind.startswith("alias"):
        case.lenient.append(f"out as {kind}")
    case.outs.append(out)
    return out, source


# ---- references ----------------------------------------------------------------------------

def gf_matmul_ref(A, B):
    """A (r, k) @ B (k, L) over GF(2^8) with the reference tables."""
    out = np.zeros((A.shape[0], B.shape[1]), np.uint8)
    for j in range(A.shape[1]):
        out ^= ref_gf256.MUL[A[:, j][:, None], B[j][None, :]]
    return out


def field_matmul_ref(field, A, B):
    if field is GF256:
        return gf_matmul_ref(A, B)
    if field is Reals:
        return A @ B
    return ref_prime.matmul(A, B, field.p)


# ---- fields: matmul, plan_matmul, solve, inv_matrix ---------------------------------------------

FIELD_CHOICES = st.sampled_from([GF256, Reals] + [PrimeField(p) for p in PRIMES])


def _matmul_case(draw, field, name):
    rng = _rng(draw)
    rows, k = draw(st.integers(0, 5)), draw(st.integers(0, 6))
    length = draw(st.sampled_from(LENGTHS))
    A, B = _values(field, (rows, k), rng), _values(field, (k, length), rng)
    case = Case(name)
    case.compare = _close if field is Reals else _equal
    vector = draw(st.booleans()) and length == 1      # B as a 1-D vector (k,)
    # A: any integer array-like for the finite fields (lists and other dtypes documented)
    a = _argument(draw, case, "A", A, field, accepted=ARRAY_LAYOUTS | {"pylist", "other_dtype"},
                  bad_shapes=("extra_col",))
    if field is GF256:
        b_ok = ARRAY_LAYOUTS | {"rows", "rows_readonly", "bytes"}     # k buffers documented
    else:
        b_ok = ARRAY_LAYOUTS | {"pylist", "other_dtype"}
    b = _argument(draw, case, "B", B, field, accepted=b_ok)
    vector = vector and isinstance(b, np.ndarray) and b.ndim == 2
    if vector:
        case.inputs[-1] = b = b[:, 0]
        case.note(vector=True)
    expected = field_matmul_ref(field, case.values.get("A", A), case.values.get("B", B))
    case.expected = expected[:, 0] if vector else expected
    out = None
    if not vector:
        out, b = _out(draw, case, rows, length, field.dtype, source=b,
                      accepted=("fresh", "rows") if field is GF256 else ("fresh",))
    return case, a, b, out


@FUZZ
@given(st.data(), FIELD_CHOICES, st.booleans())
def fuzz_field_matmul(data, field, use_plan):
    case, a, b, out = _matmul_case(data.draw, field, f"{field}.{'plan_matmul' if use_plan else 'matmul'}")
    if use_plan:
        check(case, lambda: field.plan_matmul(a)(b, out=out))
    else:
        check(case, lambda: field.matmul(a, b, out=out))


def _square_case(draw, field, name):
    rng = _rng(draw)
    n = draw(st.integers(0, 6))
    A = _values(field, (n, n), rng)
    if n and draw(st.booleans()):
        A = A.copy()
        A[-1] = A[0] if draw(st.booleans()) else 0        # singular
    case = Case(name)
    return case, rng, n, A


PRIME_FIELDS = st.sampled_from([PrimeField(p) for p in PRIMES])


@FUZZ
@given(st.data(), PRIME_FIELDS, st.booleans())
def fuzz_prime_solve_and_inverse(data, field, solve):
    case, rng, n, A = _square_case(data.draw, field, f"{field}.{'solve' if solve else 'inv_matrix'}")
    accepted = ARRAY_LAYOUTS | {"pylist", "other_dtype"}
    a = _argument(data.draw, case, "A", A, field, accepted=accepted,
                  bad_shapes=("extra_row", "extra_col"))
    if solve:
        m = data.draw(st.integers(0, 4))
        B = _values(field, (n, m), rng)
        b = _argument(data.draw, case, "B", B, field, accepted=accepted, bad_shapes=("extra_row",))
        try:
            case.expected = ref_prime.solve(A, B, field.p)
        except SingularMatrixError:
            case.invalid("A is singular", SingularMatrixError)
        check(case, lambda: field.solve(a, b))
    else:
        try:
            case.expected = ref_prime.inv_matrix(A, field.p)
        except SingularMatrixError:
            case.invalid("A is singular", SingularMatrixError)
        check(case, lambda: field.inv_matrix(a))


# ---- MDSCode: encode, decode, reconstruct, verify, update --------------------------------------

MDS_SHAPES = ((1, 1), (3, 1), (4, 2), (5, 5), (6, 4), (7, 4), (9, 6), (14, 10))
MDS_FIELDS = (GF256, PrimeField(257), PrimeField(65537))
_CODES = {}


def _code(n, k, field, kind):
    key = (n, k, field, kind)
    if key not in _CODES:
        _CODES[key] = MDSCode(n, k, field, kind=kind)
    return _CODES[key]


def _shard_layouts(field):
    ok = ARRAY_LAYOUTS | {"rows", "rows_readonly"}      # a list of buffers is documented
    return ok | {"bytes"} if field is GF256 else ok


def _mds_setup(draw):
    n, k = draw(st.sampled_from(MDS_SHAPES))
    field = draw(st.sampled_from(MDS_FIELDS))
    code = _code(n, k, field, draw(st.sampled_from(["cauchy", "vandermonde"])))
    rng = _rng(draw)
    length = draw(st.sampled_from(LENGTHS))
    data = _values(field, (k, length), rng)
    codeword = np.concatenate([data, field_matmul_ref(field, code.parity_matrix, data)])
    return code, field, rng, length, data, codeword


PRESENT_FAULTS = (None,) * 5 + ("mask", "mask_stripe", "too_few", "duplicate", "out_of_range",
                                "negative", "float", "stripe_with_indices")


def _present(draw, case, code, rng):
    """(present, which shard rows to pass) for a decode: indices in any order, or a mask."""
    n, k = code.n, code.k
    fault = draw(st.sampled_from(PRESENT_FAULTS))
    m = int(rng.integers(k, n + 1))
    idx = rng.permutation(n)[:m]
    case.note(present=fault or "indices", m=m)
    if fault in ("mask", "mask_stripe"):
        mask = np.zeros(n, bool)
        mask[idx] = True
        rows = np.arange(n) if fault == "mask_stripe" else np.flatnonzero(mask)
        return mask, rows
    if fault == "too_few":
        idx = idx[:k - 1] if k > 0 else idx
        if k > 0:
            case.invalid("fewer than k shards", NotEnoughShardsError)
    elif fault == "duplicate" and m >= 1 and m < n:
        idx = np.append(idx, idx[0])
        case.invalid("duplicate indices", InvalidArgumentError)
    elif fault in ("out_of_range", "negative"):
        idx = idx.copy()
        idx[-1] = n if fault == "out_of_range" else -1
        case.invalid("index out of range", InvalidArgumentError)
    elif fault == "float":
        case.invalid("float indices", InvalidArgumentError)
        return idx.astype(np.float64), idx
    elif fault == "stripe_with_indices" and m < n:
        case.invalid("n rows with fewer integer indices", ShardSizeError)
        return idx.tolist(), np.arange(n)
    return (idx.tolist() if draw(st.booleans()) else idx), idx


@FUZZ
@given(st.data())
def fuzz_mds_encode(data):
    code, field, rng, length, D, codeword = _mds_setup(data.draw)
    case = Case(f"{code}.encode")
    case.note(L=length)
    d = _argument(data.draw, case, "data", D, field, accepted=_shard_layouts(field))
    case.expected = codeword[code.k:]
    out, d = _out(data.draw, case, code.n - code.k, length, field.dtype, source=d)
    check(case, lambda: code.encode(d, out=out))


@FUZZ
@given(st.data(), st.sampled_from(["decode", "data", "all", "parity", "indices"]))
def fuzz_mds_decode_and_reconstruct(data, which):
    code, field, rng, length, D, codeword = _mds_setup(data.draw)
    case = Case(f"{code}.{'decode' if which == 'decode' else 'reconstruct'}")
    case.note(L=length, which=which)
    present, rows = _present(data.draw, case, code, rng)
    valid_rows = rows[(rows >= 0) & (rows < code.n)]
    shards = codeword[valid_rows] if len(valid_rows) == len(rows) else codeword[rows % code.n]
    mask_stripe = isinstance(present, np.ndarray) and present.dtype == bool and len(rows) == code.n
    if mask_stripe:
        shards = shards.copy()
        shards[~present] = 0 if field is not GF256 else 0xAA   # absent rows: ignored
    # (with a mask, one more row can make a whole stripe: another valid reading)
    is_mask = isinstance(present, np.ndarray) and present.dtype == bool
    s = _argument(data.draw, case, "shards", shards, field, accepted=_shard_layouts(field),
                  bad_shapes=() if is_mask else ("extra_row",))
    if which in ("decode", "data"):
        target = np.arange(code.k)
    elif which == "all":
        target = np.arange(code.n)
    elif which == "parity":
        target = np.arange(code.k, code.n)
    else:
        target = rng.permutation(code.n)[:int(rng.integers(0, code.n + 1))]
        if data.draw(st.booleans()) and len(target):
            bad = data.draw(st.sampled_from(["dup", "range"]))
            target = np.append(target, target[0] if bad == "dup" else code.n)
            case.invalid(f"which: {bad}", InvalidArgumentError)
        which = target.tolist()
    case.expected = codeword[target % code.n] if len(target) else field.zeros((0, length))
    out, s = _out(data.draw, case, len(target), length, field.dtype, source=s)
    if case.notes["present"] == "mask_stripe" and isinstance(s, np.ndarray):
        case.note(stripe=True)
    if which == "decode":
        check(case, lambda: code.decode(s, present, out=out))
    else:
        check(case, lambda: code.reconstruct(s, present, which, out=out))


@FUZZ
@given(st.data())
def fuzz_mds_verify(data):
    code, field, rng, length, D, codeword = _mds_setup(data.draw)
    case = Case(f"{code}.verify")
    word = codeword.copy()
    consistent = True
    if length and code.n > code.k and data.draw(st.booleans()):
        r, c = int(rng.integers(code.n)), int(rng.integers(length))
        word[r, c] = (int(word[r, c]) + 1) % (256 if field is GF256 else field.p)
        consistent = False
    case.note(L=length, consistent=consistent)
    w = _argument(data.draw, case, "codeword", word, field, accepted=_shard_layouts(field))
    case.expected = np.bool_(consistent)
    case.compare = lambda got, want: type(got) is bool and got == bool(want)
    check(case, lambda: code.verify(w))


@FUZZ
@given(st.data())
def fuzz_mds_update(data):
    code, field, rng, length, D, codeword = _mds_setup(data.draw)
    case = Case(f"{code}.update")
    idx = int(rng.integers(code.k))
    new = _values(field, (1, length), rng)
    D2 = D.copy()
    D2[idx] = new[0]
    expected = field_matmul_ref(field, code.parity_matrix, D2)
    bad_idx = data.draw(st.sampled_from([None] * 6 + ["range", "negative", "bool", "float"]))
    if bad_idx:
        idx = {"range": code.k, "negative": -1, "bool": True, "float": float(idx)}[bad_idx]
        case.invalid(f"idx {bad_idx}", InvalidArgumentError)
    case.note(L=length, idx=idx)
    old = _argument(data.draw, case, "old", D[[idx if not bad_idx else 0]], field,
                    bad_shapes=("extra_col",))
    new_block = _argument(data.draw, case, "new", new, field, bad_shapes=("extra_col",))
    # blocks are 1-D: take the row back out of whatever 2-D layout was drawn
    old, new_block = (x[0] if isinstance(x, (list, np.ndarray)) and np.ndim(x) == 2 and len(x) == 1
                      else x for x in (old, new_block))
    case.inputs[-2:] = [old, new_block]
    parity_kind = data.draw(st.sampled_from(["array", "rows", "readonly"]))
    parity = codeword[code.k:].copy()
    if parity_kind == "rows":
        parity = list(parity)
    elif parity_kind == "readonly":
        parity.setflags(write=False)
        case.invalid("parity is read-only")
    case.note(parity=parity_kind)
    case.outs.append(parity)
    case.expected = expected

    def call():
        got = code.update(parity, idx, old, new_block)
        assert got is parity, f"{case}: update did not return its parity argument"
        return got
    check(case, call)


# ---- gradient codes: decode ------------------------------------------------------------------

def _gradient_codes():
    from fastcode.codes import CommEfficient, CyclicMDS, CyclicRepetition, FractionalRepetition
    return [FractionalRepetition(6, 1), FractionalRepetition(4, 1, PrimeField(257)),
            CyclicRepetition(5, 2, rng=0), CyclicRepetition(4, 1, PrimeField(65537), rng=0),
            CyclicMDS(5, 2), CyclicMDS(8, 3, PrimeField(257)),
            CommEfficient(5, 1, 2), CommEfficient(4, 1, 2, field=PrimeField(257))]


_GRADIENT_CODES = []


def _gradient_code(i):
    if not _GRADIENT_CODES:
        _GRADIENT_CODES.extend(_gradient_codes())
    return _GRADIENT_CODES[i]


RESPONDER_FAULTS = (None,) * 5 + ("too_few", "duplicate", "out_of_range", "negative", "float",
                                  "bool")


@FUZZ
@given(st.data(), st.integers(0, 7))
def fuzz_gradient_decode(data, which_code):
    code = _gradient_code(which_code)
    field = code.field
    rng = _rng(data.draw)
    d = data.draw(st.sampled_from(LENGTHS[1:10]))
    g = _values(field, (code.N, d), rng)            # partial gradients, one per part
    L = code.block_length(d)
    padded = np.concatenate([g, field.zeros((code.N, L * code.m - d))], axis=1)
    stacked = padded.reshape(code.N, code.m, L).transpose(1, 0, 2).reshape(code.m * code.N, L)
    coded = field_matmul_ref(field, code.B, stacked)                     # (n, L)
    case = Case(f"{code!r}.decode")
    fault = data.draw(st.sampled_from(RESPONDER_FAULTS))
    F = rng.permutation(code.n)[:int(rng.integers(code.recovery_threshold, code.n + 1))]
    responders = F.tolist()
    if fault == "too_few":
        F = F[:code.recovery_threshold - 1]
        responders = F.tolist()
        if not code.can_decode(responders):
            case.invalid("too few responders", NotEnoughShardsError)
    elif fault == "duplicate":
        responders = responders + responders[:1]
        F = np.append(F, F[0])
        case.invalid("duplicate responders", InvalidArgumentError)
    elif fault in ("out_of_range", "negative"):
        responders[-1] = code.n if fault == "out_of_range" else -1
        case.invalid("responder out of range", InvalidArgumentError)
    elif fault == "float":
        responders = [float(r) for r in responders]
        case.invalid("float responders", InvalidArgumentError)
    elif fault == "bool" and responders:
        responders = [True] + responders[1:]
        case.invalid("bool responder", InvalidArgumentError)
    case.note(d=d, responders=responders)
    rows = coded[F % code.n]
    accepted = ARRAY_LAYOUTS | {"rows", "rows_readonly", "pylist"}     # a sequence of vectors
    c = _argument(data.draw, case, "coded", rows, field, accepted=accepted)
    values = case.values.get("coded")
    if values is not None and case.must_raise is None:
        # NaN or inf in a message: the answer is the documented combination, NumPy-computed
        # (a message with weight 0 is not read, so its NaN does not count)
        W = np.atleast_2d(code.decode_weights(responders))
        case.expected = np.concatenate([w[w != 0] @ values[w != 0] for w in W])
    else:
        total = padded.sum(axis=0) if field is Reals else (
            padded.astype(np.uint64).sum(axis=0) % field.p).astype(np.uint32)
        case.expected = total
    case.compare = _close_loose if field is Reals else _equal
    out_kind = data.draw(st.sampled_from(["none", "flat", "blocks", "readonly", "wrong_shape",
                                          "wrong_dtype", "noncontig"]))
    case.note(out=out_kind)
    dtype = np.dtype(field.dtype)
    out = {"none": None, "flat": np.zeros(code.m * L, dtype), "blocks": np.zeros((code.m, L), dtype),
           "readonly": np.zeros(code.m * L, dtype), "wrong_shape": np.zeros(code.m * L + 1, dtype),
           "wrong_dtype": np.zeros(code.m * L, np.float32),
           "noncontig": np.zeros((code.m, 2 * L), dtype)[:, ::2]}[out_kind]
    if out_kind == "readonly":
        out.setflags(write=False)
    if out_kind in ("readonly", "wrong_shape", "wrong_dtype") or (
            out is not None and not out.flags.c_contiguous):       # documented: C-contiguous
        case.invalid(f"out {out_kind}")
    if out is not None:
        case.outs.append(out)

    def call():
        got = code.decode(c, responders, out=out)
        if out is not None:
            assert got is out, f"{case}: decode did not return its out"
        return np.asarray(got).reshape(-1)
    check(case, call)


def _close_loose(got, expected):
    """Decoded real gradients: exact up to the decoding system's conditioning."""
    got = np.asarray(got)
    if got.shape != expected.shape or got.dtype != expected.dtype:
        return False
    if not np.array_equal(np.isnan(got), np.isnan(expected)):
        return False
    fin = np.isfinite(expected)
    scale = max(1.0, float(np.max(np.abs(expected[fin]), initial=0.0)))
    return bool(np.all(np.abs(got[fin] - expected[fin]) <= 1e-6 * scale))


# ---- CodedMatVec.decode ----------------------------------------------------------------------

_SCHEMES = {}


def _scheme(field, n, k, q, r):
    key = (field, n, k, q, r)
    if key not in _SCHEMES:
        from fastcode.schemes.matvec import CodedMatVec
        M = _values(field, (q, r), np.random.default_rng(q * 31 + r))
        _SCHEMES[key] = (CodedMatVec(M, n=n, k=k, field=field), M)
    return _SCHEMES[key]


@FUZZ
@given(st.data(), st.sampled_from([Reals, PrimeField(65537), GF256]),
       st.sampled_from([(4, 2), (5, 3), (6, 6), (8, 5)]), st.integers(1, 13), st.integers(1, 6))
def fuzz_coded_matvec_decode(data, field, nk, q, r):
    n, k = nk
    scheme, M = _scheme(field, n, k, q, r)
    rng = _rng(data.draw)
    x = _values(field, (r,), rng)
    results_all = {i: scheme.compute(i, x) for i in range(n)}
    case = Case(f"CodedMatVec({field}, n={n}, k={k}, A{M.shape}).decode")
    workers = rng.permutation(n)[:int(rng.integers(k, n + 1))].tolist()
    fault = data.draw(st.sampled_from([None] * 5 + ["too_few", "bad_id", "bool_id", "short",
                                                    "ragged", "float", "not_dict", "list_values"]))
    results = {i: results_all[i].copy() for i in workers}
    if fault == "too_few":
        results = dict(list(results.items())[:k - 1])
        case.invalid("fewer than k results", NotEnoughShardsError)
    elif fault == "bad_id":
        results[n] = results[workers[0]]
        case.invalid("worker id out of range", InvalidArgumentError)
    elif fault == "bool_id":
        results[True] = results.pop(1, results[workers[0]])
        case.invalid("bool worker id", InvalidArgumentError)
    elif fault in ("short", "ragged"):
        w = workers[-1]
        results[w] = results[w][:-1] if fault == "short" or len(results) == 1 else \
            np.append(results[w], results[w][:1])
        case.invalid("result of the wrong length", ShardSizeError)
    elif fault == "float":
        w = workers[0]
        results[w] = results[w].astype(np.float64) + (0.5 if field is not Reals else 0.0)
        if field is not Reals:
            case.invalid("non-integer results", FastcodeError)
    elif fault == "not_dict":
        results = list(results.values())
        case.invalid("results not a dict", InvalidArgumentError)
    elif fault == "list_values":
        results = {i: v.tolist() for i, v in results.items()}
    case.note(x=x.shape, workers=workers, fault=fault)
    case.inputs.append(results)
    expected = field_matmul_ref(field, M, x[:, None])[:, 0]
    case.expected = expected
    case.compare = _close_loose if field is Reals else _equal
    check(case, lambda: scheme.decode(results))


# ---- the zfec shim ---------------------------------------------------------------------------

@FUZZ
@given(st.data(), st.integers(1, 8), st.integers(0, 6), st.sampled_from(LENGTHS))
def fuzz_zfec_roundtrip(data, k, extra, length):
    from fastcode.compat import zfec
    m = k + extra
    rng = _rng(data.draw)
    blocks = [rng.integers(0, 256, length, dtype=np.uint8).tobytes() for _ in range(k)]
    shares = zfec.Encoder(k, m).encode(blocks)
    assert len(shares) == m and all(bytes(s) == b for s, b in zip(shares[:k], blocks))
    nums = rng.permutation(m)[:k].tolist()
    got = [bytes(shares[i]) for i in nums]
    case = Case(f"zfec.Decoder({k}, {m}).decode")
    fault = data.draw(st.sampled_from([None] * 4 + ["duplicate", "out_of_range", "negative",
                                                    "short_list", "ragged"]))
    if fault == "duplicate" and k > 1:
        nums[-1] = nums[0]
        case.invalid("duplicate block numbers")
    elif fault in ("out_of_range", "negative"):
        nums[-1] = m if fault == "out_of_range" else -1
        case.invalid("block number out of range")
    elif fault == "short_list":
        nums = nums[:-1]
        case.invalid("fewer numbers than blocks")
    elif fault == "ragged" and length and k > 1:
        got[-1] = got[-1][:-1]
        case.invalid("blocks of different lengths")
    case.note(L=length, nums=nums, fault=fault)
    case.inputs += [got, nums]
    case.expected = np.frombuffer(b"".join(blocks), np.uint8)
    check(case, lambda: np.frombuffer(b"".join(
        bytes(b) for b in zfec.Decoder(k, m).decode(got, nums)), np.uint8))


# ---- deviations found by this fuzzer and reported (code outside this file's rooms) -------------

def _readonly(shape, dtype):
    a = np.zeros(shape, dtype)
    a.setflags(write=False)
    return a


def _overlapping_rows(rows, length, dtype):
    buf = np.zeros(rows * length, dtype)
    return np.lib.stride_tricks.as_strided(buf, (rows, length), (buf.itemsize, buf.itemsize))


_U8 = np.ones((2, 4), np.uint8)
_F64 = np.ones((2, 4))
REPRODUCERS = {
    "GF256.matmul, read-only out: ValueError": (
        lambda: GF256.matmul(np.ones((2, 2), np.uint8), _U8, out=_readonly((2, 4), np.uint8)),
        FastcodeError),
    "GF256.matmul, out with strided rows: ValueError": (
        lambda: GF256.matmul(np.ones((2, 2), np.uint8), _U8, out=np.zeros((2, 8), np.uint8)[:, ::2]),
        FastcodeError),
    "PrimeField.matmul, read-only out: ValueError": (
        lambda: PrimeField(257).matmul(np.ones((2, 2), np.uint32), _U8.astype(np.uint32),
                                       out=_readonly((2, 4), np.uint32)),
        FastcodeError),
    "Reals.matmul, read-only out: NumPy's ValueError": (
        lambda: Reals.matmul(np.ones((2, 2)), _F64, out=_readonly((2, 4), np.float64)),
        FastcodeError),
    "Reals.matmul, out of the wrong shape: NumPy's ValueError": (
        lambda: Reals.matmul(np.ones((2, 2)), _F64, out=np.zeros((3, 4))), FastcodeError),
    "Reals.matmul, out as a list of rows: NumPy's TypeError": (
        lambda: Reals.matmul(np.ones((2, 2)), _F64, out=[np.zeros(4), np.zeros(4)]), FastcodeError),
    "Reals.matmul, float32 out: written with a cast, no error": (
        lambda: Reals.matmul(np.ones((2, 2)), _F64, out=np.zeros((2, 4), np.float32)),
        FastcodeError),
    "GF256.matmul, k = 0 and out rows overlapping: zeroed, no error": (
        lambda: GF256.matmul(np.zeros((2, 0), np.uint8), np.zeros((0, 4), np.uint8),
                             out=_overlapping_rows(2, 4, np.uint8)),
        InvalidArgumentError),
}


@pytest.mark.parametrize("name", sorted(REPRODUCERS))
def test_fixed_deviation(name):
    """Each deviation the fuzzer once found now raises the right FastcodeError."""
    call, error = REPRODUCERS[name]
    with pytest.raises(error):
        call()
