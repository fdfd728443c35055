"""Straggler models: random per-worker completion times.

Load scaling (:ref:`lee-latency-model`).  Work is normalised so that one worker
doing the *whole* job takes a random time ``X`` drawn from the model.  A task
that is a fraction ``load`` of the job (``load = 1/k`` for an (n, k)-MDS task,
``r/n`` for r-replication, ``1/n`` uncoded) takes ``load * X``: the CDF of the
task time is ``F(t / load)``.  For the shifted exponential this is
``T_i = shift/k + Exp(rate k*mu)`` with ``load = 1/k``.

Every model draws ``X`` independently per worker (and per trial) and offers::

    sample(n_workers, load=1.0, rng=None, size=None) -> float64 array
        shape (n_workers,) when size is None, (size, n_workers) for an int
        size, size + (n_workers,) for a tuple.  ``load`` is a positive scalar
        or a per-worker array of shape (n_workers,).  Times are in units of
        the whole job's shift (``X``'s units); ``inf`` means "never returns".
    sample_partial(n_workers, checkpoints, rng=None, size=None)
        partial-straggler view (block-coordinate coding): a worker's speed is constant within
        a run, so it reaches cumulative load ``c`` at time ``c * X``.  Returns
        shape (..., n_workers, len(checkpoints)), one X per worker.
    mean_time(load=1.0) -> expected task time (inf when the mean diverges).

Models are immutable, hashable, picklable and have a readable repr.
"""
import numpy as np

from fastcode._util.rng import as_generator
from fastcode.sim._checks import (
    SimParameterError,
    positive_int,
    probability,
    real_array,
    real_scalar,
)

__all__ = [
    "StragglerModel",
    "ShiftedExponential",
    "Exponential",
    "Deterministic",
    "BernoulliFailures",
    "Pareto",
    "HeterogeneousShiftedExponential",
    "PerWorker",
    "Empirical",
]


