"""Audit of every closed form in the package against the thing it claims to describe.

Each formula is checked against an independent computation of the same quantity:

- exhaustive enumeration where the state space is small (all 2^n failure patterns, pattern F
  weighted (1 - p)^|F| p^(n - |F|)), compared to rounding;
- otherwise Monte Carlo of the package's own simulator at a fixed seed, within 4 standard errors;
- bounds as inequalities against the simulated (or enumerated) quantity.

The table ``CASES`` holds (name, formula, simulator, relation); a simulator takes a seed (derived
from the case name, so cases are independent and reproducible) and returns
``(estimate, standard error)`` (0 for enumeration).  Below the table: the regressions of the
ExpanderApprox expectation (issue: it used the 1/(1-p) formula for its n/|F| decoder), bounds that
hold pattern by pattern (error_bound, lower_bound, recovery thresholds), limits and sandwiches of
the latency formulas, and the DMTL / separable load bounds against working designs.
"""
import itertools
import math
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np
import pytest

from fastcode.codes import (ApproxCommEfficient, CommEfficient, CyclicMDS, CyclicRepetition,
                            ExpanderApprox, FractionalRepetition, StackedApprox, StochasticGC)
from fastcode.codes.designs import cyclic_assignment, paley_graph, projective_plane
from fastcode.fields import PrimeField
from fastcode.schemes.bcgc.exact import (completion_probability, expected_runtime,
                                         order_stat_means, plain_gc_runtimes)
from fastcode.schemes.bcgc.model import plain_gc_blocks, runtime_samples
from fastcode.schemes.bcgc.opt import (approx_a, approx_b, jensen_gap_terms, jensen_lower_bound,
                                       round_blocks)
from fastcode.schemes.dmtl import DMTLScheme
from fastcode.schemes.dmtl.bounds import (baseline_loads, closed_form_uplink, cyclic_bounds,
                                          dmtl_bounds, man_bounds)
from fastcode.schemes.dmtl.placement import cyclic_placement, man_placement, random_placement
from fastcode.errors import LPError
from fastcode.schemes.dmtl.separable import (SeparableComputation, heterogeneous_separable_design,
                                        separable_bounds)
from fastcode.schemes.shuffle import (CodedShuffle, UncodedShuffle, coded_load, independent_caches,
                                      random_blocks, shuffle_gain, uncoded_load)
from fastcode.schemes.stream import lower_bound_delay, split_cost
from fastcode.schemes.stream.queue import StreamSimulator
from fastcode.sim import (BernoulliFailures, Deterministic, Empirical, Exponential,
                          HeterogeneousShiftedExponential, Pareto, PerWorker, ShiftedExponential,
                          expected_time_mds, expected_time_mds_asymptotic,
                          expected_time_replication, expected_time_uncoded, md1_delay, mds,
                          mg1_delay, normalized_time_mds, optimal_k, optimal_rate,
                          order_stat_mean, replication, simulate, uncoded)

SE_LIMIT = 4.0      # |estimate - formula| <= 4 standard errors (seeded, so deterministic)


@dataclass(frozen=True)
class Case:
    name: str
    formula: Callable[[], float]
    simulate: Callable[[], tuple]
    relation: str = "eq"        # "eq"; "lower": formula <= quantity; "upper": formula >= quantity

    def __str__(self):
        return self.name


def _mean_se(samples):
    x = np.asarray(samples, dtype=np.float64)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def _batch_mean_se(samples, batches=40):
    """Mean and batch-means standard error of a correlated (queue) sample path."""
    x = np.asarray(samples, dtype=np.float64)
    x = x[: x.size - x.size % batches].reshape(batches, -1).mean(axis=1)
    return _mean_se(x)


# ---- gradient codes: fixed-decoder errors -------------------------------------------------------

def _all_patterns(n):
    """Every responder set of 0..n-1 with its probability weight exponent |F|: (F, |F|)."""
    for mask in range(1 << n):
        F = np.flatnonzero((mask >> np.arange(n)) & 1)
        yield F, F.size


def _enumerated_fixed_error(code, q, **kw):
    """E[error(F, "fixed")] over all 2^n patterns, each worker failing with probability q
    (exact, up to rounding); ``kw`` goes to ``error`` (``p=`` for the 1/(1-p) decoders)."""
    n = code.n
    terms = [(1 - q) ** f * q ** (n - f) * code.error(F, decoder="fixed", **kw)
             for F, f in _all_patterns(n)]
    return math.fsum(terms), 0.0


def _mc_fixed_error(code, q, trials, seed, **kw):
    rng = np.random.default_rng(seed)
    alive = rng.random((trials, code.n)) >= q
    return _mean_se([code.error(np.flatnonzero(a), decoder="fixed", **kw) for a in alive])


