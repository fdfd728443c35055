"""Stream coded mat-vec with a heterogeneous load split, in the runtime's scheme protocol
(:ref:`stream-model`).

The job is a matrix ``A`` (``q × r``, float64) fixed for the whole stream; each round (one job
iteration) brings a vector ``x`` (shape ``(r,)``, or ``(r, s)`` for several) and wants ``A x``.
``A`` is cut into ``K`` row blocks ``A_k`` (``b = ceil(q/K)`` rows each, zero-padded) and coded with a
generator ``G`` (``n × K``, ``n = KΩ``): coded block ``i`` is ``Ã_i = Σ_k G[i, k] A_k``.  Worker ``p``
holds ``κ_p`` coded blocks (``Σ κ_p = n``, from the load split of ``stream``) and serves them one
after another, sending each result ``Ã_i x`` as soon as it is done.  Any ``K`` results decode the
round; the others are purged.

The unit of work is one coded task, identified by its index ``i`` in ``0..n-1``:

- ``setup_tasks(A)`` -> one list per worker of ``(task_id, block)`` pairs, in service order;
- module-level ``worker_fn((task_id, block), x)`` -> ``block @ x``;
- ``can_decode(responders)`` -> at least ``K`` distinct task ids have answered;
- ``decode(results, x)`` -> ``A x`` from the first ``K`` entries of ``results``
  (``{task_id: result}``, insertion order = arrival order).

On a runtime with partial results (``partial_results = True``) a worker sends
each task's result as it is done (``worker_parts_fn``, ``parts``,
``part_loads``); responders are then ``(worker, task_id)`` pairs, which
``can_decode`` and ``decode`` accept as well.

Why the scheme decodes with its own K x K solve and not with ``MDSCode``: the math does not
match.  ``G`` is any (n, K) generator the caller chooses, in the stream reproduction a
non-systematic Gaussian one, and any K results give ``A x`` through ``G_S^{-1}`` directly.
``MDSCode`` is systematic ([I; C]): its data rows are shards and it solves only for the lost
ones.  Decoding this scheme with it would mean rewriting ``G = [I; C] G[:K]``, recovering the
"data" ``G[:K] A x`` and then solving with ``G[:K]`` again: two solves whose condition numbers
multiply, and a failure whenever ``G[:K]`` alone is singular although other K-subsets decode.
So ``_decode_matrix`` solves ``G_S D = I`` once per responder tuple (cached, LRU).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Iterable, Iterator, List, NoReturn, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import NotEnoughShardsError, ShardSizeError, SingularMatrixError
from fastcode._util.rng import as_generator
from fastcode.schemes.stream.split import (
    StreamWorkers,
    positive_scalar,
    integerize,
    optimal_load_split,
    uniform_split,
)

__all__ = ["StreamCodedMatVec", "StreamScheme", "worker_fn", "worker_parts_fn"]


def worker_fn(task_payload: Tuple[int, np.ndarray], round_input: np.ndarray) -> np.ndarray:
    """Compute one coded task: ``Ã_i x``.

    Parameters
    ----------
    task_payload : tuple (task_id, block)
        The task id ``i`` and the coded block ``Ã_i``, float64 of shape ``(b, r)``.
    round_input : (r,) or (r, s) float64 array
        The round's vector ``x`` (or several as columns).

    Returns
    -------
    (b,) or (b, s) float64 array
        ``block @ x``.

    Examples
    --------
    >>> from fastcode.schemes.stream import worker_fn
    >>> worker_fn((0, np.array([[1.0, 2.0], [3.0, 4.0]])), np.array([1.0, 1.0])).tolist()
    [3.0, 7.0]
    """
    _, block = task_payload
    return block @ round_input


def worker_parts_fn(payload: Sequence[Tuple[int, np.ndarray]],
                    round_input: np.ndarray) -> Iterator[Tuple[int, np.ndarray]]:
    """A worker's whole queue for the runtime's partial-results mode, task after task.

    Parameters
    ----------
    payload : list of (task_id, block)
        The worker's queue, one entry of ``StreamCodedMatVec.setup_tasks``, in service order.
    round_input : (r,) or (r, s) float64 array
        The round's vector ``x``.

    Yields
    ------
    task_id : int
        The coded task ``i``.
    result : (b,) or (b, s) float64 array
        ``Ã_i x``.

    Examples
    --------
    >>> from fastcode.schemes.stream import worker_parts_fn
    >>> queue = [(4, np.eye(2)), (5, 2 * np.eye(2))]
    >>> [(t, y.tolist()) for t, y in worker_parts_fn(queue, np.array([1.0, 3.0]))]
    [(4, [1.0, 3.0]), (5, [2.0, 6.0])]
    """
    for task_id, block in payload:
        yield task_id, block @ round_input


def _whole_queue_fn(payload: Any, round_input: Any) -> NoReturn:
    """The plain protocol's whole-message function, which this scheme does not have.

    ``StreamCodedMatVec`` sends one message per coded task, so it runs only on a runtime with
    partial results (``worker_parts_fn``).

    Parameters
    ----------
    payload : object
        A worker's queue (ignored).
    round_input : object
        The round's input (ignored).

    Raises
    ------
    RuntimeError
        Always.
    """
    raise RuntimeError("StreamCodedMatVec sends one message per coded task: run it on a runtime "
                       "with partial results (fastcode.runtime.LocalCluster)")


class StreamCodedMatVec:
    """Coded ``A x`` over heterogeneous workers with per-worker task counts ``kappa``.

    Worker ``p`` gets the consecutive task ids ``offsets[p] .. offsets[p] + kappa[p] - 1`` and
    serves them in that order.  Attributes: ``G`` and ``kappa`` (read-only copies), ``offsets``
    (int64, shape ``(P,)``).  ``StreamScheme`` is another name of this class.

    Parameters
    ----------
    G : (n, K) array_like of float
        The generator, float64, ``n >= K >= 1``, every ``K × K`` row subset invertible (MDS);
        need not be systematic.
    kappa : (P,) array_like of int
        Coded tasks per worker, ``>= 0``, summing to ``n`` (``integerize`` makes them from a
        real split).

    Raises
    ------
    ValueError
        ``G`` is not a finite ``n × K`` matrix with ``n >= K >= 1``, or ``kappa`` is not a
        non-empty 1-D array of integers ``>= 0`` summing to ``n``.

    See Also
    --------
    StreamCodedMatVec.with_load_split : the scheme with the optimal split.

    Examples
    --------
    ``A`` (5 × 4) cut into ``K = 3`` row blocks, ``n = 6`` coded tasks on three workers; workers
    0 and 1 never answer and worker 2's three results decode:

    >>> from fastcode.schemes.stream import StreamCodedMatVec, worker_fn
    >>> rng = np.random.default_rng(0)
    >>> scheme = StreamCodedMatVec(rng.standard_normal((6, 3)), [1, 2, 3])
    >>> [scheme.tasks_of(p).tolist() for p in range(3)]
    [[0], [1, 2], [3, 4, 5]]
    >>> A = np.arange(20.0).reshape(5, 4)
    >>> x = np.array([1.0, 0.0, -1.0, 2.0])
    >>> queues = scheme.setup_tasks(A)
    >>> results = {task: worker_fn((task, block), x) for task, block in queues[2]}
    >>> scheme.can_decode(results)
    True
    >>> y = scheme.decode(results, x)
    >>> y.round(8).tolist(), (A @ x).tolist()
    ([4.0, 12.0, 20.0, 28.0, 36.0], [4.0, 12.0, 20.0, 28.0, 36.0])
    """

    _CACHE_SIZE = 256

    def __init__(self, G: ArrayLike, kappa: ArrayLike) -> None:
        G = np.array(G, dtype=np.float64)
        if G.ndim != 2 or G.shape[1] < 1 or G.shape[0] < G.shape[1]:
            raise ValueError(f"G must be an n x K matrix with n >= K >= 1, got shape {G.shape}")
        if not np.all(np.isfinite(G)):
            raise ValueError("G must be finite")
        kappa = np.asarray(kappa)
        if kappa.ndim != 1 or kappa.shape[0] < 1:
            raise ValueError(f"kappa must be a non-empty 1-D array of task counts, got shape {kappa.shape}")
        if not np.issubdtype(kappa.dtype, np.integer):
            if not np.all(np.isfinite(kappa)) or np.any(kappa != np.round(kappa)):
                raise ValueError(f"kappa must hold integers (use integerize), got {kappa}")
        kappa = kappa.astype(np.int64)
        if np.any(kappa < 0) or int(kappa.sum()) != G.shape[0]:
            raise ValueError(f"kappa must be >= 0 and sum to n = {G.shape[0]} (rows of G), "
                             f"got {kappa.tolist()} (sum {int(kappa.sum())})")
        G.flags.writeable = False
        kappa.flags.writeable = False
        self.G = G
        self.kappa = kappa
        self.offsets = np.concatenate([[0], np.cumsum(kappa)[:-1]]).astype(np.int64)
        self._owner = np.repeat(np.arange(kappa.shape[0]), kappa)
        self._decoders: "OrderedDict[Tuple[int, ...], np.ndarray]" = OrderedDict()
        self._q: Optional[int] = None

    @classmethod
    def with_load_split(cls, G: ArrayLike, rates: ArrayLike, C: float = 1.0,
                        c: Union[float, ArrayLike] = 0.0, gamma: float = 1.0,
                        split: str = "optimal",
                        rng: Optional[Union[int, np.random.Generator]] = None,
                        active_only: bool = True) -> "StreamCodedMatVec":
        """Build the scheme with the split of :ref:`stream-split` for workers of rates ``μ_p`` (ops/time unit).

        ``C``: operations per coded task (e.g. ``b · r`` multiply-adds), so task times have mean
        and standard deviation ``C/μ_p`` (exponential model); ``c``: latencies; ``gamma`` and
        ``split`` (``"optimal"`` or ``"uniform"``) as in ``StreamSimulator``.  The real split is
        rounded once with ``integerize`` (``active_only`` keeps deselected workers empty).

        Parameters
        ----------
        G : (n, K) array_like of float
            The generator (``Ω = n/K``).
        rates : (P,) array_like of float
            Compute rates ``μ_p`` (ops/time unit), all > 0.
        C : float, default 1.0
            Operations per coded task, > 0.
        c : float or (P,) array_like of float, default 0.0
            Communication latencies ``c_p >= 0``.
        gamma : float, default 1.0
            Second-moment weight of the optimal split, >= 0.
        split : {"optimal", "uniform"}, default "optimal"
            Which split.
        rng : int or numpy.random.Generator, optional
            Seed or generator of the rounding.
        active_only : bool, default True
            Passed to ``integerize``.

        Returns
        -------
        StreamCodedMatVec
            The scheme with the rounded split as ``kappa``.

        Raises
        ------
        ValueError
            ``G`` is not a valid 2-D generator, or ``split`` is unknown.
        InvalidArgumentError
            ``rates``, ``C``, ``c`` or ``gamma`` out of range.

        Examples
        --------
        ``Ω = 2``, ``γ = 1``: the real split is about ``(0.72, 1.67, 3.62)``; its rounding
        ``(1, 2, 4)`` is one task over ``n = 6``, taken back from a random worker:

        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> G = np.random.default_rng(0).standard_normal((6, 3))
        >>> StreamCodedMatVec.with_load_split(G, [1.0, 2.0, 4.0], rng=0).kappa.tolist()
        [0, 2, 4]
        >>> StreamCodedMatVec.with_load_split(G, [1.0, 2.0, 4.0], split="uniform").kappa.tolist()
        [2, 2, 2]
        """
        G = np.asarray(G, dtype=np.float64)
        if G.ndim != 2:
            raise ValueError(f"G must be 2-D, got shape {G.shape}")
        n, K = G.shape
        workers = StreamWorkers(rates, c)
        Omega = n / K
        if split == "optimal":
            m, sigma = workers.task_moments(positive_scalar(C, "C (ops per task)"))
            kappa, _ = optimal_load_split(gamma, workers.latency, m, sigma, K, Omega)
        elif split == "uniform":
            kappa = uniform_split(workers.n_workers, K, Omega)
        else:
            raise ValueError(f"split must be 'optimal' or 'uniform', got {split!r}")
        counts = integerize(kappa, n, as_generator(rng), active_only=active_only)
        return cls(G, counts)

    # -- protocol attributes -----------------------------------------------------------------------

    @property
    def n_workers(self) -> int:
        """``P``, the number of workers."""
        return self.kappa.shape[0]

    @property
    def n_tasks(self) -> int:
        """``n = KΩ`` coded tasks per round."""
        return self.G.shape[0]

    @property
    def recovery_threshold(self) -> int:
        """``K``: results needed to decode a round."""
        return self.G.shape[1]

    def worker_load(self, i: int) -> float:
        """Work of worker ``i`` per round, as a fraction of the uncoded product.

        Parameters
        ----------
        i : int
            Worker id in ``[0, P)``.

        Returns
        -------
        float
            ``κ_i / K``.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> scheme = StreamCodedMatVec(np.random.default_rng(0).standard_normal((6, 3)), [1, 2, 3])
        >>> scheme.worker_load(2), scheme.part_loads(2).round(4).tolist()
        (1.0, [0.3333, 0.6667, 1.0])
        """
        return float(self.kappa[i]) / self.recovery_threshold

    def tasks_of(self, i: int) -> np.ndarray:
        """Task ids of worker ``i`` in service order.

        Parameters
        ----------
        i : int
            Worker id in ``[0, P)``.

        Returns
        -------
        (κ_i,) int64 array
            ``offsets[i] .. offsets[i] + κ_i - 1``.
        """
        return np.arange(self.offsets[i], self.offsets[i] + self.kappa[i])

    def owner(self, task_id: int) -> int:
        """Worker that serves coded task ``task_id``.

        Parameters
        ----------
        task_id : int
            A task id in ``[0, n)``.

        Returns
        -------
        int
            The worker ``p``.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> scheme = StreamCodedMatVec(np.random.default_rng(0).standard_normal((6, 3)), [1, 2, 3])
        >>> [scheme.owner(t) for t in range(6)]
        [0, 1, 1, 2, 2, 2]
        """
        return int(self._owner[task_id])

    # -- encode --------------------------------------------------------------------------------------

    def encode(self, A: ArrayLike) -> np.ndarray:
        """Coded blocks ``Ã_i = Σ_k G[i, k] A_k`` of ``A``, zero-padded to ``K`` equal row blocks.

        Parameters
        ----------
        A : (q, r) array_like of float
            The matrix, non-empty.

        Returns
        -------
        (n, b, r) float64 array
            The coded blocks, ``b = ceil(q/K)``.

        Raises
        ------
        ShardSizeError
            ``A`` is not a non-empty 2-D matrix.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> scheme = StreamCodedMatVec(np.random.default_rng(0).standard_normal((6, 3)), [1, 2, 3])
        >>> scheme.encode(np.ones((5, 4))).shape          # 5 rows: 3 blocks of 2, one zero row
        (6, 2, 4)
        """
        A = np.asarray(A, dtype=np.float64)
        if A.ndim != 2 or A.shape[0] < 1 or A.shape[1] < 1:
            raise ShardSizeError(f"A must be a non-empty 2-D matrix, got shape {A.shape}")
        K = self.recovery_threshold
        q, r = A.shape
        b = -(-q // K)
        if b * K != q:
            # Zero rows pad A to K equal blocks; decode drops them again.
            A = np.concatenate([A, np.zeros((b * K - q, r))], axis=0)
        blocks = A.reshape(K, b, r)
        coded = np.tensordot(self.G, blocks, axes=1)
        return np.ascontiguousarray(coded)

    def setup_tasks(self, job: ArrayLike) -> List[List[Tuple[int, np.ndarray]]]:
        """Per-worker task queues for the matrix ``job``.

        Remembers ``q`` so that ``decode`` drops the padding rows.

        Parameters
        ----------
        job : (q, r) array_like of float
            The matrix ``A``.

        Returns
        -------
        list of P lists of (task_id, block)
            Each worker's queue in the order it serves it; ``block`` is ``Ã_i``, shape ``(b, r)``.

        Raises
        ------
        ShardSizeError
            ``job`` is not a non-empty 2-D matrix.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> scheme = StreamCodedMatVec(np.random.default_rng(0).standard_normal((6, 3)), [1, 2, 3])
        >>> queues = scheme.setup_tasks(np.ones((5, 4)))
        >>> [[task for task, block in q] for q in queues], queues[0][0][1].shape
        ([[0], [1, 2], [3, 4, 5]], (2, 4))
        """
        coded = self.encode(job)
        self._q = np.asarray(job).shape[0]
        self._block_shape = coded.shape[1:]
        return [[(int(i), coded[i]) for i in self.tasks_of(p)] for p in range(self.n_workers)]

    # -- decode --------------------------------------------------------------------------------------

    # -- partial results: one message per coded task (fastcode.runtime partial-results mode) --------

    partial_results = True
    worker_parts_fn = staticmethod(worker_parts_fn)
    # The protocol's whole-message function: never called in partial-results mode.
    worker_fn = staticmethod(_whole_queue_fn)

    def parts(self, i: int) -> Tuple[int, ...]:
        """Task ids worker ``i`` sends, in service order.

        Parameters
        ----------
        i : int
            Worker id in ``[0, P)``.

        Returns
        -------
        tuple of int
            ``tasks_of(i)`` as Python ints.
        """
        return tuple(int(t) for t in self.tasks_of(i))

    def part_loads(self, i: int) -> np.ndarray:
        """Cumulative load after each of worker ``i``'s tasks.

        Parameters
        ----------
        i : int
            Worker id in ``[0, P)``.

        Returns
        -------
        (κ_i,) float64 array
            ``1/K, 2/K, ..., κ_i/K`` (last == ``worker_load(i)``).
        """
        return np.arange(1, int(self.kappa[i]) + 1, dtype=np.float64) / self.recovery_threshold

    @staticmethod
    def _task_id(key: Any) -> Any:
        """A responder or result key: a task id, or a ``(worker, task_id)`` pair from the runtime."""
        return key[1] if isinstance(key, tuple) else key

    def _task_ids(self, responders: Iterable[Any]) -> List[int]:
        ids = []
        seen = set()
        for t in responders:
            t = int(self._task_id(t))
            if not 0 <= t < self.n_tasks:
                raise ValueError(f"task id {t} out of range 0..{self.n_tasks - 1}")
            if t not in seen:
                seen.add(t)
                ids.append(t)
        return ids

    def can_decode(self, responders: Iterable[Union[int, Tuple[int, int]]]) -> bool:
        """True once at least ``K`` distinct coded tasks have answered.

        Parameters
        ----------
        responders : iterable of int or (worker, task_id)
            Task ids, or the runtime's ``(worker, task_id)`` pairs.

        Returns
        -------
        bool
            Whether ``decode`` has enough results.

        Raises
        ------
        ValueError
            A task id out of range.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> scheme = StreamCodedMatVec(np.random.default_rng(0).standard_normal((6, 3)), [1, 2, 3])
        >>> scheme.can_decode([(2, 3), (1, 1), (2, 3)]), scheme.can_decode([(2, 3), (1, 1), (0, 0)])
        (False, True)
        """
        return len(self._task_ids(responders)) >= self.recovery_threshold

    def _decode_matrix(self, responders: Tuple[int, ...]) -> np.ndarray:
        """``D = G_S^{-1}`` (``K × K``) for the ``K`` task ids ``responders`` (a tuple, in order):
        the uncoded block results are ``D @ [results of S]``.  Cached per responder tuple.
        (Not an ``MDSCode`` decoder: ``G`` need not be systematic, see the module docstring.)
        """
        D = self._decoders.get(responders)
        if D is None:
            K = self.recovery_threshold
            try:
                D = np.linalg.solve(self.G[list(responders)], np.eye(K))
            except np.linalg.LinAlgError:
                raise SingularMatrixError(
                    f"the generator rows {list(responders)} are singular: G is not MDS") from None
            self._decoders[responders] = D
            if len(self._decoders) > self._CACHE_SIZE:
                self._decoders.popitem(last=False)
        else:
            self._decoders.move_to_end(responders)
        return D

    def decode(self, results_dict: Dict[Any, ArrayLike], round_input: Any = None) -> np.ndarray:
        """``A x`` from the first ``K`` results in ``results_dict``.

        One cached ``K × K`` solve per responder set (``G_S^{-1}``), then one product.

        Parameters
        ----------
        results_dict : dict
            Task id (or the runtime's ``(worker, task_id)`` pair) -> ``Ã_i x``, shape ``(b,)``
            or ``(b, s)``; its insertion order is taken as arrival order, and entries after the
            ``K``-th (late results) are ignored.
        round_input : object, optional
            Unused (the protocol passes it).

        Returns
        -------
        (q,) or (q, s) float64 array
            ``A x`` (``K b`` rows, padding included, if ``setup_tasks`` was not called).

        Raises
        ------
        NotEnoughShardsError
            Fewer than ``K`` distinct tasks.
        ShardSizeError
            Results of different shapes.
        SingularMatrixError
            The rows of ``G`` of the chosen tasks are singular (``G`` is not MDS).
        ValueError
            A task id out of range.

        Examples
        --------
        Results keyed by ``(worker, task_id)`` as a partial-results runtime delivers them; the
        late fourth one is ignored:

        >>> from fastcode.schemes.stream import StreamCodedMatVec
        >>> scheme = StreamCodedMatVec(np.random.default_rng(0).standard_normal((6, 3)), [1, 2, 3])
        >>> A, x = np.arange(20.0).reshape(5, 4), np.array([1.0, 0.0, -1.0, 2.0])
        >>> queues = scheme.setup_tasks(A)
        >>> parts = {p: dict(scheme.worker_parts_fn(queues[p], x)) for p in range(3)}
        >>> results = {(2, 3): parts[2][3], (0, 0): parts[0][0], (1, 1): parts[1][1],
        ...            (2, 4): parts[2][4]}
        >>> np.allclose(scheme.decode(results, x), A @ x)
        True
        >>> scheme.decode({(2, 3): parts[2][3]})
        Traceback (most recent call last):
            ...
        fastcode.errors.NotEnoughShardsError: need results of K = 3 coded tasks, got 1
        """
        K = self.recovery_threshold
        if any(isinstance(key, tuple) for key in results_dict):
            results_dict = {int(self._task_id(key)): v for key, v in results_dict.items()}
        arrived = self._task_ids(results_dict.keys())
        if len(arrived) < K:
            raise NotEnoughShardsError(f"need results of K = {K} coded tasks, got {len(arrived)}")
        ids = tuple(arrived[:K])
        first = np.asarray(results_dict[ids[0]])
        R = np.empty((K,) + first.shape, dtype=np.result_type(first.dtype, np.float64))
        for row, t in enumerate(ids):
            res = np.asarray(results_dict[t])
            if res.shape != first.shape:
                raise ShardSizeError(f"result of task {t} has shape {res.shape}, "
                                     f"task {ids[0]} had {first.shape}")
            R[row] = res
        D = self._decode_matrix(ids)
        blocks = np.tensordot(D, R, axes=1)               # (K, b[, s]): A_k x for every block k
        y = blocks.reshape((K * first.shape[0],) + first.shape[1:])
        return y if self._q is None else y[:self._q]


# A second name for the same scheme, the one that says which family it belongs to.
StreamScheme = StreamCodedMatVec
