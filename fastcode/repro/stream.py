"""Reproduction of stream coded computing on heterogeneous workers (:ref:`stream-reproduction`).

``run(...)`` returns the tables; ``fastcode simulate stream`` prints them (and plots with
``--plot FILE.png``):

1. Mean in-order delay versus the redundancy ratio Ω for the optimal split, the uniform split and the
   ideal M/D/1 lower bound, with the authors' parameters (J = 10 000 jobs, λ = 0.01, Z = 50 000,
   K = 1000, P = 5, γ = 1, rates and arrivals from MATLAB's ``rng(900)``).
2. The same for the strong-heterogeneity setting ``μ ∝ (1, 2, 4, 8, 16)`` (uniform unstable at Ω = 1).
3. A heterogeneity sweep ``μ_p ∝ h^p`` (``Σ μ = 2200``): where the uniform split becomes unstable.
4. Optionally (``--gamma``) the sensitivity to γ, without and with communication latencies.
5. A virtual-time run of ``StreamCodedMatVec``: real coded products and decoding for a stream of
   power-iteration jobs, with task times drawn from the same model, next to the simulator.  It stands
   in for the ``LocalCluster`` run until the runtime is on this branch.

A job's delay is from its arrival to its in-order delivery (slots).  ``ρ`` is the measured load
``λ·E[service]``; at ``ρ >= 1`` the queue is unstable and its mean delay grows with J (marked ``*``).
"""
from __future__ import annotations

import argparse
import math
import time
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from fastcode._progress import Progress
from fastcode._util.tables import Flagged, Table, by_name
from fastcode.repro.cli import (NO_MATPLOTLIB_RERUN, Output, PathLike, comma_list, count, draws_with_pyplot,
                                float_at_least, nonnegative_float, optional_count, positive_float,
                                random_seed, save_figure)
from fastcode.schemes.stream import lower_bound_delay
from fastcode.runtime import VirtualCluster
from fastcode.schemes.stream.scheme import StreamCodedMatVec
from fastcode.schemes.stream.queue import ExponentialTasks, StreamSimulator, poisson_arrivals

__all__ = ["NAME", "SUMMARY", "SPEC", "spec_rates_and_arrivals", "geometric_rates", "add_arguments",
           "run", "plot"]

#: The reproduction's name: ``fastcode simulate NAME`` and the registry key.
NAME = "stream"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = "Stream coded computing: optimal vs uniform load split vs the M/D/1 lower bound."
OUTPUT = Output(footer="({jobs} jobs per point, seed {seed}, {seconds:.1f} s)")

#: The authors' parameter set (docs: schemes/stream, 'Reproduction').
SPEC: Dict[str, Any] = dict(jobs=10000, lam=0.01, Z=50000.0, K=1000, P=5, gamma=1.0, omega_max=1.1, seed=900)
DEFAULT_OMEGAS = (1.0, 1.05, 1.1, 1.2)
DEFAULT_HETERO = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
SWEEP_OMEGAS = (1.0, 1.1)
GAMMAS = (1e-6, 0.0065, 1.0, 100.0)


def spec_rates_and_arrivals(jobs: int = SPEC["jobs"], lam: float = SPEC["lam"], Z: float = SPEC["Z"],
                            P: int = SPEC["P"], omega_max: float = SPEC["omega_max"],
                            seed: int = SPEC["seed"]) -> Tuple[np.ndarray, np.ndarray]:
    """Rates ``μ`` and arrivals of the authors' script.

    ``rng(900); exprnd(1/λ, 1, J); rand(1, P)`` in MATLAB, taken to equal
    NumPy's ``RandomState(900)`` (MT19937, 53-bit doubles,
    ``exprnd(m) = −m log(rand)``).  The rates are scaled to
    ``Σ μ = 4 Z Ω_max λ``.

    Parameters
    ----------
    jobs : int, default 10000
        Number of arrivals J.
    lam : float, default 0.01
        Arrival rate λ (jobs per slot).
    Z : float, default 50000.0
        Operations per job.
    P : int, default 5
        Number of workers.
    omega_max : float, default 1.1
        Largest redundancy ratio Ω of the setting.
    seed : int, default 900
        The MATLAB ``rng`` seed.

    Returns
    -------
    rates : (P,) float64 array
        Worker speeds, ops/slot.  Only with ``jobs = 10000`` are they
        ``(385.95, 650.92, 373.40, 415.75, 373.98)``.
    arrivals : (jobs,) float64 array
        Arrival times, slots (increasing).

    Examples
    --------
    >>> from fastcode.repro.stream import spec_rates_and_arrivals
    >>> rates, arrivals = spec_rates_and_arrivals()
    >>> rates.round(2).tolist()
    [385.95, 650.92, 373.4, 415.75, 373.98]
    >>> arrivals.shape, arrivals[:2].round(2).tolist()
    ((10000,), [83.66, 201.64])
    """
    rs = np.random.RandomState(seed)
    arrivals = np.cumsum(-(1.0 / lam) * np.log(rs.random_sample(jobs)))
    u = rs.random_sample(P)
    rates = Z * omega_max * lam * 4.0 * u / u.sum()
    return rates, arrivals


