"""Special functions of the latency formulas: harmonic numbers and Lambert W.

NumPy only (SciPy is not a runtime dependency of fastcode).
"""
import math
from typing import Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.sim._checks import SimParameterError, positive_int

# Up to this n, harmonic numbers are summed term by term (exact to rounding);
# beyond it the asymptotic expansion is accurate to far below double precision.
_DIRECT_LIMIT = 1 << 20
# Tails H_n - H_{n-k} are summed directly for k up to this (memory 8 bytes per term).
_DIRECT_TAIL_LIMIT = 1 << 24
_EULER_GAMMA = 0.57721566490153286061


def harmonic(n: ArrayLike) -> Union[float, np.ndarray]:
    """The harmonic number ``H_n = sum_{i=1}^{n} 1/i`` (``H_0 = 0``).

    Summed term by term up to n = 2^20 (exact to rounding); beyond, the
    asymptotic expansion ``ln n + gamma + 1/(2n) - 1/(12 n^2) + 1/(120 n^4)``,
    accurate to far below double precision there.

    Parameters
    ----------
    n : int or integer array
        Non-negative.

    Returns
    -------
    float or float64 array
        ``H_n``: a float for a scalar ``n``, else an array of the shape of ``n``.

    Raises
    ------
    SimParameterError
        ``n`` is not an integer (or integer array), or is negative.

    Examples
    --------
    >>> from fastcode.sim.special import harmonic
    >>> round(harmonic(4), 6)                     # 1 + 1/2 + 1/3 + 1/4
    2.083333
    >>> harmonic(np.array([0, 1, 2])).tolist()
    [0.0, 1.0, 1.5]

    The expected time of the slowest of n i.i.d. Exp(mu) workers is ``H_n / mu``:

    >>> round(harmonic(10) / 2.0, 4)
    1.4645
    """
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu" or (arr < 0).any():
        raise SimParameterError(f"n must be a non-negative integer (or array of them), got {n!r}")
    if arr.ndim == 0:
        return float(_harmonic_vec(arr.reshape(1))[0])
    return _harmonic_vec(arr)


def harmonic_tail(n: int, k: ArrayLike) -> Union[float, np.ndarray]:
    """``H_n - H_{n-k} = sum_{i=n-k+1}^{n} 1/i`` for ``0 <= k <= n``.

    Summed directly from the large end, so there is no cancellation between two
    large harmonic numbers (up to k = 2^24 terms; beyond, the difference of the
    asymptotic expansions).

    Parameters
    ----------
    n : int
        Non-negative.
    k : int or integer array
        Each in ``[0, n]``; vectorised over k.

    Returns
    -------
    float or float64 array
        The tail: a float for a scalar ``k``, else an array of the shape of ``k``.

    Raises
    ------
    SimParameterError
        ``n`` is not a non-negative integer, or some ``k`` is not an integer in ``[0, n]``.

    Examples
    --------
    >>> from fastcode.sim.special import harmonic, harmonic_tail
    >>> round(harmonic_tail(10, 3), 6)            # 1/10 + 1/9 + 1/8
    0.336111
    >>> abs(harmonic_tail(10, 3) - (harmonic(10) - harmonic(7))) < 1e-12
    True

    The expected k-th arrival among n i.i.d. Exp(mu) workers is ``(H_n - H_{n-k}) / mu``:

    >>> [round(t, 4) for t in harmonic_tail(20, np.array([1, 10, 20])).tolist()]
    [0.05, 0.6688, 3.5977]
    """
    n = positive_int(n, "n", minimum=0)
    k_arr = np.asarray(k)
    if k_arr.dtype.kind not in "iu" or (k_arr < 0).any() or (k_arr > n).any():
        raise SimParameterError(f"k must be an integer in [0, n={n}], got {k!r}")
    k_max = int(k_arr.max()) if k_arr.size else 0
    if k_max <= _DIRECT_TAIL_LIMIT:
        # tails[j] = 1/n + 1/(n-1) + ... + 1/(n-j+1); tails[0] = 0.  Only the k_max terms needed.
        terms = 1.0 / np.arange(n, n - k_max, -1, dtype=np.float64)
        tails = np.concatenate(([0.0], np.cumsum(terms)))
        out = tails[k_arr]
    else:
        out = _harmonic_vec(np.asarray(n)) - _harmonic_vec(n - k_arr)
    return float(out) if np.ndim(out) == 0 else out


