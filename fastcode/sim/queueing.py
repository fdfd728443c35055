"""Mean delays of single-server FCFS queues with Poisson arrivals (:ref:`stream-model`,
:ref:`stream-lower-bound`).

Times are in the caller's unit (e.g. time slots); ``lam`` is arrivals per unit.
An unstable queue (load ``rho = lam * E[S] >= 1``) has an unbounded mean delay:
the functions return ``inf`` rather than raise, since sweeps over load splits
(e.g. the uniform split of stream coded computing) legitimately cross into instability.
"""
from fastcode.sim._checks import SimParameterError, real_scalar

__all__ = ["mg1_delay", "md1_delay"]


def mg1_delay(lam: float, mean_service: float, second_moment: float) -> float:
    """Pollaczek-Khinchine mean sojourn time of an M/G/1 queue:
    ``E[D] = E[S] + lam E[S^2] / (2 (1 - lam E[S]))``.

    Parameters
    ----------
    lam : float
        Arrival rate, >= 0 (arrivals per time unit).
    mean_service : float
        ``E[S]`` > 0, the mean service time.
    second_moment : float
        ``E[S^2]`` >= ``E[S]^2``, the second moment of the service time.

    Returns
    -------
    float
        The mean sojourn time (waiting plus service), in the unit of the service
        times; ``inf`` when the load ``rho = lam E[S] >= 1``.

    Raises
    ------
    SimParameterError
        A parameter is not a finite real scalar, ``lam < 0``, ``mean_service <= 0``,
        ``second_moment <= 0`` or ``second_moment < mean_service**2``.

    Examples
    --------
    >>> from fastcode.sim.queueing import mg1_delay
    >>> mg1_delay(0.5, 1.0, 2.0)                  # M/M/1: E[S^2] = 2 E[S]^2, 1 / (mu - lam)
    2.0
    >>> mg1_delay(1.0, 1.0, 2.0)                  # rho = 1: unstable
    inf
    """
    lam = real_scalar(lam, "lam", nonnegative=True)
    es = real_scalar(mean_service, "mean_service", positive=True)
    es2 = real_scalar(second_moment, "second_moment", positive=True)
    if es2 < es * es * (1 - 1e-12):
        raise SimParameterError(
            f"second_moment must be >= mean_service**2 = {es * es!r} (a variance is >= 0), got {es2!r}")
    rho = lam * es
    if rho >= 1:
        return float("inf")
    return es + lam * es2 / (2 * (1 - rho))


def md1_delay(lam: float, service: float) -> float:
    """Mean sojourn time of an M/D/1 queue with deterministic service ``S``:
    ``S + lam S^2 / (2 (1 - lam S))`` -- the ideal lower bound ``D_LB`` of
    :ref:`stream-lower-bound`.

    Parameters
    ----------
    lam : float
        Arrival rate, >= 0 (arrivals per time unit).
    service : float
        The service time ``S`` > 0.

    Returns
    -------
    float
        The mean sojourn time, in the unit of ``service``; ``inf`` when
        ``lam S >= 1``.

    Raises
    ------
    SimParameterError
        ``lam`` or ``service`` is not a finite real scalar, ``lam < 0`` or ``service <= 0``.

    Examples
    --------
    >>> from fastcode.sim.queueing import md1_delay, mg1_delay
    >>> md1_delay(0.5, 1.0)                       # half the M/M/1 wait: 1 + 0.5
    1.5
    >>> md1_delay(0.5, 1.0) < mg1_delay(0.5, 1.0, 2.0)
    True
    """
    s = real_scalar(service, "service", positive=True)
    return mg1_delay(lam, s, s * s)
