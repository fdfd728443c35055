"""GF(2^8) kernel benchmark: fastcode vs ISA-L, the NumPy reference, the scalar
fallback and memory bandwidth, measured side by side in one run.

    python benchmarks/bench_gf256.py            # the bars of the GFNI issue
    python benchmarks/bench_gf256.py --full     # every shape of `fastcode bench`
    FASTCODE_BENCH_ISAL=/path/to/libisal.so.2 python benchmarks/bench_gf256.py
    FASTCODE_SIMD=avx2 python benchmarks/bench_gf256.py   # one kernel level
    python benchmarks/bench_gf256.py --only batch,decode    # some sections

Throughput counts data bytes (k x block length) per second; data and parity are
packed (k, L) / (rows, L) arrays.  Every ratio is fastcode's speed over the
comparator's, both timed interleaved in the same run (medians of repeats), so
a shared, noisy machine shifts both alike.  ISA-L (via ctypes) is the library
named by FASTCODE_BENCH_ISAL, else the system's (Debian libisal-dev); without
it the ratios are skipped with a message.  Outputs are verified after timing
(against ISA-L, or the NumPy reference on sampled columns).

The batched table and the full decode compare with ISA-L called from C (no
Python between its calls): a loop of ec_encode_data over the stripes, and a
decode as an ISA-L caller writes it (invert, tables, rebuild, memcpy of the
present rows), each one ctypes call into a helper compiled here with gcc
(fastcode.bench.isal_loop); without gcc they are skipped with a message.
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
from fastcode.bench.isal_loop import ISALLoop  # noqa: E402
from fastcode.platform import default_simd_level  # noqa: E402
from fastcode.reference import gf256 as reference  # noqa: E402

MIB = 1 << 20
# (label, k, rows, block bytes, bar: fastcode / ISA-L at least)
ENCODE_BARS = [("RS(10,4) encode 1 MiB", 10, 4, MIB, 1.2),
               ("RS(4,2) encode 1 MiB", 4, 2, MIB, 1.2),
               ("RS(50,10) encode 1 MiB", 50, 10, MIB, 1.5),
               ("RS(10,4) encode 4 KiB, single call", 10, 4, 4 << 10, 1.0)]
DECODE_BARS = [("RS(10,4) decode 4 lost, all rows, 1 MiB", 10, 4, MIB, 1.2),
               ("RS(50,10) decode 10 lost, all rows, 1 MiB", 50, 10, MIB, 2.0)]
# batched stripes: (k, rows), stripe bytes, stripes per batch, bar vs the ISA-L C loop at 4 KiB
BATCH_SHAPES = [(10, 4), (4, 2)]
BATCH_SIZES = [4 << 10, 16 << 10]
BATCH_STRIPES = 1024
BATCH_BAR = 1.2
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
    """RS(k, k+m) with the first m data shards lost, decode setup excluded on
    fastcode's side (its decoder is cached per pattern): fastcode's decoder
    returns all k data rows (present ones copied in the same pass).  Two ISA-L
    figures: as a caller must do it from C (invert, tables, ec_encode_data of
    the m lost rows, memcpy of the k - m present ones; the bar's comparator),
    and the rebuild alone (ec_encode_data of the lost rows with prepared
    tables, the present rows left where they are)."""
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
        fns = [ours]
        _, tables = isal.decode_setup(isal.cauchy_matrix(n, k), present)
        rebuilt = np.empty((m, length), dtype=np.uint8)
        fns.append(isal.prepare_encode(tables, shards, rebuilt))
        loop = ISALLoop.load(isal)
        isal_out = np.empty((k, length), dtype=np.uint8)
        if loop is not None:
            fns.append(loop.prepare_decode_data(isal.cauchy_matrix(n, k), present, shards,
                                                isal_out))
        medians, ratios = paired_times(fns, repeats=repeats)
        if not np.array_equal(rebuilt, cw[lost]):
            raise AssertionError("ISA-L decode output is wrong")
        t = medians[0]
        text = f"{line} fastcode {k * length / t / 1e9:6.2f} GB/s"
        if loop is not None:
            if not np.array_equal(isal_out, data):
                raise AssertionError("ISA-L C decode output is wrong")
            ratio = 1 / ratios[2]
            text += (f"  ISA-L from C {k * length / medians[2] / 1e9:6.2f} GB/s  {ratio:.2f}x  "
                     f"{_verdict(ratio, bar)}")
        else:
            text += f"  (ISA-L from C skipped: {ISALLoop.unavailable_reason()})"
        text += f"  [rebuild only {k * length / medians[1] / 1e9:.2f} GB/s: {1 / ratios[1]:.2f}x]"
        print(text)
    if not np.array_equal(out, data):
        raise AssertionError("fastcode decode output is wrong")


def batch_table(isal, repeats):
    """Batches of BATCH_STRIPES stripes: fastcode's one call (plan.batch) vs
    ISA-L's ec_encode_data once per stripe in a C loop (one ctypes call), and
    the per-call view: one 4 KiB stripe through fastcode's plan call and
    through ISA-L's ctypes call, in microseconds."""
    loop = ISALLoop.load(isal)
    if loop is None:
        why = ISALLoop.unavailable_reason() if isal is not None else ISAL.unavailable_reason()
        print(f"  ISA-L C loop not available ({why}): fastcode only")
    for k, rows in BATCH_SHAPES:
        matrix = bench.cauchy_parity_rows(k + rows, k)
        plan = fastcode.GF256.plan_matmul(matrix)
        for length in BATCH_SIZES:
            data = fastcode.GF256.random((BATCH_STRIPES, k, length), 11)
            out = np.empty((BATCH_STRIPES, rows, length), dtype=np.uint8)
            ours = lambda: plan.batch(data, out, n_threads=1)  # noqa: E731
            label = (f"RS({k},{rows}) {length >> 10:2d} KiB x {BATCH_STRIPES}")
            total = BATCH_STRIPES * k * length
            if loop is None:
                t = median_time(ours, repeats=repeats)
                print(f"  {label:26s} fastcode {total / t / 1e9:6.2f} GB/s")
                bench.check_sample(matrix, data[-1], out[-1])
                continue
            isal_out = np.empty_like(out)
            theirs = loop.prepare_encode_stripes(matrix, data, isal_out)
            t, t_isal, ratio = compare_times(ours, theirs, repeats=repeats)
            if not np.array_equal(out, isal_out):
                raise AssertionError(f"batched outputs differ from ISA-L for {label}")
            verdict = f"  {_verdict(ratio, BATCH_BAR)}" if length == 4 << 10 else ""
            print(f"  {label:26s} fastcode {total / t / 1e9:6.2f} GB/s  ISA-L C loop "
                  f"{total / t_isal / 1e9:6.2f} GB/s  {ratio:.2f}x{verdict}")
            if length == 4 << 10:
                single_call_split(k, rows, length, matrix, plan, isal,
                                  t / BATCH_STRIPES, t_isal / BATCH_STRIPES, repeats)


def single_call_split(k, rows, length, matrix, plan, isal, batched, isal_looped, repeats):
    """One stripe per call: fastcode's plan call and ISA-L's ctypes call, next to
    the per-stripe time of the batches (the kernel without the call costs)."""
    data = fastcode.GF256.random((k, length), 12)
    out = np.empty((rows, length), dtype=np.uint8)
    fns = [lambda: plan(data, out, n_threads=1)]
    if isal is not None:
        fns.append(isal.prepare_encode(isal.init_tables(k, rows, matrix), data,
                                       np.empty_like(out)))
    medians, _ = paired_times(fns, repeats=repeats)
    us = [m * 1e6 for m in medians]
    text = (f"    one stripe per call: fastcode {us[0]:.2f} us (batched {batched * 1e6:.2f} us/stripe)")
    if isal is not None:
        text += (f", ISA-L via ctypes {us[1]:.2f} us (C loop {isal_looped * 1e6:.2f} us/stripe): "
                 f"{us[1] / us[0]:.2f}x")
    print(text + "  [data in cache for the single calls, from memory for the batches]")


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
          f"{moved / 1e9:.2f} GB/s = {share:.2f} of the copy bandwidth ({bandwidth / 1e9:.2f} GB/s, "
          f"measured above)  {_verdict(share, bar)}")


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
    parser.add_argument("--only", default="",
                        help="comma-separated sections: bars, decode, batch, threads, levels, scalar")
    args = parser.parse_args(argv)
    sections = set(filter(None, args.only.split(","))) or {
        "bars", "decode", "batch", "threads", "levels", "scalar"}
    if args.no_threads:
        sections.discard("threads")

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

    if "bars" in sections or "decode" in sections or "threads" in sections:
        print("\nBars (1 thread unless said):")
    if "bars" in sections:
        for label, k, rows, length, bar in ENCODE_BARS:
            encode_bar(label, k, rows, length, bar, isal, args.repeats)
    if "decode" in sections:
        for bar in DECODE_BARS:
            decode_bar(*bar, isal, args.repeats)
    if "threads" in sections:
        k, rows, length, threads, bar = THREADS_BAR
        threads_bar(k, rows, length, threads, bar, bandwidth, max(3, args.repeats // 3))

    if "batch" in sections:
        print(f"\nBatched stripes, {BATCH_STRIPES} per call, 1 thread (bar at 4 KiB: "
              f">= {BATCH_BAR:.2f}x the ISA-L C loop):")
        batch_table(isal, args.repeats)

    if "levels" in sections:
        print("\nEvery SIMD level, RS(10,4) encode 1 MiB, 1 thread:")
        levels_table(10, 4, MIB, isal, args.repeats)

    if "scalar" in sections:
        scalar, ref = scalar_vs_reference()
        print(f"\nscalar kernels {scalar:.3f} GB/s, NumPy reference {ref:.3f} GB/s: "
              f"{scalar / ref:.1f}x (10,4) at 64 KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
