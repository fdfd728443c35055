"""Monte Carlo estimation of a scheme's job completion time.

``simulate(rule, model, trials, rng)`` draws ``trials`` independent rounds:
per round, ``rule.n_workers`` finish times from ``model`` at ``rule.load``,
reduced to one job time by the decoding ``rule`` (see :mod:`fastcode.sim.rules`).
Draws are made in batches of whole trials (bounded memory), so the built-in
rules never loop over trials in Python.

Confidence intervals are normal approximations: ``mean +- z * s / sqrt(N)``,
with ``z`` the two-sided quantile of the stated ``level`` (0.95 by default)
and ``s`` the sample standard deviation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Dict, Iterable, Literal, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.rng import as_generator
from fastcode.sim._checks import SimParameterError, positive_int, real_scalar
from fastcode.sim.rules import DecodingRule
from fastcode.sim.stragglers import RNGLike, StragglerModel

__all__ = ["SimulationResult", "simulate", "normal_ci"]

# Finish-time elements generated per batch: 2^20 float64 = 8 MiB (plus the rule's temporaries).
_BATCH_ELEMENTS = 1 << 20


def normal_ci(samples: ArrayLike, level: float = 0.95) -> Tuple[float, float]:
    """Normal-approximation confidence interval of the mean of ``samples``.

    The interval is ``mean +- z * s / sqrt(N)``, with ``z`` the two-sided
    normal quantile of ``level`` and ``s`` the sample standard deviation
    (ddof=1).

    Parameters
    ----------
    samples : float array
        Non-empty samples (any shape; flattened).
    level : float, default 0.95
        Confidence level, in (0, 1).

    Returns
    -------
    mean : float
        The sample mean (inf with any infinite sample).
    half_width : float
        The interval is ``mean +- half_width``; inf with any infinite sample
        or a single sample.

    Raises
    ------
    SimParameterError
        ``samples`` empty or ``level`` outside (0, 1).

    Examples
    --------
    >>> from fastcode.sim.montecarlo import normal_ci
    >>> mean, half = normal_ci([1.0, 2.0, 3.0])
    >>> mean, round(half, 4)             # 1.96 * 1 / sqrt(3)
    (2.0, 1.1316)
    >>> normal_ci([1.0, np.inf])
    (inf, inf)
    """
    level = _check_level(level)
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size == 0:
        raise SimParameterError("samples must not be empty")
    if not np.isfinite(x).all():
        return float(np.mean(x)), np.inf
    if x.size == 1:
        return float(x[0]), np.inf
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return float(x.mean()), float(z * x.std(ddof=1) / np.sqrt(x.size))


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Job completion times of ``trials`` simulated rounds, with summary statistics.

    Made by :func:`simulate`; immutable.  Statistics that average (``mean``,
    ``stderr``, ``ci``) are inf as soon as one trial never completed.

    Parameters
    ----------
    samples : (trials,) float64 array
        Job times (``inf`` = the job never completed, e.g. too many failed
        workers).
    level : float, default 0.95
        Confidence level of ``ci`` and ``half_width``.
    name : str, default ""
        Label of the scheme (the rule's ``name``), for tables.

    Examples
    --------
    >>> from fastcode.sim.montecarlo import SimulationResult
    >>> result = SimulationResult(np.array([1.0, 2.0, 3.0, 4.0]), name="toy")
    >>> result
    SimulationResult(toy: mean=2.5 +- 1.3 (95% CI), trials=4)
    >>> result.trials, result.percentile(50)
    (4, 2.5)
    >>> [round(x, 4) for x in result.ci]
    [1.2348, 3.7652]
    """

    samples: np.ndarray = field(repr=False)
    level: float = 0.95
    name: str = ""

    @property
    def trials(self) -> int:
        """Number of simulated rounds."""
        return int(self.samples.size)

    @property
    def mean(self) -> float:
        """Sample mean of the job time (inf if any trial never completed)."""
        return normal_ci(self.samples, self.level)[0]

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof=1) of the finite job times."""
        finite = self.samples[np.isfinite(self.samples)]
        return float(finite.std(ddof=1)) if finite.size > 1 else float("nan")

    @property
    def stderr(self) -> float:
        """Standard error of the mean (inf if any trial never completed)."""
        if not np.isfinite(self.samples).all():
            return np.inf
        return self.std / np.sqrt(self.trials)

    @property
    def half_width(self) -> float:
        """Half-width of the ``level`` normal confidence interval of the mean."""
        return normal_ci(self.samples, self.level)[1]

    @property
    def ci(self) -> Tuple[float, float]:
        """``(low, high)``: the ``level`` normal confidence interval of the mean."""
        mean, half = normal_ci(self.samples, self.level)
        if not np.isfinite(mean):
            return mean, mean  # inf - inf would be nan: the mean itself diverges
        return mean - half, mean + half

    @property
    def completed_fraction(self) -> float:
        """Fraction of trials whose job completed (finite time)."""
        return float(np.isfinite(self.samples).mean())

    def percentile(self, q: ArrayLike) -> Union[float, np.ndarray]:
        """Percentile(s) ``q`` in [0, 100] of the job time.

        Inf-aware: with an infinite sample there is no interpolation across it
        (NumPy's ``inverted_cdf`` method; ``linear`` otherwise).

        Parameters
        ----------
        q : float or float array
            Percentile(s) in [0, 100].

        Returns
        -------
        float or float64 array
            A float for a scalar ``q``, else an array of ``q``'s shape.

        Examples
        --------
        >>> from fastcode.sim.montecarlo import SimulationResult
        >>> result = SimulationResult(np.array([1.0, 2.0, np.inf, 4.0]))
        >>> result.percentile([25, 50, 100]).tolist()
        [1.0, 2.0, inf]
        """
        method: Literal["linear", "inverted_cdf"] = (
            "linear" if np.isfinite(self.samples).all() else "inverted_cdf")
        out = np.percentile(self.samples, np.asarray(q, dtype=np.float64), method=method)
        return float(out) if np.ndim(out) == 0 else out

    def summary(self, percentiles: Iterable[float] = (50, 95, 99)) -> Dict[str, Any]:
        """Plain dict of the statistics, for tables and JSON.

        Parameters
        ----------
        percentiles : iterable of float, default (50, 95, 99)
            Percentiles in [0, 100] to add, as keys ``"p50"``, ``"p95"``, ...

        Returns
        -------
        dict
            ``name``, ``trials``, ``mean``, ``std``, ``stderr``, ``level``,
            ``ci_low``, ``ci_high``, ``completed_fraction`` and one ``p<q>``
            per percentile.

        Examples
        --------
        >>> from fastcode.sim.montecarlo import SimulationResult
        >>> stats = SimulationResult(np.array([1.0, 2.0, 3.0, 4.0])).summary(percentiles=[50])
        >>> sorted(stats)
        ['ci_high', 'ci_low', 'completed_fraction', 'level', 'mean', 'name', 'p50', 'std', 'stderr', 'trials']
        >>> stats["mean"], stats["p50"]
        (2.5, 2.5)
        """
        low, high = self.ci
        out = {"name": self.name, "trials": self.trials, "mean": self.mean, "std": self.std,
               "stderr": self.stderr, "level": self.level, "ci_low": low, "ci_high": high,
               "completed_fraction": self.completed_fraction}
        for q in percentiles:
            out[f"p{q:g}"] = self.percentile(q)
        return out

    def __repr__(self):
        return (f"SimulationResult({self.name + ': ' if self.name else ''}mean={self.mean:.6g} "
                f"+- {self.half_width:.2g} ({self.level:.0%} CI), trials={self.trials})")


def simulate(rule: DecodingRule, model: StragglerModel, trials: int, rng: RNGLike = None, *,
             load: Optional[ArrayLike] = None, level: float = 0.95,
             batch_size: Optional[int] = None) -> SimulationResult:
    """Simulate ``trials`` rounds of a scheme and return a :class:`SimulationResult`.

    Per round, ``rule.n_workers`` finish times are drawn from ``model`` at
    the load, and ``rule`` reduces them to one job time.  Trials are drawn
    in batches (bounded memory, no Python loop over trials).

    Parameters
    ----------
    rule : decoding rule
        A decoding rule (see :mod:`fastcode.sim.rules`) with ``n_workers``,
        ``load`` and ``rule(times (m, n_workers)) -> (m,)``.
    model : StragglerModel
        The workers' straggler model (:mod:`fastcode.sim.stragglers`).
    trials : int
        Number of rounds, >= 1.
    rng : None, int, sequence of int or numpy.random.Generator, optional
        Seed or generator of the draws (a new generator from a seed).
    load : float or float array, optional
        Overrides ``rule.load`` (a scalar, or one load per worker: shape
        ``(rule.n_workers,)``).
    level : float, default 0.95
        Confidence level of the result's interval, in (0, 1).
    batch_size : int, optional
        Trials per batch (default: about 2^20 finish times per batch).

    Returns
    -------
    SimulationResult
        The ``trials`` job times, named after the rule.

    Raises
    ------
    SimParameterError
        ``model`` not a StragglerModel, ``rule`` not callable or without
        ``n_workers``, the rule's output not of shape (m,), or a bad
        ``trials``, ``level``, ``batch_size`` or ``load``.

    Examples
    --------
    A (10, 5) MDS code under the shifted-exponential model, against the
    closed form:

    >>> from fastcode.sim.latency import expected_time_mds
    >>> from fastcode.sim.montecarlo import simulate
    >>> from fastcode.sim.rules import mds
    >>> from fastcode.sim.stragglers import ShiftedExponential
    >>> result = simulate(mds(10, 5), ShiftedExponential(mu=1.0), trials=2000, rng=0)
    >>> result
    SimulationResult(MDS(10,5): mean=0.327846 +- 0.0026 (95% CI), trials=2000)
    >>> low, high = result.ci
    >>> bool(low <= expected_time_mds(10, 5, mu=1.0) <= high)
    True
    """
    if not isinstance(model, StragglerModel):
        raise SimParameterError(f"model must be a StragglerModel, got {model!r}")
    n_workers = getattr(rule, "n_workers", None)
    if not callable(rule) or n_workers is None:
        raise SimParameterError(f"rule must be a callable decoding rule with n_workers, got {rule!r}")
    trials = positive_int(trials, "trials")
    level = _check_level(level)
    load = rule.load if load is None else load
    if batch_size is None:
        batch_size = max(1, _BATCH_ELEMENTS // n_workers)
    batch_size = positive_int(batch_size, "batch_size")
    gen = as_generator(rng)

    samples = np.empty(trials)
    for start in range(0, trials, batch_size):
        m = min(batch_size, trials - start)
        times = model.sample(n_workers, load, gen, size=m)
        job = np.asarray(rule(times), dtype=np.float64)
        if job.shape != (m,):
            raise SimParameterError(f"rule must return shape ({m},) for {m} trials, got {job.shape}")
        samples[start:start + m] = job
    return SimulationResult(samples, level, getattr(rule, "name", ""))


def _check_level(level: float) -> float:
    level = real_scalar(level, "level")
    if not 0 < level < 1:
        raise SimParameterError(f"level must be in (0, 1), got {level}")
    return level
