"""Straggler models, analytic latency formulas and Monte Carlo simulators.

Modules (each owns one idea):

    stragglers  random per-worker completion times (load-scaled models)
    latency     closed-form E[T] under the shifted exponential, optimal k and rate
    special     harmonic numbers and the real Lambert W function
    rules       decoding rules: when is a job done, given finish times
    montecarlo  simulate(rule, model, trials, rng) -> SimulationResult
    queueing    M/G/1 and M/D/1 mean delays (stream lower bounds)
"""
from fastcode.sim._checks import SimParameterError
from fastcode.sim.latency import (
    expected_time_mds,
    expected_time_mds_asymptotic,
    expected_time_replication,
    expected_time_uncoded,
    normalized_time_mds,
    optimal_k,
    optimal_rate,
    order_stat_mean,
)
from fastcode.sim.montecarlo import SimulationResult, normal_ci, simulate
from fastcode.sim.queueing import md1_delay, mg1_delay
from fastcode.sim.rules import (
    DecodingRule,
    FunctionRule,
    GroupRule,
    KthFastest,
    PredicateRule,
    mds,
    replication,
    uncoded,
)
from fastcode.sim.special import harmonic, harmonic_tail, lambertw
from fastcode.sim.stragglers import (
    BernoulliFailures,
    Deterministic,
    Empirical,
    Exponential,
    HeterogeneousShiftedExponential,
    Pareto,
    PerWorker,
    ShiftedExponential,
    StragglerModel,
)

__all__ = [
    "SimParameterError",
    # models
    "StragglerModel", "ShiftedExponential", "Exponential", "Deterministic", "BernoulliFailures",
    "Pareto", "HeterogeneousShiftedExponential", "PerWorker", "Empirical",
    # analytic
    "harmonic", "harmonic_tail", "lambertw", "order_stat_mean", "expected_time_uncoded",
    "expected_time_replication", "expected_time_mds", "expected_time_mds_asymptotic",
    "optimal_k", "optimal_rate", "normalized_time_mds",
    # Monte Carlo
    "DecodingRule", "KthFastest", "GroupRule", "PredicateRule", "FunctionRule",
    "uncoded", "mds", "replication", "simulate", "SimulationResult", "normal_ci",
    # queueing
    "mg1_delay", "md1_delay",
]
