"""Joint scheduling-coding simulator of stream coded computing (:ref:`stream-model`,
:ref:`stream-simulator`).

Model: jobs arrive as a Poisson process of rate ``λ`` (jobs/slot) and are served first come, first
served, one at a time, and delivered in order.  Each job has ``I`` iterations; each iteration is
``n = KΩ`` coded tasks split over the workers by integer counts ``κ_p`` (re-rounded for every
iteration, as the authors' code does).  Worker ``p`` serves its tasks one after another; its
``i``-th result arrives ``c_p + X_{p,1} + … + X_{p,i}`` after the iteration starts.  The iteration is
decoded at the ``K``-th result to arrive; every outstanding task is then purged, so all workers are
free for the next iteration or job.  Hence, with ``δ_{j,it}`` the ``K``-th smallest result time:

    start_j = max(arrival_j, end_{j-1}),   end_j = start_j + Σ_it δ_{j,it},   D_j = end_j − arrival_j.

Task-time models are duck-typed: any object with ``sample(n, load, rng)`` returning ``n`` i.i.d.
completion times (1-D, slots) of one task of ``load`` operations on that worker - the signature of
``fastcode.sim`` models, where ``n`` identical workers each draw one time.  The default is
``ExponentialTasks(μ_p)``, as in the authors' code.  This module never imports ``fastcode.sim``.
"""
import math

import numpy as np

from fastcode._util.rng import as_generator
from fastcode.schemes.stream.split import (
    StreamWorkers,
    coded_task_count,
    critical_tasks,
    integerize,
    lower_bound_delay,
    optimal_load_split,
    per_worker,
    positive_scalar,
    uniform_split,
)

__all__ = ["ExponentialTasks", "poisson_arrivals", "StreamSimulator", "StreamResult"]

# Pooled result times are drawn in blocks of at most this many float64 entries (~16 MB), so memory
# stays flat for any number of jobs while each NumPy call still does a lot of work.
_BLOCK_ELEMENTS = 1 << 21


class ExponentialTasks:
    """Exponential task times of one worker of rate ``μ`` (ops/slot): mean ``load/μ`` slots."""

    def __init__(self, rate):
        self.rate = positive_scalar(rate, "rate")

    def sample(self, n, load, rng):
        """``n`` i.i.d. times (float64, shape ``(n,)``) of a task of ``load`` operations."""
        return rng.standard_exponential(int(n)) * (float(load) / self.rate)

    def __repr__(self):
        return f"ExponentialTasks({self.rate!r})"


def poisson_arrivals(lam, n_jobs, rng=None):
    """Arrival times (slots, shape ``(n_jobs,)``) of a Poisson process of rate ``lam``.

    The first job arrives after one inter-arrival time, as in the authors' ``cumsum(exprnd(...))``.
    """
    lam = positive_scalar(lam, "lam (arrival rate)")
    rng = as_generator(rng)
    return np.cumsum(rng.standard_exponential(int(n_jobs)) / lam)


class StreamResult:
    """Outcome of ``StreamSimulator.run``: per-job times (slots) and the task counts used.

    Arrays of shape ``(J,)``: ``arrival``, ``start`` (service begins), ``end`` (in-order delivery),
    ``service`` (``end − start``, the sum of the iterations' decoding times), ``delay``
    (``end − arrival``).  ``counts`` has shape ``(J, I, P)``: coded tasks given to each worker.
    With ``detail=True``, ``completed`` (same shape) holds how many of them each worker had finished
    when the iteration was decoded; the rest were purged.
    """

    def __init__(self, lam, K, arrival, start, end, service, counts, completed=None):
        self.lam = lam
        self.K = K
        self.arrival = arrival
        self.start = start
        self.end = end
        self.service = service
        self.delay = end - arrival
        self.counts = counts
        self.completed = completed

    @property
    def n_jobs(self):
        return self.arrival.shape[0]

    @property
    def mean_delay(self):
        """Mean in-order delay (slots)."""
        return float(self.delay.mean())

    def percentile(self, q):
        """The ``q``-th percentile (0..100) of the in-order delay (slots)."""
        return float(np.percentile(self.delay, q))

    @property
    def mean_service(self):
        """Mean service time ``E[S]`` per job (slots), estimated from the run."""
        return float(self.service.mean())

    @property
    def rho(self):
        """Estimated load ``λ E[S]``; the queue is stable only if it is below 1.

        Service times do not depend on the queue, so this estimate is unbiased even when the queue
        is unstable (where ``mean_delay`` only grows with the number of jobs).
        """
        return self.lam * self.mean_service

    @property
    def stable(self):
        return self.rho < 1.0

    @property
    def purged(self):
        """Tasks cancelled per job, iteration and worker (``counts − completed``); needs ``detail``."""
        if self.completed is None:
            raise ValueError("run the simulator with detail=True to record completed tasks")
        return self.counts - self.completed

    def summary(self):
        """A dict of the headline numbers."""
        return {"jobs": self.n_jobs, "mean_delay": self.mean_delay,
                "p95_delay": self.percentile(95), "mean_service": self.mean_service,
                "rho": self.rho}

    def __repr__(self):
        s = self.summary()
        return (f"StreamResult(jobs={s['jobs']}, mean_delay={s['mean_delay']:.4g}, "
                f"p95_delay={s['p95_delay']:.4g}, rho={s['rho']:.3f})")


