"""Decoding rules: when is a job done, given every worker's finish time?

A rule is a callable ``rule(times) -> job_times`` mapping float64 finish times
of shape ``(..., n_workers)`` (``inf`` = never returns) to job completion times
of shape ``(...)`` (``inf`` = the job never completes).  It also states the
scheme's latency profile used by :func:`fastcode.sim.simulate`::

    n_workers  number of workers (int)
    load       fraction of the whole job given to each worker: a float, or an
               array of shape (n_workers,) for unequal loads
    name       short label for tables

Built-in rules are vectorised over all leading (trial) axes::

    KthFastest(n, k)          the k-th order statistic: any k of n suffice (MDS);
                              KthFastest(n, n, load=1/n) is the uncoded scheme
    GroupRule(groups, load)   every group needs at least one finisher (replication,
                              fractional repetition); groups may overlap
    PredicateRule(n, pred)    the first arrival after which ``pred(done)`` holds,
                              for an arbitrary *monotone* predicate of the set of
                              finished workers; loops over the n arrivals, each
                              step vectorised over trials
    FunctionRule(fn, n, load) any function of the finish-time matrix

Convenience constructors: :func:`uncoded`, :func:`mds`, :func:`replication`.
"""
from typing import Any, Callable, Iterable, Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.sim._checks import SimParameterError, positive_int, real_array

__all__ = [
    "DecodingRule",
    "KthFastest",
    "GroupRule",
    "PredicateRule",
    "FunctionRule",
    "uncoded",
    "mds",
    "replication",
]


class DecodingRule:
    """Base class: holds ``n_workers``, ``load``, ``name`` and checks input shapes.

    Calling a rule, ``rule(times)``, checks that ``times`` has shape
    ``(..., n_workers)`` and returns the job completion times, shape ``(...)``;
    subclasses implement the computation.

    Parameters
    ----------
    n_workers : int
        Number of workers, >= 1.
    load : float or array_like
        Fraction of the whole job given to each worker (> 0): one float, or
        an array of shape ``(n_workers,)`` for unequal loads.
    name : str
        Short label for tables.

    Raises
    ------
    SimParameterError
        n_workers not a positive integer, a load that is not positive and
        finite, or a load array of the wrong shape.

    Examples
    --------
    Every built-in rule is a DecodingRule:

    >>> from fastcode.sim.rules import DecodingRule, mds
    >>> rule = mds(4, 2)
    >>> isinstance(rule, DecodingRule), rule.n_workers, rule.load, rule.name
    (True, 4, 0.5, 'MDS(4,2)')
    >>> rule(np.array([3.0, 1.0, 2.0, 5.0])).tolist()
    2.0
    >>> rule(np.zeros((2, 3)))
    Traceback (most recent call last):
        ...
    fastcode.errors.SimParameterError: times must have shape (..., 4), got shape (2, 3)
    """

    def __init__(self, n_workers: int, load: ArrayLike, name: str) -> None:
        self.n_workers = positive_int(n_workers, "n_workers")
        loads = real_array(load, "load", positive=True)
        if loads.ndim > 1 or (loads.ndim == 1 and loads.shape[0] != self.n_workers):
            raise SimParameterError(
                f"load must be a scalar or an array of shape ({self.n_workers},), got shape {loads.shape}")
        self.load: Union[float, np.ndarray] = float(loads) if loads.ndim == 0 else loads
        self.name = str(name)

    def __call__(self, times: ArrayLike) -> np.ndarray:
        times = np.asarray(times, dtype=np.float64)
        if times.ndim == 0 or times.shape[-1] != self.n_workers:
            raise SimParameterError(
                f"times must have shape (..., {self.n_workers}), got shape {times.shape}")
        return self._job_times(times)

    def _job_times(self, times):
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: n_workers={self.n_workers}, load={self.load!r}>"