def geometric_rates(h: float, P: int = SPEC["P"],
                    total: float = 4 * SPEC["Z"] * SPEC["omega_max"] * SPEC["lam"]) -> np.ndarray:
    """``μ_p ∝ h^p`` for ``p = 0..P-1``, scaled to ``Σ μ = total``.

    Parameters
    ----------
    h : float
        Heterogeneity ratio (1: equal workers).
    P : int, default 5
        Number of workers.
    total : float, default 2200
        The sum of the rates, ops/slot.

    Returns
    -------
    (P,) float64 array
        The rates; ``h = 2`` is the strong-heterogeneity setting
        ``(70.97, 141.94, 283.87, 567.74, 1135.48)``.

    Examples
    --------
    >>> from fastcode.repro.stream import geometric_rates
    >>> geometric_rates(2.0).round(2).tolist()
    [70.97, 141.94, 283.87, 567.74, 1135.48]
    >>> geometric_rates(1.0, P=4, total=100.0).tolist()
    [25.0, 25.0, 25.0, 25.0]
    """
    mu = float(h) ** np.arange(P)
    return mu * (total / mu.sum())


def _delay(res):
    """The mean delay, flagged ``*`` when the queue was unstable."""
    return Flagged(res.mean_delay) if not res.stable else res.mean_delay


def _p95(res):
    return Flagged(res.percentile(95)) if not res.stable else res.percentile(95)


def _omega_table(name, title, rates, arrivals, omegas, seed, gamma, progress):
    lam, Z, K = SPEC["lam"], SPEC["Z"], SPEC["K"]
    lb = lower_bound_delay(lam, Z, rates)
    rows = []
    for i, om in enumerate(omegas):
        out = {}
        for split in ("optimal", "uniform"):
            sim = StreamSimulator(rates, lam, Z, K, om, gamma=gamma, split=split)
            # common random numbers: the same arrivals and task-time stream for both splits
            out[split] = sim.run(arrivals=arrivals, rng=np.random.default_rng([seed, i]))
            progress.step(f"{title[:12]} Ω={om:g} {split}")
        o, u = out["optimal"], out["uniform"]
        rows.append((om, _delay(o), _p95(o), _delay(u), _p95(u), lb, o.rho, u.rho))
    return Table(title, ["Omega", "optimal", "opt_p95", "uniform", "uni_p95", "lower_bd",
                         "rho_opt", "rho_uni"], rows, name=name)


def _sweep_table(hetero, omegas, arrivals, seed, gamma, progress):
    lam, Z, K, P = SPEC["lam"], SPEC["Z"], SPEC["K"], SPEC["P"]
    rows = []
    for i, h in enumerate(hetero):
        rates = geometric_rates(h)
        for k, om in enumerate(omegas):
            res = {}
            for split in ("optimal", "uniform"):
                sim = StreamSimulator(rates, lam, Z, K, om, gamma=gamma, split=split)
                res[split] = sim.run(arrivals=arrivals, rng=np.random.default_rng([seed, 100 + i, k]))
                progress.step(f"sweep h={h:g} Ω={om:g} {split}")
            o, u = res["optimal"], res["uniform"]
            # Without redundancy every task is needed, so the slowest worker's share alone bounds
            # the uniform split's load from below: ρ >= λ (KΩ/P) C / μ_min.
            floor = lam * (K * om / P) * (Z / K) / rates.min() if om == 1.0 else "-"
            rows.append((h, rates.min() / rates.sum(), om, _delay(o), _delay(u), o.rho, u.rho,
                         floor, lower_bound_delay(lam, Z, rates)))
    notes = ["rho_floor: λ·(K/P)·C/μ_min, a lower bound on the expected rho_uni at Ω = 1 (the slowest worker "
             "must finish all its tasks); * = unstable (rho >= 1), the mean grows with J."]
    return Table("Heterogeneity sweep: μ_p ∝ h^p, Σμ = 2200 (mean in-order delay, slots)",
                 ["h", "mu_min/sum", "Omega", "optimal", "uniform", "rho_opt", "rho_uni",
                  "rho_floor", "lower_bd"], rows, notes, name="sweep")