def _harmonic_vec(n):
    n = np.asarray(n, dtype=np.int64)
    out = np.empty(n.shape, dtype=np.float64)
    small = n <= _DIRECT_LIMIT
    if small.any():
        top = int(n[small].max())
        table = np.concatenate(([0.0], np.cumsum(1.0 / np.arange(1, top + 1, dtype=np.float64))))
        out[small] = table[n[small]]
    if (~small).any():
        x = n[~small].astype(np.float64)
        out[~small] = np.log(x) + _EULER_GAMMA + 1 / (2 * x) - 1 / (12 * x**2) + 1 / (120 * x**4)
    return out


def lambertw(z: ArrayLike, branch: int = 0) -> Union[float, np.ndarray]:
    """Real Lambert W: the solution ``w`` of ``w * exp(w) = z``.

    ``branch=0`` (principal): ``z >= -1/e``, ``w >= -1``.
    ``branch=-1`` (lower): ``-1/e <= z < 0``, ``w <= -1``.

    Halley's method from a branch-point series (near ``z = -1/e``) or an
    asymptotic start elsewhere; converges to a few ulps in at most a handful of
    iterations.  Arguments below ``-1/e`` by no more than rounding error are
    taken as ``-1/e``.

    Parameters
    ----------
    z : float or array of float
        The argument(s), in ``[-1/e, inf]`` for branch 0, ``[-1/e, 0)`` for branch -1.
    branch : {0, -1}, optional
        The real branch (default 0, the principal one).

    Returns
    -------
    float or float64 array
        ``W(z)``: a float for a scalar ``z``, else an array of the shape of ``z``.

    Raises
    ------
    SimParameterError
        ``branch`` is not 0 or -1; ``z`` is NaN, below ``-1/e``, or (branch -1)
        not in ``[-1/e, 0)``.

    Examples
    --------
    >>> import math
    >>> from fastcode.sim.special import lambertw
    >>> w = lambertw(1.0)                         # the omega constant
    >>> round(w, 6), round(w * math.exp(w), 12)
    (0.567143, 1.0)
    >>> round(lambertw(-0.2), 6), round(lambertw(-0.2, branch=-1), 6)
    (-0.259171, -2.542641)
    >>> lambertw(-math.exp(-1))                   # the branch point
    -1.0
    >>> lambertw(np.array([0.0, math.e])).tolist()
    [0.0, 1.0]
    """
    if branch not in (0, -1):
        raise SimParameterError(f"branch must be 0 or -1 (real branches), got {branch!r}")
    z_arr = np.asarray(z, dtype=np.float64)
    scalar = z_arr.ndim == 0
    z_arr = np.atleast_1d(z_arr).copy()
    if np.isnan(z_arr).any():
        raise SimParameterError(f"z must not be NaN, got {z!r}")
    branch_point = -math.exp(-1.0)
    # Rounding in -exp(-1) style inputs can land a hair below the branch point.
    near = (z_arr < branch_point) & (z_arr >= branch_point * (1 + 4 * np.finfo(float).eps))
    z_arr[near] = branch_point
    if (z_arr < branch_point).any():
        raise SimParameterError(f"z must be >= -1/e for the real Lambert W, got {z!r}")
    if branch == -1 and ((z_arr >= 0) | np.isinf(z_arr)).any():
        raise SimParameterError(f"z must be in [-1/e, 0) for branch -1, got {z!r}")

    w = _initial_guess(z_arr, branch)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(50):
            ew = np.exp(w)
            f = w * ew - z_arr
            denom = ew * (w + 1) - (w + 2) * f / (2 * w + 2)
            step = np.where((denom != 0) & np.isfinite(denom), f / denom, 0.0)
            w = w - step
            if np.all(np.abs(step) <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(w))):
                break
    w[z_arr == branch_point] = -1.0
    if branch == 0:
        w[z_arr == 0] = 0.0
        w[np.isposinf(z_arr)] = np.inf
    return float(w[0]) if scalar else w


def _initial_guess(z, branch):
    """Starting points good enough for Halley to converge quickly on each branch."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # Series about the branch point in p = +-sqrt(2(ez + 1)); sign picks the branch.
        p = np.sqrt(np.maximum(2 * (math.e * z + 1), 0.0))
        if branch == -1:
            p = -p
        series = -1 + p - p**2 / 3 + 11 * p**3 / 72
        if branch == 0:
            # Winitzki's global approximation of W0 for z away from the branch point.
            l1 = np.log1p(np.maximum(z, -0.25))
            far = l1 * (1 - np.log1p(l1) / (2 + l1))
        else:
            # Asymptotic expansion of W_{-1} as z -> 0-.
            l1 = np.log(-np.minimum(z, -np.finfo(float).tiny))
            l2 = np.log(-l1)
            far = l1 - l2 + l2 / l1
        return np.where(z < -0.25, series, far)
