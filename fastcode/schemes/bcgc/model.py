"""Runtime model of block-coordinate gradient coding under partial stragglers (:ref:`bcgc-model`,
:ref:`bcgc-runtime`).

``N`` workers, ``L`` coordinates.  A block partition ``x = (x_0, ..., x_{N-1})`` (float or int,
``x >= 0``, ``Σ x = L``) gives ``x_s`` coordinates redundancy level ``s`` (tolerating ``s``
stragglers).  One *work unit* is one coordinate's partial derivative over one data subset; a level-s
coordinate costs ``s + 1`` units.  Every worker processes the blocks in increasing ``s``; worker
``n`` needs ``τ_n`` time per unit (one draw per worker and round), so it finishes block ``s`` at
``τ_n · C_s(x)`` with the cumulative load ``C_s(x) = Σ_{i<=s} (i + 1) x_i`` (units).

Block ``s`` is decodable once ``N - s`` workers have it, at ``τ_(N-s) · C_s``, so the round ends at

    T(x) = max_s τ_(N-s) · C_s(x)                                            (RT)

Times are in the units of ``τ`` (a ``StragglerModel``'s whole-job time ``X`` is read as the time per
unit, i.e. ``model.sample(N)`` draws ``τ``).  This module holds the formula, its per-block form from
worker finish times, and Monte Carlo; exact expectations are in ``exact``.
"""
from __future__ import annotations

from typing import Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.errors import InvalidArgumentError
from fastcode._util.rng import as_generator
from fastcode.sim.stragglers import StragglerModel

__all__ = ["cumulative_load", "runtime", "block_decode_times", "runtime_samples",
           "plain_gc_blocks", "uncoded_blocks"]


# ---- validation shared by the bcgc modules --------------------------------------------------

