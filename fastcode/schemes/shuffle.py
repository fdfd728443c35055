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
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.fields import GF256
from fastcode.fields.base import Field

__all__ = [
    "Multicast", "ShufflePlan", "CodedShuffle", "UncodedShuffle",
    "uncoded_load", "coded_load", "shuffle_gain",
    "independent_caches", "realistic_caches", "random_blocks",
]


# ---- formulas (docs: schemes/lee, 'Coded shuffling') -------------------------------------

def _check_s(s: float) -> float:
    s = float(s)
    if not 0 < s <= 1:
        raise InvalidArgumentError(f"storage fraction s must be in (0, 1], got {s}")
    return s


def uncoded_load(s: float) -> float:
    """1 - s (data units): the expected ``UncodedShuffle.plan(...).load`` when each worker
    demands N/n rows and caches each row independently with probability s.

    Parameters
    ----------
    s : float
        Storage fraction in (0, 1]: the probability that a worker caches a row.

    Returns
    -------
    float
        The expected uncoded load, in units of the whole data (N rows).

    Raises
    ------
    InvalidArgumentError
        ``s`` is not in (0, 1].

    Examples
    --------
    >>> from fastcode.schemes.shuffle import uncoded_load
    >>> uncoded_load(0.25)
    0.75
    """
    return 1.0 - _check_s(s)


def coded_load(n: int, s: float) -> float:
    """(1 - s)(1 - (1 - s)^n) / (n s): the coded load if every multicast cost the *mean*
    of its pieces (the large-block limit of :ref:`the load formula <lee-shuffle-load>`).

    Exactly: E[sum_S (1/|S|) sum_{i in S} |X_{i,S}|] / N when each of the n workers demands
    N/n rows and caches each row independently with probability s (a missing row of worker i
    is filed under S = {i} + its H ~ Bin(n - 1, s) other holders, and E[1/(1 + H)] =
    (1 - (1 - s)^n) / (n s)).  A plan pays the *longest* piece of each multicast, so
    ``CodedShuffle.plan(...).load`` is at least this on every draw; the gap closes as the
    rows per block grow.

    Parameters
    ----------
    n : int
        Workers.
    s : float
        Storage fraction in (0, 1].

    Returns
    -------
    float
        The mean-piece coded load, in units of the whole data (N rows).

    Raises
    ------
    InvalidArgumentError
        ``s`` is not in (0, 1].

    Examples
    --------
    >>> from fastcode.schemes.shuffle import (CodedShuffle, coded_load, independent_caches,
    ...                                       random_blocks)
    >>> round(coded_load(4, 0.5), 4)
    0.2344

    A plan sends at least that much:

    >>> rng = np.random.default_rng(0)
    >>> demands = random_blocks(4, 50, rng)
    >>> caches = independent_caches(4, 200, 0.5, rng)
    >>> load = CodedShuffle(4).plan(caches, demands).load
    >>> round(load, 3), load >= coded_load(4, 0.5)
    (0.3, True)
    """
    s = _check_s(s)
    return (1.0 - s) * (1.0 - (1.0 - s) ** n) / (n * s)


def shuffle_gain(n: int, s: float, gamma: Optional[float] = None) -> float:
    """C_unc / C_cod = s gamma / (1 - (1 - s)^n); gamma defaults to n (multicast = one unicast),
    which makes it ``uncoded_load(s) / coded_load(n, s)`` (the mean-piece coded load, see there).

    Parameters
    ----------
    n : int
        Workers.
    s : float
        Storage fraction in (0, 1].
    gamma : float, optional
        The cost ratio of a multicast to a unicast of the same size
        (default n: a multicast costs what one unicast does).

    Returns
    -------
    float
        The gain of coded over uncoded shuffling in communication cost.

    Raises
    ------
    InvalidArgumentError
        ``s`` is not in (0, 1].

    Examples
    --------
    >>> from fastcode.schemes.shuffle import coded_load, shuffle_gain, uncoded_load
    >>> round(shuffle_gain(4, 0.5), 4)
    2.1333
    >>> round(uncoded_load(0.5) / coded_load(4, 0.5), 4)
    2.1333
    """
    s = _check_s(s)
    gamma = n if gamma is None else gamma
    return s * gamma / (1.0 - (1.0 - s) ** n)


# ---- plans ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Multicast:
    """One transmission: sent to ``recipients`` (sorted worker ids); worker i in
    ``pieces`` decodes the rows ``pieces[i]`` (int array) from it; the message
    has ``length`` rows (the longest piece; shorter ones are zero-padded).

    Attributes
    ----------
    recipients : tuple of int
        The set S, sorted worker ids.
    pieces : dict {worker: intp array}
        The rows each worker of S decodes from the message.
    length : int
        Rows of the message (the longest piece).

    Examples
    --------
    >>> from fastcode.schemes.shuffle import Multicast
    >>> m = Multicast((0, 2), {0: np.array([5]), 2: np.array([1, 3])}, 2)
    >>> m.recipients, m.length, m.pieces[2].tolist()
    ((0, 2), 2, [1, 3])
    """

    recipients: Tuple[int, ...]
    pieces: Dict[int, np.ndarray]
    length: int


