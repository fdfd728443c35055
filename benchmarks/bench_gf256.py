"""GF(2^8) kernel benchmark: fastcode vs ISA-L, the NumPy reference, the scalar
fallback and memory bandwidth, measured side by side in one run.

    python benchmarks/bench_gf256.py            # the issue's bar shapes
    python benchmarks/bench_gf256.py --full     # every shape of `fastcode bench`

Throughput counts data bytes (k x block length) per second; data and parity are
packed (k, L) / (rows, L) arrays.  ISA-L (Debian libisal-dev, via ctypes) is
optional: without it the ratios are skipped with a message.  Outputs are
verified after timing (against ISA-L, or the NumPy reference on sampled columns).
"""
import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import fastcode  # noqa: E402
from fastcode.bench import gf256 as bench  # noqa: E402
from fastcode.bench.comparators import ISAL, compare_times, median_time, memory_bandwidth  # noqa: E402
from fastcode.reference import gf256 as reference  # noqa: E402

BAR_SHAPES = [((10, 4), 1 << 20), ((4, 2), 1 << 20), ((50, 10), 1 << 20)]


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


def thread_speedup(k, rows, length, repeats):
    """(2-thread speedup, 1-thread GB/s, 2-thread GB/s), timed interleaved."""
    matrix = bench.cauchy_parity_rows(k + rows, k)
    data = fastcode.GF256.random((k, length), 3)
    out = np.empty((rows, length), dtype=np.uint8)
    plan = fastcode.GF256.plan_matmul(matrix)
    t1, t2, ratio = compare_times(lambda: plan(data, out, n_threads=1),
                                  lambda: plan(data, out, n_threads=2), repeats=repeats)
    bench.check_sample(matrix, data, out)
    return 1 / ratio, k * length / t1 / 1e9, k * length / t2 / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="all shapes and block sizes")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)

    info = fastcode.info()
    print(f"fastcode {info['version']} simd={info['simd_level']} "
          f"(available {info['simd_available']})")
    if ISAL.load() is None:
        print(f"ISA-L not available: {ISAL.unavailable_reason()} -- ratios skipped")
    bandwidth = memory_bandwidth()
    print(f"memory bandwidth (NumPy copy of 256 MiB): {bandwidth / 1e9:.2f} GB/s")

    print("\n1 thread:")
    if args.full:
        table, _ = bench.run(bench.SHAPES, bench.SIZES, 1, args.repeats)
    else:
        isal = ISAL.load()
        table = [bench.measure(k, rows, length, 1, isal, args.repeats)
                 for (k, rows), length in BAR_SHAPES]
    print(bench.format_table(table))

    print("\nThreads, (10,4) at 8 MiB (1 and 2 threads timed interleaved):")
    speedup, one_gbps, two_gbps = thread_speedup(10, 4, 8 << 20, args.repeats)
    print(f"1 thread {one_gbps:.2f} GB/s, 2 threads {two_gbps:.2f} GB/s: {speedup:.2f}x; "
          f"1 thread moves {one_gbps * 1.4:.2f} GB/s = {one_gbps * 1.4e9 / bandwidth:.2f} of the "
          f"copy bandwidth (14 bytes read or written per 10 data bytes)")

    scalar, ref = scalar_vs_reference()
    print(f"\nscalar kernels {scalar:.3f} GB/s, NumPy reference {ref:.3f} GB/s: "
          f"{scalar / ref:.1f}x (10,4) at 64 KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
