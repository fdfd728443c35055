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
from collections import OrderedDict

import numpy as np

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


def worker_fn(task_payload, round_input):
    """Compute one coded task: ``task_payload = (task_id, block)`` with ``block`` of shape ``(b, r)``;
    ``round_input`` is ``x`` of shape ``(r,)`` or ``(r, s)``.  Returns ``block @ x``."""
    _, block = task_payload
    return block @ round_input


def worker_parts_fn(payload, round_input):
    """A worker's whole queue for the runtime's partial-results mode: yields
    ``(task_id, block @ x)`` task after task, in service order."""
    for task_id, block in payload:
        yield task_id, block @ round_input


def _whole_queue_fn(payload, round_input):
    raise RuntimeError("StreamCodedMatVec sends one message per coded task: run it on a runtime "
                       "with partial results (fastcode.runtime.LocalCluster)")


class StreamCodedMatVec:
    """Coded ``A x`` over heterogeneous workers with per-worker task counts ``kappa``.

    ``G``: generator, float64 ``(n, K)`` with ``n >= K`` and every ``K × K`` row subset invertible
    (MDS); ``kappa``: ints of shape ``(P,)``, ``>= 0``, summing to ``n``.  Worker ``p`` gets the
    consecutive task ids ``offsets[p] .. offsets[p] + kappa[p] - 1``.
    """

    _CACHE_SIZE = 256

    def __init__(self, G, kappa):
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
        self._decoders = OrderedDict()
        self._q = None

    @classmethod
    def with_load_split(cls, G, rates, C=1.0, c=0.0, gamma=1.0, split="optimal", rng=None,
                        active_only=True):
        """Build the scheme with the split of :ref:`stream-split` for workers of rates ``μ_p`` (ops/time unit).

        ``C``: operations per coded task (e.g. ``b · r`` multiply-adds), so task times have mean
        and standard deviation ``C/μ_p`` (exponential model); ``c``: latencies; ``gamma`` and
        ``split`` (``"optimal"`` or ``"uniform"``) as in ``StreamSimulator``.  The real split is
        rounded once with ``integerize`` (``active_only`` keeps deselected workers empty).
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
    def n_workers(self):
        return self.kappa.shape[0]

    @property
    def n_tasks(self):
        """``n = KΩ`` coded tasks per round."""
        return self.G.shape[0]

    @property
    def recovery_threshold(self):
        """``K``: results needed to decode a round."""
        return self.G.shape[1]

    def worker_load(self, i):
        """Work of worker ``i`` per round, as a fraction of the uncoded product: ``κ_i / K``."""
        return float(self.kappa[i]) / self.recovery_threshold

    def tasks_of(self, i):
        """Task ids of worker ``i`` in service order (int64, shape ``(κ_i,)``)."""
        return np.arange(self.offsets[i], self.offsets[i] + self.kappa[i])

    def owner(self, task_id):
        """Worker that serves coded task ``task_id``."""
        return int(self._owner[task_id])

    # -- encode --------------------------------------------------------------------------------------

    def encode(self, A):
        """Coded blocks of ``A`` (``q × r``): float64 of shape ``(n, b, r)``, ``b = ceil(q/K)``."""
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

    def setup_tasks(self, job):
        """Per-worker task queues for the matrix ``job`` (``q × r``): a list of ``P`` lists of
        ``(task_id, block)`` pairs, ``block`` of shape ``(b, r)``, in the order the worker serves them."""
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

    def parts(self, i):
        """Task ids worker ``i`` sends, in service order."""
        return tuple(int(t) for t in self.tasks_of(i))

    def part_loads(self, i):
        """Cumulative load after each of worker ``i``'s tasks (last == ``worker_load(i)``)."""
        return np.arange(1, int(self.kappa[i]) + 1, dtype=np.float64) / self.recovery_threshold

    @staticmethod
    def _task_id(key):
        """A responder or result key: a task id, or a ``(worker, task_id)`` pair from the runtime."""
        return key[1] if isinstance(key, tuple) else key

    def _task_ids(self, responders):
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

    def can_decode(self, responders):
        """True once at least ``K`` distinct coded tasks (ids in ``responders``) have answered."""
        return len(self._task_ids(responders)) >= self.recovery_threshold

    def _decode_matrix(self, responders):
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

    def decode(self, results_dict, round_input=None):
        """``A x`` (shape ``(q,)`` or ``(q, s)``) from the first ``K`` results in ``results_dict``.

        ``results_dict`` maps task id -> ``Ã_i x`` (shape ``(b,)`` or ``(b, s)``); its insertion order
        is taken as arrival order, and entries after the ``K``-th (late results) are ignored.
        ``round_input`` is unused (the protocol passes it).
        """
        K = self.recovery_threshold
        if any(isinstance(key, tuple) for key in results_dict):
            results_dict = {int(self._task_id(key)): v for key, v in results_dict.items()}
        ids = self._task_ids(results_dict.keys())
        if len(ids) < K:
            raise NotEnoughShardsError(f"need results of K = {K} coded tasks, got {len(ids)}")
        ids = tuple(ids[:K])
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
