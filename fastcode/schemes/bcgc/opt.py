"""Choosing the block partition ``x`` (:ref:`bcgc-spsg`, :ref:`bcgc-approximations`,
:ref:`bcgc-completion`).

- ``project_simplex(v, L)``: Euclidean projection onto ``{x >= 0, Σ x = L}``.
- ``round_blocks(x, L)``: integer block sizes (floor, leftovers to the largest fractional parts).
- ``approx_a``, ``approx_b``, ``jensen_lower_bound``: the closed forms.  For decreasing ``t_s``
  the problem ``min_x max_s t_s C_s(x)`` is solved by making every term equal:
  ``x_s = L w_s / Σ w`` with ``w_0 = 1/t_0``, ``w_s = (1/t_s - 1/t_{s-1})/(s+1)``, value
  ``z = L / Σ w``.  Approximation A uses ``t_s = E[τ_(N-s)]`` (then ``z`` is a lower bound on
  ``min E[T]``, by ``E[max] >= max E``); approximation B uses the quantiles
  ``F^{-1}(1 - (s+1)/(N+1))`` (fastcode's reconstruction; the paper's second form is unknown).
- ``spsg``: stochastic projected subgradient descent on ``E[T(x)]`` (convex) with Polyak averaging.
- ``maximize_completion_probability``: projected gradient ascent on ``P(T(x) <= t)`` (a stationary
  point: the problem is not concave).

Block sizes are float64 vectors of shape (N,), index = redundancy level ``s``; times are in units
of the per-unit time ``τ``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.errors import InvalidArgumentError
from fastcode._util.rng import as_generator
from fastcode.schemes.bcgc.exact import (require_cdf, completion_probability,
                                         completion_probability_batch, order_stat_means)
from fastcode.schemes.bcgc.model import check_blocks, check_model, cumulative_load
from fastcode.sim.stragglers import StragglerModel

__all__ = ["project_simplex", "round_blocks", "equalizing_blocks", "approx_a", "approx_b",
           "jensen_lower_bound", "spsg", "SPSGResult", "maximize_completion_probability",
           "CompletionResult"]


def _check_total(L: Any) -> float:
    try:
        L = float(L)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"L must be a positive number, got {L!r}") from None
    if not np.isfinite(L) or L <= 0:
        raise InvalidArgumentError(f"L must be a positive number, got {L!r}")
    return L


def project_simplex(v: ArrayLike, L: float) -> np.ndarray:
    """Euclidean projection of ``v`` onto ``{x >= 0, Σ x = L}`` (the projection step of :ref:`bcgc-spsg`).

    Sort-based, ``O(N log N)``: ``x = max(v - θ, 0)`` with the threshold ``θ`` that makes the
    sum ``L``.

    Parameters
    ----------
    v : (N,) array_like of float
        The point to project, finite.
    L : float
        The total, > 0 (need not be an integer).

    Returns
    -------
    (N,) float64 array
        The nearest point of the scaled simplex.

    Raises
    ------
    InvalidArgumentError
        ``L`` is not a positive finite number, or ``v`` is not a finite non-empty 1-D array.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import project_simplex
    >>> project_simplex([3.0, -1.0, 0.5], 2).tolist()
    [2.0, 0.0, 0.0]
    >>> project_simplex([0.5, 0.5, 1.5], 3).round(4).tolist()     # shifted by θ = -1/6
    [0.6667, 0.6667, 1.6667]
    """
    L = _check_total(L)
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise InvalidArgumentError(f"v must be a finite non-empty 1-D array, got {v!r}")
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - L
    j = np.arange(1, v.size + 1)
    rho = j[u - css / j > 0][-1]
    theta = css[rho - 1] / rho
    return np.maximum(v - theta, 0.0)


def round_blocks(x: ArrayLike, L: int) -> np.ndarray:
    """Integer block sizes from real ones, summing to ``L``.

    Floor every ``x_s``, then give the ``L - Σ floor`` leftover coordinates to the largest
    fractional parts (ties: lower level first).

    Parameters
    ----------
    x : (N,) array_like of float
        Real block sizes, ``>= 0``, summing to ``L``.
    L : int
        Coordinates, an integer >= 1.

    Returns
    -------
    (N,) int64 array
        Integer block sizes summing to ``L`` (what ``BlockCoordinateGC`` takes).

    Raises
    ------
    InvalidArgumentError
        ``L`` is not an integer >= 1, or ``x`` is not N finite sizes >= 0 summing to ``L``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import round_blocks
    >>> round_blocks([2.6, 3.3, 4.1], 10).tolist()      # floors 2, 3, 4; the leftover to 0.6
    [3, 3, 4]
    """
    L = integer(L, "L", 1)
    x = check_blocks(x, L)
    fl = np.floor(x + 1e-9)                     # 99.9999999999 is 100, not 99 + leftover
    out = fl.astype(np.int64)
    left = L - int(out.sum())
    if left > 0:
        order = np.argsort(-(x - fl), kind="stable")
        out[order[:left]] += 1
    elif left < 0:                              # only through the 1e-9 nudge: take back
        order = np.argsort(x - fl, kind="stable")
        order = order[out[order] > 0]
        out[order[:-left]] -= 1
    return out


def equalizing_blocks(L: float, t: ArrayLike) -> Tuple[np.ndarray, float]:
    """Solve ``min_x max_s t_s C_s(x)`` over ``{x >= 0, Σ x = L}`` by equalising every term.

    For non-increasing ``t`` the optimum makes every ``t_s C_s(x)`` equal ``z``
    (:ref:`bcgc-approximations`): ``x_s = L w_s / Σ w`` with ``w_0 = 1/t_0``,
    ``w_s = (1/t_s - 1/t_{s-1})/(s+1)``, and ``z = L / Σ w``.

    Parameters
    ----------
    L : float
        Coordinates, > 0.
    t : (N,) array_like of float
        Per-level times ``t_s > 0``, non-increasing in ``s`` (``t_s`` = time of the (N-s)-th
        fastest worker).

    Returns
    -------
    x : (N,) float64 array
        The equalising block sizes, summing to ``L``.
    z : float
        The common value of every ``t_s C_s(x)``.

    Raises
    ------
    InvalidArgumentError
        ``L`` is not a positive number, or ``t`` is not a 1-D array of positive finite
        non-increasing times.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import cumulative_load, equalizing_blocks
    >>> t = np.array([4.0, 2.0, 1.0])
    >>> x, z = equalizing_blocks(12, t)
    >>> x.round(4).tolist(), round(float(z), 4)
    ([5.5385, 2.7692, 3.6923], 22.1538)
    >>> (t * cumulative_load(x)).round(4).tolist()
    [22.1538, 22.1538, 22.1538]
    """
    L = _check_total(L)
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise InvalidArgumentError(f"t must be a 1-D array of positive finite times, got {t!r}")
    if np.any(np.diff(t) > 1e-12 * t[:-1]):
        raise InvalidArgumentError("t must be non-increasing in s (t_s = time of the (N-s)-th "
                                   f"fastest worker), got {t.tolist()}")
    inv = 1.0 / t
    w = np.diff(inv, prepend=0.0) / np.arange(1, t.size + 1)
    w = np.maximum(w, 0.0)                      # equal t_s: rounding only
    total = w.sum()
    return L * w / total, L / total


def _quantile_times(N: int, model: Any) -> np.ndarray:
    """``F^{-1}(1 - (s+1)/(N+1))`` for s = 0..N-1 (the ppf, or bisection on the cdf)."""
    q = 1.0 - np.arange(1, N + 1) / (N + 1.0)
    if callable(getattr(model, "ppf", None)):
        return np.asarray(model.ppf(q), dtype=np.float64)
    lo = np.zeros(N)
    hi = np.full(N, float(np.max(model.mean_time())) + 1.0)
    while np.any(model.cdf(hi) < q):
        hi = np.where(model.cdf(hi) < q, 2 * hi, hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = model.cdf(mid) < q
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return hi


def approx_a(N: int, L: float, model: StragglerModel) -> np.ndarray:
    """Approximation A (Jensen): the ``x`` equalising ``E[τ_(N-s)] C_s(x)`` over s.

    ``equalizing_blocks`` with ``t_s = E[τ_(N-s)]`` (``order_stat_means``).

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : float
        Coordinates, > 0.
    model : StragglerModel
        I.i.d. per-unit times (ShiftedExponential, or any model with a ``cdf``).

    Returns
    -------
    (N,) float64 array
        Real block sizes summing to ``L`` (``round_blocks`` makes them integers).

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``L`` out of range, or ``model`` does not fit (see ``order_stat_means``).

    Examples
    --------
    >>> from fastcode.schemes.bcgc import approx_a, expected_runtime, jensen_lower_bound
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> x = approx_a(4, 100, model)
    >>> x.round(2).tolist()
    [65.55, 15.73, 10.21, 8.51]
    >>> round(expected_runtime(x, model), 2), round(float(jensen_lower_bound(4, 100, model)), 2)
    (248.09, 202.1)
    """
    N = integer(N, "N", 1)
    return equalizing_blocks(L, order_stat_means(N, check_model(model, N)))[0]


def approx_b(N: int, L: float, model: StragglerModel) -> np.ndarray:
    """Approximation B: the ``x`` equalising ``F^{-1}(1-(s+1)/(N+1)) C_s(x)`` over s.

    ``equalizing_blocks`` with the quantiles of the per-unit time (the model's ``ppf``, else
    bisection on its ``cdf``) in place of the order-statistic means.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : float
        Coordinates, > 0.
    model : StragglerModel
        I.i.d. per-unit times with a ``cdf``.

    Returns
    -------
    (N,) float64 array
        Real block sizes summing to ``L``.

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``L`` out of range, or ``model`` has no i.i.d. ``cdf``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import approx_b
    >>> from fastcode.sim import ShiftedExponential
    >>> approx_b(4, 100, ShiftedExponential(1.0, 1.0)).round(2).tolist()
    [71.21, 12.88, 8.67, 7.23]
    """
    N = integer(N, "N", 1)
    model = require_cdf(model, N)
    return equalizing_blocks(L, _quantile_times(N, model))[0]


def jensen_lower_bound(N: int, L: float, model: StragglerModel) -> float:
    """``z* = L / Σ w``: a lower bound on ``min_x E[T(x)]`` (and the value of approximation A's
    problem).

    ``E[T(x)] = E[max_s τ_(N-s) C_s(x)] >= max_s E[τ_(N-s)] C_s(x) >= z*`` for every ``x``.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : float
        Coordinates, > 0.
    model : StragglerModel
        I.i.d. per-unit times (ShiftedExponential, or any model with a ``cdf``).

    Returns
    -------
    float
        ``z*``, in the time units of ``τ``.

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``L`` out of range, or ``model`` does not fit (see ``order_stat_means``).

    Examples
    --------
    >>> from fastcode.schemes.bcgc import best_plain_gc, expected_runtime, jensen_lower_bound
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> z = jensen_lower_bound(4, 100, model)
    >>> round(float(z), 4)
    202.1044
    >>> bool(z <= expected_runtime([25, 25, 25, 25], model)) and bool(z <= best_plain_gc(4, 100, model)[1])
    True
    """
    N = integer(N, "N", 1)
    return equalizing_blocks(L, order_stat_means(N, check_model(model, N)))[1]


# ---- SPSG -------------------------------------------------------------------------------------

STEP_SCALE = 0.1
"""Default SPSG step: ``step0 = STEP_SCALE * L / (N * E[τ])`` (see ``spsg``)."""

@dataclass(frozen=True)
class SPSGResult:
    """Output of ``spsg``: the Polyak average, its rounding, the start, and the settings used.

    Attributes
    ----------
    x : (N,) float64 array
        The Polyak average of the second half of the iterates (sums to ``L``).
    x_int : (N,) int64 array or None
        ``round_blocks(x, L)``; None when ``L`` is not an integer.
    x0 : (N,) float64 array
        The starting point (after projection).
    iters : int
        Iterations run.
    batch : int
        Draws of ``τ`` per iteration.
    step0 : float
        The initial step used.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import spsg
    >>> from fastcode.sim import ShiftedExponential
    >>> res = spsg(3, 30, ShiftedExponential(1.0, 1.0), iters=100, batch=8, rng=0)
    >>> res.iters, res.batch, int(res.x_int.sum()), round(float(res.x.sum()), 9)
    (100, 8, 30, 30.0)
    """
    x: np.ndarray
    x_int: Optional[np.ndarray]
    x0: np.ndarray
    iters: int
    batch: int
    step0: float


def spsg(N: int, L: float, model: StragglerModel, iters: int = 10_000, batch: int = 64,
         step0: Optional[float] = None, rng: Optional[Union[int, np.random.Generator]] = None,
         x0: Optional[ArrayLike] = None, chunk: int = 500) -> SPSGResult:
    """Stochastic projected subgradient method for ``min E[T(x)]`` on ``{x >= 0, Σ x = L}``
    (:ref:`bcgc-spsg`).

    Iteration ``t = 1..iters``: draw ``batch`` vectors ``τ`` from ``model``; per draw the active
    level ``s* = argmax_s τ_(N-s) C_s(x)`` gives the subgradient ``τ_(N-s*) (i+1) 1{i <= s*}``;
    average, step ``step0 / sqrt(t)``, project.  Returns the average of the iterates of the second
    half (``SPSGResult``).  ``x0`` defaults to approximation A (``L/N`` per level if the model has
    no exact order-statistic means).  Any StragglerModel works (only sampling is used).

    ``step0`` defaults to ``STEP_SCALE L / (N E[τ])`` = ``0.1 L / (N E[τ])``.  A common choice is
    ``0.5 / (a + 1/μ)``, which does not scale with ``L``: at ``L = 1000`` it moves ``x`` too slowly
    (after 10^4 iterations E[T] is still 1.2 % above the optimum for N = 10, μ = 0.2), while
    ``0.1 L/(N E[τ])`` is within 0.01 % for N in {5, 10, 20}, μ in {0.2, 1}.  The two agree when
    ``L = 5 N``.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : float
        Coordinates, > 0 (``x_int`` is computed when it is an integer).
    model : StragglerModel
        Per-unit time model for N workers (only ``sample`` and ``mean_time`` are used).
    iters : int, default 10000
        Iterations, >= 1.
    batch : int, default 64
        Draws of ``τ`` per iteration, >= 1.
    step0 : float, optional
        Initial step, > 0; default ``STEP_SCALE L / (N E[τ])``.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the draws.
    x0 : (N,) array_like of float, optional
        Starting point (projected onto the simplex); default approximation A.
    chunk : int, default 500
        Iterations whose draws are sampled in one call (memory bound only).

    Returns
    -------
    SPSGResult
        The averaged ``x``, its rounding ``x_int``, the start and the settings.

    Raises
    ------
    InvalidArgumentError
        ``N``, ``L``, ``iters``, ``batch`` or ``step0`` out of range; ``model`` is not a
        StragglerModel for N workers; ``step0`` not given for a model with infinite mean; or
        ``x0`` is not N finite sizes >= 0.

    Examples
    --------
    A few hundred iterations from approximation A already lower ``E[T]``:

    >>> from fastcode.schemes.bcgc import approx_a, expected_runtime, spsg
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> res = spsg(4, 100, model, iters=300, batch=32, rng=0)
    >>> res.x_int.tolist()
    [67, 12, 8, 13]
    >>> T_spsg = expected_runtime(res.x_int, model)
    >>> T_a = expected_runtime(approx_a(4, 100, model), model)
    >>> round(T_spsg, 2), round(T_a, 2)
    (246.29, 248.09)
    """
    N = integer(N, "N", 1)
    L = _check_total(L)
    check_model(model, N)
    iters = integer(iters, "iters", 1)
    batch = integer(batch, "batch", 1)
    if step0 is None:
        mean = float(np.mean(model.mean_time()))
        if not np.isfinite(mean):
            raise InvalidArgumentError("step0 must be given for a model with infinite mean time")
        step0 = STEP_SCALE * L / (N * mean)
    step0 = float(step0)
    if not np.isfinite(step0) or step0 <= 0:
        raise InvalidArgumentError(f"step0 must be a positive number, got {step0!r}")
    if x0 is None:
        try:
            x0 = approx_a(N, L, model)
        except InvalidArgumentError:
            x0 = np.full(N, L / N)
    x0 = project_simplex(check_blocks(x0, name="x0"), L)
    rng = as_generator(rng)
    weights = np.arange(1, N + 1, dtype=np.float64)
    x = x0.copy()
    avg = np.zeros(N)
    n_avg = 0
    first_avg = iters // 2 + 1
    t = 0
    while t < iters:
        m = min(chunk, iters - t)
        desc = -np.sort(-model.sample(N, rng=rng, size=(m, batch)), axis=-1)   # desc[..., s] = τ_(N-s)
        for k in range(m):
            t += 1
            d = desc[k]                                            # (batch, N)
            v = d * np.cumsum(weights * x)
            star = np.argmax(v, axis=1)
            # h[s] = Σ_b τ_(N-s*_b) 1{s*_b = s} / batch; g_i = (i+1) Σ_{s >= i} h[s]
            h = np.bincount(star, weights=d[np.arange(batch), star], minlength=N) / batch
            g = weights * np.cumsum(h[::-1])[::-1]
            x = project_simplex(x - (step0 / np.sqrt(t)) * g, L)
            if t >= first_avg:
                avg += x
                n_avg += 1
    x_avg = avg / n_avg
    x_int = round_blocks(x_avg, int(round(L))) if float(L).is_integer() else None
    return SPSGResult(x=x_avg, x_int=x_int, x0=x0, iters=iters, batch=batch, step0=step0)


# ---- P2: completion probability ---------------------------------------------------------------

@dataclass(frozen=True)
class CompletionResult:
    """Output of ``maximize_completion_probability``: the best ``x`` and its probability, the
    rounded ``x_int`` and its probability, the start's probability and the iterations run.

    Attributes
    ----------
    x : (N,) float64 array
        The best iterate found (sums to ``L``).
    prob : float
        ``P(T(x) <= t)``.
    x_int : (N,) int64 array
        ``round_blocks(x, L)``.
    prob_int : float
        ``P(T(x_int) <= t)``.
    prob_start : float
        The probability at the starting point.
    iters : int
        Iterations run (fewer than asked when the gradient vanished).

    Examples
    --------
    >>> from fastcode.schemes.bcgc import maximize_completion_probability
    >>> from fastcode.sim import ShiftedExponential
    >>> res = maximize_completion_probability(3, 30, 60.0, ShiftedExponential(1.0, 1.0), iters=20)
    >>> res.prob >= res.prob_start, int(res.x_int.sum()), res.iters <= 20
    (True, 30, True)
    """
    x: np.ndarray
    prob: float
    x_int: np.ndarray
    prob_int: float
    prob_start: float
    iters: int


def maximize_completion_probability(N: int, L: int, t: float, model: StragglerModel,
                                    x0: Optional[ArrayLike] = None, iters: int = 300,
                                    step: float = 0.02,
                                    h: Optional[float] = None) -> CompletionResult:
    """Projected gradient ascent on ``P(T(x) <= t)`` over ``{x >= 0, Σ x = L}`` (:ref:`bcgc-completion`).

    Gradient by forward differences (``h = 1e-3 L / N`` by default; every coordinate at once in one
    vectorised DP); step ``step · L / sqrt(it)`` along the centred, normalised gradient; projection;
    the best iterate is kept.  Starts from approximation A unless ``x0`` is given.  ``L`` must be an
    integer (the result is also rounded).  Needs an i.i.d. model with ``cdf``.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : int
        Coordinates, an integer >= 1.
    t : float
        The deadline, > 0 (time units of ``τ``).
    model : StragglerModel
        I.i.d. per-unit times with a ``cdf``.
    x0 : (N,) array_like of float, optional
        Starting point (projected onto the simplex); default approximation A.
    iters : int, default 300
        Maximum iterations, >= 0.
    step : float, default 0.02
        Step scale: iteration ``it`` moves ``step · L / sqrt(it)``.
    h : float, optional
        Forward-difference width, > 0; default ``1e-3 L / N``.

    Returns
    -------
    CompletionResult
        The best ``x``, its probability, its rounding and that one's probability.

    Raises
    ------
    InvalidArgumentError
        ``N``, ``L``, ``t``, ``iters`` or ``h`` out of range, ``model`` has no i.i.d. ``cdf``,
        or ``x0`` is not N finite sizes >= 0.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import maximize_completion_probability
    >>> from fastcode.sim import ShiftedExponential
    >>> res = maximize_completion_probability(4, 100, 250.0, ShiftedExponential(1.0, 1.0), iters=50)
    >>> round(res.prob_start, 3), round(res.prob, 3)     # approximation A, then the ascent
    (0.607, 0.628)
    >>> res.x_int.tolist(), round(res.prob_int, 3)
    ([67, 11, 8, 14], 0.628)
    """
    N = integer(N, "N", 1)
    L = integer(L, "L", 1)
    model = require_cdf(model, N)
    t = float(t)
    if not np.isfinite(t) or t <= 0:
        raise InvalidArgumentError(f"t must be a positive finite deadline, got {t!r}")
    iters = integer(iters, "iters", 0)
    h = 1e-3 * L / N if h is None else float(h)
    if not h > 0:
        raise InvalidArgumentError(f"h must be > 0, got {h!r}")
    x = approx_a(N, L, model) if x0 is None else project_simplex(check_blocks(x0, name="x0"), L)
    best_x, best_p = x, completion_probability(x, t, model)
    p_start = best_p
    eye = np.eye(N) * h
    done = 0
    for it in range(1, iters + 1):
        P = completion_probability_batch(np.vstack([x[None], x[None] + eye]), t, model)
        grad = (P[1:] - P[0]) / h
        if P[0] > best_p:
            best_x, best_p = x, float(P[0])
        d = grad - grad.mean()                     # stay on Σ x = L
        norm = np.linalg.norm(d)
        done = it
        if norm == 0 or not np.isfinite(norm):     # flat (P = 0 or 1 around x): nothing to follow
            break
        x = project_simplex(x + (step * L / np.sqrt(it)) * d / norm, L)
    p = completion_probability(x, t, model)
    if p > best_p:
        best_x, best_p = x, p
    x_int = round_blocks(best_x, L)
    return CompletionResult(x=best_x, prob=float(best_p), x_int=x_int,
                            prob_int=float(completion_probability(x_int, t, model)),
                            prob_start=float(p_start), iters=done)


def jensen_gap_terms(x: ArrayLike, model: StragglerModel) -> np.ndarray:
    """``E[τ_(N-s)] C_s(x)`` for s = 0..N-1 (N,): equal for approximation A; the max is a lower
    bound on ``E[T(x)]``."""
    x = check_blocks(x)
    return order_stat_means(x.size, model) * cumulative_load(x)
