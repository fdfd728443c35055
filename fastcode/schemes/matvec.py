"""Coded matrix-vector and matrix-matrix products (:ref:`lee-matvec`): A·x from any k of n workers.

``A`` (q x r) is cut into k row blocks of b = ceil(q / k) rows (zero rows pad the
last one), the blocks are encoded with a systematic (n, k) ``MDSCode`` and
worker i keeps coded block i (b x r) for every round.  Each round the master
sends x; worker i returns ``Ã_i @ x`` (b,) -- or (b, c) for a matrix X -- and
any k results give ``A @ x`` (q,).  ``transpose=True`` codes the column blocks of
A instead (the row blocks of A^T), giving A^T x: the second round of the
gradient A^T (A x - y) of least squares.

Every scheme here has two faces with one implementation:

* in process::

      s = CodedMatVec(A, n=20, k=16)              # encodes nothing yet
      tasks = s.encode()                          # per-worker payloads, made once
      results = {i: s.compute(i, x) for i in responders}
      y = s.decode(results)                       # A @ x (q,)

* the runtime protocol (``fastcode.runtime``): ``n_workers``,
  ``setup_tasks(job)`` (= ``encode()``; ``job`` is A itself or None),
  module-level ``worker_fn(payload, round_input)``, ``worker_load(i)``,
  ``can_decode(responders)``, ``decode(results, round_input)``; plus
  ``recovery_threshold`` and ``load``.

Fields: any fastcode field.  PrimeField/GF256 decode exactly; over Reals the
default code is ``real_mds_code`` (``fastcode.codes.real``; systematic, random
parity block chosen for its worst recovery condition number) because the systematic forms of the
Cauchy and Chebyshev-Vandermonde generators are badly conditioned over the
reals (worst kappa ~ 3e8 and ~ 2e11 at (20, 16), against 4.1e4 for it).

Baselines with the same API: ``UncodedMatVec`` (n row blocks, needs all n)
and ``ReplicatedMatVec`` (n/r blocks, each on r workers, needs one copy of each).
"""
from typing import Any, Dict, Iterable, List, Optional, Tuple, Type, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from fastcode.codes.mds import MDSCode
from fastcode.codes.real import real_mds_code
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.fields import Reals
from fastcode.fields.base import Field
from fastcode.matrices import check_code_size

__all__ = [
    "CodedMatVec", "CodedMatMul", "UncodedMatVec", "ReplicatedMatVec",
    "block_product", "real_mds_code",
]


def block_product(task: Tuple[np.ndarray, Field], x: np.ndarray) -> np.ndarray:
    """Worker function of every scheme here: ``field.matmul(block, x)``.

    Module level so process/MPI workers import it by name; it keeps no
    reference to x (the runtime reuses the round-input buffer).

    Parameters
    ----------
    task : tuple (block, field)
        A worker's payload, as ``encode()`` / ``setup_tasks`` make it: its
        (b, r) block, C-contiguous, of the field's dtype, and the field.
    x : (r,) or (r, c) array of the field's dtype
        The round input.

    Returns
    -------
    (b,) or (b, c) array of the field's dtype
        The block times x: (b,) for a vector x, (b, c) for a matrix X.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.matvec import block_product
    >>> F = PrimeField(7)
    >>> block = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> block_product((block, F), np.array([1, 1], dtype=np.uint32)).tolist()   # mod 7
    [3, 0]
    """
    block, field = task
    return field.matmul(block, x)


def _make_code(n: int, k: int, field: Field, kind: Optional[str]) -> MDSCode:
    """The MDSCode of CodedMatVec(A, n, k, field, kind)."""
    if kind is None:
        kind = "gaussian" if field == Reals else "cauchy"
    if kind == "gaussian":
        if field != Reals:
            raise InvalidArgumentError(f"kind='gaussian' is a real code; field is {field}")
        return real_mds_code(n, k)
    if kind not in ("cauchy", "vandermonde"):
        raise InvalidArgumentError(f"kind must be 'gaussian' (Reals), 'cauchy' or 'vandermonde' "
                                   f"(or pass a code with from_code), got {kind!r}")
    return MDSCode(n, k, field, kind=kind)


