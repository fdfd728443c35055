"""Load split of stream coded computing on heterogeneous workers (Esfahanizadeh, Cohen, Médard).

The model is on the docs page :doc:`/schemes/stream`.  One job iteration of complexity ``Z`` is cut into
``K`` critical tasks of complexity ``C = Z/K`` and MDS-coded into ``n = KΩ`` coded tasks.  Worker
``p`` receives ``κ_p`` of them (``Σ κ_p = n``) and serves them one after another; task times have
mean ``m_p = C/μ_p`` and standard deviation ``σ_p``, and every result also pays a deterministic
communication latency ``c_p``.  Units: work in "operations", rates ``μ_p`` in operations per time
slot, times in slots.

This module owns the *scheduling* half (which worker gets how many coded tasks):

- ``optimal_load_split``: the min-max split (:ref:`stream-split`).  Worker ``p``'s cost for ``κ`` tasks is
  ``g_p(κ) = E[T] + γ E[T²] = a_p + b_p κ + γ m_p² κ²``; the split equalises ``g_p(κ_p) = θ`` across
  every loaded worker, with ``θ`` found by bisection so that ``Σ κ_p = KΩ``.  A worker whose fixed
  cost ``a_p`` already reaches ``θ`` gets nothing (worker selection).
- ``uniform_split``: the baseline ``κ_p = KΩ/P``.
- ``integerize``: the authors' rounding of a real split to integer task counts summing to ``KΩ``.
- ``lower_bound_delay``: the ideal M/D/1 bound of one super-worker with rate ``Σ μ_p`` (:ref:`stream-lower-bound`).

The queueing simulator lives in ``queue``; the coded mat-vec scheme in ``scheme``.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.rng import as_generator
from fastcode._util.validate import integer, real_scalar, real_vector
from fastcode.errors import InvalidArgumentError
from fastcode.sim.queueing import md1_delay  # the M/D/1 formula lives with the other latency formulas

__all__ = [
    "StreamWorkers",
    "coded_task_count",
    "split_cost",
    "optimal_load_split",
    "uniform_split",
    "integerize",
    "lower_bound_delay",
]


def positive_scalar(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """A finite float > 0 (>= 0 with ``allow_zero``); InvalidArgumentError naming ``name``."""
    return real_scalar(value, name, positive=not allow_zero, nonnegative=allow_zero)


def per_worker(value: Any, name: str, size: Optional[int] = None, *,
               allow_zero: bool = False) -> np.ndarray:
    """A new 1-D float64 array, one entry per worker (a scalar is broadcast to ``size``),
    finite and > 0 (>= 0 with ``allow_zero``)."""
    return real_vector(value, f"{name} (one entry per worker)", size, positive=not allow_zero,
                       nonnegative=allow_zero)


def critical_tasks(K: Any) -> int:
    """K, the number of critical tasks: an int >= 1."""
    return integer(K, "K (number of critical tasks)", 1)


def _check_omega(Omega: Any) -> float:
    om = real_scalar(Omega, "Omega (redundancy ratio)")
    if om < 1:
        raise InvalidArgumentError(f"Omega (redundancy ratio) must be >= 1, got {Omega!r}")
    return om


def coded_task_count(K: int, Omega: float) -> int:
    """Number of coded tasks ``n = KΩ`` per iteration.

    The model requires ``KΩ`` to be an integer; like the authors' code we take ``ceil(KΩ)``, after
    forgiving floating-point noise (``100 * 1.1`` is 110.00000000000001, which means 110).

    Parameters
    ----------
    K : int
        Critical tasks per iteration, >= 1.
    Omega : float
        Redundancy ratio ``Ω``, >= 1.

    Returns
    -------
    int
        ``n = ceil(KΩ)`` (up to rounding noise), >= K.

    Raises
    ------
    InvalidArgumentError
        ``K`` is not an integer >= 1, or ``Omega`` is not a real number >= 1.

    Examples
    --------
    >>> from fastcode.schemes.stream import coded_task_count
    >>> coded_task_count(100, 1.1), coded_task_count(3, 1.5)
    (110, 5)
    """
    K = critical_tasks(K)
    om = _check_omega(Omega)
    prod = K * om
    nearest = round(prod)
    if abs(prod - nearest) <= 1e-9 * max(1.0, prod):
        return int(nearest)
    return int(math.ceil(prod))


# ---------------------------------------------------------------------------------------------
# workers

class StreamWorkers:
    """Heterogeneous workers: compute rates ``μ_p`` (ops/slot, > 0) and latencies ``c_p`` (slots, >= 0).

    Immutable after construction: ``rates`` and ``latency`` are float64 copies of shape ``(P,)``,
    flagged read-only.

    Parameters
    ----------
    rates : (P,) array_like of float
        Compute rates ``μ_p`` (ops/slot), all > 0.
    latency : float or (P,) array_like of float, default 0.0
        Communication latencies ``c_p`` (slots, >= 0); a scalar is the same for all workers.

    Raises
    ------
    InvalidArgumentError
        A rate that is not finite and > 0, a latency that is not finite and >= 0, or a latency
        vector of another length.

    Examples
    --------
    >>> from fastcode.schemes.stream import StreamWorkers
    >>> workers = StreamWorkers([1.0, 2.0, 4.0], latency=0.5)
    >>> workers
    StreamWorkers(rates=[1.0, 2.0, 4.0], latency=[0.5, 0.5, 0.5])
    >>> workers.n_workers, workers.total_rate
    (3, 7.0)
    """

    def __init__(self, rates: ArrayLike, latency: Union[float, ArrayLike] = 0.0) -> None:
        rates = per_worker(rates, "rates")
        latency = per_worker(latency, "latency", rates.shape[0], allow_zero=True)
        rates.flags.writeable = False
        latency.flags.writeable = False
        self.rates = rates
        self.latency = latency

    @property
    def n_workers(self) -> int:
        """``P``, the number of workers."""
        return self.rates.shape[0]

    @property
    def total_rate(self) -> float:
        """``Σ μ_p``: the rate of the ideal super-worker of the lower bound."""
        return float(self.rates.sum())

    def task_moments(self, C: float) -> Tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of exponential task times of complexity ``C``.

        Parameters
        ----------
        C : float
            Operations per task, > 0.

        Returns
        -------
        m : (P,) float64 array
            Mean task times ``C/μ_p`` (slots).
        sigma : (P,) float64 array
            Standard deviations, also ``C/μ_p`` (exponential times); a separate array.

        Raises
        ------
        InvalidArgumentError
            ``C`` is not a finite number > 0.

        Examples
        --------
        >>> from fastcode.schemes.stream import StreamWorkers
        >>> m, sigma = StreamWorkers([1.0, 2.0, 4.0]).task_moments(2.0)
        >>> m.tolist(), sigma.tolist()
        ([2.0, 1.0, 0.5], [2.0, 1.0, 0.5])
        """
        C = positive_scalar(C, "C (task complexity)")
        m = C / self.rates
        return m, m.copy()

    def __repr__(self):
        return f"StreamWorkers(rates={self.rates.tolist()}, latency={self.latency.tolist()})"


