"""Block-coordinate gradient coding for partial stragglers (Wang, Cui, Li, Zou, Xiong;
:doc:`/schemes/bcgc`).

The scheme.  ``N`` workers and ``N`` data subsets; the gradient ``g = Σ_d g_d`` has ``L``
coordinates.  *Coordinate* gradient coding gives coordinate ``l`` its own redundancy level
``s_l`` in ``0..N-1`` (L coding parameters); since all workers process coordinates in increasing
level, only the counts ``x_s = #{l : s_l = s}`` matter (:ref:`bcgc-runtime`), so the coordinates form ``N``
blocks (empty ones skipped).  Block ``s`` is protected by an ``(N, s)`` gradient code ``B^(s)``
(``CyclicRepetition``, ``CyclicMDS`` or ``FractionalRepetition`` from ``fastcode.codes``): worker
``n`` sends, for the block's coordinates, ``y_n = Σ_d B^(s)[n, d] [g_d]_block`` (``s + 1`` work
units per coordinate), block after block, and the master decodes block ``s`` from the first
workers whose block-``s`` message arrived (``N - s`` of them; fewer may do for fractional
repetition).

Runtime protocol (``fastcode.runtime``).  ``setup_tasks(job)`` -> per-worker payloads;
``worker_fn(payload, theta)`` -> the worker's whole message (all its block messages concatenated in
processing order, shape (L,)); ``worker_load(i)``; ``can_decode(responders)``;
``decode(results, theta)`` -> the gradient (L,) in the original coordinate order.

Partial results (the extension this scheme needs, see ``PARTIAL_RESULTS``): with
``partial_results = True`` a runtime may instead iterate ``worker_parts_fn(payload, theta)``, which
yields ``(s, message_s)`` block by block, send each part as soon as it is due (part ``s`` of worker
``i`` at ``delay_i · part_loads(i)[k] / part_loads(i)[-1]``), and key the results by
``(worker, s)``: ``can_decode`` and ``decode`` accept those keys as well as plain worker ids.
``fastcode.runtime.VirtualCluster`` runs exactly that with simulated clocks (``part_times``), and
``fastcode.runtime.LocalCluster`` runs it for real (``MPICluster`` refuses partial-results schemes).

Jobs.  A ``GradientJob`` (data subsets + a module-level partial-derivative function), e.g.
``least_squares_job(X, y, N)``; or an ``(N, L)`` array of fixed partial gradients (tests, finite
fields).  Reals: float64 throughout; PrimeField: uint32 field elements (gradients quantised by the
caller).

The runtime model, its exact evaluation and the optimisers live beside this module in
``model``, ``exact`` and ``opt``; the package ``fastcode.schemes.bcgc`` exports them all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple,
                    Union)

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.codes.gradient import CyclicMDS, CyclicRepetition, FractionalRepetition
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode._util.rng import as_generator
from fastcode.fields.base import Field
from fastcode.fields.prime import PrimeField
from fastcode.fields.reals import Reals, RealsField
from fastcode.schemes.bcgc.model import cumulative_load

__all__ = ["BlockCoordinateGC", "BlockDecoder", "GradientJob", "least_squares_job", "worker_fn",
           "worker_parts_fn", "least_squares_partial", "least_squares_residual", "fixed_partial",
           "levels_to_blocks", "CODES", "PARTIAL_RESULTS"]

CODES = ("cyclic", "cyclic_mds", "frc")
"""Per-level code families: CyclicRepetition, CyclicMDS, FractionalRepetition."""

#: What a runtime must provide to run this scheme with partial results (the text below;
#: ``fastcode.runtime`` implements it: see ``fastcode.runtime.protocol``).
PARTIAL_RESULTS = """\
Runtime extension for partial results (what a runtime must add to run this scheme with
partial stragglers; the plain protocol also works but waits for whole messages):

  scheme.partial_results = True                 opt-in flag
  scheme.parts(i) -> tuple of part keys         here the levels s with x_s > 0, in send order
  scheme.part_loads(i) -> float array           cumulative load after each part (same units as
                                                worker_load; the last entry == worker_load(i))
  scheme.worker_parts_fn(payload, round_input)  module-level generator yielding (key, ndarray)
                                                in the order of parts(i)

  worker: draw ONE delay d_i per round (as now: model.sample(n, load)); part k is due at
          t_ref + d_i * part_loads(i)[k] / part_loads(i)[-1] (constant speed within a round:
          the partial stragglers of block-coordinate coding), or when it is computed if later; send
          (PART, round, key, array) for every part, then the usual RESULT/CANCELLED bookkeeping
          (one final reply per ROUND; a newer message cancels the remaining parts).
  master: responders become (worker, key) pairs in arrival order; call
          scheme.can_decode(pairs) after each part and scheme.decode({(worker, key): array}, x)
          once it is true (dict insertion order = arrival order).
