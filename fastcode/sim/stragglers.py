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
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

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

#: What ``rng=`` accepts everywhere: None (fresh entropy), an int seed (or a sequence of
#: them, or a SeedSequence: what numpy.random.default_rng takes) or a Generator.
RNGLike = Union[None, int, Sequence[int], np.random.SeedSequence, np.random.Generator]
#: What ``size=`` accepts: None, a number of trials or a tuple of trial axes.
SizeLike = Union[None, int, Sequence[int]]


class StragglerModel:
    """Base class of the straggler models: random whole-job times ``X``, one per worker.

    Subclasses set their parameters in ``__init__`` through ``_set`` and
    implement ``_draw(shape, rng)`` (whole-job times ``X``, last axis =
    workers) and ``_mean()`` (``E[X]``).  The base class turns these into
    :meth:`sample`, :meth:`sample_partial` and :meth:`mean_time`, and gives
    every model immutability, equality, hashing, pickling and a repr from its
    constructor arguments.  ``n_workers`` is the number of workers a
    per-worker model is tied to (None for the i.i.d. models).

    See Also
    --------
    ShiftedExponential : the model of the latency analysis.
    fastcode.sim.montecarlo.simulate : Monte-Carlo completion times of a scheme.

    Examples
    --------
    Every model samples the same way; here a task of a quarter of the job on
    four workers, then two trials of three workers:

    >>> from fastcode.sim.stragglers import ShiftedExponential
    >>> model = ShiftedExponential(mu=2.0, shift=1.0)
    >>> model.sample(4, load=0.25, rng=0).round(4).tolist()
    [0.335, 0.3774, 0.2525, 0.2503]
    >>> model.sample(3, rng=0, size=2).shape
    (2, 3)
    >>> model.mean_time(0.25)
    0.375
    >>> model == ShiftedExponential(2.0) and model.n_workers is None
    True
    """

    __slots__ = ()
    #: Number of workers the model is tied to (per-worker models), else None.
    n_workers: Optional[int] = None

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
    def sample(self, n_workers: int, load: ArrayLike = 1.0, rng: RNGLike = None,
               size: SizeLike = None) -> np.ndarray:
        """Completion times of ``n_workers`` tasks of fraction ``load`` of the job.

        Each worker draws its own whole-job time ``X`` (independently per
        trial) and takes ``load * X``.

        Parameters
        ----------
        n_workers : int
            Number of workers (>= 1); a per-worker model requires exactly its
            own ``n_workers``.
        load : float or float array, default 1.0
            Positive fraction of the job each task is (``1/k`` for an
            (n, k)-MDS task), one value or one per worker (shape
            ``(n_workers,)``).
        rng : None, int, sequence of int or numpy.random.Generator, optional
            Seed or generator of the draws.
        size : None, int or tuple of int, optional
            Trial axes in front of the worker axis.

        Returns
        -------
        float64 array
            Shape ``(n_workers,)`` (size None), ``(size, n_workers)`` (int size)
            or ``size + (n_workers,)`` (tuple size), in ``X``'s units; ``inf``
            means the worker never returns.

        Raises
        ------
        SimParameterError
            ``n_workers`` not a positive int (or not the model's own count),
            ``load`` not positive or of the wrong shape, ``size`` negative.

        Examples
        --------
        >>> from fastcode.sim.stragglers import Deterministic
        >>> Deterministic(2.0).sample(3, load=[1.0, 0.5, 0.25]).tolist()
        [2.0, 1.0, 0.5]
        """
        n_workers = self._check_workers(n_workers)
        load = _check_load(load, n_workers)
        x = self._draw(_shape(size, n_workers), as_generator(rng))
        # _draw always returns a fresh array, so scale in place (large batches are memory-bound).
        return np.multiply(x, load, out=x)

    def sample_partial(self, n_workers: int, checkpoints: ArrayLike, rng: RNGLike = None,
                       size: SizeLike = None) -> np.ndarray:
        """Times at which each worker reaches each cumulative load in ``checkpoints``.

        The partial-straggler view (block-coordinate coding): a worker's speed
        is constant within a run, so one whole-job time ``X`` per worker (and
        trial) is scaled by each checkpoint ``c``: the worker has done load
        ``c`` at time ``c * X``.  A failed worker (``X = inf``) reaches
        checkpoint 0 at time 0 and no other.

        Parameters
        ----------
        n_workers : int
            Number of workers (>= 1).
        checkpoints : 1-D float array
            Non-negative cumulative loads.
        rng : None, int, sequence of int or numpy.random.Generator, optional
            Seed or generator of the draws.
        size : None, int or tuple of int, optional
            Trial axes in front of the worker axis.

        Returns
        -------
        float64 array
            Shape ``trial axes + (n_workers, len(checkpoints))``.

        Raises
        ------
        SimParameterError
            ``checkpoints`` negative or not 1-D, or a bad ``n_workers`` or
            ``size``.

        Examples
        --------
        >>> from fastcode.sim.stragglers import ShiftedExponential
        >>> t = ShiftedExponential(2.0).sample_partial(3, [0.0, 0.5, 1.0], rng=0)
        >>> t.shape
        (3, 3)
        >>> t.round(3).tolist()[0]
        [0.0, 0.67, 1.34]
        """
        n_workers = self._check_workers(n_workers)
        c = real_array(checkpoints, "checkpoints", nonnegative=True)
        if c.ndim != 1:
            raise SimParameterError(f"checkpoints must be 1-D, got shape {c.shape}")
        x = self._draw(_shape(size, n_workers), as_generator(rng))
        with np.errstate(invalid="ignore"):
            # inf * 0 (a failed worker at checkpoint 0) is nan; it has done 0 work at t = 0.
            return np.nan_to_num(x[..., None] * c, nan=0.0, posinf=np.inf)

    def mean_time(self, load: ArrayLike = 1.0) -> Union[float, np.ndarray]:
        """Expected completion time of a task of fraction ``load``: ``load * E[X]``.

        Parameters
        ----------
        load : float or float array, default 1.0
            Positive fraction(s) of the job (broadcast).

        Returns
        -------
        float or float64 array
            A float for a scalar ``load`` (per-worker models: one mean per
            worker), ``inf`` when ``E[X]`` diverges.

        Raises
        ------
        SimParameterError
            ``load`` not positive.

        Examples
        --------
        >>> from fastcode.sim.stragglers import Pareto
        >>> Pareto(3.0).mean_time([1.0, 0.5]).tolist()
        [1.5, 0.75]
        >>> Pareto(1.0).mean_time()
        inf
        """
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

    Parameters
    ----------
    mu : float
        Straggling parameter, > 0 (small = heavy straggling).
    shift : float, default 1.0
        Deterministic part, >= 0 (1 in the normalisation of
        :ref:`the latency model <lee-latency-model>`).

    Raises
    ------
    SimParameterError
        ``mu`` not positive or ``shift`` negative.

    See Also
    --------
    Exponential : the unshifted model.
    HeterogeneousShiftedExponential : one (mu, shift) per worker.

    Examples
    --------
    Five workers each doing a quarter of the job (an (n, k) = (5, 4) MDS task):

    >>> from fastcode.sim.stragglers import ShiftedExponential
    >>> model = ShiftedExponential(mu=2.0, shift=1.0)
    >>> model
    ShiftedExponential(mu=2.0, shift=1.0)
    >>> times = model.sample(5, load=0.25, rng=0)
    >>> bool((times >= 0.25).all())      # never faster than shift/k
    True
    >>> model.mean_time(0.25)            # shift/k + 1/(k mu)
    0.375
    """

    __slots__ = ("mu", "shift")
    mu: float
    shift: float

    def __init__(self, mu: float, shift: float = 1.0) -> None:
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

    def cdf(self, t: ArrayLike, load: float = 1.0) -> Union[float, np.ndarray]:
        """``P(load * X <= t)``, element-wise over ``t``.

        Parameters
        ----------
        t : float or float array
            Times.
        load : float, default 1.0
            Positive fraction of the job.

        Returns
        -------
        float or float64 array
            A float for a scalar ``t``, else an array of ``t``'s shape.

        Raises
        ------
        SimParameterError
            ``load`` not positive.

        Examples
        --------
        >>> from fastcode.sim.stragglers import ShiftedExponential
        >>> ShiftedExponential(2.0).cdf([0.5, 1.0, 1.5]).round(4).tolist()
        [0.0, 0.0, 0.6321]
        """
        load = real_scalar(load, "load", positive=True)
        u = np.asarray(t, dtype=np.float64) / load - self.shift
        out = -np.expm1(-self.mu * np.maximum(u, 0.0))
        return float(out) if np.ndim(out) == 0 else out

    def ppf(self, q: ArrayLike, load: float = 1.0) -> Union[float, np.ndarray]:
        """Quantile: the ``t`` with ``cdf(t, load) = q``, for ``q`` in [0, 1].

        Parameters
        ----------
        q : float or float array
            Probabilities in [0, 1].
        load : float, default 1.0
            Positive fraction of the job.

        Returns
        -------
        float or float64 array
            A float for a scalar ``q``; ``q = 1`` gives ``inf``.

        Raises
        ------
        SimParameterError
            ``q`` outside [0, 1] or ``load`` not positive.

        Examples
        --------
        >>> from fastcode.sim.stragglers import ShiftedExponential
        >>> model = ShiftedExponential(2.0)
        >>> round(model.ppf(0.5, load=0.25), 4)     # median task time
        0.3366
        >>> round(model.cdf(model.ppf(0.9)), 4)
        0.9
        """
        load = real_scalar(load, "load", positive=True)
        qa = real_array(q, "q", nonnegative=True)
        if (qa > 1).any():
            raise SimParameterError(f"q must be in [0, 1], got {qa}")
        with np.errstate(divide="ignore"):
            out = load * (self.shift - np.log1p(-qa) / self.mu)
        return float(out) if np.ndim(out) == 0 else out


class Exponential(ShiftedExponential):
    """Unshifted model: ``X ~ Exp(rate mu)`` (``ShiftedExponential(mu, shift=0)``).

    Parameters
    ----------
    mu : float
        Rate, > 0; ``E[X] = 1/mu``.

    Raises
    ------
    SimParameterError
        ``mu`` not positive.

    Examples
    --------
    >>> from fastcode.sim.stragglers import Exponential
    >>> model = Exponential(4.0)
    >>> model.mean_time()
    0.25
    >>> model.sample(3, rng=0).round(4).tolist()
    [0.17, 0.2549, 0.005]
    """

    __slots__ = ()

    def __init__(self, mu: float) -> None:
        super().__init__(mu, 0.0)

    def _params(self):
        return {"mu": self.mu}


class Deterministic(StragglerModel):
    """No randomness: ``X = time``.

    Useful as the base of :class:`BernoulliFailures` and for hand-checked tests.

    Parameters
    ----------
    time : float, default 1.0
        The whole-job time, >= 0.

    Raises
    ------
    SimParameterError
        ``time`` negative.

    Examples
    --------
    >>> from fastcode.sim.stragglers import Deterministic
    >>> Deterministic(2.0).sample(4, load=0.5).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    __slots__ = ("time",)
    time: float

    def __init__(self, time: float = 1.0) -> None:
        self._set(time=real_scalar(time, "time", nonnegative=True))

    def _params(self):
        return {"time": self.time}

    def _draw(self, shape, rng):
        return np.full(shape, self.time)

    def _mean(self):
        return self.time