def _cycle_graph(n):
    A = np.zeros((n, n), dtype=np.uint8)
    i = np.arange(n)
    A[i, (i + 1) % n] = A[(i + 1) % n, i] = 1
    return A


def _complete_graph(n):
    return (1 - np.eye(n, dtype=np.uint8)).astype(np.uint8)


def _fixed_error_case(label, make, q, takes_p, mc_trials=None):
    """``make().expected_fixed_error`` at failure probability q against all 2^n patterns
    (or ``mc_trials`` Bernoulli draws).  ``takes_p``: the decoder rescales by 1/(1-p)."""
    kw = {"p": q} if takes_p else {}
    how = "enumeration" if mc_trials is None else "MC"

    def formula():
        code = make()
        return code.expected_fixed_error(q) if not isinstance(code, StochasticGC) \
            else code.expected_fixed_error()

    def sim(seed):
        if mc_trials is None:
            return _enumerated_fixed_error(make(), q, **kw)
        return _mc_fixed_error(make(), q, mc_trials, seed, **kw)
    return Case(f"{label}.expected_fixed_error p={q} [{how}]", formula, sim)


def _gradient_cases():
    paley = lambda: ExpanderApprox(paley_graph(13))                         # noqa: E731
    out = [_fixed_error_case("ExpanderApprox(paley13)", paley, q, False) for q in (0.1, 0.3, 0.6)]
    out += [
        # a small cycle: the empty responder set (error m N) carries real weight at p = 0.6
        _fixed_error_case("ExpanderApprox(cycle 10)", lambda: ExpanderApprox(_cycle_graph(10)),
                          0.6, False),
        # complete graph: every non-empty F is exact, only F = {} contributes (p^n n)
        _fixed_error_case("ExpanderApprox(K6)", lambda: ExpanderApprox(_complete_graph(6)),
                          0.7, False),
        _fixed_error_case("ExpanderApprox(random 5-regular, n=94)",
                          lambda: ExpanderApprox.random(94, 5, 3), 0.3, False, mc_trials=20_000),
        _fixed_error_case("ApproxCommEfficient(pg3, m=2)",
                          lambda: ApproxCommEfficient(projective_plane(3), m=2, rng=5), 0.2, True),
        _fixed_error_case("ApproxCommEfficient(cyclic 12x4, m=3)",
                          lambda: ApproxCommEfficient(cyclic_assignment(12, 4), m=3, rng=6), 0.4,
                          True),
        _fixed_error_case("StackedApprox(cyclic 12x3, m=2)",
                          lambda: StackedApprox(cyclic_assignment(12, 3), m=2), 0.3, True),
        _fixed_error_case("StackedApprox.stack(cyclic 7x2, m=2)",
                          lambda: StackedApprox.stack(cyclic_assignment(7, 2), 2), 0.25, True),
        _fixed_error_case("StochasticGC(pg3)", lambda: StochasticGC(projective_plane(3), 0.25),
                          0.25, False),
        _fixed_error_case("StochasticGC(cyclic 14x3)",
                          lambda: StochasticGC(cyclic_assignment(14, 3), 0.5), 0.5, False),
    ]
    return out


# ---- shifted-exponential latencies (fastcode.sim.latency) ---------------------------------------

def _mc_rule(rule, model, trials, seed):
    res = simulate(rule, model, trials, seed)
    return res.mean, res.stderr


def _mc_order_stat(n, j, rate, shift, trials, seed):
    t = np.sort(ShiftedExponential(rate, shift).sample(n, rng=seed, size=trials), axis=1)
    return _mean_se(t[:, j - 1])


