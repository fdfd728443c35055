"""Every API that takes ``out=``: an ``out`` that overlaps its inputs gives the
right answer or a clear error with nothing written (issue: decode aliasing).

Inputs and outputs are cut from one shared buffer, so hypothesis can place
``out`` anywhere: the input itself, a view of it, a shifted slice that
overlaps it partly, a list of row views (possibly repeated), or clear of it.
The expected result is computed first on private copies; then the call with
the aliasing ``out`` must either return that result in ``out`` or raise
ValueError/TypeError with the whole shared buffer byte-identical to before.
Each function documents which of the two it does; the tests below also pin
that choice for the cases the issue names.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastcode import GF256, MDSCode, PrimeField, Reals
from fastcode.codes import ApproxCommEfficient, CyclicMDS, FractionalRepetition
from fastcode.codes.designs import cyclic_assignment
from fastcode.errors import FastcodeError, InvalidArgumentError

F257 = PrimeField(257)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- operations: (make inputs, run with out, shapes) ----------------------------------------
# Each op: dtype, in_rows, out_rows, a function run(X, out) -> result array, where X is the
# (in_rows, L) input drawn from the shared buffer and out is an array or a list of rows.

def _mds_ops():
    rng = np.random.default_rng(7)
    ops = {}
    code = MDSCode(7, 4)
    ops["mds.encode"] = (np.uint8, 4, 3, lambda X, out: code.encode(X, out=out))
    order = [5, 0, 6, 2]                      # positional, unsorted, two data rows lost
    ops["mds.decode"] = (np.uint8, 4, 4, lambda X, out: code.decode(X, order, out=out))
    mask = np.array([1, 0, 1, 1, 0, 1, 1], dtype=bool)
    ops["mds.reconstruct_all"] = (np.uint8, 7, 7,
                                  lambda X, out: code.reconstruct(X, mask, "all", out=out))
    ops["mds.reconstruct_parity"] = (np.uint8, 4, 3,
                                     lambda X, out: code.reconstruct(X, order, "parity", out=out))
    pcode = MDSCode(6, 3, F257)
    ops["mds_prime.decode"] = (np.uint32, 3, 3, lambda X, out: pcode.decode(X, [4, 1, 3], out=out))
    ops["mds_prime.encode"] = (np.uint32, 3, 3, lambda X, out: pcode.encode(X, out=out))
    A = GF256.random((3, 5), rng)
    plan = GF256.plan_matmul(A)
    ops["gf256.matmul"] = (np.uint8, 5, 3, lambda X, out: GF256.matmul(A, X, out=out))
    ops["gf256.plan"] = (np.uint8, 5, 3, lambda X, out: plan(X, out=out))
    P = F257.random((3, 5), rng)
    ops["prime.matmul"] = (np.uint32, 5, 3, lambda X, out: F257.matmul(P, X, out=out))
    R = rng.standard_normal((3, 5))
    ops["reals.matmul"] = (np.float64, 5, 3, lambda X, out: Reals.matmul(R, X, out=out))
    frc = FractionalRepetition(6, 1)
    ops["gradient.frc"] = (np.float64, 5, 1, lambda X, out: frc.decode(X, [0, 2, 3, 4, 5], out=out))
    cmds = CyclicMDS(4, 1, field=F257)
    ops["gradient.cyclic_mds_prime"] = (np.uint32, 3, 1, lambda X, out: cmds.decode(X, [3, 0, 2],
                                                                                     out=out))
    approx = ApproxCommEfficient(cyclic_assignment(6, 2), m=2, rng=0)
    ops["gradient.approx"] = (np.float64, 4, 2, lambda X, out: approx.decode(X, [1, 2, 4, 5], out=out))
    # batched forms: X and out are cut into STRIPES stripes (3-D views or lists of stripes)
    ops["gf256.plan_batch"] = (np.uint8, STRIPES * 5, STRIPES * 3,
                               lambda X, out: plan(_batch(X), out=_batch(out)))
    ops["mds.encode_batch"] = (np.uint8, STRIPES * 4, STRIPES * 3,
                               lambda X, out: code.encode(_batch(X), out=_batch(out)))
    ops["mds.decode_batch"] = (np.uint8, STRIPES * 4, STRIPES * 4,
                               lambda X, out: code.decode(_batch(X), order, out=_batch(out)))
    ops["mds.decode_batch_mask"] = (np.uint8, STRIPES * 7, STRIPES * 4,
                                    lambda X, out: code.decode(_batch(X), mask, out=_batch(out)))
    return ops


STRIPES = 3


def _batch(x):
    """Rows (STRIPES * r, L) or a list of STRIPES * r rows as a batch of STRIPES
    stripes of r rows: a 3-D view, or a list of lists of rows."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return x.reshape(STRIPES, -1, x.shape[1])          # splits axis 0 only: a view
    r = len(x) // STRIPES
    return [list(x[s * r:(s + 1) * r]) for s in range(STRIPES)]


