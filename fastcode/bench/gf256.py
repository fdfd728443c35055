"""GF(2^8) dot_prod throughput, side by side with ISA-L when it is installed.

Convention: throughput counts data bytes processed, k * L per second, for one
call computing ``rows`` parity regions from k data regions of L bytes.  Data
and parity are packed (k, L) and (rows, L) uint8 arrays, the natural NumPy
layout (power-of-two L then means power-of-two strides, the hard case for
caches).  Matrices are ISA-L's Cauchy parity rows, so both libraries compute
the same bytes; outputs are compared after timing.
"""

import numpy as np

from fastcode import _config, platform
from fastcode._progress import terminal_progress
from fastcode.bench.comparators import ISAL, compare_times, median_time
from fastcode.fields.gf256 import GF256
from fastcode.reference import gf256 as reference

SHAPES = ((4, 2), (10, 4), (20, 4), (50, 10), (100, 20))
SIZES = (4 << 10, 64 << 10, 1 << 20, 8 << 20)
QUICK_SHAPES = ((4, 2), (10, 4), (50, 10))
QUICK_SIZES = (64 << 10, 1 << 20)


def cauchy_parity_rows(n, k):
    """Rows k..n-1 of ISA-L's gf_gen_cauchy1_matrix: entry (i, j) = 1 / (i XOR j)."""
    i = np.arange(k, n)[:, None]
    j = np.arange(k)[None, :]
    return np.ascontiguousarray(reference.INV[i ^ j])


def _size_label(nbytes):
    return f"{nbytes >> 20} MiB" if nbytes >= 1 << 20 else f"{nbytes >> 10} KiB"


def check_sample(matrix, data, out):
    """Compare a few columns at both ends with the NumPy reference."""
    cols = np.r_[0:min(64, data.shape[1]), max(0, data.shape[1] - 64):data.shape[1]]
    expect = np.empty((matrix.shape[0], len(cols)), dtype=np.uint8)
    reference.dot_prod(matrix, np.ascontiguousarray(data[:, cols]), expect)
    if not np.array_equal(out[:, cols], expect):
        raise AssertionError("fastcode output differs from the NumPy reference")


def measure(k, rows, length, threads=1, isal=None, repeats=7, rng=0):
    """One row of the table: dict with fastcode's and (if given) ISA-L's GB/s."""
    matrix = cauchy_parity_rows(k + rows, k)
    data = GF256.random((k, length), rng)
    out = np.empty((rows, length), dtype=np.uint8)
    plan = GF256.plan_matmul(matrix)
    ours = lambda: plan(data, out, n_threads=threads)  # noqa: E731
    row = {"k": k, "rows": rows, "block_bytes": length, "threads": threads}
    if isal is not None:
        isal_out = np.empty_like(out)
        call = isal.prepare_encode(isal.init_tables(k, rows, matrix), data, isal_out)
        # interleaved: the ratio is steady even when the machine is busy
        seconds, isal_seconds, ratio = compare_times(ours, call, repeats=repeats)
        if not np.array_equal(out, isal_out):
            raise AssertionError(f"fastcode and ISA-L outputs differ for ({k}, {rows}) L={length}")
        row["fastcode_GBps"] = k * length / seconds / 1e9
        row["isal_GBps"] = k * length / isal_seconds / 1e9
        row["ratio"] = ratio
    else:
        seconds = median_time(ours, repeats=repeats)
        row["fastcode_GBps"] = k * length / seconds / 1e9
        check_sample(matrix, data, out)
    return row


def run(shapes, sizes, threads=1, repeats=7, progress=None):
    """Measure every (shape, size); returns (rows, note about ISA-L)."""
    isal = ISAL.load()
    note = (f"comparator: {isal.describe()}" if isal
            else f"ISA-L not available ({ISAL.unavailable_reason()}): fastcode only")
    table = []
    total = len(shapes) * len(sizes)
    for (k, rows) in shapes:
        for length in sizes:
            if progress:
                progress(len(table), total, f"({k},{rows}) {_size_label(length)}")
            table.append(measure(k, rows, length, threads, isal, repeats))
    if progress:
        progress(total, total, "done")
    return table, note


def format_table(table):
    """Human-readable table of run()'s rows."""
    has_isal = any("isal_GBps" in r for r in table)
    head = f"{'k':>4} {'rows':>4} {'block':>8} {'fastcode GB/s':>14}"
    if has_isal:
        head += f" {'ISA-L GB/s':>11} {'ratio':>6}"
    lines = [head, "-" * len(head)]
    for r in table:
        line = (f"{r['k']:>4} {r['rows']:>4} {_size_label(r['block_bytes']):>8} "
                f"{r['fastcode_GBps']:>14.2f}")
        if has_isal:
            line += f" {r['isal_GBps']:>11.2f} {r['ratio']:>5.2f}x"
        lines.append(line)
    return "\n".join(lines)


def run_bench(quick=False, threads=1, fmt="table"):
    """Entry point of ``fastcode bench``; returns the exit status."""
    shapes, sizes = (QUICK_SHAPES, QUICK_SIZES) if quick else (SHAPES, SIZES)
    repeats = 5 if quick else 9
    progress = terminal_progress() if fmt == "table" else None
    table, note = run(shapes, sizes, threads, repeats, progress=progress)
    if progress:
        progress.clear()
    header = (f"fastcode dot_prod, GF(2^8), simd={platform.simd_level()}, threads={threads}, "
              f"backend={_config.get_backend()}; throughput = data bytes (k x block) per second")
    if fmt == "json":
        from fastcode._document import document, dumps
        print(dumps(document("bench", {"quick": quick, "threads": threads, "repeats": repeats,
                                       "throughput": "data bytes (k x block) per second",
                                       "note": note}, table)))
    elif fmt == "csv":
        keys = ["k", "rows", "block_bytes", "threads", "fastcode_GBps", "isal_GBps", "ratio"]
        print(",".join(keys))
        for r in table:
            print(",".join(f"{r[k]:.4g}" if isinstance(r.get(k), float) else str(r.get(k, ""))
                           for k in keys))
    else:
        print(header)
        if note:
            print(note)
        print(format_table(table))
    return 0