class StreamSimulator:
    """Monte Carlo of the stream system of :ref:`stream-model` (the module docstring restates it).

    Parameters, one per line::

      rates      compute rates ``μ_p`` (ops/slot), shape ``(P,)``, all > 0;
      lam        job arrival rate ``λ`` (jobs/slot, > 0);
      Z          complexity of one job iteration (ops, > 0); each critical task has ``C = Z/K``;
      K, Omega   critical tasks per iteration (int >= 1) and redundancy ratio (>= 1);
      gamma      second-moment weight of the optimal split (>= 0; the authors use 1);
      c          communication latencies ``c_p`` (slots, >= 0), scalar or shape ``(P,)``;
      iterations_per_job  ``I`` (int >= 1);
      split      ``"optimal"`` (the min-max split), ``"uniform"``, or real loads of shape ``(P,)`` summing
                 to ``KΩ`` (rounded per iteration like the others);
      task_models  ``None`` (exponential, mean ``C/μ_p``) or ``P`` objects with
                 ``sample(n, load, rng)`` (see the module docstring), called with ``load = C``;
      task_mean, task_std  per-task mean and standard deviation (slots, shape ``(P,)``) that the
                 optimal split plans for; default ``C/μ_p`` for both (exponential times);
      active_only  passed to ``integerize``: never give a rounding leftover to a deselected worker;
      rng        default random source of ``run`` (seed or Generator).

    Attributes: ``kappa`` (real split, shape ``(P,)``), ``theta`` (the split's common cost, or
    ``None`` unless optimal), ``n_coded`` (``KΩ``), ``C``, ``workers`` (``StreamWorkers``).
    """

    def __init__(self, rates, lam, Z, K, Omega, gamma=1.0, c=0.0, iterations_per_job=1,
                 split="optimal", task_models=None, task_mean=None, task_std=None,
                 active_only=False, rng=None):
        self._rng = as_generator(rng)
        self.workers = StreamWorkers(rates, c)
        P = self.workers.n_workers
        self.lam = positive_scalar(lam, "lam (arrival rate)")
        self.Z = positive_scalar(Z, "Z (job complexity)")
        self.K = critical_tasks(K)
        self.Omega = float(Omega)
        self.n_coded = coded_task_count(self.K, Omega)
        self.gamma = positive_scalar(gamma, "gamma", allow_zero=True)
        if isinstance(iterations_per_job, bool) or not isinstance(iterations_per_job, (int, np.integer)) \
                or iterations_per_job < 1:
            raise ValueError(f"iterations_per_job must be an integer >= 1, got {iterations_per_job!r}")
        self.iterations_per_job = int(iterations_per_job)
        self.C = self.Z / self.K
        self.active_only = bool(active_only)

        m_exp, s_exp = self.workers.task_moments(self.C)
        self.task_mean = m_exp if task_mean is None else per_worker(task_mean, "task_mean", P)
        self.task_std = s_exp if task_std is None else per_worker(task_std, "task_std", P, allow_zero=True)

        if task_models is None:
            task_models = [ExponentialTasks(mu) for mu in self.workers.rates]
        task_models = list(task_models)
        if len(task_models) != P:
            raise ValueError(f"task_models must hold one model per worker ({P}), got {len(task_models)}")
        for p, model in enumerate(task_models):
            if not callable(getattr(model, "sample", None)):
                raise TypeError(f"task_models[{p}] has no sample(n, load, rng) method: {model!r}")
        self.task_models = task_models

        self.theta = None
        if isinstance(split, str):
            if split == "optimal":
                self.kappa, self.theta = optimal_load_split(
                    self.gamma, self.workers.latency, self.task_mean, self.task_std, self.K, Omega)
            elif split == "uniform":
                self.kappa = uniform_split(P, self.K, Omega)
            else:
                raise ValueError(f"split must be 'optimal', 'uniform' or an array of loads, got {split!r}")
        else:
            kappa = per_worker(split, "split", P, allow_zero=True)
            if abs(kappa.sum() - self.n_coded) > 1e-6 * self.n_coded:
                raise ValueError(f"split loads must sum to K*Omega = {self.n_coded}, got {kappa.sum()}")
            self.kappa = kappa
        self.split = split if isinstance(split, str) else "custom"

    @property
    def n_workers(self):
        return self.workers.n_workers

    def lower_bound(self):
        """The ideal M/D/1 bound ``D_LB`` (slots) for this system (``inf`` if ``λS >= 1``)."""
        return lower_bound_delay(self.lam, self.Z, self.workers.rates, self.iterations_per_job)

    # -- one batch of iterations -----------------------------------------------------------------

    def _sample(self, p, rows, cols, rng):
        x = np.asarray(self.task_models[p].sample(rows * cols, self.C, rng), dtype=np.float64)
        if x.shape != (rows * cols,):
            raise ValueError(f"task_models[{p}].sample(n, load, rng) must return shape ({rows * cols},), "
                             f"got {x.shape}")
        return x.reshape(rows, cols)

    def iteration_times(self, counts, rng=None, detail=False):
        """Decoding times ``δ`` (slots, shape ``(R,)``) of ``R`` iterations with task counts ``counts``.

        ``counts`` is an int array of shape ``(R, P)``, each row summing to at least ``K``.  With
        ``detail=True`` also returns the ``(R, P)`` number of tasks each worker had finished by then.
        Vectorised over iterations: each worker's result times are one cumulative sum per block, the
        results of all workers are pooled, and ``δ`` is the ``K``-th smallest (``np.partition``).
        """
        rng = as_generator(rng)
        counts = np.asarray(counts, dtype=np.int64)
        R, P = counts.shape
        if P != self.n_workers:
            raise ValueError(f"counts must have {self.n_workers} columns, got {P}")
        if np.any(counts.sum(axis=1) < self.K):
            raise ValueError(f"every row of counts must hold at least K = {self.K} tasks")
        latency = self.workers.latency
        delta = np.empty(R)
        completed = np.empty((R, P), dtype=np.int64) if detail else None
        width = max(1, int(counts.max(axis=0).sum()))
        step = max(1, _BLOCK_ELEMENTS // width)
        for r0 in range(0, R, step):
            block = counts[r0:r0 + step]
            rows = block.shape[0]
            kmax = block.max(axis=0)
            pooled = np.empty((rows, int(kmax.sum())))
            spans = []
            col = 0
            for p in np.flatnonzero(kmax):
                k = int(kmax[p])
                t = self._sample(p, rows, k, rng)
                np.cumsum(t, axis=1, out=t)
                t += latency[p]
                short = block[:, p] < k
                if short.any():
                    # Rows where this worker holds fewer than kmax tasks: the extra slots never run.
                    t[np.arange(k)[None, :] >= block[:, p, None]] = np.inf
                pooled[:, col:col + k] = t
                spans.append((p, col, k))
                col += k
            if detail:
                d = np.partition(pooled, self.K - 1, axis=1)[:, self.K - 1]
                done = np.zeros((rows, P), dtype=np.int64)
                for p, c0, k in spans:
                    done[:, p] = np.count_nonzero(pooled[:, c0:c0 + k] <= d[:, None], axis=1)
                completed[r0:r0 + rows] = done
            else:
                pooled.partition(self.K - 1, axis=1)
                d = pooled[:, self.K - 1]
            delta[r0:r0 + rows] = d
        return (delta, completed) if detail else delta

    # -- the queue ---------------------------------------------------------------------------------

    def run(self, n_jobs=None, rng=None, arrivals=None, detail=False):
        """Simulate ``n_jobs`` jobs (or the given ``arrivals``, slots, non-decreasing, shape ``(J,)``).

        ``rng``: seed or ``numpy.random.Generator`` for arrivals (when not given), roundings and task
        times; by default the constructor's ``rng``, whose stream then carries on from run to run.
        Returns a ``StreamResult``; ``detail=True`` records completed-task counts.
        """
        rng = self._rng if rng is None else as_generator(rng)
        if arrivals is None:
            if n_jobs is None or isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) \
                    or n_jobs < 1:
                raise ValueError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
            arrivals = poisson_arrivals(self.lam, int(n_jobs), rng)
        else:
            arrivals = np.array(arrivals, dtype=np.float64)
            if arrivals.ndim != 1 or arrivals.shape[0] == 0:
                raise ValueError(f"arrivals must be a non-empty 1-D array, got shape {arrivals.shape}")
            if n_jobs is not None and n_jobs != arrivals.shape[0]:
                raise ValueError(f"n_jobs={n_jobs} disagrees with len(arrivals)={arrivals.shape[0]}")
            if not np.all(np.isfinite(arrivals)) or np.any(np.diff(arrivals) < 0):
                raise ValueError("arrivals must be finite and non-decreasing")
        J = arrivals.shape[0]
        I = self.iterations_per_job
        P = self.n_workers

        counts = integerize(self.kappa, self.n_coded, rng, size=J * I,
                            active_only=self.active_only).reshape(J, I, P)
        out = self.iteration_times(counts.reshape(J * I, P), rng, detail=detail)
        delta, completed = out if detail else (out, None)
        service = delta.reshape(J, I).sum(axis=1)
        if completed is not None:
            completed = completed.reshape(J, I, P)

        # Lindley recursion: sequential by nature, and exact in this form (a plain loop over
        # Python floats costs a few ms for 10^4 jobs, negligible next to the sampling).
        start = np.empty(J)
        end = np.empty(J)
        prev_end = -math.inf
        for j, (a, s) in enumerate(zip(arrivals.tolist(), service.tolist())):
            st = a if a > prev_end else prev_end
            prev_end = st + s
            start[j] = st
            end[j] = prev_end
        return StreamResult(self.lam, self.K, arrivals, start, end, service, counts, completed)