def _latency_cases():
    out = []
    for (n, j, rate, shift) in ((10, 3, 2.0, 0.5), (7, 7, 0.3, 0.0)):
        out.append(Case(f"order_stat_mean(n={n}, j={j}, rate={rate}, shift={shift})",
                        lambda a=(n, j, rate, shift): order_stat_mean(*a),
                        lambda seed, a=(n, j, rate, shift): _mc_order_stat(*a, 100_000, seed)))
    for mu, shift in ((0.5, 1.0), (2.0, 0.0), (1.0, 3.0)):
        model = ShiftedExponential(mu, shift)
        out.append(Case(f"expected_time_uncoded(12, mu={mu}, shift={shift})",
                        lambda m=mu, s=shift: expected_time_uncoded(12, m, s),
                        lambda seed, md=model: _mc_rule(uncoded(12), md, 100_000, seed)))
        out.append(Case(f"expected_time_replication(12, r=3, mu={mu}, shift={shift})",
                        lambda m=mu, s=shift: expected_time_replication(12, 3, m, s),
                        lambda seed, md=model: _mc_rule(replication(12, 3), md, 100_000, seed)))
        for k in (1, 7, 12):
            out.append(Case(f"expected_time_mds(12, k={k}, mu={mu}, shift={shift})",
                            lambda m=mu, s=shift, k=k: expected_time_mds(12, k, m, s),
                            lambda seed, md=model, k=k: _mc_rule(mds(12, k), md, 100_000, seed)))
        out.append(Case(f"expected_time_mds_asymptotic(12, k=7, mu={mu}, shift={shift}) >= E[T]",
                        lambda m=mu, s=shift: expected_time_mds_asymptotic(12, 7, m, s),
                        lambda seed, md=model: _mc_rule(mds(12, 7), md, 100_000, seed), "upper"))
    return out


def _ci_coverage(level, replications, trials, seed):
    """Fraction of ``simulate``'s level-CIs that contain the exact mean (MDS(6, 3), mu = 1)."""
    exact = expected_time_mds(6, 3, 1.0)
    ss = np.random.SeedSequence(seed).spawn(replications)
    hits = []
    for s in ss:
        low, high = simulate(mds(6, 3), ShiftedExponential(1.0), trials, np.random.default_rng(s),
                             level=level).ci
        hits.append(low <= exact <= high)
    return _mean_se(hits)


def _montecarlo_cases():
    return [Case(f"simulate(...).ci coverage at level {lv}", lambda lv=lv: lv,
                 lambda seed, lv=lv: _ci_coverage(lv, 1500, 300, seed)) for lv in (0.9, 0.95)]


# ---- straggler models: mean_time and cdf -------------------------------------------------------

def _mc_mean_time(model, n_workers, load, worker, trials, seed):
    t = model.sample(n_workers, load, rng=seed, size=trials)
    return _mean_se(t[:, worker])


def _mc_cdf(model, t, trials, seed):
    return _mean_se(model.sample(1, rng=seed, size=trials)[:, 0] <= t)


_HET = HeterogeneousShiftedExponential([0.5, 1.0, 4.0], [0.0, 1.0, 2.0])
_PER = PerWorker([Pareto(3.5, 2.0), ShiftedExponential(0.8, 0.3)])
_EMP = Empirical([0.5, 1.0, 1.5, 4.0], load=0.5)


def _straggler_cases():
    rows = [("ShiftedExponential(0.7, 1.5)", ShiftedExponential(0.7, 1.5), 1, 0.25, 0),
            ("Exponential(3.0)", Exponential(3.0), 1, 2.0, 0),
            ("Pareto(3.5, 2.0)", Pareto(3.5, 2.0), 1, 0.5, 0),
            ("BernoulliFailures(0, ShiftedExponential(2, 1))",
             BernoulliFailures(0.0, ShiftedExponential(2.0, 1.0)), 1, 1.0, 0),
            ("Deterministic(2.5)", Deterministic(2.5), 1, 0.4, 0),
            ("HeterogeneousShiftedExponential worker 2", _HET, 3, 0.5, 2),
            ("PerWorker worker 0 (Pareto)", _PER, 2, 0.3, 0),
            ("Empirical(load=0.5)", _EMP, 1, 0.25, 0)]
    out = []
    for name, model, n, load, w in rows:
        def formula(model=model, load=load, w=w):
            m = model.mean_time(load)
            return float(np.ravel(m)[w]) if np.ndim(m) else m

        def sim(seed, model=model, n=n, load=load, w=w):
            return _mc_mean_time(model, n, load, w, 200_000, seed)
        out.append(Case(f"{name}.mean_time(load={load})", formula, sim))
    for name, model in (("ShiftedExponential(0.7, 1.5)", ShiftedExponential(0.7, 1.5)),
                        ("Pareto(2.5, 1.0)", Pareto(2.5, 1.0))):
        for q in (0.1, 0.5, 0.9):
            t = float(np.quantile(model.sample(1, rng=0, size=50_000), q))
            out.append(Case(f"{name}.cdf(t={t:.4g})", lambda model=model, t=t: model.cdf(t),
                            lambda seed, model=model, t=t: _mc_cdf(model, t, 200_000, seed)))
    return out


# ---- queueing: Pollaczek-Khinchine and the stream lower bound -----------------------------------

