"""Mean delays of single-server FCFS queues with Poisson arrivals (:ref:`stream-model`,
:ref:`stream-lower-bound`).

Times are in the caller's unit (e.g. time slots); ``lam`` is arrivals per unit.
An unstable queue (load ``rho = lam * E[S] >= 1``) has an unbounded mean delay:
the functions return ``inf`` rather than raise, since sweeps over load splits
(e.g. the uniform split of stream coded computing) legitimately cross into instability.
"""
from fastcode.sim._checks import SimParameterError, real_scalar

__all__ = ["mg1_delay", "md1_delay"]


def mg1_delay(lam, mean_service, second_moment):
    """Pollaczek-Khinchine mean sojourn time of an M/G/1 queue:
    ``E[D] = E[S] + lam E[S^2] / (2 (1 - lam E[S]))``.

    ``lam`` >= 0, ``mean_service`` = E[S] > 0, ``second_moment`` = E[S^2] >= E[S]^2."""
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


def md1_delay(lam, service):
    """Mean sojourn time of an M/D/1 queue with deterministic service ``S``:
    ``S + lam S^2 / (2 (1 - lam S))`` -- the ideal lower bound ``D_LB`` of
    :ref:`stream-lower-bound`."""
    s = real_scalar(service, "service", positive=True)
    return mg1_delay(lam, s, s * s)
