"""``fastcode simulate lagrange``: Lagrange coded computing (Yu, Li, Raviv, Kalan,
Soltanolkotabi, Avestimehr, AISTATS 2019) against its baselines.

Two tables:

* thresholds -- the workers each design needs to evaluate a polynomial f of degree deg f
  on K data blocks while tolerating S stragglers and A adversaries with T-privacy::

      LCC                    (K + T - 1) deg f + S + 2A + 1
      repetition             K (S + 2A + 1)        each block on S + 2A + 1 workers, decided
                                                   by majority (A + 1 equal results); not private
      secret sharing         K (T deg f + S + 2A + 1)  each block Shamir-shared (degree T) on
                                                   its own group, f evaluated on the shares
                                                   (the BGW-style design; T > 0 only)
      MDS coding             K + T + S + 2A        MDS-coded inputs, deg f = 1 only (f must be
                                                   linear); LCC coincides with it there

  and the saving of LCC against the best baseline that applies.

* completion -- a Monte Carlo of the time to decode on N workers under the shifted
  exponential model (a task of load 1/K takes (shift + Exp(mu)) / K, ``fastcode.sim``),
  with A adversaries that answer like everybody else but return garbage::

      uncoded        K = N blocks, needs every result (A = 0 only: no redundancy);
      repetition     K blocks on N / K workers each; a block is decided by A + 1 equal
                     results (adversaries may agree on a wrong value, but they are at most
                     A): the (A + 1)-th honest answer of each group; the adversaries sit
                     in one group (the worst case);
      LCC            the same K: the (K - 1) deg f + 2A + 1 + T deg f -th answer of N,
                     whoever sent it (the decoder locates the garbage);
      LCC best K     the K in 1..N minimising LCC's mean time.

  LCC's and uncoded times are order statistics, so their exact means are printed beside
  the Monte Carlo estimate, which must lie within its confidence interval's reach (the
  table's check).

Settings: deg f = 2 is the linear-regression gradient X^T (X w - y) of the paper's Amazon
EC2 experiments; the threshold grid (K = 10, deg f 1..3, S, A, T in {0, 2}) and the
completion-time cluster (N = 40 workers, K = 8 blocks for repetition and LCC) are this
reproduction's choices, not figures copied from the paper (all are options).
"""
from __future__ import annotations

import argparse
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from fastcode._progress import Progress
from fastcode._util.tables import Table, by_name
from fastcode.repro.cli import (PathLike, comma_list, count, draws_with_pyplot, optional_count,
                                positive_float, random_seed, save_figure)
from fastcode.errors import InvalidArgumentError
from fastcode.schemes.lagrange import recovery_threshold, workers_needed
from fastcode.sim.latency import order_stat_mean
from fastcode.sim.montecarlo import simulate
from fastcode.sim.rules import FunctionRule, KthFastest
from fastcode.sim.stragglers import ShiftedExponential

__all__ = ["NAME", "SUMMARY", "THRESHOLD_CASES", "repetition_workers", "secret_sharing_workers",
           "mds_workers", "threshold_table", "completion_table", "add_arguments", "run", "plot"]

#: The reproduction's name: ``fastcode simulate lagrange``.
NAME = "lagrange"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = "Lagrange coded computing: workers needed vs repetition/MDS, and completion time with adversaries."

THRESHOLD_CASES = tuple((d, 10, S, A, T) for d in (1, 2, 3)
                        for S, A, T in ((0, 0, 0), (2, 0, 0), (0, 2, 0), (2, 2, 0), (0, 0, 2),
                                        (2, 2, 2)))
"""(deg f, K, S, A, T) rows of the threshold table."""

N_WORKERS = 40
F_DEGREE = 2
BLOCKS = 8
ADVERSARIES = (0, 1, 2)
MU = 1.0
SHIFT = 1.0
TRIALS = 100_000
SEED = 0
Z_CHECK = 5.0      # a Monte Carlo mean more than this many standard errors from exact fails


def repetition_workers(K: int, S: int, A: int) -> int:
    """Workers of the repetition design: each of K blocks on S + 2A + 1 workers.

    A block is decided by majority (A + 1 equal results); not private.

    Parameters
    ----------
    K : int
        Data blocks.
    S : int
        Stragglers tolerated.
    A : int
        Adversaries tolerated.

    Returns
    -------
    int
        ``K (S + 2A + 1)``.

    Examples
    --------
    >>> from fastcode.repro.lagrange import repetition_workers
    >>> repetition_workers(10, S=2, A=2)
    70
    """
    return K * (S + 2 * A + 1)