def _gamma_table(rates, arrivals, seed, progress, omega=1.05):
    lam, Z, K = SPEC["lam"], SPEC["Z"], SPEC["K"]
    latencies = {"c=0": 0.0, "c=(0,2,4,8,16)": np.array([0.0, 2.0, 4.0, 8.0, 16.0])}
    rows = []
    for i, g in enumerate(GAMMAS):
        for k, (cname, c) in enumerate(latencies.items()):
            sim = StreamSimulator(rates, lam, Z, K, omega, gamma=g, c=c)
            r = sim.run(arrivals=arrivals, rng=np.random.default_rng([seed, 200 + i, k]))
            progress.step(f"gamma={g:g} {cname}")
            kappa = np.round(sim.kappa, 1)
            rows.append((f"{g:g}", cname, _delay(r), _p95(r), r.rho,
                         "(" + ", ".join(f"{x:g}" for x in kappa) + ")"))
    return Table(f"Sensitivity to gamma (authors' rates, optimal split, Omega = {omega})",
                 ["gamma", "latency", "mean", "p95", "rho", "kappa"], rows, name="gamma")


def _virtual_run(jobs, seed, K=20, Omega=1.2, rows=400, cols=400):
    """Run ``StreamCodedMatVec`` for a stream of power-iteration jobs with simulated clocks.

    Per job: each worker's task times are drawn from ``ExponentialTasks(μ_p)`` with ``C = Z/K``
    (the authors' rates and λ), tasks are computed in the order their results would arrive until
    ``can_decode``, the rest are purged (never computed), the job is decoded and checked against
    ``A x``, and the next job's input is the normalised result (so jobs depend on each other and
    must be delivered in order).  Returns ``(measured, simulated, max_rel_error, tasks_used)``.
    """
    rng = np.random.default_rng([seed, 300])
    rates, _ = spec_rates_and_arrivals()
    lam, Z = SPEC["lam"], SPEC["Z"]
    C = Z / K
    n = int(round(K * Omega))
    G = rng.standard_normal((n, K))        # Gaussian generator: MDS with probability 1
    scheme = StreamCodedMatVec.with_load_split(G, rates, C=C, rng=rng)
    A = rng.standard_normal((rows, cols))
    cluster = VirtualCluster(scheme.n_workers)
    cluster.setup(scheme, A)
    models = [ExponentialTasks(mu) for mu in rates]
    arrivals = poisson_arrivals(lam, jobs, rng)

    x = rng.standard_normal(cols)
    end = -math.inf
    delays = np.empty(jobs)
    max_err = 0.0
    used = 0
    for j in range(jobs):
        start = max(arrivals[j], end)
        # each worker serves its queue in order: result times are cumulative sums; the
        # cluster computes tasks in arrival order until the job decodes and purges the rest
        times = [np.cumsum(models[p].sample(int(count), C, rng)) if count else np.zeros(0)
                 for p, count in enumerate(scheme.kappa)]
        rnd = cluster.run_round(x, times)
        used += rnd.computed
        y = rnd.output
        ref = A @ x
        max_err = max(max_err, float(np.abs(y - ref).max() / np.abs(ref).max()))
        end = start + rnd.time
        delays[j] = end - arrivals[j]
        x = y / np.linalg.norm(y)
    sim = StreamSimulator(rates, lam, Z, K, Omega, split=scheme.kappa.astype(float))
    simulated = sim.run(arrivals=arrivals, rng=np.random.default_rng([seed, 301]))
    return float(delays.mean()), simulated, max_err, used / jobs, scheme


