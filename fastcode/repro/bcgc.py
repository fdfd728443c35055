"""Reproduction of block-coordinate gradient coding for partial stragglers (:ref:`bcgc-reproduction`).

``run(...)`` returns the tables; ``fastcode simulate bcgc`` prints them (and plots with ``--plot FILE.png``).
Shifted-exponential per-unit times ``τ = a + Exp(μ)``; times are in units of one ``τ``-unit (one
coordinate's partial derivative over one data subset at speed 1).  Every ``E[T]`` is the exact
formula (:ref:`bcgc-exact`); SPSG's result is cross-checked by Monte Carlo.

1. Expected runtime for ``L = 1000``, ``a = 1``, ``μ ∈ {1, 0.2}``, ``N ∈ {5, 10, 20}`` (the issue's
   N = 10 rows included): uncoded, best plain gradient code (and its ``s``), approximations A and B,
   SPSG (integer ``x``, with its rounding loss and a Monte Carlo check), the Jensen lower bound.
2. Completion probability ``P(T <= t)`` for ``N = 10``, ``μ = 1`` and deadlines ``t``: uncoded, best
   plain code, approximation A, SPSG's ``x``, projected gradient ascent.
3. The block sizes ``x_s`` (N = 10) of approximation A, SPSG and the ascent.
4. The effect of ``N`` and ``μ`` on the gain over the best plain code: the closed form's gain
   (a lower bound on the optimum's) and ``GC / z*`` (an upper bound).
5. A virtual-clock run of ``BlockCoordinateGC``: least-squares gradient descent with real encoded
   block messages, block-by-block decoding and simulated per-worker finishing times.
6. The same on real clocks: ``fastcode.runtime.LocalCluster`` workers send each block message as
   they finish it (partial results) and the master decodes block by block.
"""
from __future__ import annotations

import argparse
import math
from typing import Any, Dict, List, Sequence

import numpy as np

from fastcode._progress import Progress
from fastcode._util.tables import Table, by_name, fixed_cell
from fastcode.repro.cli import (NO_MATPLOTLIB_RERUN, Output, PathLike, comma_list, count, int_at_least,
                                nonnegative_float, optional_count, positive_float, draws_with_pyplot,
                                random_seed, save_figure)
from fastcode.schemes.bcgc import (BlockCoordinateGC, approx_a, approx_b, best_plain_gc,
                                   completion_probability, expected_runtime, jensen_lower_bound,
                                   least_squares_job, maximize_completion_probability,
                                   plain_gc_blocks, round_blocks, runtime, runtime_samples, spsg)
from fastcode.runtime import VirtualCluster
from fastcode.sim import ShiftedExponential

__all__ = ["NAME", "SUMMARY", "DEFAULTS", "add_arguments", "run", "plot"]

#: The reproduction's name: ``fastcode simulate NAME`` and the registry key.
NAME = "bcgc"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = "Block-coordinate gradient coding: E[T] and P(T <= t) vs plain gradient coding."
OUTPUT = Output(footer="(seed {seed}, {seconds:.1f} s)")

#: Default settings of ``run`` (the command-line defaults).
DEFAULTS: Dict[str, Any] = dict(N=10, L=1000, shift=1.0, mus=(1.0, 0.2), Ns=(5, 10, 20), deadlines=(3000.0, 3500.0,
                4500.0), deadline_mu=1.0, sweep_Ns=(5, 10, 20, 40),
                sweep_mus=(0.1, 0.2, 0.5, 1.0, 2.0, 5.0), iters=10_000, batch=64, mc=200_000,
                rounds=20, seed=1)


def _table(title, columns, rows, notes=(), params=(), **options):
    """A Table printed in this reproduction's style: times with one decimal, probabilities and
    ratios with three or four (no scientific notation for runtimes around 10^4); the
    parameter columns ``params`` (mu, t) exactly as given (``:g``)."""
    return Table(title, columns, rows, notes, cell=fixed_cell, formats={c: "g" for c in params},
                 **options)