OPS = _mds_ops()


def _fill(buf, rng):
    if buf.dtype == np.uint8:
        buf[...] = rng.integers(0, 256, buf.shape, dtype=np.uint8)
    elif buf.dtype == np.uint32:
        buf[...] = rng.integers(0, 257, buf.shape, dtype=np.uint32)
    else:
        buf[...] = rng.standard_normal(buf.shape)


def _same(got, want, dtype):
    got = np.asarray(got).reshape(want.shape)
    if np.dtype(dtype).kind == "f":
        return np.allclose(got, want, rtol=1e-9, atol=1e-9)
    return np.array_equal(got, want)


def _check(name, L, x_at, out_at, as_list, seed):
    """Run op `name` with X at buf[x_at:] and out at buf[out_at:] (rows listed at out_at
    positions when as_list); assert right answer or clean error."""
    dtype, in_rows, out_rows, run = OPS[name]
    size = 4 * (in_rows + out_rows) * L + 64
    buf = np.zeros(size, dtype=dtype)
    _fill(buf, np.random.default_rng(seed))
    X = buf[x_at:x_at + in_rows * L].reshape(in_rows, L)
    want = np.asarray(run(X.copy(), None)).reshape(out_rows, L).copy()
    if as_list:
        out = [buf[a:a + L] for a in out_at]
    else:
        out = buf[out_at:out_at + out_rows * L].reshape(out_rows, L)
    before = buf.copy()
    try:
        run(X, out)
    except (ValueError, TypeError):
        assert np.array_equal(buf, before), f"{name}: raised after writing"
        return "error"
    got = np.stack(out) if as_list else out
    assert _same(got, want, dtype), f"{name}: wrong result with out at {out_at}, X at {x_at}"
    return "ok"


@pytest.mark.parametrize("name", sorted(OPS))
@SETTINGS
@given(data=st.data())
def test_out_anywhere_in_a_shared_buffer(name, data):
    dtype, in_rows, out_rows, _ = OPS[name]
    L = data.draw(st.integers(1, 40), label="L")
    span = 2 * (in_rows + out_rows) * L
    x_at = data.draw(st.integers(0, span), label="x_at")
    as_list = data.draw(st.booleans(), label="as_list")
    if as_list:
        out_at = data.draw(st.lists(st.integers(0, span + in_rows * L), min_size=out_rows,
                                    max_size=out_rows), label="rows_at")
    else:
        out_at = data.draw(st.integers(0, span), label="out_at")
    _check(name, L, x_at, out_at, as_list, data.draw(st.integers(0, 2**32 - 1), label="seed"))


# ---- the named cases: out is the input, a view of it, a shifted slice, row views ----------