def secret_sharing_workers(f_degree: int, K: int, T: int, S: int, A: int) -> int:
    """Workers of Shamir sharing per block: K groups of T deg f + S + 2A + 1.

    Each block is Shamir-shared (degree T) on its own group and f evaluated on
    the shares (the BGW-style design).

    Parameters
    ----------
    f_degree : int
        Degree of the polynomial f.
    K : int
        Data blocks.
    T : int
        Privacy: any T workers learn nothing.
    S : int
        Stragglers tolerated.
    A : int
        Adversaries tolerated.

    Returns
    -------
    int
        ``K (T deg f + S + 2A + 1)``.

    Examples
    --------
    >>> from fastcode.repro.lagrange import secret_sharing_workers
    >>> secret_sharing_workers(2, 10, T=2, S=2, A=2)
    110
    """
    return K * (T * f_degree + S + 2 * A + 1)


def mds_workers(f_degree: int, K: int, T: int, S: int, A: int) -> Optional[int]:
    """Workers of MDS-coded evaluation, or None when f is not linear.

    MDS-coded inputs work for deg f = 1 only; LCC coincides with it there.

    Parameters
    ----------
    f_degree : int
        Degree of the polynomial f.
    K : int
        Data blocks.
    T : int
        Privacy.
    S : int
        Stragglers tolerated.
    A : int
        Adversaries tolerated.

    Returns
    -------
    int or None
        ``K + T + S + 2A`` for deg f = 1, else None.

    Examples
    --------
    >>> from fastcode.repro.lagrange import mds_workers
    >>> mds_workers(1, 10, T=2, S=2, A=2), mds_workers(2, 10, T=0, S=0, A=0)
    (18, None)
    """
    return K + T + S + 2 * A if f_degree == 1 else None


def threshold_table(cases: Sequence[Tuple[int, int, int, int, int]] = THRESHOLD_CASES) -> Table:
    """Workers needed by LCC and each baseline, one row per (deg f, K, S, A, T).

    With the saving of LCC against the best baseline that applies
    (repetition for T = 0, secret sharing for T > 0, MDS for deg f = 1).

    Parameters
    ----------
    cases : sequence of (int, int, int, int, int), default THRESHOLD_CASES
        The (deg f, K, S, A, T) rows.

    Returns
    -------
    Table
        Named "thresholds"; "-" where a baseline does not apply.

    Examples
    --------
    >>> from fastcode.repro.lagrange import threshold_table
    >>> print(threshold_table([(2, 10, 2, 2, 0), (1, 10, 0, 0, 2)]).format())
    Workers needed to evaluate f of degree deg f on K blocks with S stragglers, A adversaries, T-privacy
    deg f   K  S  A  T  LCC  LCC threshold  repetition  secret sharing  MDS  saving
    -----  --  -  -  -  ---  -------------  ----------  --------------  ---  ------
        2  10  2  2  0   25             23          70               -    -    2.80
        1  10  0  0  2   12             12           -              30   12    1.00
    LCC: ...
    """
    rows = []
    for d, K, S, A, T in cases:
        lcc = workers_needed(d, K, T, A, S)
        rep = repetition_workers(K, S, A) if T == 0 else None
        ss = secret_sharing_workers(d, K, T, S, A) if T > 0 else None
        mds = mds_workers(d, K, T, S, A)
        best = min(v for v in (rep, ss, mds) if v is not None)
        rows.append((d, K, S, A, T, lcc, recovery_threshold(d, K, T, A),
                     "-" if rep is None else rep, "-" if ss is None else ss,
                     "-" if mds is None else mds, best / lcc))
    return Table("Workers needed to evaluate f of degree deg f on K blocks with S stragglers, "
                 "A adversaries, T-privacy",
                 ("deg_f", "K", "S", "A", "T", "lcc", "threshold", "repetition",
                  "secret_sharing", "mds", "saving"), rows,
                 ["LCC: (K+T-1) deg f + S + 2A + 1 workers, decoding from the first "
                  "(K+T-1) deg f + 2A + 1 results;",
                  "repetition: K (S + 2A + 1), not private; secret sharing (BGW-style, T > 0): "
                  "K (T deg f + S + 2A + 1);",
                  "MDS-coded inputs: K + T + S + 2A, linear f only.  saving = best applicable "
                  "baseline / LCC."],
                 headers=dict(deg_f="deg f", lcc="LCC", threshold="LCC threshold",
                              secret_sharing="secret sharing", mds="MDS"),
                 formats=dict(saving="5.2f"), name="thresholds")


def _lcc_rule(N, f_degree, K, T, A):
    need = recovery_threshold(f_degree, K, T, A)
    return KthFastest(N, need, load=1.0 / K, name="LCC") if need <= N else None


def _repetition_rule(N, K, A):
    """Job time of K blocks on N / K workers each, adversaries = workers 0..A-1 (one group
    if A < N / K): every group needs A + 1 honest answers."""
    r = N // K
    if N % K or r < 2 * A + 1:
        return None
    honest = np.ones(N, dtype=bool)
    honest[:A] = False

    def job_time(times):
        t = np.where(honest, times, np.inf).reshape(len(times), K, r)
        return np.sort(t, axis=-1)[..., A].max(axis=-1)
    return FunctionRule(job_time, N, load=1.0 / K, name="repetition")


