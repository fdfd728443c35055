"""Systematic MDS codes (Cauchy, Vandermonde, custom) over any fastcode field.

A codeword of an (n, k) code is n shards: rows 0..k-1 are the data, rows
k..n-1 the parity ``C @ data`` with C the (n-k, k) parity block of the
generator G = [I; C].  Shards are rows of a 2-D C-contiguous array
(n_rows, L) of the field's dtype (GF256: uint8), or a list of 1-D buffers of
equal length (zero-copy for GF256).

Any k of the n shards recover the data.  Decoding a pattern costs one
``plan_matmul`` product with an (e x k) matrix (e = lost rows asked for) plus
row copies; the matrix and its kernel plan are prepared once per erasure
pattern and kept in a thread-safe LRU cache (``decoder(indices)``).

How the decode matrix is set up (systematic code, e lost data rows m, present
data rows p, chosen parity rows S with |S| = e):

    P_S = C[S, m] D_m + C[S, p] D_p   =>   D_m = inv(C[S, m]) (P_S - C[S, p] D_p)

so D_m = R @ [D_p; P_S] with R = [-inv(A) B | inv(A)], A = C[S, m] (e x e),
B = C[S, p].  Only an e x e system matters: by default one field.solve of
A X = [-B | I] (native Gauss-Jordan for GF256) gives R; for Cauchy codes A is a Cauchy matrix and
R also has a closed form (``setup="closed_form"``, see ``_cauchy_recovery``).
"""
from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
from numpy.typing import ArrayLike

from fastcode import matrices as _mx
from fastcode._util.memory import overlaps
from fastcode._util.validate import integer
from fastcode.codes.correct import Corrected, ErrorCorrector, grs_form
from fastcode.codes.fft import FFTCode
from fastcode.matrices_real import condition_numbers
from fastcode.codes._lru import LRUCache
from fastcode.codes.base import REQUIRED, Code, Indices, renamed
from fastcode.errors import (
    ConditioningWarning,
    FieldTypeError,
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
    SingularMatrixError,
)
from fastcode.fields import GF256, GF65536
from fastcode.fields.base import Field, MatmulPlan, Regions, as_region
from fastcode.fields.gf256 import is_stripe_batch

__all__ = ["MDSCode", "Decoder"]

#: Which rows ``reconstruct``/``decoder`` produce: "data", "all", "parity" or shard indices.
Which = Union[str, Sequence[int]]

KINDS = ("cauchy", "vandermonde", "custom", "fft")
#: Above this many shards GF(2^8) has no MDS code: MDSCode(n, k) over the default
#: field becomes the GF(2^16) additive-FFT code (fastcode.codes.fft.FFTCode).
GF256_MAX_SHARDS = 256
SETUPS = ("gauss_jordan", "closed_form")


def _unit_row_stride(a):
    """A 2-D array whose rows have stride == itemsize even when they have length 1.

    NumPy calls (m, 1) arrays C-contiguous whatever their second stride; the
    GF256 kernel checks that stride, so normalise it (zero-copy: the stride of a
    length-1 axis is never used)."""
    if a.ndim == 2 and a.shape[1] == 1 and a.strides[1] != a.itemsize:
        return np.lib.stride_tricks.as_strided(a, a.shape, (a.strides[0], a.itemsize),
                                               writeable=a.flags.writeable)
    return a


def _region_field(field):
    """Fields with byte-region kernels (GF256) take lists of row buffers and
    ``mad_region``; others get stacked arrays and element-wise ops."""
    return hasattr(field, "mad_region")


# ---- shard containers ---------------------------------------------------------

def _as_row(buf, field, name):
    """One shard as a 1-D contiguous array of the field's dtype."""
    return as_region(buf, field.dtype, name)


class _Shards:
    """Validated view of a shard container: ``row(i)`` for i in 0..count-1.

    A 2-D array is used as is (rows made contiguous by a copy if they are not);
    a list is checked item by item; ``None`` items are allowed (absent shards)
    and fail only if used."""

    __slots__ = ("array", "rows", "count", "length", "name")

    def __init__(self, shards, field, name, count=None):
        self.name = name
        self.array = None
        self.rows = None
        if isinstance(shards, np.ndarray):
            if shards.dtype != field.dtype:
                raise FieldTypeError(f"{name} must have dtype {field.dtype}, got {shards.dtype}")
            if shards.ndim != 2:
                raise ShardSizeError(f"{name} must be 2-D (shards x length), got shape {shards.shape}")
            if shards.shape[1] > 1 and shards.strides[1] != shards.itemsize:
                shards = np.ascontiguousarray(shards)   # documented: non-contiguous rows are copied
            shards = _unit_row_stride(shards)
            self.array = shards
            self.count, self.length = shards.shape
        else:
            if isinstance(shards, (str, bytes, bytearray, memoryview)) or not hasattr(shards, "__len__"):
                raise FieldTypeError(f"{name} must be a 2-D array or a list of 1-D buffers, "
                                     f"got {type(shards).__name__}")
            self.rows = [None if b is None else _as_row(b, field, f"{name}[{i}]")
                         for i, b in enumerate(shards)]
            lengths = {len(r) for r in self.rows if r is not None}
            if len(lengths) > 1:
                raise ShardSizeError(f"{name} buffers have different lengths {sorted(lengths)}")
            self.count = len(self.rows)
            self.length = lengths.pop() if lengths else None
        if count is not None and self.count != count:
            raise ShardSizeError(f"{name} must have {count} shards, got {self.count}")

    def row(self, i):
        if self.array is not None:
            return self.array[i]
        r = self.rows[i]
        if r is None:
            raise NotEnoughShardsError(f"{self.name}[{i}] is None but is needed to decode")
        return r

    def take(self, idx):
        """Rows idx as a list of 1-D arrays."""
        if self.array is not None:
            a = self.array
            return [a[i] for i in idx]
        return [self.row(i) for i in idx]


def _out_rows(out, field, rows, length, name="out"):
    """Validate or allocate an output container of `rows` x `length`.

    Returns (result, list of writable 1-D rows)."""
    if out is None:
        out = np.empty((rows, length), dtype=field.dtype)
        return out, None
    if isinstance(out, np.ndarray):
        if out.dtype != field.dtype:
            raise FieldTypeError(f"{name} must have dtype {field.dtype}, got {out.dtype}")
        if out.shape != (rows, length):
            raise ShardSizeError(f"{name} must have shape {(rows, length)}, got {out.shape}")
        if not out.flags.writeable:
            raise InvalidArgumentError(f"{name} is read-only")
        if rows and length > 1 and out.strides[1] != out.itemsize:   # empty outputs always do
            raise ShardSizeError(f"{name} rows must be contiguous to be written in place")
        fixed = _unit_row_stride(out)
        return out, (None if fixed is out else list(fixed))
    if isinstance(out, (str, bytes)) or not hasattr(out, "__len__"):
        raise FieldTypeError(f"{name} must be a 2-D array or a list of writable buffers, "
                             f"got {type(out).__name__}")
    if len(out) != rows:
        raise ShardSizeError(f"{name} must have {rows} buffers, got {len(out)}")
    views = []
    for i, b in enumerate(out):
        r = _as_row(b, field, f"{name}[{i}]") if not isinstance(b, np.ndarray) else b
        if isinstance(b, np.ndarray):
            _as_row(b, field, f"{name}[{i}]")
            if not b.flags.c_contiguous:
                raise ShardSizeError(f"{name}[{i}] must be contiguous to be written in place")
        if not r.flags.writeable:
            raise InvalidArgumentError(f"{name}[{i}] is read-only")
        if len(r) != length:
            raise ShardSizeError(f"{name}[{i}] has length {len(r)}, expected {length}")
        views.append(r)
    return out, views


def _apply(field, plan, inputs, outputs):
    """outputs[r] = sum_j M[r, j] inputs[j]; inputs/outputs are 2-D arrays or
    lists of 1-D rows."""
    if not len(outputs):
        return
    if _region_field(field):
        plan(inputs, out=outputs)     # zero-copy: the kernel takes row buffers
        return
    if not isinstance(inputs, np.ndarray):
        inputs = np.stack(inputs) if inputs else field.zeros((0, len(outputs[0])))
    res = plan(inputs)
    for r, row in zip(res, outputs):
        row[...] = r


# ---- decoder ----------------------------------------------------------------------

class _Core:
    """What one erasure pattern and target set need, independent of how the
    caller orders its shards: the k shard indices used as inputs (``chosen``),
    the (q x k) matrix giving the q missing targets from them, its plan, and
    the (target position, shard index) pairs that are plain copies."""

    __slots__ = ("present", "chosen", "matrix", "plan", "miss_pos", "miss_run", "copy_pos", "copy_idx",
                 "full_plan")
    present: np.ndarray
    chosen: np.ndarray
    matrix: np.ndarray
    plan: Optional[MatmulPlan]
    miss_pos: np.ndarray
    miss_run: Optional[slice]
    copy_pos: np.ndarray
    copy_idx: np.ndarray
    full_plan: Optional[MatmulPlan]