def _runtime_table(Ns, mus, L, shift, iters, batch, mc, seed, prog, keep):
    rows = []
    for i, N in enumerate(Ns):
        for j, mu in enumerate(mus):
            m = ShiftedExponential(mu, shift)
            rng = np.random.default_rng([seed, i, j])
            s_gc, e_gc = best_plain_gc(N, L, m)
            res = spsg(N, L, m, iters=iters, batch=batch, rng=rng)
            e_s = expected_runtime(res.x_int, m)
            e_cont = expected_runtime(res.x, m)
            T = runtime_samples(res.x_int, m, mc, rng)
            xa = round_blocks(approx_a(N, L, m), L)
            xb = round_blocks(approx_b(N, L, m), L)
            keep[(N, mu)] = dict(spsg=res.x_int, A=xa, B=xb)
            rows.append((N, float(mu), expected_runtime(plain_gc_blocks(N, L, 0), m), e_gc, s_gc,
                         expected_runtime(xa, m), expected_runtime(xb, m), e_s,
                         f"{T.mean():.1f}±{T.std() / math.sqrt(mc):.1f}",
                         jensen_lower_bound(N, L, m), e_gc / e_s, f"{100 * (e_s / e_cont - 1):+.3f}"))
            prog.step(f"E[T] N={N} mu={mu:g}")
    notes = [f"L = {L}, a = {shift:g}; E[T] exact (DP + quadrature) in units of one τ-unit.  "
             f"SPSG: {iters} iterations, batch {batch}, integer x; SPSG_mc: {mc} simulated rounds "
             "(mean ± s.e.).",
             "gain = best plain GC / SPSG; round% = E[T] increase from rounding SPSG's x to "
             "integers; lower_bd = Jensen bound z* <= min E[T]."]
    return _table("Expected runtime E[T]: uncoded, best plain gradient code (level s), "
                  "closed forms A/B, SPSG, lower bound",
                  ["N", "mu", "uncoded", "best_GC", "s_GC", "approx_A", "approx_B", "SPSG",
                   "SPSG_mc", "lower_bd", "gain", "round%"], rows, notes, params=("mu",),
                  name="runtime", plot_data=dict(L=L, mus=tuple(mus)))


def _deadline_table(N, L, shift, mu, deadlines, x_spsg, prog, keep):
    m = ShiftedExponential(mu, shift)
    xa = round_blocks(approx_a(N, L, m), L)
    rows = []
    for t in deadlines:
        p_gc = max(completion_probability(plain_gc_blocks(N, L, s), t, m) for s in range(N))
        res = maximize_completion_probability(N, L, t, m)
        keep[t] = res.x_int
        rows.append((float(t), completion_probability(plain_gc_blocks(N, L, 0), t, m), p_gc,
                     completion_probability(xa, t, m),
                     completion_probability(x_spsg, t, m) if x_spsg is not None else "-",
                     res.prob_int, res.iters))
        prog.step(f"P(T<=t) t={t:g}")
    return _table(f"Completion probability P(T <= t), N = {N}, mu = {mu:g}, L = {L}",
                  ["t", "uncoded", "best_GC", "approx_A", "SPSG_x", "ascent", "iters"], rows,
                  ["best_GC: the best single level for this t; ascent: projected gradient ascent "
                   "from approximation A (integer x; a stationary point, P2 is not concave)."],
                  params=("t",), name="deadline",
                  plot_data=dict(N=N, L=L, shift=shift, mu=mu, spsg=x_spsg, ascents=keep))


def _blocks_table(N, keep_rt, keep_dl, mus, deadline):
    rows = []
    for mu in mus:
        d = keep_rt.get((N, mu))
        if d is None:
            continue
        rows.append((f"approx A, mu={mu:g}",) + tuple(int(v) for v in d["A"]))
        rows.append((f"SPSG, mu={mu:g}",) + tuple(int(v) for v in d["spsg"]))
    if deadline in keep_dl:
        rows.append((f"ascent t={deadline:g}",) + tuple(int(v) for v in keep_dl[deadline]))
    return _table(f"Block sizes x_s (coordinates with redundancy level s), N = {N}",
                  ["scheme"] + [f"s={s}" for s in range(N)], rows, name="blocks")