def _best_blocks(N, f_degree, T, A, mu, shift):
    """The K in 1..N with the smallest exact mean LCC time (None if none fits on N)."""
    fits = [k for k in range(1, N + 1) if recovery_threshold(f_degree, k, T, A) <= N]
    if not fits:
        return None
    means = [order_stat_mean(N, recovery_threshold(f_degree, k, T, A), k * mu, shift / k)
             for k in fits]
    return fits[int(np.argmin(means))]


def completion_table(N: int = N_WORKERS, f_degree: int = F_DEGREE, K: int = BLOCKS,
                     adversaries: Sequence[int] = ADVERSARIES, T: int = 0, mu: float = MU,
                     shift: float = SHIFT, trials: int = TRIALS, seed: int = SEED,
                     progress: Optional[Callable[[int, int, str], None]] = None) -> Table:
    """Monte Carlo E[T] of uncoded, repetition, LCC at K and LCC at its best K, per number of adversaries.

    The exact E[T] is printed beside it where the time is an order statistic
    (uncoded and LCC); the table's check is that the Monte Carlo mean lies
    within ``Z_CHECK`` standard errors of it.  Under the shifted exponential
    model a task of load 1/K takes ``(shift + Exp(mu)) / K``.

    Parameters
    ----------
    N : int, default N_WORKERS
        Workers.
    f_degree : int, default F_DEGREE
        Degree of f.
    K : int, default BLOCKS
        Data blocks of repetition and LCC.
    adversaries : sequence of int, default ADVERSARIES
        Numbers of adversaries A, one group of rows each.
    T : int, default 0
        T-privacy of LCC.
    mu, shift : float, default 1.0, 1.0
        The straggler model.
    trials : int, default TRIALS
        Monte Carlo trials per cell.
    seed : int, default SEED
        Random seed.
    progress : callable, optional
        ``progress(done, total, label)``, called after every cell.

    Returns
    -------
    Table
        Named "completion", four rows per A ("cannot" where the scheme does
        not fit); ``failures`` counts the failed checks.

    Examples
    --------
    >>> from fastcode.repro.lagrange import completion_table
    >>> table = completion_table(N=12, K=4, adversaries=(1,), trials=200)
    >>> table.column("scheme"), table.column("check"), table.failures
    (['uncoded', 'repetition', 'LCC', 'LCC best K'], ['cannot', '-', 'ok', 'ok'], 0)
    """
    model = ShiftedExponential(mu, shift=shift)
    rows: List[tuple] = []
    failures = 0
    cells = [(A, kind) for A in adversaries for kind in ("uncoded", "repetition", "lcc", "best")]
    for c, (A, kind) in enumerate(cells):
        exact, blocks = None, K
        if kind == "uncoded":
            rule, blocks = (KthFastest(N, N, load=1.0 / N, name="uncoded") if A == 0 else None), N
        elif kind == "repetition":
            rule = _repetition_rule(N, K, A)
        elif kind == "lcc":
            rule = _lcc_rule(N, f_degree, K, T, A)
        else:
            blocks = _best_blocks(N, f_degree, T, A, mu, shift)
            rule = None if blocks is None else _lcc_rule(N, f_degree, blocks, T, A)
        label = {"uncoded": "uncoded", "repetition": "repetition", "lcc": "LCC",
                 "best": "LCC best K"}[kind]
        if rule is None:
            rows.append((N, A, label, blocks, "-", "-", "-", "-", "cannot"))
        else:
            if isinstance(rule, KthFastest):
                exact = float(order_stat_mean(N, rule.k, blocks * mu, shift / blocks))
            need = rule.k if isinstance(rule, KthFastest) else f"{A + 1}/group"
            res = simulate(rule, model, trials, rng=[seed, A, c, blocks])
            verdict = "-"
            if exact is not None:
                ok = abs(res.mean - exact) <= Z_CHECK * res.stderr + 1e-12
                verdict = "ok" if ok else "FAIL"
                failures += not ok
            rows.append((N, A, label, blocks, need, res.mean, res.half_width,
                         "-" if exact is None else exact, verdict))
        if progress is not None:
            progress(c + 1, len(cells), "cells")
    return Table(f"Completion time on N = {N} workers, f of degree {f_degree}, T = {T}: shifted "
                 f"exponential (shift {shift:g}, mu {mu:g}), {trials} trials",
                 ("N", "A", "scheme", "K", "waits_for", "mean", "ci", "exact", "check"), rows,
                 ["a task of load 1/K takes (shift + Exp(mu)) / K; adversaries answer like the "
                  "others but return garbage;",
                  "repetition waits for A + 1 equal answers in each group (adversaries in one "
                  "group), LCC for the threshold-th answer of all;",
                  f"check: |Monte Carlo - exact| <= {Z_CHECK:g} standard errors."],
                 headers=dict(waits_for="waits for", mean="E[T] MC", ci="+-"),
                 left=("scheme",), name="completion", failures=failures)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``fastcode simulate lagrange``.

    Their argparse dests are :func:`run`'s keywords (plus ``plot``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser to add them to.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import lagrange
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate lagrange")
    >>> lagrange.add_arguments(parser)
    >>> args = parser.parse_args(["--workers", "12", "--blocks", "4", "--adversaries", "0,1"])
    >>> args.N, args.K, args.adversaries, args.f_degree
    (12, 4, (0, 1), 2)
    """
    parser.add_argument("--workers", dest="N", type=count, default=N_WORKERS,
                        help=f"N of the completion-time table (default {N_WORKERS})")
    parser.add_argument("--degree", dest="f_degree", type=count, default=F_DEGREE,
                        help=f"degree of f in the completion-time table (default {F_DEGREE})")
    parser.add_argument("--blocks", dest="K", type=count, default=BLOCKS,
                        help=f"K of repetition and LCC (default {BLOCKS})")
    parser.add_argument("--adversaries", type=comma_list(optional_count), default=ADVERSARIES,
                        help="comma-separated numbers of adversaries (default 0,1,2)")
    parser.add_argument("--private", dest="T", type=optional_count, default=0,
                        help="T-privacy of LCC in the completion table (default 0)")
    parser.add_argument("--mu", type=positive_float, default=MU, help="straggling rate (default 1)")
    parser.add_argument("--shift", type=positive_float, default=SHIFT, help="shift (default 1)")
    parser.add_argument("--trials", type=count, default=TRIALS,
                        help=f"Monte Carlo trials per cell (default {TRIALS})")
    parser.add_argument("--seed", type=random_seed, default=SEED, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="FILE", help="also draw E[T] versus A to FILE")


def run(N: int = N_WORKERS, f_degree: int = F_DEGREE, K: int = BLOCKS,
        adversaries: Sequence[int] = ADVERSARIES, T: int = 0, mu: float = MU,
        shift: float = SHIFT, trials: int = TRIALS, seed: int = SEED) -> List[Table]:
    """The threshold table and the completion-time table; progress on a terminal.

    Parameters
    ----------
    N, f_degree, K, adversaries, T, mu, shift, trials, seed
        The settings of :func:`completion_table` (the threshold table uses
        ``THRESHOLD_CASES``).

    Returns
    -------
    list of Table
        Named "thresholds" and "completion".

    Raises
    ------
    InvalidArgumentError
        ``adversaries`` empty or negative, or ``K > N``.

    Examples
    --------
    >>> from fastcode.repro import lagrange
    >>> tables = lagrange.run(N=12, K=4, adversaries=(0, 1), trials=200)
    >>> [(t.name, len(t.rows), t.failures) for t in tables]
    [('thresholds', 18, 0), ('completion', 8, 0)]
    >>> lagrange.run(N=4, K=8)
    Traceback (most recent call last):
    ...
    fastcode.errors.InvalidArgumentError: K must be at most N = 4, got 8
    """
    if any(a < 0 for a in adversaries) or not adversaries:
        raise InvalidArgumentError(f"adversaries must be non-negative counts, got {adversaries}")
    if K > N:
        raise InvalidArgumentError(f"K must be at most N = {N}, got {K}")
    with Progress(NAME) as progress:
        return [threshold_table(),
                completion_table(N, f_degree, K, tuple(adversaries), T, mu, shift, trials, seed,
                                 progress=progress.stage("completion"))]


@draws_with_pyplot()
def plot(plt, tables: Sequence[Table], path: PathLike) -> None:
    """E[T] versus the number of adversaries, one line per scheme, into ``path``.

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
    >>> from fastcode.repro import lagrange
    >>> tables = lagrange.run(N=12, K=4, adversaries=(0, 1), trials=100)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "lagrange.png")
    ...     problem = lagrange.plot(tables, path)
    ...     os.path.exists(path) if problem is None else "matplotlib" in problem
    True
    """
    t = by_name(tables)["completion"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for scheme in dict.fromkeys(t.column("scheme")):
        pts = [(a, m) for a, s, m in zip(t.column("A"), t.column("scheme"), t.column("mean"))
               if s == scheme and not isinstance(m, str)]
        if pts:
            ax.plot(*zip(*pts), "o-", label=scheme)
    ax.set_xlabel("adversaries A")
    ax.set_ylabel("E[T]")
    ax.set_title(t.title.split(":")[0], fontsize=9)
    ax.legend(fontsize=8)
    save_figure(plt, fig, path, dpi=120)
    return None