# ---- shared machinery ---------------------------------------------------------------------------

_S = TypeVar("_S", bound="_MDSRowScheme")


class _RowBlockScheme:
    """A (or A^T) cut into row blocks of b rows; subclasses decide who holds what.

    Subclass contract: ``n_workers``, ``n_blocks`` (blocks the data is cut into),
    ``_payload_blocks(data)`` -> list of per-worker (b, r) blocks, and
    ``_decode_rows(results)`` -> (n_blocks * b, ...) rows of the product."""

    worker_fn = staticmethod(block_product)
    input_ndim: Optional[int] = None      # 1: vectors only, 2: matrices only, None: either
    n_workers: int
    n: int
    n_blocks: int
    recovery_threshold: int
    load: float

    def _bind(self, A: ArrayLike, field: Field, transpose: bool, n_blocks: int) -> None:
        self.field = field
        self.transpose = bool(transpose)
        self._source = A
        M = field.asarray(A, "A")
        if M.ndim != 2:
            raise ShardSizeError(f"A must be a 2-D matrix, got shape {M.shape}")
        self.shape = M.shape                       # of A, as given
        if self.transpose:
            M = M.T
        self.rows, self.cols = M.shape              # of the matrix actually coded
        self.block_rows = -(-self.rows // n_blocks) if self.rows else 0
        self._M: Optional[np.ndarray] = M
        self._tasks: Optional[List[Tuple[np.ndarray, Field]]] = None
        self._ids = frozenset(range(self.n_workers))

    # ---- encoding ------------------------------------------------------------------

    def _padded_blocks(self) -> np.ndarray:
        """(n_blocks, b * cols) contiguous data rows, zero-padded (padding dropped at decode)."""
        nb, b, f = self.n_blocks, self.block_rows, self.field
        data = f.zeros((nb * b, self.cols))
        data[:self.rows] = self._M
        return data.reshape(nb, b * self.cols)

    def encode(self) -> List[Tuple[np.ndarray, Field]]:
        """Per-worker payloads ``(block, field)``, block (b, cols) C-contiguous; made
        once and reused by every round (and every call).

        Returns
        -------
        list of n_workers tuples (block, field)
            Worker i's payload: its (b, cols) block of the field's dtype (coded,
            or a copy of a row block of A for the baselines) and the field.
        """
        if self._tasks is None:
            blocks = self._payload_blocks(self._padded_blocks())
            b, c = self.block_rows, self.cols
            self._tasks = [(np.ascontiguousarray(blk).reshape(b, c), self.field) for blk in blocks]
            self._M = None                          # the coded blocks are all we need now
        return self._tasks

    def setup_tasks(self, job: Optional[ArrayLike] = None) -> List[Tuple[np.ndarray, Field]]:
        """Runtime protocol: the payloads of ``encode()``.

        Parameters
        ----------
        job : 2-D array, optional
            The matrix the scheme was built with (or None); a different matrix is
            an error -- build a new scheme for it.

        Returns
        -------
        list of n_workers tuples (block, field)
            ``encode()``.

        Raises
        ------
        InvalidArgumentError
            ``job`` is neither None nor the scheme's matrix (the same object or an
            equal array).
        """
        if job is not None and job is not self._source:
            same = (isinstance(job, np.ndarray) and isinstance(self._source, np.ndarray)
                    and job.shape == self._source.shape and np.array_equal(job, self._source))
            if not same:
                raise InvalidArgumentError("setup_tasks(job): job must be the matrix this scheme "
                                           "was built with (or None)")
        return self.encode()

    # ---- workers ------------------------------------------------------------------------

    def check_input(self, x: ArrayLike) -> np.ndarray:
        """x as a field array of shape (cols,) or (cols, c).

        Parameters
        ----------
        x : array_like
            A round input: (cols,) for a mat-vec scheme, (cols, c) for a mat-mat
            one, either for the baselines.

        Returns
        -------
        array of the field's dtype
            ``x`` converted by ``field.asarray``.

        Raises
        ------
        ShardSizeError
            ``x`` has the wrong shape.
        FieldTypeError, FieldValueError
            ``x`` does not hold elements of the field.
        """
        x = self.field.asarray(x, "x")
        ok = x.ndim in (1, 2) if self.input_ndim is None else x.ndim == self.input_ndim
        if not ok or x.shape[0] != self.cols:
            want = {1: f"({self.cols},)", 2: f"({self.cols}, c)",
                    None: f"({self.cols},) or ({self.cols}, c)"}[self.input_ndim]
            raise ShardSizeError(f"x must have shape {want}, got {x.shape}")
        return x

    def compute(self, i: int, x: ArrayLike) -> np.ndarray:
        """Worker i's result for input x, in process: ``worker_fn(encode()[i], x)``.

        Parameters
        ----------
        i : int
            Worker id in ``[0, n_workers)``.
        x : array_like
            The round input (see ``check_input``).

        Returns
        -------
        (b,) or (b, c) array of the field's dtype
            Worker i's block times x.

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.
        ShardSizeError
            ``x`` has the wrong shape.
        """
        i = self._worker_id(i)
        return self.worker_fn(self.encode()[i], self.check_input(x))

    def worker_load(self, i: int) -> float:
        """Fraction of the whole product worker i computes.

        Parameters
        ----------
        i : int
            Worker id in ``[0, n_workers)``.

        Returns
        -------
        float
            ``load``: 1/k coded, 1/n uncoded, r/n replicated.

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.
        """
        self._worker_id(i)
        return self.load

    # ---- decoding ------------------------------------------------------------------------

    def _worker_id(self, i: Any) -> int:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.n_workers:
            raise InvalidArgumentError(f"worker id must be an int in [0, {self.n_workers}), got {i!r}")
        return int(i)

    def _check_results(self, results: Dict[int, ArrayLike]
                       ) -> Tuple[Dict[int, Any], Optional[Tuple[int, ...]]]:
        """Validated {worker: array} in arrival order; all of one shape (b,) or (b, c).

        On the hot path of every round: arrays already of the field's dtype are
        used as they are (no per-item conversion), ids are checked by one set lookup each."""
        if not isinstance(results, dict):
            raise InvalidArgumentError("results must be a dict {worker id: result} (ids are unique)")
        ids, dtype, out = self._ids, self.field.dtype, results
        shape: Optional[Tuple[int, ...]] = None
        for i, r in results.items():
            if i not in ids or isinstance(i, bool):
                raise InvalidArgumentError(f"worker id must be an int in [0, {self.n_workers}), got {i!r}")
            if type(r) is not np.ndarray or r.dtype != dtype:
                if out is results:
                    out = dict(results)
                r = out[i] = self.field.asarray(r, f"results[{i}]")
            if shape is None:
                shape = r.shape
                if r.ndim not in (1, 2) or r.shape[0] != self.block_rows:
                    raise ShardSizeError(f"results[{i}] must have {self.block_rows} rows "
                                         f"(1-D or 2-D), got shape {r.shape}")
            elif r.shape != shape:
                raise ShardSizeError(f"results[{i}] has shape {r.shape}, others {shape}")
        return out, shape

    def decode(self, results: Dict[int, ArrayLike], round_input: Any = None) -> np.ndarray:
        """A @ x (or A^T x): (rows,) for vector results, (rows, c) for matrix results.

        Parameters
        ----------
        results : dict {worker id: (b,) or (b, c) array}
            The responders' results (dict order = arrival order, as the runtime
            gives it), all of one shape, of the field's dtype.
        round_input : optional
            Not needed (accepted for the runtime protocol).

        Returns
        -------
        (rows,) or (rows, c) array of the field's dtype
            The product, padding rows dropped.

        Raises
        ------
        NotEnoughShardsError
            The responders cannot decode (``can_decode`` is False).
        InvalidArgumentError
            ``results`` is not a dict, or a key is not a worker id.
        ShardSizeError
            A result does not have b rows, or the results differ in shape.
        FieldTypeError, FieldValueError
            A result does not hold elements of the field.
        """
        res, shape = self._check_results(results)
        if not self._decodable(res):
            raise NotEnoughShardsError(f"{type(self).__name__} cannot decode from workers "
                                       f"{sorted(res)} (needs {self._needs()})")
        assert shape is not None                # a decodable set of results is not empty
        y = self._decode_rows(res, shape)
        return y[:self.rows]

    def _decodable(self, res: Dict[int, Any]) -> bool:
        return self.can_decode(list(res))

    def can_decode(self, responders: Iterable[int]) -> bool:
        raise NotImplementedError

    def _needs(self) -> str:
        raise NotImplementedError

    def _payload_blocks(self, data: np.ndarray) -> List[np.ndarray]:
        raise NotImplementedError

    def _decode_rows(self, res: Dict[int, Any], shape: Tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError


class _MDSRowScheme(_RowBlockScheme):
    """A coded by a systematic (n, k) MDSCode; decodable from any k workers."""

    def __init__(self, A: ArrayLike, n: int, k: int, field: Field = Reals,
                 kind: Optional[str] = None, *, transpose: bool = False) -> None:
        self._init(A, _make_code(n, k, field, kind), transpose)

    @classmethod
    def from_code(cls: Type[_S], A: ArrayLike, code: MDSCode, *, transpose: bool = False) -> _S:
        """The scheme with a given systematic ``MDSCode`` (any field, any kind).

        Parameters
        ----------
        A : (q, r) array_like
            The matrix, of the code's field.
        code : MDSCode
            A systematic (n, k) code; the scheme has n workers, threshold k.
        transpose : bool, optional
            Code the column blocks of A instead: the scheme computes A^T x.

        Returns
        -------
        CodedMatVec or CodedMatMul
            The scheme (of the class it is called on).

        Raises
        ------
        InvalidArgumentError
            ``code`` is not an MDSCode.
        ShardSizeError
            ``A`` is not 2-D.

        Examples
        --------
        >>> from fastcode.codes import MDSCode
        >>> from fastcode.fields import PrimeField
        >>> from fastcode.schemes import CodedMatVec
        >>> F = PrimeField(257)
        >>> rng = np.random.default_rng(0)
        >>> A, x = F.random((8, 3), rng), F.random(3, rng)
        >>> s = CodedMatVec.from_code(A, MDSCode(5, 2, F, kind="vandermonde"))
        >>> s.n, s.k, s.block_rows
        (5, 2, 4)
        >>> y = s.decode({i: s.compute(i, x) for i in (3, 4)})    # parity workers only
        >>> bool(np.array_equal(y, F.matmul(A, x)))
        True
        """
        if not isinstance(code, MDSCode):
            raise InvalidArgumentError(f"code must be an MDSCode, got {type(code).__name__}")
        self = cls.__new__(cls)
        self._init(A, code, transpose)
        return self

    def _init(self, A: ArrayLike, code: MDSCode, transpose: bool) -> None:
        self.code = code
        self.n_workers = self.n = code.n
        self.k = self.n_blocks = self.recovery_threshold = code.k
        self.load = 1.0 / code.k
        self._plans: Dict[Tuple[int, ...], Any] = {}   # responder pattern -> decode plan (_prepare)
        self._zeros: Dict[Tuple[int, ...], np.ndarray] = {}   # result shape -> zero for lost blocks
        self._bind(A, code.field, transpose, code.k)

    def __repr__(self) -> str:
        t = ", transpose=True" if self.transpose else ""
        return f"{type(self).__name__}(A{self.shape}, n={self.n}, k={self.k}, code={self.code!r}{t})"

    def _payload_blocks(self, data: np.ndarray) -> List[np.ndarray]:
        # systematic: workers 0..k-1 hold the data blocks themselves
        return list(data) + list(self.code.encode(data))

    def can_decode(self, responders: Iterable[int]) -> bool:
        """True iff ``responders`` hold at least k distinct worker ids (ids out of
        range are ignored): any k results decode."""
        return len({int(i) for i in responders if 0 <= int(i) < self.n}) >= self.k

    def _decodable(self, res: Dict[int, Any]) -> bool:
        return len(res) >= self.k               # ids validated and unique (dict keys)

    def _needs(self) -> str:
        return f"any {self.k} of {self.n}"

    def _decode_rows(self, res: Dict[int, Any], shape: Tuple[int, ...]) -> np.ndarray:
        k = self.k
        if all(i in res for i in range(k)):
            # systematic fast path: the data blocks themselves, no arithmetic
            return np.concatenate([res[i] for i in range(k)], axis=0)
        # prefer data responders (copied, not computed), then parity in arrival order;
        # rounds usually repeat the previous round's responders: reuse its choice
        keys = tuple(res)
        plan = self._plans.get(keys)
        if plan is None:
            data = [i for i in res if i < k]
            chosen = tuple(sorted(data + [i for i in res if i >= k][:k - len(data)]))
            plan = self._plans.get(chosen)
            if plan is None:
                plan = self._prepare(chosen)
            self._remember(keys, plan)
        lost, parity, M = plan
        # one concatenation holds the output (present data blocks, zeros at the lost
        # ones) followed by the parity results; one product with M (e, k + e) then
        # rebuilds the lost blocks in place
        f = self.field
        zero = self._zeros.get(shape)
        if zero is None:
            zero = self._zeros[shape] = f.zeros(shape)
        ext = np.concatenate([res.get(i, zero) for i in range(k)] + [res[i] for i in parity], axis=0)
        flat = ext.reshape(k + len(parity), -1)
        flat[lost] = M @ flat if f == Reals else f.matmul(M, flat)     # lost: a slice when it can be
        return ext[:k * shape[0]]

    def _prepare(self, chosen: Tuple[int, ...]) -> Tuple[Any, List[int], np.ndarray]:
        """(lost data blocks, parity workers used, M (e, k + e)) for the k workers
        ``chosen`` (sorted), from the code's prepared, cached decoder: its (e x k)
        matrix acts on the chosen results (data first, then parity); M spreads its
        data columns to block positions (zero at the lost blocks) and keeps the
        parity columns last."""
        dec = self.code.decoder(np.array(chosen, dtype=np.intp))
        R = dec.matrix
        data = [i for i in chosen if i < self.k]
        parity = [i for i in chosen if i >= self.k]
        M = self.field.zeros((R.shape[0], self.k + len(parity)))
        M[:, data] = R[:, :len(data)]
        M[:, self.k:] = R[:, len(data):]
        lost = dec.lost.tolist()
        if lost == list(range(lost[0], lost[-1] + 1)):
            lost = slice(lost[0], lost[-1] + 1)          # contiguous: a cheaper assignment
        plan = (lost, parity, M)
        self._remember(chosen, plan)
        return plan

    def _remember(self, key: Tuple[int, ...], plan: Tuple[Any, List[int], np.ndarray]) -> None:
        if len(self._plans) >= 512:      # bounded: C(n, k) patterns can be many
            self._plans.clear()
        self._plans[key] = plan


class CodedMatVec(_MDSRowScheme):
    """A @ x from any k of n workers (x a vector); ``transpose=True``: A^T x.

    A (q, r) of the field's dtype (float64 for Reals, uint32 in [0, p) for
    PrimeField, uint8 for GF256) is cut into k row blocks of b = ceil(q/k) rows
    (zero rows pad the last one), coded by a systematic (n, k) ``MDSCode``:
    each worker stores b rows of r (``load = 1/k``); results are (b,);
    ``decode`` returns (q,).  If workers 0..k-1 (the systematic ones) are among
    the results, decoding is a plain concatenation; otherwise one (e x k)
    product, e = lost data blocks, with the matrix of the code's decoder for
    that responder pattern (prepared once by ``MDSCode.decoder`` and kept per
    pattern).

    In process: ``encode()`` (the per-worker payloads, made once),
    ``compute(i, x)`` (worker i's result), ``decode(results)``.  Runtime
    protocol: ``n_workers``, ``setup_tasks(job)``, ``worker_fn``
    (:func:`block_product`), ``worker_load(i)``, ``can_decode(responders)``,
    ``decode(results, round_input)``.  Attributes: ``n`` = ``n_workers``,
    ``k`` = ``recovery_threshold``, ``load``, ``block_rows`` (b), ``code``,
    ``field``, ``shape`` (of A as given), ``transpose``.

    Parameters
    ----------
    A : (q, r) array_like
        The matrix, elements of ``field``; kept (coded) for every round.
    n : int
        Workers (the code length).
    k : int
        Recovery threshold and number of row blocks, ``1 <= k <= n``.
    field : Field, optional
        Default Reals.  PrimeField/GF256 decode exactly.
    kind : {"gaussian", "cauchy", "vandermonde"}, optional
        The code: "gaussian" (the Reals default, ``real_mds_code``), "cauchy"
        (the finite-field default) or "vandermonde";
        ``CodedMatVec.from_code(A, code)`` takes any systematic MDSCode.
    transpose : bool, optional
        Code the column blocks of A (the row blocks of A^T): the scheme computes
        A^T x, x of length q.

    Raises
    ------
    InvalidArgumentError
        ``n`` or ``k`` is not an int, ``k`` is not in ``[1, n]``, ``n`` exceeds the
        field's size, or ``kind`` is unknown ("gaussian" over a finite field).
    ShardSizeError
        ``A`` is not 2-D.
    FieldTypeError, FieldValueError
        ``A`` does not hold elements of the field.

    See Also
    --------
    CodedMatMul : the same coding for a matrix X.
    UncodedMatVec, ReplicatedMatVec : the baselines.

    Examples
    --------
    Over the reals, any 4 of 6 workers:

    >>> from fastcode.schemes import CodedMatVec
    >>> rng = np.random.default_rng(0)
    >>> A, x = rng.standard_normal((10, 4)), rng.standard_normal(4)
    >>> s = CodedMatVec(A, n=6, k=4)
    >>> s.block_rows, s.load
    (3, 0.25)
    >>> results = {i: s.compute(i, x) for i in (5, 1, 4, 2)}   # workers 0 and 3 straggle
    >>> y = s.decode(results)
    >>> y.shape, bool(np.allclose(y, A @ x))
    ((10,), True)

    The same scheme on a virtual cluster: the round ends at the k-th fastest
    worker, and the slower ones are never computed.

    >>> from fastcode.runtime import VirtualCluster
    >>> cluster = VirtualCluster(6)
    >>> _ = cluster.setup(s, A)
    >>> r = cluster.run_round(x, [3.0, 1.0, 2.5, 9.0, 1.5, 0.5])   # ready times
    >>> [w for _, w, _ in r.arrivals], r.time, r.computed
    ([5, 1, 4, 2], 2.5, 4)
    >>> bool(np.allclose(r.output, A @ x))
    True

    Over GF(p) decoding is exact; ``transpose=True`` gives A^T z:

    >>> from fastcode.fields import PrimeField
    >>> F = PrimeField(65537)
    >>> A, x, z = F.random((6, 3), rng), F.random(3, rng), F.random(6, rng)
    >>> s = CodedMatVec(A, 5, 3, field=F)
    >>> y = s.decode({i: s.compute(i, x) for i in (4, 3, 0)})
    >>> y.dtype, bool(np.array_equal(y, F.matmul(A, x)))
    (dtype('uint32'), True)
    >>> st = CodedMatVec(A, 5, 3, field=F, transpose=True)
    >>> w = st.decode({i: st.compute(i, z) for i in (1, 2, 4)})
    >>> bool(np.array_equal(w, F.matmul(np.ascontiguousarray(A.T), z)))
    True
    """

    input_ndim = 1


class CodedMatMul(_MDSRowScheme):
    """A @ X from any k of n workers (X a (r, c) matrix); same coding as
    CodedMatVec: results are (b, c), ``decode`` returns (q, c).

    Parameters
    ----------
    A : (q, r) array_like
        The matrix, elements of ``field``.
    n : int
        Workers (the code length).
    k : int
        Recovery threshold and number of row blocks, ``1 <= k <= n``.
    field : Field, optional
        Default Reals.
    kind : {"gaussian", "cauchy", "vandermonde"}, optional
        As for :class:`CodedMatVec`.
    transpose : bool, optional
        Compute A^T X instead (X of q rows).

    Raises
    ------
    InvalidArgumentError
        Invalid ``n``, ``k`` or ``kind`` (see :class:`CodedMatVec`).
    ShardSizeError
        ``A`` is not 2-D.
    FieldTypeError, FieldValueError
        ``A`` does not hold elements of the field.

    Examples
    --------
    >>> from fastcode.fields import GF256
    >>> from fastcode.schemes import CodedMatMul
    >>> rng = np.random.default_rng(0)
    >>> A, X = GF256.random((8, 5), rng), GF256.random((5, 3), rng)
    >>> s = CodedMatMul(A, n=5, k=2, field=GF256)
    >>> s.compute(4, X).shape                      # (b, c): b = 8 / 2 rows
    (4, 3)
    >>> Y = s.decode({i: s.compute(i, X) for i in (4, 2)})
    >>> Y.shape, bool(np.array_equal(Y, GF256.matmul(A, X)))
    ((8, 3), True)
    """

    input_ndim = 2


class UncodedMatVec(_RowBlockScheme):
    """Baseline: A cut into n row blocks, worker i holds block i; needs all n.

    Same API as CodedMatVec; x may be a vector or a matrix.  ``load = 1/n``.

    Parameters
    ----------
    A : (q, r) array_like
        The matrix, elements of ``field``.
    n : int
        Workers (and row blocks, of b = ceil(q/n) rows), >= 1.
    field : Field, optional
        Default Reals.
    transpose : bool, optional
        Compute A^T x instead.

    Raises
    ------
    InvalidArgumentError
        ``n`` is not an int >= 1.
    ShardSizeError
        ``A`` is not 2-D.
    FieldTypeError, FieldValueError
        ``A`` does not hold elements of the field.

    Examples
    --------
    >>> from fastcode.schemes import UncodedMatVec
    >>> rng = np.random.default_rng(0)
    >>> A, x = rng.standard_normal((6, 4)), rng.standard_normal(4)
    >>> s = UncodedMatVec(A, n=3)
    >>> s.load, s.recovery_threshold
    (0.3333333333333333, 3)
    >>> s.can_decode([2, 0])                      # one straggler stalls the round
    False
    >>> y = s.decode({i: s.compute(i, x) for i in (2, 0, 1)})
    >>> bool(np.allclose(y, A @ x))
    True
    """

    def __init__(self, A: ArrayLike, n: int, field: Field = Reals, *,
                 transpose: bool = False) -> None:
        check_code_size(n, 1, Reals)
        self.n_workers = self.n = self.n_blocks = self.recovery_threshold = int(n)
        self.load = 1.0 / n
        self._bind(A, field, transpose, self.n)

    def __repr__(self) -> str:
        return f"UncodedMatVec(A{self.shape}, n={self.n})"

    def _payload_blocks(self, data: np.ndarray) -> List[np.ndarray]:
        return list(data)

    def can_decode(self, responders: Iterable[int]) -> bool:
        """True iff every one of the n workers is among ``responders``.

        Parameters
        ----------
        responders : iterable of int
            Worker ids.

        Returns
        -------
        bool
        """
        return {int(i) for i in responders} >= set(range(self.n))

    def _needs(self) -> str:
        return f"all {self.n} workers"

    def _decode_rows(self, res: Dict[int, Any], shape: Tuple[int, ...]) -> np.ndarray:
        return np.concatenate([res[i] for i in range(self.n)], axis=0)


class ReplicatedMatVec(_RowBlockScheme):
    """Baseline: r-replication.  A cut into n/r row blocks; block g is held by
    workers g*r .. g*r + r - 1 (``group(i) = i // r``); decodable once every
    block has a responder (the group rule).  ``load = r/n``; x a vector or a matrix.

    ``recovery_threshold`` is the worst case, n - r + 1 responders (one copy of
    every block), though the luckiest n/r can suffice.  ``decode`` takes the first
    copy of each block to arrive.

    Parameters
    ----------
    A : (q, r_cols) array_like
        The matrix, elements of ``field``.
    n : int
        Workers, >= 1.
    r : int, optional
        Replication factor, dividing n (default 2).
    field : Field, optional
        Default Reals.
    transpose : bool, optional
        Compute A^T x instead.

    Raises
    ------
    InvalidArgumentError
        ``n`` is not an int >= 1, or ``r`` is not an int >= 1 dividing n.
    ShardSizeError
        ``A`` is not 2-D.
    FieldTypeError, FieldValueError
        ``A`` does not hold elements of the field.

    Examples
    --------
    >>> from fastcode.schemes import ReplicatedMatVec
    >>> rng = np.random.default_rng(0)
    >>> A, x = rng.standard_normal((6, 4)), rng.standard_normal(4)
    >>> s = ReplicatedMatVec(A, n=6, r=2)         # blocks 0, 1, 2 on workers {0,1}, {2,3}, {4,5}
    >>> [s.group(i) for i in range(6)], s.load, s.recovery_threshold
    ([0, 0, 1, 1, 2, 2], 0.3333333333333333, 5)
    >>> s.can_decode([0, 1, 2, 3]), s.can_decode([1, 3, 4])
    (False, True)
    >>> y = s.decode({i: s.compute(i, x) for i in (1, 3, 4)})
    >>> bool(np.allclose(y, A @ x))
    True
    """

    def __init__(self, A: ArrayLike, n: int, r: int = 2, field: Field = Reals, *,
                 transpose: bool = False) -> None:
        check_code_size(n, 1, Reals)
        if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 1 or n % r:
            raise InvalidArgumentError(f"replication factor r={r!r} must be an int dividing n={n}")
        self.n_workers = self.n = int(n)
        self.r = int(r)
        self.n_blocks = self.n // self.r
        # worst case: one copy of every block, but the luckiest n/r can suffice
        self.recovery_threshold = self.n - self.r + 1
        self.load = self.r / self.n
        self._bind(A, field, transpose, self.n_blocks)

    def __repr__(self) -> str:
        return f"ReplicatedMatVec(A{self.shape}, n={self.n}, r={self.r})"

    def group(self, i: int) -> int:
        """The row block worker i holds.

        Parameters
        ----------
        i : int
            Worker id in ``[0, n)``.

        Returns
        -------
        int
            ``i // r``.

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.
        """
        return self._worker_id(i) // self.r

    def _payload_blocks(self, data: np.ndarray) -> List[np.ndarray]:
        return [data[i // self.r] for i in range(self.n)]

    def can_decode(self, responders: Iterable[int]) -> bool:
        """True iff every row block has a responder (the group rule).

        Parameters
        ----------
        responders : iterable of int
            Worker ids (ids out of range are ignored).

        Returns
        -------
        bool
        """
        return len({int(i) // self.r for i in responders if 0 <= int(i) < self.n}) == self.n_blocks

    def _needs(self) -> str:
        return f"one of each group of {self.r}"

    def _decode_rows(self, res: Dict[int, Any], shape: Tuple[int, ...]) -> np.ndarray:
        first: Dict[int, Any] = {}
        for i, v in res.items():                  # arrival order: the first copy wins
            first.setdefault(i // self.r, v)
        return np.concatenate([first[g] for g in range(self.n_blocks)], axis=0)
