"""Reproduction of Lee et al., "Speeding Up Distributed Machine Learning Using Codes"
(:ref:`lee-reproduction`): analytic E[T] beside Monte Carlo.

    lee_table(...)    E[T] of uncoded, 2-replication and (n, k*)-MDS for each (n, mu)
    lee_k_curve(...)  E[T_MDS(n, k)] versus k (n = 10, mu = 1 by default)
    lee_speedup(...)  E[T_uncoded] / E[T_MDS(n, k*)] versus n: the Theta(log n) growth
    run(...)          the three as Tables (``fastcode simulate lee``);  plot(...) draws them

Model: shifted exponential with shift 1, a task of load 1/k takes
``(1/k)(1 + Exp(rate mu))`` (see :mod:`fastcode.sim.stragglers`).  Each
Monte Carlo cell is seeded from ``(seed, n, mu, scheme, k)``, so a cell's
estimate does not depend on which other cells are run.
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

from fastcode._progress import Progress
from fastcode._util import validate
from fastcode._util.tables import Table, by_name
from fastcode.errors import SimParameterError
from fastcode.repro.cli import (CommaLists, Output, PathLike, comma_list, count, open_unit_interval, optional_count,
                                positive_float, draws_with_pyplot, random_seed, save_figure)
from fastcode.sim.latency import (
    expected_time_mds,
    expected_time_replication,
    expected_time_uncoded,
    normalized_time_mds,
    optimal_k,
    optimal_rate,
)
from fastcode.sim.montecarlo import SimulationResult, simulate
from fastcode.sim.rules import mds, replication, uncoded
from fastcode.sim.stragglers import ShiftedExponential

__all__ = [
    "NAME", "SUMMARY", "LEE_NS", "LEE_MUS", "SPEEDUP_NS", "DEFAULT_TRIALS", "LeeCell", "SpeedupRow",
    "lee_table", "lee_k_curve", "lee_speedup", "cells_table", "k_curve_table", "speedup_table",
    "format_lee_table", "format_k_curve", "format_speedup", "add_arguments", "run", "plot",
]

#: The reproduction's name: ``fastcode simulate NAME`` and the registry key.
NAME = "lee"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = "Lee et al. E[T] table, E[T] versus k and speed-up versus n (analytic + Monte Carlo)."
OUTPUT = Output(plot_written="\nfigure written to {path}", error_prefix="")

positive_int = partial(validate.integer, minimum=1, error=SimParameterError)
real_scalar = partial(validate.real_scalar, error=SimParameterError)

#: Worker counts n of the E[T] table.
LEE_NS = (10, 20, 50, 100)
#: Straggling parameters mu of the E[T] table.
LEE_MUS = (0.5, 1.0, 2.0)
#: n values of the speed-up table (exact values only).
SPEEDUP_NS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
#: Monte Carlo trials per cell.
DEFAULT_TRIALS = 200_000
REPLICATION_R = 2
_SCHEME_IDS = {"uncoded": 0, "replication": 1, "mds": 2}

#: ``progress(done, total, label)``, called after every cell.
ProgressFn = Callable[[int, int, str], None]


@dataclass(frozen=True, eq=False)
class LeeCell:
    """One scheme at one ``(n, mu)``: the exact E[T] and (optionally) its Monte Carlo estimate.

    Made by :func:`lee_table` and :func:`lee_k_curve`.

    Parameters
    ----------
    n : int
        Number of workers.
    mu : float
        Straggling parameter of the shifted-exponential model (shift 1).
    scheme : str
        "uncoded", "replication" (r = 2) or "mds".
    k : int
        The MDS dimension (n for uncoded, r for replication: copies per task).
    exact : float
        The closed-form E[T].
    mc : SimulationResult, optional
        The Monte Carlo estimate (None when skipped).

    Examples
    --------
    >>> from fastcode.repro.lee import LeeCell
    >>> cell = LeeCell(n=10, mu=1.0, scheme="mds", k=7, exact=0.2994)
    >>> cell.label
    'MDS (k=7)'
    >>> cell.rel_diff          # no Monte Carlo
    nan
    """

    n: int
    mu: float
    scheme: str
    k: int
    exact: float
    mc: Optional[SimulationResult] = None

    @property
    def label(self) -> str:
        """The scheme as the table prints it: "uncoded", "2-replication" or "MDS (k=K)"."""
        return {"uncoded": "uncoded", "replication": f"{self.k}-replication",
                "mds": f"MDS (k={self.k})"}[self.scheme]

    @property
    def rel_diff(self) -> float:
        """(MC mean - exact) / exact, or nan without Monte Carlo."""
        return float("nan") if self.mc is None else (self.mc.mean - self.exact) / self.exact


@dataclass(frozen=True)
class SpeedupRow:
    """Speed-up ``E[T_uncoded] / E[T_MDS(n, k*)]`` at one ``(n, mu)``.

    Made by :func:`lee_speedup`.

    Parameters
    ----------
    n : int
        Number of workers.
    mu : float
        Straggling parameter.
    k_star : int
        The optimal MDS dimension (:func:`fastcode.sim.latency.optimal_k`).
    speedup : float
        The exact ratio.
    asymptote : float
        ``n E[T_uncoded] / f(alpha*) = (1 + H_n/mu) / f(alpha*)``, the large-n
        prediction (``n E[T_MDS(n, k*)] -> f(alpha*)``), which grows like
        ``ln(n) / (mu f(alpha*))``.
    mc, mc_half_width : float, default nan
        Ratio of Monte Carlo means and its approximate CI half-width.

    Examples
    --------
    >>> from fastcode.repro.lee import lee_speedup
    >>> row = lee_speedup(ns=[100], mus=[1.0])[0]
    >>> row.k_star, round(row.speedup, 3), round(row.asymptote, 3)
    (69, 1.976, 1.967)
    """

    n: int
    mu: float
    k_star: int
    speedup: float
    asymptote: float
    mc: float = float("nan")
    mc_half_width: float = float("nan")


def lee_table(ns: Sequence[int] = LEE_NS, mus: Sequence[float] = LEE_MUS, trials: int = DEFAULT_TRIALS,
              seed: int = 0, level: float = 0.95, progress: Optional[ProgressFn] = None) -> List[LeeCell]:
    """Exact and Monte Carlo E[T] of uncoded, 2-replication and (n, k*)-MDS.

    Each Monte Carlo cell is seeded from ``(seed, n, mu, scheme, k)``, so its
    estimate does not depend on which other cells are run.

    Parameters
    ----------
    ns : sequence of int, default LEE_NS
        Worker counts n, each even (2-replication).
    mus : sequence of float, default LEE_MUS
        Straggling parameters mu, > 0.
    trials : int, default DEFAULT_TRIALS
        Monte Carlo trials per cell; 0 skips Monte Carlo.
    seed : int, default 0
        Random seed, >= 0.
    level : float, default 0.95
        Confidence level of the Monte Carlo intervals.
    progress : callable, optional
        ``progress(done, total, label)``, called after every cell.

    Returns
    -------
    list of LeeCell
        Three per (n, mu) (uncoded, replication, mds), ordered by n, mu, scheme.

    Raises
    ------
    SimParameterError
        An odd n, a non-positive n or mu, a negative ``trials`` or ``seed``.

    Examples
    --------
    >>> from fastcode.repro.lee import lee_table
    >>> cells = lee_table(ns=[10], mus=[1.0], trials=500, seed=0)
    >>> [(c.label, round(c.exact, 4), round(c.mc.mean, 4)) for c in cells]
    [('uncoded', 0.3929, 0.3963), ('2-replication', 0.4283, 0.423), ('MDS (k=7)', 0.2994, 0.3029)]
    """
    ns = [positive_int(n, "n") for n in ns]
    mus = [real_scalar(mu, "mu", positive=True) for mu in mus]
    trials = positive_int(trials, "trials", minimum=0)
    for n in ns:
        if n % REPLICATION_R:
            raise SimParameterError(f"n must be a multiple of {REPLICATION_R} for 2-replication, got {n}")
    cells = []
    total = 3 * len(ns) * len(mus)
    for n in ns:
        for mu in mus:
            k_star = optimal_k(n, mu)
            specs = [("uncoded", n, expected_time_uncoded(n, mu), uncoded(n)),
                     ("replication", REPLICATION_R, expected_time_replication(n, REPLICATION_R, mu),
                      replication(n, REPLICATION_R)),
                     ("mds", k_star, expected_time_mds(n, k_star, mu), mds(n, k_star))]
            for scheme, k, exact, rule in specs:
                mc = _run_cell(rule, n, mu, scheme, k, trials, seed, level)
                cells.append(LeeCell(n, mu, scheme, k, float(exact), mc))
                if progress is not None:
                    progress(len(cells), total, f"n={n} mu={mu:g} {scheme}")
    return cells


def lee_k_curve(n: int = 10, mu: float = 1.0, trials: int = DEFAULT_TRIALS, seed: int = 0,
                level: float = 0.95, progress: Optional[ProgressFn] = None) -> List[LeeCell]:
    """E[T_MDS(n, k)] for k = 1..n, exact and Monte Carlo (``trials=0``: exact only).

    ``k = n`` is the uncoded scheme and ``k = 1`` full replication of the whole job.

    Parameters
    ----------
    n : int, default 10
        Number of workers.
    mu : float, default 1.0
        Straggling parameter, > 0.
    trials : int, default DEFAULT_TRIALS
        Monte Carlo trials per k; 0 skips Monte Carlo.
    seed : int, default 0
        Random seed, >= 0.
    level : float, default 0.95
        Confidence level of the Monte Carlo intervals.
    progress : callable, optional
        ``progress(k, n, label)``, called after every k.

    Returns
    -------
    list of LeeCell
        One "mds" cell per k = 1..n.

    Examples
    --------
    >>> from fastcode.repro.lee import lee_k_curve
    >>> [(c.k, round(c.exact, 4)) for c in lee_k_curve(4, mu=1.0, trials=0)]
    [(1, 1.25), (2, 0.7917), (3, 0.6944), (4, 0.7708)]
    """
    n = positive_int(n, "n")
    mu = real_scalar(mu, "mu", positive=True)
    trials = positive_int(trials, "trials", minimum=0)
    exact = np.asarray(expected_time_mds(n, np.arange(1, n + 1), mu))
    cells = []
    for k in range(1, n + 1):
        mc = _run_cell(mds(n, k), n, mu, "mds", k, trials, seed, level)
        cells.append(LeeCell(n, mu, "mds", k, float(exact[k - 1]), mc))
        if progress is not None:
            progress(k, n, f"k={k}")
    return cells


def lee_speedup(ns: Sequence[int] = SPEEDUP_NS, mus: Sequence[float] = LEE_MUS,
                table: Optional[Sequence[LeeCell]] = None) -> List[SpeedupRow]:
    """Speed-up of the optimal MDS code over uncoded versus n, for each mu.

    Exact for every n in ``ns``; where ``table`` (from :func:`lee_table`) has
    Monte Carlo cells for the same (n, mu), their ratio is attached too (its
    half-width by the delta method: relative half-widths add in quadrature).

    Parameters
    ----------
    ns : sequence of int, default SPEEDUP_NS
        Worker counts.
    mus : sequence of float, default LEE_MUS
        Straggling parameters, > 0.
    table : sequence of LeeCell, optional
        Cells of :func:`lee_table` whose Monte Carlo means are compared.

    Returns
    -------
    list of SpeedupRow
        Ordered by mu, then n.

    Examples
    --------
    >>> from fastcode.repro.lee import lee_speedup, lee_table
    >>> cells = lee_table(ns=[10], mus=[1.0], trials=500, seed=0)
    >>> row = lee_speedup(ns=[10], mus=[1.0], table=cells)[0]
    >>> round(row.speedup, 3), round(row.mc, 3)
    (1.312, 1.308)
    """
    ns = [positive_int(n, "n") for n in ns]
    mus = [real_scalar(mu, "mu", positive=True) for mu in mus]
    mc = {}
    for cell in table or ():
        if cell.mc is not None:
            mc[(cell.n, cell.mu, cell.scheme)] = cell.mc
    rows = []
    for mu in mus:
        f_star = normalized_time_mds(optimal_rate(mu), mu)
        for n in ns:
            k_star = optimal_k(n, mu)
            t_unc = expected_time_uncoded(n, mu)
            row: Dict[str, Any] = dict(n=n, mu=mu, k_star=k_star, speedup=t_unc / expected_time_mds(n, k_star, mu),
                       asymptote=n * t_unc / f_star)
            unc, cod = mc.get((n, mu, "uncoded")), mc.get((n, mu, "mds"))
            if unc is not None and cod is not None:
                ratio = unc.mean / cod.mean
                # Independent estimates: relative half-widths add in quadrature (delta method).
                rel = math.hypot(unc.half_width / unc.mean, cod.half_width / cod.mean)
                row.update(mc=ratio, mc_half_width=ratio * rel)
            rows.append(SpeedupRow(**row))
    return rows


# ----------------------------------------------------------------------------- tables

CELL_COLUMNS = ("n", "mu", "scheme", "label", "k", "exact", "mc_mean", "mc_half_width", "rel_diff")
CURVE_COLUMNS = ("n", "mu", "k", "exact", "mc_mean", "mc_half_width", "rel_diff")
SPEEDUP_COLUMNS = ("n", "mu", "k_star", "speedup", "asymptote", "mc", "mc_half_width")


def _mc_columns(cell: LeeCell) -> tuple:
    if cell.mc is None:
        return None, None, None
    return cell.mc.mean, cell.mc.half_width, cell.rel_diff


def _mc_text(mean, half_width, rel_diff):
    return f"{mean:>10.5f} {'±':>2}{half_width:.5f} {rel_diff:>+7.2%}"


def cells_table(cells: Sequence[LeeCell], level: float = 0.95) -> Table:
    """The analytic E[T] beside Monte Carlo, one row per scheme grouped by (n, mu), as a Table.

    Its text: :func:`format_lee_table`.  The ``mc_*`` columns are None
    without Monte Carlo; with it, a note gives the largest relative
    difference.

    Parameters
    ----------
    cells : sequence of LeeCell
        From :func:`lee_table`.
    level : float, default 0.95
        Confidence level of the Monte Carlo intervals (for the title).

    Returns
    -------
    Table
        Named "table", columns ``CELL_COLUMNS``.

    Examples
    --------
    >>> from fastcode.repro.lee import cells_table, lee_table
    >>> table = cells_table(lee_table(ns=[10], mus=[1.0], trials=0))
    >>> table.name, len(table.rows)
    ('table', 3)
    >>> table.columns[:6]
    ['n', 'mu', 'scheme', 'label', 'k', 'exact']
    """
    trials = next((c.mc.trials for c in cells if c.mc is not None), 0)
    title = ("Expected job time E[T]: shifted exponential, a task of load 1/k takes (1/k)(1 + Exp(mu))\n"
             + (f"(Lee et al., exact finite-n formulas).  Monte Carlo: {trials} trials per cell, "
                f"{level:.0%} normal CI." if trials else "(Lee et al., exact finite-n formulas).  "
                "Exact values only."))
    rows = [(c.n, c.mu, c.scheme, c.label, c.k, c.exact) + _mc_columns(c) for c in cells]
    notes = []
    if any(c.mc is not None for c in cells):
        worst = max(abs(c.rel_diff) for c in cells if c.mc is not None)
        verdict = "all within 1%" if worst < 0.01 else "NOT all within 1%"
        notes = ["", f"largest |MC - exact| / exact = {worst:.3%} ({verdict})"]
    return Table(title, CELL_COLUMNS, rows, notes, layout=_cells_layout, name="table")


def _cells_layout(table):
    lines = [table.title, "",
             f"{'n':>5} {'mu':>5}  {'scheme':<15} {'exact E[T]':>10}   {'Monte Carlo':>10} "
             f"{'CI half':>9} {'diff':>7}   {'speed-up':>8} {'alpha*n':>7}"]
    groups = {}
    for row in table.rows:
        groups.setdefault(row[:2], []).append(dict(zip(table.columns, row)))
    for (n, mu), group in groups.items():
        by = {r["scheme"]: r for r in group}
        speed = by["uncoded"]["exact"] / by["mds"]["exact"]
        for i, r in enumerate(group):
            head = f"{n:>5} {mu:>5g}" if i == 0 else " " * 11
            mc = " " * 28 if r["mc_mean"] is None else _mc_text(r["mc_mean"], r["mc_half_width"],
                                                                 r["rel_diff"])
            tail = f"   {speed:>8.3f} {optimal_rate(mu) * n:>7.2f}" if r["scheme"] == "mds" else ""
            lines.append(f"{head}  {r['label']:<15} {r['exact']:>10.5f}   {mc}{tail}")
    return "\n".join(lines + table.notes)


def k_curve_table(cells: Sequence[LeeCell]) -> Table:
    """E[T_MDS(n, k)] versus k (k = n is uncoded), exact beside Monte Carlo, as a Table.

    Its text: :func:`format_k_curve`.

    Parameters
    ----------
    cells : sequence of LeeCell
        From :func:`lee_k_curve` (one n and mu).

    Returns
    -------
    Table
        Named "k-curve", columns ``CURVE_COLUMNS``.

    Examples
    --------
    >>> from fastcode.repro.lee import k_curve_table, lee_k_curve
    >>> table = k_curve_table(lee_k_curve(4, mu=1.0, trials=0))
    >>> table.name, table.column("k")
    ('k-curve', [1, 2, 3, 4])
    """
    n, mu = cells[0].n, cells[0].mu
    rep = ""
    if n % REPLICATION_R == 0:
        rep = f"; 2-replication: {expected_time_replication(n, REPLICATION_R, mu):.5f}"
    rows = [(c.n, c.mu, c.k, c.exact) + _mc_columns(c) for c in cells]
    return Table(f"E[T_MDS(n={n}, k)] versus k, mu = {mu:g} (k = n is uncoded{rep})", CURVE_COLUMNS,
                 rows, layout=_k_curve_layout, name="k-curve")


def _k_curve_layout(table):
    lines = [table.title, "",
             f"{'k':>5} {'exact E[T]':>10}   {'Monte Carlo':>10} {'CI half':>9} {'diff':>7}"]
    exact = table.column("exact")
    best = table.column("k")[exact.index(min(exact))]
    for _, _, k, e, mean, half_width, rel_diff in table.rows:
        mc = "" if mean is None else _mc_text(mean, half_width, rel_diff)
        mark = "   <- k*" if k == best else ""
        lines.append(f"{k:>5} {e:>10.5f}   {mc}{mark}")
    return "\n".join(lines + table.notes)


def speedup_table(rows: Sequence[SpeedupRow]) -> Table:
    """Speed-up versus n, one column block per mu, with the large-n prediction and the slope against ln n.

    Its text: :func:`format_speedup`.

    Parameters
    ----------
    rows : sequence of SpeedupRow
        From :func:`lee_speedup`.

    Returns
    -------
    Table
        Named "speedup", columns ``SPEEDUP_COLUMNS``; the notes give the
        least-squares slope against ln n per mu.

    Examples
    --------
    >>> from fastcode.repro.lee import lee_speedup, speedup_table
    >>> table = speedup_table(lee_speedup(ns=[10, 100], mus=[1.0]))
    >>> table.name, table.column("k_star")
    ('speedup', [7, 69])
    """
    data = [(r.n, r.mu, r.k_star, r.speedup, r.asymptote, r.mc, r.mc_half_width) for r in rows]
    table = Table("Speed-up E[T_uncoded] / E[T_MDS(n, k*)] versus n: grows like ln(n) / (mu f(alpha*));\n"
                  "'large-n' = (1 + H_n/mu) / f(alpha*), 'MC' = ratio of the Monte Carlo means.",
                  SPEEDUP_COLUMNS, data, layout=_speedup_layout, name="speedup")
    table.notes = ["", "least-squares slope of the exact speed-up against ln n (large-n limit "
                       "1/(mu f(alpha*))):"]
    for mu in sorted(set(table.column("mu"))):
        xs = np.log([r[0] for r in data if r[1] == mu])
        ys = np.array([r[3] for r in data if r[1] == mu])
        if xs.size >= 2:
            slope = np.polyfit(xs, ys, 1)[0]
            f_star = normalized_time_mds(optimal_rate(mu), mu)
            table.notes.append(f"  mu = {mu:<4g}  slope {slope:.3f}   limit {1 / (mu * f_star):.3f}")
    return table


def _speedup_layout(table):
    mus = sorted(set(table.column("mu")))
    ns = sorted(set(table.column("n")))
    by = {(r[0], r[1]): dict(zip(table.columns, r)) for r in table.rows}
    groups = f"{'':>12}" + "".join(f" | {'mu = ' + format(mu, 'g'):^27}" for mu in mus)
    head = f"{'n':>6} {'ln n':>5}" + f" | {'k*':>5} {'exact':>6} {'large-n':>7} {'MC':>6}" * len(mus)
    lines = [table.title, "", groups.rstrip(), head]
    for n in ns:
        line = f"{n:>6} {math.log(n):>5.2f}"
        for mu in mus:
            r = by[(n, mu)]
            mc = f"{r['mc']:>6.3f}" if np.isfinite(r["mc"]) else f"{'':>6}"
            line += f" | {r['k_star']:>5} {r['speedup']:>6.3f} {r['asymptote']:>7.3f} {mc}"
        lines.append(line.rstrip())
    return "\n".join(lines + table.notes)


def format_lee_table(cells: Sequence[LeeCell], level: float = 0.95) -> str:
    """The analytic table beside Monte Carlo, one line per scheme, grouped by (n, mu).

    Parameters
    ----------
    cells : sequence of LeeCell
        From :func:`lee_table`.
    level : float, default 0.95
        Confidence level of the Monte Carlo intervals (for the title).

    Returns
    -------
    str
        The text of :func:`cells_table`.

    Examples
    --------
    >>> from fastcode.repro.lee import format_lee_table, lee_table
    >>> print(format_lee_table(lee_table(ns=[10], mus=[1.0], trials=0)))
    Expected job time E[T]: shifted exponential, a task of load 1/k takes (1/k)(1 + Exp(mu))
    (Lee et al., exact finite-n formulas).  Exact values only.
    <BLANKLINE>
        n    mu  scheme          exact E[T]   Monte Carlo   CI half    diff   speed-up alpha*n
       10     1  uncoded            0.39290
                 2-replication      0.42833
                 MDS (k=7)          0.29938                                      1.312    6.82
    """
    return cells_table(cells, level).format()


def format_k_curve(cells: Sequence[LeeCell]) -> str:
    """E[T_MDS(n, k)] versus k (k = n is uncoded), exact beside Monte Carlo.

    Parameters
    ----------
    cells : sequence of LeeCell
        From :func:`lee_k_curve`.

    Returns
    -------
    str
        The text of :func:`k_curve_table`; ``<- k*`` marks the best k.

    Examples
    --------
    >>> from fastcode.repro.lee import format_k_curve, lee_k_curve
    >>> print(format_k_curve(lee_k_curve(4, mu=1.0, trials=0)))
    E[T_MDS(n=4, k)] versus k, mu = 1 (k = n is uncoded; 2-replication: 0.87500)
    <BLANKLINE>
        k exact E[T]   Monte Carlo   CI half    diff
        1    1.25000
        2    0.79167
        3    0.69444      <- k*
        4    0.77083
    """
    return k_curve_table(cells).format()


def format_speedup(rows: Sequence[SpeedupRow]) -> str:
    """Speed-up versus n, one column block per mu, with the large-n prediction.

    Parameters
    ----------
    rows : sequence of SpeedupRow
        From :func:`lee_speedup`.

    Returns
    -------
    str
        The text of :func:`speedup_table`.

    Examples
    --------
    >>> from fastcode.repro.lee import format_speedup, lee_speedup
    >>> print(format_speedup(lee_speedup(ns=[10, 100], mus=[1.0])))
    Speed-up E[T_uncoded] / E[T_MDS(n, k*)] versus n: grows like ln(n) / (mu f(alpha*));
    'large-n' = (1 + H_n/mu) / f(alpha*), 'MC' = ratio of the Monte Carlo means.
    <BLANKLINE>
                 |           mu = 1
         n  ln n |    k*  exact large-n     MC
        10  2.30 |     7  1.312   1.249
       100  4.61 |    69  1.976   1.967
    <BLANKLINE>
    least-squares slope of the exact speed-up against ln n (large-n limit 1/(mu f(alpha*))):
      mu = 1     slope 0.288   limit 0.318
    """
    return speedup_table(rows).format()


# ----------------------------------------------------------------------------- reproduction

CURVE_N = 10
CURVE_MU = 1.0
LEVEL = 0.95


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``fastcode simulate lee``.

    Their argparse dests are :func:`run`'s keywords (plus ``plot``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser to add them to.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import lee
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate lee")
    >>> lee.add_arguments(parser)
    >>> args = parser.parse_args(["--n", "10,20", "--mu", "1", "--trials", "0"])
    >>> args.n, args.mu, args.trials, args.curve_n
    ((10, 20), (1.0,), 0, 10)
    """
    parser.add_argument("--trials", type=optional_count, default=DEFAULT_TRIALS,
                        help=f"Monte Carlo trials per cell (default {DEFAULT_TRIALS}; 0 = exact only)")
    parser.add_argument("--seed", type=random_seed, default=0, help="random seed (default 0)")
    parser.add_argument("--n", type=comma_list(count), nargs="+", action=CommaLists,
                        default=tuple(LEE_NS), metavar="N,N",
                        help=f"comma-separated worker counts of the table "
                             f"(default {','.join(map(str, LEE_NS))})")
    parser.add_argument("--mu", type=comma_list(positive_float), nargs="+", action=CommaLists,
                        default=tuple(LEE_MUS), metavar="MU,MU",
                        help=f"comma-separated straggling parameters "
                             f"(default {','.join(f'{m:g}' for m in LEE_MUS)})")
    parser.add_argument("--curve-n", type=count, default=CURVE_N,
                        help="n of the E[T]-versus-k curve (default 10)")
    parser.add_argument("--curve-mu", type=positive_float, default=CURVE_MU,
                        help="mu of the curve (default 1)")
    parser.add_argument("--speedup-n", type=comma_list(count), nargs="+", action=CommaLists,
                        default=tuple(SPEEDUP_NS), metavar="N,N",
                        help=f"comma-separated n of the speed-up table (exact; default "
                             f"{','.join(map(str, SPEEDUP_NS))})")
    parser.add_argument("--level", type=open_unit_interval, default=LEVEL,
                        help="confidence level (default 0.95)")
    parser.add_argument("--plot", metavar="FILE", help="also draw the figures to FILE (needs matplotlib)")


