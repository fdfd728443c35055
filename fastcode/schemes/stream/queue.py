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
from __future__ import annotations

import math
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

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
    """Exponential task times of one worker of rate ``μ`` (ops/slot): mean ``load/μ`` slots.

    The default task-time model of ``StreamSimulator`` (as in the authors' code).

    Parameters
    ----------
    rate : float
        The worker's compute rate ``μ`` (ops/slot), > 0.

    Raises
    ------
    InvalidArgumentError
        ``rate`` is not a finite number > 0.

    Examples
    --------
    >>> from fastcode.schemes.stream import ExponentialTasks
    >>> tasks = ExponentialTasks(2.0)
    >>> t = tasks.sample(20_000, 4.0, np.random.default_rng(0))     # tasks of 4 operations
    >>> t.shape, round(float(t.mean()), 1)                          # mean 4 / 2 slots
    ((20000,), 2.0)
    """

    def __init__(self, rate: float) -> None:
        self.rate = positive_scalar(rate, "rate")

    def sample(self, n: int, load: float, rng: np.random.Generator) -> np.ndarray:
        """``n`` i.i.d. times of a task of ``load`` operations.

        Parameters
        ----------
        n : int
            Number of draws.
        load : float
            Operations per task.
        rng : numpy.random.Generator
            The random source.

        Returns
        -------
        (n,) float64 array
            Task times (slots), exponential of mean ``load/μ``.
        """
        return rng.standard_exponential(int(n)) * (float(load) / self.rate)

    def __repr__(self):
        return f"ExponentialTasks({self.rate!r})"


def poisson_arrivals(lam: float, n_jobs: int,
                     rng: Optional[Union[int, np.random.Generator]] = None) -> np.ndarray:
    """Arrival times of a Poisson process of rate ``lam``.

    The first job arrives after one inter-arrival time, as in the authors' ``cumsum(exprnd(...))``.

    Parameters
    ----------
    lam : float
        Arrival rate ``λ`` (jobs/slot), > 0.
    n_jobs : int
        Number of jobs.
    rng : int or numpy.random.Generator, optional
        Seed or generator.

    Returns
    -------
    (n_jobs,) float64 array
        Arrival times (slots), increasing.

    Raises
    ------
    InvalidArgumentError
        ``lam`` is not a finite number > 0.

    Examples
    --------
    >>> from fastcode.schemes.stream import poisson_arrivals
    >>> a = poisson_arrivals(0.5, 10_000, rng=0)
    >>> bool(np.all(np.diff(a) > 0)), round(float(a[-1] / len(a)), 1)     # mean gap 1/λ
    (True, 2.0)
    """
    lam = positive_scalar(lam, "lam (arrival rate)")
    gen = as_generator(rng)
    return np.cumsum(gen.standard_exponential(int(n_jobs)) / lam)


