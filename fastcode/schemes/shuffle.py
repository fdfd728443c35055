"""Coded data shuffling (:ref:`lee-shuffle`): the decentralised coded-caching delivery.

A master holds the data, N rows of equal length (a 2-D array of the field's
dtype: uint8 for GF256, where addition is XOR; float64 for Reals; uint32 for
a PrimeField).  Worker i needs the rows ``demands[i]`` (its new block) and
already stores the rows with ``caches[i, row]`` True.  The delivery
(:ref:`coded delivery <lee-shuffle-delivery>`):

1. each missing row of worker i is filed under S = {i} ∪ {the workers holding
   it}; X_{i, S} = worker i's rows filed under S;
2. for every S that occurs, one multicast to S carrying the sum of the
   X_{i, S} (i in S), each zero-padded to the longest: ``length`` rows;
3. worker i in S holds every other piece of the sum (its rows are held by all
   of S except their owner) and subtracts them.

``plan`` counts what is actually sent: ``rows_sent`` = the sum of the
multicast lengths, ``load`` = rows_sent / N (data units).  ``coded_load``,
``uncoded_load`` and ``shuffle_gain`` are the formulas of :ref:`load and gain <lee-shuffle-load>` under independent
caching (``coded_load`` counts each multicast at its mean piece length, a lower
bound on what ``plan`` sends; see its docstring).  ``UncodedShuffle`` is the baseline with the same
API: one unicast per worker with all its missing rows.
"""
from dataclasses import dataclass

import numpy as np

from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.fields import GF256

__all__ = [
    "Multicast", "ShufflePlan", "CodedShuffle", "UncodedShuffle",
    "uncoded_load", "coded_load", "shuffle_gain",
    "independent_caches", "realistic_caches", "random_blocks",
]


# ---- formulas (docs: schemes/lee, 'Coded shuffling') -------------------------------------

def _check_s(s):
    s = float(s)
    if not 0 < s <= 1:
        raise InvalidArgumentError(f"storage fraction s must be in (0, 1], got {s}")
    return s


def uncoded_load(s):
    """1 - s (data units): the expected ``UncodedShuffle.plan(...).load`` when each worker
    demands N/n rows and caches each row independently with probability s."""
    return 1.0 - _check_s(s)


def coded_load(n, s):
    """(1 - s)(1 - (1 - s)^n) / (n s): the coded load if every multicast cost the *mean*
    of its pieces (the large-block limit of :ref:`the load formula <lee-shuffle-load>`).

    Exactly: E[sum_S (1/|S|) sum_{i in S} |X_{i,S}|] / N when each of the n workers demands
    N/n rows and caches each row independently with probability s (a missing row of worker i
    is filed under S = {i} + its H ~ Bin(n - 1, s) other holders, and E[1/(1 + H)] =
    (1 - (1 - s)^n) / (n s)).  A plan pays the *longest* piece of each multicast, so
    ``CodedShuffle.plan(...).load`` is at least this on every draw; the gap closes as the
    rows per block grow."""
    s = _check_s(s)
    return (1.0 - s) * (1.0 - (1.0 - s) ** n) / (n * s)


def shuffle_gain(n, s, gamma=None):
    """C_unc / C_cod = s gamma / (1 - (1 - s)^n); gamma defaults to n (multicast = one unicast),
    which makes it ``uncoded_load(s) / coded_load(n, s)`` (the mean-piece coded load, see there)."""
    s = _check_s(s)
    gamma = n if gamma is None else gamma
    return s * gamma / (1.0 - (1.0 - s) ** n)


# ---- plans ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Multicast:
    """One transmission: sent to ``recipients`` (sorted worker ids); worker i in
    ``pieces`` decodes the rows ``pieces[i]`` (int array) from it; the message
    has ``length`` rows (the longest piece; shorter ones are zero-padded)."""

    recipients: tuple
    pieces: dict
    length: int