def _mg1_sojourn(lam, draw_service, jobs, seed):
    """Mean sojourn time of a FCFS M/G/1 queue by the Lindley recursion, vectorised:
    W_{j+1} = max(0, W_j + S_j - A_{j+1}) is W = U - cummin(U) with U the partial sums."""
    rng = np.random.default_rng(seed)
    S = draw_service(rng, jobs)
    gaps = rng.standard_exponential(jobs - 1) / lam
    U = np.concatenate(([0.0], np.cumsum(S[:-1] - gaps)))
    W = U - np.minimum.accumulate(U)
    return _batch_mean_se(W + S)


class _DeterministicTasks:
    """Task model of the stream simulator: a task of ``load`` operations takes load / rate."""

    def __init__(self, rate):
        self.rate = rate

    def sample(self, n, load, rng):
        return np.full(int(n), load / self.rate)


def _stream_delay(seed, Omega=2.0, c=0.0, deterministic=False):
    rates = [1.0, 2.0, 3.0]
    models = [_DeterministicTasks(r) for r in rates] if deterministic else None
    sim = StreamSimulator(rates, 0.3, 6.0, 3, Omega, c=c, task_models=models)
    return _batch_mean_se(sim.run(40_000, rng=seed).delay)


def _split_cost_mc(kappa, gamma, c, m, sigma, trials, seed):
    """E[T] + gamma E[T^2] for T = c + a sum of kappa task times of mean m and std sigma
    (gamma distributed: shape (m/sigma)^2, scale sigma^2/m)."""
    rng = np.random.default_rng(seed)
    shape, scale = (m / sigma) ** 2, sigma * sigma / m
    T = c + rng.gamma(kappa * shape, scale, size=trials)
    return _mean_se(T + gamma * T * T)


def _queue_cases():
    return [
        Case("mg1_delay M/M/1 lam=0.5, E[S]=1",
             lambda: mg1_delay(0.5, 1.0, 2.0),
             lambda seed: _mg1_sojourn(0.5, lambda r, n: r.standard_exponential(n), 400_000, seed)),
        Case("mg1_delay M/G/1 uniform(0, 2) service, lam=0.4",
             lambda: mg1_delay(0.4, 1.0, 4.0 / 3.0),
             lambda seed: _mg1_sojourn(0.4, lambda r, n: r.uniform(0.0, 2.0, n), 400_000, seed)),
        Case("md1_delay lam=0.6, S=1.2",
             lambda: md1_delay(0.6, 1.2),
             lambda seed: _mg1_sojourn(0.6, lambda r, n: np.full(n, 1.2), 400_000, seed)),
        Case("lower_bound_delay <= StreamSimulator mean delay (exponential tasks)",
             lambda: lower_bound_delay(0.3, 6.0, [1.0, 2.0, 3.0]),
             lambda seed: _stream_delay(seed), "lower"),
        Case("lower_bound_delay <= StreamSimulator mean delay (Omega=1, latency 0.2)",
             lambda: lower_bound_delay(0.3, 6.0, [1.0, 2.0, 3.0]),
             lambda seed: _stream_delay(seed, Omega=1.0, c=0.2), "lower"),
        Case("lower_bound_delay <= StreamSimulator mean delay (deterministic tasks)",
             lambda: lower_bound_delay(0.3, 6.0, [1.0, 2.0, 3.0]),
             lambda seed: _stream_delay(seed, deterministic=True), "lower"),
        Case("split_cost exponential tasks (sigma = m)",
             lambda: float(split_cost(5, 0.5, 0.7, 1.3, 1.3)),
             lambda seed: _split_cost_mc(5, 0.5, 0.7, 1.3, 1.3, 400_000, seed)),
        Case("split_cost gamma tasks (sigma = m / 2)",
             lambda: float(split_cost(8, 2.0, 0.2, 0.9, 0.45)),
             lambda seed: _split_cost_mc(8, 2.0, 0.2, 0.9, 0.45, 400_000, seed)),
    ]


# ---- block-coordinate gradient coding (bcgc_exact, bcgc_opt) ------------------------------------

_BC_X = np.array([120.0, 80.0, 60.0, 30.0, 10.0, 0.0])


def _mc_runtime(x, model, samples, seed):
    return _mean_se(runtime_samples(x, model, samples, seed))


def _mc_completion(x, t, model, samples, seed):
    return _mean_se(runtime_samples(x, model, samples, seed) <= t)


def _mc_order_stats(N, model, s, trials, seed):
    tau = np.sort(model.sample(N, rng=seed, size=trials), axis=1)
    return _mean_se(tau[:, N - 1 - s])


