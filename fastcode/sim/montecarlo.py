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
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from fastcode._util.rng import as_generator
from fastcode.sim._checks import SimParameterError, positive_int, real_scalar
from fastcode.sim.stragglers import StragglerModel

__all__ = ["SimulationResult", "simulate", "normal_ci"]

# Finish-time elements generated per batch: 2^20 float64 = 8 MiB (plus the rule's temporaries).
_BATCH_ELEMENTS = 1 << 20


def normal_ci(samples, level=0.95):
    """Normal-approximation confidence interval of the mean of ``samples``.

    Returns ``(mean, half_width)``: the interval is ``mean +- half_width``.
    With any infinite sample the mean is inf and the half-width inf."""
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

    ``samples``: float64 array (trials,) of job times (``inf`` = the job never
    completed, e.g. too many failed workers).  ``level``: confidence level of ``ci``."""

    samples: np.ndarray = field(repr=False)
    level: float = 0.95
    name: str = ""

    @property
    def trials(self):
        return int(self.samples.size)

    @property
    def mean(self):
        """Sample mean of the job time (inf if any trial never completed)."""
        return normal_ci(self.samples, self.level)[0]

    @property
    def std(self):
        """Sample standard deviation (ddof=1) of the finite job times."""
        finite = self.samples[np.isfinite(self.samples)]
        return float(finite.std(ddof=1)) if finite.size > 1 else float("nan")

    @property
    def stderr(self):
        """Standard error of the mean (inf if any trial never completed)."""
        if not np.isfinite(self.samples).all():
            return np.inf
        return self.std / np.sqrt(self.trials)

    @property
    def half_width(self):
        """Half-width of the ``level`` normal confidence interval of the mean."""
        return normal_ci(self.samples, self.level)[1]

    @property
    def ci(self):
        """``(low, high)``: the ``level`` normal confidence interval of the mean."""
        mean, half = normal_ci(self.samples, self.level)
        if not np.isfinite(mean):
            return mean, mean  # inf - inf would be nan: the mean itself diverges
        return mean - half, mean + half

    @property
    def completed_fraction(self):
        """Fraction of trials whose job completed (finite time)."""
        return float(np.isfinite(self.samples).mean())

    def percentile(self, q):
        """Percentile(s) ``q`` in [0, 100] of the job time (inf-aware: no interpolation
        across an infinite sample)."""
        method = "linear" if np.isfinite(self.samples).all() else "inverted_cdf"
        out = np.percentile(self.samples, q, method=method)
        return float(out) if np.ndim(out) == 0 else out

    def summary(self, percentiles=(50, 95, 99)):
        """Plain dict of the statistics, for tables and JSON."""
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


def simulate(rule, model, trials, rng=None, *, load=None, level=0.95, batch_size=None):
    """Simulate ``trials`` rounds of a scheme and return a :class:`SimulationResult`.

    ``rule``: a decoding rule (see :mod:`fastcode.sim.rules`) with ``n_workers``,
    ``load`` and ``rule(times (m, n_workers)) -> (m,)``.
    ``model``: a :class:`~fastcode.sim.stragglers.StragglerModel`.
    ``load``: overrides ``rule.load`` (scalar or per-worker array).
    ``rng``: None, a seed or a ``numpy.random.Generator``.
    ``batch_size``: trials per batch (default: about 2^20 finish times per batch)."""
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


def _check_level(level):
    level = real_scalar(level, "level")
    if not 0 < level < 1:
        raise SimParameterError(f"level must be in (0, 1), got {level}")
    return level
