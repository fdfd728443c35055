"""The stream coded-computing simulator (spec 06 §2, §5): queue mechanics, purging, bounds, stability."""
import numpy as np
import pytest

from fastcode.schemes.stream import coded_task_count, lower_bound_delay
from fastcode.schemes.stream.queue import ExponentialTasks, StreamSimulator, poisson_arrivals


class DeterministicTasks:
    """Every task of ``load`` operations takes exactly ``load / rate`` slots (duck-typed model)."""

    def __init__(self, rate):
        self.rate = rate

    def sample(self, n, load, rng):
        return np.full(n, load / self.rate)


def _spec_rates():
    rs = np.random.RandomState(900)
    rs.random_sample(10000)
    u = rs.random_sample(5)
    return 50000 * 1.1 * 0.01 * 4 * u / u.sum()


def _strong_rates():
    mu = np.array([1, 2, 4, 8, 16.0])
    return mu * 2200 / mu.sum()


def _batch_se(x, batches=20):
    """Standard error of the mean of a correlated sequence, by batch means."""
    means = np.array([b.mean() for b in np.array_split(np.asarray(x), batches)])
    return means.std(ddof=1) / np.sqrt(batches)


# ---------------------------------------------------------------------------------------------
# hand-computed runs with deterministic task times

def _two_worker_sim(**kw):
    # Worker 0: rate 1, worker 1: rate 2; C = Z/K = 1.  K = 3, n = 4, two tasks each.
    # Results: worker 0 at 1, 2; worker 1 at c1 + 0.5, c1 + 1.
    args = dict(rates=[1.0, 2.0], lam=0.1, Z=3.0, K=3, Omega=4 / 3, split=[2.0, 2.0],
                task_models=[DeterministicTasks(1.0), DeterministicTasks(2.0)])
    args.update(kw)
    return StreamSimulator(**args)


def test_deterministic_hand_computed_delays():
    sim = _two_worker_sim(c=[0.0, 0.25])
    # results at 1, 2 (worker 0) and 0.75, 1.25 (worker 1): the 3rd smallest is 1.25
    res = sim.run(arrivals=[0.0, 0.5, 5.0], detail=True)
    np.testing.assert_allclose(res.service, [1.25, 1.25, 1.25])
    np.testing.assert_allclose(res.start, [0.0, 1.25, 5.0])
    np.testing.assert_allclose(res.end, [1.25, 2.5, 6.25])
    np.testing.assert_allclose(res.delay, [1.25, 2.0, 1.25])
    assert res.counts[:, 0].tolist() == [[2, 2]] * 3
    assert res.completed[:, 0].tolist() == [[1, 2]] * 3       # worker 0's second task is purged
    assert res.purged[:, 0].tolist() == [[1, 0]] * 3


def test_deterministic_iterations_add_up():
    sim = _two_worker_sim(iterations_per_job=2)
    # no latency: results at 1, 2 and 0.5, 1 -> third smallest is 1; two iterations -> service 2
    res = sim.run(arrivals=[0.0, 0.5, 5.0])
    np.testing.assert_allclose(res.service, [2.0, 2.0, 2.0])
    np.testing.assert_allclose(res.end, [2.0, 4.0, 7.0])
    np.testing.assert_allclose(res.delay, [2.0, 3.5, 2.0])
    assert res.counts.shape == (3, 2, 2)


def test_purging_releases_workers_from_a_hopeless_straggler():
    # Worker 0 needs 10^6 slots per task but holds 3 of 12 tasks; the others hold 9 >= K = 8.
    # With purging the iteration ends when the fast workers are done, and the next job starts
    # right away: nobody waits for worker 0's outstanding tasks.
    rates = [1e-6, 1.0, 1.0, 1.0]
    sim = StreamSimulator(rates, lam=0.5, Z=8.0, K=8, Omega=1.5, split=[3.0, 3.0, 3.0, 3.0],
                          task_models=[DeterministicTasks(r) for r in rates])
    res = sim.run(arrivals=np.arange(10) * 0.1, detail=True)
    # fast workers deliver at 1, 2, 3 each: the 8th result arrives at 3
    np.testing.assert_allclose(res.service, 3.0)
    np.testing.assert_allclose(res.end, 0.0 + 3.0 * np.arange(1, 11))
    assert np.all(res.completed[:, 0, 0] == 0) and np.all(res.purged[:, 0, 0] == 3)


