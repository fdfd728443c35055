"""``fastcode simulate shuffle``: measured versus formula shuffling loads (:ref:`lee-shuffle-caches`).

For each (n, s) of ``SHUFFLE_CASES``, a few random shuffles of n
blocks of ``rows_per_block`` rows are planned (``CodedShuffle.plan``, which
counts the rows actually multicast) under both cache models:

* independent -- each worker holds each row with probability s (the model of
  the formula ``coded_load``);
* realistic -- each worker holds its current block plus a random alpha = s - 1/n
  fraction of the other rows.

The measured coded load exceeds the formula at finite block sizes: the
formula sums *expected* piece sizes, a multicast costs its *longest* piece, and
with C(n, t) sets per size t the pieces are only a few rows long (at n = 25,
s = 0.5 nearly every piece is one row and coding gains nothing).  The gap
closes as rows_per_block grows (``--rows-per-block``).
"""
from __future__ import annotations

import argparse
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from fastcode._progress import Progress
from fastcode._util.tables import Table
from fastcode.repro.cli import PathLike, count, draws_with_pyplot, random_seed, save_figure
from fastcode.schemes.shuffle import (
    CodedShuffle,
    UncodedShuffle,
    coded_load,
    independent_caches,
    random_blocks,
    realistic_caches,
    shuffle_gain,
    uncoded_load,
)

__all__ = ["NAME", "SUMMARY", "SHUFFLE_CASES", "ROWS_PER_BLOCK", "TRIALS", "shuffle_table",
           "add_arguments", "run", "plot"]

#: The reproduction's name: ``fastcode simulate NAME`` and the registry key.
NAME = "shuffle"
#: One line: the help of ``fastcode simulate NAME``.
SUMMARY = "Coded shuffling: measured vs formula loads for the (n, s) of Lee et al.'s table."
SHUFFLE_CASES = ((10, 0.1), (10, 0.2), (10, 0.5), (25, 0.2), (25, 0.5))
"""The (n, s) rows of the table, with n in {10, 25} workers and storage fractions s."""


#: Rows in each worker's block.
ROWS_PER_BLOCK = 2000
#: Random shuffles per (n, s) cell.
TRIALS = 3
SEED = 0

COLUMNS = ("n", "s", "uncoded_formula", "uncoded", "coded_formula", "coded_independent",
           "coded_realistic", "gain_formula", "gain_measured")
_HEADERS = dict(uncoded_formula="uncoded 1-s", uncoded="measured", coded_formula="coded formula",
                coded_independent="indep.", coded_realistic="realistic", gain_formula="gain formula",
                gain_measured="measured")
_FORMATS = dict(n="2d", s="4.2f", uncoded_formula="11.3f", uncoded="8.4f", coded_formula="13.4f",
                coded_independent="7.4f", coded_realistic="9.4f", gain_formula="12.3f",
                gain_measured="8.3f")