class BernoulliFailures(StragglerModel):
    """Workers that fail independently with probability ``p`` and then never return.

    A failed worker's time is ``inf``; otherwise its time follows ``base``
    (default ``Deterministic(1.0)``: the pure erasure model).  The mean time
    is ``inf`` whenever ``p > 0``.

    Parameters
    ----------
    p : float
        Failure probability, in [0, 1].
    base : StragglerModel, optional
        Model of the workers that do return; default ``Deterministic(1.0)``.

    Raises
    ------
    SimParameterError
        ``p`` not a probability or ``base`` not a StragglerModel.

    Examples
    --------
    >>> from fastcode.sim.stragglers import BernoulliFailures
    >>> model = BernoulliFailures(0.5)
    >>> model
    BernoulliFailures(p=0.5, base=Deterministic(time=1.0))
    >>> model.sample(6, rng=1).tolist()
    [1.0, 1.0, inf, 1.0, inf, inf]
    """

    __slots__ = ("p", "base")
    p: float
    base: StragglerModel

    def __init__(self, p: float, base: Optional[StragglerModel] = None) -> None:
        if base is None:
            base = Deterministic(1.0)
        if not isinstance(base, StragglerModel):
            raise SimParameterError(f"base must be a StragglerModel, got {base!r}")
        self._set(p=probability(p, "p"), base=base)

    # The base class declares a plain class attribute; here it is a read-only view of base's.
    @property
    def n_workers(self) -> Optional[int]:  # type: ignore[override]
        """The number of workers ``base`` is tied to (None for an i.i.d. base)."""
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
    the variance is finite only for ``alpha > 2``.

    Parameters
    ----------
    alpha : float
        Tail index, > 0 (small = heavy tail).
    scale : float, default 1.0
        Minimum time, > 0.

    Raises
    ------
    SimParameterError
        ``alpha`` or ``scale`` not positive.

    Examples
    --------
    >>> from fastcode.sim.stragglers import Pareto
    >>> model = Pareto(alpha=3.0)
    >>> model.mean_time()
    1.5
    >>> bool((model.sample(1000, rng=0) >= 1.0).all())
    True
    """

    __slots__ = ("alpha", "scale")
    alpha: float
    scale: float

    def __init__(self, alpha: float, scale: float = 1.0) -> None:
        self._set(alpha=real_scalar(alpha, "alpha", positive=True),
                  scale=real_scalar(scale, "scale", positive=True))

    def _params(self):
        return {"alpha": self.alpha, "scale": self.scale}

    def _draw(self, shape, rng):
        # Generator.pareto draws the Lomax (Pareto II) law, supported on [0, inf).
        return self.scale * (1.0 + rng.pareto(self.alpha, size=shape))

    def _mean(self):
        return self.alpha * self.scale / (self.alpha - 1) if self.alpha > 1 else np.inf

    def cdf(self, t: ArrayLike, load: float = 1.0) -> Union[float, np.ndarray]:
        """``P(load * X <= t)``, element-wise over ``t``.

        Parameters
        ----------
        t : float or float array
            Times.
        load : float, default 1.0
            Positive fraction of the job.

        Returns
        -------
        float or float64 array
            A float for a scalar ``t``, else an array of ``t``'s shape.

        Raises
        ------
        SimParameterError
            ``load`` not positive.

        Examples
        --------
        >>> from fastcode.sim.stragglers import Pareto
        >>> Pareto(3.0).cdf([1.0, 2.0, 4.0]).round(4).tolist()
        [0.0, 0.875, 0.9844]
        """
        load = real_scalar(load, "load", positive=True)
        x = np.asarray(t, dtype=np.float64) / load
        with np.errstate(divide="ignore"):
            out = np.where(x >= self.scale, 1.0 - (self.scale / np.maximum(x, self.scale)) ** self.alpha, 0.0)
        return float(out) if np.ndim(out) == 0 else out


class HeterogeneousShiftedExponential(StragglerModel):
    """Worker ``i`` has its own ``X_i = shift[i] + Exp(rate mu[i])``.

    ``sample`` requires exactly ``n_workers`` workers; ``mean_time`` returns
    one mean per worker, shape (n_workers,).

    Parameters
    ----------
    mu : float array of length n_workers
        Positive straggling parameters (may be a scalar if ``shift`` is an array,
        broadcast to its length).
    shift : float or float array of length n_workers, default 1.0
        Non-negative deterministic parts.

    Raises
    ------
    SimParameterError
        ``mu`` not positive, ``shift`` negative, either of more than one
        dimension, different lengths, or both scalars.

    Examples
    --------
    >>> from fastcode.sim.stragglers import HeterogeneousShiftedExponential
    >>> model = HeterogeneousShiftedExponential([1.0, 2.0, 4.0])
    >>> model
    HeterogeneousShiftedExponential(mu=[1, 2, 4], shift=[1, 1, 1])
    >>> model.n_workers
    3
    >>> model.sample(3, rng=0).round(3).tolist()
    [1.68, 1.51, 1.005]
    """

    __slots__ = ("mu", "shift", "n_workers")
    mu: np.ndarray
    shift: np.ndarray

    def __init__(self, mu: ArrayLike, shift: ArrayLike = 1.0) -> None:
        mu_a = real_array(mu, "mu", positive=True)
        shift_a = real_array(shift, "shift", nonnegative=True)
        if mu_a.ndim > 1 or shift_a.ndim > 1:
            raise SimParameterError("mu and shift must be scalars or 1-D arrays (one entry per worker)")
        try:
            mu_a, shift_a = np.broadcast_arrays(mu_a, shift_a)
        except ValueError:
            raise SimParameterError(
                f"mu and shift must have the same length, got {mu_a.shape[0]} and {shift_a.shape[0]}") from None
        if mu_a.ndim == 0:
            raise SimParameterError("mu or shift must be an array (one entry per worker)")
        self._set(mu=_frozen(mu_a), shift=_frozen(shift_a), n_workers=int(mu_a.shape[0]))

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

    def mean_time(self, load: ArrayLike = 1.0) -> np.ndarray:
        """Expected completion time of each worker's task: ``load * (shift + 1/mu)``.

        Parameters
        ----------
        load : float or float array, default 1.0
            Positive fraction(s) of the job: one, or one per worker.

        Returns
        -------
        float64 array
            One mean per worker, shape ``(n_workers,)``.

        Raises
        ------
        SimParameterError
            ``load`` not positive.

        Examples
        --------
        >>> from fastcode.sim.stragglers import HeterogeneousShiftedExponential
        >>> HeterogeneousShiftedExponential([1.0, 2.0, 4.0]).mean_time(0.5).tolist()
        [1.0, 0.75, 0.625]
        """
        load = real_array(load, "load", positive=True)
        return load * self._mean()


class PerWorker(StragglerModel):
    """Heterogeneous workers with arbitrary per-worker models: worker ``i`` draws from ``models[i]``.

    Sampling loops over workers (not trials), so it stays vectorised over
    trials; ``mean_time`` returns shape (n_workers,).

    Parameters
    ----------
    models : sequence of StragglerModel
        One single-worker model (``n_workers`` None) per worker, non-empty.

    Raises
    ------
    SimParameterError
        ``models`` empty, or an item not a StragglerModel or itself a
        per-worker model.

    Examples
    --------
    >>> from fastcode.sim.stragglers import Deterministic, Pareto, PerWorker, ShiftedExponential
    >>> model = PerWorker([Deterministic(1.0), ShiftedExponential(1.0), Pareto(2.0)])
    >>> model.n_workers
    3
    >>> model.sample(3, rng=0, size=2).shape
    (2, 3)
    >>> float(model.sample(3, rng=0)[0])      # worker 0 is deterministic
    1.0
    """

    __slots__ = ("models", "n_workers")
    models: Tuple[StragglerModel, ...]

    def __init__(self, models: Sequence[StragglerModel]) -> None:
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

    def mean_time(self, load: ArrayLike = 1.0) -> np.ndarray:
        """Expected completion time of each worker's task: ``load * E[X_i]``.

        Parameters
        ----------
        load : float or float array, default 1.0
            Positive fraction(s) of the job: one, or one per worker.

        Returns
        -------
        float64 array
            One mean per worker, shape ``(n_workers,)`` (``inf`` where a model's mean diverges).

        Raises
        ------
        SimParameterError
            ``load`` not positive.

        Examples
        --------
        >>> from fastcode.sim.stragglers import Deterministic, PerWorker, ShiftedExponential
        >>> PerWorker([Deterministic(1.0), ShiftedExponential(1.0)]).mean_time(0.5).tolist()
        [0.5, 1.0]
        """
        load = real_array(load, "load", positive=True)
        return load * self._mean()


class Empirical(StragglerModel):
    """Resample measured completion times (with replacement, i.i.d. per worker).

    A task of load ``l`` is modelled as ``(l / load) * time`` for a resampled
    ``time``.

    Parameters
    ----------
    times : 1-D float array
        Non-empty measured times (>= 0) of tasks of fraction ``load`` of the
        job (``inf`` allowed for workers that never returned).
    load : float, default 1.0
        Positive fraction of the job the measured tasks were.

    Raises
    ------
    SimParameterError
        ``times`` empty, not 1-D or negative, or ``load`` not positive.

    Examples
    --------
    >>> from fastcode.sim.stragglers import Empirical
    >>> model = Empirical([1.0, 1.2, 1.1, np.inf], load=0.5)
    >>> model
    Empirical(times=<4 samples, median 1.1, 1 inf>, load=0.5)
    >>> model.sample(5, load=0.25, rng=0).tolist()
    [inf, 0.55, 0.55, 0.6, 0.6]
    """

    __slots__ = ("times", "load")
    times: np.ndarray
    load: float

    def __init__(self, times: ArrayLike, load: float = 1.0) -> None:
        arr = real_array(times, "times", nonnegative=True, allow_inf=True)
        if arr.ndim != 1 or arr.size == 0:
            raise SimParameterError(f"times must be a non-empty 1-D array, got shape {arr.shape}")
        self._set(times=_frozen(arr.copy()), load=real_scalar(load, "load", positive=True))

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