def run(n: Sequence[int] = LEE_NS, mu: Sequence[float] = LEE_MUS, trials: int = DEFAULT_TRIALS,
        seed: int = 0, curve_n: int = CURVE_N, curve_mu: float = CURVE_MU,
        speedup_n: Sequence[int] = SPEEDUP_NS, level: float = LEVEL) -> List[Table]:
    """The three tables of ``fastcode simulate lee``.

    E[T] per (n, mu) of ``n`` x ``mu``, E[T] versus k at (``curve_n``,
    ``curve_mu``) and the speed-up versus ``speedup_n`` (plus ``n``).
    Progress on a terminal.

    Parameters
    ----------
    n : sequence of int, default LEE_NS
        Worker counts of the E[T] table (even).
    mu : sequence of float, default LEE_MUS
        Straggling parameters.
    trials : int, default DEFAULT_TRIALS
        Monte Carlo trials per cell; 0 is exact values only.
    seed : int, default 0
        Random seed.
    curve_n, curve_mu : int, float, default 10, 1.0
        The (n, mu) of the E[T]-versus-k curve.
    speedup_n : sequence of int, default SPEEDUP_NS
        n values of the speed-up table (exact).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    list of Table
        Named "table", "k-curve" and "speedup".

    Raises
    ------
    SimParameterError
        A setting the tables refuse (an odd n, a non-positive mu, ...).

    Examples
    --------
    >>> from fastcode.repro import lee
    >>> tables = lee.run(n=(10,), mu=(1.0,), trials=0, curve_n=4, speedup_n=(10, 100))
    >>> [(t.name, len(t.rows)) for t in tables]
    [('table', 3), ('k-curve', 4), ('speedup', 2)]
    """
    with Progress(NAME) as progress:
        table = lee_table(n, mu, trials, seed, level, progress=progress.stage("table"))
        curve = lee_k_curve(curve_n, curve_mu, trials, seed, level,
                            progress=progress.stage("k-curve"))
    speed = lee_speedup(sorted(set(speedup_n) | set(n)), mu, table)
    return [cells_table(table, level), k_curve_table(curve), speedup_table(speed)]


