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
import numpy as np

from fastcode._util.validate import integer
from fastcode.errors import InvalidArgumentError
from fastcode._util.rng import as_generator
from fastcode.sim.stragglers import StragglerModel

__all__ = ["cumulative_load", "runtime", "block_decode_times", "runtime_samples",
           "plain_gc_blocks", "uncoded_blocks"]


# ---- validation shared by the bcgc modules --------------------------------------------------

def check_blocks(x, L=None, name="x"):
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


def check_model(model, N=None):
    """``model`` must be a ``fastcode.sim`` StragglerModel usable with ``N`` workers."""
    if not isinstance(model, StragglerModel):
        raise InvalidArgumentError(f"model must be a fastcode.sim StragglerModel (e.g. "
                                   f"ShiftedExponential(mu, shift)), got {model!r}")
    if N is not None and model.n_workers is not None and model.n_workers != N:
        raise InvalidArgumentError(f"model is tied to {model.n_workers} workers, but N={N}")
    return model


# ---- the runtime formula ----------------------------------------------------------------------

def cumulative_load(x):
    """``C_s(x) = Σ_{i<=s} (i + 1) x_i`` for s = 0..N-1: shape (N,), or (..., N) for a batch of
    partitions ``x`` (..., N).  Units: work units (coordinate × data subset)."""
    x = np.asarray(x, dtype=np.float64)
    return np.cumsum(x * np.arange(1, x.shape[-1] + 1), axis=-1)


def runtime(x, tau):
    """``T(x) = max_s τ_(N-s) C_s(x)`` (RT) for per-unit times ``tau``.

    ``x``: (N,) block sizes; ``tau``: (N,) or (..., N) per-worker times per unit (any order; ``inf``
    allowed).  Returns a float, or shape (...,) for a batch of ``tau``."""
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


def block_decode_times(finish, x=None):
    """Time at which each block becomes decodable, from per-worker finish times.

    ``finish``: (..., N, N), ``finish[..., n, s]`` = time worker ``n`` finishes block ``s`` (what
    ``StragglerModel.sample_partial`` returns for the checkpoints ``C_s``).  Block ``s`` needs the
    first ``N - s`` workers, so its time is the (N-s)-th smallest of column ``s``.  Blocks with
    ``x_s = 0`` (when ``x`` is given) are never sent and decode at time 0.  Returns (..., N); the
    round ends at the maximum over ``s`` -- the same number as ``runtime`` (RT) for
    ``finish = τ ⊗ C``, which is what the tests check."""
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


def runtime_samples(x, model, samples, rng=None, chunk=65536):
    """``samples`` independent draws of ``T(x)`` (shape (samples,)) by simulating the partial
    stragglers: ``model.sample_partial(N, C(x))`` gives every worker's block finish times, and the
    round ends when the last block is decodable.  Works for any StragglerModel (heterogeneous,
    failures, heavy tails)."""
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

def plain_gc_blocks(N, L, s):
    """Plain gradient coding at level ``s``: every coordinate gets redundancy ``s`` (``x = L e_s``)."""
    N = integer(N, "N", 1)
    s = integer(s, "s", 0)
    if s >= N:
        raise InvalidArgumentError(f"s must be in [0, N) = [0, {N}), got {s}")
    x = np.zeros(N)
    x[s] = integer(L, "L", 1)
    return x


def uncoded_blocks(N, L):
    """The uncoded scheme (``x = L e_0``): each worker computes its own subset only."""
    return plain_gc_blocks(N, L, 0)