def test_deterministic_delay_never_below_pathwise_bound(rng):
    # With deterministic tasks, by time t worker p has finished at most t μ_p / C tasks, so the
    # K-th result needs t >= Z/Σμ = S; Lindley's recursion is monotone in the service times, so
    # every job's delay is at least the M/D/1 delay of the same arrival sequence.
    rates = np.array([3.0, 5.0, 7.5, 11.0])
    lam, Z, K = 0.02, 400.0, 40
    arrivals = poisson_arrivals(lam, 3000, rng)
    S = Z / rates.sum()
    bound_end = np.empty_like(arrivals)
    prev = -np.inf
    for j, a in enumerate(arrivals):
        prev = max(a, prev) + S
        bound_end[j] = prev
    for split in ("optimal", "uniform"):
        for Omega in (1.0, 1.1, 1.5):
            sim = StreamSimulator(rates, lam, Z, K, Omega, split=split,
                                  task_models=[DeterministicTasks(r) for r in rates])
            res = sim.run(arrivals=arrivals, rng=rng)
            assert np.all(res.service >= S * (1 - 1e-12))
            assert np.all(res.delay >= (bound_end - arrivals) * (1 - 1e-12))


# ---------------------------------------------------------------------------------------------
# invariants on random runs

@pytest.mark.parametrize("split", ["optimal", "uniform"])
@pytest.mark.parametrize("Omega", [1.0, 1.07, 1.3])
def test_queue_and_decoding_invariants(split, Omega, rng):
    rates = np.array([5.0, 1.0, 2.5, 9.0, 0.7])
    sim = StreamSimulator(rates, lam=0.05, Z=60.0, K=30, Omega=Omega, c=[0, 0.1, 0.0, 0.3, 0.05],
                          split=split, iterations_per_job=2)
    res = sim.run(2000, rng=rng, detail=True)
    # a busy queue under the optimal split; the uniform one may be unstable (invariants still hold)
    assert res.stable or split == "uniform"
    n = coded_task_count(30, Omega)
    # exact task totals for every job and iteration
    assert np.all(res.counts.sum(axis=2) == n) and np.all(res.counts >= 0)
    # FCFS, in-order delivery, work conservation (the server idles only when the queue is empty)
    assert np.all(np.diff(res.arrival) >= 0)
    assert np.all(res.start >= res.arrival)
    assert np.all(np.diff(res.end) > 0)
    assert res.start[0] == res.arrival[0]
    assert np.array_equal(res.start[1:], np.maximum(res.arrival[1:], res.end[:-1]))
    assert np.all(res.end == res.start + res.service)
    # delay = end - arrival >= service, up to the rounding of end - arrival
    assert np.all(res.delay >= res.service - 1e-12 * res.end)
    # no iteration is decoded before K results; with continuous times exactly K have arrived
    done = res.completed.sum(axis=2)
    assert np.all(done >= 30) and np.all(done == 30)
    assert np.all(res.completed <= res.counts)
    # purged + completed == assigned (work is neither lost nor invented)
    assert np.array_equal(res.purged + res.completed, res.counts)


def test_iteration_times_match_a_loop_reference(rng):
    # Independent straightforward computation of δ for each row, same random stream.
    rates = np.array([2.0, 3.0, 0.5])
    sim = StreamSimulator(rates, lam=0.1, Z=12.0, K=12, Omega=1.25, c=[0.0, 0.2, 1.0])
    counts = np.array([[5, 6, 4], [7, 8, 0], [0, 15, 0], [5, 5, 5]])
    seed = 1234
    delta = sim.iteration_times(counts, np.random.default_rng(seed))
    # Reproduce the draw order: one block, workers in order, a (rows, kmax_p) matrix each.
    g = np.random.default_rng(seed)
    kmax = counts.max(axis=0)
    times = [[] for _ in range(4)]
    for p in range(3):
        x = g.standard_exponential(4 * kmax[p]).reshape(4, kmax[p]) * (1.0 / rates[p])
        for r in range(4):
            times[r].extend((sim.workers.latency[p] + np.cumsum(x[r, :counts[r, p]])).tolist())
    ref = [sorted(t)[11] for t in times]
    np.testing.assert_allclose(delta, ref, rtol=1e-12)
    with pytest.raises(ValueError, match="K"):
        sim.iteration_times(np.array([[5, 5, 1]]), rng)