class Decoder:
    """Prepared decoder of an MDSCode for one erasure pattern and target set.

    Made by ``MDSCode.decoder(indices, which)`` (and cached there), not
    constructed directly.  ``decoder(shards, out=None)`` returns the target rows
    (``targets``, by default the k data rows) as a (len(targets), L) array (or
    fills ``out``).  ``shards`` pairs with the decoder's ``indices``
    positionally: row i is shard indices[i] (len(indices) rows).  Only a
    decoder made from a boolean mask also takes the whole stripe indexed by
    shard number (n rows, absent rows ignored and may be None in a list), since
    a mask has no order of its own to confuse with shard numbers.  ``out`` may
    overlap ``shards`` (see ``MDSCode.decode``).  A batch of stripes with this
    erasure pattern, (stripes, rows, L) or a list of stripes, gives (stripes,
    len(targets), L) from one kernel call.  Immutable; safe to share between
    threads.  Attributes: ``present`` (sorted indices), ``targets``, ``chosen``
    (the k shards read), ``lost`` (targets computed), ``matrix`` (the
    (len(lost), k) matrix applied to the chosen shards).

    Parameters
    ----------
    code : MDSCode
        The code.
    given : (m,) intp array
        The shard indices in the caller's order.
    given_sorted : bool
        Whether ``given`` is increasing.
    targets : 1-D intp array
        The shard indices computed, in output order.
    core : _Core
        The prepared matrix and plan of the pattern (shared between decoders
        of the same present set and targets).
    from_mask : bool
        Whether the indices came as a bool mask.

    Examples
    --------
    >>> from fastcode import MDSCode
    >>> code = MDSCode(6, 4)
    >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
    >>> stripe = np.vstack([data, code.encode(data)])
    >>> decoder = code.decoder([5, 1, 4, 2])
    >>> decoder
    Decoder(n=6, k=4, present=4, targets=4, lost=2)
    >>> decoder.lost.tolist(), decoder.chosen.tolist(), decoder.matrix.shape
    ([0, 3], [1, 2, 4, 5], (2, 4))
    >>> np.array_equal(decoder(stripe[[5, 1, 4, 2]]), data)
    True

    Many stripes with the same erasure pattern, one kernel call:

    >>> stripes = np.stack([stripe, stripe ^ stripe])       # a second, all-zero stripe
    >>> decoder(stripes[:, [5, 1, 4, 2]]).shape
    (2, 4, 8)
    """

    __slots__ = ("code", "present", "targets", "_core", "_given", "_given_arr", "_maps",
                 "_by_number", "_batch_plans")

    def __init__(self, code: MDSCode, given: np.ndarray, given_sorted: bool,
                 targets: np.ndarray, core: _Core, from_mask: bool) -> None:
        self.code = code
        self.present = core.present
        self.targets = targets
        self._core = core
        self._given = len(given)
        self._by_number = from_mask
        self._given_arr = None if given_sorted else given
        # row maps per shard layout ("pos": len(present) rows, "idx": n rows),
        # made on first use of that layout: (chosen rows, copied rows, slice or None)
        self._maps: Dict[str, Tuple[List[int], List[int], Optional[slice]]] = {}
        # per layout, the plan of a whole batch: (targets x rows of a stripe)
        self._batch_plans: Dict[bool, MatmulPlan] = {}

    def _layout(self, positional):
        """(rows read by the kernel, rows copied, 2-D slice of the read rows or None)."""
        key = "pos" if positional else "idx"
        m = self._maps.get(key)
        if m is None:
            core = self._core
            if not positional:
                src_chosen, src_copy = core.chosen.tolist(), core.copy_idx.tolist()
            elif self._given_arr is None:
                # sorted present: chosen = the first k present shards, rows 0..k-1
                src_chosen = list(range(self.code.k))
                src_copy = np.searchsorted(core.present, core.copy_idx).tolist()
            else:
                pos = np.full(self.code.n, -1, dtype=np.intp)
                pos[self._given_arr] = np.arange(self._given)
                src_chosen, src_copy = pos[core.chosen].tolist(), pos[core.copy_idx].tolist()
            # consecutive rows are read by the kernel as one 2-D slice, not a list
            m = (src_chosen, src_copy, _run(src_chosen))
            self._maps[key] = m          # idempotent: racing threads store equal values
        return m

    @property
    def chosen(self) -> np.ndarray:
        """The k shard indices the decoder reads (intp, sorted)."""
        return self._core.chosen.copy()

    @property
    def lost(self) -> np.ndarray:
        """The target rows it computes (the others are copied)."""
        return self.targets[self._core.miss_pos].copy()

    @property
    def matrix(self) -> np.ndarray:
        """The (len(lost), k) matrix applied to the chosen shards, of the field's dtype."""
        return self._core.matrix.copy()

    def __repr__(self):
        return (f"Decoder(n={self.code.n}, k={self.code.k}, present={len(self.present)}, "
                f"targets={len(self.targets)}, lost={len(self._core.miss_pos)})")

    def __reduce__(self):
        raise TypeError("a Decoder holds prepared kernel tables and is not picklable; "
                        "pickle the code and call code.decoder(indices) again")

    def _positional(self, n_in, name="shards"):
        """Whether n_in rows pair with indices (True) or are a whole stripe by
        shard number (False); ShardSizeError for any other count."""
        n = self.code.n
        if n_in == self._given:
            return True
        if n_in == n and self._by_number:
            return False
        if n_in == n:
            raise ShardSizeError(
                f"{name} has all n={n} rows but indices lists {self._given} shards: rows pair "
                "with indices positionally; to pass a whole stripe indexed by shard number, give "
                "indices as a boolean mask of length n")
        raise ShardSizeError(f"{name} must hold the {self._given} present shards (in the order "
                             f"of indices), got {n_in}")

    def __call__(self, shards: Regions, out: Optional[Regions] = None) -> Regions:
        """The targets (len(targets), L) from one stripe of shards, or
        (stripes, len(targets), L) from a batch: a 3-D (stripes, rows, L)
        array or a list of stripes, every stripe with the same erasure pattern
        (the kernel runs once for all of them).  Raises as ``MDSCode.decode``."""
        code = self.code
        if is_stripe_batch(shards):
            return self._call_batch(shards, out)
        sh = _Shards(shards, code.field, "shards")
        layout = self._layout(self._positional(sh.count))
        length = sh.length
        if length is None:   # a list of Nones: nothing to read
            raise NotEnoughShardsError("shards holds no buffers")
        out, views = _out_rows(out, code.field, len(self.targets), length)
        dst = out if views is None else views
        into_input, between_outputs = overlaps(dst, sh.array if sh.array is not None else sh.rows)
        if between_outputs:
            raise InvalidArgumentError("out rows overlap each other")
        if into_input:
            # Repair in place (out rows are the present shards themselves, e.g.
            # out=stripe[:k] of a stripe by shard number): nothing to copy, and
            # the lost rows are written directly when that clobbers no input.
            if self._fill_in_place(sh, layout, dst):
                return out
            # out overlaps the shards otherwise: compute every target into a
            # temporary first (it reads the shards while they are intact), then copy
            staged = self._fill(sh, layout, *_out_rows(None, code.field, len(self.targets), length))
            for row, src in zip(dst, staged):
                row[...] = src
            return out
        return self._fill(sh, layout, out, views)

    def _fill_in_place(self, sh, layout, dst):
        """Fill ``dst`` (out, or its row views) without staging when every
        present target's out row is its shard row itself and the lost rows'
        out rows overlap neither each other, nor a shard the kernel reads, nor
        a present target's row.  Returns False (nothing written) otherwise."""
        core = self._core
        src_chosen, src_copy, _ = layout
        for p, s in zip(core.copy_pos.tolist(), src_copy):
            row, src = dst[p], sh.row(s)
            if (row.__array_interface__["data"][0] != src.__array_interface__["data"][0]
                    or row.strides != src.strides):
                return False
        if core.plan is None:
            return True                      # every target already where it belongs
        outputs = [dst[p] for p in core.miss_pos.tolist()]
        inputs = sh.take(src_chosen)
        kept = [dst[p] for p in core.copy_pos.tolist()]
        into_input, between_outputs = overlaps(outputs, inputs + kept)
        if into_input or between_outputs:
            return False
        _apply(self.code.field, core.plan, inputs, outputs)
        return True

    def _batch_plan(self, positional):
        """Plan of the (targets x stripe rows) matrix: unit rows copy the present
        targets, the rows of the lost ones read the chosen shards; shards that
        are not read have zero columns (the kernel skips them)."""
        plan = self._batch_plans.get(positional)
        if plan is None:
            core, f = self._core, self.code.field
            src_chosen, src_copy, _ = self._layout(positional)
            width = self._given if positional else self.code.n
            M = f.zeros((len(self.targets), width))
            M[core.copy_pos, src_copy] = 1
            if len(core.miss_pos):
                M[np.ix_(core.miss_pos, src_chosen)] = core.matrix
            plan = self._batch_plans[positional] = f.plan_matmul(M)   # racing threads: equal plans
        return plan

    def _call_batch(self, shards, out):
        """A batch of stripes, one erasure pattern: one kernel call for all."""
        code = self.code
        if isinstance(shards, np.ndarray):
            n_in = shards.shape[1]
        else:
            counts = {len(stripe) for stripe in shards}
            if len(counts) > 1:
                raise ShardSizeError(f"shards stripes have different row counts {sorted(counts)}")
            n_in = counts.pop()
        positional = self._positional(n_in, "shards stripes")
        if not _region_field(code.field):
            return _batch_by_stripe(code.field, self, shards, out, len(self.targets))
        if not positional and not isinstance(shards, np.ndarray):
            # absent rows of a stripe by shard number are never read: a zero
            # row of the stripe's length stands in for None
            shards = [_fill_absent(stripe, code.field) for stripe in shards]
        return self._batch_plan(positional).batch(shards, out, names=("shards", "out"))

    def _fill(self, sh, layout, out, views):
        """Write the targets into out (or its row views) from validated shards."""
        code, core = self.code, self._core
        src_chosen, src_copy, run = layout
        if core.full_plan is not None and views is None:
            inputs = sh.array[run] if (run is not None and sh.array is not None) else sh.take(src_chosen)
            _apply(code.field, core.full_plan, inputs, out)
            return out
        # copies of targets that are present (never recomputed)
        if views is None and sh.array is not None:
            # row by row: a fancy-indexed copy would go through a temporary
            arr = sh.array
            for p, s in zip(core.copy_pos.tolist(), src_copy):
                out[p] = arr[s]
        else:
            for p, s in zip(core.copy_pos.tolist(), src_copy):
                (views[p] if views is not None else out[p])[...] = sh.row(s)
        if core.plan is not None:
            inputs = sh.array[run] if (run is not None and sh.array is not None) else sh.take(src_chosen)
            if views is None and core.miss_run is not None:
                outputs = out[core.miss_run]
            else:
                dst = views if views is not None else out
                outputs = [dst[p] for p in core.miss_pos.tolist()]
            _apply(code.field, core.plan, inputs, outputs)
        return out