def _local_run(jobs, seed, backend="process", K=8, Omega=1.25, rates=(1.0, 2.0, 4.0, 8.0),
               rho=0.5, time_scale=1.0, rows=400, cols=400):
    """The stream for real on ``fastcode.runtime.LocalCluster`` (one worker per rate).

    Jobs arrive as a Poisson stream (wall clock, ``time_scale`` seconds per model
    unit, rate chosen so the ideal super-worker would be busy ``rho`` of the time)
    and are served first come first served, one cluster round per job.  A worker
    sends each coded task's result as it finishes (the runtime's partial-results
    mode), its task times drawn from ``ShiftedExponential(mu_p, shift=0)`` scaled
    by its load; the master decodes from the first K results and the rest are
    purged by the next round.  Returns rows (split, kappa, mean and p95 in-order
    delay in model units, mean service, lower bound, late results, max error)."""
    from fastcode.runtime import LocalCluster
    from fastcode.sim import PerWorker, ShiftedExponential

    rng = np.random.default_rng([seed, 400])
    rates = np.asarray(rates, dtype=np.float64)
    lam = rho * rates.sum()                  # ideal service 1 / sum(mu) per job (Z = 1)
    bound = lower_bound_delay(lam, 1.0, rates)
    n = int(round(K * Omega))
    G = rng.standard_normal((n, K))          # Gaussian generator: MDS with probability 1
    A = rng.standard_normal((rows, cols))
    arrivals = poisson_arrivals(lam, jobs, rng) * time_scale
    model = PerWorker([ShiftedExponential(mu, shift=0.0) for mu in rates])
    out = []
    for split in ("optimal", "uniform"):
        scheme = StreamCodedMatVec.with_load_split(G, rates, C=1.0 / K, split=split, rng=seed)
        delays, services, late, err = [], [], 0, 0.0
        with LocalCluster(len(rates), model, backend=backend, time_scale=time_scale,
                          rng=seed) as cluster:
            cluster.setup(scheme, A)
            t0 = time.perf_counter()
            for j in range(jobs):
                wait = arrivals[j] - (time.perf_counter() - t0)
                if wait > 0:
                    time.sleep(wait)         # idle until the job arrives
                x = rng.standard_normal(cols)
                started = time.perf_counter()
                result = cluster.run_round(x)
                done = time.perf_counter()
                services.append(done - started)
                delays.append(done - t0 - arrivals[j])
                late += result.discarded
                ref = A @ x
                err = max(err, float(np.abs(result.output - ref).max() / np.abs(ref).max()))
        d = np.asarray(delays) / time_scale
        out.append((split, ",".join(str(k) for k in scheme.kappa.tolist()), float(d.mean()), float(np.percentile(d, 95)),
                    float(np.mean(services)) / time_scale, bound, late, err))
    return out