def test_custom_models_are_duck_typed(rng):
    class Shifted:
        def __init__(self, rate, shift):
            self.rate, self.shift = rate, shift

        def sample(self, n, load, rng):
            return self.shift * load + rng.exponential(load / self.rate, n)

    rates = [1.0, 2.0]
    sim = StreamSimulator(rates, lam=0.05, Z=10.0, K=10, Omega=1.2,
                          task_models=[Shifted(r, 0.5) for r in rates])
    res = sim.run(500, rng=rng)
    # every task takes at least 0.5 C = 0.5 slots, and 10 results from 2 workers need one of
    # them to finish 5 tasks in sequence: at least 2.5 slots, with the model's shift honoured
    assert np.all(res.service >= 2.5)
    with pytest.raises(TypeError, match="sample"):
        StreamSimulator(rates, 0.05, 10.0, 10, 1.2, task_models=[object(), object()])
    with pytest.raises(ValueError, match="one model per worker"):
        StreamSimulator(rates, 0.05, 10.0, 10, 1.2, task_models=[Shifted(1, 0)])

    class WrongShape:
        def sample(self, n, load, rng):
            return np.zeros((n, 2))

    bad = StreamSimulator(rates, 0.05, 10.0, 10, 1.2, task_models=[WrongShape(), WrongShape()])
    with pytest.raises(ValueError, match="shape"):
        bad.run(3, rng=rng)


def test_reproducible_with_seed():
    sim = StreamSimulator([1.0, 2.0, 3.0], 0.05, 30.0, 15, 1.2)
    a, b = sim.run(300, rng=5), sim.run(300, rng=5)
    assert np.array_equal(a.delay, b.delay) and np.array_equal(a.counts, b.counts)
    # a seed given to the constructor is the default source; its stream carries on across runs
    s1 = StreamSimulator([1.0, 2.0, 3.0], 0.05, 30.0, 15, 1.2, rng=9)
    s2 = StreamSimulator([1.0, 2.0, 3.0], 0.05, 30.0, 15, 1.2, rng=9)
    r1, r2 = s1.run(300), s2.run(300)
    assert np.array_equal(r1.delay, r2.delay)
    assert not np.array_equal(s1.run(300).delay, r1.delay)


def test_exponential_model_mean():
    x = ExponentialTasks(4.0).sample(200000, 2.0, np.random.default_rng(0))
    assert x.mean() == pytest.approx(0.5, rel=0.01)
    with pytest.raises(ValueError, match="rate"):
        ExponentialTasks(0.0)


# ---------------------------------------------------------------------------------------------
# queueing sanity: Pollaczek-Khinchine, Little, lower bound, stability

def test_pollaczek_khinchine_with_ample_redundancy(rng):
    # With Ω = 3 no worker runs out of tasks (w.h.p.), so the pooled results form a Poisson
    # process of rate Σμ/C and δ ~ Gamma(K, Σμ/C): E[S] = Z/Σμ and E[S²] = E[S]²(1 + 1/K).
    rates = np.array([1.0, 2.0, 3.0, 4.0])
    lam, Z, K = 0.2, 20.0, 20
    sim = StreamSimulator(rates, lam, Z, K, 3.0)
    res = sim.run(40000, rng=rng)
    ES = Z / rates.sum()
    assert res.mean_service == pytest.approx(ES, abs=4 * ES / np.sqrt(K * 40000))
    ES2 = ES * ES * (1 + 1 / K)
    rho = lam * ES
    pk = ES + lam * ES2 / (2 * (1 - rho))
    assert res.mean_delay == pytest.approx(pk, abs=4 * _batch_se(res.delay))
    assert res.mean_delay >= sim.lower_bound() - 3 * _batch_se(res.delay)


def test_littles_law_seen_by_arrivals(rng):
    # PASTA: the mean number of jobs found in the system by arrivals equals L = λ W.
    rates = _spec_rates()
    sim = StreamSimulator(rates, 0.03, 50000.0, 200, 1.05)
    res = sim.run(30000, rng=rng)
    # jobs j' < j still in the system at arrival j: end_{j'} > arrival_j (ends are increasing)
    in_system = np.arange(res.n_jobs) - np.searchsorted(res.end, res.arrival, side="right")
    L = in_system.mean()
    W = res.mean_delay
    assert L == pytest.approx(0.03 * W, rel=0.08)