@dataclass(frozen=True)
class ShufflePlan:
    """The transmissions of one shuffle of ``n_rows`` rows among ``n`` workers."""

    n: int
    n_rows: int
    demands: tuple
    multicasts: tuple

    @property
    def rows_sent(self):
        """Rows actually transmitted: the sum of the multicast lengths."""
        return sum(m.length for m in self.multicasts)

    @property
    def load(self):
        """rows_sent / n_rows (data units)."""
        return self.rows_sent / self.n_rows if self.n_rows else 0.0


# ---- validation ------------------------------------------------------------------------------

def _check_setting(n, caches, demands):
    caches = np.asarray(caches)
    if caches.dtype != np.bool_ or caches.ndim != 2 or caches.shape[0] != n:
        raise ShardSizeError(f"caches must be a bool array of shape ({n}, n_rows), "
                             f"got {caches.dtype} {caches.shape}")
    n_rows = caches.shape[1]
    if len(demands) != n:
        raise ShardSizeError(f"demands must have one row list per worker ({n}), got {len(demands)}")
    out = []
    for i, d in enumerate(demands):
        d = np.asarray(d)
        if d.ndim != 1 or (d.size and d.dtype.kind not in "iu"):
            raise InvalidArgumentError(f"demands[{i}] must be a 1-D array of row indices")
        d = d.astype(np.intp)
        if d.size and (d.min() < 0 or d.max() >= n_rows):
            raise InvalidArgumentError(f"demands[{i}] has rows outside [0, {n_rows})")
        if len(np.unique(d)) != len(d):
            raise InvalidArgumentError(f"demands[{i}] has duplicate rows")
        out.append(d)
    return caches, tuple(out)


class _Delivery:
    """encode / decode_at shared by the coded and uncoded plans."""

    def __init__(self, n, field=GF256):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidArgumentError(f"n must be a positive int, got {n!r}")
        self.n, self.field = int(n), field

    def encode(self, data, plan):
        """The messages, one (length, row_len) array per multicast of ``plan``:
        the field sum of its pieces' rows of ``data`` (N, row_len), zero-padded."""
        f = self.field
        data = f.asarray(data, "data")
        if data.ndim != 2 or data.shape[0] != plan.n_rows:
            raise ShardSizeError(f"data must have shape ({plan.n_rows}, row_len), got {data.shape}")
        out = []
        for m in plan.multicasts:
            msg = f.zeros((m.length, data.shape[1]))
            for rows in m.pieces.values():
                msg[:len(rows)] = f.add(msg[:len(rows)], data[rows])
            out.append(msg)
        return out

    def decode_at(self, worker, plan, messages, cache_rows, cache_values):
        """Worker ``worker``'s demanded rows (len(demand), row_len), in demand order.

        It reads only the messages it receives and its own store: ``cache_rows``
        (row indices it holds) with ``cache_values`` (their data, same order).
        NotEnoughShardsError if a demanded row is neither cached nor delivered."""
        f = self.field
        if len(messages) != len(plan.multicasts):
            raise ShardSizeError(f"{len(messages)} messages for {len(plan.multicasts)} multicasts")
        cache_rows = np.asarray(cache_rows, dtype=np.intp)
        cache_values = f.asarray(cache_values, "cache_values")
        if cache_values.shape[:1] != cache_rows.shape:
            raise ShardSizeError("cache_values must have one row per cache row")
        have = {int(r): cache_values[t] for t, r in enumerate(cache_rows.tolist())}
        store = {}
        for m, msg in zip(plan.multicasts, messages):
            mine = m.pieces.get(worker)
            if mine is None:
                continue
            acc = msg.copy()
            for other, rows in m.pieces.items():
                if other != worker:
                    # the other pieces are in this worker's cache by construction
                    acc[:len(rows)] = f.sub(acc[:len(rows)], np.stack([have[int(r)] for r in rows]))
            for t, r in enumerate(mine.tolist()):
                store[r] = acc[t]
        demand = plan.demands[worker]
        out = f.zeros((len(demand), cache_values.shape[1] if cache_values.ndim == 2 else 0))
        for t, r in enumerate(demand.tolist()):
            v = have.get(r)
            if v is None:
                v = store.get(r)
            if v is None:
                raise NotEnoughShardsError(f"worker {worker}: row {r} neither cached nor delivered")
            out[t] = v
        return out


