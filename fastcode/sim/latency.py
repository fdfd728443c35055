"""Closed-form expected completion times under the shifted-exponential model.

See :ref:`lee-latency-model`.  One worker doing the whole job takes
``shift + Exp(rate mu)``; a task of load ``1/k`` takes ``shift/k + Exp(rate k mu)``.
Times are in units of the whole job's deterministic part (``shift = 1`` in
the normalisation of :ref:`the latency model <lee-latency-model>`); every function takes ``shift`` (default 1) so that the unshifted
model (``shift = 0``) is covered too.

    uncoded (n tasks of 1/n, wait for all):      shift/n + H_n / (n mu)
    r-replication (n/r tasks on r workers each):  shift*r/n + H_{n/r} / (n mu)
    (n, k)-MDS (wait for the k-th fastest):        shift/k + (H_n - H_{n-k}) / (k mu)
"""
from __future__ import annotations

from typing import Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.sim._checks import SimParameterError, positive_int, real_array, real_scalar
from fastcode.sim.special import harmonic, harmonic_tail, lambertw

__all__ = [
    "order_stat_mean",
    "expected_time_uncoded",
    "expected_time_replication",
    "expected_time_mds",
    "expected_time_mds_asymptotic",
    "optimal_k",
    "optimal_rate",
    "normalized_time_mds",
]


def order_stat_mean(n: int, j: ArrayLike, rate: float, shift: float = 0.0) -> Union[float, np.ndarray]:
    """``E[T_(j)]`` for ``T_i = shift + Exp(rate)``, i.i.d., i = 1..n (1-based, ascending).

    Renyi: the gaps are independent ``Exp((n - t) rate)``, so
    ``E[T_(j)] = shift + (H_n - H_{n-j}) / rate``.

    Parameters
    ----------
    n : int
        Number of i.i.d. times, >= 1.
    j : int or int array
        Order(s) in [1, n] (1 = the fastest, n = the slowest).
    rate : float
        Rate of the exponential part, > 0.
    shift : float, default 0.0
        Deterministic part, >= 0.

    Returns
    -------
    float or float64 array
        A float for an int ``j``, else an array of ``j``'s shape.

    Raises
    ------
    SimParameterError
        ``n`` not a positive int, ``j`` not integers in [1, n], ``rate`` not
        positive or ``shift`` negative.

    Examples
    --------
    >>> from fastcode.sim.latency import order_stat_mean
    >>> round(order_stat_mean(5, 2, rate=1.0), 4)          # 1/5 + 1/4
    0.45
    >>> order_stat_mean(5, np.array([1, 5]), rate=2.0).round(4).tolist()
    [0.1, 1.1417]
    """
    n = positive_int(n, "n")
    rate = real_scalar(rate, "rate", positive=True)
    shift = real_scalar(shift, "shift", nonnegative=True)
    j = _check_k(j, n, "j")
    return shift + harmonic_tail(n, j) / rate


def expected_time_uncoded(n: int, mu: float, shift: float = 1.0) -> float:
    """``E[T]`` of the uncoded scheme: ``n`` tasks of load ``1/n``, job ends when all finish.

    ``E[T] = shift/n + H_n / (n mu)``.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    mu : float
        Straggling parameter, > 0.
    shift : float, default 1.0
        Deterministic part of the whole job, >= 0.

    Returns
    -------
    float
        The expected job time, in units of the whole job's shift.

    Raises
    ------
    SimParameterError
        ``n`` not a positive int, ``mu`` not positive or ``shift`` negative.

    Examples
    --------
    >>> from fastcode.sim.latency import expected_time_uncoded
    >>> round(expected_time_uncoded(10, mu=1.0), 4)
    0.3929
    """
    n = positive_int(n, "n")
    mu, shift = _check_mu_shift(mu, shift)
    return float(shift / n + harmonic(n) / (n * mu))