class StragglerModel:
    """Base class.  Subclasses set their parameters in ``__init__`` through
    ``_set`` and implement ``_draw(shape, rng)`` (whole-job times ``X``, last
    axis = workers) and ``_mean()`` (``E[X]``)."""

    __slots__ = ()
    #: Number of workers the model is tied to (per-worker models), else None.
    n_workers = None

    # -- immutability, equality, pickling and repr from one parameter list --
    def _params(self):
        """Constructor arguments, in signature order: {name: value}."""
        raise NotImplementedError

    def _set(self, **values):
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self):
        return (type(self), tuple(self._params().values()))

    def _key(self):
        return tuple((k, tuple(v.tolist()) if isinstance(v, np.ndarray) else v)
                     for k, v in self._params().items())

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def __repr__(self):
        args = ", ".join(f"{k}={_short(v)}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    # -- sampling --------------------------------------------------------------
    def sample(self, n_workers, load=1.0, rng=None, size=None):
        """Completion times of ``n_workers`` tasks of fraction ``load`` of the job.

        Returns float64 of shape ``(n_workers,)`` (size None), ``(size, n_workers)``
        (int size) or ``size + (n_workers,)`` (tuple size)."""
        n_workers = self._check_workers(n_workers)
        load = _check_load(load, n_workers)
        x = self._draw(_shape(size, n_workers), as_generator(rng))
        # _draw always returns a fresh array, so scale in place (large batches are memory-bound).
        return np.multiply(x, load, out=x)

    def sample_partial(self, n_workers, checkpoints, rng=None, size=None):
        """Times at which each worker reaches each cumulative load in ``checkpoints``.

        One whole-job time ``X`` per worker (and trial), scaled by each checkpoint:
        shape ``_shape(size) + (n_workers, len(checkpoints))``."""
        n_workers = self._check_workers(n_workers)
        c = real_array(checkpoints, "checkpoints", nonnegative=True)
        if c.ndim != 1:
            raise SimParameterError(f"checkpoints must be 1-D, got shape {c.shape}")
        x = self._draw(_shape(size, n_workers), as_generator(rng))
        with np.errstate(invalid="ignore"):
            # inf * 0 (a failed worker at checkpoint 0) is nan; it has done 0 work at t = 0.
            return np.nan_to_num(x[..., None] * c, nan=0.0, posinf=np.inf)

    def mean_time(self, load=1.0):
        """Expected completion time of a task of fraction ``load``: ``load * E[X]``.

        ``load``: positive scalar or array (broadcast); inf when E[X] diverges."""
        load = real_array(load, "load", positive=True)
        out = load * self._mean()
        return float(out) if np.ndim(out) == 0 else out

    def _check_workers(self, n_workers):
        n_workers = positive_int(n_workers, "n_workers")
        if self.n_workers is not None and n_workers != self.n_workers:
            raise SimParameterError(
                f"n_workers must be {self.n_workers} for {type(self).__name__} "
                f"(one parameter set per worker), got {n_workers}")
        return n_workers

    def _draw(self, shape, rng):
        raise NotImplementedError

    def _mean(self):
        raise NotImplementedError


class ShiftedExponential(StragglerModel):
    """Whole-job time ``X = shift + Exp(rate mu)``; CDF ``1 - exp(-mu (t - shift))``, t >= shift.

    A task of load ``l = 1/k`` takes ``l * X = shift/k + Exp(rate k*mu)`` (:ref:`lee-latency-model`).
    ``mu`` > 0 is the straggling parameter (small = heavy straggling);
    ``shift`` >= 0 is the deterministic part (1 in the normalisation of :ref:`the latency model <lee-latency-model>`)."""

    __slots__ = ("mu", "shift")

    def __init__(self, mu, shift=1.0):
        self._set(mu=real_scalar(mu, "mu", positive=True),
                  shift=real_scalar(shift, "shift", nonnegative=True))

    def _params(self):
        return {"mu": self.mu, "shift": self.shift}

    def _draw(self, shape, rng):
        x = rng.standard_exponential(size=shape)
        x *= 1.0 / self.mu
        x += self.shift
        return x

    def _mean(self):
        return self.shift + 1.0 / self.mu

    def cdf(self, t, load=1.0):
        """``P(load * X <= t)``, element-wise over ``t``."""
        load = real_scalar(load, "load", positive=True)
        u = np.asarray(t, dtype=np.float64) / load - self.shift
        out = -np.expm1(-self.mu * np.maximum(u, 0.0))
        return float(out) if np.ndim(out) == 0 else out

    def ppf(self, q, load=1.0):
        """Quantile: the ``t`` with ``cdf(t, load) = q``, for ``q`` in [0, 1]."""
        load = real_scalar(load, "load", positive=True)
        q = real_array(q, "q", nonnegative=True)
        if (q > 1).any():
            raise SimParameterError(f"q must be in [0, 1], got {q}")
        with np.errstate(divide="ignore"):
            out = load * (self.shift - np.log1p(-q) / self.mu)
        return float(out) if np.ndim(out) == 0 else out


class Exponential(ShiftedExponential):
    """Unshifted model: ``X ~ Exp(rate mu)`` (``ShiftedExponential(mu, shift=0)``)."""

    __slots__ = ()

    def __init__(self, mu):
        super().__init__(mu, 0.0)

    def _params(self):
        return {"mu": self.mu}


class Deterministic(StragglerModel):
    """No randomness: ``X = time``.  Useful as the base of :class:`BernoulliFailures`
    and for hand-checked tests."""

    __slots__ = ("time",)

    def __init__(self, time=1.0):
        self._set(time=real_scalar(time, "time", nonnegative=True))

    def _params(self):
        return {"time": self.time}

    def _draw(self, shape, rng):
        return np.full(shape, self.time)

    def _mean(self):
        return self.time


class BernoulliFailures(StragglerModel):
    """Each worker fails independently with probability ``p`` and then never
    returns (time ``inf``); otherwise its time follows ``base``
    (default ``Deterministic(1.0)``: the pure erasure model)."""

    __slots__ = ("p", "base")

    def __init__(self, p, base=None):
        if base is None:
            base = Deterministic(1.0)
        if not isinstance(base, StragglerModel):
            raise SimParameterError(f"base must be a StragglerModel, got {base!r}")
        self._set(p=probability(p, "p"), base=base)

    @property
    def n_workers(self):
        return self.base.n_workers

    def _params(self):
        return {"p": self.p, "base": self.base}

    def _draw(self, shape, rng):
        x = self.base._draw(shape, rng)
        x[rng.random(shape) < self.p] = np.inf
        return x

    def _mean(self):
        # A worker that may never return has an infinite expected time.
        return np.inf if self.p > 0 else self.base._mean()


class Pareto(StragglerModel):
    """Heavy tail: ``P(X > x) = (scale / x)**alpha`` for ``x >= scale``.

    ``E[X] = alpha*scale/(alpha - 1)`` for ``alpha > 1`` (inf otherwise);
    the variance is finite only for ``alpha > 2``."""

    __slots__ = ("alpha", "scale")

    def __init__(self, alpha, scale=1.0):
        self._set(alpha=real_scalar(alpha, "alpha", positive=True),
                  scale=real_scalar(scale, "scale", positive=True))

    def _params(self):
        return {"alpha": self.alpha, "scale": self.scale}

    def _draw(self, shape, rng):
        # Generator.pareto draws the Lomax (Pareto II) law, supported on [0, inf).
        return self.scale * (1.0 + rng.pareto(self.alpha, size=shape))

    def _mean(self):
        return self.alpha * self.scale / (self.alpha - 1) if self.alpha > 1 else np.inf

    def cdf(self, t, load=1.0):
        """``P(load * X <= t)``, element-wise over ``t``."""
        load = real_scalar(load, "load", positive=True)
        x = np.asarray(t, dtype=np.float64) / load
        with np.errstate(divide="ignore"):
            out = np.where(x >= self.scale, 1.0 - (self.scale / np.maximum(x, self.scale)) ** self.alpha, 0.0)
        return float(out) if np.ndim(out) == 0 else out


class HeterogeneousShiftedExponential(StragglerModel):
    """Worker ``i`` has its own ``X_i = shift[i] + Exp(rate mu[i])``.

    ``mu``, ``shift``: arrays of length ``n_workers`` (one may be a scalar,
    broadcast to the other's length).  ``sample`` then requires exactly that
    many workers; ``mean_time`` returns one mean per worker, shape (n_workers,)."""

    __slots__ = ("mu", "shift", "n_workers")

    def __init__(self, mu, shift=1.0):
        mu = real_array(mu, "mu", positive=True)
        shift = real_array(shift, "shift", nonnegative=True)
        if mu.ndim > 1 or shift.ndim > 1:
            raise SimParameterError("mu and shift must be scalars or 1-D arrays (one entry per worker)")
        try:
            mu, shift = np.broadcast_arrays(mu, shift)
        except ValueError:
            raise SimParameterError(
                f"mu and shift must have the same length, got {mu.shape[0]} and {shift.shape[0]}") from None
        if mu.ndim == 0:
            raise SimParameterError("mu or shift must be an array (one entry per worker)")
        self._set(mu=_frozen(mu), shift=_frozen(shift), n_workers=int(mu.shape[0]))

    def _params(self):
        return {"mu": self.mu, "shift": self.shift}

    def _draw(self, shape, rng):
        # Exp(rate mu_i) = Exp(1) / mu_i, broadcast along the worker axis.
        x = rng.standard_exponential(size=shape)
        x /= self.mu
        x += self.shift
        return x

    def _mean(self):
        return self.shift + 1.0 / self.mu

    def mean_time(self, load=1.0):
        load = real_array(load, "load", positive=True)
        return load * self._mean()


class PerWorker(StragglerModel):
    """Heterogeneous workers with arbitrary per-worker models: worker ``i``
    draws from ``models[i]``.  Sampling loops over workers (not trials), so it
    stays vectorised over trials; ``mean_time`` returns shape (n_workers,)."""

    __slots__ = ("models", "n_workers")

    def __init__(self, models):
        models = tuple(models)
        if not models or not all(isinstance(m, StragglerModel) and m.n_workers is None for m in models):
            raise SimParameterError(
                "models must be a non-empty sequence of single-worker StragglerModel objects")
        self._set(models=models, n_workers=len(models))

    def _params(self):
        return {"models": self.models}

    def _draw(self, shape, rng):
        out = np.empty(shape)
        for i, model in enumerate(self.models):
            out[..., i] = model._draw(shape[:-1], rng)
        return out

    def _mean(self):
        return np.array([m._mean() for m in self.models])

    def mean_time(self, load=1.0):
        load = real_array(load, "load", positive=True)
        return load * self._mean()


class Empirical(StragglerModel):
    """Resample measured completion times (with replacement, i.i.d. per worker).

    ``times``: 1-D array of measured times of tasks of fraction ``load`` of the
    job (``inf`` allowed for workers that never returned); a task of load ``l``
    is modelled as ``(l / load) * time``."""

    __slots__ = ("times", "load")

    def __init__(self, times, load=1.0):
        times = real_array(times, "times", nonnegative=True, allow_inf=True)
        if times.ndim != 1 or times.size == 0:
            raise SimParameterError(f"times must be a non-empty 1-D array, got shape {times.shape}")
        self._set(times=_frozen(times.copy()), load=real_scalar(load, "load", positive=True))

    def _params(self):
        return {"times": self.times, "load": self.load}

    def __repr__(self):
        finite = self.times[np.isfinite(self.times)]
        median = f", median {np.median(finite):.4g}" if finite.size else ""
        return (f"Empirical(times=<{self.times.size} samples{median}"
                f", {self.times.size - finite.size} inf>, load={self.load!r})")

    def _draw(self, shape, rng):
        return self.times[rng.integers(0, self.times.size, size=shape)] / self.load

    def _mean(self):
        return float(np.mean(self.times)) / self.load


def _shape(size, n_workers):
    if size is None:
        return (n_workers,)
    if isinstance(size, (tuple, list)):
        return tuple(positive_int(s, "size", minimum=0) for s in size) + (n_workers,)
    return (positive_int(size, "size", minimum=0), n_workers)


def _check_load(load, n_workers):
    load = real_array(load, "load", positive=True)
    if load.ndim > 1 or (load.ndim == 1 and load.shape[0] != n_workers):
        raise SimParameterError(
            f"load must be a scalar or an array of shape ({n_workers},), got shape {load.shape}")
    return load


def _frozen(arr):
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _short(value):
    if isinstance(value, np.ndarray):
        items = ", ".join(f"{v:g}" for v in value[:8])
        return f"[{items}{', ...' if value.size > 8 else ''}]"
    if isinstance(value, tuple):
        return "(" + ", ".join(repr(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)