class KthFastest(DecodingRule):
    """Job done at the ``k``-th smallest finish time (1-based): recovery threshold ``k``.

    Vectorised over all leading (trial) axes; O(n) per trial (``np.partition``).

    Parameters
    ----------
    n_workers : int
        Number of workers n, >= 1.
    k : int
        Recovery threshold, 1 <= k <= n.
    load : float or array_like, optional
        Fraction of the job per worker (one float, or one per worker);
        defaults to ``1/k`` (an (n, k)-MDS task).
    name : str, optional
        Label (default ``"MDS(n,k)"``).

    Raises
    ------
    SimParameterError
        n_workers or k not a positive integer, k > n_workers, or an invalid load.

    Examples
    --------
    >>> from fastcode.sim.rules import KthFastest
    >>> rule = KthFastest(4, 2)
    >>> rule
    <KthFastest MDS(4,2): n_workers=4, load=0.5>
    >>> times = np.array([[3.0, 1.0, 2.0, 5.0], [1.0, np.inf, 4.0, 2.0]])   # two trials
    >>> rule(times).tolist()
    [2.0, 2.0]
    >>> KthFastest(4, 4, load=0.25)(times).tolist()                      # a straggler that never returns
    [5.0, inf]
    """

    def __init__(self, n_workers: int, k: int, load: Optional[ArrayLike] = None,
                 name: Optional[str] = None) -> None:
        n_workers = positive_int(n_workers, "n_workers")
        self.k = positive_int(k, "k")
        if self.k > n_workers:
            raise SimParameterError(f"k must be <= n_workers={n_workers}, got {self.k}")
        super().__init__(n_workers, 1.0 / self.k if load is None else load,
                         name or f"MDS({n_workers},{self.k})")

    def _job_times(self, times):
        if self.k == self.n_workers:
            return times.max(axis=-1)
        if self.k == 1:
            return times.min(axis=-1)
        # np.partition is O(n) per trial and places the k-th smallest at index k-1.
        return np.partition(times, self.k - 1, axis=-1)[..., self.k - 1]