def _named_cases(in_rows, out_rows, L):
    cases = {"shifted_half_row": (0, L // 2, False),
             "shifted_rows": (L, 0, False),
             "row_views": (0, [i * L for i in reversed(range(out_rows))], True)}
    if out_rows <= in_rows:
        cases["is_input_or_view"] = (0, 0, False)
        cases["view_tail"] = (0, (in_rows - out_rows) * L, False)
    return cases


@pytest.mark.parametrize("name", sorted(OPS))
def test_named_aliasing_cases_give_the_right_answer(name):
    # every function here stages (never refuses) when out overlaps an input but not
    # itself, so each named case must give the right answer, not merely a clean error
    _, in_rows, out_rows, _ = OPS[name]
    L = 33
    for case, (x_at, out_at, as_list) in _named_cases(in_rows, out_rows, L).items():
        if as_list and name.startswith(("gradient.", "prime.", "reals.")):
            continue       # their out is one array by contract (a list is a TypeError)
        assert _check(name, L, x_at, out_at, as_list, seed=1) == "ok", case


@pytest.mark.parametrize("name", sorted(n for n in OPS if OPS[n][2] > 1))
@pytest.mark.parametrize("form", ["list", "strided"])
def test_out_rows_overlapping_each_other_are_refused_untouched(name, form):
    dtype, in_rows, out_rows, run = OPS[name]
    if form == "list" and name.startswith(("prime.", "reals.", "gradient.")):
        pytest.skip("out is one array by contract for this function")
    L = 16
    buf = np.zeros(4 * (in_rows + out_rows) * L, dtype=dtype)
    _fill(buf, np.random.default_rng(3))
    X = buf[:in_rows * L].reshape(in_rows, L).copy()
    start = in_rows * L * 2
    if form == "list":
        out = [buf[start:start + L]] * out_rows          # the same row again and again
    else:                                                 # rows half a row apart
        out = np.lib.stride_tricks.as_strided(buf[start:], (out_rows, L),
                                              (buf.itemsize * L // 2, buf.itemsize))
    before = buf.copy()
    with pytest.raises((InvalidArgumentError, FastcodeError)):
        run(X, out)
    assert np.array_equal(buf, before)


def test_issue_reproducers():
    c = MDSCode(6, 4)
    D = np.arange(32, dtype=np.uint8).reshape(4, 8)
    sh = D[[1, 0, 2, 3]].copy()
    assert np.array_equal(c.decode(sh, [1, 0, 2, 3], out=sh), D)
    assert np.array_equal(sh, D)
    cw = np.concatenate([D, c.encode(D)])
    sh = cw[[1, 0, 2, 4]].copy()
    rows = list(sh)
    c.decode(sh, [1, 0, 2, 4], out=rows)
    assert np.array_equal(np.stack(rows), D)


def test_update_and_incremental_blocks_overlapping_parity():
    code = MDSCode(7, 4)
    rng = np.random.default_rng(5)
    data = GF256.random((4, 24), rng)
    parity = code.encode(data)
    # new block = a view of parity row 0: update must read it before writing
    new = parity[0]
    want_data = data.copy()
    want_data[2] = new
    want = code.encode(want_data)
    code.update(parity, 2, data[2], new)
    assert np.array_equal(parity, want)
    # streaming encode where the block is a parity row itself
    par = np.zeros((3, 24), np.uint8)
    par[1] = data[0]
    code.encode_incremental(par[1], 0, par)
    expect = np.zeros((3, 24), np.uint8)
    expect[1] = data[0]
    code.encode_incremental(data[0].copy(), 0, expect)
    assert np.array_equal(par, expect)


def test_zero_row_out_with_any_strides_is_accepted():
    out = np.zeros((0, 32), np.uint8)[::2]
    res = MDSCode(4, 4).encode(np.zeros((4, 32), np.uint8), out=out)
    assert res.shape == (0, 32)


@SETTINGS
@given(data=st.data())
def test_compiled_overlap_sweep_matches_the_python_reference(data):
    from fastcode._util import _memory, memory
    buf = np.zeros(200, np.uint8)

    def region():
        a = data.draw(st.integers(0, 190))
        b = data.draw(st.integers(a, 200))
        step = data.draw(st.sampled_from([1, 1, 2, -1]))
        r = buf[a:b][::step]
        return r

    outs = data.draw(st.lists(st.builds(region), max_size=6))
    ins = data.draw(st.lists(st.builds(region), max_size=6))
    want = memory.sweep(outs, ins)
    assert _memory.overlaps(outs, ins) == want
    # and the exact answer agrees on pairs of contiguous rows
    if all(r.strides[0] == 1 for r in outs + ins):
        exact = any(np.shares_memory(o, i) for o in outs for i in ins)
        assert want[0] == exact