def _gain_table(Ns, mus, L, shift, prog):
    rows = []
    for N in Ns:
        for mu in mus:
            m = ShiftedExponential(mu, shift)
            s_gc, e_gc = best_plain_gc(N, L, m)
            e_a = expected_runtime(round_blocks(approx_a(N, L, m), L), m)
            z = jensen_lower_bound(N, L, m)
            rows.append((N, float(mu), s_gc, e_gc, e_a, e_gc / e_a, e_gc / z))
        prog.step(f"gain N={N}")
    return _table(f"Effect of N and mu on the gain over the best plain code (L = {L}, a = {shift:g})",
                  ["N", "mu", "s_GC", "best_GC", "approx_A", "gain_A", "gain_max"], rows,
                  ["gain_A = best_GC / E[T(approx A)] <= optimal gain <= gain_max = best_GC / z*."],
                  params=("mu",), name="gain")


def _virtual_table(N, L, shift, mu, x_opt, rounds, seed):
    """Least squares, gradient descent; the same τ draws for every scheme (common random
    numbers).  Per scheme: mean virtual round time, its exact E[T], the largest relative error of
    the decoded gradient, block messages computed per round, and the final loss."""
    rng = np.random.default_rng([seed, 77])
    m = ShiftedExponential(mu, shift)
    rows_data = 4 * N * 50
    X = rng.standard_normal((rows_data, L)) / math.sqrt(rows_data)
    y = X @ rng.standard_normal(L) + 0.1 * rng.standard_normal(rows_data)
    job = least_squares_job(X, y, N)
    taus = m.sample(N, rng=rng, size=rounds)
    lr = 1.0 / np.linalg.norm(X, 2) ** 2
    s_gc, _ = best_plain_gc(N, L, m)
    schemes = [("uncoded", plain_gc_blocks(N, L, 0)), (f"plain GC s={s_gc}",
               plain_gc_blocks(N, L, s_gc)), ("block-coordinate (SPSG)", x_opt)]
    rows = []
    loss0 = 0.5 * float(np.sum(y ** 2))
    for name, x in schemes:
        x = np.asarray(x).astype(np.int64)
        sc = BlockCoordinateGC(N, x, rng=np.random.default_rng([seed, 78]))
        cluster = VirtualCluster(N)
        cluster.setup(sc, job)
        theta = np.zeros(L)
        times, err, computed = [], 0.0, 0
        for r in range(rounds):
            vr = cluster.run_round(theta, sc.part_times(taus[r]))
            exact = X.T @ (X @ theta - y)
            err = max(err, float(np.abs(vr.output - exact).max() / np.abs(exact).max()))
            if not math.isclose(vr.time, runtime(x, taus[r]), rel_tol=1e-12):
                raise AssertionError("virtual round time differs from T(x)")   # cannot happen
            times.append(vr.time)
            computed += vr.computed
            theta = theta - lr * vr.output
        loss = 0.5 * float(np.sum((X @ theta - y) ** 2))
        rows.append((name, float(np.mean(times)), expected_runtime(x, m), computed / rounds,
                     N * int(np.count_nonzero(x)), err, loss / loss0))
    return _table(f"Virtual-clock run of BlockCoordinateGC: least squares, {rounds} gradient steps, "
                 f"N = {N}, L = {L}, mu = {mu:g}",
                 ["scheme", "mean_time", "E[T]", "msgs_used", "msgs_all", "max_rel_err",
                  "loss/loss0"], rows,
                 ["Real block messages (CyclicRepetition codes over float64), decoded block by block "
                  "as they arrive; per-round time = when the last block decodes (equals T(x) for the "
                  "drawn τ).  Same τ draws for every scheme.  msgs_used: block messages computed "
                  "before the round ended (the rest are purged).  The LocalCluster table below runs "
                  "the same on real clocks."], name="virtual")


