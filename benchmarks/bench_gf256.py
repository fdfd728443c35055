"""GF(2^8) kernel benchmark: fastcode vs ISA-L, the NumPy reference, the scalar
fallback and memory bandwidth, measured side by side in one run.

    python benchmarks/bench_gf256.py            # the bars of the GFNI issue
    python benchmarks/bench_gf256.py --full     # every shape of `fastcode bench`
    FASTCODE_BENCH_ISAL=/path/to/libisal.so.2 python benchmarks/bench_gf256.py
    FASTCODE_SIMD=avx2 python benchmarks/bench_gf256.py   # one kernel level

Throughput counts data bytes (k x block length) per second; data and parity are
packed (k, L) / (rows, L) arrays.  Every ratio is fastcode's speed over the
comparator's, both timed interleaved in the same run (medians of repeats), so
a shared, noisy machine shifts both alike.  ISA-L (via ctypes) is the library
named by FASTCODE_BENCH_ISAL, else the system's (Debian libisal-dev); without
it the ratios are skipped with a message.  Outputs are verified after timing
(against ISA-L, or the NumPy reference on sampled columns).
"""
import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import fastcode  # noqa: E402
from fastcode import MDSCode  # noqa: E402
from fastcode.bench import gf256 as bench  # noqa: E402
from fastcode.bench.comparators import ISAL, compare_times, median_time, memory_bandwidth  # noqa: E402
from fastcode.bench.comparators import paired_times  # noqa: E402
from fastcode.platform import default_simd_level  # noqa: E402
from fastcode.reference import gf256 as reference  # noqa: E402

MIB = 1 << 20
# (label, k, rows, block bytes, bar: fastcode / ISA-L at least)
ENCODE_BARS = [("RS(10,4) encode 1 MiB", 10, 4, MIB, 1.2),
               ("RS(4,2) encode 1 MiB", 4, 2, MIB, 1.2),
               ("RS(50,10) encode 1 MiB", 50, 10, MIB, 1.5),
               ("RS(10,4) encode 4 KiB, single call", 10, 4, 4 << 10, 1.0)]
DECODE_BAR = ("RS(10,4) decode 4 lost, all rows, 1 MiB", 10, 4, MIB, 1.2)
THREADS_BAR = (10, 4, 64 * MIB, 2, 0.85)  # k, rows, block, threads, share of copy bandwidth


def _verdict(value, bar):
    return f"bar >= {bar:.2f}: {'met' if value >= bar else 'MISSED'}"


def encode_bar(label, k, rows, length, bar, isal, repeats):
    """One encode bar: a bench.measure row (GB/s, ratio) printed with its verdict."""
    row = bench.measure(k, rows, length, 1, isal, repeats)
    line = f"{label:42s} fastcode {row['fastcode_GBps']:6.2f} GB/s"
    if "ratio" in row:
        line += (f"  ISA-L {row['isal_GBps']:6.2f} GB/s  {row['ratio']:.2f}x  "
                 f"{_verdict(row['ratio'], bar)}")
    print(line)
    return row


def decode_bar(label, k, m, length, bar, isal, repeats):
    """RS(k, k+m) with the first m data shards lost: fastcode's decoder returns
    all k data rows (present ones copied in the same pass, the fused path);
    ISA-L's ec_encode_data with its decode tables rebuilds the m lost rows (the
    present rows are already where they are).  Decode setup excluded."""
    n = k + m
    rng = np.random.default_rng(7)
    code = MDSCode(n, k)
    data = fastcode.GF256.random((k, length), rng)
    cw = np.concatenate([data, code.encode(data)])
    lost = list(range(m))
    present = np.array([i for i in range(n) if i not in lost])
    shards = np.ascontiguousarray(cw[present])
    decoder = code.decoder(present)
    out = np.empty((k, length), dtype=np.uint8)
    ours = lambda: decoder(shards, out=out)  # noqa: E731
    line = f"{label:42s}"
    if isal is None:
        t = median_time(ours, repeats=repeats)
        print(f"{line} fastcode {k * length / t / 1e9:6.2f} GB/s")
    else:
        _, tables = isal.decode_setup(isal.cauchy_matrix(n, k), present)
        rebuilt = np.empty((m, length), dtype=np.uint8)
        theirs = isal.prepare_encode(tables, shards, rebuilt)
        t, t_isal, ratio = compare_times(ours, theirs, repeats=repeats)
        if not np.array_equal(rebuilt, cw[lost]):
            raise AssertionError("ISA-L decode output is wrong")
        print(f"{line} fastcode {k * length / t / 1e9:6.2f} GB/s  ISA-L "
              f"{k * length / t_isal / 1e9:6.2f} GB/s  {ratio:.2f}x  {_verdict(ratio, bar)}")
    if not np.array_equal(out, data):
        raise AssertionError("fastcode decode output is wrong")