class StreamResult:
    """Outcome of ``StreamSimulator.run``: per-job times (slots) and the task counts used.

    The attributes are the parameters below, plus ``delay = end − arrival`` (shape ``(J,)``, the
    in-order delay of every job).

    Parameters
    ----------
    lam : float
        The arrival rate ``λ`` (jobs/slot) of the run.
    K : int
        Critical tasks per iteration.
    arrival : (J,) float64 array
        Arrival times (slots).
    start : (J,) float64 array
        When service begins.
    end : (J,) float64 array
        In-order delivery times.
    service : (J,) float64 array
        ``end − start``, the sum of the iterations' decoding times.
    counts : (J, I, P) int64 array
        Coded tasks given to each worker in each iteration.
    completed : (J, I, P) int64 array, optional
        With ``detail=True``: how many of them each worker had finished when the iteration was
        decoded; the rest were purged.

    Examples
    --------
    >>> from fastcode.schemes.stream import StreamSimulator
    >>> sim = StreamSimulator([1.0, 2.0, 4.0], lam=0.2, Z=10.0, K=10, Omega=1.5, rng=0)
    >>> res = sim.run(500, detail=True)
    >>> res
    StreamResult(jobs=500, mean_delay=1.733, p95_delay=3.136, rho=0.295)
    >>> res.counts.shape, res.stable
    ((500, 1, 3), True)
    >>> bool(np.all(res.purged.sum(axis=2) == 15 - 10))      # n - K tasks purged per iteration
    True
    >>> round(res.percentile(50), 3), round(res.mean_service, 3)
    (1.541, 1.475)
    """

    def __init__(self, lam: float, K: int, arrival: np.ndarray, start: np.ndarray, end: np.ndarray,
                 service: np.ndarray, counts: np.ndarray,
                 completed: Optional[np.ndarray] = None) -> None:
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
    def n_jobs(self) -> int:
        """``J``, the number of jobs simulated."""
        return self.arrival.shape[0]

    @property
    def mean_delay(self) -> float:
        """Mean in-order delay (slots)."""
        return float(self.delay.mean())

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile of the in-order delay.

        Parameters
        ----------
        q : float
            Percentile, in 0..100.

        Returns
        -------
        float
            The delay (slots) below which ``q`` percent of the jobs were delivered.
        """
        return float(np.percentile(self.delay, q))

    @property
    def mean_service(self) -> float:
        """Mean service time ``E[S]`` per job (slots), estimated from the run."""
        return float(self.service.mean())

    @property
    def rho(self) -> float:
        """Estimated load ``λ E[S]``; the queue is stable only if it is below 1.

        Service times do not depend on the queue, so this estimate is unbiased even when the queue
        is unstable (where ``mean_delay`` only grows with the number of jobs).
        """
        return self.lam * self.mean_service

    @property
    def stable(self) -> bool:
        """Whether the estimated load ``rho`` is below 1 (a steady state exists)."""
        return self.rho < 1.0

    @property
    def purged(self) -> np.ndarray:
        """Tasks cancelled per job, iteration and worker (``counts − completed``); needs ``detail``."""
        if self.completed is None:
            raise ValueError("run the simulator with detail=True to record completed tasks")
        return self.counts - self.completed

    def summary(self) -> Dict[str, Any]:
        """A dict of the headline numbers.

        Returns
        -------
        dict
            ``jobs`` (int), ``mean_delay``, ``p95_delay``, ``mean_service`` (slots) and ``rho``.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamSimulator
        >>> res = StreamSimulator([1.0, 2.0, 4.0], lam=0.2, Z=10.0, K=10, Omega=1.5, rng=0).run(500)
        >>> {k: round(v, 3) for k, v in res.summary().items()}
        {'jobs': 500, 'mean_delay': 1.733, 'p95_delay': 3.136, 'mean_service': 1.475, 'rho': 0.295}
        """
        return {"jobs": self.n_jobs, "mean_delay": self.mean_delay,
                "p95_delay": self.percentile(95), "mean_service": self.mean_service,
                "rho": self.rho}

    def __repr__(self):
        s = self.summary()
        return (f"StreamResult(jobs={s['jobs']}, mean_delay={s['mean_delay']:.4g}, "
                f"p95_delay={s['p95_delay']:.4g}, rho={s['rho']:.3f})")


class StreamSimulator:
    """Monte Carlo of the stream system of :ref:`stream-model` (the module docstring restates it).

    Attributes: ``kappa`` (real split, shape ``(P,)``), ``theta`` (the split's common cost, or
    ``None`` unless optimal), ``n_coded`` (``KΩ``), ``C``, ``workers`` (``StreamWorkers``), and the
    parameters below.

    Parameters
    ----------
    rates : (P,) array_like of float
        Compute rates ``μ_p`` (ops/slot), all > 0.
    lam : float
        Job arrival rate ``λ`` (jobs/slot), > 0.
    Z : float
        Complexity of one job iteration (ops), > 0; each critical task has ``C = Z/K``.
    K : int
        Critical tasks per iteration, >= 1.
    Omega : float
        Redundancy ratio, >= 1.
    gamma : float, default 1.0
        Second-moment weight of the optimal split (>= 0; the authors use 1).
    c : float or (P,) array_like of float, default 0.0
        Communication latencies ``c_p`` (slots, >= 0).
    iterations_per_job : int, default 1
        ``I``, >= 1.
    split : {"optimal", "uniform"} or (P,) array_like of float, default "optimal"
        The min-max split, the uniform one, or real loads summing to ``KΩ`` (rounded per
        iteration like the others).
    task_models : sequence of P objects, optional
        Objects with ``sample(n, load, rng)`` (see the module docstring), called with
        ``load = C``; default exponential, mean ``C/μ_p`` (``ExponentialTasks``).
    task_mean, task_std : (P,) array_like of float, optional
        Per-task mean and standard deviation (slots) that the optimal split plans for; default
        ``C/μ_p`` for both (exponential times).
    active_only : bool, default False
        Passed to ``integerize``: never give a rounding leftover to a deselected worker.
    rng : int or numpy.random.Generator, optional
        Default random source of ``run``.

    Raises
    ------
    InvalidArgumentError
        A rate, ``lam``, ``Z``, ``task_mean`` not > 0; ``gamma``, ``c``, ``task_std`` or a
        split load negative; ``K`` or ``Omega`` out of range; per-worker arrays of the wrong
        length.
    ValueError
        ``iterations_per_job`` not an integer >= 1, ``task_models`` of the wrong length, an
        unknown ``split`` name, or split loads that do not sum to ``KΩ``.
    TypeError
        A task model without a ``sample`` method.

    Examples
    --------
    The optimal split against the uniform one, and the ideal lower bound:

    >>> from fastcode.schemes.stream import StreamSimulator
    >>> sim = StreamSimulator([1.0, 2.0, 4.0], lam=0.2, Z=10.0, K=10, Omega=1.5, rng=0)
    >>> sim.n_coded, sim.C, sim.kappa.round(2).tolist()
    (15, 1.0, [1.94, 4.23, 8.83])
    >>> opt = sim.run(500).mean_delay
    >>> uni = StreamSimulator([1.0, 2.0, 4.0], lam=0.2, Z=10.0, K=10, Omega=1.5,
    ...                       split="uniform", rng=0).run(500).mean_delay
    >>> round(sim.lower_bound(), 3), round(opt, 3), round(uni, 3)
    (1.714, 1.733, 2.186)
    """

    def __init__(self, rates: ArrayLike, lam: float, Z: float, K: int, Omega: float,
                 gamma: float = 1.0, c: Union[float, ArrayLike] = 0.0, iterations_per_job: int = 1,
                 split: Union[str, ArrayLike] = "optimal",
                 task_models: Optional[Sequence[Any]] = None,
                 task_mean: Optional[ArrayLike] = None, task_std: Optional[ArrayLike] = None,
                 active_only: bool = False,
                 rng: Optional[Union[int, np.random.Generator]] = None) -> None:
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
    def n_workers(self) -> int:
        """``P``, the number of workers."""
        return self.workers.n_workers

    def lower_bound(self) -> float:
        """The ideal M/D/1 bound ``D_LB`` for this system (``lower_bound_delay``).

        Returns
        -------
        float
            ``D_LB`` (slots), ``inf`` if ``λS >= 1``.
        """
        return lower_bound_delay(self.lam, self.Z, self.workers.rates, self.iterations_per_job)

    # -- one batch of iterations -----------------------------------------------------------------

    def _sample(self, p: Union[int, np.integer], rows: int, cols: int,
                rng: np.random.Generator) -> np.ndarray:
        x = np.asarray(self.task_models[p].sample(rows * cols, self.C, rng), dtype=np.float64)
        if x.shape != (rows * cols,):
            raise ValueError(f"task_models[{p}].sample(n, load, rng) must return shape ({rows * cols},), "
                             f"got {x.shape}")
        return x.reshape(rows, cols)

    def iteration_times(self, counts: ArrayLike,
                        rng: Optional[Union[int, np.random.Generator]] = None,
                        detail: bool = False) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
        """Decoding times ``δ`` of ``R`` iterations with task counts ``counts``.

        Vectorised over iterations: each worker's result times are one cumulative sum per block, the
        results of all workers are pooled, and ``δ`` is the ``K``-th smallest (``np.partition``).

        Parameters
        ----------
        counts : (R, P) array_like of int
            Tasks per worker in each iteration, each row summing to at least ``K``.
        rng : int or numpy.random.Generator, optional
            Seed or generator of the task times (not the constructor's ``rng``).
        detail : bool, default False
            Also return how many tasks each worker had finished.

        Returns
        -------
        delta : (R,) float64 array
            Decoding times (slots): the ``K``-th result of each iteration.
        completed : (R, P) int64 array
            Only with ``detail=True``: tasks each worker had finished by ``δ``.

        Raises
        ------
        ValueError
            ``counts`` does not have P columns, a row holds fewer than ``K`` tasks, or a task
            model returns the wrong shape.

        Examples
        --------
        All 15 tasks on the fastest worker: it must finish 10 of them in a row.

        >>> from fastcode.schemes.stream import StreamSimulator
        >>> sim = StreamSimulator([1.0, 2.0, 4.0], lam=0.2, Z=10.0, K=10, Omega=1.5)
        >>> delta, done = sim.iteration_times([[2, 4, 9], [0, 0, 15]], rng=0, detail=True)
        >>> delta.round(4).tolist(), done.tolist()
        ([1.8046, 2.9842], [[2, 4, 4], [0, 0, 10]])
        """
        gen = as_generator(rng)
        counts = np.asarray(counts, dtype=np.int64)
        R, P = counts.shape
        if P != self.n_workers:
            raise ValueError(f"counts must have {self.n_workers} columns, got {P}")
        if np.any(counts.sum(axis=1) < self.K):
            raise ValueError(f"every row of counts must hold at least K = {self.K} tasks")
        latency = self.workers.latency
        delta = np.empty(R)
        completed: Optional[np.ndarray] = np.empty((R, P), dtype=np.int64) if detail else None
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
                t = self._sample(p, rows, k, gen)
                np.cumsum(t, axis=1, out=t)
                t += latency[p]
                short = block[:, p] < k
                if short.any():
                    # Rows where this worker holds fewer than kmax tasks: the extra slots never run.
                    t[np.arange(k)[None, :] >= block[:, p, None]] = np.inf
                pooled[:, col:col + k] = t
                spans.append((p, col, k))
                col += k
            if completed is not None:                  # detail
                d = np.partition(pooled, self.K - 1, axis=1)[:, self.K - 1]
                done = np.zeros((rows, P), dtype=np.int64)
                for p, c0, k in spans:
                    done[:, p] = np.count_nonzero(pooled[:, c0:c0 + k] <= d[:, None], axis=1)
                completed[r0:r0 + rows] = done
            else:
                pooled.partition(self.K - 1, axis=1)
                d = pooled[:, self.K - 1]
            delta[r0:r0 + rows] = d
        return delta if completed is None else (delta, completed)

    # -- the queue ---------------------------------------------------------------------------------

    def run(self, n_jobs: Optional[int] = None,
            rng: Optional[Union[int, np.random.Generator]] = None,
            arrivals: Optional[ArrayLike] = None, detail: bool = False) -> StreamResult:
        """Simulate ``n_jobs`` jobs, or jobs arriving at the given ``arrivals``.

        Parameters
        ----------
        n_jobs : int, optional
            Jobs with Poisson arrivals (>= 1); needed unless ``arrivals`` is given (and then it
            must match its length).
        rng : int or numpy.random.Generator, optional
            Seed or generator for arrivals (when not given), roundings and task times; by
            default the constructor's ``rng``, whose stream then carries on from run to run.
        arrivals : (J,) array_like of float, optional
            Arrival times (slots), finite and non-decreasing.
        detail : bool, default False
            Record completed-task counts (``StreamResult.completed``, ``purged``).

        Returns
        -------
        StreamResult
            Per-job arrival, start, end, service and delay times and the task counts.

        Raises
        ------
        ValueError
            ``n_jobs`` is not an integer >= 1 (without ``arrivals``) or disagrees with
            ``len(arrivals)``; ``arrivals`` is not a non-empty, finite, non-decreasing 1-D
            array; or a task model returns the wrong shape.

        Examples
        --------
        Two jobs at once queue (first come, first served); a later one finds the system idle:

        >>> from fastcode.schemes.stream import StreamSimulator
        >>> sim = StreamSimulator([1.0, 2.0, 4.0], lam=0.2, Z=10.0, K=10, Omega=1.5)
        >>> res = sim.run(arrivals=[0.0, 0.0, 100.0], rng=0)
        >>> res.start.round(3).tolist(), res.delay.round(3).tolist()
        ([0.0, 1.379, 100.0], [1.379, 3.022, 2.159])
        >>> bool(res.start[1] == res.end[0])
        True
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
        delta, completed = out if isinstance(out, tuple) else (out, None)   # a tuple iff detail
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