def _bcgc_cases():
    out = []
    models = (("ShiftedExponential(0.5, 1)", ShiftedExponential(0.5, 1.0)),
              ("Exponential(2)", Exponential(2.0)), ("Pareto(3.5, 1)", Pareto(3.5, 1.0)))
    for name, model in models:
        out.append(Case(f"expected_runtime(x, {name})",
                        lambda model=model: expected_runtime(_BC_X, model),
                        lambda seed, model=model: _mc_runtime(_BC_X, model, 100_000, seed)))
    model = ShiftedExponential(0.5, 1.0)
    for t in (1100.0, 1400.0, 2000.0):      # support starts at a C_5 = 630
        out.append(Case(f"completion_probability(x, t={t})",
                        lambda t=t: completion_probability(_BC_X, t, model),
                        lambda seed, t=t: _mc_completion(_BC_X, t, model, 100_000, seed)))
    for s in (0, 2, 5):
        out.append(Case(f"order_stat_means(6, Pareto(3.5, 1))[{s}]",
                        lambda s=s: float(order_stat_means(6, Pareto(3.5, 1.0))[s]),
                        lambda seed, s=s: _mc_order_stats(6, Pareto(3.5, 1.0), s, 200_000, seed)))
        out.append(Case(f"plain_gc_runtimes(6, 300, ShiftedExponential(0.5, 1))[{s}]",
                        lambda s=s: float(plain_gc_runtimes(6, 300, model)[s]),
                        lambda seed, s=s: _mc_runtime(plain_gc_blocks(6, 300, s), model, 100_000,
                                                      seed)))
    # z* bounds min_x E[T(x)] from below, so it is below E[T(x)] for every x
    for label, make in (("approx A", lambda: round_blocks(approx_a(6, 300, model), 300)),
                        ("approx B", lambda: round_blocks(approx_b(6, 300, model), 300)),
                        ("plain s=1", lambda: plain_gc_blocks(6, 300, 1))):
        out.append(Case(f"jensen_lower_bound(6, 300) <= E[T({label})]",
                        lambda: jensen_lower_bound(6, 300, model),
                        lambda seed, make=make: _mc_runtime(make(), model, 100_000, seed), "lower"))
    out.append(Case("max jensen_gap_terms(x) <= E[T(x)]",
                    lambda: float(jensen_gap_terms(_BC_X, model).max()),
                    lambda seed: _mc_runtime(_BC_X, model, 100_000, seed), "lower"))
    return out


# ---- coded shuffling --------------------------------------------------------------------------

def _shuffle_loads(n, s, rows_per_block, trials, seed, statistic):
    rng = np.random.default_rng(seed)
    N = n * rows_per_block
    out = []
    for _ in range(trials):
        demands = list(random_blocks(n, rows_per_block, rng))
        caches = independent_caches(n, N, s, rng)
        out.append(statistic(caches, demands, N))
    return _mean_se(out)


def _uncoded_stat(n):
    return lambda caches, demands, N: UncodedShuffle(n).plan(caches, demands).load


def _coded_stat(n):
    return lambda caches, demands, N: CodedShuffle(n).plan(caches, demands).load


def _mean_piece_stat(n):
    """Sum over multicasts of the mean piece length over the recipients S, / N: what
    ``coded_load`` is the expectation of (the plan pays the longest piece instead)."""
    def stat(caches, demands, N):
        plan = CodedShuffle(n).plan(caches, demands)
        return sum(sum(len(r) for r in m.pieces.values()) / len(m.recipients)
                   for m in plan.multicasts) / N
    return stat


def _shuffle_cases():
    out = []
    loads = _shuffle_loads
    for n, s in ((5, 0.2), (8, 0.5)):
        out.append(Case(f"uncoded_load(s={s}) n={n}", lambda s=s: uncoded_load(s),
                        lambda seed, n=n, s=s: loads(n, s, 40, 300, seed, _uncoded_stat(n))))
        out.append(Case(f"coded_load(n={n}, s={s}) = E[sum_S mean piece] / N",
                        lambda n=n, s=s: coded_load(n, s),
                        lambda seed, n=n, s=s: loads(n, s, 40, 200, seed, _mean_piece_stat(n))))
        out.append(Case(f"coded_load(n={n}, s={s}) <= E[coded plan load]",
                        lambda n=n, s=s: coded_load(n, s),
                        lambda seed, n=n, s=s: loads(n, s, 40, 60, seed, _coded_stat(n)), "lower"))
    return out