def check_blocks(x: ArrayLike, L: Optional[float] = None, name: str = "x") -> np.ndarray:
    """``x`` as a float64 vector of shape (N,), N >= 1, finite, >= 0 (and summing to ``L`` within
    rounding when ``L`` is given)."""
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a 1-D array of block sizes, got {x!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidArgumentError(f"{name} must be a non-empty 1-D array (one size per "
                                   f"redundancy level), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InvalidArgumentError(f"{name} must be finite and >= 0, got {arr.tolist()[:12]}")
    if L is not None and abs(arr.sum() - L) > 1e-9 * max(1.0, L):
        raise InvalidArgumentError(f"{name} must sum to L={L}, got sum {arr.sum():.12g}")
    return arr


def check_model(model: object, N: Optional[int] = None) -> StragglerModel:
    """``model`` must be a ``fastcode.sim`` StragglerModel usable with ``N`` workers."""
    if not isinstance(model, StragglerModel):
        raise InvalidArgumentError(f"model must be a fastcode.sim StragglerModel (e.g. "
                                   f"ShiftedExponential(mu, shift)), got {model!r}")
    if N is not None and model.n_workers is not None and model.n_workers != N:
        raise InvalidArgumentError(f"model is tied to {model.n_workers} workers, but N={N}")
    return model


# ---- the runtime formula ----------------------------------------------------------------------

def cumulative_load(x: ArrayLike) -> np.ndarray:
    """The cumulative loads ``C_s(x) = Σ_{i<=s} (i + 1) x_i`` for s = 0..N-1.

    ``C_s`` is the work a worker has done when it finishes block ``s`` (blocks are processed in
    increasing ``s``, a level-``i`` coordinate costs ``i + 1`` units).  No validation: ``x`` is
    used as given.

    Parameters
    ----------
    x : (N,) or (..., N) array_like of float
        Block sizes (``x_s`` coordinates at redundancy level ``s``), or a batch of partitions.

    Returns
    -------
    (N,) or (..., N) float64 array
        ``C_s(x)`` in work units (coordinate × data subset), same shape as ``x``.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import cumulative_load
    >>> cumulative_load([2, 1, 1]).tolist()          # 1*2, + 2*1, + 3*1
    [2.0, 4.0, 7.0]
    """
    x = np.asarray(x, dtype=np.float64)
    return np.cumsum(x * np.arange(1, x.shape[-1] + 1), axis=-1)


def runtime(x: ArrayLike, tau: ArrayLike) -> Union[float, np.ndarray]:
    """The round time ``T(x) = max_s τ_(N-s) C_s(x)`` (RT) for per-unit times ``tau``.

    ``τ_(N-s)`` is the (N-s)-th smallest of the ``tau``: block ``s`` decodes when the ``N - s``
    fastest workers have finished it.  A dead worker (``inf``) facing an empty prefix
    (``C_s = 0``) costs no wait.

    Parameters
    ----------
    x : (N,) array_like of float
        Block sizes, ``x >= 0``.
    tau : (N,) or (..., N) array_like of float
        Per-worker times per work unit, in any order; ``inf`` allowed (a worker that never
        finishes).

    Returns
    -------
    float or (...,) float64 array
        ``T(x)`` in the time units of ``τ``: a float for one ``tau``, an array for a batch.

    Raises
    ------
    InvalidArgumentError
        ``x`` is not a non-empty 1-D array of finite sizes >= 0, or ``tau``'s last axis is not
        of length N.

    Examples
    --------
    Three workers, two coordinates uncoded, one at level 1, one at level 2: ``C = (2, 4, 7)``.
    The slowest worker (τ = 3) holds up block 0 only, so the round ends at
    ``max(3·2, 2·4, 1·7) = 8``:

    >>> from fastcode.schemes.bcgc import runtime
    >>> runtime([2, 1, 1], [1.0, 3.0, 2.0])
    8.0
    >>> runtime([2, 1, 1], [[1.0, 3.0, 2.0], [1.0, 1.0, 1.0]]).tolist()    # a batch of tau
    [8.0, 7.0]
    """
    x = check_blocks(x)
    tau = np.asarray(tau, dtype=np.float64)
    if tau.shape[-1:] != x.shape:
        raise InvalidArgumentError(f"tau must have shape (..., {x.size}) (one time per worker), "
                                   f"got {tau.shape}")
    # descending order: desc[..., s] = τ_(N-s), the (N-s)-th smallest
    desc = -np.sort(-tau, axis=-1)
    with np.errstate(invalid="ignore"):
        # inf * 0 (a dead worker and an empty prefix) means no wait: 0
        v = np.nan_to_num(desc * cumulative_load(x), nan=0.0, posinf=np.inf)
    out = v.max(axis=-1)
    return float(out) if out.ndim == 0 else out


def block_decode_times(finish: ArrayLike, x: Optional[ArrayLike] = None) -> np.ndarray:
    """Time at which each block becomes decodable, from per-worker finish times.

    Block ``s`` needs the first ``N - s`` workers, so its time is the (N-s)-th smallest of
    column ``s``.  The round ends at the maximum over ``s`` -- the same number as ``runtime``
    (RT) for ``finish = τ ⊗ C``, which is what the tests check.

    Parameters
    ----------
    finish : (..., N, N) array_like of float
        ``finish[..., n, s]`` = time worker ``n`` finishes block ``s`` (what
        ``StragglerModel.sample_partial`` returns for the checkpoints ``C_s``).
    x : (N,) array_like of float, optional
        Block sizes; blocks with ``x_s = 0`` are never sent and decode at time 0.

    Returns
    -------
    (..., N) float64 array
        The decode time of every block ``s``.

    Raises
    ------
    InvalidArgumentError
        ``finish`` is not (..., N, N), or ``x`` is not N finite sizes >= 0.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import block_decode_times, cumulative_load, runtime
    >>> x, tau = [2, 1, 1], np.array([1.0, 3.0, 2.0])
    >>> finish = np.outer(tau, cumulative_load(x))          # worker n ends block s at τ_n C_s
    >>> block_decode_times(finish, x).tolist()
    [6.0, 8.0, 7.0]
    >>> float(block_decode_times(finish, x).max()) == runtime(x, tau)
    True
    """
    finish = np.asarray(finish, dtype=np.float64)
    if finish.ndim < 2 or finish.shape[-1] != finish.shape[-2]:
        raise InvalidArgumentError(f"finish must have shape (..., N, N), got {finish.shape}")
    N = finish.shape[-1]
    srt = np.sort(finish, axis=-2)                              # ascending over workers
    s = np.arange(N)
    out = srt[..., N - 1 - s, s]                                # (N-s)-th smallest of column s
    if x is not None:
        x = check_blocks(x)
        if x.size != N:
            raise InvalidArgumentError(f"x must have {N} entries, got {x.size}")
        out = np.where(x > 0, out, 0.0)
    return out


def runtime_samples(x: ArrayLike, model: StragglerModel, samples: int,
                    rng: Optional[Union[int, np.random.Generator]] = None,
                    chunk: int = 65536) -> np.ndarray:
    """Independent draws of ``T(x)`` by simulating the partial stragglers.

    ``model.sample_partial(N, C(x))`` gives every worker's block finish times, and the round ends
    when the last block is decodable.  Works for any StragglerModel (heterogeneous, failures,
    heavy tails).

    Parameters
    ----------
    x : (N,) array_like of float
        Block sizes, ``x >= 0``.
    model : StragglerModel
        Per-unit time model (``fastcode.sim``); its whole-job time is read as the time per unit.
    samples : int
        Number of rounds to draw, >= 1.
    rng : int or numpy.random.Generator, optional
        Seed or generator.
    chunk : int, default 65536
        Rounds simulated per vectorised call (bounds the memory).

    Returns
    -------
    (samples,) float64 array
        The simulated round times, in the time units of ``τ``.

    Raises
    ------
    InvalidArgumentError
        ``x`` is not N finite sizes >= 0, ``model`` is not a StragglerModel for N workers, or
        ``samples`` is not an integer >= 1.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import expected_runtime, runtime_samples
    >>> from fastcode.sim import ShiftedExponential
    >>> model = ShiftedExponential(1.0, 1.0)
    >>> T = runtime_samples([2, 1, 1], model, 20_000, rng=0)
    >>> T.shape
    (20000,)
    >>> abs(float(T.mean()) - expected_runtime([2, 1, 1], model)) < 0.05      # Monte Carlo vs exact
    True
    """
    x = check_blocks(x)
    N = x.size
    check_model(model, N)
    samples = integer(samples, "samples", 1)
    rng = as_generator(rng)
    C = cumulative_load(x)
    out = np.empty(samples)
    for start in range(0, samples, chunk):
        m = min(chunk, samples - start)
        finish = model.sample_partial(N, C, rng=rng, size=m)    # (m, N workers, N blocks)
        out[start:start + m] = block_decode_times(finish, x).max(axis=-1)
    return out


# ---- special partitions ------------------------------------------------------------------------

def plain_gc_blocks(N: int, L: int, s: int) -> np.ndarray:
    """Plain gradient coding at level ``s``: every coordinate gets redundancy ``s`` (``x = L e_s``).

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : int
        Coordinates, >= 1.
    s : int
        Redundancy level (stragglers tolerated), in ``[0, N)``.

    Returns
    -------
    (N,) float64 array
        ``L`` at index ``s``, 0 elsewhere.

    Raises
    ------
    InvalidArgumentError
        ``N``, ``L`` or ``s`` is not an integer in its range.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import plain_gc_blocks
    >>> plain_gc_blocks(4, 10, 1).tolist()
    [0.0, 10.0, 0.0, 0.0]
    """
    N = integer(N, "N", 1)
    s = integer(s, "s", 0)
    if s >= N:
        raise InvalidArgumentError(f"s must be in [0, N) = [0, {N}), got {s}")
    x = np.zeros(N)
    x[s] = integer(L, "L", 1)
    return x


def uncoded_blocks(N: int, L: int) -> np.ndarray:
    """The uncoded scheme (``x = L e_0``): each worker computes its own subset only.

    Parameters
    ----------
    N : int
        Workers, >= 1.
    L : int
        Coordinates, >= 1.

    Returns
    -------
    (N,) float64 array
        ``L`` at index 0, 0 elsewhere.

    Raises
    ------
    InvalidArgumentError
        ``N`` or ``L`` is not an integer >= 1.

    Examples
    --------
    >>> from fastcode.schemes.bcgc import runtime, uncoded_blocks
    >>> x = uncoded_blocks(3, 10)
    >>> x.tolist()
    [10.0, 0.0, 0.0]
    >>> runtime(x, [1.0, 3.0, 2.0])          # everyone must finish: 10 units at the slowest τ
    30.0
    """
    return plain_gc_blocks(N, L, 0)