def _local_table(N, L, shift, mu, x_opt, rounds, seed, backend="process"):
    """The same comparison for real on ``fastcode.runtime.LocalCluster``: workers
    send each block message as they finish it (the runtime's partial-results
    mode) and the master decodes block by block.

    Units: the runtime injects ``worker_load * X`` with ``worker_load = C / (N L)``,
    so one runtime time unit is ``N L`` work units of T(x); the time scale makes
    the uncoded round last about 0.1 s, and times are reported in T(x)'s units."""
    from fastcode.runtime import LocalCluster

    rng = np.random.default_rng([seed, 79])
    m = ShiftedExponential(mu, shift)
    X = rng.standard_normal((4 * N * 10, L))
    y = rng.standard_normal(X.shape[0])
    job = least_squares_job(X, y, N)
    s_gc, _ = best_plain_gc(N, L, m)
    schemes = [("uncoded", plain_gc_blocks(N, L, 0)), (f"plain GC s={s_gc}",
               plain_gc_blocks(N, L, s_gc)), ("block-coordinate (SPSG)", x_opt)]
    units = N * L                                    # T(x) work units per runtime time unit
    e_uncoded = expected_runtime(np.asarray(schemes[0][1]).astype(np.int64), m)
    scale = 0.1 / (e_uncoded / units)                # seconds per runtime time unit
    rows = []
    for name, x in schemes:
        x = np.asarray(x).astype(np.int64)
        sc = BlockCoordinateGC(N, x, rng=np.random.default_rng([seed, 78]))
        times, ideal, err = [], [], 0.0
        with LocalCluster(N, m, backend=backend, rng=seed, time_scale=scale,
                          timeout=30) as cluster:
            cluster.setup(sc, job)
            for _ in range(rounds):
                theta = rng.standard_normal(L)
                result = cluster.run_round(theta)
                exact = X.T @ (X @ theta - y)
                err = max(err, float(np.abs(result.output - exact).max() / np.abs(exact).max()))
                times.append(result.wall_time / scale * units)
                ideal.append(result.ideal_time / scale * units)
        rows.append((name, float(np.mean(times)), float(np.mean(ideal)), expected_runtime(x, m),
                     err))
    return _table(f"Real run on LocalCluster ({backend} workers): {rounds} rounds per scheme, "
                  f"N = {N}, L = {L}, mu = {mu:g} (T(x) units; 1000 units = "
                  f"{scale / units * 1e6:.3g} ms)",
                  ["scheme", "measured", "draws", "E[T]", "max_rel_err"], rows,
                  ["Workers send each block message as they finish it; the master decodes every "
                   "block as soon as its code allows.  measured: mean wall-clock round; draws: "
                   "the mean round time the injected delays imply (T(x) of the drawn tau); E[T]: "
                   "the exact expectation.  With few rounds, draws scatter around E[T]."],
                  name="local")


