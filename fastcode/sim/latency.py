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
import numpy as np

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


def order_stat_mean(n, j, rate, shift=0.0):
    """``E[T_(j)]`` for ``T_i = shift + Exp(rate)``, i.i.d., i = 1..n (1-based, ascending).

    Renyi: the gaps are independent ``Exp((n - t) rate)``, so
    ``E[T_(j)] = shift + (H_n - H_{n-j}) / rate``.  ``j`` may be an integer array."""
    n = positive_int(n, "n")
    rate = real_scalar(rate, "rate", positive=True)
    shift = real_scalar(shift, "shift", nonnegative=True)
    j = _check_k(j, n, "j")
    return shift + harmonic_tail(n, j) / rate


def expected_time_uncoded(n, mu, shift=1.0):
    """``E[T]`` of the uncoded scheme: ``n`` tasks of load ``1/n``, job ends when all finish."""
    n = positive_int(n, "n")
    mu, shift = _check_mu_shift(mu, shift)
    return shift / n + harmonic(n) / (n * mu)


def expected_time_replication(n, r, mu, shift=1.0):
    """``E[T]`` of ``r``-replication: ``n/r`` distinct tasks of load ``r/n``, each on
    ``r`` workers; the job ends when every task has one finished copy.  ``r`` must divide ``n``.

    The minimum of ``r`` copies is ``shift r/n + Exp(rate n mu)``, and the job
    waits for the largest of ``n/r`` such minima."""
    n = positive_int(n, "n")
    r = positive_int(r, "r")
    if n % r:
        raise SimParameterError(f"r must divide n, got n={n}, r={r}")
    mu, shift = _check_mu_shift(mu, shift)
    return shift * r / n + harmonic(n // r) / (n * mu)


def expected_time_mds(n, k, mu, shift=1.0):
    """``E[T]`` of the ``(n, k)``-MDS scheme: the ``k``-th fastest of ``n`` tasks of load ``1/k``.

    ``k``: an integer in [1, n] or an integer array of them (vectorised: the
    E[T]-versus-k curve is ``expected_time_mds(n, np.arange(1, n + 1), mu)``)."""
    n = positive_int(n, "n")
    k = _check_k(k, n, "k")
    mu, shift = _check_mu_shift(mu, shift)
    return shift / k + harmonic_tail(n, k) / (k * mu)


def expected_time_mds_asymptotic(n, k, mu, shift=1.0):
    """Large-``n`` form of the MDS time: ``shift/k + log(n/(n-k)) / (k mu)``, for ``k < n``.

    A cross-check for other implementations (:ref:`lee-latency-model`).  It is an upper bound on the exact
    ``expected_time_mds``: ``log((n+1)/(n-k+1)) <= H_n - H_{n-k} <= log(n/(n-k))``."""
    n = positive_int(n, "n")
    k = _check_k(k, n, "k")
    if (np.asarray(k) >= n).any():
        raise SimParameterError(f"k must be < n={n} for the asymptotic form (log n/(n-k)), got {k!r}")
    mu, shift = _check_mu_shift(mu, shift)
    return shift / k + np.log(n / (n - k)) / (k * mu)


def optimal_k(n, mu, shift=1.0):
    """The exact integer ``argmin_{k in 1..n} expected_time_mds(n, k, mu, shift)``.

    Brute force over all ``k`` (O(n), vectorised).  Exact ties go to the smallest
    ``k``; values within a relative 1e-12 of the minimum count as ties, so that a
    tie of the exact decimal parameters (e.g. n=5, mu=0.05: k=1 and k=2 both give
    5) does not depend on the rounding of ``mu`` to binary."""
    n = positive_int(n, "n")
    times = expected_time_mds(n, np.arange(1, n + 1), mu, shift)
    return int(np.flatnonzero(times <= times.min() * (1 + 1e-12))[0]) + 1


def normalized_time_mds(alpha, mu):
    """``f(alpha) = (1/alpha) [1 + (1/mu) log(1/(1 - alpha))]``: ``n E[T_MDS]`` as
    ``n -> infinity`` with ``k = alpha n`` (:ref:`lee-optimal-rate`; ``shift = 1``).  ``alpha`` in (0, 1)."""
    alpha = real_array(alpha, "alpha", positive=True)
    if (alpha >= 1).any():
        raise SimParameterError(f"alpha must be in (0, 1), got {alpha}")
    mu = real_scalar(mu, "mu", positive=True)
    out = (1 + np.log(1 / (1 - alpha)) / mu) / alpha
    return float(out) if out.ndim == 0 else out


def optimal_rate(mu, shift=1.0):
    """Asymptotically optimal code rate ``alpha* = k*/n`` (:ref:`lee-optimal-rate`):

        alpha*(mu) = 1 + 1 / W_{-1}(-exp(-(mu + 1)))

    with ``W_{-1}`` the lower real branch of Lambert W.  With a general
    ``shift > 0`` the objective is ``shift`` times f(alpha) at ``mu * shift``,
    so ``alpha*`` is evaluated at ``mu * shift``.  ``mu``: float or array."""
    mu = real_array(mu, "mu", positive=True)
    shift = real_scalar(shift, "shift", positive=True)
    m = mu * shift
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


def _check_mu_shift(mu, shift):
    return (real_scalar(mu, "mu", positive=True),
            real_scalar(shift, "shift", nonnegative=True))


def _check_k(k, n, name):
    arr = np.asarray(k)
    if arr.dtype.kind not in "iu" or (arr < 1).any() or (arr > n).any():
        raise SimParameterError(f"{name} must be an integer in [1, n={n}], got {k!r}")
    return int(arr) if arr.ndim == 0 else arr