# ---------------------------------------------------------------------------------------------
# optimal split

def _cost_coefficients(gamma: float, c: np.ndarray, m: np.ndarray,
                       sigma: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, q)`` of ``g_p(κ) = a_p + b_p κ + q_p κ²`` (:ref:`stream-split`), each of shape ``(P,)``."""
    a = c + gamma * c * c
    b = m + 2.0 * gamma * c * m + gamma * sigma * sigma
    q = gamma * m * m
    return a, b, q


def split_cost(kappa: ArrayLike, gamma: float, c: ArrayLike, m: ArrayLike,
               sigma: ArrayLike) -> np.ndarray:
    """Per-worker cost ``g_p(κ_p) = E[T_p] + γ E[T_p²]`` of the split ``kappa`` (shape ``(P,)``).

    ``T_p = c_p + Σ_{i≤κ_p} X_{p,i}`` is the arrival time of worker ``p``'s last result, with
    ``X_{p,i}`` i.i.d. of mean ``m_p`` and standard deviation ``σ_p`` (any law: only these two
    moments enter, ``E[T_p²] = κσ² + (c + κm)²``).  Workers
    with ``κ_p = 0`` cost ``a_p`` (their latency only), which is how the min-max view sees them.
    No validation: the arrays broadcast as NumPy does.

    Parameters
    ----------
    kappa : (P,) array_like of float
        Tasks per worker (real or integer).
    gamma : float
        Weight ``γ`` of the second moment, >= 0.
    c : float or (P,) array_like of float
        Communication latencies ``c_p`` (slots).
    m : (P,) array_like of float
        Mean task times ``m_p`` (slots).
    sigma : (P,) array_like of float
        Task-time standard deviations ``σ_p`` (slots).

    Returns
    -------
    (P,) float64 array
        ``g_p(κ_p)``.

    Examples
    --------
    The optimal split makes every loaded worker's cost equal ``θ``:

    >>> from fastcode.schemes.stream import StreamWorkers, optimal_load_split, split_cost
    >>> workers = StreamWorkers([1.0, 2.0, 4.0], latency=0.5)
    >>> m, sigma = workers.task_moments(1.0)
    >>> kappa, theta = optimal_load_split(1.0, workers.latency, m, sigma, K=10, Omega=1.5)
    >>> split_cost(kappa, 1.0, workers.latency, m, sigma).round(6).tolist(), round(theta, 6)
    ([10.531785, 10.531785, 10.531785], 10.531785)
    """
    kappa = np.asarray(kappa, dtype=np.float64)
    a, b, q = _cost_coefficients(float(gamma), np.asarray(c, float), np.asarray(m, float),
                                 np.asarray(sigma, float))
    return a + b * kappa + q * kappa * kappa


def _kappa_of_theta(theta: float, a: np.ndarray, b: np.ndarray, gamma: float,
                    m: np.ndarray) -> np.ndarray:
    """Real loads ``κ_p(θ)``: the non-negative root of ``g_p(κ) = θ`` (0 when ``a_p >= θ``).

    The usual form is ``b/(2γm²)·(sqrt(1 + 4γm²d/b²) − 1)`` with ``d = (θ − a)^+``; we use the
    algebraically equal ``2d / (b (1 + sqrt(1 + 4γm²d/b²)))``, which does not cancel for small
    ``γ m² d / b²`` and reduces to the linear limit ``d/b`` at ``γ = 0``.
    """
    d = np.maximum(theta - a, 0.0)
    return 2.0 * d / (b * (1.0 + np.sqrt(1.0 + 4.0 * gamma * m * m * d / (b * b))))


def optimal_load_split(gamma: float, c: Union[float, ArrayLike], m: ArrayLike,
                       sigma: Union[float, ArrayLike], K: int, Omega: float,
                       tol: float = 1e-8) -> Tuple[np.ndarray, float]:
    """The min-max load split of :ref:`stream-split`.

    Every loaded worker's cost ``g_p(κ_p) = a_p + b_p κ_p + γ m_p² κ_p²`` equals a common ``θ``,
    found by bisection so that ``Σ κ_p = n``.  Workers with ``a_p = c_p + γ c_p² >= θ`` get
    ``κ_p = 0`` (worker selection).

    Unlike the authors' fixed bracket ``[0, 1e8]`` (too small when ``m_p`` or ``KΩ`` is large), the
    bracket here is ``[min a_p, max_p g_p(n)]``: at its top every worker alone would carry ``n``,
    so it always contains the root.

    Parameters
    ----------
    gamma : float
        Weight of the second moment, ``>= 0`` (``0`` gives equal mean finish times).
    c : float or (P,) array_like of float
        Communication latencies ``c_p >= 0`` (slots); a scalar broadcasts.
    m : (P,) array_like of float
        Mean task times ``m_p > 0`` (slots), ``C/μ_p`` for a rate ``μ_p``.
    sigma : float or (P,) array_like of float
        Task-time standard deviations ``σ_p >= 0`` (slots); ``σ = m`` for exponential times.
    K : int
        Critical tasks, >= 1.
    Omega : float
        Redundancy ratio, >= 1; the loads sum to ``n = coded_task_count(K, Ω)``.
    tol : float, default 1e-8
        The bisection stops once the bracket on ``θ`` is narrower than ``tol`` (as the authors'
        ``1e-8``) and ``Σ κ`` at its two ends agree to 1e-12 relative, when no float lies
        strictly inside it any more, or when ``Σ κ = n`` exactly.

    Returns
    -------
    kappa : (P,) float64 array
        Real-valued loads summing to ``n``; ``integerize`` turns them into task counts.
    theta : float
        The common cost ``g_p(κ_p)`` of every loaded worker.

    Raises
    ------
    InvalidArgumentError
        A negative ``gamma``, ``c`` or ``sigma``, a non-positive ``m`` or ``tol``, arrays of
        different lengths, or ``K`` / ``Omega`` out of range.

    Examples
    --------
    Faster workers get more tasks; with ``γ = 0`` and no latency the loads are proportional to
    the rates:

    >>> from fastcode.schemes.stream import StreamWorkers, optimal_load_split
    >>> workers = StreamWorkers([1.0, 2.0, 4.0], latency=0.5)
    >>> m, sigma = workers.task_moments(1.0)
    >>> kappa, theta = optimal_load_split(1.0, workers.latency, m, sigma, K=10, Omega=1.5)
    >>> kappa.round(4).tolist(), round(float(kappa.sum()), 9)
    ([1.9687, 4.2363, 8.7951], 15.0)
    >>> kappa, theta = optimal_load_split(0.0, 0.0, m, sigma, K=10, Omega=1.5)
    >>> kappa.round(4).tolist()
    [2.1429, 4.2857, 8.5714]

    A worker whose latency alone exceeds ``θ`` is left out:

    >>> kappa, theta = optimal_load_split(1.0, [0.0, 0.0, 50.0], m, sigma, K=10, Omega=1.5)
    >>> kappa.round(4).tolist()
    [4.8583, 10.1417, 0.0]
    """
    gamma = positive_scalar(gamma, "gamma", allow_zero=True)
    m = per_worker(m, "m (mean task times)")
    P = m.shape[0]
    c = per_worker(c, "c (latencies)", P, allow_zero=True)
    sigma = per_worker(sigma, "sigma (task-time std)", P, allow_zero=True)
    tol = positive_scalar(tol, "tol")
    n = coded_task_count(K, Omega)

    a, b, q = _cost_coefficients(gamma, c, m, sigma)

    def total(theta):
        return float(_kappa_of_theta(theta, a, b, gamma, m).sum())

    lo = float(a.min())                                   # total(lo) == 0 < n
    hi = float((a + b * n + q * n * n).max())             # total(hi) >= n
    f_lo, f_hi = 0.0, total(hi)
    # The authors' rule (bracket narrower than ``tol``) alone can leave Σκ visibly off n when some
    # worker is very fast (Σκ changes by ~Δθ/b_p), so we also ask that the loads at both ends of
    # the bracket agree to 1e-12 relative.  Each step halves the bracket and floats cannot halve
    # forever, so the loop ends when the midpoint hits an end (at most ~1100 steps, usually < 100).
    theta = None
    while hi - lo > tol or f_hi - f_lo > 1e-12 * n:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        s = total(mid)
        if s < n:
            lo, f_lo = mid, s
        elif s > n:
            hi, f_hi = mid, s
        else:
            theta = mid                                   # exact hit
            break
    if theta is None:
        theta = 0.5 * (lo + hi)
    kappa = _kappa_of_theta(theta, a, b, gamma, m)
    return kappa, float(theta)


def uniform_split(P: int, K: int, Omega: float) -> np.ndarray:
    """Baseline ``κ_p = KΩ/P`` for ``P`` workers.

    Parameters
    ----------
    P : int
        Workers, >= 1.
    K : int
        Critical tasks, >= 1.
    Omega : float
        Redundancy ratio, >= 1.

    Returns
    -------
    (P,) float64 array
        ``n / P`` for every worker, ``n = coded_task_count(K, Ω)`` (may be non-integer).

    Raises
    ------
    ValueError
        ``P`` is not an integer >= 1.
    InvalidArgumentError
        ``K`` or ``Omega`` out of range.

    Examples
    --------
    >>> from fastcode.schemes.stream import uniform_split
    >>> uniform_split(4, 10, 1.5).tolist()
    [3.75, 3.75, 3.75, 3.75]
    """
    if isinstance(P, bool) or not isinstance(P, (int, np.integer)) or P < 1:
        raise ValueError(f"P (number of workers) must be an integer >= 1, got {P!r}")
    n = coded_task_count(K, Omega)
    return np.full(int(P), n / int(P))


# ---------------------------------------------------------------------------------------------
# integer task counts

def integerize(kappa: ArrayLike, total: int,
               rng: Optional[Union[int, np.random.Generator]] = None, *,
               size: Optional[int] = None, active_only: bool = False) -> np.ndarray:
    """Integer task counts from a real split, summing to ``total`` exactly (the authors' rounding).

    Round each ``κ_p`` half away from zero (MATLAB's ``round``); then, while the sum is short, add one
    task to a uniformly random worker, and while it is over, remove one from a uniformly random worker
    that still has a task.  ``active_only=True`` restricts the additions to workers with ``κ_p > 0``
    (the authors' code may hand a task to a deselected worker; this option does not).

    ``kappa`` has shape ``(P,)`` and entries ``>= 0``; ``total`` is an int ``>= 1``.  Returns an
    int64 array of shape ``(P,)``, or ``(size, P)`` for ``size`` independent roundings (the code
    redoes the rounding for every job).

    Parameters
    ----------
    kappa : (P,) array_like of float
        Real loads, finite and >= 0.
    total : int
        The task count to reach, >= 1 (``n = KΩ``).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the random corrections.
    size : int, optional
        Number of independent roundings, >= 1; None for one.
    active_only : bool, default False
        Give leftover tasks only to workers with ``κ_p > 0`` (all workers if there is none).

    Returns
    -------
    (P,) or (size, P) int64 array
        Task counts, every row summing to ``total``.

    Raises
    ------
    ValueError
        ``kappa`` is not a non-empty 1-D array of finite entries >= 0, ``total`` is not an
        integer >= 1, or ``size`` < 1.

    Examples
    --------
    >>> from fastcode.schemes.stream import integerize
    >>> integerize([2.2, 4.1, 8.7], 15).tolist()           # the rounding already sums to 15
    [2, 4, 9]
    >>> counts = integerize([1.4, 1.4, 1.2], 4, rng=0, size=3)   # 1 + 1 + 1: one task to add
    >>> counts.sum(axis=1).tolist()
    [4, 4, 4]
    >>> int(integerize([3.0, 3.0, 0.0], 7, rng=0, active_only=True)[2])    # worker 2 stays empty
    0
    """
    kappa = np.asarray(kappa, dtype=np.float64)
    if kappa.ndim != 1 or kappa.shape[0] == 0:
        raise ValueError(f"kappa must be a non-empty 1-D array, got shape {kappa.shape}")
    if not np.all(np.isfinite(kappa)) or np.any(kappa < 0):
        raise ValueError(f"kappa must be finite and >= 0, got {kappa}")
    if isinstance(total, bool) or not isinstance(total, (int, np.integer)) or total < 1:
        raise ValueError(f"total must be an integer >= 1, got {total!r}")
    gen = as_generator(rng)
    P = kappa.shape[0]
    rows = 1 if size is None else int(size)
    if rows < 1:
        raise ValueError(f"size must be >= 1, got {size!r}")

    base = np.floor(kappa + 0.5).astype(np.int64)
    counts = np.repeat(base[None, :], rows, axis=0)
    deficit = int(total) - int(base.sum())

    if deficit > 0:
        eligible = np.flatnonzero(kappa > 0) if active_only else np.arange(P)
        if eligible.size == 0:
            eligible = np.arange(P)
        # Sequential uniform picks with replacement = one batch of independent picks.
        picks = eligible[gen.integers(0, eligible.size, size=(rows, deficit))]
        flat = (picks + P * np.arange(rows)[:, None]).ravel()
        counts += np.bincount(flat, minlength=rows * P).reshape(rows, P)
    elif deficit < 0:
        # Each removal picks uniformly among the workers that still hold a task; a few steps only
        # (|deficit| <= P/2 + 1 after rounding), each vectorised over the rows.
        for _ in range(-deficit):
            keys = gen.random((rows, P))
            keys[counts <= 0] = -1.0
            counts[np.arange(rows), np.argmax(keys, axis=1)] -= 1
    return counts[0] if size is None else counts


# ---------------------------------------------------------------------------------------------
# ideal lower bound

def lower_bound_delay(lam: float, Z: float, rates: ArrayLike, iterations_per_job: int = 1) -> float:
    """Ideal lower bound ``D_LB`` of :ref:`stream-lower-bound` (slots) on the mean in-order delay.

    One super-worker of rate ``Σ μ_p`` serves each job deterministically in
    ``S = iterations_per_job · Z / Σ μ_p``; the queue is then M/D/1.  Returns ``inf`` when
    ``ρ = λS >= 1`` (no steady state).

    It bounds the simulated system (``StreamSimulator``) with exponential or deterministic task
    times of mean ``C/μ_p``: the ``K``-th pooled result then comes no earlier (stochastically) than
    the ``K``-th point of a rate-``Σμ_p/C`` Poisson process, so ``E[S] >= S`` and
    ``E[S²] >= S²``, and the Pollaczek-Khinchine delay grows with both.  Task-time laws far
    more variable than the exponential can beat it.

    Parameters
    ----------
    lam : float
        Job arrival rate ``λ`` (jobs/slot), > 0.
    Z : float
        Complexity of one job iteration (ops), > 0.
    rates : (P,) array_like of float
        Compute rates ``μ_p`` (ops/slot), all > 0.
    iterations_per_job : int, default 1
        ``I``, iterations per job, >= 1.

    Returns
    -------
    float
        ``D_LB = S + λ S² / (2 (1 - λ S))`` (slots), or ``inf``.

    Raises
    ------
    InvalidArgumentError
        ``lam``, ``Z`` or a rate is not a finite number > 0.
    ValueError
        ``iterations_per_job`` is not an integer >= 1.

    Examples
    --------
    ``S = 10 / 7`` slots; at ``λ = 0.1`` the queue adds a little, at ``λ = 1`` it is unstable:

    >>> from fastcode.schemes.stream import lower_bound_delay
    >>> round(lower_bound_delay(0.1, 10.0, [1.0, 2.0, 4.0]), 4)
    1.5476
    >>> lower_bound_delay(1.0, 10.0, [1.0, 2.0, 4.0])
    inf
    """
    lam = positive_scalar(lam, "lam (arrival rate)")  # a stream needs arrivals
    rates = per_worker(rates, "rates")
    Z = positive_scalar(Z, "Z (job complexity)")
    if isinstance(iterations_per_job, bool) or not isinstance(iterations_per_job, (int, np.integer)) \
            or iterations_per_job < 1:
        raise ValueError(f"iterations_per_job must be an integer >= 1, got {iterations_per_job!r}")
    S = iterations_per_job * Z / float(rates.sum())
    return md1_delay(lam, S)