def shuffle_table(cases: Sequence[Tuple[int, float]] = SHUFFLE_CASES, rows_per_block: int = ROWS_PER_BLOCK,
                  trials: int = TRIALS, seed: int = SEED,
                  progress: Optional[Callable[[int, int, str], None]] = None) -> Table:
    """The loads table: one row per (n, s), formula loads and gain beside measured means.

    Coded loads are measured under both cache models, uncoded under
    independent caching.  Each row is seeded from ``(seed, n, s)``.  Loads are
    in data units (rows sent / N).

    Parameters
    ----------
    cases : sequence of (int, float), default SHUFFLE_CASES
        The (n workers, storage fraction s) rows.
    rows_per_block : int, default ROWS_PER_BLOCK
        Rows in each worker's block.
    trials : int, default TRIALS
        Random shuffles per row.
    seed : int, default SEED
        Random seed.
    progress : callable, optional
        ``progress(done, total, label)``, called after every row.

    Returns
    -------
    Table
        Named "loads", columns ``COLUMNS``.

    Examples
    --------
    >>> from fastcode.repro.shuffle import shuffle_table
    >>> table = shuffle_table(cases=[(10, 0.2)], rows_per_block=5, trials=1)
    >>> row = dict(zip(table.columns, table.rows[0]))
    >>> row["uncoded_formula"], round(row["coded_formula"], 4), round(row["gain_formula"], 3)
    (0.8, 0.3571, 2.241)
    >>> row["coded_independent"], row["uncoded"]
    (0.76, 0.78)
    """
    rows = []
    for c, (n, s) in enumerate(cases):
        rng = np.random.default_rng([seed, n, int(round(s * 1000))])
        n_rows = n * rows_per_block
        coded, uncoded = CodedShuffle(n), UncodedShuffle(n)
        ind, real, unc = [], [], []
        for _ in range(trials):
            current = random_blocks(n, rows_per_block, rng)
            demands = list(random_blocks(n, rows_per_block, rng))
            caches = independent_caches(n, n_rows, s, rng)
            ind.append(coded.plan(caches, demands).load)
            unc.append(uncoded.plan(caches, demands).load)
            real.append(coded.plan(realistic_caches(current, n_rows, s, rng), demands).load)
        rows.append((n, s, uncoded_load(s), float(np.mean(unc)), coded_load(n, s),
                     float(np.mean(ind)), float(np.mean(real)), shuffle_gain(n, s),
                     float(np.mean(unc)) / float(np.mean(ind))))
        if progress is not None:
            progress(c + 1, len(cases), "cells")
    return Table(f"Coded shuffling: load in data units (rows sent / N), {rows_per_block} rows per "
                 f"block, mean of {trials} shuffles", COLUMNS, rows,
                 ["gain = C_unc / C_cod with gamma = n (a multicast to n costs one unicast), i.e. "
                  "uncoded load / coded load;\nmeasured gain: measured uncoded / measured "
                  "independent-cache coded load.  The formula is the expectation of summed piece "
                  "sizes;\nmulticasts cost their longest piece, so small blocks measure above it."],
                 formats=_FORMATS, headers=_HEADERS, left=("coded_independent",),
                 groups=(2, 2, 3, 2), name="loads")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``fastcode simulate shuffle``.

    Their argparse dests are :func:`run`'s keywords.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser to add them to.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import shuffle
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate shuffle")
    >>> shuffle.add_arguments(parser)
    >>> vars(parser.parse_args(["--rows-per-block", "50"]))
    {'rows_per_block': 50, 'trials': 3, 'seed': 0, 'plot': None}
    """
    parser.add_argument("--rows-per-block", type=count, default=ROWS_PER_BLOCK,
                        help="rows in each worker's block (default 2000)")
    parser.add_argument("--trials", type=count, default=TRIALS, help="shuffles per cell (default 3)")
    parser.add_argument("--seed", type=random_seed, default=SEED, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="also draw formula versus measured loads to FILE (needs matplotlib)")


def run(rows_per_block: int = ROWS_PER_BLOCK, trials: int = TRIALS, seed: int = SEED) -> List[Table]:
    """The loads table of the (n, s) cases of ``SHUFFLE_CASES``, as a one-table list; progress on a terminal.

    Parameters
    ----------
    rows_per_block : int, default ROWS_PER_BLOCK
        Rows in each worker's block.
    trials : int, default TRIALS
        Random shuffles per (n, s).
    seed : int, default SEED
        Random seed.

    Returns
    -------
    list of Table
        The one table of :func:`shuffle_table`.

    Examples
    --------
    >>> from fastcode.repro import shuffle
    >>> table, = shuffle.run(rows_per_block=2, trials=1)
    >>> table.column("n"), table.column("s")
    ([10, 10, 10, 25, 25], [0.1, 0.2, 0.5, 0.2, 0.5])
    """
    with Progress(NAME) as progress:
        return [shuffle_table(rows_per_block=rows_per_block, trials=trials, seed=seed,
                              progress=progress)]


@draws_with_pyplot()
def plot(plt, tables: Sequence[Table], path: PathLike) -> None:
    """Formula versus measured loads of each (n, s), into ``path``
    (``fastcode simulate shuffle --plot FILE``).

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
    >>> from fastcode.repro import shuffle
    >>> tables = shuffle.run(rows_per_block=1, trials=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "shuffle.png")
    ...     problem = shuffle.plot(tables, path)
    ...     os.path.exists(path) if problem is None else "matplotlib" in problem
    True
    """
    t = tables[0]
    labels = [f"n={n}, s={s:g}" for n, s in zip(t.column("n"), t.column("s"))]
    x = np.arange(len(labels))
    bars = ("uncoded_formula", "uncoded", "coded_formula", "coded_independent", "coded_realistic")
    width = 0.8 / len(bars)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, col in enumerate(bars):
        ax.bar(x + (i - 2) * width, t.column(col), width=width, label=col.replace("_", " "))
    ax.set_xticks(x, labels)
    ax.set_ylabel("load (rows sent / N)")
    ax.set_title(t.title.split(",")[0])
    ax.legend(fontsize=8)
    save_figure(plt, fig, path, dpi=120)
    return None