CASES = (_gradient_cases() + _latency_cases() + _montecarlo_cases() + _straggler_cases()
         + _queue_cases() + _bcgc_cases() + _shuffle_cases())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_closed_form(case):
    formula = float(case.formula())
    estimate, se = case.simulate(zlib.crc32(case.name.encode()))      # one fixed seed per case
    slack = SE_LIMIT * se + 1e-9 * max(1.0, abs(formula))
    if case.relation == "eq":
        assert abs(estimate - formula) <= slack, (formula, estimate, se)
    elif case.relation == "lower":
        assert formula <= estimate + slack, (formula, estimate, se)
    elif case.relation == "upper":
        assert formula >= estimate - slack, (formula, estimate, se)
    else:
        raise AssertionError(f"unknown relation {case.relation!r}")


# ---- regressions ------------------------------------------------------------------------------

def test_expander_expected_fixed_error_issue_reproducer():
    """The issue's numbers: Paley(13) at p = 0.3 is 0.612 (the old formula said 0.929)."""
    code = ExpanderApprox(paley_graph(13))
    got = code.expected_fixed_error(0.3)
    assert got == pytest.approx(_enumerated_fixed_error(code, 0.3)[0], rel=1e-12)
    assert got == pytest.approx(0.6120, abs=5e-4)
    # 0 up to rounding: B = Adj / 6 is not exact in binary, and the last bits depend on the BLAS
    assert code.expected_fixed_error(0.0) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n,d", [(10, 2), (13, 6), (94, 5), (6, 5)])
def test_expander_expected_error_per_size_closed_form(n, d):
    """For a d-regular graph the error averaged over the f-subsets is n (n-f)(n-d) / (f d (n-1)):
    the class's general form (from B B^T) must agree, and the binomial mixture with it."""
    code = (ExpanderApprox(paley_graph(13)) if (n, d) == (13, 6) else
            ExpanderApprox(_cycle_graph(n)) if d == 2 else
            ExpanderApprox(_complete_graph(n)) if d == n - 1 else
            ExpanderApprox.random(n, d, 0))
    for p in (0.05, 0.5, 0.9):
        f = np.arange(1, n + 1)
        pmf = np.array([math.comb(n, k) * (1 - p) ** k * p ** (n - k) for k in range(n + 1)])
        want = pmf[0] * n + pmf[1:] @ (n * (n - f) * (n - d) / (f * d * (n - 1)))
        assert code.expected_fixed_error(p) == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_expander_expected_fixed_error_large_n_no_overflow():
    """binom(n, f) overflows float64 from n = 1030 on; the log-space sum does not."""
    n, d, p = 1040, 3, 0.4
    code = ExpanderApprox.random(n, d, 0)
    e = code.expected_fixed_error(p)
    # concentration: |F| ~ (1 - p) n, so E ~ n (n - f)(n - d) / (f d (n - 1)) at f = (1 - p) n
    f = (1 - p) * n
    assert e == pytest.approx(n * (n - f) * (n - d) / (f * d * (n - 1)), rel=5e-3)
    with pytest.raises(ValueError):
        code.expected_fixed_error(1.0)


# ---- bounds that hold for every failure pattern ------------------------------------------------

@pytest.mark.parametrize("make", [lambda: ExpanderApprox(paley_graph(13)),
                                  lambda: ExpanderApprox(_cycle_graph(9)),
                                  lambda: ExpanderApprox.random(12, 3, 1)],
                         ids=["paley13", "cycle9", "random12x3"])
def test_expander_error_bound_every_pattern(make):
    """error_bound(s) >= error(F, "fixed") for every F with |F| = n - s (exhaustive)."""
    code = make()
    for s in range(code.n):
        bound = code.error_bound(s)
        worst = max(code.error(list(F), decoder="fixed")
                    for F in itertools.combinations(range(code.n), code.n - s))
        assert worst <= bound * (1 + 1e-9) + 1e-12, (s, worst, bound)


@pytest.mark.parametrize("make,p", [
    (lambda: ApproxCommEfficient(projective_plane(3), m=2, rng=2), 0.3),
    (lambda: StackedApprox(cyclic_assignment(10, 3), m=2), 0.3),
    (lambda: StochasticGC(cyclic_assignment(10, 3), 0.3), None),
    (lambda: ExpanderApprox(paley_graph(13)), None)],
    ids=["comm_efficient", "stacked", "stochastic", "expander"])
def test_lower_bound_below_optimal_error_every_pattern(make, p):
    """lower_bound(F) <= error(F, "optimal") <= error(F, "fixed") for every non-empty F."""
    code = make()
    for F, f in _all_patterns(code.n):
        if f == 0:
            assert code.error(F) == code.m * code.N == code.lower_bound(F)
            continue
        opt = code.error(F)
        assert code.lower_bound(F) <= opt + 1e-8
        assert opt <= code.error(F, decoder="fixed", p=p) + 1e-8


# ---- identities and limits of the latency formulas ---------------------------------------------