@pytest.mark.parametrize("rates_fn", [_spec_rates, _strong_rates])
def test_delay_not_below_lower_bound_spec_parameters(rates_fn, rng):
    rates = rates_fn()
    arrivals = poisson_arrivals(0.01, 6000, rng)
    lb = lower_bound_delay(0.01, 50000, rates)
    for Omega in (1.0, 1.2):
        sim = StreamSimulator(rates, 0.01, 50000, 1000, Omega)
        res = sim.run(arrivals=arrivals, rng=rng)
        assert res.mean_delay >= lb - 3 * _batch_se(res.delay)
        assert res.mean_service >= 50000 / rates.sum() * (1 - 1e-3)
        assert res.stable


def test_optimal_beats_uniform_and_approaches_bound(rng):
    rates = _spec_rates()
    arrivals = poisson_arrivals(0.01, 4000, rng)
    lb = lower_bound_delay(0.01, 50000, rates)
    out = {}
    for split in ("optimal", "uniform"):
        for Omega in (1.0, 1.1):
            sim = StreamSimulator(rates, 0.01, 50000, 1000, Omega, split=split)
            out[split, Omega] = sim.run(arrivals=arrivals, rng=rng).mean_delay
    for Omega in (1.0, 1.1):
        assert out["optimal", Omega] < out["uniform", Omega]
    # with 10% redundancy the optimal split is within a few percent of the ideal bound
    assert out["optimal", 1.1] < 1.05 * lb


def test_uniform_split_unstable_under_strong_heterogeneity(rng):
    # Spec §6: at Ω = 1 the uniform split gives the slowest worker 200 tasks of mean 50/70.97,
    # i.e. >= 141 slots per iteration against a mean inter-arrival time of 100: ρ > 1.
    rates = _strong_rates()
    arrivals = poisson_arrivals(0.01, 4000, rng)
    uni = StreamSimulator(rates, 0.01, 50000, 1000, 1.0, split="uniform").run(arrivals=arrivals, rng=rng)
    opt = StreamSimulator(rates, 0.01, 50000, 1000, 1.0).run(arrivals=arrivals, rng=rng)
    assert uni.rho > 1.4 and not uni.stable
    # each iteration waits for all 1000 tasks, so for the slowest worker's 200 (mean 140.9 slots)
    assert uni.mean_service >= 200 * 50 / rates[0] * 0.99
    # unstable: the delay keeps growing with the job index
    q = uni.n_jobs // 4
    assert uni.delay[-q:].mean() > 2 * uni.delay[q:2 * q].mean()
    assert opt.stable and opt.rho < 0.3
    assert opt.mean_delay < uni.mean_delay / 100


def test_gamma_matters_little_without_latency(rng):
    rates = _spec_rates()
    k1 = StreamSimulator(rates, 0.01, 50000, 1000, 1.1, gamma=1.0).kappa
    for gamma in (1e-6, 0.0065, 100.0):
        kg = StreamSimulator(rates, 0.01, 50000, 1000, 1.1, gamma=gamma).kappa
        np.testing.assert_allclose(kg, k1, rtol=0.02)


# ---------------------------------------------------------------------------------------------
# bad inputs

@pytest.mark.parametrize("kwargs, match", [
    (dict(Omega=0.9), "Omega"),
    (dict(K=0), "K"),
    (dict(lam=0.0), "lam"),
    (dict(lam=-0.1), "lam"),
    (dict(rates=[1.0, -2.0]), "rates"),
    (dict(rates=[1.0, 0.0]), "rates"),
    (dict(Z=0.0), "Z"),
    (dict(c=[0.0, -1.0]), "latency"),
    (dict(gamma=-0.5), "gamma"),
    (dict(split="balanced"), "split"),
    (dict(split=[1.0, 1.0]), "sum"),
    (dict(iterations_per_job=0), "iterations_per_job"),
    (dict(task_mean=[1.0, 0.0]), "task_mean"),
])
def test_simulator_bad_inputs(kwargs, match):
    args = dict(rates=[1.0, 2.0], lam=0.1, Z=10.0, K=10, Omega=1.2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        StreamSimulator(**args)


def test_run_bad_inputs():
    sim = StreamSimulator([1.0, 2.0], 0.1, 10.0, 10, 1.2)
    with pytest.raises(ValueError, match="n_jobs"):
        sim.run(0)
    with pytest.raises(ValueError, match="n_jobs"):
        sim.run()
    with pytest.raises(ValueError, match="non-decreasing"):
        sim.run(arrivals=[1.0, 0.5])
    with pytest.raises(ValueError, match="detail"):
        _ = sim.run(5, rng=0).purged
