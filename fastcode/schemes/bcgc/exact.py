"""Exact distribution and expectation of the block-coordinate runtime (:ref:`bcgc-exact`,
:ref:`bcgc-completion`).

For i.i.d. per-unit times ``τ_n`` with CDF ``F``:

    P(T(x) <= t) = P(τ_(k) <= u_k, k = 1..N),   u_k = t / C_{N-k}(x)   (u_k = ∞ when C_{N-k} = 0)

The ``u_k`` do not decrease in ``k``.  Cut the line at ``u_1 <= ... <= u_N`` into intervals of
probability ``p_k = F(u_k) - F(u_{k-1})``; the event says that after interval ``k`` at least ``k``
of the ``N`` draws have fallen, so a dynamic programme over the multinomial counts gives it in
``O(N^3)``.  We run it on ``g_k(j) = j! f_k(j)`` (the ``f`` of :ref:`bcgc-completion`) so that every quantity is a
probability (no ``N!`` overflow): ``g_k(j) = Σ_{i=k-1}^{j} binom(j, i) p_k^{j-i} g_{k-1}(i)``
for ``j >= k`` and ``P = g_N(N)``.  The kernel is formed in log space.

``E[T] = t_0 + ∫_{t_0}^∞ P(T > t) dt`` with ``t_0 = a C_{N-1}`` (``a`` the lower end of the support
of ``F``, below which ``P(T > t) = 1``), by adaptive Gauss-Legendre quadrature (NumPy only; every
refinement level is one vectorised DP call).

Models: any i.i.d. ``StragglerModel`` with a ``cdf(t)`` method (ShiftedExponential, Exponential,
Pareto).  Others (heterogeneous, failures, empirical) use ``method="mc"`` in ``expected_runtime``.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.errors import InvalidArgumentError
from fastcode.schemes.bcgc.model import (check_blocks, check_model, cumulative_load,
                                         runtime_samples)
from fastcode.sim.latency import order_stat_mean
from fastcode.sim.stragglers import Pareto, ShiftedExponential, StragglerModel

__all__ = ["completion_probability", "expected_runtime", "order_stat_means",
           "plain_gc_runtimes", "best_plain_gc", "prob_order_stats_below"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(10)


# ---- model access -----------------------------------------------------------------------------

def require_cdf(model: object, N: Optional[int] = None) -> Any:
    """``model`` as an i.i.d. StragglerModel with a ``cdf`` (InvalidArgumentError otherwise).

    Typed ``Any``: the result has ``cdf``, which the StragglerModel base class does not declare."""
    model = check_model(model, N)
    if model.n_workers is not None or not callable(getattr(model, "cdf", None)):
        raise InvalidArgumentError(
            f"model {model!r} has no cdf for i.i.d. workers; the exact formulas need one "
            "(ShiftedExponential, Exponential, Pareto) -- use method='mc' instead")
    return model


def _support_min(model):
    """Lower end ``a`` of the support of the per-unit time (0 when unknown: still correct)."""
    if isinstance(model, ShiftedExponential):
        return model.shift
    if isinstance(model, Pareto):
        return model.scale
    return 0.0


def _spread(model):
    """A time scale of ``τ - a`` (mean excess), used to place the quadrature panels."""
    m = float(model.mean_time())
    if not math.isfinite(m):
        raise InvalidArgumentError(f"model {model!r} has an infinite mean; E[T] is not computed")
    return max(m - _support_min(model), 1e-12 * max(1.0, m))


# ---- the DP -----------------------------------------------------------------------------------

def _log_binom(N):
    lf = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, N + 1, dtype=np.float64)))))
    j = np.arange(N + 1)[:, None]
    i = np.arange(N + 1)[None, :]
    with np.errstate(invalid="ignore"):
        lb = lf[j] - lf[np.clip(i, 0, None)] - lf[np.clip(j - i, 0, None)]
    return np.where(i <= j, lb, -np.inf), (j - i)


def prob_order_stats_below(u: ArrayLike,
                           cdf: Callable[[np.ndarray], np.ndarray]) -> Union[float, np.ndarray]:
    """``P(τ_(k) <= u_k for k = 1..N)`` for N i.i.d. draws with CDF ``cdf``.

    The dynamic programme of the module docstring, ``O(N^3)`` per row, vectorised over rows.

    Parameters
    ----------
    u : (M, N) or (N,) array_like of float
        Bounds on the order statistics, each row non-decreasing (``inf`` allowed: no bound).
    cdf : callable
        The CDF ``F`` of one draw, vectorised (takes and returns float arrays).

    Returns
    -------
    float or (M,) float64 array
        The probability, a float for one row ``u`` of shape (N,), else one per row.

    Examples
    --------
    Two unit exponentials: the smaller below 1 and the larger below 2 is
    ``F(2)^2 - (F(2) - F(1))^2`` (both below 2, minus both in (1, 2]):

    >>> from fastcode.schemes.bcgc import prob_order_stats_below
    >>> F = lambda t: 1.0 - np.exp(-t)
    >>> p = prob_order_stats_below([1.0, 2.0], F)
    >>> round(p, 4)
    0.6936
    >>> abs(p - float(F(2.0) ** 2 - (F(2.0) - F(1.0)) ** 2)) < 1e-12
    True
    """
    u = np.asarray(u, dtype=np.float64)
    single = u.ndim == 1
    u = np.atleast_2d(u)
    M, N = u.shape
    Fu = np.where(np.isinf(u), 1.0, cdf(np.where(np.isinf(u), 0.0, u)))
    Fu = np.maximum.accumulate(np.clip(Fu, 0.0, 1.0), axis=1)   # monotone against rounding
    p = np.diff(Fu, axis=1, prepend=0.0)                          # (M, N) interval masses
    lb, gap = _log_binom(N)                                       # (N+1, N+1)
    g = np.zeros((M, N + 1))
    g[:, 0] = 1.0
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    for k in range(1, N + 1):
        # K[m, j, i] = binom(j, i) p_k^(j-i); p^0 = 1 even when p = 0
        with np.errstate(invalid="ignore"):
            expo = np.where(gap[None] <= 0, 0.0, gap[None] * logp[:, k - 1, None, None])
        K = np.exp(lb[None] + expo)
        g = np.einsum("mji,mi->mj", K, g)
        g[:, :k] = 0.0                                            # at least k draws so far
    out = np.clip(g[:, N], 0.0, 1.0)
    return float(out[0]) if single else out


def _u_matrix(C, t):
    """u (M, N) with u[m, k-1] = t[m] / C[m, N-k] (inf where C = 0)."""
    Crev = C[..., ::-1]
    with np.errstate(divide="ignore"):
        return np.where(Crev > 0, t[..., None] / np.where(Crev > 0, Crev, 1.0), np.inf)


def completion_probability(x: ArrayLike, t: ArrayLike,
                           model: StragglerModel) -> Union[float, np.ndarray]:
    """``P(T(x) <= t)``: the probability that a round ends by the deadline ``t``.  Exact (DP).

    Parameters
    ----------
    x : (N,) array_like of float
        Block sizes, ``x >= 0``.
    t : float or array_like of float
        Deadline(s) >= 0, in the time units of ``τ``.
    model : StragglerModel
        I.i.d. per-unit times with a ``cdf`` (ShiftedExponential, Exponential, Pareto).

    Returns
    -------
    float or float64 array
        The probability, a float for a scalar ``t``, else an array of ``t``'s shape.

    Raises
    ------
    InvalidArgumentError
        ``x`` is not N finite sizes >= 0, ``model`` has no i.i.d. ``cdf`` (use
        ``runtime_samples``), or some ``t`` is negative or NaN.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import completion_probability
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)            # τ = 1 + Exp(1) per unit
    >>> completion_probability([2, 1, 1], [5.0, 8.0, 12.0], model).round(4).tolist()
    [0.0, 0.272, 0.8421]

    No round ends before ``C_2 = 7`` units at the minimal ``τ = 1``, hence the 0.
    """
    x = check_blocks(x)
    cdf = require_cdf(model, x.size).cdf
    t_arr = np.asarray(t, dtype=np.float64)
    if np.any(np.isnan(t_arr)) or np.any(t_arr < 0):
        raise InvalidArgumentError(f"t must be >= 0, got {t!r}")
    flat = t_arr.reshape(-1)
    C = np.broadcast_to(cumulative_load(x), (flat.size, x.size))
    out = np.asarray(prob_order_stats_below(_u_matrix(C, flat), cdf))   # 2-D u: an array
    return float(out[0]) if t_arr.ndim == 0 else out.reshape(t_arr.shape)


def completion_probability_batch(X, t, model):
    """``P(T(X[m]) <= t)`` for a batch of partitions X (M, N) and one deadline: (M,)."""
    C = cumulative_load(X)
    return prob_order_stats_below(_u_matrix(C, np.full(C.shape[0], float(t))), model.cdf)


# ---- quadrature -------------------------------------------------------------------------------

def _integrate(f, lo, hi, edges, rtol=1e-10, max_levels=40, max_panels=4096):
    """∫_lo^hi f by adaptive 10-point Gauss-Legendre on the panels ``edges`` (sorted, from lo to hi).

    A panel is accepted when the rule on it and on its two halves agree to ``rtol`` times the
    running total; each refinement level evaluates all open panels in one vectorised call."""
    panels = np.column_stack([edges[:-1], edges[1:]])
    total = 0.0
    for _ in range(max_levels):
        if panels.size == 0:
            return total
        if len(panels) > max_panels:
            break
        a, b = panels[:, 0], panels[:, 1]
        m = 0.5 * (a + b)
        lo3 = np.concatenate([a, a, m])
        hi3 = np.concatenate([b, m, b])
        half = 0.5 * (hi3 - lo3)
        pts = (0.5 * (hi3 + lo3))[:, None] + half[:, None] * _GL_NODES[None, :]
        vals = f(pts.reshape(-1)).reshape(pts.shape)
        est = half * (vals @ _GL_WEIGHTS)
        P = len(a)
        whole, split = est[:P], est[P:2 * P] + est[2 * P:]
        scale = abs(total) + np.abs(split).sum()
        ok = np.abs(whole - split) <= rtol * max(scale, 1e-300) / max(P, 1) + 1e-300
        total += split[ok].sum()
        panels = np.column_stack([np.concatenate([a[~ok], m[~ok]]),
                                  np.concatenate([m[~ok], b[~ok]])])
    # a smooth survival function needs a few hundred panels at most; more means a defect
    raise RuntimeError("quadrature did not converge (E[T] integrand not resolved)")


def _survival_integral(surv, lo, spread, tail_tol=1e-15):
    """``∫_lo^∞ surv(t) dt`` for a non-increasing survival function with a light enough tail.

    The upper limit doubles from ``lo + spread`` until ``surv(hi) · hi`` is negligible (a fixed
    ``60 C / μ`` is about what this reaches for the shifted exponential); the panels grow geometrically
    from ``lo`` so that the steep start (width ~ spread / N) is resolved."""
    hi = lo + spread
    for _ in range(200):
        if float(surv(np.array([hi]))[0]) * (hi - lo + spread) <= tail_tol * (lo + spread):
            break
        hi = lo + 2 * (hi - lo)
    else:
        raise InvalidArgumentError("the runtime's tail is too heavy for the exact formula; "
                                   "use method='mc'")
    steps = spread * 2.0 ** np.arange(-8, 1 + math.ceil(math.log2((hi - lo) / spread)))
    edges = np.unique(np.concatenate(([lo], lo + steps[steps < hi - lo], [hi])))
    return _integrate(surv, lo, hi, edges)


# ---- expectations -----------------------------------------------------------------------------

def expected_runtime(x: ArrayLike, model: StragglerModel, method: str = "exact",
                     samples: int = 200_000,
                     rng: Optional[Union[int, np.random.Generator]] = None) -> float:
    """``E[T(x)]``, the mean round time of block sizes ``x`` under per-unit times from ``model``.

    Parameters
    ----------
    x : (N,) array_like of float
        Block sizes, ``x >= 0``.
    model : StragglerModel
        Per-unit time model; ``method="exact"`` needs an i.i.d. one with ``cdf``.
    method : {"exact", "mc"}, default "exact"
        ``"exact"``: the DP integrated by quadrature (relative accuracy ~1e-9).  ``"mc"``: the
        mean of ``samples`` simulated rounds (any model; standard error ``std / sqrt(samples)``).
    samples : int, default 200000
        Rounds simulated by ``method="mc"``.
    rng : int or numpy.random.Generator, optional
        Seed or generator of ``method="mc"``.

    Returns
    -------
    float
        ``E[T(x)]`` in the time units of ``τ`` (0 when ``x`` is all zero).

    Raises
    ------
    InvalidArgumentError
        ``method`` is unknown; ``x`` is not N finite sizes >= 0; ``model`` does not fit (not a
        StragglerModel for N workers, or, for ``"exact"``, no i.i.d. ``cdf``, an infinite mean
        or a tail too heavy for the quadrature); ``samples`` is not an integer >= 1.
    RuntimeError
        The quadrature did not converge (not expected for a smooth survival function).

    Examples
    --------
    >>> from fastcode.schemes.bcgc import expected_runtime, runtime_samples
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> round(expected_runtime([2, 1, 1], model), 6)
    9.760304
    >>> round(expected_runtime([2, 1, 1], model, method="mc", samples=20_000, rng=0), 1)
    9.8
    """
    x = check_blocks(x)
    if method == "mc":
        return float(runtime_samples(x, model, samples, rng).mean())
    if method != "exact":
        raise InvalidArgumentError(f"method must be 'exact' or 'mc', got {method!r}")
    model = require_cdf(model, x.size)
    C = cumulative_load(x)
    total = C[-1]
    if total == 0:
        return 0.0
    a = _support_min(model)
    lo = a * total

    def surv(t):
        Cb = np.broadcast_to(C, (t.size, C.size))
        return 1.0 - prob_order_stats_below(_u_matrix(Cb, t), model.cdf)

    return float(lo + _survival_integral(surv, lo, total * _spread(model)))


def order_stat_means(N: int, model: StragglerModel) -> np.ndarray:
    """``t_s = E[τ_(N-s)]`` for s = 0..N-1: the mean of the (N-s)-th smallest of N per-unit times.

    Closed form for the shifted exponential (``a + (H_N - H_s)/μ``), else ``E[T(e_s)]/(s+1)`` by
    the exact formula (``T(e_s) = (s+1) τ_(N-s)``).

    Parameters
    ----------
    N : int
        Workers, >= 1.
    model : StragglerModel
        I.i.d. per-unit times with a ``cdf``.

    Returns
    -------
    (N,) float64 array
        ``t_s``, decreasing in ``s``.

    Raises
    ------
    InvalidArgumentError
        ``N`` is not an integer >= 1, or ``model`` is not a ShiftedExponential and has no
        i.i.d. ``cdf`` (or its mean is infinite).

    Examples
    --------
    >>> from fastcode.schemes.bcgc import order_stat_means
    >>> from fastcode.sim import ShiftedExponential
    >>> order_stat_means(3, ShiftedExponential(1.0, 1.0)).round(4).tolist()   # 1 + (H_3 - H_s)
    [2.8333, 1.8333, 1.3333]
    """
    N = integer(N, "N", 1)
    if isinstance(model, ShiftedExponential):
        # mu and shift are __slots__ set through object.__setattr__, which mypy cannot see
        return np.asarray(order_stat_mean(N, np.arange(N, 0, -1), model.mu,  # type: ignore[attr-defined]
                                          model.shift),  # type: ignore[attr-defined]
                          dtype=np.float64).reshape(N)
    model = require_cdf(model, N)
    out = np.empty(N)
    for s in range(N):
        e = np.zeros(N)
        e[s] = 1.0
        out[s] = expected_runtime(e, model) / (s + 1)
    return out


def plain_gc_runtimes(N: int, L: int, model: StragglerModel) -> np.ndarray:
    """``E[T]`` of plain gradient coding at every level ``s``: ``(s + 1) L E[τ_(N-s)]``.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : int
        Coordinates, >= 1.
    model : StragglerModel
        I.i.d. per-unit times with a ``cdf``.

    Returns
    -------
    (N,) float64 array
        ``E[T(L e_s)]`` for s = 0..N-1 (s = 0 is uncoded).

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``L`` is not an integer >= 1, or ``model`` does not fit (see
        ``order_stat_means``).

    Examples
    --------
    >>> from fastcode.schemes.bcgc import expected_runtime, plain_gc_blocks, plain_gc_runtimes
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> plain_gc_runtimes(3, 12, model).round(4).tolist()
    [34.0, 44.0, 48.0]
    >>> round(expected_runtime(plain_gc_blocks(3, 12, 1), model), 4)
    44.0
    """
    N = integer(N, "N", 1)
    L = integer(L, "L", 1)
    return (np.arange(1, N + 1) * L) * order_stat_means(N, model)


def best_plain_gc(N: int, L: int, model: StragglerModel) -> Tuple[int, float]:
    """The best single-diversity gradient code: the level ``s`` minimising ``(s+1) L E[τ_(N-s)]``.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : int
        Coordinates, >= 1.
    model : StragglerModel
        I.i.d. per-unit times with a ``cdf``.

    Returns
    -------
    s : int
        The best level.
    runtime : float
        Its ``E[T]``.

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``L`` is not an integer >= 1, or ``model`` does not fit (see
        ``order_stat_means``).

    Examples
    --------
    Under per-unit times every plain code of level ``s >= 1`` pays ``s + 1`` times the work;
    block-coordinate coding (``approx_a``) beats the best of them:

    >>> from fastcode.schemes.bcgc import approx_a, best_plain_gc, expected_runtime
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> s, T = best_plain_gc(4, 100, model)
    >>> s, round(T, 2)
    (0, 308.33)
    >>> expected_runtime(approx_a(4, 100, model), model) < T
    True
    """
    T = plain_gc_runtimes(N, L, model)
    s = int(np.argmin(T))
    return s, float(T[s])