def run(N: int = DEFAULTS["N"], L: int = DEFAULTS["L"], shift: float = DEFAULTS["shift"],
        mus: Sequence[float] = DEFAULTS["mus"], Ns: Sequence[int] = DEFAULTS["Ns"],
        deadlines: Sequence[float] = DEFAULTS["deadlines"], deadline_mu: float = DEFAULTS["deadline_mu"],
        sweep_Ns: Sequence[int] = DEFAULTS["sweep_Ns"], sweep_mus: Sequence[float] = DEFAULTS["sweep_mus"],
        iters: int = DEFAULTS["iters"], batch: int = DEFAULTS["batch"], mc: int = DEFAULTS["mc"],
        rounds: int = DEFAULTS["rounds"], local_rounds: int = 0, local_backend: str = "process",
        seed: int = DEFAULTS["seed"], quiet: bool = False) -> List[Table]:
    """Compute the reproduction's tables.

    Per-unit times are ``τ = shift + Exp(μ)`` (shifted exponential); every
    E[T] is exact, in τ-units.

    Parameters
    ----------
    N : int, default 10
        Workers of the deadline, block and virtual tables, >= 2.
    L : int, default 1000
        Coordinates.
    shift : float, default 1.0
        The shift ``a``, >= 0.
    mus : sequence of float, default (1.0, 0.2)
        μ values of the runtime table's grid (empty: no runtime, block or
        clock-run tables).
    Ns : sequence of int, default (5, 10, 20)
        N values of the runtime table's grid (``N`` is added if missing).
    deadlines : sequence of float, default (3000.0, 3500.0, 4500.0)
        Deadlines t of the completion-probability table, at ``deadline_mu``.
    deadline_mu : float, default 1.0
        μ of the completion-probability table.
    sweep_Ns, sweep_mus : sequences, default (5, 10, 20, 40), (0.1, ..., 5.0)
        The gain table's grid.
    iters, batch : int, default 10000, 64
        SPSG iterations and batch.
    mc : int, default 200000
        Monte Carlo draws of the SPSG cross-check, >= 2.
    rounds : int, default 20
        Virtual-clock gradient steps (0 skips that table).
    local_rounds : int, default 0
        Rounds per scheme on a LocalCluster (0 skips that table).
    local_backend : {"process", "thread"}, default "process"
        Workers of the LocalCluster run.
    seed : int, default 1
        Random seed.
    quiet : bool, default False
        No progress line (it is drawn on a terminal only).

    Returns
    -------
    list of Table
        Named ``runtime``, ``deadline``, ``blocks``, ``gain``, ``virtual`` and
        ``local`` (a table is skipped when its parameter list is empty or its
        rounds are 0).

    Raises
    ------
    ValueError
        A count below its minimum or not an integer, a non-positive μ or
        deadline, or a negative shift.

    Examples
    --------
    >>> from fastcode.repro import bcgc
    >>> tables = bcgc.run(N=4, L=20, mus=(1.0,), Ns=(4,), deadlines=(30.0,), sweep_Ns=(4,),
    ...                   sweep_mus=(1.0,), iters=20, batch=4, mc=100, rounds=0, quiet=True)
    >>> [(t.name, len(t.rows)) for t in tables]
    [('runtime', 1), ('deadline', 1), ('blocks', 3), ('gain', 1)]
    >>> row = dict(zip(tables[0].columns, tables[0].rows[0]))
    >>> round(float(row["uncoded"]), 3), round(float(row["lower_bd"]), 3)
    (61.667, 40.421)
    >>> bool(row["lower_bd"] <= row["SPSG"] <= row["best_GC"])
    True
    """
    for name, v, lo in (("N", N, 2), ("L", L, 1), ("iters", iters, 1), ("batch", batch, 1),
                        ("mc", mc, 2), ("rounds", rounds, 0), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    for name, vals in (("Ns", Ns), ("sweep_Ns", sweep_Ns)):
        if any(isinstance(v, bool) or not float(v).is_integer() or v < 1 for v in vals):
            raise ValueError(f"{name} must be positive integers, got {vals!r}")
    for name, reals in (("mus", mus), ("sweep_mus", sweep_mus), ("deadlines", deadlines)):
        if any(not (v > 0 and math.isfinite(v)) for v in reals):
            raise ValueError(f"{name} must be positive numbers, got {reals!r}")
    if not (shift >= 0 and math.isfinite(shift)):
        raise ValueError(f"shift must be >= 0, got {shift!r}")
    Ns = tuple(int(v) for v in Ns) if Ns else ()
    if mus and N not in Ns:
        Ns = tuple(sorted(Ns + (N,)))
    sweep_Ns = tuple(int(v) for v in sweep_Ns)
    prog = Progress(NAME, len(Ns) * len(mus) + len(deadlines) + len(sweep_Ns),
                    enabled=False if quiet else None)
    tables: Dict[str, Table] = {}
    keep_rt: Dict[Any, Dict[str, Any]] = {}
    keep_dl: Dict[Any, Any] = {}
    with prog:
        if mus:
            tables["runtime"] = _runtime_table(Ns, tuple(mus), L, shift, iters, batch, mc, seed,
                                               prog, keep_rt)
        if deadlines:
            x_spsg = keep_rt.get((N, deadline_mu), {}).get("spsg")
            tables["deadline"] = _deadline_table(N, L, shift, deadline_mu, tuple(deadlines),
                                                 x_spsg, prog, keep_dl)
        if keep_rt:
            mid = sorted(deadlines)[len(deadlines) // 2] if deadlines else None
            tables["blocks"] = _blocks_table(N, keep_rt, keep_dl, tuple(mus), mid)
        if sweep_Ns and sweep_mus:
            tables["gain"] = _gain_table(sweep_Ns, tuple(sweep_mus), L, shift, prog)
    if rounds and mus:
        mu_v = min(mus)                     # heavier straggling shows the difference best
        tables["virtual"] = _virtual_table(N, L, shift, mu_v, keep_rt[(N, mu_v)]["spsg"], rounds,
                                           seed)
    if local_rounds and mus:
        mu_v = min(mus)
        tables["local"] = _local_table(N, L, shift, mu_v, keep_rt[(N, mu_v)]["spsg"], local_rounds,
                                       seed, local_backend)
    return list(tables.values())


# ---- plotting ---------------------------------------------------------------------------------

@draws_with_pyplot(NO_MATPLOTLIB_RERUN)
def plot(plt, tables: Sequence[Table], path: PathLike) -> None:
    """Expected runtime, completion probability, block sizes and gain panels, into ``path``.

    Parameters
    ----------
    tables : list of Table
        What :func:`run` returns (a missing table leaves its panel empty).
    path : str or path
        The figure file; its suffix picks the format.

    Returns
    -------
    str or None
        None, or why no figure was written (matplotlib missing).

    Examples
    --------
    >>> import os, tempfile
    >>> from fastcode.repro import bcgc
    >>> tables = bcgc.run(N=4, L=20, mus=(1.0,), Ns=(4,), deadlines=(30.0,), sweep_Ns=(4,),
    ...                   sweep_mus=(1.0,), iters=20, batch=4, mc=100, rounds=0, quiet=True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "bcgc.png")
    ...     problem = bcgc.plot(tables, path)
    ...     os.path.exists(path) if problem is None else "matplotlib" in problem
    True
    """
    named = by_name(tables)
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    ax = axes[0, 0]
    if "runtime" in named:
        t = named["runtime"]
        for mu, style in zip(t.plot_data["mus"], ("-", "--", ":", "-.")):
            sel = [r for r in t.rows if r[1] == mu]
            Ns = [r[0] for r in sel]
            for (col, idx), color in zip((("uncoded", 2), ("best GC", 3), ("approx A", 5),
                                          ("approx B", 6), ("SPSG", 7), ("lower bound", 9)),
                                         ("C0", "C1", "C2", "C4", "C3", "k")):
                ax.plot(Ns, [r[idx] for r in sel], style, color=color, marker="o",
                        label=f"{col}, μ={mu:g}")
        ax.set_xlabel("workers N")
        ax.set_ylabel("E[T] (τ-units)")
        ax.set_title(f"expected runtime, L = {t.plot_data['L']}")
        ax.legend(fontsize=6, ncol=2)
    ax = axes[0, 1]
    if "deadline" in named:
        meta = named["deadline"].plot_data
        N, L = meta["N"], meta["L"]
        m = ShiftedExponential(meta["mu"], meta["shift"])
        ts = np.linspace(0.5 * min(named["deadline"].column("t")),
                         1.5 * max(named["deadline"].column("t")), 80)
        curves = [("uncoded", plain_gc_blocks(N, L, 0)),
                  ("approx A", round_blocks(approx_a(N, L, m), L))]
        if meta["spsg"] is not None:
            curves.append(("SPSG", meta["spsg"]))
        for t0, x in meta["ascents"].items():
            curves.append((f"ascent (t={t0:g})", x))
        for name, x in curves:
            ax.plot(ts, completion_probability(x, ts, m), label=name)
        ax.set_xlabel("deadline t")
        ax.set_ylabel("P(T ≤ t)")
        ax.set_title(f"completion probability, N = {N}, μ = {meta['mu']:g}")
        ax.legend(fontsize=7)
    ax = axes[1, 0]
    if "blocks" in named:
        t = named["blocks"]
        k = len(t.rows)
        w = 0.8 / max(k, 1)
        s = np.arange(len(t.columns) - 1)
        for i, r in enumerate(t.rows):
            ax.bar(s + i * w, r[1:], width=w, label=r[0])
        ax.set_xlabel("redundancy level s")
        ax.set_ylabel("coordinates x_s")
        ax.set_title("block sizes")
        ax.legend(fontsize=7)
    ax = axes[1, 1]
    if "gain" in named:
        t = named["gain"]
        for N in sorted(set(t.column("N"))):
            sel = [r for r in t.rows if r[0] == N]
            line, = ax.semilogx([r[1] for r in sel], [r[5] for r in sel], "o-", label=f"N={N}")
            ax.semilogx([r[1] for r in sel], [r[6] for r in sel], ":", color=line.get_color())
        ax.set_xlabel("μ")
        ax.set_ylabel("gain over best plain GC")
        ax.set_title("gain (solid: approx A, dotted: GC / z* upper bound)")
        ax.legend(fontsize=7)
    for a in axes.flat:
        a.grid(True, alpha=0.3)
    save_figure(plt, fig, path, dpi=110)
    return None


# ---- command line -------------------------------------------------------------------------------

def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``fastcode simulate bcgc`` on parser ``p``.

    Their argparse dests are :func:`run`'s keywords (plus ``plot``); the
    defaults are ``DEFAULTS`` (and 10 LocalCluster rounds).

    Parameters
    ----------
    p : argparse.ArgumentParser
        The parser to add them to.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import bcgc
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate bcgc")
    >>> bcgc.add_arguments(parser)
    >>> args = parser.parse_args(["--N", "4", "--mus", "1,0.5", "--local-rounds", "0"])
    >>> args.N, args.mus, args.local_rounds, args.L
    (4, (1.0, 0.5), 0, 1000)
    """
    d = DEFAULTS
    p.add_argument("--N", type=int_at_least(2), default=d["N"], help="workers (default 10)")
    p.add_argument("--L", type=count, default=d["L"], help="coordinates (default 1000)")
    p.add_argument("--shift", type=nonnegative_float, default=d["shift"], help="shift a (default 1)")
    p.add_argument("--mus", type=comma_list(positive_float), default=d["mus"], help="mu values (default 1,0.2)")
    p.add_argument("--Ns", type=comma_list(count), default=d["Ns"], help="N values of the runtime table "
                   "(default 5,10,20)")
    p.add_argument("--deadlines", type=comma_list(positive_float), default=d["deadlines"],
                   help="deadlines t (default 3000,3500,4500)")
    p.add_argument("--deadline-mu", type=positive_float, default=d["deadline_mu"],
                   help="mu of the completion-probability table (default 1)")
    p.add_argument("--sweep-Ns", type=comma_list(count), default=d["sweep_Ns"],
                   help="N values of the gain table (default 5,10,20,40)")
    p.add_argument("--sweep-mus", type=comma_list(positive_float), default=d["sweep_mus"],
                   help="mu values of the gain table (default 0.1,0.2,0.5,1,2,5)")
    p.add_argument("--iters", type=count, default=d["iters"], help="SPSG iterations (default 10000)")
    p.add_argument("--batch", type=count, default=d["batch"], help="SPSG batch (default 64)")
    p.add_argument("--mc", type=int_at_least(2), default=d["mc"],
                   help="Monte Carlo draws of the cross-check (default 200000)")
    p.add_argument("--rounds", type=optional_count, default=d["rounds"],
                   help="gradient steps of the virtual-clock run (0 skips it; default 20)")
    p.add_argument("--local-rounds", type=optional_count, default=10,
                   help="rounds per scheme of the real LocalCluster run (0 skips it; default 10)")
    p.add_argument("--local-backend", choices=("process", "thread"), default="process",
                   help="workers of the LocalCluster run (default process)")
    p.add_argument("--seed", type=random_seed, default=d["seed"], help="seed (default 1)")
    p.add_argument("--plot", metavar="FILE.png", help="write the figures (needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