@pytest.mark.parametrize("n", [5, 40, 1000, 10**6])
def test_mds_asymptotic_form_sandwich(n):
    """H_n - H_{n-k} lies between log((n+1)/(n-k+1)) and log(n/(n-k)), so the asymptotic form
    is an upper bound on the exact one, by at most the gap of the two logarithms."""
    mu, shift = 0.7, 1.3
    k = np.arange(1, n, max(1, n // 50))
    exact = expected_time_mds(n, k, mu, shift)
    asym = expected_time_mds_asymptotic(n, k, mu, shift)
    gap = (np.log(n / (n - k)) - np.log((n + 1) / (n - k + 1))) / (k * mu)
    assert np.all(asym >= exact - 1e-12 * asym)
    assert np.all(asym - exact <= gap + 1e-12 * asym)


@pytest.mark.parametrize("alpha,mu", [(0.5, 1.0), (0.25, 0.2), (0.8, 3.0)])
def test_normalized_time_is_the_large_n_limit(alpha, mu):
    """n E[T_MDS(n, alpha n)] -> f(alpha) from below, with the harmonic-sum gap O(1/n)."""
    f = normalized_time_mds(alpha, mu)
    for n in (400, 40_000, 4_000_000):
        k = int(round(alpha * n))
        assert k == alpha * n
        val = n * expected_time_mds(n, k, mu)
        gap = (math.log(n / (n - k)) - math.log((n + 1) / (n - k + 1))) / (alpha * mu)
        assert f - gap - 1e-12 * f <= val <= f + 1e-12 * f


@pytest.mark.parametrize("mu,shift", [(0.1, 1.0), (1.0, 1.0), (5.0, 0.5)])
def test_optimal_rate_minimises_the_limit_and_matches_optimal_k(mu, shift):
    a = optimal_rate(mu, shift)
    grid = np.linspace(1e-3, 1 - 1e-3, 20001)
    vals = normalized_time_mds(grid, mu * shift)
    assert normalized_time_mds(a, mu * shift) <= vals.min() + 1e-12
    n = 20_000
    assert abs(optimal_k(n, mu, shift) / n - a) < 5e-3


def test_shuffle_gain_is_the_ratio_of_the_loads():
    for n in (2, 5, 25):
        for s in (0.1, 0.5, 1.0):
            assert shuffle_gain(n, s) == pytest.approx(uncoded_load(s) / coded_load(n, s)
                                                       if s < 1 else n * s / 1.0, rel=1e-12)


# ---- DMTL lower bounds: every working scheme's loads are at least the bounds -----------------

_BIG = PrimeField(2**31 - 1)


@pytest.mark.parametrize("Z", [cyclic_placement(5, 2), cyclic_placement(6, 3), man_placement(4, 2),
                               random_placement(5, 6, np.random.default_rng(44), density=0.5)],
                         ids=["cyclic5_2", "cyclic6_3", "man4_2", "random5x6"])
def test_dmtl_bounds_against_achieved_loads(Z):
    """The LP bounds are met by a design that decodes every value exactly; the closed form is
    below the LP; both baselines send at least the bounds."""
    rng = np.random.default_rng(45)
    b = dmtl_bounds(Z)
    scheme = DMTLScheme.design(Z, _BIG, rng)
    values = _BIG.random((scheme.N, 2 * scheme.P + 1), rng)
    _, _, decoded = scheme.run_iteration(values)
    for k in range(scheme.K):
        np.testing.assert_array_equal(decoded[k], values[scheme.wanted(k)])
    assert scheme.loads() == (b.lp_uplink, b.downlink)
    assert closed_form_uplink(Z) <= b.lp_uplink
    for up, down in baseline_loads(Z).values():
        assert up >= b.lp_uplink and down >= b.downlink


def test_dmtl_homogeneous_closed_forms_equal_the_lp():
    for K, M in ((5, 2), (6, 3), (7, 1)):
        b = dmtl_bounds(cyclic_placement(K, M))
        assert cyclic_bounds(K, M) == (b.lp_uplink, b.downlink)
    for K, r in ((4, 2), (5, 2), (5, 3)):
        b = dmtl_bounds(man_placement(K, r))
        assert man_bounds(K, r) == (b.lp_uplink, b.downlink)


# ---- linearly separable computation: stated loads against what is actually sent ---------------

@pytest.mark.parametrize("N,N_r,K_c", [(5, 3, 2), (5, 3, 3), (6, 4, 6), (6, 2, 5)])
def test_separable_communication_cost_is_what_is_downloaded(N, N_r, K_c):
    """communication_cost() = max(N_r, K_c) = symbols downloaded from N_r responders / B, with
    every N_r-subset decoding F W exactly."""
    rng = np.random.default_rng(46)
    sc = SeparableComputation(N, N_r, K_c, field=_BIG, rng=rng)
    B = 3 * sc.P
    W = _BIG.random((N, B), rng)
    answers = {n: sc.encode(n, W[sc.datasets(n)]) for n in range(N)}
    for S in itertools.combinations(range(N), N_r):
        sent = sum(answers[n].size for n in S)
        assert Fraction(sent, B) == sc.communication_cost() == max(N_r, K_c)
        np.testing.assert_array_equal(sc.decode({n: answers[n] for n in S}, B=B),
                                      _BIG.matmul(sc.F, W))


@pytest.mark.parametrize("Z", [cyclic_placement(4, 2), man_placement(4, 2)],
                         ids=["cyclic4_2", "man4_2"])
def test_separable_bounds_against_achieved_loads(Z):
    """separable_bounds is a lower bound: every design that computes F V sends at least it."""
    rng = np.random.default_rng(47)
    K, N = Z.shape
    for K_c in range(1, N + 1):
        bound, _ = separable_bounds(Z, K_c)
        F = _BIG.random((K_c, N), rng)
        try:
            d = heterogeneous_separable_design(Z, F, _BIG, rng)
        except LPError:
            continue                                   # the capped construction does not apply
        V = _BIG.random((N, 2 * d.P), rng)
        X = [d.encode(j, V[np.flatnonzero(Z[j])]) for j in range(K)]
        np.testing.assert_array_equal(d.decode(X, 2 * d.P), _BIG.matmul(F, V))
        assert d.load() >= bound
        assert Fraction(sum(x.size for x in X), 2 * d.P) == d.load()


# ---- heavier variants ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("make,q,takes_p", [
    (lambda: ExpanderApprox.random(16, 5, 8), 0.35, False),
    (lambda: ApproxCommEfficient(cyclic_assignment(16, 4), m=2, rng=9), 0.3, True),
    (lambda: StackedApprox(cyclic_assignment(16, 3), m=2), 0.2, True),
    (lambda: StochasticGC(cyclic_assignment(16, 4), 0.45), 0.45, False)],
    ids=["expander16", "comm_efficient16", "stacked16", "stochastic16"])