"""


# ---- jobs -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradientJob:
    """A gradient ``g(θ) = Σ_d g_d(θ)`` over ``N`` data subsets, computable coordinate by coordinate.

    The functions are module-level so that a runtime can ship them to worker processes.

    Attributes
    ----------
    subsets : sequence of N payloads
        The data subsets (arrays or tuples of arrays), one per ``g_d``.
    partial_fn : callable
        ``partial_fn(payload, state, coords)`` returns ``[g_d]_coords``, shape
        ``(len(coords),)``, the field's dtype.
    prepare_fn : callable, optional
        ``prepare_fn(payload, theta)``: per-round state of one subset (e.g. a residual), computed
        at most once per round and subset; None passes ``theta`` itself as the state.

    Examples
    --------
    A job whose subsets are fixed vectors (what ``BlockCoordinateGC.setup_tasks`` builds from
    an (N, L) array):

    >>> from fastcode.schemes.bcgc import GradientJob, fixed_partial
    >>> job = GradientJob([np.array([1.0, 2.0]), np.array([3.0, 4.0])], fixed_partial)
    >>> sum(job.partial_fn(d, None, np.array([1])) for d in job.subsets).tolist()
    [6.0]
    """
    subsets: Sequence[Any]
    partial_fn: Callable
    prepare_fn: Optional[Callable] = None


def least_squares_residual(payload: Tuple[np.ndarray, np.ndarray], theta: np.ndarray) -> np.ndarray:
    """The residual ``X_d θ - y_d`` of one subset (the ``prepare_fn`` of ``least_squares_job``).

    Parameters
    ----------
    payload : tuple (X_d, y_d)
        ``X_d`` (rows, L) and ``y_d`` (rows,), float64.
    theta : (L,) float64 array
        The model.

    Returns
    -------
    (rows,) float64 array
        ``X_d θ - y_d``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import least_squares_residual
    >>> X, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0])
    >>> least_squares_residual((X, y), np.array([1.0, 0.0])).tolist()
    [0.0, 2.0]
    """
    X, y = payload
    return X @ theta - y


def least_squares_partial(payload: Tuple[np.ndarray, np.ndarray], residual: np.ndarray,
                          coords: np.ndarray) -> np.ndarray:
    """Coordinates ``coords`` of ``∇ ½||X_d θ - y_d||² = X_d^T (X_d θ - y_d)``.

    The ``partial_fn`` of ``least_squares_job``.

    Parameters
    ----------
    payload : tuple (X_d, y_d)
        ``X_d`` (rows, L) and ``y_d`` (rows,), float64.
    residual : (rows,) float64 array
        ``X_d θ - y_d`` (``least_squares_residual``).
    coords : int array
        The coordinates wanted.

    Returns
    -------
    (len(coords),) float64 array
        ``[X_d^T (X_d θ - y_d)]_coords``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import least_squares_partial, least_squares_residual
    >>> X, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0])
    >>> r = least_squares_residual((X, y), np.array([1.0, 0.0]))
    >>> least_squares_partial((X, y), r, np.array([1])).tolist()      # X[:, 1] @ r
    [8.0]
    """
    X, _ = payload
    return X[:, coords].T @ residual


def fixed_partial(payload: np.ndarray, theta: Any, coords: np.ndarray) -> np.ndarray:
    """A fixed partial gradient: ``payload[coords]`` (payload = ``g_d``, shape (L,)).

    The ``partial_fn`` of a job given as an (N, L) array of partial gradients (tests, finite
    fields).

    Parameters
    ----------
    payload : (L,) array
        The partial gradient ``g_d``, the field's dtype.
    theta : object
        Ignored (the round input).
    coords : int array
        The coordinates wanted.

    Returns
    -------
    (len(coords),) array
        ``g_d[coords]``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import fixed_partial
    >>> fixed_partial(np.array([5.0, 6.0, 7.0]), None, np.array([2, 0])).tolist()
    [7.0, 5.0]
    """
    return payload[coords]


def least_squares_job(X: ArrayLike, y: ArrayLike, N: int) -> GradientJob:
    """Least squares ``½||X θ - y||²`` with the rows of ``X`` / ``y`` cut into ``N`` nearly equal
    consecutive subsets.

    Parameters
    ----------
    X : (rows, L) array_like of float
        The design matrix (converted to float64), ``rows >= N``.
    y : (rows,) array_like of float
        The targets.
    N : int
        Data subsets (= workers), >= 1.

    Returns
    -------
    GradientJob
        Subsets ``(X_d, y_d)``, ``least_squares_partial`` and ``least_squares_residual``; the
        round input is ``θ`` (L,).

    Raises
    ------
    InvalidArgumentError
        ``N`` is not an integer >= 1.
    ShardSizeError
        ``X`` is not 2-D, ``y`` does not match its rows, or there are fewer rows than ``N``.

    Examples
    --------
    The decoded gradient is the full ``X^T (X θ - y)``, here with worker 1 straggling:

    >>> from fastcode.schemes.bcgc import BlockCoordinateGC, least_squares_job
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((9, 4)), rng.standard_normal(9)
    >>> job = least_squares_job(X, y, 3)
    >>> [Xd.shape for Xd, yd in job.subsets]
    [(3, 4), (3, 4), (3, 4)]
    >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
    >>> payloads = scheme.setup_tasks(job)
    >>> theta = np.ones(4)
    >>> msgs = {i: scheme.worker_fn(payloads[i], theta) for i in (0, 2)}
    >>> np.allclose(scheme.decode(msgs, theta), X.T @ (X @ theta - y))
    True
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    N = integer(N, "N", 1)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < N:
        raise ShardSizeError(f"need X (rows, L) and y (rows,) with rows >= N={N}, got X "
                             f"{X.shape}, y {y.shape}")
    cuts = np.linspace(0, X.shape[0], N + 1).round().astype(int)
    subsets = [(X[a:b], y[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    return GradientJob(subsets, least_squares_partial, least_squares_residual)


# ---- coordinates -> blocks ---------------------------------------------------------------------

def levels_to_blocks(levels: ArrayLike, N: int) -> Tuple[np.ndarray, List[np.ndarray]]:
    """The L -> N reduction: per-coordinate levels ``s_l`` -> block sizes and block coordinates.

    Parameters
    ----------
    levels : (L,) array_like of int
        Redundancy level ``s_l`` of every coordinate, in ``[0, N)``.
    N : int
        Workers, >= 1.

    Returns
    -------
    x : (N,) int64 array
        Block sizes ``x_s = #{l : s_l = s}``.
    coords : list of N int64 arrays
        The coordinates of each block, increasing.

    Raises
    ------
    InvalidArgumentError
        ``N`` is not an integer >= 1, or ``levels`` is not a non-empty 1-D integer array with
        entries in ``[0, N)``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import levels_to_blocks
    >>> x, coords = levels_to_blocks(np.array([1, 2, 1, 1]), 3)
    >>> x.tolist(), [c.tolist() for c in coords]
    ([0, 3, 1], [[], [0, 2, 3], [1]])
    """
    N = integer(N, "N", 1)
    lv = np.asarray(levels)
    if lv.ndim != 1 or lv.size == 0 or lv.dtype.kind not in "iu" \
            or lv.min() < 0 or lv.max() >= N:
        raise InvalidArgumentError(f"levels must be a non-empty 1-D integer array with entries in "
                                   f"[0, N={N}), got {levels!r}")
    x = np.bincount(lv, minlength=N).astype(np.int64)
    return x, [np.flatnonzero(lv == s) for s in range(N)]


# ---- worker side -------------------------------------------------------------------------------

def worker_parts_fn(payload: Dict[str, Any], round_input: Any) -> Iterator[Tuple[int, np.ndarray]]:
    """Worker side, block by block: the worker's block messages in processing order.

    ``message_s = Σ_j coef_j [g_{parts_j}]_{coords_s}`` over the subsets the worker holds.  Each
    subset's per-round state is prepared when first needed.

    Parameters
    ----------
    payload : dict
        One entry of ``BlockCoordinateGC.setup_tasks``.
    round_input : object
        The round's input (``θ``), passed to the job's ``prepare_fn`` / ``partial_fn``.

    Yields
    ------
    s : int
        The level of the block, increasing.
    message : (x_s,) array
        The block message, the field's dtype.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import BlockCoordinateGC, worker_parts_fn
    >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
    >>> payloads = scheme.setup_tasks(np.arange(12.0).reshape(3, 4))
    >>> [(s, m.shape) for s, m in worker_parts_fn(payloads[0], None)]
    [(1, (3,)), (2, (1,))]
    """
    field = payload["field"]
    fn, prep = payload["partial_fn"], payload["prepare_fn"]
    data = payload["data"]
    state = [None] * len(data)
    for s, coords, local, coef in payload["blocks"]:
        rows = []
        for j in local:                      # j indexes the worker's stored subsets
            if state[j] is None:
                state[j] = round_input if prep is None else prep(data[j], round_input)
            rows.append(field.asarray(fn(data[j], state[j], coords), "partial gradient"))
        stack = np.stack(rows)
        yield s, field.matmul(coef[None, :], stack).reshape(len(coords))


def worker_fn(payload: Dict[str, Any], round_input: Any) -> np.ndarray:
    """Whole-message worker function of the plain runtime protocol.

    Parameters
    ----------
    payload : dict
        One entry of ``BlockCoordinateGC.setup_tasks``.
    round_input : object
        The round's input (``θ``).

    Returns
    -------
    (L,) array
        Every block message of this worker concatenated in processing order, shape
        ``(Σ_s x_s,) = (L,)``, the field's dtype.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import BlockCoordinateGC, worker_fn
    >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
    >>> payloads = scheme.setup_tasks(np.arange(12.0).reshape(3, 4))
    >>> worker_fn(payloads[0], None).shape
    (4,)
    """
    parts = [m for _, m in worker_parts_fn(payload, round_input)]
    return np.concatenate(parts) if parts else payload["field"].zeros(0)


# ---- the scheme ---------------------------------------------------------------------------------

class BlockCoordinateGC:
    """Block-coordinate gradient coding with ``N`` workers and block sizes ``x``.

    Block ``s`` (``x_s`` coordinates) is protected by an ``(N, s)`` gradient code; every worker
    sends its block messages in increasing ``s`` and the master decodes each block from its first
    ``N - s`` arrivals.  Attributes: ``n_workers`` (= N), ``L``, ``x`` (int64 (N,)), ``levels``
    (used levels in processing order), ``codes`` ({s: GradientCode}), ``coords`` (list of N
    arrays), ``stored[i]`` (subsets worker i holds), ``field``, ``code``,
    ``partial_results = True``.

    Parameters
    ----------
    N : int
        Workers (and data subsets), >= 1.
    x : (N,) array_like of int
        Block sizes, non-negative integers: ``x_s`` = coordinates with redundancy level ``s``
        (sum L >= 1; ``round_blocks`` turns real sizes into these).
    field : Field, default Reals
        Reals (float64) or a PrimeField (uint32 elements).
    code : {"cyclic", "cyclic_mds", "frc"}, default "cyclic"
        The per-level code family (``CODES``): CyclicRepetition, CyclicMDS or
        FractionalRepetition.  ``"frc"`` needs ``(s+1) | N`` for every used level,
        ``"cyclic_mds"`` over Reals needs ``N - s`` odd.
    coords : list of N array_like of int, optional
        The coordinates of each block, partitioning ``range(L)`` (default: consecutive, block 0
        first).
    rng : int or numpy.random.Generator, optional
        Seeds the random cyclic-repetition matrices.

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``x`` out of range, an unknown ``field`` or ``code``, ``coords`` not a partition
        matching ``x``, or a used level the code family cannot serve.
    FieldValueError
        ``"cyclic_mds"`` over a PrimeField without the needed roots of unity.
    SingularMatrixError
        ``"cyclic"`` over a PrimeField too small to find a decodable code.

    See Also
    --------
    round_blocks, approx_a, spsg : choosing ``x``.

    Examples
    --------
    Three workers, four coordinates: three at level 1 (one straggler tolerated), one at level 2:

    >>> from fastcode.schemes.bcgc import BlockCoordinateGC
    >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
    >>> scheme
    BlockCoordinateGC(N=3, L=4, x=[0, 3, 1], field=Reals, code='cyclic')
    >>> scheme.levels, [c.tolist() for c in scheme.coords]
    ((1, 2), [[], [0, 1, 2], [3]])
    >>> G = np.arange(12.0).reshape(3, 4)          # partial gradient g_d of each data subset d
    >>> payloads = scheme.setup_tasks(G)
    >>> msgs = {i: scheme.worker_fn(payloads[i], None) for i in (2, 0)}     # worker 1 straggles
    >>> scheme.can_decode([2, 0])
    True
    >>> np.allclose(scheme.decode(msgs), G.sum(axis=0))
    True
    """

    partial_results = True
    worker_fn = staticmethod(worker_fn)
    worker_parts_fn = staticmethod(worker_parts_fn)

    def __init__(self, N: int, x: ArrayLike, field: Field = Reals, code: str = "cyclic",
                 coords: Optional[Sequence[ArrayLike]] = None,
                 rng: Optional[Union[int, np.random.Generator]] = None) -> None:
        N = integer(N, "N", 1)
        xa = np.asarray(x)
        if xa.shape != (N,) or xa.dtype.kind not in "iu" or np.any(xa < 0) or xa.sum() < 1:
            raise InvalidArgumentError(
                f"x must be {N} non-negative integers (block size per level, sum L >= 1); use "
                f"round_blocks() for real-valued sizes; got {x!r}")
        if not isinstance(field, (RealsField, PrimeField)):
            raise InvalidArgumentError(f"field must be Reals or a PrimeField, got {field!r}")
        if code not in CODES:
            raise InvalidArgumentError(f"code must be one of {CODES}, got {code!r}")
        self.n_workers = N
        self.x = xa.astype(np.int64)
        self.L = int(self.x.sum())
        self.field = field
        self.code = code
        self.levels = tuple(int(s) for s in np.flatnonzero(self.x))
        self.coords = self._check_coords(coords)
        rng = as_generator(rng)
        self.codes = {s: self._make_code(s, rng) for s in self.levels}
        held: List[Set[int]] = [set() for _ in range(N)]
        for c in self.codes.values():
            for i in range(N):
                held[i].update(c.parts(i).tolist())
        self.stored = [np.array(sorted(h), dtype=np.int64) for h in held]
        C = cumulative_load(self.x)
        self._cum = np.array([C[s] for s in self.levels])          # work units after each part
        self._offsets = np.concatenate(([0], np.cumsum([self.x[s] for s in self.levels])))

    @classmethod
    def from_levels(cls, levels: ArrayLike, N: int, **kwargs: Any) -> "BlockCoordinateGC":
        """The scheme for per-coordinate levels ``s_l`` (L coding parameters; :ref:`bcgc-encoding`):
        coordinates with the same level form one block.

        Parameters
        ----------
        levels : (L,) array_like of int
            Redundancy level of every coordinate, in ``[0, N)``.
        N : int
            Workers, >= 1.
        **kwargs
            ``field``, ``code``, ``rng`` as in the constructor.

        Returns
        -------
        BlockCoordinateGC
            The scheme with ``x`` and ``coords`` from ``levels_to_blocks``.

        Examples
        --------
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> scheme = BlockCoordinateGC.from_levels(np.array([1, 2, 1, 1]), 3, rng=0)
        >>> scheme.x.tolist(), [c.tolist() for c in scheme.coords]
        ([0, 3, 1], [[], [0, 2, 3], [1]])
        """
        x, coords = levels_to_blocks(levels, N)
        return cls(N, x, coords=coords, **kwargs)

    def _check_coords(self, coords):
        if coords is None:
            ends = np.cumsum(self.x)
            return [np.arange(e - n, e) for n, e in zip(self.x, ends)]
        coords = [np.asarray(c, dtype=np.int64).reshape(-1) for c in coords]
        if len(coords) != self.n_workers or any(len(c) != n for c, n in zip(coords, self.x)):
            raise InvalidArgumentError("coords must hold N arrays whose lengths are the block "
                                       f"sizes x={self.x.tolist()}")
        allc = np.concatenate(coords)
        if not np.array_equal(np.sort(allc), np.arange(self.L)):
            raise InvalidArgumentError(f"coords must partition range(L={self.L})")
        return coords

    def _make_code(self, s, rng):
        N = self.n_workers
        if self.code == "frc":
            if N % (s + 1):
                raise InvalidArgumentError(
                    f"code='frc' needs (s + 1) | N for every used level, but x[{s}] = "
                    f"{self.x[s]} > 0 and {s + 1} does not divide N={N}")
            return FractionalRepetition(N, s, field=self.field)
        if self.code == "cyclic_mds":
            return CyclicMDS(N, s, field=self.field)
        return CyclicRepetition(N, s, field=self.field, rng=rng)

    def __repr__(self):
        return (f"BlockCoordinateGC(N={self.n_workers}, L={self.L}, x={self.x.tolist()}, "
                f"field={self.field!r}, code={self.code!r})")

    # ---- loads ------------------------------------------------------------------------------------

    def cumulative_load(self) -> np.ndarray:
        """Work units ``C_s`` after each used block; the same for every worker.

        Returns
        -------
        (len(levels),) float64 array
            ``C_s(x)`` for ``s`` in ``levels`` (a copy).

        Examples
        --------
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0).cumulative_load().tolist()
        [6.0, 9.0]
        """
        return self._cum.copy()

    def worker_load(self, i: int) -> float:
        """Worker ``i``'s work per round as a fraction of the uncoded whole job (N L units).

        Parameters
        ----------
        i : int
            Worker id in ``[0, N)``.

        Returns
        -------
        float
            ``C_{N-1} / (N L)`` (the same for every worker).

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.

        Examples
        --------
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0).worker_load(0)      # 9 / (3 * 4)
        0.75
        """
        self._worker(i)
        return float(self._cum[-1]) / (self.n_workers * self.L)

    def parts(self, i: int) -> Tuple[int, ...]:
        """Part keys of worker ``i`` in send order: the used levels.

        Parameters
        ----------
        i : int
            Worker id in ``[0, N)``.

        Returns
        -------
        tuple of int
            ``levels``.

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.
        """
        self._worker(i)
        return self.levels

    def part_loads(self, i: int) -> np.ndarray:
        """Cumulative load after each part of worker ``i`` (units of ``worker_load``).

        Parameters
        ----------
        i : int
            Worker id in ``[0, N)``.

        Returns
        -------
        (len(levels),) float64 array
            ``C_s / (N L)`` for ``s`` in ``levels``; the last entry is ``worker_load(i)``.

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.

        Examples
        --------
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
        >>> scheme.parts(0), scheme.part_loads(0).tolist()
        ((1, 2), [0.5, 0.75])
        """
        self._worker(i)
        return self._cum / (self.n_workers * self.L)

    def part_times(self, tau: ArrayLike) -> List[np.ndarray]:
        """Ready time of every part for per-unit worker times ``tau``: worker i's block-s message
        is ready at ``tau_i C_s``.

        Parameters
        ----------
        tau : (N,) array_like of float
            Per-unit time of every worker, >= 0; ``inf`` = a worker that never finishes anything.

        Returns
        -------
        list of N float64 arrays
            The ready times of each worker's parts (one per ``levels``): the ``times`` of a
            ``fastcode.runtime.VirtualCluster`` round.

        Raises
        ------
        InvalidArgumentError
            ``tau`` is not N times >= 0.

        Examples
        --------
        On the virtual clock the round ends at ``T(x)`` (RT):

        >>> from fastcode.runtime import VirtualCluster
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC, runtime
        >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
        >>> tau = np.array([1.0, 5.0, 2.0])
        >>> [t.tolist() for t in scheme.part_times(tau)]
        [[6.0, 9.0], [30.0, 45.0], [12.0, 18.0]]
        >>> cluster = VirtualCluster(3)
        >>> G = np.arange(12.0).reshape(3, 4)
        >>> _ = cluster.setup(scheme, G)
        >>> vr = cluster.run_round(None, scheme.part_times(tau))
        >>> vr.time, runtime(scheme.x, tau), np.allclose(vr.output, G.sum(axis=0))
        (12.0, 12.0, True)
        """
        N = self.n_workers
        tau = np.asarray(tau, dtype=np.float64)
        if tau.shape != (N,) or np.any(np.isnan(tau)) or np.any(tau < 0):
            raise InvalidArgumentError(f"tau must be {N} per-unit times >= 0 (inf allowed), "
                                       f"got {tau!r}")
        return [t * self._cum if np.isfinite(t) else np.full(len(self._cum), np.inf) for t in tau]

    def block_times(self, virtual_round: Any) -> Dict[int, float]:
        """The time each block became decodable in a ``VirtualCluster`` round of this scheme
        (its arrivals replayed through a ``BlockDecoder``).

        Parameters
        ----------
        virtual_round : fastcode.runtime.VirtualRound
            A round of this scheme (its ``arrivals`` and ``results`` are read).

        Returns
        -------
        dict of int to float
            ``{s: time}``, in decoding order.

        Raises
        ------
        InvalidArgumentError, ShardSizeError
            The round is not one of this scheme (unknown worker or level, wrong message shape).

        Examples
        --------
        Block 2 needs one worker (the fastest, at ``1 · 9``), block 1 two (at ``2 · 6``):

        >>> from fastcode.runtime import VirtualCluster
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
        >>> cluster = VirtualCluster(3)
        >>> _ = cluster.setup(scheme, np.arange(12.0).reshape(3, 4))
        >>> vr = cluster.run_round(None, scheme.part_times([1.0, 5.0, 2.0]))
        >>> scheme.block_times(vr)
        {2: 9.0, 1: 12.0}
        """
        dec = BlockDecoder(self)
        out = {}
        for t, w, s in virtual_round.arrivals:
            if dec.add(w, s, virtual_round.results[(w, s)]):
                out[s] = t
        return out

    def _worker(self, i: Any) -> int:
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) \
                or not 0 <= i < self.n_workers:
            raise InvalidArgumentError(f"worker must be an integer in [0, {self.n_workers}), "
                                       f"got {i!r}")
        return int(i)

    # ---- setup ----------------------------------------------------------------------------------

    def _as_job(self, job: Any) -> GradientJob:
        if isinstance(job, GradientJob):
            if len(job.subsets) != self.n_workers:
                raise ShardSizeError(f"job must have N={self.n_workers} subsets, got "
                                     f"{len(job.subsets)}")
            return job
        G = self.field.asarray(job, "job")
        if G.ndim != 2 or G.shape != (self.n_workers, self.L):
            raise ShardSizeError(f"job must be a GradientJob or an array of partial gradients of "
                                 f"shape (N, L) = ({self.n_workers}, {self.L}), got {G.shape}")
        return GradientJob([np.ascontiguousarray(g) for g in G], fixed_partial)

    def setup_tasks(self, job: Union[GradientJob, ArrayLike]) -> List[Dict[str, Any]]:
        """Per-worker payloads: the stored subsets, and per used level (in processing order)
        ``(s, coords, local subset indices, coefficients B^(s)[i, parts])``.

        Parameters
        ----------
        job : GradientJob or (N, L) array_like
            The gradient: a ``GradientJob`` with N subsets, or fixed partial gradients ``g_d``
            as rows (the field's elements).

        Returns
        -------
        list of N dicts
            The payload of every worker, for ``worker_fn`` / ``worker_parts_fn``.

        Raises
        ------
        ShardSizeError
            A job without N subsets, or an array not of shape (N, L).
        FieldTypeError, FieldValueError
            An array that does not hold elements of the field.

        Examples
        --------
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
        >>> payloads = scheme.setup_tasks(np.arange(12.0).reshape(3, 4))
        >>> len(payloads), sorted(payloads[0])
        (3, ['blocks', 'data', 'field', 'partial_fn', 'prepare_fn'])
        >>> [s for s, coords, local, coef in payloads[0]["blocks"]]
        [1, 2]
        """
        gjob = self._as_job(job)
        payloads = []
        for i in range(self.n_workers):
            pos = {int(d): j for j, d in enumerate(self.stored[i])}
            blocks = []
            for s in self.levels:
                c = self.codes[s]
                parts = c.parts(i)
                coef = np.ascontiguousarray(c.coefficients(i)[:, 0])
                keep = coef != 0                      # FRC/CRC zeros cost nothing
                local = np.array([pos[int(d)] for d in parts[keep]], dtype=np.int64)
                blocks.append((s, self.coords[s], local, coef[keep]))
            payloads.append({"field": self.field, "partial_fn": gjob.partial_fn,
                             "prepare_fn": gjob.prepare_fn,
                             "data": [gjob.subsets[d] for d in self.stored[i]],
                             "blocks": blocks})
        return payloads

    # ---- master side ------------------------------------------------------------------------------

    def decoder(self) -> "BlockDecoder":
        """A fresh ``BlockDecoder`` for one round.

        Returns
        -------
        BlockDecoder
            Empty decoder state of this scheme.
        """
        return BlockDecoder(self)

    def _parts_in_order(self, responders: Iterable[Any]) -> List[Tuple[int, int]]:
        """Responders as (worker, s) pairs in arrival order: a worker id stands for all its parts."""
        out = []
        for r in responders:
            if isinstance(r, tuple):
                if len(r) != 2:
                    raise InvalidArgumentError(f"a part key is (worker, level), got {r!r}")
                out.append((self._worker(r[0]), int(r[1])))
            else:
                w = self._worker(r)
                out.extend((w, s) for s in self.levels)
        return out

    def can_decode(self, responders: Iterable[Union[int, Tuple[int, int]]]) -> bool:
        """True once every used block is decodable from the arrived parts.  Monotone.

        Parameters
        ----------
        responders : iterable of int or (int, int)
            Worker ids (whole messages) and/or ``(worker, s)`` pairs, in arrival order.

        Returns
        -------
        bool
            Whether ``decode`` would succeed.

        Raises
        ------
        InvalidArgumentError
            A worker id out of range, or a tuple that is not a ``(worker, level)`` pair.

        Examples
        --------
        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
        >>> scheme.can_decode([1]), scheme.can_decode([1, 0])
        (False, True)
        >>> scheme.can_decode([(0, 2), (0, 1), (2, 1)])        # parts: blocks 2 and 1
        True
        """
        arrived: Dict[int, List[int]] = {s: [] for s in self.levels}
        for w, s in self._parts_in_order(responders):
            if s in arrived and w not in arrived[s]:
                arrived[s].append(w)
        return all(self.codes[s].can_decode(arrived[s]) for s in self.levels)

    def decode(self, results: Dict[Any, ArrayLike], round_input: Any = None) -> np.ndarray:
        """The gradient from the workers' messages, in the original coordinate order.

        Parameters
        ----------
        results : dict
            ``{worker id: whole message (L,)}`` or ``{(worker, s): block message (x_s,)}``;
            insertion order = arrival order (later messages of a decoded block are ignored).
        round_input : object, optional
            Unused (the runtime protocol passes it).

        Returns
        -------
        (L,) array
            The gradient ``Σ_d g_d``, the field's dtype.

        Raises
        ------
        NotEnoughShardsError
            A block cannot be decoded (the message names the first one).
        InvalidArgumentError
            A worker id out of range or a level that is not a used block.
        ShardSizeError
            A message of the wrong shape.
        FieldTypeError, FieldValueError
            A message that does not hold elements of the field.

        Examples
        --------
        Block by block, as a partial-results runtime delivers them:

        >>> from fastcode.schemes.bcgc import BlockCoordinateGC
        >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
        >>> G = np.arange(12.0).reshape(3, 4)
        >>> payloads = scheme.setup_tasks(G)
        >>> parts = {i: dict(scheme.worker_parts_fn(payloads[i], None)) for i in range(3)}
        >>> results = {(0, 2): parts[0][2], (0, 1): parts[0][1], (1, 1): parts[1][1]}
        >>> np.allclose(scheme.decode(results), G.sum(axis=0))
        True
        >>> scheme.decode({(0, 2): parts[0][2], (0, 1): parts[0][1]})
        Traceback (most recent call last):
            ...
        fastcode.errors.NotEnoughShardsError: block s=1 (3 coordinates) cannot be decoded from workers [0] (needs 2); 1 block(s) missing
        """
        dec = BlockDecoder(self)
        for key, value in results.items():
            if isinstance(key, tuple):
                dec.add(key[0], key[1], value)
            else:
                w = self._worker(key)
                msg = np.asarray(value)
                if msg.shape != (self.L,):
                    raise ShardSizeError(f"whole message of worker {w} must have shape "
                                         f"({self.L},), got {msg.shape}")
                for k, s in enumerate(self.levels):
                    dec.add(w, s, msg[self._offsets[k]:self._offsets[k + 1]])
            if dec.done:
                break
        return dec.result()


class BlockDecoder:
    """Master-side state of one round: collects block messages as they arrive and decodes each
    block as soon as its code can (first ``N - s`` arrivals for cyclic codes, one per group for
    fractional repetition).  Later messages of a decoded block are ignored.

    Attributes: ``scheme``, ``decoded`` ({s: decoded block sum (x_s,)}), ``out`` (the gradient
    (L,) being filled).

    Parameters
    ----------
    scheme : BlockCoordinateGC
        The scheme whose round this decodes.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import BlockCoordinateGC
    >>> scheme = BlockCoordinateGC(3, np.array([0, 3, 1]), rng=0)
    >>> G = np.arange(12.0).reshape(3, 4)
    >>> payloads = scheme.setup_tasks(G)
    >>> parts = {i: dict(scheme.worker_parts_fn(payloads[i], None)) for i in range(3)}
    >>> dec = scheme.decoder()
    >>> dec.add(0, 2, parts[0][2])                 # level 2: one worker suffices
    True
    >>> dec.add(0, 1, parts[0][1]), dec.done       # level 1: needs two
    (False, False)
    >>> dec.add(2, 1, parts[2][1]), dec.done
    (True, True)
    >>> np.allclose(dec.result(), G.sum(axis=0))
    True
    """

    def __init__(self, scheme: BlockCoordinateGC) -> None:
        self.scheme = scheme
        self._arrived: Dict[int, List[int]] = {s: [] for s in scheme.levels}
        # None once the block is decoded (its messages are freed)
        self._msgs: Dict[int, Optional[List[np.ndarray]]] = {s: [] for s in scheme.levels}
        self.decoded: Dict[int, np.ndarray] = {}        # s -> decoded block sum (x_s,)
        self.out = scheme.field.zeros(scheme.L)

    @property
    def done(self) -> bool:
        """True once every used block is decoded."""
        return len(self.decoded) == len(self.scheme.levels)

    def add(self, worker: int, s: int, message: ArrayLike) -> bool:
        """Record worker ``worker``'s block-``s`` message, decoding block ``s`` when it can.

        Parameters
        ----------
        worker : int
            Worker id in ``[0, N)``.
        s : int
            A used level (block).
        message : (x_s,) array_like
            The block message, elements of the field.

        Returns
        -------
        bool
            True if this message decoded block ``s`` (False for a repeat, a message of an
            already decoded block, or one that is not enough yet).

        Raises
        ------
        InvalidArgumentError
            ``worker`` out of range, or ``s`` not a used block.
        ShardSizeError
            ``message`` not of shape (x_s,).
        FieldTypeError, FieldValueError
            ``message`` does not hold elements of the field.
        """
        sc = self.scheme
        worker = sc._worker(worker)
        s = int(s)
        if s not in self._arrived:
            raise InvalidArgumentError(f"level {s} is not a used block (levels {sc.levels})")
        if s in self.decoded or worker in self._arrived[s]:
            return False
        msg = sc.field.asarray(message, f"message of worker {worker}, block {s}")
        if msg.shape != (sc.x[s],):
            raise ShardSizeError(f"block {s} message must have shape ({sc.x[s]},), got {msg.shape}")
        self._arrived[s].append(worker)
        msgs = self._msgs[s]
        assert msgs is not None                         # freed only once s is decoded (above)
        msgs.append(msg)
        code = sc.codes[s]
        if not code.can_decode(self._arrived[s]):
            return False
        block = code.decode(np.stack(msgs), self._arrived[s])
        self.decoded[s] = block
        self.out[sc.coords[s]] = block
        self._msgs[s] = None                            # free the messages
        return True

    def result(self) -> np.ndarray:
        """The decoded gradient.

        Returns
        -------
        (L,) array
            ``Σ_d g_d`` in the original coordinate order, the field's dtype (the decoder's
            ``out``, not a copy).

        Raises
        ------
        NotEnoughShardsError
            A block is still missing (the message names the first one).
        """
        if not self.done:
            missing = [s for s in self.scheme.levels if s not in self.decoded]
            s = missing[0]
            raise NotEnoughShardsError(
                f"block s={s} ({self.scheme.x[s]} coordinates) cannot be decoded from workers "
                f"{self._arrived[s]} (needs {self.scheme.codes[s].recovery_threshold}); "
                f"{len(missing)} block(s) missing")
        return self.out