@dataclass(frozen=True)
class ShufflePlan:
    """The transmissions of one shuffle of ``n_rows`` rows among ``n`` workers.

    Made by ``CodedShuffle.plan`` or ``UncodedShuffle.plan``.

    Attributes
    ----------
    n : int
        Workers.
    n_rows : int
        Rows of the data (N).
    demands : tuple of n intp arrays
        The rows each worker needs, validated.
    multicasts : tuple of Multicast
        The transmissions.

    Examples
    --------
    >>> from fastcode.schemes.shuffle import CodedShuffle
    >>> caches = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool)
    >>> plan = CodedShuffle(2).plan(caches, [[2], [0]])     # each wants a row the other holds
    >>> [(m.recipients, m.length) for m in plan.multicasts]
    [((0, 1), 1)]
    >>> plan.rows_sent, plan.load                            # one XOR serves both
    (1, 0.25)
    """

    n: int
    n_rows: int
    demands: Tuple[np.ndarray, ...]
    multicasts: Tuple[Multicast, ...]

    @property
    def rows_sent(self) -> int:
        """Rows actually transmitted: the sum of the multicast lengths."""
        return sum(m.length for m in self.multicasts)

    @property
    def load(self) -> float:
        """rows_sent / n_rows (data units)."""
        return self.rows_sent / self.n_rows if self.n_rows else 0.0


# ---- validation ------------------------------------------------------------------------------

def _check_setting(n: int, caches: ArrayLike, demands: Union[np.ndarray, Sequence[ArrayLike]]
                   ) -> Tuple[np.ndarray, Tuple[np.ndarray, ...]]:
    held = np.asarray(caches)
    if held.dtype != np.bool_ or held.ndim != 2 or held.shape[0] != n:
        raise ShardSizeError(f"caches must be a bool array of shape ({n}, n_rows), "
                             f"got {held.dtype} {held.shape}")
    n_rows = held.shape[1]
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
    return held, tuple(out)


