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
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np

from fastcode._util.validate import integer
from fastcode.codes.gradient import CyclicMDS, CyclicRepetition, FractionalRepetition
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode._util.rng import as_generator
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

    ``subsets``: N payloads (arrays or tuples of arrays).  ``partial_fn(payload, state, coords)``:
    module-level, returns ``[g_d]_coords`` (shape (len(coords),), the field's dtype);
    ``prepare_fn(payload, theta)``: module-level, per-round state of one subset (e.g. a residual),
    computed at most once per round and subset; None passes ``theta`` itself."""
    subsets: Sequence[Any]
    partial_fn: Callable
    prepare_fn: Optional[Callable] = None


def least_squares_residual(payload, theta):
    """``X_d θ - y_d`` for ``payload = (X_d, y_d)``: X_d (rows, L), y_d (rows,), θ (L,)."""
    X, y = payload
    return X @ theta - y


def least_squares_partial(payload, residual, coords):
    """Coordinates ``coords`` of ``∇ ½||X_d θ - y_d||² = X_d^T (X_d θ - y_d)``: (len(coords),)."""
    X, _ = payload
    return X[:, coords].T @ residual


def fixed_partial(payload, theta, coords):
    """A fixed partial gradient (payload = g_d, shape (L,)); ``theta`` is ignored."""
    return payload[coords]


def least_squares_job(X, y, N):
    """Least squares ``½||X θ - y||²`` with the rows of ``X`` (rows, L) / ``y`` (rows,) cut into ``N``
    nearly equal consecutive subsets."""
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

def levels_to_blocks(levels, N):
    """The L -> N reduction: per-coordinate levels ``s_l`` (L,) in [0, N) -> block sizes ``x`` (N,)
    int64 and the coordinates of each block (list of N int64 arrays, increasing)."""
    N = integer(N, "N", 1)
    lv = np.asarray(levels)
    if lv.ndim != 1 or lv.size == 0 or lv.dtype.kind not in "iu" \
            or lv.min() < 0 or lv.max() >= N:
        raise InvalidArgumentError(f"levels must be a non-empty 1-D integer array with entries in "
                                   f"[0, N={N}), got {levels!r}")
    x = np.bincount(lv, minlength=N).astype(np.int64)
    return x, [np.flatnonzero(lv == s) for s in range(N)]


# ---- worker side -------------------------------------------------------------------------------

def worker_parts_fn(payload, round_input):
    """Worker side, block by block: yields ``(s, message)`` for the worker's blocks in processing
    order (increasing ``s``); ``message`` (x_s,) = Σ_j coef_j [g_{parts_j}]_{coords_s}.  Each
    subset's per-round state is prepared when first needed."""
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


def worker_fn(payload, round_input):
    """Whole-message worker function of the plain runtime protocol: every block message of this
    worker concatenated in processing order, shape (Σ_s x_s,) = (L,)."""
    parts = [m for _, m in worker_parts_fn(payload, round_input)]
    return np.concatenate(parts) if parts else payload["field"].zeros(0)


# ---- the scheme ---------------------------------------------------------------------------------

class BlockCoordinateGC:
    """Block-coordinate gradient coding with ``N`` workers and block sizes ``x``.

    ``x``: (N,) non-negative integers, ``x_s`` = coordinates with redundancy level ``s`` (sum L);
    ``coords``: optional list of N int arrays, the coordinates of each block (default: consecutive,
    block 0 first); ``field``: Reals or a PrimeField; ``code``: one of ``CODES`` (``"frc"`` needs
    ``(s+1) | N`` for every used level, ``"cyclic_mds"`` over Reals needs ``N - s`` odd);
    ``rng``: seeds the random cyclic-repetition matrices.

    Attributes: ``n_workers`` (= N), ``L``, ``x`` (int64 (N,)), ``levels`` (used levels in processing
    order), ``codes`` ({s: GradientCode}), ``coords`` (list of N arrays), ``stored[i]`` (subsets
    worker i holds), ``partial_results = True``."""

    partial_results = True
    worker_fn = staticmethod(worker_fn)
    worker_parts_fn = staticmethod(worker_parts_fn)

    def __init__(self, N, x, field=Reals, code="cyclic", coords=None, rng=None):
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
        held = [set() for _ in range(N)]
        for c in self.codes.values():
            for i in range(N):
                held[i].update(c.parts(i).tolist())
        self.stored = [np.array(sorted(h), dtype=np.int64) for h in held]
        C = cumulative_load(self.x)
        self._cum = np.array([C[s] for s in self.levels])          # work units after each part
        self._offsets = np.concatenate(([0], np.cumsum([self.x[s] for s in self.levels])))

    @classmethod
    def from_levels(cls, levels, N, **kwargs):
        """The scheme for per-coordinate levels ``s_l`` (L coding parameters; :ref:`bcgc-encoding`): coordinates
        with the same level form one block."""
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

    def cumulative_load(self):
        """Work units ``C_s`` after each used block (float (len(levels),)); same for every worker."""
        return self._cum.copy()

    def worker_load(self, i):
        """Worker ``i``'s work per round as a fraction of the uncoded whole job (N L units):
        ``C_{N-1} / (N L)``."""
        self._worker(i)
        return float(self._cum[-1]) / (self.n_workers * self.L)

    def parts(self, i):
        """Part keys of worker ``i`` in send order: the used levels."""
        self._worker(i)
        return self.levels

    def part_loads(self, i):
        """Cumulative load after each part of worker ``i`` (units of ``worker_load``)."""
        self._worker(i)
        return self._cum / (self.n_workers * self.L)

    def part_times(self, tau):
        """Ready time of every part for per-unit worker times ``tau`` (N,), ``inf`` = a worker
        that never finishes anything: worker i's block-s message is ready at ``tau_i C_s``.
        A list of N float64 arrays, the ``times`` of a ``fastcode.runtime.VirtualCluster`` round."""
        N = self.n_workers
        tau = np.asarray(tau, dtype=np.float64)
        if tau.shape != (N,) or np.any(np.isnan(tau)) or np.any(tau < 0):
            raise InvalidArgumentError(f"tau must be {N} per-unit times >= 0 (inf allowed), "
                                       f"got {tau!r}")
        return [t * self._cum if np.isfinite(t) else np.full(len(self._cum), np.inf) for t in tau]

    def block_times(self, virtual_round):
        """{s: time block s became decodable} of a ``VirtualCluster`` round of this scheme
        (its arrivals replayed through a ``BlockDecoder``)."""
        dec = BlockDecoder(self)
        out = {}
        for t, w, s in virtual_round.arrivals:
            if dec.add(w, s, virtual_round.results[(w, s)]):
                out[s] = t
        return out

    def _worker(self, i):
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) \
                or not 0 <= i < self.n_workers:
            raise InvalidArgumentError(f"worker must be an integer in [0, {self.n_workers}), "
                                       f"got {i!r}")
        return int(i)

    # ---- setup ----------------------------------------------------------------------------------

    def _as_job(self, job):
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

    def setup_tasks(self, job):
        """Per-worker payloads (list of N dicts): the stored subsets, and per used level (in
        processing order) ``(s, coords, local subset indices, coefficients B^(s)[i, parts])``."""
        job = self._as_job(job)
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
            payloads.append({"field": self.field, "partial_fn": job.partial_fn,
                             "prepare_fn": job.prepare_fn,
                             "data": [job.subsets[d] for d in self.stored[i]],
                             "blocks": blocks})
        return payloads

    # ---- master side ------------------------------------------------------------------------------

    def decoder(self):
        """A fresh ``BlockDecoder`` for one round."""
        return BlockDecoder(self)

    def _parts_in_order(self, responders):
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

    def can_decode(self, responders):
        """True once every used block is decodable from the arrived parts.  ``responders``: worker
        ids (whole messages) and/or ``(worker, s)`` pairs, in arrival order.  Monotone."""
        arrived = {s: [] for s in self.levels}
        for w, s in self._parts_in_order(responders):
            if s in arrived and w not in arrived[s]:
                arrived[s].append(w)
        return all(self.codes[s].can_decode(arrived[s]) for s in self.levels)

    def decode(self, results, round_input=None):
        """The gradient (L,) from ``results``: {worker id: whole message (L,)} or
        {(worker, s): block message (x_s,)}; insertion order = arrival order.  Raises
        NotEnoughShardsError naming the first block that cannot be decoded."""
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
    fractional repetition).  Later messages of a decoded block are ignored."""

    def __init__(self, scheme):
        self.scheme = scheme
        self._arrived = {s: [] for s in scheme.levels}
        self._msgs = {s: [] for s in scheme.levels}
        self.decoded = {}                               # s -> decoded block sum (x_s,)
        self.out = scheme.field.zeros(scheme.L)

    @property
    def done(self):
        """True once every used block is decoded."""
        return len(self.decoded) == len(self.scheme.levels)

    def add(self, worker, s, message):
        """Record worker ``worker``'s block-``s`` message (x_s,); returns True if this decoded block
        ``s``."""
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
        self._msgs[s].append(msg)
        code = sc.codes[s]
        if not code.can_decode(self._arrived[s]):
            return False
        block = code.decode(np.stack(self._msgs[s]), self._arrived[s])
        self.decoded[s] = block
        self.out[sc.coords[s]] = block
        self._msgs[s] = None                            # free the messages
        return True

    def result(self):
        """The decoded gradient (L,); NotEnoughShardsError if a block is still missing."""
        if not self.done:
            missing = [s for s in self.scheme.levels if s not in self.decoded]
            s = missing[0]
            raise NotEnoughShardsError(
                f"block s={s} ({self.scheme.x[s]} coordinates) cannot be decoded from workers "
                f"{self._arrived[s]} (needs {self.scheme.codes[s].recovery_threshold}); "
                f"{len(missing)} block(s) missing")
        return self.out