class CodedShuffle(_Delivery):
    """Coded shuffling among ``n`` workers over ``field`` (GF256: XOR; Reals: sums)."""

    def plan(self, caches, demands):
        """The delivery (:ref:`coded delivery <lee-shuffle-delivery>`) for ``caches`` (n, N) bool and ``demands``
        (n row-index arrays).  Returns a ShufflePlan."""
        n = self.n
        caches, demands = _check_setting(n, caches, demands)
        keys, owners, rows = [], [], []
        for i, d in enumerate(demands):
            miss = d[~caches[i, d]]
            if not miss.size:
                continue
            held = caches[:, miss].copy()            # (n, m): who holds each missing row
            held[i] = True                           # S = holders + the demander
            keys.append(np.packbits(held, axis=0).T)  # one byte string per row
            owners.append(np.full(miss.size, i, dtype=np.intp))
            rows.append(miss)
        if not keys:
            return ShufflePlan(n, caches.shape[1], demands, ())
        keys = np.ascontiguousarray(np.concatenate(keys))
        owners, rows = np.concatenate(owners), np.concatenate(rows)
        # group the (worker, row) pairs by their set S
        void = keys.view(np.dtype((np.void, keys.shape[1]))).reshape(-1)
        uniq, inverse = np.unique(void, return_inverse=True)
        order = np.lexsort((rows, owners, inverse))
        inverse, owners, rows = inverse[order], owners[order], rows[order]
        cuts = np.flatnonzero(np.diff(inverse)) + 1
        multicasts = []
        for grp_owner, grp_rows, g in zip(np.split(owners, cuts), np.split(rows, cuts),
                                          inverse[np.concatenate([[0], cuts])]):
            S = np.flatnonzero(np.unpackbits(np.frombuffer(uniq[g].tobytes(), dtype=np.uint8))[:n])
            wcuts = np.flatnonzero(np.diff(grp_owner)) + 1
            pieces = {int(o[0]): r for o, r in zip(np.split(grp_owner, wcuts), np.split(grp_rows, wcuts))}
            multicasts.append(Multicast(tuple(S.tolist()), pieces, max(len(r) for r in pieces.values())))
        return ShufflePlan(n, caches.shape[1], demands, tuple(multicasts))


class UncodedShuffle(_Delivery):
    """Baseline: each worker gets its missing rows by one unicast."""

    def plan(self, caches, demands):
        """One Multicast per worker with missing rows (recipients = (i,))."""
        caches, demands = _check_setting(self.n, caches, demands)
        out = []
        for i, d in enumerate(demands):
            miss = np.sort(d[~caches[i, d]])
            if miss.size:
                out.append(Multicast((i,), {i: miss}, int(miss.size)))
        return ShufflePlan(self.n, caches.shape[1], demands, tuple(out))


# ---- cache and demand models (docs: schemes/lee, 'Coded shuffling') -----------------------

def random_blocks(n, rows_per_block, rng):
    """A fresh assignment: row indices of the block of each worker, (n, rows_per_block),
    from a uniformly random permutation of the n blocks of consecutive rows."""
    perm = rng.permutation(n)
    base = np.arange(rows_per_block)
    return perm[:, None] * rows_per_block + base[None, :]


def independent_caches(n, n_rows, s, rng):
    """Each worker holds each row with probability s, independently: (n, n_rows) bool."""
    return rng.random((n, n_rows)) < _check_s(s)


def realistic_caches(current, n_rows, s, rng):
    """Each worker holds its current block (``current[i]``) plus a uniformly random
    set of alpha N other rows, alpha = s - 1/n: (n, n_rows) bool."""
    n = len(current)
    s = _check_s(s)
    extra = int(round(max(s - 1.0 / n, 0.0) * n_rows))
    caches = np.zeros((n, n_rows), dtype=bool)
    for i, blk in enumerate(current):
        caches[i, blk] = True
        others = np.flatnonzero(~caches[i])
        caches[i, rng.choice(others, size=min(extra, others.size), replace=False)] = True
    return caches