def _fill_absent(stripe, field):
    """A stripe (list of rows, None for absent ones) with zero rows for the None."""
    if isinstance(stripe, np.ndarray) or not any(r is None for r in stripe):
        return stripe
    length = {len(r) for r in stripe if r is not None}
    if not length:
        raise NotEnoughShardsError("a stripe of shards holds no buffers")
    if len(length) > 1:
        raise ShardSizeError(f"shards buffers have different lengths {sorted(length)}")
    zero = field.zeros(length.pop())
    return [zero if r is None else r for r in stripe]


def _batch_by_stripe(field, compute, stripes, out, rows):
    """A batch on a field without batched kernels: ``compute(stripe)`` for
    every stripe, all of them before ``out`` is written (so out may overlap
    the inputs), into out (a (stripes, rows, L) array or a list of stripes of
    rows) or a new (stripes, rows, L) array."""
    if not isinstance(stripes, (list, tuple, np.ndarray)):
        raise FieldTypeError(f"shards must be a 3-D array or a list of stripes, "
                             f"got {type(stripes).__name__}")
    results = [compute(stripe) for stripe in stripes]
    if out is None:
        if not results:
            return field.zeros((0, rows, 0))
        return np.stack(results)
    if len(out) != len(results):
        raise ShardSizeError(f"out has {len(out)} stripes, expected {len(results)}")
    views = []
    for s, (res, stripe) in enumerate(zip(results, out)):
        _, rv = _out_rows(stripe, field, rows, res.shape[1], f"out[{s}]")
        views.extend(rv if rv is not None else list(stripe))
    if overlaps(views, [])[1]:
        raise InvalidArgumentError("out rows overlap each other")
    for dst, src in zip(views, (row for res in results for row in res)):
        dst[...] = src
    return out


def _run(idx):
    """slice(a, b) if the sorted-or-not list idx is exactly a, a+1, ..., b-1, else None."""
    if idx and idx[-1] - idx[0] == len(idx) - 1 and idx == list(range(idx[0], idx[-1] + 1)):
        return slice(idx[0], idx[-1] + 1)
    return None


# ---- the code -------------------------------------------------------------------------