def threads_bar(k, rows, length, threads, bar, bandwidth, repeats):
    """Bytes read and written per second by one `threads`-thread call (k + rows
    blocks of `length` bytes) as a share of the copy bandwidth."""
    matrix = bench.cauchy_parity_rows(k + rows, k)
    data = fastcode.GF256.random((k, length), 3)
    out = np.empty((rows, length), dtype=np.uint8)
    plan = fastcode.GF256.plan_matmul(matrix)
    t1, tn, ratio = compare_times(lambda: plan(data, out, n_threads=1),
                                  lambda: plan(data, out, n_threads=threads), repeats=repeats)
    bench.check_sample(matrix, data, out)
    moved = (k + rows) * length / tn
    share = moved / bandwidth
    print(f"RS({k},{rows}) {length // MIB} MiB blocks, {threads} threads: "
          f"{k * length / tn / 1e9:.2f} GB/s of data ({1 / ratio:.2f}x 1 thread), moves "
          f"{moved / 1e9:.2f} GB/s = {share:.2f} of the copy bandwidth  {_verdict(share, bar)}")


def levels_table(k, rows, length, isal, repeats):
    """Every SIMD level this CPU has on one shape, timed interleaved with ISA-L
    (the measurement behind the default level, see csrc/gf256_dispatch.c)."""
    matrix = bench.cauchy_parity_rows(k + rows, k)
    data = fastcode.GF256.random((k, length), 5)
    out = np.empty((rows, length), dtype=np.uint8)
    plan = fastcode.GF256.plan_matmul(matrix)
    levels = [lv for lv in fastcode.available_simd_levels() if lv != "scalar"]
    previous = fastcode.simd_level()

    def at(level):
        def run():
            fastcode.set_simd_level(level)
            plan(data, out, n_threads=1)
        return run
    fns = [at(lv) for lv in levels]
    isal_out = np.empty_like(out)
    if isal is not None:
        fns.append(isal.prepare_encode(isal.init_tables(k, rows, matrix), data, isal_out))
    try:
        medians, _ = paired_times(fns, repeats=repeats)
        for level, t in zip(levels, medians):
            at(level)()
            bench.check_sample(matrix, data, out)
            vs = f"  {medians[-1] / t:.2f}x ISA-L" if isal is not None else ""
            mark = "  (default)" if level == default_simd_level() else ""
            print(f"  {level:12s} {k * length / t / 1e9:6.2f} GB/s{vs}{mark}")
    finally:
        fastcode.set_simd_level(previous)


def scalar_vs_reference(k=10, rows=4, length=1 << 16, repeats=5):
    """GB/s of the scalar C kernels and of the NumPy reference, same inputs."""
    matrix = bench.cauchy_parity_rows(k + rows, k)
    data = fastcode.GF256.random((k, length), 1)
    out, expect = np.empty((rows, length), np.uint8), np.empty((rows, length), np.uint8)
    previous = fastcode.simd_level()
    fastcode.set_simd_level("scalar")
    try:
        plan = fastcode.GF256.plan_matmul(matrix)
        t_scalar = median_time(lambda: plan(data, out, n_threads=1), repeats=repeats)
    finally:
        fastcode.set_simd_level(previous)
    ref_plan = reference.DotPlan(matrix)
    t_ref = median_time(lambda: ref_plan.apply(data, expect), repeats=repeats, min_time=0)
    assert np.array_equal(out, expect), "scalar kernel differs from the reference"
    return k * length / t_scalar / 1e9, k * length / t_ref / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="all shapes and block sizes")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--no-threads", action="store_true",
                        help="skip the 2-thread bar (it allocates about 1 GiB)")
    args = parser.parse_args(argv)

    info = fastcode.info()
    print(f"fastcode {info['version']} simd={info['simd_level']} "
          f"(available {info['simd_available']}, default {info['simd_default']})")
    isal = ISAL.load()
    if isal is None:
        print(f"ISA-L not available: {ISAL.unavailable_reason()} -- ratios skipped")
    else:
        print(f"comparator: {isal.describe()}")
    bandwidth = memory_bandwidth()
    print(f"memory bandwidth (NumPy copy of 256 MiB): {bandwidth / 1e9:.2f} GB/s")
    print("ratios: fastcode speed / ISA-L speed, timed interleaved, medians of "
          f"{args.repeats} repeats")

    if args.full:
        print("\n1 thread, every shape:")
        table, _ = bench.run(bench.SHAPES, bench.SIZES, 1, args.repeats)
        print(bench.format_table(table))

    print("\nBars (1 thread unless said):")
    for label, k, rows, length, bar in ENCODE_BARS:
        encode_bar(label, k, rows, length, bar, isal, args.repeats)
    decode_bar(*DECODE_BAR, isal, args.repeats)
    if not args.no_threads:
        k, rows, length, threads, bar = THREADS_BAR
        threads_bar(k, rows, length, threads, bar, bandwidth, max(3, args.repeats // 3))

    print("\nEvery SIMD level, RS(10,4) encode 1 MiB, 1 thread:")
    levels_table(10, 4, MIB, isal, args.repeats)

    scalar, ref = scalar_vs_reference()
    print(f"\nscalar kernels {scalar:.3f} GB/s, NumPy reference {ref:.3f} GB/s: "
          f"{scalar / ref:.1f}x (10,4) at 64 KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
