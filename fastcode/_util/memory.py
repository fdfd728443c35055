"""Where arrays live in memory: byte spans and overlap between outputs and inputs.

Every API that takes ``out=`` asks, before it writes anything, whether an
output region overlaps an input region (then it either stages the result or
refuses, as each function documents) and whether two output regions overlap
each other (always refused: one byte cannot hold two results).

The test is on byte spans [lo, hi): conservative like ``numpy.may_share_memory``
(two interleaved strided views whose spans cross count as overlapping), exact
for the contiguous rows that the kernels take, and O((a + b) log(a + b)) for a
outputs and b inputs, so a list of 255 row buffers costs one sort, not 255^2
pairwise checks.  Row lists go through the compiled twin in ``_memory.pyx``
(reading a pointer from Python costs ~2 us an array); this module's sweep is
the reference it is tested against and the fallback of an unbuilt tree.
"""
import numpy as np

from fastcode.errors import InvalidArgumentError

try:
    # compiled twin of this module (Cython, no type stub for mypy to read)
    from fastcode._util import _memory as _compiled  # type: ignore[attr-defined]
except ImportError:           # unbuilt source tree: the pure-Python sweep below
    _compiled = None

__all__ = ["byte_span", "overlaps", "check_rows_disjoint"]


def byte_span(a):
    """(lo, hi) byte addresses covered by ndarray ``a``; None when it is empty."""
    if a.size == 0:
        return None
    lo = hi = a.__array_interface__["data"][0]
    for extent, stride in zip(a.shape, a.strides):
        step = (extent - 1) * stride
        if step < 0:
            lo += step
        else:
            hi += step
    return lo, hi + a.itemsize


def _spans(regions, tag):
    """[(lo, hi, tag)] of an ndarray or an iterable of ndarrays (None items skipped)."""
    if isinstance(regions, np.ndarray):
        regions = (regions,)
    out = []
    for r in regions:
        if r is None:
            continue
        span = byte_span(r)
        if span is not None:
            out.append((span[0], span[1], tag))
    return out


def _rows_alias(a):
    """Whether rows of a 2-D array share bytes (a row stride shorter than a row)."""
    return (a.ndim == 2 and a.shape[0] > 1 and a.shape[1] > 0
            and abs(a.strides[0]) < a.shape[1] * a.itemsize)


def overlaps(outputs, inputs):
    """(outputs overlap an input, outputs overlap each other).

    ``outputs`` and ``inputs`` are ndarrays or iterables of ndarrays (rows);
    a 2-D output array is one region whose rows overlap each other only when
    its row stride is shorter than a row.  Empty regions overlap nothing."""
    if isinstance(outputs, np.ndarray):
        if isinstance(inputs, np.ndarray):
            # the common case, kept cheap for small calls
            return np.may_share_memory(outputs, inputs), _rows_alias(outputs)
        if _compiled is not None:
            return _compiled.overlaps(outputs, inputs)[0], _rows_alias(outputs)
    elif _compiled is not None:
        return _compiled.overlaps(outputs, inputs)
    return sweep(outputs, inputs)


def sweep(outputs, inputs):
    """``overlaps`` in pure Python: the reference of the compiled version."""
    spans = _spans(outputs, 1) + _spans(inputs, 0)
    spans.sort()
    hi_out = hi_in = 0
    with_input = between_outputs = False
    for lo, hi, is_out in spans:
        if is_out:
            with_input |= lo < hi_in
            between_outputs |= lo < hi_out
            hi_out = max(hi_out, hi)
        else:
            with_input |= lo < hi_out
            hi_in = max(hi_in, hi)
    if isinstance(outputs, np.ndarray):
        between_outputs = _rows_alias(outputs)
    return with_input, between_outputs


def check_rows_disjoint(out, name="out"):
    """InvalidArgumentError when rows of the 2-D output array ``out`` share bytes
    (an as_strided view with a short row stride): they cannot hold distinct rows."""
    if _rows_alias(out):
        raise InvalidArgumentError(f"{name} rows overlap each other")