class _Delivery:
    """encode / decode_at shared by the coded and uncoded plans."""

    def __init__(self, n: int, field: Field = GF256) -> None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidArgumentError(f"n must be a positive int, got {n!r}")
        self.n, self.field = int(n), field

    def encode(self, data: ArrayLike, plan: "ShufflePlan") -> List[np.ndarray]:
        """The messages, one (length, row_len) array per multicast of ``plan``:
        the field sum of its pieces' rows of ``data`` (N, row_len), zero-padded.

        Parameters
        ----------
        data : (N, row_len) array_like
            The master's data, elements of the field.
        plan : ShufflePlan
            From ``plan(caches, demands)``.

        Returns
        -------
        list of (length, row_len) arrays of the field's dtype
            One message per multicast, in the plan's order.

        Raises
        ------
        ShardSizeError
            ``data`` is not 2-D with ``plan.n_rows`` rows.
        FieldTypeError, FieldValueError
            ``data`` does not hold elements of the field.
        """
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

    def decode_at(self, worker: int, plan: "ShufflePlan", messages: Sequence[np.ndarray],
                  cache_rows: ArrayLike, cache_values: ArrayLike) -> np.ndarray:
        """Worker ``worker``'s demanded rows (len(demand), row_len), in demand order.

        It reads only the messages it receives and its own store.

        Parameters
        ----------
        worker : int
            The worker decoding.
        plan : ShufflePlan
            The plan the messages were encoded with.
        messages : sequence of arrays
            ``encode(data, plan)`` (only those of multicasts to ``worker`` are read).
        cache_rows : 1-D int array_like
            Row indices the worker holds.
        cache_values : (len(cache_rows), row_len) array_like
            Their data, same order.

        Returns
        -------
        (len(demand), row_len) array of the field's dtype
            The rows ``plan.demands[worker]``.

        Raises
        ------
        NotEnoughShardsError
            A demanded row is neither cached nor delivered.
        ShardSizeError
            Not one message per multicast, or not one cache value per cache row.
        """
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
    """Coded shuffling among ``n`` workers over ``field`` (GF256: XOR; Reals: sums).

    ``plan(caches, demands)`` files every missing row under the set S of its
    demander and holders and makes one multicast per S; ``encode(data, plan)``
    gives the master's messages; ``decode_at(worker, plan, messages, cache_rows,
    cache_values)`` recovers a worker's demanded rows from the messages it
    receives and its own cache.

    Parameters
    ----------
    n : int
        Workers, >= 1.
    field : Field, optional
        The field of the data (default GF256, where a sum is an XOR).

    Raises
    ------
    InvalidArgumentError
        ``n`` is not a positive int.

    See Also
    --------
    UncodedShuffle : the baseline, one unicast per worker.

    Examples
    --------
    >>> from fastcode.fields import GF256
    >>> from fastcode.schemes.shuffle import (CodedShuffle, UncodedShuffle, random_blocks,
    ...                                       realistic_caches)
    >>> rng = np.random.default_rng(0)
    >>> demands = random_blocks(3, 2, rng)         # the new assignment: 2 rows per worker
    >>> current = random_blocks(3, 2, rng)         # the blocks the workers hold now
    >>> caches = realistic_caches(current, 6, 0.5, rng)   # plus alpha N other rows each
    >>> shuffle = CodedShuffle(3)
    >>> plan = shuffle.plan(caches, demands)
    >>> [(m.recipients, m.length) for m in plan.multicasts]
    [((1, 2), 1)]
    >>> plan.rows_sent, UncodedShuffle(3).plan(caches, demands).rows_sent
    (1, 2)

    Each worker decodes its new block from the messages and its cache alone:

    >>> data = GF256.random((6, 4), rng)
    >>> messages = shuffle.encode(data, plan)
    >>> ok = []
    >>> for i in range(3):
    ...     held = np.flatnonzero(caches[i])
    ...     rows = shuffle.decode_at(i, plan, messages, held, data[held])
    ...     ok.append(bool(np.array_equal(rows, data[demands[i]])))
    >>> ok
    [True, True, True]
    """

    def plan(self, caches: ArrayLike,
             demands: Union[np.ndarray, Sequence[ArrayLike]]) -> ShufflePlan:
        """The delivery (:ref:`coded delivery <lee-shuffle-delivery>`) of ``demands`` to ``caches``.

        Parameters
        ----------
        caches : (n, N) bool array
            ``caches[i, row]``: worker i stores the row.
        demands : sequence of n 1-D int arrays
            The rows each worker needs (distinct, in ``[0, N)``).

        Returns
        -------
        ShufflePlan
            One Multicast per set S that occurs (recipients S, sorted).

        Raises
        ------
        ShardSizeError
            ``caches`` is not an (n, N) bool array, or ``demands`` does not have n entries.
        InvalidArgumentError
            A demand is not a 1-D array of distinct row indices in ``[0, N)``.
        """
        n = self.n
        caches, demands = _check_setting(n, caches, demands)
        keys: List[np.ndarray] = []
        owners: List[np.ndarray] = []
        rows: List[np.ndarray] = []
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
        key = np.ascontiguousarray(np.concatenate(keys))
        owner, row = np.concatenate(owners), np.concatenate(rows)
        # group the (worker, row) pairs by their set S
        void = key.view(np.dtype((np.void, key.shape[1]))).reshape(-1)
        uniq, inverse = np.unique(void, return_inverse=True)
        order = np.lexsort((row, owner, inverse))
        inverse, owner, row = inverse[order], owner[order], row[order]
        cuts = np.flatnonzero(np.diff(inverse)) + 1
        multicasts = []
        for grp_owner, grp_rows, g in zip(np.split(owner, cuts), np.split(row, cuts),
                                          inverse[np.concatenate([[0], cuts])]):
            S = np.flatnonzero(np.unpackbits(np.frombuffer(uniq[g].tobytes(), dtype=np.uint8))[:n])
            wcuts = np.flatnonzero(np.diff(grp_owner)) + 1
            pieces = {int(o[0]): r for o, r in zip(np.split(grp_owner, wcuts), np.split(grp_rows, wcuts))}
            multicasts.append(Multicast(tuple(S.tolist()), pieces, max(len(r) for r in pieces.values())))
        return ShufflePlan(n, caches.shape[1], demands, tuple(multicasts))