class MDSCode(Code):
    """Systematic (n, k) MDS code over ``field``: any k of n shards recover the data.

    A codeword is n shards: rows 0..k-1 are the data, rows k..n-1 the parity
    ``C @ data`` with C the (n-k, k) parity block of the generator G = [I; C].
    Shards are rows of a 2-D C-contiguous (rows, L) array of the field's dtype
    (GF256: uint8), or a list of 1-D buffers of equal length (zero-copy for
    GF256).  The ``Code`` contract: ``encode(data)``, ``can_decode(indices)``
    (True iff at least k distinct shards), ``decode(results, indices,
    out=None)``; ``k`` is the recovery threshold.  Default field GF256: byte
    shards, the storage/erasure use, and parity byte-identical to ISA-L with
    the default Cauchy points.

    Decoding an erasure pattern costs one product with an (e x k) matrix (e =
    lost rows asked for) plus row copies; the matrix and its kernel plan are
    prepared once per pattern and kept in a thread-safe LRU cache
    (``decoder(indices)``).  Over GF(2^8) and GF(p), Cauchy and Vandermonde
    codes also correct silently wrong shards (``correct``).  Over
    floating-point fields the worst recovery condition number is computed at
    construction (``conditioning``, a ``matrices_real.ConditionReport``; None
    for exact fields).  Instances pickle through their config (prepared tables
    are rebuilt, never pickled) and compare equal when field, n, k and parity
    block are.

    Parameters
    ----------
    n : int
        Shards in all, k <= n <= the field size.  Over the default field with
        more than 256 shards (GF(2^8) has no MDS code there), ``MDSCode(n,
        k)`` returns an ``FFTCode`` (GF(2^16) additive-FFT Reed-Solomon, up to
        65535 shards, O(n log n), byte-compatible with reed-solomon-simd; even
        shard lengths).
    k : int
        Data shards, 1 <= k <= n.
    field : Field, default GF256
        Any fastcode field: GF256, a PrimeField, Reals, ...
    kind : {"cauchy", "vandermonde", "custom", "fft"}, optional
        "cauchy" (default): parity block 1/(x_i - y_j); over GF256 with the
        default points it is ISA-L's ``gf_gen_cauchy1_matrix`` layout, so
        parity is byte-identical to ISA-L's ``ec_encode_data``.
        "vandermonde": V @ inv(V[:k]) for points p_i (``points``, default
        0..n-1).  "custom": the generator ``G``.  "fft" (the default above 256
        shards over the default field): returns an ``FFTCode``.
    G : (n, k) or (n-k, k) array_like, optional
        With kind="custom": the generator (made systematic as G @ inv(G[:k])
        if its top is not the identity) or its parity block.
    x : (n-k,) array_like, optional
        Cauchy parity points.
    y : (k,) array_like, optional
        Cauchy data points.
    points : (n,) array_like, optional
        Vandermonde points.
    check : bool, default True
        With kind="custom": check that G is MDS (``matrices.is_mds``).
    cache_size : int, default 128
        Bound of the LRU cache of prepared decoders (0 disables it).
    setup : {"gauss_jordan", "closed_form"}, default "gauss_jordan"
        How a new erasure pattern's e x e system is solved: "gauss_jordan"
        (one ``field.solve`` of the e x e block; native C for GF256) or
        "closed_form" (Cauchy codes only: an O(e k) formula, no elimination).
        Both give the same matrix (it is unique).  On GF256 the native
        elimination measured 2-4x faster than the closed form written with
        element-wise field calls (each ~5 us of NumPy overhead), for every
        (k, e) tried; the closed form pays off where the field's elimination is
        slow (e.g. the NumPy reference backend).

    Attributes
    ----------
    G : (n, k) array of the field's dtype
        The systematic generator [I; C] (read-only).
    parity_matrix : (n-k, k) array of the field's dtype
        C (read-only).
    kind : str
        The construction.

    Raises
    ------
    InvalidArgumentError
        n, k not ints with 1 <= k <= n <= the field size; an unknown kind or
        setup; arguments that do not go with the kind (G, x / y, points,
        closed_form, a field with kind="fft").
    FieldValueError
        Repeated or overlapping points.
    ShardSizeError
        G, points, x or y of the wrong shape.
    SingularMatrixError
        A custom G that is not MDS (its top k x k block singular, or k rows
        linearly dependent).

    Warns
    -----
    ConditioningWarning
        A floating-point code whose worst responder set decodes less
        accurately than ``REAL_DECODE_ACCURACY`` (1e-6 relative).

    See Also
    --------
    fastcode.codes.fft.FFTCode : more than 256 shards.
    fastcode.codes.real.real_mds_code : a well-conditioned real code.

    Examples
    --------
    Four data shards, two parity shards; any four shards give the data back:

    >>> from fastcode import MDSCode
    >>> code = MDSCode(6, 4)
    >>> code
    MDSCode(n=6, k=4, field=GF256, kind='cauchy')
    >>> rng = np.random.default_rng(0)
    >>> data = rng.integers(0, 256, size=(4, 16), dtype=np.uint8)
    >>> parity = code.encode(data)
    >>> parity.shape
    (2, 16)
    >>> stripe = np.vstack([data, parity])
    >>> code.verify(stripe)
    True
    >>> indices = [5, 1, 4, 2]                        # shards 0 and 3 lost
    >>> np.array_equal(code.decode(stripe[indices], indices), data)
    True

    Rebuild lost shards, data or parity:

    >>> rebuilt = code.reconstruct(stripe[indices], indices, which=[0, 3])
    >>> np.array_equal(rebuilt, stripe[[0, 3]])
    True

    Change one data block and update the parity without re-encoding:

    >>> new_block = np.full(16, 7, dtype=np.uint8)
    >>> _ = code.update(stripe[4:], 2, stripe[2], new_block)
    >>> stripe[2] = new_block
    >>> code.verify(stripe)
    True

    Silently wrong shards are found and corrected (here one of six, with no
    shard lost: up to (n - k) // 2 = 1):

    >>> damaged = stripe.copy()
    >>> damaged[1, 5] ^= 0x80
    >>> data_back, corrupted = code.correct(damaged)
    >>> corrupted, np.array_equal(data_back, stripe[:4])
    ([1], True)

    Other fields work alike, e.g. GF(257):

    >>> from fastcode import PrimeField
    >>> code = MDSCode(5, 3, PrimeField(257), kind="vandermonde")
    >>> code
    MDSCode(n=5, k=3, field=PrimeField(257), kind='vandermonde')
    >>> data = code.field.asarray([[1, 2], [3, 4], [5, 6]])
    >>> stripe = np.vstack([data, code.encode(data)])
    >>> code.decode(stripe[[4, 0, 3]], [4, 0, 3]).tolist()
    [[1, 2], [3, 4], [5, 6]]
    """

    def __new__(cls, n, k, field=GF256, kind=None, *args, **kwargs):
        """``kind="fft"``, or the default kind with more than 256 shards over the default
        field, gives an ``FFTCode`` (GF(2^16), up to 65535 shards; its repr says so)."""
        wants_fft = kind == "fft" or (kind is None and field is GF256
                                      and isinstance(n, (int, np.integer))
                                      and not isinstance(n, bool) and n > GF256_MAX_SHARDS)
        if not wants_fft:
            return super().__new__(cls)
        if field is not GF256 and field is not GF65536:
            raise InvalidArgumentError(f"kind='fft' is the GF(2^16) additive-FFT code; it takes "
                                       f"no field argument (got {field})")
        unused = sorted(a for a, v in kwargs.items() if v is not None and a != "cache_size")
        if args or unused:
            raise InvalidArgumentError(f"kind='fft' takes only n and k, got {unused or 'G'}")
        return FFTCode(n, k)

    def __init__(self, n: int, k: int, field: Field = GF256, kind: Optional[str] = None,
                 G: Optional[ArrayLike] = None, *, x: Optional[ArrayLike] = None,
                 y: Optional[ArrayLike] = None, points: Optional[ArrayLike] = None,
                 check: bool = True, cache_size: int = 128, setup: str = "gauss_jordan") -> None:
        if kind is None:
            kind = "cauchy"
        if kind not in KINDS:
            raise InvalidArgumentError(f"kind must be one of {KINDS}, got {kind!r}")
        if setup not in SETUPS:
            raise InvalidArgumentError(f"setup must be one of {SETUPS}, got {setup!r}")
        if setup == "closed_form" and kind != "cauchy":
            raise InvalidArgumentError("setup='closed_form' needs kind='cauchy'")
        self.setup = setup
        _mx.check_code_size(n, k, field)
        if G is not None and kind != "custom":
            raise InvalidArgumentError(f"G is only used with kind='custom', got kind={kind!r}")
        if (x is not None or y is not None) and kind != "cauchy":
            raise InvalidArgumentError("x and y are only used with kind='cauchy'")
        if points is not None and kind != "vandermonde":
            raise InvalidArgumentError("points are only used with kind='vandermonde'")
        self.n, self.k, self.field, self.kind = int(n), int(k), field, kind
        self._params = {}
        self._pts = None
        if kind == "cauchy":
            xs, ys = _mx.cauchy_points(n, k, field, True, x, y)
            C = _mx.cauchy_matrix(xs, ys, field) if n > k else field.zeros((0, k))
            self._params = {"x": None if x is None else xs.tolist(),
                            "y": None if y is None else ys.tolist()}
            self._pts = np.concatenate([ys, xs])         # point of shard s
        elif kind == "vandermonde":
            G_full = _mx.vandermonde(n, k, field, points)
            C = G_full[k:]
            self._params = {"points": None if points is None
                            else _mx.vandermonde_points(n, field, points).tolist()}
        else:
            C = self._custom_parity(G, check)
        C = np.ascontiguousarray(C)
        self.parity_matrix = C
        self.G = np.concatenate([field.eye(k), C], axis=0)
        for a in (self.parity_matrix, self.G):
            a.setflags(write=False)
        self._encoder = field.plan_matmul(C) if n > k else None
        # [-C | I]: right-hand sides of the e x e decode systems (see _recovery_matrix)
        self._neg_aug = np.concatenate([field.neg(C), field.eye(n - k)], axis=1)
        self._data_targets = np.arange(k, dtype=np.intp)
        self._data_targets.setflags(write=False)
        self._cache = LRUCache(cache_size)
        self._grs = None          # (points, multipliers) once correct() needs them
        if setup == "closed_form" and n > k:
            self._prepare_cauchy()
        self.conditioning = self._check_conditioning()

    # Relative decoding accuracy a real-valued code should reach on its worst
    # responder set; the error bound is (condition number) x (unit roundoff).
    REAL_DECODE_ACCURACY = 1e-6
    CONDITION_SETS = 2000   # responder sets scored (exhaustive below this count)

    def _check_conditioning(self):
        """Over floating-point fields: the worst recovery condition number
        (matrices_real.ConditionReport; None for exact fields), with a
        ConditioningWarning when kappa * eps exceeds REAL_DECODE_ACCURACY."""
        dtype = np.dtype(self.field.dtype)
        if dtype.kind not in "fc" or self.n == self.k:
            return None
        report = condition_numbers(self.G.T, self.k, max_sets=self.CONDITION_SETS, rng=0)
        bound = report.worst * np.finfo(dtype).eps
        if bound > self.REAL_DECODE_ACCURACY:
            scope = "all" if report.exhaustive else f"{report.n_sets} sampled"
            warnings.warn(ConditioningWarning(
                f"MDSCode({self.n}, {self.k}, {self.field}, kind={self.kind!r}): worst condition "
                f"number {report.worst:.3g} over {scope} responder sets (set {list(report.worst_set)}); "
                f"decoding can lose accuracy up to {bound:.1e} relative, above the "
                f"{self.REAL_DECODE_ACCURACY:g} target.  Use a stable construction "
                "(fastcode.matrices_real, e.g. a best-of-draws Gaussian) or a prime field."),
                stacklevel=3)
        return report

    # ---- construction helpers ----------------------------------------------------

    def _custom_parity(self, G, check):
        n, k, field = self.n, self.k, self.field
        if G is None:
            raise InvalidArgumentError("kind='custom' needs a generator matrix G")
        G = field.asarray(G, "G")
        if G.ndim != 2 or G.shape not in ((n, k), (n - k, k)):
            raise ShardSizeError(f"G must have shape (n, k) = {(n, k)} or (n-k, k) = {(n - k, k)}, "
                                 f"got {G.shape}")
        if G.shape == (n, k) and n > 0:
            if not np.array_equal(G[:k], field.eye(k)):
                G = _mx.systematic_form(G, field)   # SingularMatrixError if the top is singular
            G = G[k:]
        if check and n > k:
            full = np.concatenate([field.eye(k), G], axis=0)
            bad = _mx.mds_counterexample(full, field, rng=0)
            if bad is not None:
                raise SingularMatrixError(f"G is not MDS: its rows {list(bad)} are linearly dependent "
                                          "(pass check=False to skip this check)")
        return G

    def _prepare_cauchy(self):
        """Pairwise differences of the shard points, for closed-form decode setup."""
        f = self.field
        diff = f.sub(self._pts[:, None], self._pts[None, :])
        one = f.asarray(np.ones(1, dtype=np.int64))[0]
        np.fill_diagonal(diff, one)       # self factors drop out of the products
        self._diff = diff
        self._invdiff = f.inv(diff)
        self._tables = np.stack([diff, self._invdiff])            # (2, n, n)
        n, k = self.n, self.k
        self._ones = np.full((n, 2 * n), one, dtype=diff.dtype)
        # prefix[u, e] = prod_{t = k .. k+e-1, t != u} (p_u - p_t): the parity factor
        # of every point when the chosen parity rows are the first e (the usual case)
        prefix = np.empty((n, n - k + 1), dtype=diff.dtype)
        prefix[:, 0] = one
        for e in range(1, n - k + 1):
            prefix[:, e] = f.mul(prefix[:, e - 1], diff[:, k + e - 1])
        self._prefix = np.stack([prefix, f.inv(prefix)])         # (2, n, n-k+1)

    # ---- configuration -------------------------------------------------------------

    def get_config(self) -> Dict[str, Any]:
        """JSON-able dict that ``MDSCode.from_config`` turns back into this code.

        Returns
        -------
        dict
            n, k, kind, field (a description of it), cache_size, setup, the
            points given (if any) and, for a custom code, its parity block.

        Examples
        --------
        >>> import json
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> cfg = code.get_config()
        >>> cfg["n"], cfg["k"], cfg["kind"], cfg["field"]["name"]
        (6, 4, 'cauchy', 'GF256')
        >>> MDSCode.from_config(json.loads(json.dumps(cfg))) == code
        True
        """
        cfg = {"class": "MDSCode", "n": self.n, "k": self.k, "kind": self.kind,
               "field": _field_config(self.field), "cache_size": self._cache.maxsize,
               "setup": self.setup}
        cfg.update({key: v for key, v in self._params.items() if v is not None})
        if self.kind == "custom":
            cfg["G"] = self.parity_matrix.tolist()
        return cfg

    @classmethod
    def from_config(cls, cfg: Dict[str, Any], field: Optional[Field] = None) -> "MDSCode":
        """Rebuild a code from ``get_config()`` output.

        Parameters
        ----------
        cfg : dict
            What ``get_config`` returned (after a JSON round trip, too).
        field : Field, optional
            Overrides ``cfg["field"]``.

        Returns
        -------
        MDSCode
            Equal to the code the config came from.

        Raises
        ------
        InvalidArgumentError
            Not an MDSCode config, or a field it cannot rebuild (and whatever
            ``MDSCode(...)`` raises on the parameters).

        Examples
        --------
        >>> from fastcode import MDSCode, PrimeField
        >>> cfg = MDSCode(5, 3, PrimeField(257)).get_config()
        >>> MDSCode.from_config(cfg)
        MDSCode(n=5, k=3, field=PrimeField(257), kind='cauchy')
        """
        cfg = dict(cfg)
        if cfg.pop("class", "MDSCode") != "MDSCode":
            raise InvalidArgumentError("config is not an MDSCode config")
        fcfg = cfg.pop("field", {"name": "GF256"})
        field = field if field is not None else _field_from_config(fcfg)
        G = cfg.pop("G", None)
        if G is not None:
            G = np.asarray(G, dtype=field.dtype)
            cfg["check"] = False      # it was checked when first built
        return cls(field=field, G=G, **cfg)

    def __reduce__(self):
        # through the config: prepared tables are rebuilt, never pickled
        return (_from_config_pickled, (self.get_config(), self.field))

    def __repr__(self):
        return f"MDSCode(n={self.n}, k={self.k}, field={self.field}, kind={self.kind!r})"

    def __eq__(self, other):
        return (isinstance(other, MDSCode) and self.field == other.field and self.n == other.n
                and self.k == other.k and np.array_equal(self.parity_matrix, other.parity_matrix))

    def __hash__(self):
        return hash((self.n, self.k, self.parity_matrix.tobytes()))

    @property
    def cache_info(self) -> Tuple[int, int, int, int]:
        """(hits, misses, size, maxsize) of the decoder cache."""
        c = self._cache
        return (c.hits, c.misses, len(c), c.maxsize)

    # ---- encoding -------------------------------------------------------------------

    def encode(self, data: Regions, out: Optional[Regions] = None) -> Regions:
        """Parity (n-k, L) of data.

        Parameters
        ----------
        data : (k, L) array or list of k buffers
            Of the field's dtype (GF256: uint8; any bytes-like buffer works).
            A batch of stripes, (stripes, k, L) or a list of stripes (each a
            (k, L) array or k buffers), gives the parity (stripes, n-k, L)
            from one kernel call.
        out : (n-k, L) array or list of n-k writable buffers, optional
            Filled in place and returned ((stripes, n-k, L) or a list of
            stripes for a batch).  It may overlap ``data``: the parity is then
            computed into a temporary before ``out`` is written.

        Returns
        -------
        (n-k, L) array or list of buffers
            The parity, shards k..n-1 of the codeword (``out`` when given).

        Raises
        ------
        FieldTypeError
            Shards of the wrong dtype, None rows, or not an array or list.
        ShardSizeError
            Not k shards, rows of unequal length, ``out`` of the wrong shape
            or with non-contiguous rows.
        InvalidArgumentError
            ``out`` read-only, or its rows overlapping each other.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
        >>> code.encode(data).tolist()
        [[116, 84, 52, 20, 244, 212, 180, 148], [105, 73, 41, 9, 233, 201, 169, 137]]

        Buffers in, buffers out, and a batch of three stripes in one call:

        >>> out = [bytearray(8), bytearray(8)]
        >>> _ = code.encode([bytes(row) for row in data], out=out)
        >>> list(out[0]) == code.encode(data)[0].tolist()
        True
        >>> code.encode(np.stack([data, data, data])).shape
        (3, 2, 8)
        """
        if is_stripe_batch(data):
            return self._encode_batch(data, out)
        sh = _Shards(data, self.field, "data", count=self.k)
        if sh.rows is not None and any(r is None for r in sh.rows):
            raise FieldTypeError("data must not contain None")
        length = sh.length if sh.length is not None else 0
        given = out
        out, views = _out_rows(out, self.field, self.n - self.k, length)
        if self.n == self.k:
            return out
        if given is not None:
            dst = out if views is None else views
            into_input, between_outputs = overlaps(dst, sh.array if sh.array is not None else sh.rows)
            if between_outputs:
                raise InvalidArgumentError("out rows overlap each other")
            if into_input:
                staged = self.encode(data)
                for row, src in zip(dst, staged):
                    row[...] = src
                return out
        encoder = cast(MatmulPlan, self._encoder)      # made whenever n > k
        if _region_field(self.field):
            encoder(sh.array if sh.array is not None else sh.rows,
                    out=out if views is None else views)
        else:
            res = encoder(sh.array if sh.array is not None else np.stack(sh.rows))
            for i, row in enumerate(out if views is None else views):
                row[...] = res[i]
        return out

    def _encode_batch(self, data, out):
        """encode of a batch of stripes (see encode)."""
        if self.n == self.k:
            plan = self.field.plan_matmul(self.field.zeros((0, self.k)))
        else:
            plan = self._encoder
        if _region_field(self.field):
            return plan.batch(data, out, names=("data", "out"))
        return _batch_by_stripe(self.field, self.encode, data, out, self.n - self.k)

    def verify(self, codeword: Regions) -> bool:
        """True if the n shards of a codeword are consistent.

        Parameters
        ----------
        codeword : (n, L) array or list of n buffers
            Data shards then parity shards.

        Returns
        -------
        bool
            Whether the parity shards are those of the data shards.

        Raises
        ------
        FieldTypeError
            Shards of the wrong dtype.
        ShardSizeError
            Not n shards, or rows of unequal length.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> stripe = np.zeros((6, 8), dtype=np.uint8)     # all-zero: a codeword
        >>> code.verify(stripe)
        True
        >>> stripe[0, 0] = 1
        >>> code.verify(stripe)
        False
        """
        sh = _Shards(codeword, self.field, "codeword", count=self.n)
        rows = sh.take(range(self.n))
        parity = self.encode(rows[:self.k])
        return all(np.array_equal(parity[i], rows[self.k + i]) for i in range(self.n - self.k))

    def _check_data_index(self, idx):
        if isinstance(idx, bool) or not isinstance(idx, (int, np.integer)):
            raise InvalidArgumentError(f"idx must be an int data index, got {type(idx).__name__}")
        if not 0 <= idx < self.k:
            raise InvalidArgumentError(f"idx must be a data index in [0, {self.k}), got {idx}")
        return int(idx)

    def _add_column(self, parity, idx, delta):
        """parity[r] += C[r, idx] * delta for every parity row r, in place.

        A delta that overlaps parity is copied first (each parity row reads all
        of it); parity rows overlapping each other raise InvalidArgumentError."""
        idx = self._check_data_index(idx)
        delta = _as_row(delta, self.field, "block")
        ps = _Shards(parity, self.field, "parity", count=self.n - self.k)
        if ps.length is not None and ps.length != len(delta):
            raise ShardSizeError(f"parity rows have length {ps.length}, block has {len(delta)}")
        _, views = _out_rows(parity, self.field, self.n - self.k, len(delta), "parity")
        rows = views if views is not None else list(parity)
        into_input, between_outputs = overlaps(views if views is not None else parity, delta)
        if between_outputs:
            raise InvalidArgumentError("parity rows overlap each other")
        if into_input:
            delta = delta.copy()
        f, col = self.field, self.parity_matrix[:, idx]
        for r, row in enumerate(rows):
            if _region_field(f):
                f.mad_region(col[r], delta, row)          # row ^= c * delta (SIMD kernel)
            else:
                row[...] = f.add(row, f.mul(col[r], delta))
        return parity

    def update(self, parity: Regions, idx: int, old_block: ArrayLike,
               new_block: ArrayLike) -> Regions:
        """Update parity in place after data block ``idx`` changed from old to new.

        Costs n-k multiply-adds of one block instead of a full re-encode:
        ``parity[r] += C[r, idx] * (new_block - old_block)``.

        Parameters
        ----------
        parity : (n-k, L) array or list of n-k writable buffers
            The parity of the old data, updated in place.
        idx : int
            The data block that changed, in [0, k).
        old_block, new_block : (L,) buffers
            Its old and new contents (they may overlap ``parity``: their
            difference is formed before ``parity`` is written).

        Returns
        -------
        (n-k, L) array or list of buffers
            ``parity``.

        Raises
        ------
        InvalidArgumentError
            ``idx`` not a data index; ``parity`` read-only or with rows
            overlapping each other.
        ShardSizeError
            Blocks and parity rows of different lengths, or not n-k parity
            rows.
        FieldTypeError
            Buffers of the wrong dtype.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
        >>> parity = code.encode(data)
        >>> new = np.full(8, 255, dtype=np.uint8)
        >>> _ = code.update(parity, 1, data[1], new)
        >>> data[1] = new
        >>> np.array_equal(parity, code.encode(data))
        True
        """
        old = _as_row(old_block, self.field, "old_block")
        new = _as_row(new_block, self.field, "new_block")
        if len(old) != len(new):
            raise ShardSizeError(f"old_block has length {len(old)}, new_block has {len(new)}")
        return self._add_column(parity, idx, self.field.sub(new, old))

    def encode_incremental(self, block: ArrayLike, idx: int, parity: Regions) -> Regions:
        """Add data block ``idx``'s contribution to parity in place (streaming encode).

        Start from all-zero parity and call once per data block, in any order:
        the data never has to be in memory all at once.

        Parameters
        ----------
        block : (L,) buffer
            Data block ``idx``.
        idx : int
            Its index, in [0, k).
        parity : (n-k, L) array or list of n-k writable buffers
            Updated in place: ``parity[r] += C[r, idx] * block``.

        Returns
        -------
        (n-k, L) array or list of buffers
            ``parity``.

        Raises
        ------
        InvalidArgumentError
            ``idx`` not a data index; ``parity`` read-only or with rows
            overlapping each other.
        ShardSizeError
            ``block`` and parity rows of different lengths, or not n-k parity
            rows.
        FieldTypeError
            Buffers of the wrong dtype.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
        >>> parity = np.zeros((2, 8), dtype=np.uint8)
        >>> for idx in (3, 0, 2, 1):
        ...     _ = code.encode_incremental(data[idx], idx, parity)
        >>> np.array_equal(parity, code.encode(data))
        True
        """
        return self._add_column(parity, idx, block)

    # ---- decoding -------------------------------------------------------------------

    @property
    def recovery_threshold(self) -> int:
        """Shards that always suffice to decode: k."""
        return self.k

    def can_decode(self, indices: Indices) -> bool:
        """True iff ``decode`` succeeds on the shards ``indices``: at least k distinct shards.

        Parameters
        ----------
        indices : sequence of int or bool mask of length n
            Distinct shard indices in [0, n).

        Returns
        -------
        bool
            Whether those shards decode.

        Raises
        ------
        InvalidArgumentError
            Indices out of range, duplicated or not integers (as in
            ``decode``).
        ShardSizeError
            A mask not of length n, or indices not 1-D.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> code.can_decode([0, 2, 5]), code.can_decode([0, 2, 5, 3])
        (False, True)
        >>> code.can_decode(np.array([True, True, False, True, False, True]))
        True
        """
        try:
            self._normalize_present(indices)
        except NotEnoughShardsError:
            return False
        return True

    def decoder(self, indices: Indices = REQUIRED, which: Which = "data", *,
                present: Optional[Indices] = None) -> Decoder:
        """Prepared ``Decoder`` for the shards ``indices`` and the rows ``which``.

        Cached per pattern in a thread-safe LRU (``cache_size``): decoding many
        stripes with one erasure pattern prepares its matrix once.

        Parameters
        ----------
        indices : sequence of int or bool mask of length n
            The shards the decoder will be given, in that order.
        which : {"data", "all", "parity"} or sequence of int, default "data"
            The rows it computes: the k data rows, all n, the n-k parity rows,
            or these shard indices (in that order).
        present : optional
            Deprecated name of ``indices``.

        Returns
        -------
        Decoder
            Callable as ``decoder(shards, out=None)``.

        Raises
        ------
        NotEnoughShardsError
            Fewer than k shards.
        InvalidArgumentError
            Indices or ``which`` out of range, duplicated or malformed.
        ShardSizeError
            A mask not of length n, or indices not 1-D.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> decoder = code.decoder([0, 1, 2, 4], which="parity")
        >>> decoder.lost.tolist()                       # shard 5 is computed
        [5]
        >>> code.decoder([0, 1, 2, 4], which="parity") is decoder   # cached
        True
        """
        if present is not None or indices is REQUIRED:
            indices = renamed("MDSCode.decoder", "indices", indices, "present", present)
        key = _raw_key(indices, which)
        if key is not None:
            dec = self._cache.get(key)
            if dec is not None:
                return dec
        given, mask, present_sorted, given_sorted, from_mask = self._normalize_present(indices)
        targets = self._normalize_which(which)
        ckey = ("core", mask.tobytes(), which if isinstance(which, str) else targets.tobytes())
        core = self._cache.get(ckey)
        if core is None:
            core = self._build_core(mask, present_sorted, targets,
                                    which == "data" if isinstance(which, str) else False)
            self._cache.put(ckey, core)
        dec = Decoder(self, given, given_sorted, targets, core, from_mask)
        if key is not None:
            self._cache.put(key, dec)
        return dec

    def decode(self, results: Regions = REQUIRED, indices: Indices = REQUIRED,
               out: Optional[Regions] = None, *, present: Optional[Indices] = None,
               shards: Optional[Regions] = None) -> Regions:
        """The k data rows, (k, L), from any >= k shards.

        Present data rows are copied, lost ones computed by one kernel call
        (the decode matrix of the pattern is prepared once and cached, see
        ``decoder``).

        Parameters
        ----------
        results : (m, L) array or list of m buffers
            The shards, paired with ``indices`` positionally: row i is shard
            indices[i] (for a mask: the True positions in increasing order).
            With a mask, ``results`` may instead be the whole stripe indexed
            by shard number (n rows; absent rows ignored, None allowed in a
            list).  Integer indices never take that second reading: an (n, L)
            stripe with fewer than n indices is refused with ShardSizeError,
            so a stripe in any order decodes right.  A batch of stripes with
            one erasure pattern, (stripes, m, L) or a list of stripes, gives
            (stripes, k, L), every stripe decoded by one kernel call.
        indices : sequence of int or bool mask of length n
            Distinct shard indices in [0, n), m >= k of them.
        out : (k, L) array or list of k writable buffers, optional
            Filled and returned ((stripes, k, L) or a list of stripes for a
            batch).  It may overlap ``results`` (e.g. ``out=shards`` to decode
            in place): the result is then computed into a temporary before
            ``out`` is written, so it is always right.
        present, shards : optional
            Deprecated keyword names of ``indices`` and ``results``.

        Returns
        -------
        (k, L) array or list of buffers
            The data rows (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            Fewer than k shards (or a needed row is None).
        InvalidArgumentError
            Indices out of range, duplicated or not integers; ``out``
            read-only or with rows overlapping each other (raised before
            anything is written).
        ShardSizeError
            Rows that do not pair with ``indices``, rows of unequal length,
            ``out`` of the wrong shape.
        FieldTypeError
            Shards of the wrong dtype.

        Examples
        --------
        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
        >>> stripe = np.vstack([data, code.encode(data)])

        Shards in any order, paired with their indices:

        >>> np.array_equal(code.decode(stripe[[4, 2, 5, 0]], [4, 2, 5, 0]), data)
        True

        A whole stripe with a bool mask of the shards that survived, repaired
        in place (``out`` overlaps the shards):

        >>> damaged = stripe.copy()
        >>> damaged[[1, 3]] = 0
        >>> mask = np.array([True, False, True, False, True, True])
        >>> _ = code.decode(damaged, mask, out=damaged[:4])
        >>> np.array_equal(damaged[:4], data)
        True
        """
        if present is not None or shards is not None or indices is REQUIRED or results is REQUIRED:
            results = renamed("MDSCode.decode", "results", results, "shards", shards)
            indices = renamed("MDSCode.decode", "indices", indices, "present", present)
        return self.decoder(indices)(results, out=out)

    def correct(self, shards: Regions, indices: Optional[Indices] = None,
                max_errors: Optional[int] = None, out: Optional[Regions] = None) -> Corrected:
        """Decode through errors and erasures: the data, and which present shards were wrong.

        With m shards present (e = n - m erased) and r = n - k parity shards, up
        to ``t = (r - e) // 2`` present shards may be silently wrong, in any of
        their bytes: they are located (the same shards in every byte column),
        corrected and reported.  Needs a Cauchy or Vandermonde code over GF(2^8)
        or GF(p) (generalized Reed-Solomon codes).  Nothing is repaired column
        by column (see ``fastcode.codes.correct`` for the method and the
        residual risk).  The inputs are never modified.

        Parameters
        ----------
        shards : (m, L) array or list of m buffers
            Paired with ``indices`` as in ``decode``.
        indices : sequence of int or bool mask of length n, optional
            Default: all n shards, rows 0..n-1.
        max_errors : int, optional
            Caps how many wrong shards are accepted (default t, at most t).
            ``max_errors=0`` only detects: any inconsistency among the m shards
            (up to r - e wrong shards are always seen) raises.
        out : (k, L) array or list of k writable buffers, optional
            Receives the data.

        Returns
        -------
        Corrected
            ``(data, corrupted)``: data (k, L) (``out`` if given), corrupted
            the sorted indices of the shards found wrong.

        Raises
        ------
        UncorrectableError
            More shards are wrong than can be located (or, with
            ``max_errors=0``, the shards are inconsistent).
        InvalidArgumentError
            A custom code or a field other than GF(2^8) or GF(p);
            ``max_errors`` outside [0, t]; invalid indices.
        NotEnoughShardsError
            Fewer than k shards.
        ShardSizeError
            Rows that do not pair with ``indices`` (or not n rows without
            ``indices``), rows of unequal length.
        FieldTypeError
            Shards of the wrong dtype.

        Examples
        --------
        A (7, 3) code with shard 6 lost: t = (4 - 1) // 2 = 1 wrong shard among
        the six present is corrected.

        >>> from fastcode import MDSCode, UncorrectableError
        >>> code = MDSCode(7, 3)
        >>> data = np.arange(12, dtype=np.uint8).reshape(3, 4)
        >>> stripe = np.vstack([data, code.encode(data)])
        >>> present = [0, 1, 2, 3, 4, 5]
        >>> received = stripe[present].copy()
        >>> received[1] ^= 0x11                          # shard 1 corrupted
        >>> result = code.correct(received, present)
        >>> result.corrupted, np.array_equal(result.data, data)
        ([1], True)

        Two wrong shards are more than it can locate, but are still detected:

        >>> received[4, 0] ^= 1
        >>> try:
        ...     code.correct(received, present)
        ... except UncorrectableError:
        ...     print("uncorrectable")
        uncorrectable
        """
        n, k, f = self.n, self.k, self.field
        sh = _Shards(shards, f, "shards")
        if indices is None:
            if sh.count != n:
                raise ShardSizeError(f"without indices, shards must hold all n={n} shards, "
                                     f"got {sh.count}")
            indices = np.arange(n)
        given, mask, present, _, from_mask = self._normalize_present(indices)
        if sh.count == len(given):
            order = np.argsort(given, kind="stable")          # rows in increasing shard order
        elif from_mask and sh.count == n:
            order = present
        else:
            raise ShardSizeError(f"shards must hold the {len(given)} shards listed in indices "
                                 f"(rows pair with indices positionally), got {sh.count}")
        m, r = len(present), n - k
        t = (r - (n - m)) // 2
        if max_errors is None:
            max_errors = t
        max_errors = integer(max_errors, "max_errors", 0, t)
        corrector = self._corrector(mask, present)
        in_order = sh.array is not None and np.array_equal(order, np.arange(sh.count))
        if in_order:
            stripe = sh.array                                 # rows already by shard number
        else:
            rows = sh.take(order.tolist())
            stripe = rows if _region_field(f) else (np.stack(rows) if rows else f.zeros((0, 0)))
        wrong, values = corrector(stripe, sh.length or 0, max_errors)
        if mask[:k].all():
            # every data shard present: copy them out, then correct the wrong ones in out
            data = self.decode(stripe, present, out=out)
            for i, pos in enumerate(wrong):
                s = int(present[pos])
                if s < k:
                    # in place: out may be a list or tuple of buffers, not only an array
                    row = as_region(data[s], f.dtype, f"out[{s}]", writable=True)
                    row[...] = f.sub(row, values[i])
        else:
            rows = list(stripe) if in_order else rows
            for i, pos in enumerate(wrong):
                rows[pos] = f.sub(rows[pos], values[i])        # a new row: inputs stay intact
            data = self.decode(rows, present, out=out)
        return Corrected(data, [int(present[p]) for p in wrong])

    def _corrector(self, mask, present):
        """The cached ErrorCorrector of the present set ``mask`` (GRS form computed once)."""
        key = ("correct", mask.tobytes())
        corrector = self._cache.get(key)
        if corrector is None:
            if self._grs is None:
                if self.kind == "cauchy":
                    points = self._pts
                elif self.kind == "vandermonde":
                    points = _mx.vandermonde_points(self.n, self.field, self._params["points"])
                else:
                    raise InvalidArgumentError("correct needs a Cauchy or Vandermonde code "
                                               "(a generalized Reed-Solomon code), not a custom G")
                self._grs = (points, grs_form(self.G, points, self.field))
            corrector = ErrorCorrector(self, present, *self._grs)
            self._cache.put(key, corrector)
        return corrector

    def reconstruct(self, shards: Regions, indices: Indices = REQUIRED, which: Which = "data",
                    out: Optional[Regions] = None, *,
                    present: Optional[Indices] = None) -> Regions:
        """Rows ``which`` of the codeword from any >= k shards.

        Only the missing rows asked for are computed; present ones are copied.

        Parameters
        ----------
        shards : (m, L) array or list of m buffers
            As in ``decode`` (a whole stripe with a bool mask, or a batch).
        indices : sequence of int or bool mask of length n
            As in ``decode``.
        which : {"data", "all", "parity"} or sequence of int, default "data"
            The k data rows, all n rows, the n-k parity rows, or these shard
            indices (in that order).
        out : (len(which), L) array or list of writable buffers, optional
            Filled and returned; it may overlap ``shards``: with a bool mask,
            ``reconstruct(stripe, mask, "all", out=stripe)`` repairs a whole
            stripe in place.
        present : optional
            Deprecated name of ``indices``.

        Returns
        -------
        (len(which), L) array or list of buffers
            The rows asked for (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            Fewer than k shards.
        InvalidArgumentError
            Indices or ``which`` out of range, duplicated or malformed; ``out``
            read-only or with rows overlapping each other.
        ShardSizeError
            Rows that do not pair with ``indices``, rows of unequal length,
            ``out`` of the wrong shape.
        FieldTypeError
            Shards of the wrong dtype.

        Examples
        --------
        Repair a whole stripe in place after losing one data and one parity
        shard:

        >>> from fastcode import MDSCode
        >>> code = MDSCode(6, 4)
        >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
        >>> stripe = np.vstack([data, code.encode(data)])
        >>> damaged = stripe.copy()
        >>> damaged[[2, 5]] = 0
        >>> mask = np.array([True, True, False, True, True, False])
        >>> _ = code.reconstruct(damaged, mask, "all", out=damaged)
        >>> np.array_equal(damaged, stripe)
        True
        """
        if present is not None or indices is REQUIRED:
            indices = renamed("MDSCode.reconstruct", "indices", indices, "present", present)
        return self.decoder(indices, which)(shards, out=out)

    # ---- validation and setup (cold path) ------------------------------------------------

    def _normalize_present(self, present):
        """(given indices in the caller's order, bool mask of length n, the
        sorted present indices, whether given is increasing, whether present
        was a bool mask)."""
        arr = np.asarray(present)
        n = self.n
        if arr.dtype == np.bool_:
            if arr.shape != (n,):
                raise ShardSizeError(f"indices as a bool mask must have shape ({n},), got {arr.shape}")
            mask = arr
            given = present = arr.nonzero()[0]
            is_sorted = True
        elif arr.dtype.kind in "iu" or (arr.size == 0 and arr.dtype.kind == "f"):
            if arr.ndim != 1:
                raise ShardSizeError(f"indices must be 1-D shard indices or a bool mask, got shape {arr.shape}")
            given = arr.astype(np.intp, copy=False)
            # one comparison catches both ends: negatives wrap to huge unsigned values
            if given.size and given.view(np.uintp).max() >= n:
                raise InvalidArgumentError(f"indices must be in [0, {n}), got min "
                                           f"{given.min()}, max {given.max()}")
            mask = np.zeros(n, dtype=bool)
            mask[given] = True
            present = mask.nonzero()[0]
            if len(present) != len(given):
                vals, counts = np.unique(given, return_counts=True)
                raise InvalidArgumentError(f"indices has duplicate shards {vals[counts > 1].tolist()}")
            is_sorted = np.array_equal(present, given)
        else:
            raise InvalidArgumentError(f"indices must be integer shard indices or a bool mask, "
                                       f"got dtype {arr.dtype}")
        if len(given) < self.k:
            raise NotEnoughShardsError(f"need at least k={self.k} shards to decode, got {len(given)}")
        return given, mask, present, is_sorted, arr.dtype == np.bool_

    def _normalize_which(self, which):
        if isinstance(which, str):
            if which == "data":
                return self._data_targets
            if which == "all":
                return np.arange(self.n, dtype=np.intp)
            if which == "parity":
                return np.arange(self.k, self.n, dtype=np.intp)
            raise InvalidArgumentError(f"which must be 'data', 'all', 'parity' or indices, got {which!r}")
        arr = np.asarray(which)
        if arr.ndim != 1 or (arr.dtype.kind not in "iu" and arr.size):
            raise InvalidArgumentError(f"which must be a 1-D sequence of shard indices, got {which!r}")
        arr = arr.astype(np.intp)
        if arr.size and (arr.min() < 0 or arr.max() >= self.n):
            raise InvalidArgumentError(f"which indices must be in [0, {self.n}), got {arr.tolist()}")
        if len(np.unique(arr)) != len(arr):
            raise InvalidArgumentError(f"which has duplicate indices: {arr.tolist()}")
        return arr

    def _build_core(self, mask, present, targets, data_targets):
        """Decode matrix and plan for the present mask and the targets
        (``data_targets``: targets are exactly 0..k-1, the common case)."""
        k, f = self.k, self.field
        core = _Core()
        core.present = present
        core.full_plan = None
        lost = (~mask[:k]).nonzero()[0]                  # lost data rows, sorted
        e = len(lost)
        nd = k - e
        data_p = present[:nd]
        S = present[nd:k]                                # first e present parity rows
        chosen = core.chosen = present[:k]               # = [data_p, S]
        if data_targets:
            core.copy_pos = core.copy_idx = data_p
            core.miss_pos = miss = lost
        else:
            tmask = mask[targets]
            core.copy_pos = tmask.nonzero()[0]
            core.copy_idx = targets[core.copy_pos]
            core.miss_pos = (~tmask).nonzero()[0]
            miss = targets[core.miss_pos]
        q = len(miss)
        # lost rows often consecutive: write them as one 2-D slice of out
        core.miss_run = (slice(int(core.miss_pos[0]), int(core.miss_pos[-1]) + 1)
                         if q and core.miss_pos[-1] - core.miss_pos[0] == q - 1 else None)
        if q == 0:
            core.matrix, core.plan = f.zeros((0, k)), None
            return core
        R = self._recovery_matrix(lost, data_p, S, chosen) if e else f.zeros((0, k))
        if data_targets:
            M = R
        elif np.all(miss < k):
            M = R[np.searchsorted(lost, miss)]              # only lost data rows asked
        else:
            # a lost parity row t: C[t] D = C[t, p] D_p + C[t, lost] (R @ chosen)
            M = f.zeros((q, k))
            is_data = miss < k
            M[is_data] = R[np.searchsorted(lost, miss[is_data])]
            Ct = self.parity_matrix[miss[~is_data] - k]
            par = np.concatenate([Ct[:, data_p], f.zeros((len(Ct), e))], axis=1)
            if e:
                par = f.add(par, f.matmul(Ct[:, lost], _unit_row_stride(np.ascontiguousarray(R))))
            M[~is_data] = par
        core.matrix = np.ascontiguousarray(M)
        core.matrix.setflags(write=False)
        core.plan = f.plan_matmul(core.matrix)
        if data_targets and nd and _region_field(f):
            # All k data rows in one kernel pass: unit rows copy the present
            # ones stripe by stripe while the same input stripes feed the
            # rebuilt rows, so each input is read from memory once.
            full = f.zeros((k, k))
            full[data_p, np.arange(nd)] = 1                # chosen = [data_p, S]
            full[lost] = R
            core.full_plan = f.plan_matmul(full)
        return core

    def _recovery_matrix(self, lost, data_p, S, chosen):
        """R (e x k) with D_lost = R @ [D_data_p; P_S] (columns in ``chosen`` order)."""
        if self.setup == "closed_form":
            return self._cauchy_recovery(lost, chosen, S)
        # One solve on the e x e block: with T = [-C | I] (columns indexed by
        # shard number), T[S, chosen] = [-B | I], and A X = [-B | I] gives
        # X = [-inv(A) B | inv(A)] = R directly.
        rows = S - self.k
        return self.field.solve(self.parity_matrix.take(rows, 0).take(lost, 1),
                                self._neg_aug.take(rows, 0).take(chosen, 1))

    def _cauchy_recovery(self, lost, chosen, S):
        """Closed form of R for Cauchy codes, O(e k) field operations.

        Shard s has point p_s (y_j for data, x_i for parity).  With
        r(u) = prod_{j in lost} (p_u - p_j) / prod_{t in S} (p_u - p_t)
        (factors with j = u or t = u omitted),

            R[i, c] = r(c) / (r(i) * (p_i - p_c))   for i in lost, c in chosen.

        The parity columns are inv(C[S, lost]) (the Cauchy inverse of
        ``matrices.cauchy_inverse``); the data columns are -inv(A) B by the same
        partial-fraction argument applied to the extra poles y_c.

        Cost is dominated by Python overhead per field call, so the factors of
        1/r(i) (rows i in lost) and r(c) (rows c in chosen) are gathered in one
        indexing step from the tables of differences and their inverses (and a
        table of prefix products over the parity points, when the chosen parity
        rows are the first e), and multiplied by a pairwise tree:
        ceil(log2(e + 1)) + 2 field calls (ceil(log2(2e)) + 2 for other S)."""
        f = self.field
        e = len(lost)
        rows = np.concatenate([lost, chosen])
        # 1 for lost rows: their factors multiply to 1/r, the others' to r
        row_lost = np.zeros(len(rows), dtype=np.intp)
        row_lost[:e] = 1
        if S[-1] - S[0] == e - 1 and S[0] == self.k:
            # S = the first e parity rows: the parity factor is one prefix-table entry
            factors = np.concatenate([
                self._tables[row_lost[:, None], rows[:, None], lost[None, :]],
                self._prefix[1 - row_lost, rows, e][:, None]], axis=1)
        else:
            cols = np.concatenate([lost, S])
            col_lost = np.zeros(2 * e, dtype=np.intp)
            col_lost[:e] = 1
            # inverse differences where row and column are both lost or both not
            factors = self._tables[(row_lost[:, None] == col_lost[None, :]).astype(np.intp),
                                   rows[:, None], cols[None, :]]
        width = factors.shape[1]
        padded = 1 << (width - 1).bit_length()
        if padded > width:   # pad with ones so every tree level halves evenly
            factors = np.concatenate([factors, self._ones[:len(rows), :padded - width]], axis=1)
        while factors.shape[1] > 1:
            h = factors.shape[1] // 2
            factors = f.mul(factors[:, :h], factors[:, h:])
        s = factors[:, 0]          # s[:e] = 1/r(lost), s[e:] = r(chosen)
        scaled = f.mul(self._invdiff[lost[:, None], chosen[None, :]], s[e:][None, :])
        return f.mul(scaled, s[:e, None])