class GroupRule(DecodingRule):
    """Job done when every group has at least one finished worker.

    The job time is ``max over groups of (min over the group's workers)``
    (replication, fractional repetition).

    Parameters
    ----------
    groups : iterable of sequences of int
        Non-empty sequences of worker indices (0-based); groups may overlap and
        need not cover every worker.
    load : float or array_like
        Fraction of the job per worker (one float, or one per worker).
    n_workers : int, optional
        Number of workers (default: 1 + the largest index).
    name : str, optional
        Label (default ``"groups(g)"`` for g groups).

    Raises
    ------
    SimParameterError
        An empty group or no group, non-integer indices, an index outside
        [0, n_workers), or an invalid n_workers or load.

    Examples
    --------
    >>> from fastcode.sim.rules import GroupRule
    >>> rule = GroupRule([[0, 1], [1, 2], [3]], load=0.5)
    >>> rule.groups, rule.n_workers
    (((0, 1), (1, 2), (3,)), 4)
    >>> times = np.array([[3.0, 1.0, 2.0, 5.0], [1.0, np.inf, 4.0, 2.0]])
    >>> rule(times).tolist()
    [5.0, 4.0]
    """

    def __init__(self, groups: Iterable[ArrayLike], load: ArrayLike, n_workers: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        arrays = [np.asarray(g).ravel() for g in groups]
        if not arrays or any(g.size == 0 or g.dtype.kind not in "iu" for g in arrays):
            raise SimParameterError("groups must be a non-empty sequence of non-empty integer index lists")
        flat = np.concatenate(arrays).astype(np.intp)
        if n_workers is None:
            n_workers = int(flat.max()) + 1
        n_workers = positive_int(n_workers, "n_workers")
        if flat.min() < 0 or flat.max() >= n_workers:
            raise SimParameterError(f"group indices must be in [0, {n_workers}), got {flat.min()}..{flat.max()}")
        self.groups = tuple(tuple(int(i) for i in g) for g in arrays)
        self._columns = flat
        self._starts = np.cumsum([0] + [g.size for g in arrays[:-1]]).astype(np.intp)
        # Consecutive equal-size groups covering every worker once (replication) need no gather.
        size = arrays[0].size
        self._block = size if (all(g.size == size for g in arrays)
                               and np.array_equal(flat, np.arange(n_workers))) else None
        super().__init__(n_workers, load, name or f"groups({len(arrays)})")

    def _job_times(self, times):
        if self._block is not None:
            # Element-wise minimum of the g strided copies: numpy reduces a tiny last axis slowly.
            g = self._block
            mins = times[..., 0::g].copy()
            for j in range(1, g):
                np.minimum(mins, times[..., j::g], out=mins)
            return mins.max(axis=-1)
        # One gather + reduceat: the per-group minima of all trials at once.
        mins = np.minimum.reduceat(times[..., self._columns], self._starts, axis=-1)
        return mins.max(axis=-1)


class PredicateRule(DecodingRule):
    """Job done at the first arrival after which ``predicate`` holds.

    Loops over the n arrivals, each step vectorised over the undecided trials.
    The predicate must be monotone (adding finished workers never makes a
    decodable set undecodable), as decodability is.  A trial whose predicate
    never holds has job time ``inf``.

    Parameters
    ----------
    n_workers : int
        Number of workers, >= 1.
    predicate : callable
        ``predicate(done) -> ok``: ``done`` is a bool array of shape (m, n_workers)
        (row = a trial, True = that worker has finished), ``ok`` a bool array of
        shape (m,).  With ``vectorized=False`` the predicate instead takes one 1-D
        bool array (n_workers,) and returns a bool (slow: a Python call per trial
        and arrival).
    load : float or array_like
        Fraction of the job per worker (one float, or one per worker).
    vectorized : bool, optional
        Whether ``predicate`` takes a batch of trials (default True).
    name : str, optional
        Label (default: the predicate's ``__name__``).

    Raises
    ------
    SimParameterError
        ``predicate`` is not callable, or an invalid n_workers or load.  Calling
        the rule raises it too if a vectorised predicate returns the wrong shape.

    Examples
    --------
    Worker 0 alone, or workers 1 and 2 together, decode:

    >>> from fastcode.sim.rules import PredicateRule
    >>> def decodable(done):
    ...     return done[:, 0] | (done[:, 1] & done[:, 2])
    >>> rule = PredicateRule(4, decodable, load=0.5)
    >>> rule
    <PredicateRule decodable: n_workers=4, load=0.5>
    >>> times = np.array([[3.0, 1.0, 2.0, 5.0], [1.0, np.inf, 4.0, 2.0]])
    >>> rule(times).tolist()
    [2.0, 1.0]
    >>> PredicateRule(4, lambda row: bool(row[0] or row[1] and row[2]), 0.5, vectorized=False)(times).tolist()
    [2.0, 1.0]
    """

    def __init__(self, n_workers: int, predicate: Callable[[np.ndarray], Any], load: ArrayLike,
                 vectorized: bool = True, name: Optional[str] = None) -> None:
        if not callable(predicate):
            raise SimParameterError(f"predicate must be callable, got {predicate!r}")
        self.predicate = predicate
        self.vectorized = bool(vectorized)
        super().__init__(n_workers, load, name or str(getattr(predicate, "__name__", "predicate")))

    def _evaluate(self, done):
        if self.vectorized:
            ok = np.asarray(self.predicate(done), dtype=bool)
            if ok.shape != done.shape[:1]:
                raise SimParameterError(
                    f"predicate must return a bool array of shape ({done.shape[0]},), got shape {ok.shape}")
            return ok
        return np.fromiter((bool(self.predicate(row)) for row in done), dtype=bool, count=done.shape[0])

    def _job_times(self, times):
        lead = times.shape[:-1]
        flat = times.reshape(-1, self.n_workers)
        m = flat.shape[0]
        order = np.argsort(flat, axis=-1, kind="stable")
        arrivals = np.take_along_axis(flat, order, axis=-1)
        out = np.full(m, np.inf)
        done = np.zeros((m, self.n_workers), dtype=bool)
        pending = np.arange(m)
        # One step per arrival rank j (n steps), each vectorised over the undecided trials.
        for j in range(self.n_workers):
            done[pending, order[pending, j]] = True
            # A worker with time inf never arrives: such trials can make no more progress.
            pending = pending[np.isfinite(arrivals[pending, j])]
            if pending.size == 0:
                break
            ok = self._evaluate(done[pending])
            out[pending[ok]] = arrivals[pending[ok], j]
            pending = pending[~ok]
            if pending.size == 0:
                break
        return out.reshape(lead)


class FunctionRule(DecodingRule):
    """Wrap ``fn(times) -> job_times`` (shapes (m, n_workers) -> (m,)) as a rule.

    The rule flattens the leading (trial) axes into one of length m before
    calling ``fn`` and restores them after.

    Parameters
    ----------
    fn : callable
        ``fn(times) -> job_times``, float arrays of shapes (m, n_workers) -> (m,).
    n_workers : int
        Number of workers, >= 1.
    load : float or array_like
        Fraction of the job per worker (one float, or one per worker).
    name : str, optional
        Label (default: the function's ``__name__``).

    Raises
    ------
    SimParameterError
        ``fn`` is not callable, or an invalid n_workers or load.  Calling the
        rule raises it too if ``fn`` does not return one time per trial.

    Examples
    --------
    The second arrival plus a fixed decoding time of 0.5:

    >>> from fastcode.sim.rules import FunctionRule
    >>> def second_plus_decode(times):
    ...     return np.sort(times, axis=1)[:, 1] + 0.5
    >>> rule = FunctionRule(second_plus_decode, 4, load=0.5)
    >>> rule(np.array([[3.0, 1.0, 2.0, 5.0], [1.0, np.inf, 4.0, 2.0]])).tolist()
    [2.5, 2.5]
    """

    def __init__(self, fn: Callable[[np.ndarray], ArrayLike], n_workers: int, load: ArrayLike,
                 name: Optional[str] = None) -> None:
        if not callable(fn):
            raise SimParameterError(f"fn must be callable, got {fn!r}")
        self.fn = fn
        super().__init__(n_workers, load, name or str(getattr(fn, "__name__", "function")))

    def _job_times(self, times):
        lead = times.shape[:-1]
        out = np.asarray(self.fn(times.reshape(-1, self.n_workers)), dtype=np.float64)
        if out.shape != (int(np.prod(lead, dtype=np.int64)),):
            raise SimParameterError(f"fn must return one job time per trial, got shape {out.shape}")
        return out.reshape(lead)


def uncoded(n: int) -> KthFastest:
    """``n`` tasks of load ``1/n``; the job waits for all of them.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.

    Returns
    -------
    KthFastest
        ``KthFastest(n, n, load=1/n)``, named ``"uncoded(n)"``.

    Raises
    ------
    SimParameterError
        n is not a positive integer.

    Examples
    --------
    >>> from fastcode.sim.rules import uncoded
    >>> rule = uncoded(4)
    >>> rule
    <KthFastest uncoded(4): n_workers=4, load=0.25>
    >>> rule(np.array([3.0, 1.0, 2.0, 5.0])).tolist()
    5.0
    """
    return KthFastest(n, n, load=1.0 / positive_int(n, "n"), name=f"uncoded({n})")


def mds(n: int, k: int) -> KthFastest:
    """``(n, k)``-MDS: tasks of load ``1/k``; any ``k`` results decode.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    k : int
        Recovery threshold, 1 <= k <= n.

    Returns
    -------
    KthFastest
        ``KthFastest(n, k)``.

    Raises
    ------
    SimParameterError
        n or k not a positive integer, or k > n.

    Examples
    --------
    Mean job time of a (4, 2)-MDS scheme with unit-mean exponential finish times
    (the order statistic's mean is 1/4 + 1/3 = 0.583...):

    >>> from fastcode.sim.rules import mds
    >>> rule = mds(4, 2)
    >>> times = np.random.default_rng(0).exponential(size=(100_000, 4))
    >>> round(float(rule(times).mean()), 2)
    0.58
    """
    return KthFastest(n, k)


def replication(n: int, r: int) -> GroupRule:
    """``r``-replication: ``n/r`` tasks of load ``r/n``; the job needs one copy of every task.

    Task ``t`` runs on workers ``t*r`` to ``t*r + r - 1``.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    r : int
        Copies of each task, dividing ``n``.

    Returns
    -------
    GroupRule
        One group per task, named ``"r-replication(n)"``.

    Raises
    ------
    SimParameterError
        n or r not a positive integer, or r does not divide n.

    Examples
    --------
    >>> from fastcode.sim.rules import replication
    >>> rule = replication(4, 2)
    >>> rule.groups, rule.load
    (((0, 1), (2, 3)), 0.5)
    >>> rule(np.array([[3.0, 1.0, 2.0, 5.0], [1.0, np.inf, 4.0, 2.0]])).tolist()
    [2.0, 2.0]
    """
    n = positive_int(n, "n")
    r = positive_int(r, "r")
    if n % r:
        raise SimParameterError(f"r must divide n, got n={n}, r={r}")
    groups = np.arange(n).reshape(n // r, r)
    return GroupRule(groups, load=r / n, n_workers=n, name=f"{r}-replication({n})")