PLOT_MISSING = ("fastcode simulate lee: cannot plot: plotting needs matplotlib: "
                "pip install 'fastcode[plot]'")


@draws_with_pyplot(PLOT_MISSING)
def plot(plt, tables: Sequence[Table], path: PathLike) -> None:
    """Draw the E[T]-versus-k curve and the speed-up versus n into ``path`` (PNG, PDF, ...).

    Called as ``plot(tables, path)`` (matplotlib is passed in by the decorator).

    Parameters
    ----------
    tables : list of Table
        What :func:`run` returns.
    path : str or path
        The figure file; its suffix picks the format.

    Returns
    -------
    str or None
        None, or why not (matplotlib missing: ``pip install fastcode[plot]``).

    Examples
    --------
    >>> import os, tempfile
    >>> from fastcode.repro import lee
    >>> tables = lee.run(n=(10,), mu=(1.0,), trials=0, curve_n=4, speedup_n=(10,))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "lee.png")
    ...     problem = lee.plot(tables, path)
    ...     os.path.exists(path) if problem is None else "matplotlib" in problem
    True
    """
    by = by_name(tables)
    curve, speedup = by["k-curve"], by["speedup"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    n, mu = curve.rows[0][0], curve.rows[0][1]
    ax1.plot(curve.column("k"), curve.column("exact"), "-", label="MDS, exact")
    with_mc = [dict(zip(curve.columns, r)) for r in curve.rows if r[4] is not None]
    if with_mc:
        ax1.errorbar([r["k"] for r in with_mc], [r["mc_mean"] for r in with_mc],
                     yerr=[r["mc_half_width"] for r in with_mc], fmt="o", ms=4, label="MDS, Monte Carlo")
    ax1.axhline(expected_time_uncoded(n, mu), ls="--", color="gray", label="uncoded (k = n)")
    if n % REPLICATION_R == 0:
        ax1.axhline(expected_time_replication(n, REPLICATION_R, mu), ls=":", color="black",
                    label="2-replication")
    ax1.set(xlabel="k", ylabel="E[T]", title=f"E[T] versus k (n = {n}, mu = {mu:g})")
    ax1.legend()
    for mu_ in sorted(set(speedup.column("mu"))):
        rows = [dict(zip(speedup.columns, r)) for r in speedup.rows if r[1] == mu_]
        line, = ax2.semilogx([r["n"] for r in rows], [r["speedup"] for r in rows], "-",
                             label=f"mu = {mu_:g}")
        ax2.semilogx([r["n"] for r in rows], [r["asymptote"] for r in rows], "--",
                     color=line.get_color(), lw=0.8)
        mc = [r for r in rows if np.isfinite(r["mc"])]
        if mc:
            ax2.errorbar([r["n"] for r in mc], [r["mc"] for r in mc],
                         yerr=[r["mc_half_width"] for r in mc], fmt="o", ms=4, color=line.get_color())
    ax2.set(xlabel="n (log scale)", ylabel="E[T_uncoded] / E[T_MDS(n, k*)]",
            title="speed-up versus n (dashed: large-n prediction)")
    ax2.legend()
    save_figure(plt, fig, path)
    return None


def _run_cell(rule, n, mu, scheme, k, trials, seed, level):
    seed = positive_int(seed, "seed", minimum=0)
    if trials == 0:
        return None
    # Seed from the cell's identity so each estimate is reproducible on its own.
    rng = np.random.default_rng([seed, n, int(round(mu * 1e6)), _SCHEME_IDS[scheme], k])
    return simulate(rule, ShiftedExponential(mu, 1.0), trials, rng, level=level)