# ---- module helpers -----------------------------------------------------------------------

def _raw_key(present, which):
    """Cache key of the caller's exact ``present`` / ``which`` objects, so a
    repeated pattern skips validation; None when the input is not hashable
    cheaply.  Type tags keep [True, False] apart from [1, 0]."""
    if isinstance(which, str):
        wkey = which
    elif isinstance(which, np.ndarray):
        wkey = ("a", which.dtype.str, which.shape, which.tobytes())
    elif isinstance(which, (list, tuple)) and all(type(v) is int for v in which):
        wkey = tuple(which)
    else:
        return None
    if isinstance(present, np.ndarray):
        return ("a", present.dtype.str, present.shape, present.tobytes(), wkey)
    if isinstance(present, (list, tuple)) and all(type(v) is int for v in present):
        return ("l", tuple(present), wkey)
    return None


def _field_config(field):
    """JSON-able description of a field descriptor."""
    if hasattr(field, "get_config"):
        return dict(field.get_config())
    cfg = {"name": getattr(field, "name", type(field).__name__),
           "class": type(field).__name__, "module": type(field).__module__}
    size = _mx.field_size(field)
    if size is not None:
        cfg["order"] = size
    return cfg


def _field_from_config(cfg):
    """Inverse of _field_config for the fields fastcode ships."""
    import importlib

    from fastcode import fields     # the codes layer looks fields up, never higher
    name = cfg.get("name")
    obj = getattr(fields, str(name), None)
    if obj is not None and not isinstance(obj, type):
        return obj                                       # a module-level descriptor: GF256, Reals
    module = importlib.import_module(cfg.get("module", "fastcode.fields"))
    cls = getattr(module, cfg.get("class", ""), None)
    if cls is None:
        raise InvalidArgumentError(f"cannot rebuild the field from config {cfg!r}")
    if "order" in cfg:
        return cls(cfg["order"])                         # PrimeField(p)
    return cls()


def _from_config_pickled(cfg, field):
    return MDSCode.from_config(cfg, field=field)