def expected_time_replication(n: int, r: int, mu: float, shift: float = 1.0) -> float:
    """``E[T]`` of ``r``-replication: ``n/r`` distinct tasks of load ``r/n``, each on ``r`` workers.

    The job ends when every task has one finished copy.  The minimum of ``r``
    copies is ``shift r/n + Exp(rate n mu)``, and the job waits for the
    largest of ``n/r`` such minima: ``E[T] = shift r/n + H_{n/r} / (n mu)``.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    r : int
        Copies of each task, >= 1; must divide ``n``.
    mu : float
        Straggling parameter, > 0.
    shift : float, default 1.0
        Deterministic part of the whole job, >= 0.

    Returns
    -------
    float
        The expected job time.

    Raises
    ------
    SimParameterError
        ``r`` does not divide ``n``, ``n`` or ``r`` not a positive int, ``mu``
        not positive or ``shift`` negative.

    Examples
    --------
    >>> from fastcode.sim.latency import expected_time_replication, expected_time_uncoded
    >>> round(expected_time_replication(10, 2, mu=1.0), 4)
    0.4283
    >>> expected_time_replication(10, 1, mu=1.0) == expected_time_uncoded(10, mu=1.0)
    True
    """
    n = positive_int(n, "n")
    r = positive_int(r, "r")
    if n % r:
        raise SimParameterError(f"r must divide n, got n={n}, r={r}")
    mu, shift = _check_mu_shift(mu, shift)
    return float(shift * r / n + harmonic(n // r) / (n * mu))


def expected_time_mds(n: int, k: ArrayLike, mu: float, shift: float = 1.0) -> Union[float, np.ndarray]:
    """``E[T]`` of the ``(n, k)``-MDS scheme: the ``k``-th fastest of ``n`` tasks of load ``1/k``.

    ``E[T] = shift/k + (H_n - H_{n-k}) / (k mu)``.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    k : int or int array
        An integer in [1, n] or an integer array of them (vectorised: the
        E[T]-versus-k curve is ``expected_time_mds(n, np.arange(1, n + 1), mu)``).
    mu : float
        Straggling parameter, > 0.
    shift : float, default 1.0
        Deterministic part of the whole job, >= 0.

    Returns
    -------
    float or float64 array
        A float for an int ``k``, else an array of ``k``'s shape.

    Raises
    ------
    SimParameterError
        ``k`` not integers in [1, n], ``n`` not a positive int, ``mu`` not
        positive or ``shift`` negative.

    Examples
    --------
    >>> from fastcode.sim.latency import expected_time_mds
    >>> round(expected_time_mds(10, 5, mu=1.0), 4)
    0.3291
    >>> expected_time_mds(4, np.arange(1, 5), mu=1.0).round(4).tolist()
    [1.25, 0.7917, 0.6944, 0.7708]
    """
    n = positive_int(n, "n")
    kk = _check_k(k, n, "k")
    mu, shift = _check_mu_shift(mu, shift)
    return shift / kk + harmonic_tail(n, kk) / (kk * mu)


def expected_time_mds_asymptotic(n: int, k: ArrayLike, mu: float,
                                 shift: float = 1.0) -> Union[float, np.ndarray]:
    """Large-``n`` form of the MDS time: ``shift/k + log(n/(n-k)) / (k mu)``, for ``k < n``.

    A cross-check for other implementations (:ref:`lee-latency-model`).  It is an upper bound on the exact
    ``expected_time_mds``: ``log((n+1)/(n-k+1)) <= H_n - H_{n-k} <= log(n/(n-k))``.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    k : int or int array
        Integer(s) in [1, n - 1].
    mu : float
        Straggling parameter, > 0.
    shift : float, default 1.0
        Deterministic part of the whole job, >= 0.

    Returns
    -------
    float or float64 array
        A float for an int ``k``, else an array of ``k``'s shape.

    Raises
    ------
    SimParameterError
        ``k`` not integers in [1, n - 1], ``n`` not a positive int, ``mu`` not
        positive or ``shift`` negative.

    Examples
    --------
    >>> from fastcode.sim.latency import expected_time_mds, expected_time_mds_asymptotic
    >>> round(float(expected_time_mds_asymptotic(10, 5, mu=1.0)), 4)
    0.3386
    >>> bool(expected_time_mds_asymptotic(10, 5, 1.0) >= expected_time_mds(10, 5, 1.0))
    True
    """
    n = positive_int(n, "n")
    kk = _check_k(k, n, "k")
    if (np.asarray(kk) >= n).any():
        raise SimParameterError(f"k must be < n={n} for the asymptotic form (log n/(n-k)), got {kk!r}")
    mu, shift = _check_mu_shift(mu, shift)
    return shift / kk + np.log(n / (n - kk)) / (kk * mu)


def optimal_k(n: int, mu: float, shift: float = 1.0) -> int:
    """The exact integer ``argmin_{k in 1..n} expected_time_mds(n, k, mu, shift)``.

    Brute force over all ``k`` (O(n), vectorised).  Exact ties go to the smallest
    ``k``; values within a relative 1e-12 of the minimum count as ties, so that a
    tie of the exact decimal parameters (e.g. n=5, mu=0.05: k=1 and k=2 both give
    5) does not depend on the rounding of ``mu`` to binary.

    Parameters
    ----------
    n : int
        Number of workers, >= 1.
    mu : float
        Straggling parameter, > 0.
    shift : float, default 1.0
        Deterministic part of the whole job, >= 0.

    Returns
    -------
    int
        The best code dimension ``k`` in [1, n].

    Raises
    ------
    SimParameterError
        ``n`` not a positive int, ``mu`` not positive or ``shift`` negative.

    Examples
    --------
    >>> from fastcode.sim.latency import optimal_k
    >>> optimal_k(10, mu=1.0)
    7
    >>> optimal_k(5, mu=0.05)       # k=1 and k=2 tie; the smaller wins
    1
    """
    n = positive_int(n, "n")
    times = np.asarray(expected_time_mds(n, np.arange(1, n + 1), mu, shift))
    return int(np.flatnonzero(times <= times.min() * (1 + 1e-12))[0]) + 1


def normalized_time_mds(alpha: ArrayLike, mu: float) -> Union[float, np.ndarray]:
    """``f(alpha) = (1/alpha) [1 + (1/mu) log(1/(1 - alpha))]``: ``n E[T_MDS]`` as ``n -> infinity``.

    The limit is taken with ``k = alpha n`` (:ref:`lee-optimal-rate`; ``shift = 1``).

    Parameters
    ----------
    alpha : float or float array
        Code rate(s) ``k/n`` in (0, 1).
    mu : float
        Straggling parameter, > 0.

    Returns
    -------
    float or float64 array
        A float for a scalar ``alpha``, else an array of its shape.

    Raises
    ------
    SimParameterError
        ``alpha`` outside (0, 1) or ``mu`` not positive.

    Examples
    --------
    >>> from fastcode.sim.latency import normalized_time_mds
    >>> round(normalized_time_mds(0.5, mu=1.0), 4)       # 2 (1 + log 2)
    3.3863
    >>> normalized_time_mds([0.25, 0.5], mu=1.0).round(4).tolist()
    [5.1507, 3.3863]
    """
    a = real_array(alpha, "alpha", positive=True)
    if (a >= 1).any():
        raise SimParameterError(f"alpha must be in (0, 1), got {a}")
    mu = real_scalar(mu, "mu", positive=True)
    out = (1 + np.log(1 / (1 - a)) / mu) / a
    return float(out) if out.ndim == 0 else out


def optimal_rate(mu: ArrayLike, shift: float = 1.0) -> Union[float, np.ndarray]:
    """Asymptotically optimal code rate ``alpha* = k*/n`` (:ref:`lee-optimal-rate`).

    ::

        alpha*(mu) = 1 + 1 / W_{-1}(-exp(-(mu + 1)))

    with ``W_{-1}`` the lower real branch of Lambert W.  With a general
    ``shift > 0`` the objective is ``shift`` times f(alpha) at ``mu * shift``,
    so ``alpha*`` is evaluated at ``mu * shift``.  Very large ``mu * shift``
    (> 600, where the exponential underflows) is solved in logarithms.

    Parameters
    ----------
    mu : float or float array
        Straggling parameter(s), > 0.
    shift : float, default 1.0
        Deterministic part of the whole job, > 0.

    Returns
    -------
    float or float64 array
        The rate(s) in (0, 1): a float for a scalar ``mu``.

    Raises
    ------
    SimParameterError
        ``mu`` or ``shift`` not positive.

    See Also
    --------
    normalized_time_mds : the objective ``f(alpha)`` it minimises.

    Examples
    --------
    >>> from fastcode.sim.latency import normalized_time_mds, optimal_rate
    >>> alpha = optimal_rate(1.0)
    >>> round(alpha, 4)
    0.6822
    >>> bool((normalized_time_mds(alpha, 1.0) < normalized_time_mds([alpha - 0.01, alpha + 0.01], 1.0)).all())
    True
    >>> optimal_rate([0.5, 2.0]).round(4).tolist()
    [0.5759, 0.778]
    """
    mu_a = real_array(mu, "mu", positive=True)
    shift = real_scalar(shift, "shift", positive=True)
    m = mu_a * shift
    big = m > 600.0
    w = np.empty_like(m)
    w[~big] = lambertw(-np.exp(-(m[~big] + 1.0)), branch=-1)
    # exp(-(m + 1)) underflows for huge m: solve the logarithm of w e^w = z instead,
    # w = -(m + 1) - log(-w), a contraction (slope 1/|w| < 1/600).
    wb = -(m[big] + 1.0)
    for _ in range(8):
        wb = -(m[big] + 1.0) - np.log(-wb)
    w[big] = wb
    out = 1.0 + 1.0 / w
    return float(out) if np.ndim(out) == 0 else out


def _check_mu_shift(mu: float, shift: float) -> Tuple[float, float]:
    return (real_scalar(mu, "mu", positive=True),
            real_scalar(shift, "shift", nonnegative=True))


def _check_k(k: ArrayLike, n: int, name: str) -> Union[int, np.ndarray]:
    arr = np.asarray(k)
    if arr.dtype.kind not in "iu" or (arr < 1).any() or (arr > n).any():
        raise SimParameterError(f"{name} must be an integer in [1, n={n}], got {k!r}")
    return int(arr) if arr.ndim == 0 else arr

