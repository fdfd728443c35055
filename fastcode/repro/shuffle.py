"""``fastcode simulate shuffle``: measured versus formula shuffling loads (spec 01 §4.5-4.6).

For each (n, s) of the spec's oracle table 3, a few random shuffles of n
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
import sys

import numpy as np

from fastcode.repro._entry import count, random_seed
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

__all__ = ["SHUFFLE_CASES", "shuffle_table", "format_shuffle_table", "register_shuffle", "run_shuffle"]

SHUFFLE_CASES = ((10, 0.1), (10, 0.2), (10, 0.5), (25, 0.2), (25, 0.5))
"""(n, s) rows of the spec's oracle table 3."""


def shuffle_table(cases=SHUFFLE_CASES, rows_per_block=2000, trials=3, seed=0, progress=None):
    """Rows of dicts: n, s, formula loads and gain, measured means (coded under
    both cache models, uncoded under independent caching)."""
    out = []
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
        out.append({"n": n, "s": s, "uncoded_formula": uncoded_load(s), "uncoded": float(np.mean(unc)),
                    "coded_formula": coded_load(n, s), "coded_independent": float(np.mean(ind)),
                    "coded_realistic": float(np.mean(real)), "gain_formula": shuffle_gain(n, s),
                    "gain_measured": float(np.mean(unc)) / float(np.mean(ind))})
        if progress is not None:
            progress(c + 1, len(cases))
    return out


def format_shuffle_table(rows, rows_per_block, trials):
    head = (f"Coded shuffling: load in data units (rows sent / N), {rows_per_block} rows per block, "
            f"mean of {trials} shuffles\n"
            " n     s | uncoded 1-s  measured | coded formula  indep.   realistic | gain formula  measured\n"
            "---------+-----------------------+-----------------------------------+-----------------------")
    lines = [head]
    for r in rows:
        lines.append(f"{r['n']:2d}  {r['s']:4.2f} | {r['uncoded_formula']:11.3f}  {r['uncoded']:8.4f} | "
                     f"{r['coded_formula']:13.4f}  {r['coded_independent']:7.4f}  {r['coded_realistic']:9.4f} | "
                     f"{r['gain_formula']:12.3f}  {r['gain_measured']:8.3f}")
    lines.append("gain = C_unc / C_cod with gamma = n (a multicast to n costs one unicast), i.e. uncoded load /"
                 " coded load;\nmeasured gain: measured uncoded / measured independent-cache coded load.  The formula is the expectation "
                 "of summed piece sizes;\nmulticasts cost their longest piece, so small blocks measure above it.")
    return "\n".join(lines)


def register_shuffle(parser):
    """Coded shuffling: measured vs formula loads for the spec's table (n, s)."""
    parser.add_argument("--rows-per-block", type=count, default=2000,
                        help="rows in each worker's block (default 2000)")
    parser.add_argument("--trials", type=count, default=3, help="shuffles per cell (default 3)")
    parser.add_argument("--seed", type=random_seed, default=0, help="random seed (default 0)")
    parser.set_defaults(func=run_shuffle)


def run_shuffle(args):
    """Entry point of ``fastcode simulate shuffle``."""
    tty = sys.stderr.isatty()

    def progress(done, total):
        if tty:
            print(f"\r{done}/{total} cells", end="", file=sys.stderr, flush=True)

    rows = shuffle_table(rows_per_block=args.rows_per_block, trials=args.trials, seed=args.seed,
                         progress=progress)
    if tty:
        print("\r" + " " * 20 + "\r", end="", file=sys.stderr)
    print(format_shuffle_table(rows, args.rows_per_block, args.trials))
    return 0