def test_expected_fixed_error_enumeration_n16(make, q, takes_p):
    case = _fixed_error_case("n=16", make, q, takes_p)
    assert case.formula() == pytest.approx(case.simulate(0)[0], rel=1e-10, abs=1e-12)


@pytest.mark.slow
def test_expander_expected_fixed_error_issue_graph_long_monte_carlo():
    """The issue's random 5-regular graph on 94 vertices, 200k draws (SE ~ 0.005)."""
    code = ExpanderApprox.random(94, 5, 12)
    est, se = _mc_fixed_error(code, 0.3, 200_000, 13)
    assert abs(est - code.expected_fixed_error(0.3)) <= SE_LIMIT * se


# ---- exact gradient codes: the recovery threshold n - s is exact and tight ---------------------

def _least_squares_residual(code, F):
    """min_W ||B_F^T W - T||: 0 iff the responders F can recover every block exactly."""
    B = np.asarray(code.B, dtype=np.float64)[list(F)]
    T = code.targets()
    W = np.linalg.lstsq(B.T, T, rcond=None)[0]
    return float(np.linalg.norm(B.T @ W - T))


@pytest.mark.parametrize("make", [lambda: FractionalRepetition(6, 2),
                                  lambda: CyclicRepetition(7, 2, rng=0),
                                  lambda: CyclicMDS(7, 2),
                                  lambda: CommEfficient(8, 2, 2),
                                  lambda: CommEfficient(7, 1, 3)],
                         ids=["frc6_2", "crc7_2", "cyclic_mds7_2", "comm_eff8_2_2", "comm_eff7_1_3"])
def test_recovery_threshold_exact_and_tight(make):
    """Every set of recovery_threshold = n - s responders recovers the sum exactly (and the
    decoder's weights do it); some set of n - s - 1 does not, so the threshold is the worst case."""
    code = make()
    t = code.recovery_threshold
    assert t == code.n - code.s
    for F in itertools.combinations(range(code.n), t):
        assert _least_squares_residual(code, F) < 1e-9
        W = np.asarray(code.decode_weights(list(F)), dtype=np.float64).reshape(code.m, t)
        np.testing.assert_allclose(code.B[list(F)].T @ W.T, code.targets(), atol=1e-9)
    worst = max(_least_squares_residual(code, F)
                for F in itertools.combinations(range(code.n), t - 1))
    assert worst > 1e-3