class UncodedShuffle(_Delivery):
    """Baseline: each worker gets its missing rows by one unicast.

    The same API as :class:`CodedShuffle` (``plan``, ``encode``, ``decode_at``).

    Parameters
    ----------
    n : int
        Workers, >= 1.
    field : Field, optional
        The field of the data (default GF256).

    Raises
    ------
    InvalidArgumentError
        ``n`` is not a positive int.

    Examples
    --------
    >>> from fastcode.schemes.shuffle import UncodedShuffle
    >>> caches = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool)
    >>> plan = UncodedShuffle(2).plan(caches, [[2, 3], [0]])
    >>> [(m.recipients, m.pieces[m.recipients[0]].tolist()) for m in plan.multicasts]
    [((0,), [2, 3]), ((1,), [0])]
    >>> plan.rows_sent
    3
    """

    def plan(self, caches: ArrayLike,
             demands: Union[np.ndarray, Sequence[ArrayLike]]) -> ShufflePlan:
        """One Multicast per worker with missing rows (recipients = (i,)).

        Parameters
        ----------
        caches : (n, N) bool array
            ``caches[i, row]``: worker i stores the row.
        demands : sequence of n 1-D int arrays
            The rows each worker needs (distinct, in ``[0, N)``).

        Returns
        -------
        ShufflePlan
            Unicasts of the missing rows, sorted, in worker order.

        Raises
        ------
        ShardSizeError
            ``caches`` is not an (n, N) bool array, or ``demands`` does not have n entries.
        InvalidArgumentError
            A demand is not a 1-D array of distinct row indices in ``[0, N)``.
        """
        caches, demands = _check_setting(self.n, caches, demands)
        out = []
        for i, d in enumerate(demands):
            miss = np.sort(d[~caches[i, d]])
            if miss.size:
                out.append(Multicast((i,), {i: miss}, int(miss.size)))
        return ShufflePlan(self.n, caches.shape[1], demands, tuple(out))


# ---- cache and demand models (docs: schemes/lee, 'Coded shuffling') -----------------------

def random_blocks(n: int, rows_per_block: int, rng: np.random.Generator) -> np.ndarray:
    """A fresh assignment: row indices of the block of each worker, (n, rows_per_block),
    from a uniformly random permutation of the n blocks of consecutive rows.

    Parameters
    ----------
    n : int
        Workers (and blocks).
    rows_per_block : int
        Rows of each block; the data has N = n rows_per_block rows.
    rng : numpy.random.Generator
        Source of the permutation.

    Returns
    -------
    (n, rows_per_block) int array
        Row i: the rows of worker i's block.

    Examples
    --------
    >>> from fastcode.schemes.shuffle import random_blocks
    >>> random_blocks(3, 2, np.random.default_rng(0)).tolist()
    [[4, 5], [0, 1], [2, 3]]
    """
    perm = rng.permutation(n)
    base = np.arange(rows_per_block)
    return perm[:, None] * rows_per_block + base[None, :]


def independent_caches(n: int, n_rows: int, s: float, rng: np.random.Generator) -> np.ndarray:
    """Each worker holds each row with probability s, independently: (n, n_rows) bool.

    The cache model of ``uncoded_load`` and ``coded_load``.

    Parameters
    ----------
    n : int
        Workers.
    n_rows : int
        Rows of the data (N).
    s : float
        Storage fraction in (0, 1].
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    (n, n_rows) bool array
        ``caches[i, row]``: worker i holds the row.

    Raises
    ------
    InvalidArgumentError
        ``s`` is not in (0, 1].

    Examples
    --------
    >>> from fastcode.schemes.shuffle import independent_caches
    >>> caches = independent_caches(4, 1000, 0.25, np.random.default_rng(0))
    >>> caches.shape, round(float(caches.mean()), 2)
    ((4, 1000), 0.25)
    """
    return rng.random((n, n_rows)) < _check_s(s)


def realistic_caches(current: Union[np.ndarray, Sequence[ArrayLike]], n_rows: int, s: float,
                     rng: np.random.Generator) -> np.ndarray:
    """Each worker holds its current block (``current[i]``) plus a uniformly random
    set of alpha N other rows, alpha = s - 1/n: (n, n_rows) bool.

    Parameters
    ----------
    current : sequence of n int arrays
        The rows of each worker's current block (e.g. ``random_blocks``).
    n_rows : int
        Rows of the data (N).
    s : float
        Storage fraction in (0, 1]; alpha N is rounded to an int (0 if s < 1/n).
    rng : numpy.random.Generator
        Source of the extra rows.

    Returns
    -------
    (n, n_rows) bool array
        ``caches[i, row]``: worker i holds the row.

    Raises
    ------
    InvalidArgumentError
        ``s`` is not in (0, 1].

    Examples
    --------
    >>> from fastcode.schemes.shuffle import random_blocks, realistic_caches
    >>> rng = np.random.default_rng(0)
    >>> current = random_blocks(4, 25, rng)
    >>> caches = realistic_caches(current, 100, 0.5, rng)
    >>> caches.sum(axis=1).tolist()               # 25 of its block + 25 others each
    [50, 50, 50, 50]
    >>> all(bool(caches[i, current[i]].all()) for i in range(4))
    True
    """
    n = len(current)
    s = _check_s(s)
    extra = int(round(max(s - 1.0 / n, 0.0) * n_rows))
    caches = np.zeros((n, n_rows), dtype=bool)
    for i, blk in enumerate(current):
        caches[i, np.asarray(blk)] = True
        others = np.flatnonzero(~caches[i])
        caches[i, rng.choice(others, size=min(extra, others.size), replace=False)] = True
    return caches
