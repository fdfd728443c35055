"""Gradient codes: the common abstraction and the exact codes
(:ref:`gradient-model`, :ref:`gradient-frc`, :ref:`gradient-crc`, :ref:`gradient-cyclic-mds`,
:ref:`gradient-ye-abbe`; :ref:`codes-gradient`).

Model.  n workers, N data parts, gradients of length d split into m blocks of
length L = ceil(d / m) (zero-padded).  ``assignment`` A (n, N) uint8 says who
holds which part.  Encoding matrices B_0..B_{m-1} (n, N) over the code's field,
supported on A; worker i sends the length-L vector

    y_i = sum_u sum_j B_u[i, j] g_j[u].

``B`` is [B_0 | ... | B_{m-1}], shape (n, m N).  For responders F the master
computes block u of the gradient sum as sum_{i in F} W[u, i] y_i; the decode
weights W (m, |F|) satisfy B[F, :]^T W[u] = e_u (x) 1_N (exact codes) or
approximate it (``fastcode.codes.gradient_approx``).

Master side (the ``Code`` contract of ``fastcode.codes.base``; ``indices``
are the responders' worker ids).  ``decode_weights(indices)`` is cached by the
responder bitmask (thread-safe LRU); fresh real-valued weights come from a sparse
Householder QR of B[F, :]^T (``_recovery.sparse_lstsq``), not a dense lstsq.
``decode(results, indices, out=None)`` combines the responders' vectors
(rows of a (|F|, L) array or a list of 1-D arrays, aligned with
``indices``) in one cache-blocked pass (``_recovery.combine``) when the
field's elements are float64; other fields go through ``field.matmul``.

Fields.  The codes use the field interface only (``fastcode.fields.base``):
an exact field decodes by ``field.solve_consistent`` (PrimeField), an inexact
one by least squares (sparse QR, then ``field.lstsq``; Reals), with
constructions chosen for their conditioning.  A field with neither (GF256)
serves FractionalRepetition only, which solves nothing.  The default field is
Reals: gradients are real vectors, and the codes here are built to decode
them in float64 with bounded error.

Shapes and dtypes.  Reals: float64 everywhere.  PrimeField: uint32 field
elements (gradients quantised by the caller, e.g. ``field.from_float``).
GF256: uint8 (FractionalRepetition only).
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.memory import overlaps
from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
if TYPE_CHECKING:
    # the compiled module has no stub; its NumPy twin has the same signatures
    from fastcode.reference import recovery as _recovery
else:
    try:
        from fastcode.codes import _recovery
    except ImportError:     # unbuilt source tree (FASTCODE_BACKEND=numpy): the NumPy twin
        from fastcode.reference import recovery as _recovery
from fastcode.codes._lru import LRUCache
from fastcode.codes.base import REQUIRED, Code, Indices, renamed
from fastcode.codes.designs import check_assignment, cyclic_assignment, frc_assignment
from fastcode.errors import (FieldTypeError, FieldValueError, InvalidArgumentError,
                             NotEnoughShardsError, ShardSizeError, SingularMatrixError)
from fastcode.fields.base import Field, Regions
from fastcode.fields.reals import Reals
from fastcode.matrices_real import ConditionReport, chebyshev_nodes, condition_numbers

# A random source: None (fresh entropy), an int seed or a numpy.random.Generator.
_RngLike = Union[None, int, np.random.Generator]

DEFAULT_CACHE_SIZE = 4096
"""Decode-weight cache entries per code (one (m, n) float64 array each)."""

COND_WARN = 1e8
"""Worst-case condition numbers above this trigger a RuntimeWarning (float64
then loses more than half of its 16 digits on an unlucky responder set)."""


def _check_field(field):
    if not isinstance(field, Field):
        raise InvalidArgumentError(f"field must be a fastcode field (GF256, PrimeField(p), Reals), "
                                   f"got {field!r}")
    return field


def _check_solving_field(field, code):
    """Codes that solve for decode weights need a field that solves linear systems:
    exactly (``solve_consistent``) or by least squares (``lstsq``)."""
    _check_field(field)
    if not (field.supports_solve_consistent or field.supports_lstsq):
        raise InvalidArgumentError(f"{code} decodes by solving linear systems, which {field} cannot "
                                   "(it needs solve_consistent or lstsq: PrimeField(p) or Reals)")
    return field


def csr_arrays(B):
    """CSR arrays (indptr, indices, data) of a dense float64 matrix (exact zeros dropped):
    the form ``_recovery.sparse_lstsq`` reads the encoding matrix in."""
    rows, cols = np.nonzero(B)
    indptr = np.zeros(B.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=B.shape[0]), out=indptr[1:])
    return indptr, cols.astype(np.int64), np.ascontiguousarray(B[rows, cols], dtype=np.float64)


class GradientCode(Code):
    """A linear gradient code: assignment, encoding matrices, cached decoder.

    The ``Code`` contract: ``k`` = ``recovery_threshold`` (n - s), ``encode(partial
    gradients, worker)``, ``can_decode(indices)``, ``decode(results, indices,
    out=None)``; the old keyword names ``responders=`` and ``coded=`` still work
    with a DeprecationWarning.

    Subclasses build the encoding matrices; ``GradientCode`` itself can wrap
    explicit matrices (e.g. a small hand-made example) and decodes by least
    squares (inexact fields: Reals) or an exact consistent solve (exact fields:
    PrimeField).  Default field Reals (see the module docstring).

    Parameters
    ----------
    blocks : (m, n, N) array over ``field``, or (n, N) for m = 1
        The encoding matrices B_0..B_{m-1}; entry [u, i, j] multiplies block u of
        part j's gradient in worker i's message.
    assignment : (n, N) 0/1 array, optional
        Which worker holds which part; default the support of ``blocks`` (every
        nonzero coefficient must lie inside it).
    field : Field, default Reals
        The field of the coefficients and gradients (Reals, PrimeField(p); GF256
        only for codes that solve nothing).
    s : int or None, default 0
        The number of stragglers an exact code tolerates (None for approximate
        codes); the recovery threshold is n - s.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the decode-weight LRU cache (0 disables it).

    Raises
    ------
    InvalidArgumentError
        ``field`` is not a fastcode field, the assignment is not 0/1, the
        coefficients use parts a worker does not hold, or s >= n.
    ShardSizeError
        ``blocks`` is not (m, n, N) (or is empty) or ``assignment`` is not (n, N).
    FieldTypeError
        Complex encoding matrices, or entries the field refuses.
    FieldValueError
        Entries outside the field.

    Attributes
    ----------
    n, N, m : int
        Workers, data parts and blocks per gradient.
    s : int or None
        Stragglers tolerated by an exact code.
    field : Field
        The code's field.
    assignment : (n, N) uint8 array
        Read-only 0/1 matrix: A[i, j] = 1 iff worker i holds part j.
    blocks : (m, n, N) array
        Read-only encoding matrices, over the field's dtype.
    B : (n, m N) array
        Read-only [B_0 | ... | B_{m-1}].
    exact : bool
        True for codes whose decode is exact on any n - s responders.

    Examples
    --------
    A hand-made code (Tandon et al.'s 3-worker example, one straggler): worker 0
    sends g_0 / 2 + g_1, worker 1 sends g_1 - g_2, worker 2 sends g_0 / 2 + g_2.

    >>> from fastcode.codes.gradient import GradientCode
    >>> B = np.array([[0.5, 1, 0], [0, 1, -1], [0.5, 0, 1]])
    >>> code = GradientCode(B, s=1)
    >>> code
    GradientCode(n=3, N=3, m=1, s=1, field=Reals)
    >>> code.assignment.tolist()
    [[1, 1, 0], [0, 1, 1], [1, 0, 1]]
    >>> g = np.arange(6.0).reshape(3, 2)            # the 3 partial gradients, d = 2
    >>> messages = code.encode_all(g)               # (n, L) = (3, 2)
    >>> code.decode(messages[[0, 2]], [0, 2]).round(6).tolist()   # worker 1 straggles
    [6.0, 9.0]
    >>> g.sum(axis=0).tolist()
    [6.0, 9.0]
    """

    exact = True

    def __init__(self, blocks: ArrayLike, assignment: Optional[ArrayLike] = None,
                 field: Field = Reals, s: Optional[int] = 0,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self.field = _check_field(field)
        blocks = np.asarray(blocks)
        if blocks.ndim == 2:
            blocks = blocks[None]
        if blocks.ndim != 3 or 0 in blocks.shape:
            raise ShardSizeError(f"blocks must have shape (m, n, N), got {blocks.shape}")
        blocks = field.asarray(blocks, "blocks")
        if np.iscomplexobj(blocks):
            raise FieldTypeError("complex encoding matrices are not supported; use a real "
                                 "construction or a prime field")
        self.m, self.n, self.N = (int(x) for x in blocks.shape)
        support = np.any(blocks != 0, axis=0)
        if assignment is None:
            assignment = support
        A = check_assignment(assignment)
        if A.shape != (self.n, self.N):
            raise ShardSizeError(f"assignment must have shape {(self.n, self.N)}, got {A.shape}")
        if np.any(support & (A == 0)):
            raise InvalidArgumentError("encoding matrices use parts a worker does not hold "
                                       "(support outside the assignment)")
        self.assignment = A
        self.assignment.flags.writeable = False
        self.blocks = np.ascontiguousarray(blocks)
        self.blocks.flags.writeable = False
        self.B = np.ascontiguousarray(np.concatenate(list(self.blocks), axis=1))
        self.B.flags.writeable = False
        self.s = None if s is None else integer(s, "s", 0)
        if self.s is not None and self.s >= self.n:
            raise InvalidArgumentError(f"need s < n, got s={self.s}, n={self.n}")
        self._parts = [np.flatnonzero(A[i]) for i in range(self.n)]
        self._coef = [np.ascontiguousarray(self.blocks[:, i, self._parts[i]].T) for i in range(self.n)]
        # float64 elements: the cache-blocked combine kernel and, for least squares,
        # the sparse QR of _recovery (both work on float64 only)
        self._float64 = self.field.dtype == np.float64
        self._csr = csr_arrays(self.B) if self._float64 and not self.field.exact else None
        self._cache = LRUCache(cache_size)
        self._targets: Optional[np.ndarray] = None

    # ---- description -----------------------------------------------------------

    def __repr__(self):
        return (f"{type(self).__name__}(n={self.n}, N={self.N}, m={self.m}, s={self.s}, "
                f"field={self.field!r})")

    @property
    def recovery_threshold(self) -> int:
        """Responders an exact code needs in the worst case (n - s)."""
        return self.n - (self.s or 0)

    # Code declares ``k: int`` for codes that store it; here it is derived from n and s
    # and read-only, which every reader of the contract accepts (nothing assigns k).
    @property
    def k(self) -> int:  # type: ignore[override]
        """The recovery threshold (the ``Code`` contract's name)."""
        return self.recovery_threshold

    @property
    def load(self) -> float:
        """Largest fraction of the parts one worker holds."""
        return float(self.assignment.sum(axis=1).max()) / self.N

    @property
    def upload_fraction(self) -> float:
        """Length of a worker's message relative to d (1/m)."""
        return 1.0 / self.m

    def parts(self, worker: int) -> np.ndarray:
        """Parts held by ``worker``: the rows ``encode`` expects, in that order.

        Parameters
        ----------
        worker : int
            Worker id in [0, n).

        Returns
        -------
        int64 array
            Sorted part ids (read it, do not write it: it is the code's own array).

        Raises
        ------
        InvalidArgumentError
            ``worker`` is not an integer in [0, n).

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)     # worker i holds parts i..i+2 mod 5
        >>> code.parts(4).tolist()
        [0, 1, 4]
        """
        return self._parts[self._worker(worker)]

    def coefficients(self, worker: int) -> np.ndarray:
        """Encoding coefficients of ``worker``: entry [jj, u] = B_u[i, parts[jj]].

        Parameters
        ----------
        worker : int
            Worker id i in [0, n).

        Returns
        -------
        (len(parts(worker)), m) array
            Over the field's dtype (the code's own array: do not write it).

        Raises
        ------
        InvalidArgumentError
            ``worker`` is not an integer in [0, n).

        Examples
        --------
        >>> from fastcode.codes.gradient import FractionalRepetition
        >>> code = FractionalRepetition(4, 1)        # groups {0, 1} and {2, 3}
        >>> code.coefficients(2).tolist()            # worker 2 adds parts 2 and 3
        [[1.0], [1.0]]
        """
        return self._coef[self._worker(worker)]

    def block_length(self, d: int) -> int:
        """Length L = ceil(d / m) of a coded message for gradients of length d.

        Parameters
        ----------
        d : int
            Gradient length (>= 0).

        Returns
        -------
        int
            L; the gradient is zero-padded to m L.

        Raises
        ------
        InvalidArgumentError
            ``d`` is not an integer >= 0.

        Examples
        --------
        >>> from fastcode.codes.gradient import CommEfficient
        >>> CommEfficient(5, 1, m=2).block_length(7)
        4
        """
        return -(-integer(d, "d", 0) // self.m)

    def _worker(self, worker):
        if isinstance(worker, bool) or not isinstance(worker, (int, np.integer)) \
                or not 0 <= worker < self.n:
            raise InvalidArgumentError(f"worker must be an integer in [0, {self.n}), got {worker!r}")
        return int(worker)

    # ---- worker side -------------------------------------------------------------

    def encode(self, partial_gradients: ArrayLike, worker: int) -> np.ndarray:
        """The message of ``worker``: y_i = sum_u sum_j B_u[i, j] g_j[u].

        Parameters
        ----------
        partial_gradients : (len(parts(worker)), d) array
            The worker's own parts' gradients in ``parts(worker)`` order, over the
            field's dtype (float64 for Reals, uint32 elements for PrimeField).
        worker : int
            Worker id i in [0, n).

        Returns
        -------
        (L,) array
            The message, L = ceil(d / m) (gradients zero-padded to m L), over the
            field's dtype.

        Raises
        ------
        InvalidArgumentError
            ``worker`` is not an integer in [0, n).
        ShardSizeError
            ``partial_gradients`` is not 2-D with one row per part of the worker.
        FieldTypeError
            Entries the field cannot hold (e.g. strings).

        Examples
        --------
        Each worker encodes its own parts; the master decodes from any n - s
        messages:

        >>> from fastcode.codes.gradient import CommEfficient
        >>> code = CommEfficient(5, 2, m=2)               # 5 workers, 2 stragglers
        >>> g = np.random.default_rng(0).standard_normal((5, 4))   # N = 5 parts, d = 4
        >>> code.parts(3).tolist()
        [0, 1, 3, 4]
        >>> msgs = {i: code.encode(g[code.parts(i)], i) for i in (1, 3, 4)}
        >>> msgs[3].shape                                 # L = d / m
        (2,)
        >>> total = code.decode([msgs[1], msgs[3], msgs[4]], [1, 3, 4])
        >>> np.allclose(total, g.sum(axis=0))
        True
        """
        i = self._worker(worker)
        G = self.field.asarray(partial_gradients, "partial_gradients")
        c = len(self._parts[i])
        if G.ndim != 2 or G.shape[0] != c:
            raise ShardSizeError(f"partial_gradients of worker {i} must have shape ({c}, d) "
                                 f"(its parts {self._parts[i].tolist()}), got {G.shape}")
        d = G.shape[1]
        L = self.block_length(d)
        if L * self.m != d:
            G = np.concatenate([G, self.field.zeros((c, L * self.m - d))], axis=1)
        stacked = np.ascontiguousarray(G.reshape(c * self.m, L))      # row (jj, u) = g_j[u]
        coef = self._coef[i].reshape(1, c * self.m)
        return self.field.matmul(coef, stacked).reshape(L)

    def encode_all(self, partial_gradients: ArrayLike) -> np.ndarray:
        """Every worker's message at once (simulation).

        Parameters
        ----------
        partial_gradients : (N, d) array
            The gradient of every part, over the field's dtype.

        Returns
        -------
        (n, L) array
            Row i is ``encode(partial_gradients[parts(i)], i)``; L = ceil(d / m).

        Raises
        ------
        ShardSizeError
            ``partial_gradients`` is not (N, d).
        FieldTypeError
            Entries the field cannot hold.

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)
        >>> g = np.random.default_rng(0).standard_normal((5, 4))
        >>> messages = code.encode_all(g)
        >>> messages.shape
        (5, 4)
        >>> np.allclose(messages[1], code.encode(g[code.parts(1)], 1))
        True
        """
        G = self.field.asarray(partial_gradients, "partial_gradients")
        if G.ndim != 2 or G.shape[0] != self.N:
            raise ShardSizeError(f"partial_gradients must have shape ({self.N}, d), got {G.shape}")
        d = G.shape[1]
        L = self.block_length(d)
        if L * self.m != d:
            G = np.concatenate([G, self.field.zeros((self.N, L * self.m - d))], axis=1)
        # column (u, j) of B multiplies g_j[u]: stack the blocks as rows (u, j)
        stacked = np.ascontiguousarray(G.reshape(self.N, self.m, L).transpose(1, 0, 2)
                                       .reshape(self.m * self.N, L))
        return self.field.matmul(self.B, stacked)

    # ---- master side ----------------------------------------------------------------

    def targets(self) -> np.ndarray:
        """The decoding targets: column u is e_u (x) 1_N, the coefficient vector of block u's sum.

        Returns
        -------
        (m N, m) float64 array
            T, computed once and cached (do not write it).

        Examples
        --------
        >>> from fastcode.codes.gradient import CommEfficient
        >>> CommEfficient(3, 1, m=2).targets().T.tolist()
        [[1.0, 1.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]]
        """
        if self._targets is None:
            T = np.zeros((self.m * self.N, self.m))
            for u in range(self.m):
                T[u * self.N:(u + 1) * self.N, u] = 1.0
            self._targets = T
        return self._targets

    def can_decode(self, indices: Indices = REQUIRED, *,
                   responders: Optional[Indices] = None) -> bool:
        """True iff ``decode(results, indices)`` succeeds.

        That is: enough responders, and their decode weights solve (they are then
        cached for ``decode``).

        Parameters
        ----------
        indices : sequence of int
            Distinct worker ids in [0, n), any order.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        bool

        Raises
        ------
        InvalidArgumentError
            Ids out of range, duplicated or not integers.
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)         # any 3 of 5 workers decode
        >>> code.can_decode([3, 1]), code.can_decode([3, 1, 0])
        (False, True)
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.can_decode", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        if len(idx) < self.recovery_threshold:
            return False
        try:
            self.decode_weights(idx)
        except SingularMatrixError:
            return False
        return True

    def _check_enough(self, idx):
        if len(idx) < self.recovery_threshold:
            raise NotEnoughShardsError(f"{type(self).__name__} needs at least "
                                       f"{self.recovery_threshold} responders, got {len(idx)}")

    def decode_weights(self, indices: Indices = REQUIRED, *,
                       responders: Optional[Indices] = None) -> np.ndarray:
        """Decode weights W aligned with ``indices``: block u of the sum is sum_i W[u, i] y_i.

        Cached by the responder set; for ascending ``indices`` the cached array itself
        is returned (read-only), otherwise a fresh permuted copy.

        Parameters
        ----------
        indices : sequence of int
            The responders F: distinct worker ids in [0, n), any order.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        (|F|,) array if m == 1, else (m, |F|)
            Over the field's dtype; column i weighs worker ``indices[i]``.

        Raises
        ------
        NotEnoughShardsError
            Fewer than ``recovery_threshold`` responders.
        InvalidArgumentError
            Duplicate, out-of-range or non-integer ids.
        SingularMatrixError
            The responders cannot decode (a rank-deficient system).
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)
        >>> code.decode_weights([0, 2, 4]).round(3).tolist()
        [-0.564, 0.237, 0.538]
        >>> code.decode_weights([4, 0, 2]).round(3).tolist()     # aligned with the order given
        [0.538, -0.564, 0.237]
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.decode_weights", "indices", indices,
                              "responders", responders)
        idx, key, ascending = _recovery.parse_responders(indices, self.n)
        entry = self._cache.get(key)
        if entry is None:
            self._check_enough(idx)
            F = np.sort(idx)
            full = self._full_weights(F)
            compact = np.ascontiguousarray(full[0, F] if self.m == 1 else full[:, F])
            full.flags.writeable = False
            compact.flags.writeable = False
            entry = (full, compact)
            self._cache.put(key, entry)
        if ascending:
            return entry[1]          # read-only, shared: the common case allocates nothing
        full = entry[0]
        return full[0].take(idx) if self.m == 1 else full[:, idx]

    def _full_weights(self, F):
        """(m, n) weights, zero outside the sorted responder set F.  An exact code uses
        the first n - s responders only: any n - s decode, and more rows than the rank
        of B would make the system rank deficient."""
        if self.exact:
            F = F[:self.recovery_threshold]
        W = self._solve_weights(F)                           # (m, len(F))
        full = np.zeros((self.m, self.n), dtype=W.dtype)
        full[:, F] = W
        return full

    def _solve_weights(self, F):
        """(m, |F|) weights for the sorted responders F: an exact solve over an exact
        field, least squares over an inexact one (FieldValueError if the field has neither)."""
        if self.field.exact:
            return self._exact_weights(F)
        return self._lstsq_weights(F, self.targets(), exact=self.exact).T

    def _lstsq_weights(self, F, T, exact):
        """argmin_W ||B[F]^T W - T|| (W (|F|, r)); sparse QR, dense lstsq if rank deficient."""
        W = None
        if self._csr is not None and len(F) <= self.m * self.N:
            indptr, indices, data = self._csr
            W, res, ok = _recovery.sparse_lstsq(indptr, indices, data, F, self.m * self.N, T, 1e-11)
            if not ok:
                W = None
        if W is None:
            if exact:
                raise SingularMatrixError(
                    f"B restricted to responders {F.tolist()[:20]}... has dependent rows: "
                    "the code cannot decode this set")
            W = self.field.lstsq(self.B[F].T, T)
            res = np.linalg.norm(self.B[F].T @ W - T, axis=0)
        if exact and np.max(res) > 1e-8 * math.sqrt(self.N) * max(1.0, float(np.abs(W).max())):
            warnings.warn(f"{type(self).__name__}: decoding residual {np.max(res):.3g} for "
                          f"responders {F.tolist()[:20]}: the code is badly conditioned",
                          RuntimeWarning, stacklevel=4)
        return W

    def _exact_weights(self, F):
        """Exact weights W (m, |F|) with B[F]^T W^T = T, from ``field.solve_consistent``
        (SingularMatrixError when the responders cannot decode some block)."""
        f = self.field
        M = np.ascontiguousarray(self.B[F].T)                         # (m N, k)
        T = self.targets().astype(f.dtype)                            # 0/1: in every field
        try:
            W = f.solve_consistent(M, T)                              # (k, m)
        except SingularMatrixError as exc:
            raise SingularMatrixError(f"responders {F.tolist()[:20]} cannot decode every block "
                                      f"over {f}: {exc}") from None
        return np.ascontiguousarray(W.T)

    def decode(self, results: Regions = REQUIRED, indices: Indices = REQUIRED,
               out: Optional[np.ndarray] = None, *, coded: Optional[Regions] = None,
               responders: Optional[Indices] = None) -> np.ndarray:
        """The gradient sum from the responders' messages.

        ``out`` may overlap ``results``: the sum is then formed in a temporary before
        ``out`` is written.

        Parameters
        ----------
        results : (|F|, L) array, or a sequence of |F| 1-D arrays of length L
            Row i sent by worker ``indices[i]`` (Reals: float64; rows that are not
            contiguous float64 are copied).
        indices : sequence of int
            The responders: distinct worker ids in [0, n), any order.
        out : (m L,) or (m, L) array, optional
            C-contiguous, writeable, of the field's dtype; receives the sum.
        coded, responders : optional
            Deprecated keyword names of ``results`` and ``indices``.

        Returns
        -------
        (m L,) array, or ``out`` when given
            Blocks u = 0..m-1 of the gradient sum concatenated; drop the zero
            padding beyond d.

        Raises
        ------
        NotEnoughShardsError
            Fewer than ``recovery_threshold`` responders.
        InvalidArgumentError
            Duplicate, out-of-range or non-integer ids.
        SingularMatrixError
            The responders cannot decode.
        ShardSizeError
            ``results`` does not have one row per responder, rows of unequal
            length, or ``out`` of the wrong shape or not C-contiguous and writeable.
        FieldTypeError
            Complex results over Reals, or ``out`` not of the field's dtype.
        TypeError
            A new and a deprecated name given together, or neither.

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)
        >>> g = np.random.default_rng(0).standard_normal((5, 4))
        >>> messages = code.encode_all(g)
        >>> out = np.empty(4)
        >>> total = code.decode(messages[[0, 2, 4]], [0, 2, 4], out=out)
        >>> total is out, np.allclose(out, g.sum(axis=0))
        (True, True)

        Over a prime field the sum is exact (uint32 field elements):

        >>> from fastcode.fields import PrimeField
        >>> code = CyclicRepetition(5, 2, field=PrimeField(11), rng=0)
        >>> g = np.random.default_rng(1).integers(0, 11, size=(5, 3)).astype(np.uint32)
        >>> code.decode(code.encode_all(g)[[1, 2, 3]], [1, 2, 3]).tolist()
        [8, 0, 6]
        >>> (g.sum(axis=0) % 11).tolist()
        [8, 0, 6]
        """
        if coded is not None or responders is not None or results is REQUIRED or indices is REQUIRED:
            name = f"{type(self).__name__}.decode"
            results = renamed(name, "results", results, "coded", coded)
            indices = renamed(name, "indices", indices, "responders", responders)
        W = self.decode_weights(indices)
        return self.combine(W, results, out)

    def combine(self, W: np.ndarray, coded: Regions,
                out: Optional[np.ndarray] = None) -> np.ndarray:
        """out[u] = sum_i W[u, i] coded[i]: the messages combined with given weights.

        ``decode`` is ``combine(decode_weights(indices), results, out)``; call it
        directly to reuse weights computed once.

        Parameters
        ----------
        W : (|F|,) or (m, |F|) array
            Weights, e.g. from ``decode_weights``.
        coded : (|F|, L) array, or a sequence of |F| 1-D arrays of length L
            The messages, aligned with the columns of W.
        out : (m L,) or (m, L) array, optional
            As in ``decode``.

        Returns
        -------
        (m L,) array, or ``out`` when given

        Raises
        ------
        ShardSizeError
            ``coded`` does not match W, rows of unequal length, or a bad ``out``.
        FieldTypeError
            ``coded`` not an array or sequence, complex over Reals, or ``out`` not of
            the field's dtype.

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)
        >>> g = np.random.default_rng(0).standard_normal((5, 4))
        >>> W = code.decode_weights([0, 2, 4])
        >>> np.allclose(code.combine(W, code.encode_all(g)[[0, 2, 4]]), g.sum(axis=0))
        True
        """
        W2 = W.reshape(1, -1) if W.ndim == 1 else W
        k = W2.shape[1]
        rows, L = self._rows(coded, k)
        m = W2.shape[0]
        target = out2 = self._out(out, m, L)
        if overlaps(out2, rows)[0]:
            # out shares memory with a message: combine into a temporary, then copy
            out2 = np.empty_like(target)
        if self._float64:
            _recovery.combine(np.ascontiguousarray(W2, dtype=np.float64), rows, out2)
        else:
            Y = rows if isinstance(rows, np.ndarray) else (
                np.stack(rows) if k else self.field.zeros((0, L)))
            self.field.matmul(W2, Y, out=out2)
        if out2 is not target:
            target[...] = out2
        return out if out is not None else out2.reshape(m * L)

    def _rows(self, coded, k):
        f = self.field
        real = self._float64
        if isinstance(coded, np.ndarray):
            if coded.ndim != 2 or coded.shape[0] != k:
                raise ShardSizeError(f"coded must have shape ({k}, L) (one row per responder), "
                                     f"got {coded.shape}")
            if real:
                if coded.dtype.kind == "c":
                    raise FieldTypeError("coded must be real float64, got complex")
                if coded.dtype != np.float64 or not coded.flags.c_contiguous:
                    coded = np.ascontiguousarray(f.asarray(coded, "coded"), dtype=np.float64)
            else:
                coded = np.ascontiguousarray(f.asarray(coded, "coded"))
            return coded, coded.shape[1]
        try:
            rows = list(coded)
        except TypeError:
            raise FieldTypeError(f"coded must be a 2-D array or a sequence of 1-D arrays, "
                                 f"got {type(coded).__name__}") from None
        if len(rows) != k:
            raise ShardSizeError(f"coded has {len(rows)} vectors for {k} responders")
        fixed = []
        L = None
        for i, r in enumerate(rows):
            r = r if isinstance(r, np.ndarray) else np.asarray(r)
            if r.ndim != 1:
                raise ShardSizeError(f"coded[{i}] must be 1-D, got shape {r.shape}")
            if L is None:
                L = r.shape[0]
            elif r.shape[0] != L:
                raise ShardSizeError(f"coded[{i}] has length {r.shape[0]}, expected {L} "
                                     "(all messages have the same length)")
            if real:
                if r.dtype.kind == "c":
                    raise FieldTypeError(f"coded[{i}] must be real float64, got complex")
                if r.dtype != np.float64 or not r.flags.c_contiguous:
                    r = np.ascontiguousarray(f.asarray(r, f"coded[{i}]"), dtype=np.float64)
            else:
                r = f.asarray(r, f"coded[{i}]")
            fixed.append(r)
        return fixed, (0 if L is None else L)

    def _out(self, out, m, L):
        f = self.field
        dtype = f.dtype
        if out is None:
            return np.empty((m, L), dtype=dtype)
        if not isinstance(out, np.ndarray) or out.dtype != dtype:
            raise FieldTypeError(f"out must be a {np.dtype(dtype)} array")
        if out.shape not in ((m * L,), (m, L)):
            raise ShardSizeError(f"out must have shape ({m * L},) or ({m}, {L}), got {out.shape}")
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ShardSizeError("out must be C-contiguous and writeable")
        return out.reshape(m, L)

    # ---- numerical risk ---------------------------------------------------------------

    def _decoding_matrix_for_conditioning(self):
        """(G, k): G with columns indexed by workers whose k-column submatrices are the
        systems the decoder solves (here B[F]^T, i.e. G = B^T)."""
        return self.B.T, self.recovery_threshold

    def worst_condition_number(self, max_sets: Optional[int] = 2000, rng: _RngLike = None,
                               report: bool = False) -> Union[float, ConditionReport]:
        """Worst 2-norm condition number of the decoding system over responder sets of size n - s.

        Inexact (real) fields only.

        Parameters
        ----------
        max_sets : int or None, default 2000
            Exhaustive when C(n, n-s) <= max_sets (None: always), else ``max_sets``
            random sets.
        rng : None, int or numpy.random.Generator
            Draws the random sets.
        report : bool, default False
            Return the full ConditionReport instead of the worst figure.

        Returns
        -------
        float or ConditionReport
            The worst condition number, or the report (worst, mean, worst set,
            sets evaluated, exhaustive or not).

        Raises
        ------
        FieldValueError
            The code's field is exact (condition numbers are for real-valued codes).

        Examples
        --------
        >>> from fastcode.codes.gradient import CyclicRepetition
        >>> code = CyclicRepetition(5, 2, rng=0)
        >>> round(code.worst_condition_number(), 2)
        36.65
        >>> code.worst_condition_number(report=True)
        ConditionReport(worst=36.65, mean=11.45, worst_set=(1, 2, 3), all 10 sets)
        """
        if self.field.exact:
            raise FieldValueError("condition numbers are defined for real-valued codes only")
        G, k = self._decoding_matrix_for_conditioning()
        rep = condition_numbers(np.asarray(G, dtype=np.float64), k, max_sets=max_sets, rng=rng)
        return rep if report else rep.worst


def _warn_condition(code, worst):
    if worst > COND_WARN:
        warnings.warn(f"{code!r}: worst condition number {worst:.3g} is large for float64",
                      RuntimeWarning, stacklevel=3)


# ---- Fractional repetition (Tandon et al.; docs: schemes/gradient, 'Fractional repetition (FRC)')

class FractionalRepetition(GradientCode):
    """Fractional repetition code: n/(s+1) groups of s+1 workers; every worker of group g
    sends the sum of the group's s+1 parts (B = I (x) J).  (s + 1) must divide n.

    Decoding adds the first response of each group, so it can finish as soon as
    every group has answered -- possibly before n - s responses.  Works over
    Reals, PrimeField and GF256 (0/1 coefficients: it solves nothing).  Default
    field Reals (gradients are real vectors).

    Parameters
    ----------
    n : int
        Workers (= parts N), a multiple of s + 1.
    s : int
        Stragglers tolerated; groups have s + 1 workers.
    field : Field, default Reals
        Any fastcode field.

    Raises
    ------
    InvalidArgumentError
        (s + 1) does not divide n, n or s not integers in range, or ``field`` not a
        fastcode field.

    Attributes
    ----------
    group_size : int
        s + 1.
    groups : int
        n / (s + 1).

    Examples
    --------
    >>> from fastcode.codes.gradient import FractionalRepetition
    >>> code = FractionalRepetition(6, 2)       # groups {0, 1, 2} and {3, 4, 5}
    >>> code.group(4)
    1
    >>> code.can_decode([0, 1, 2]), code.can_decode([4, 1])   # one per group suffices
    (False, True)
    >>> g = np.random.default_rng(0).standard_normal((6, 3))
    >>> np.allclose(code.decode(code.encode_all(g)[[4, 1]], [4, 1]), g.sum(axis=0))
    True

    Over GF256 (uint8 gradients) the sum is the XOR:

    >>> from fastcode.fields import GF256
    >>> code = FractionalRepetition(6, 2, field=GF256)
    >>> g = np.random.default_rng(0).integers(0, 256, size=(6, 4), dtype=np.uint8)
    >>> np.array_equal(code.decode(code.encode_all(g)[[4, 1]], [4, 1]),
    ...                np.bitwise_xor.reduce(g, axis=0))
    True
    """

    def __init__(self, n: int, s: int, field: Field = Reals) -> None:
        n = integer(n, "n", 1)
        s = integer(s, "s", 0)
        A = frc_assignment(n, s)
        _check_field(field)
        super().__init__(A[None].astype(field.dtype), A, field=field, s=s, cache_size=0)
        self.group_size = s + 1
        self.groups = n // (s + 1)

    def group(self, worker: int) -> int:
        """Group of a worker: workers g(s+1) .. g(s+1)+s form group g.

        Parameters
        ----------
        worker : int
            Worker id in [0, n).

        Returns
        -------
        int
            Its group g in [0, n / (s + 1)).

        Raises
        ------
        InvalidArgumentError
            ``worker`` is not an integer in [0, n).

        Examples
        --------
        >>> from fastcode.codes.gradient import FractionalRepetition
        >>> [FractionalRepetition(6, 1).group(i) for i in range(6)]
        [0, 0, 1, 1, 2, 2]
        """
        return self._worker(worker) // self.group_size

    def can_decode(self, indices: Indices = REQUIRED, *,
                   responders: Optional[Indices] = None) -> bool:
        """True once every group has at least one responder (may be < n - s responders).

        Parameters
        ----------
        indices : sequence of int
            Distinct worker ids in [0, n), any order.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        bool

        Raises
        ------
        InvalidArgumentError
            Ids out of range, duplicated or not integers.

        Examples
        --------
        >>> from fastcode.codes.gradient import FractionalRepetition
        >>> code = FractionalRepetition(6, 2)
        >>> code.can_decode([0, 3]), code.can_decode([0, 1, 2])
        (True, False)
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed("FractionalRepetition.can_decode", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        return len(np.unique(idx // self.group_size)) == self.groups

    def decode_weights(self, indices: Indices = REQUIRED, *,
                       responders: Optional[Indices] = None) -> np.ndarray:
        """1 for the first responder (in the given order) of each group, 0 for the others.

        Parameters
        ----------
        indices : sequence of int
            Distinct worker ids in [0, n), any order.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        (|F|,) array
            0/1 over the field's dtype, aligned with ``indices``.

        Raises
        ------
        NotEnoughShardsError
            Some group has no responder.
        InvalidArgumentError
            Ids out of range, duplicated or not integers.

        Examples
        --------
        >>> from fastcode.codes.gradient import FractionalRepetition
        >>> FractionalRepetition(6, 2).decode_weights([0, 1, 3]).tolist()
        [1.0, 0.0, 1.0]
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed("FractionalRepetition.decode_weights", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        g = idx // self.group_size
        _, first = np.unique(g, return_index=True)
        if len(first) < self.groups:
            missing = sorted(set(range(self.groups)) - set(g.tolist()))
            gm = missing[0]
            raise NotEnoughShardsError(
                f"group {gm} (workers {gm * self.group_size}..{(gm + 1) * self.group_size - 1}) "
                f"has no responder ({len(missing)} of {self.groups} groups missing)")
        w = np.zeros(len(idx), dtype=self.field.dtype)
        w[first] = 1
        return w

    def worst_condition_number(self, max_sets: Optional[int] = None, rng: _RngLike = None,
                               report: bool = False) -> Union[float, ConditionReport]:
        """1.0: decoding adds 0/1 multiples of vectors and solves nothing.

        Parameters
        ----------
        max_sets, rng, report
            Ignored (the signature of ``GradientCode.worst_condition_number``).

        Returns
        -------
        float
            1.0, over every field.

        Examples
        --------
        >>> from fastcode.codes.gradient import FractionalRepetition
        >>> FractionalRepetition(6, 2).worst_condition_number()
        1.0
        """
        return 1.0


# ---- Cyclic repetition (Tandon et al.; docs: schemes/gradient, 'Cyclic repetition (CRC)') ---

def _crc_matrix(n, s, H, field):
    """B of the cyclic repetition code from H (s, n) with H 1 = 0: row i supported on
    (i..i+s) mod n, B[i, i] = 1, the rest -H[:, rest]^{-1} H[:, i] (an s x s solve)."""
    B = field.zeros((n, n))
    for i in range(n):
        sig = [(i + t) % n for t in range(s + 1)]
        B[i, i] = 1
        if s:
            B[i, sig[1:]] = field.solve(np.ascontiguousarray(H[:, sig[1:]]), field.neg(H[:, i]))
    return B


class CyclicRepetition(GradientCode):
    """Cyclic repetition code (Tandon et al.): worker i holds parts (i..i+s) mod n; rows of
    B span null(H) for a random H with H 1 = 0, so any n - s rows span a space holding 1.

    Inexact fields (Reals): H Gaussian (``field.random``); ``draws`` matrices are drawn
    and the one with the best worst-case condition number (over ``condition_sets``
    responder sets, exhaustive when fewer) is kept.  Exact fields (PrimeField): H
    uniform; redrawn on a singular solve, and checked on every responder set when
    there are at most ``verify_sets`` of them (otherwise on that many random sets).
    Default field Reals (gradients are real vectors).

    Parameters
    ----------
    n : int
        Workers (= parts N).
    s : int
        Stragglers tolerated, s < n; worker i holds parts (i..i+s) mod n.
    field : Field, default Reals
        A field that solves linear systems (Reals or PrimeField(p)).
    rng : None, int or numpy.random.Generator
        Draws H.
    draws : int, default 8
        Inexact fields: random H drawn, the best conditioned kept.
    condition_sets : int, default 200
        Inexact fields: responder sets scored per draw (exhaustive when fewer).
    verify_sets : int, default 2000
        Exact fields: responder sets checked to decode.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the decode-weight cache.

    Warns
    -----
    RuntimeWarning
        The worst condition number exceeds COND_WARN (1e8): float64 decoding
        then loses more than half its digits on an unlucky responder set.

    Raises
    ------
    InvalidArgumentError
        s >= n, n or s not integers in range, or a field that solves nothing
        (GF256).
    SingularMatrixError
        No random H gave a valid code (every real draw singular; 100 draws over
        a too-small prime field: use a larger prime).

    Attributes
    ----------
    condition_report : ConditionReport or None
        The kept draw's conditioning (inexact fields; None over exact ones).

    Examples
    --------
    >>> from fastcode.codes.gradient import CyclicRepetition
    >>> code = CyclicRepetition(5, 2, rng=0)       # any 3 of 5 workers decode
    >>> code.parts(1).tolist()
    [1, 2, 3]
    >>> code.condition_report
    ConditionReport(worst=36.65, mean=11.45, worst_set=(1, 2, 3), all 10 sets)
    >>> g = np.random.default_rng(0).standard_normal((5, 4))
    >>> np.allclose(code.decode(code.encode_all(g)[[0, 2, 4]], [0, 2, 4]), g.sum(axis=0))
    True
    """

    def __init__(self, n: int, s: int, field: Field = Reals, rng: _RngLike = None,
                 draws: int = 8, condition_sets: int = 200, verify_sets: int = 2000,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        n = integer(n, "n", 1)
        s = integer(s, "s", 0)
        if s >= n:
            raise InvalidArgumentError(f"need s < n, got s={s}, n={n}")
        _check_solving_field(field, "CyclicRepetition")
        rng = as_generator(rng)
        A = cyclic_assignment(n, s + 1)
        if field.exact:
            B = _first_decodable_crc(n, s, A, field, rng, verify_sets)
            self.condition_report = None
        else:
            B, self.condition_report = _best_conditioned_crc(n, s, field, rng, draws, condition_sets)
            _warn_condition(f"CyclicRepetition(n={n}, s={s})", self.condition_report.worst)
        super().__init__(B[None], A, field=field, s=s, cache_size=cache_size)


def _random_parity_check(n, s, field, rng):
    """H (s, n) random over the field with H 1 = 0 (last column minus the sum of the others)."""
    H = field.random((s, n), rng)
    if s:
        H[:, n - 1] = field.neg(field.sum(H[:, :n - 1], axis=1))
    return H


def _best_conditioned_crc(n, s, field, rng, draws, condition_sets):
    """(B, ConditionReport) of the best of ``draws`` random H by worst condition number."""
    best = None
    for _ in range(max(1, int(draws))):
        H = _random_parity_check(n, s, field, rng)
        try:
            B = _crc_matrix(n, s, H, field)
        except SingularMatrixError:
            continue
        rep = condition_numbers(B.T, n - s, max_sets=condition_sets, rng=rng)
        if best is None or rep.worst < best[1].worst:
            best = (B, rep)
    if best is None:
        raise SingularMatrixError("every draw of H gave a singular s x s block")
    return best


def _first_decodable_crc(n, s, A, field, rng, verify_sets):
    """B of the first random H (of 100) that solves and decodes every checked responder set."""
    for _ in range(100):
        H = _random_parity_check(n, s, field, rng)
        try:
            B = _crc_matrix(n, s, H, field)
            probe = GradientCode(B[None], A, field=field, s=s, cache_size=0)
            _verify_sets(probe, verify_sets, rng)
        except SingularMatrixError:
            continue
        return B
    raise SingularMatrixError(f"no valid H found over {field} in 100 draws (use a larger prime)")


def _verify_sets(code, max_sets, rng):
    """Solve every responder set of size n - s (or max_sets random ones); raises
    SingularMatrixError on the first failure."""
    n, k = code.n, code.recovery_threshold
    if math.comb(n, k) <= max_sets:
        import itertools
        sets = itertools.combinations(range(n), k)
    else:
        sets = (np.sort(rng.permutation(n)[:k]) for _ in range(max_sets))
    for F in sets:
        code._solve_weights(np.asarray(F, dtype=np.int64))


# ---- Cyclic MDS (Raviv et al.; docs: schemes/gradient, 'Cyclic MDS') ---------------------

def _poly_from_roots(field, roots):
    """Ascending coefficients (len(roots) + 1,) of prod_r (x - r), computed with the
    field's operations (complex roots stay complex over Reals)."""
    g = field.eye(1)[0]                         # the constant polynomial 1
    for r in roots:
        shifted = np.concatenate([field.zeros(1), g])           # x * g
        padded = np.concatenate([g, field.zeros(1)])
        g = field.sub(shifted, field.mul(r, padded))            # x g - r g
    return g


class CyclicMDS(GradientCode):
    """Gradient code from a cyclic MDS code (Raviv et al.): row i of B is the i-th cyclic
    shift of the coefficients of g(x) = prod_{t in Z} (x - w^t), w a primitive n-th root
    of unity; support (i..i+s) mod n as for CRC.

    Exact fields (PrimeField(p)): w in the field, needs n | p - 1, Z = {1..s}.  Inexact
    (real) fields: w = exp(2 pi i / n) lives in the complex numbers, so Z must be closed
    under t -> n - t for g to be real: Z = {(n-s+1)/2 .. (n+s-1)/2}, which needs n - s
    odd.  Exact on every n - s responders (BCH bound; the proof is in
    :ref:`gradient-cyclic-mds`).  Default field
    Reals (gradients are real vectors).

    Parameters
    ----------
    n : int
        Workers (= parts N).
    s : int
        Stragglers tolerated, s < n.
    field : Field, default Reals
        Reals (n - s odd) or PrimeField(p) with n | p - 1.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the decode-weight cache.

    Raises
    ------
    InvalidArgumentError
        s >= n, n - s even over Reals, n or s not integers in range, or a field
        that solves nothing (GF256).
    FieldValueError
        An exact field without a primitive n-th root of unity (n does not
        divide p - 1).

    Attributes
    ----------
    generator : (s + 1,) array
        Ascending coefficients of g(x), over the field's dtype.

    Examples
    --------
    >>> from fastcode.codes.gradient import CyclicMDS
    >>> code = CyclicMDS(5, 2)                       # n - s = 3: odd, fine over Reals
    >>> code.generator.round(4).tolist()             # x^2 + (1 + sqrt 5) / 2 x + 1
    [1.0, 1.618, 1.0]
    >>> g = np.random.default_rng(0).standard_normal((5, 4))
    >>> np.allclose(code.decode(code.encode_all(g)[[1, 3, 4]], [1, 3, 4]), g.sum(axis=0))
    True
    >>> from fastcode.fields import PrimeField
    >>> CyclicMDS(5, 2, field=PrimeField(11)).generator.tolist()   # 5 | 11 - 1
    [9, 2, 1]
    """

    def __init__(self, n: int, s: int, field: Field = Reals,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        n = integer(n, "n", 1)
        s = integer(s, "s", 0)
        if s >= n:
            raise InvalidArgumentError(f"need s < n, got s={s}, n={n}")
        _check_solving_field(field, "CyclicMDS")
        if field.exact:
            if not hasattr(field, "root_of_unity"):
                raise FieldValueError(f"CyclicMDS needs n-th roots of unity, which {field} does not give")
            w = field.root_of_unity(n)            # FieldValueError unless n | p - 1
            g = _poly_from_roots(field, field.pow(w, np.arange(1, s + 1)))
        else:
            if s and (n - s) % 2 == 0:
                raise InvalidArgumentError(
                    f"real cyclic-MDS gradient code needs n - s odd, got n={n}, s={s} "
                    "(use CyclicRepetition, or a PrimeField with n | p - 1)")
            z0 = (n - s + 1) // 2
            # the roots are complex numbers, not field elements: NumPy's polynomial from roots
            roots = np.exp(2j * np.pi * np.arange(z0, z0 + s) / n)
            g = np.poly(roots)[::-1] if s else np.ones(1)              # ascending
            if np.max(np.abs(np.imag(g))) > 1e-9 * max(1.0, np.max(np.abs(g))):
                raise AssertionError("cyclic-MDS generator is not real")   # cannot happen
            g = field.asarray(np.real(g))
        B = field.zeros((n, n))
        i = np.arange(n)
        for t in range(s + 1):
            B[i, (i + t) % n] = g[t]
        self.generator = g
        super().__init__(B[None], cyclic_assignment(n, s + 1), field=field, s=s,
                         cache_size=cache_size)


# ---- Communication-efficient exact code (Ye & Abbe; docs: schemes/gradient) ----------------

def _distinct_points(field, n):
    """n distinct evaluation points: Chebyshev nodes over an inexact field (they keep the
    Vandermonde systems well conditioned); over a finite field the powers of a primitive
    n-th root of unity when n | order - 1, else 1..n."""
    if not field.exact:
        return chebyshev_nodes(n)
    q = field.order
    if (q - 1) % n == 0 and hasattr(field, "root_of_unity"):
        return field.pow(field.root_of_unity(n), np.arange(n))
    if n >= q:
        raise FieldValueError(f"{field.name} has fewer than {n} distinct points")
    return field.asarray(np.arange(1, n + 1))


class CommEfficient(GradientCode):
    """Ye-Abbe communication-efficient gradient code (polynomial construction,
    :ref:`gradient-ye-abbe`):
    cyclic assignment of c >= s + m parts per worker; each worker sends one vector of
    length d/m; any n - s workers give all m block sums exactly.

    Worker i sends Phi(alpha_i), a vector polynomial of degree <= n - s - 1 whose
    coefficient at x^(n-s-1-u) is sum_j g_j[u]; the master reads those m coefficients
    off by interpolation (top m rows of the inverse Vandermonde matrix on alpha_F).
    Points: Chebyshev nodes over Reals (conditioning as a Vandermonde matrix of size
    n - s: keep n - s small); powers of a root of unity over GF(p) when n | p - 1,
    else 1..n.  Built with the field's operations, so any field that solves linear
    systems works; default field Reals (gradients are real vectors).

    Parameters
    ----------
    n : int
        Workers (= parts N).
    s : int
        Stragglers tolerated.
    m : int
        Blocks per gradient: each message has length d / m.
    c : int, optional
        Parts per worker, s + m <= c <= n; default s + m.
    field : Field, default Reals
        A field that solves linear systems (Reals or PrimeField(p)).
    points : (n,) array, optional
        The distinct evaluation points alpha_i; default as above.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the decode-weight cache.

    Raises
    ------
    InvalidArgumentError
        Not s + m <= c <= n, ``points`` not n distinct elements, parameters not
        integers in range, or a field that solves nothing (GF256).
    FieldValueError
        A finite field with fewer than n distinct points.

    Attributes
    ----------
    c : int
        Parts per worker.
    points : (n,) array
        The evaluation points alpha_i.

    Examples
    --------
    >>> from fastcode.codes.gradient import CommEfficient
    >>> code = CommEfficient(5, 2, m=2)          # c = 4 parts per worker
    >>> code.c, code.upload_fraction
    (4, 0.5)
    >>> code.points.round(4).tolist()            # Chebyshev nodes
    [0.9511, 0.5878, 0.0, -0.5878, -0.9511]
    >>> g = np.random.default_rng(0).standard_normal((5, 6))
    >>> messages = code.encode_all(g)            # (n, d / m)
    >>> messages.shape
    (5, 3)
    >>> np.allclose(code.decode(messages[[0, 2, 3]], [0, 2, 3]), g.sum(axis=0))
    True
    """

    def __init__(self, n: int, s: int, m: int, c: Optional[int] = None, field: Field = Reals,
                 points: Optional[ArrayLike] = None,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        n = integer(n, "n", 1)
        s = integer(s, "s", 0)
        m = integer(m, "m", 1)
        c = s + m if c is None else integer(c, "c", 1)
        if not s + m <= c <= n:
            raise InvalidArgumentError(f"need s + m <= c <= n, got n={n}, s={s}, m={m}, c={c}")
        _check_solving_field(field, "CommEfficient")
        self.c = c
        alpha = _distinct_points(field, n) if points is None else field.asarray(points, "points")
        if alpha.shape != (n,) or len(np.unique(alpha)) != n:
            raise InvalidArgumentError(f"points must be {n} distinct field elements")
        self.points = alpha
        A = cyclic_assignment(n, c)
        one, zero = field.eye(1)[0, 0], field.zeros(())
        e0 = c - s - 1                                    # >= m - 1: exponents below are >= 0
        blocks = field.zeros((m, n, n))
        for j in range(n):
            Z = [(j + t) % n for t in range(1, n - c + 1)]       # workers not holding j
            holders = np.flatnonzero(A[:, j])
            z = _poly_from_roots(field, alpha[Z])[::-1]          # descending, z[0] = 1
            zval = field.eye(1)[0].repeat(len(holders))          # prod_{i in Z} (alpha_h - alpha_i)
            for i in Z:
                zval = field.mul(zval, field.sub(alpha[holders], alpha[i]))
            powers = field.pow(alpha[holders][:, None], e0 - np.arange(m)[None, :])   # (h, m)
            for u in range(m):
                # unit lower-triangular system for the top m coefficients of q_{j,u}
                gam = field.zeros(m)
                for v in range(m):
                    val = one if v == u else zero
                    for t in range(v):
                        if v - t < len(z):
                            val = field.sub(val, field.mul(z[v - t], gam[t]))
                    gam[v] = val
                blocks[u, holders, j] = field.mul(zval, field.matmul(powers, gam))
        super().__init__(blocks, A, field=field, s=s, cache_size=cache_size)

    def _solve_weights(self, F):
        F = F[:self.recovery_threshold]          # n - s points determine Phi
        k = len(F)
        f = self.field
        V = f.pow(self.points[F][:, None], np.arange(k)[None, :])      # V[r, e] = a_r^e
        E = f.zeros((k, self.m))
        E[k - 1 - np.arange(self.m), np.arange(self.m)] = 1
        return f.solve(V.T, E).T                  # row u = row (k-1-u) of V^{-1}

    def _full_weights(self, F):
        W = self._solve_weights(F)
        full = np.zeros((self.m, self.n), dtype=W.dtype)
        full[:, F[:self.recovery_threshold]] = W
        return full

    def _decoding_matrix_for_conditioning(self):
        k = self.recovery_threshold
        return np.asarray(self.points, dtype=np.float64)[None, :] ** np.arange(k)[:, None], k


__all__ = ["GradientCode", "FractionalRepetition", "CyclicRepetition",
           "CyclicMDS", "CommEfficient"]
