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
import numpy as np

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
    """Base class: holds ``n_workers``, ``load``, ``name`` and checks input shapes."""

    def __init__(self, n_workers, load, name):
        self.n_workers = positive_int(n_workers, "n_workers")
        load = real_array(load, "load", positive=True)
        if load.ndim > 1 or (load.ndim == 1 and load.shape[0] != self.n_workers):
            raise SimParameterError(
                f"load must be a scalar or an array of shape ({self.n_workers},), got shape {load.shape}")
        self.load = float(load) if load.ndim == 0 else load
        self.name = str(name)

    def __call__(self, times):
        times = np.asarray(times, dtype=np.float64)
        if times.ndim == 0 or times.shape[-1] != self.n_workers:
            raise SimParameterError(
                f"times must have shape (..., {self.n_workers}), got shape {times.shape}")
        return self._job_times(times)

    def _job_times(self, times):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}: n_workers={self.n_workers}, load={self.load!r}>"


class KthFastest(DecodingRule):
    """Job done at the ``k``-th smallest finish time (1-based): recovery threshold ``k``.

    ``load`` defaults to ``1/k`` (an (n, k)-MDS task)."""

    def __init__(self, n_workers, k, load=None, name=None):
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
    """Job done when every group has at least one finished worker:
    ``max over groups of (min over the group's workers)``.

    ``groups``: sequence of non-empty sequences of worker indices (0-based);
    groups may overlap and need not cover every worker."""

    def __init__(self, groups, load, n_workers=None, name=None):
        groups = [np.asarray(g).ravel() for g in groups]
        if not groups or any(g.size == 0 or g.dtype.kind not in "iu" for g in groups):
            raise SimParameterError("groups must be a non-empty sequence of non-empty integer index lists")
        flat = np.concatenate(groups).astype(np.intp)
        if n_workers is None:
            n_workers = int(flat.max()) + 1
        n_workers = positive_int(n_workers, "n_workers")
        if flat.min() < 0 or flat.max() >= n_workers:
            raise SimParameterError(f"group indices must be in [0, {n_workers}), got {flat.min()}..{flat.max()}")
        self.groups = tuple(tuple(int(i) for i in g) for g in groups)
        self._columns = flat
        self._starts = np.cumsum([0] + [g.size for g in groups[:-1]]).astype(np.intp)
        # Consecutive equal-size groups covering every worker once (replication) need no gather.
        size = groups[0].size
        self._block = size if (all(g.size == size for g in groups)
                               and np.array_equal(flat, np.arange(n_workers))) else None
        super().__init__(n_workers, load, name or f"groups({len(groups)})")

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

    ``predicate(done) -> ok``: ``done`` is a bool array of shape (m, n_workers)
    (row = a trial, True = that worker has finished), ``ok`` a bool array of
    shape (m,).  With ``vectorized=False`` the predicate instead takes one 1-D
    bool array (n_workers,) and returns a bool (slow: a Python call per trial
    and arrival).  The predicate must be monotone (adding finished workers never
    makes a decodable set undecodable), as decodability is."""

    def __init__(self, n_workers, predicate, load, vectorized=True, name=None):
        if not callable(predicate):
            raise SimParameterError(f"predicate must be callable, got {predicate!r}")
        self.predicate = predicate
        self.vectorized = bool(vectorized)
        super().__init__(n_workers, load, name or getattr(predicate, "__name__", "predicate"))

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
    """Wrap ``fn(times) -> job_times`` (shapes (m, n_workers) -> (m,)) as a rule."""

    def __init__(self, fn, n_workers, load, name=None):
        if not callable(fn):
            raise SimParameterError(f"fn must be callable, got {fn!r}")
        self.fn = fn
        super().__init__(n_workers, load, name or getattr(fn, "__name__", "function"))

    def _job_times(self, times):
        lead = times.shape[:-1]
        out = np.asarray(self.fn(times.reshape(-1, self.n_workers)), dtype=np.float64)
        if out.shape != (int(np.prod(lead, dtype=np.int64)),):
            raise SimParameterError(f"fn must return one job time per trial, got shape {out.shape}")
        return out.reshape(lead)


def uncoded(n):
    """``n`` tasks of load ``1/n``; the job waits for all of them."""
    return KthFastest(n, n, load=1.0 / positive_int(n, "n"), name=f"uncoded({n})")


def mds(n, k):
    """``(n, k)``-MDS: tasks of load ``1/k``; any ``k`` results decode."""
    return KthFastest(n, k)


def replication(n, r):
    """``r``-replication: ``n/r`` tasks of load ``r/n``; task ``t`` runs on workers
    ``t*r`` to ``t*r + r - 1``; the job needs one copy of every task.  ``r`` must divide ``n``."""
    n = positive_int(n, "n")
    r = positive_int(r, "r")
    if n % r:
        raise SimParameterError(f"r must divide n, got n={n}, r={r}")
    groups = np.arange(n).reshape(n // r, r)
    return GroupRule(groups, load=r / n, n_workers=n, name=f"{r}-replication({n})")