def run(jobs: int = SPEC["jobs"], seed: int = 1, omegas: Sequence[float] = DEFAULT_OMEGAS,
        hetero: Sequence[float] = DEFAULT_HETERO, sweep_omegas: Sequence[float] = SWEEP_OMEGAS,
        fine: bool = False, gamma_table: bool = False, real_jobs: int = 300, gamma: float = 1.0,
        local_jobs: int = 0, local_backend: str = "process", quiet: bool = False) -> List[Table]:
    """Compute the reproduction's tables.

    Delays are mean in-order delays in slots; a ``*`` marks an unstable
    queue (ρ >= 1), whose mean grows with the number of jobs.

    Parameters
    ----------
    jobs : int, default 10000
        Jobs per simulated point, >= 10 (the authors use 10 000; the rates
        always come from the 10 000-draw MATLAB stream, the arrivals are its
        first ``jobs``).
    seed : int, default 1
        Seed of the job-level randomness (roundings, task times).
    omegas : sequence of float, default DEFAULT_OMEGAS
        Ω values of tables 1-2.
    hetero : sequence of float, default DEFAULT_HETERO
        Ratios ``h`` of the sweep (empty: no sweep).
    sweep_omegas : sequence of float, default SWEEP_OMEGAS
        The Ω at which each ``h`` of the sweep runs.
    fine : bool, default False
        Use the authors' 0.002 grid on [1, 1.1] for the first table (51
        points, about 50 s).
    gamma_table : bool, default False
        Add the γ-sensitivity table.
    real_jobs : int, default 300
        Jobs of the virtual-time scheme run (0 to skip).
    gamma : float, default 1.0
        The split's γ (second-moment weight).
    local_jobs : int, default 0
        Jobs of the LocalCluster run (0 to skip).
    local_backend : {"process", "thread"}, default "process"
        Workers of the LocalCluster run.
    quiet : bool, default False
        No progress line (it is drawn on a terminal only).

    Returns
    -------
    list of Table
        Named ``omega_spec``, ``omega_strong``, ``sweep`` (if ``hetero``),
        ``gamma`` (if ``gamma_table``), ``real`` (if ``real_jobs``) and
        ``local`` (if ``local_jobs``).

    Raises
    ------
    ValueError
        ``jobs`` not an integer >= 10.

    Examples
    --------
    >>> from fastcode.repro import stream
    >>> tables = stream.run(jobs=20, omegas=(1.1,), hetero=(), real_jobs=0, quiet=True)
    >>> [(t.name, len(t.rows)) for t in tables]
    [('omega_spec', 1), ('omega_strong', 1)]
    >>> print(tables[0].format())
    Authors' parameters: mean in-order delay vs Omega (slots; mu = 385.95, 650.92, 373.40, 415.75, 373.98)
    Omega  optimal  opt_p95  uniform  uni_p95  lower_bd  rho_opt  rho_uni
    -----  -------  -------  -------  -------  --------  -------  -------
    1.100   24.015   33.780   26.988   40.482    26.070    0.227    0.250
    * = unstable (rho >= 1): the mean grows with the number of jobs.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 10:
        raise ValueError(f"jobs must be an integer >= 10, got {jobs!r}")
    rates, arrivals_all = spec_rates_and_arrivals()
    arrivals = arrivals_all[:jobs] if jobs <= arrivals_all.shape[0] else \
        spec_rates_and_arrivals(jobs=jobs)[1]
    omegas1 = tuple(np.round(np.arange(1.0, 1.1 + 1e-9, 0.002), 3)) if fine else tuple(omegas)
    n_runs = 2 * len(omegas1) + 2 * len(omegas) + 2 * len(hetero) * len(sweep_omegas) \
        + (2 * len(GAMMAS) if gamma_table else 0)
    prog = Progress(NAME, n_runs, enabled=False if quiet else None)
    tables = {}
    with prog:
        tables["omega_spec"] = _omega_table(
            "omega_spec", "Authors' parameters: mean in-order delay vs Omega (slots; mu = "
            + ", ".join(f"{m:.2f}" for m in rates) + ")",
            rates, arrivals, omegas1, seed, gamma, prog)
        tables["omega_strong"] = _omega_table(
            "omega_strong",
            "Strong heterogeneity mu ∝ (1, 2, 4, 8, 16): mean in-order delay vs Omega (slots)",
            geometric_rates(2.0), arrivals, tuple(omegas), seed + 1, gamma, prog)
        if hetero:
            tables["sweep"] = _sweep_table(tuple(hetero), tuple(sweep_omegas), arrivals, seed,
                                           gamma, prog)
        if gamma_table:
            tables["gamma"] = _gamma_table(rates, arrivals, seed, prog)
    for key in ("omega_spec", "omega_strong"):
        tables[key].notes.append("* = unstable (rho >= 1): the mean grows with the number of jobs.")
    if real_jobs:
        measured, simulated, err, used, scheme = _virtual_run(int(real_jobs), seed)
        tables["real"] = Table(
            "StreamCodedMatVec, virtual-time run (K = 20, Omega = 1.2, 400 x 400, power iteration)",
            ["jobs", "measured", "simulated", "rho_sim", "tasks_run", "max_rel_err"],
            [(int(real_jobs), measured, simulated.mean_delay, simulated.rho, used, err)],
            [f"kappa = {scheme.kappa.tolist()}; tasks_run: coded tasks computed per job before "
             "the rest were purged (K = 20); the LocalCluster run below uses real clocks."],
            name="real")
    if local_jobs:
        rows = _local_run(int(local_jobs), seed, backend=local_backend)
        tables["local"] = Table(
            f"Real run on LocalCluster ({local_backend} workers, rates 1, 2, 4, 8; K = 8, "
            f"Omega = 1.25; {int(local_jobs)} Poisson jobs, rho = 0.5 of the ideal; model units)",
            ["split", "kappa", "mean_delay", "p95_delay", "service", "lower_bd", "late", "max_err"],
            rows,
            ["each worker sends every coded task's result as it finishes; the master decodes "
             "from the first K = 8 and the rest are purged (late: results thrown away)"],
            name="local")
    return list(tables.values())


@draws_with_pyplot(NO_MATPLOTLIB_RERUN)
def plot(plt, tables: Sequence[Table], path: PathLike) -> None:
    """Delay versus Omega (both settings) and the heterogeneity sweep, into ``path``.

    Parameters
    ----------
    tables : list of Table
        What :func:`run` returns.
    path : str or path
        The figure file; its suffix picks the format.

    Returns
    -------
    str or None
        None, or why no figure was written (matplotlib missing).

    Examples
    --------
    >>> import os, tempfile
    >>> from fastcode.repro import stream
    >>> tables = stream.run(jobs=20, omegas=(1.0, 1.1), hetero=(1.0, 2.0), real_jobs=0, quiet=True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "stream.png")
    ...     problem = stream.plot(tables, path)
    ...     os.path.exists(path) if problem is None else "matplotlib" in problem
    True
    """
    named = by_name(tables)
    panels = [k for k in ("omega_spec", "omega_strong", "sweep") if k in named]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False)
    for ax, key in zip(axes[0], panels):
        t = named[key]
        if key == "sweep":
            for om in sorted(set(t.column("Omega"))):
                sel = [r for r in t.rows if r[2] == om]
                hs = [r[0] for r in sel]
                ax.semilogy(hs, [float(r[3]) for r in sel], "o-", label=f"optimal, Ω={om:g}")
                ax.semilogy(hs, [float(r[4]) for r in sel], "s--", label=f"uniform, Ω={om:g}")
            ax.semilogy(hs, [r[8] for r in sel], "k:", label="lower bound")
            ax.set_xlabel("heterogeneity h (μ_p ∝ h^p)")
            ax.set_title("heterogeneity sweep")
        else:
            om = t.column("Omega")
            ax.plot(om, [float(v) for v in t.column("optimal")], "o-", label="optimal split")
            ax.plot(om, [float(v) for v in t.column("uniform")], "s--", label="uniform split")
            ax.plot(om, t.column("lower_bd"), "k:", label="lower bound (M/D/1)")
            if max(float(v) for v in t.column("uniform")) > 20 * min(t.column("lower_bd")):
                ax.set_yscale("log")
            ax.set_xlabel("redundancy ratio Ω")
            ax.set_title("authors' rates" if key == "omega_spec" else "μ ∝ (1, 2, 4, 8, 16)")
        ax.set_ylabel("mean in-order delay (slots)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    save_figure(plt, fig, path, dpi=120)
    return None


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``fastcode simulate stream`` on parser ``p``.

    Their argparse dests are :func:`run`'s keywords (plus ``plot``).

    Parameters
    ----------
    p : argparse.ArgumentParser
        The parser to add them to.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import stream
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate stream")
    >>> stream.add_arguments(parser)
    >>> args = parser.parse_args(["--jobs", "100", "--omegas", "1,1.1", "--hetero", ""])
    >>> args.jobs, args.omegas, args.hetero, args.local_jobs
    (100, (1.0, 1.1), (), 30)
    """
    p.add_argument("--jobs", type=count, default=SPEC["jobs"], help="jobs per point (default 10000)")
    p.add_argument("--seed", type=random_seed, default=1, help="seed of task times and roundings (default 1)")
    p.add_argument("--omegas", type=comma_list(float_at_least(1)), default=DEFAULT_OMEGAS,
                   help="comma-separated redundancy ratios (default 1,1.05,1.1,1.2)")
    p.add_argument("--fine", action="store_true",
                   help="authors' 0.002 grid on [1, 1.1] for the first table (slower)")
    p.add_argument("--hetero", type=comma_list(positive_float), default=DEFAULT_HETERO,
                   help="heterogeneity ratios h of the sweep (default 1,1.25,1.5,1.75,2,2.5; "
                        "empty string to skip)")
    p.add_argument("--gamma", type=nonnegative_float, default=1.0, help="second-moment weight (default 1)")
    p.add_argument("--gamma-table", action="store_true",
                   help="add the gamma-sensitivity table (with and without latencies)")
    p.add_argument("--real-jobs", type=optional_count, default=300,
                   help="jobs of the virtual-time StreamCodedMatVec run (0 skips it)")
    p.add_argument("--local-jobs", type=optional_count, default=30,
                   help="jobs of the real LocalCluster run (0 skips it; default 30)")
    p.add_argument("--local-backend", choices=("process", "thread"), default="process",
                   help="workers of the LocalCluster run (default process)")
    p.add_argument("--plot", metavar="FILE.png", help="write the figures (needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
