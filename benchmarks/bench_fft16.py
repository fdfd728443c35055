"""Benchmark the GF(2^16) additive-FFT codec (fastcode.codes.FFTCode).

Usage:  python benchmarks/bench_fft16.py [--quick] [--repeats 7] [--level avx512_gfni]

Prints, side by side in the same run (each pair timed interleaved, median
ratios, see fastcode.bench.comparators.paired_times):
  1. fastcode against reed-solomon-leopard (the Python wrapper of the Rust
     crate reed-solomon-simd) at 32:32, 256:256, 1000:100 and 4096:4096 with
     1 KiB and 64 KiB shards: encode, and decode with 1% and 100% of m lost
     (data shards first); bars: encode >= 2x, decode >= 1.5x, one thread;
  2. fastcode's GB/s at 1000:100 with 1 KiB shards beside the crate's
     published Rust figure (5.6 GiB/s encode on one AVX2 core);
  3. 2 threads against 1 at 4096:4096 with 64 KiB shards (bar: >= 1.7x);
  4. the crossover against the GF(2^8) Cauchy codec (fastcode.MDSCode) at
     n <= 256, which is what justifies choosing the FFT codec above 256 shards.

Throughput counts data bytes, k * L per call, for encode and decode.  Decode
rebuilds only the lost data shards on both sides (the wrapper returns just
those).  The wrapper takes and returns Python bytes: its inputs are built
once, outside the timing; the copies it makes inside are part of its cost.
Wall-clock time (the machine may be shared: medians of interleaved runs).
"""
import argparse
import os
import time

import numpy as np

from fastcode import MDSCode
from fastcode.bench.comparators import paired_times
from fastcode.bench.fft16 import lost_set, measure
from fastcode.platform import cpu_model
from fastcode.codes import FFTCode
from fastcode.fields.gf65536 import set_simd_level, simd_level, simd_levels

CRATE_GIBPS_1000_100 = 5.6  # reed-solomon-simd README, 1000:100 encode, 1 KiB, one AVX2 core


def gbps(nbytes, seconds):
    return nbytes / seconds / 1e9


def versus_wrapper(rsl, k, m, length, repeats, rng):
    """Rows (workload, fastcode GB/s, wrapper GB/s, speed-up) for k:m at length."""
    return measure(k, m, length, repeats, rng, rsl)


def thread_scaling(k, m, length, repeats, rng):
    """[(workload, 1-thread GB/s, 2-thread GB/s, CPU seconds of 2 threads / of 1)]
    for encode and decode (100% of m lost).  The CPU-time ratio shows whether
    splitting costs extra work (it stays near 1 when it does not), which the
    wall-clock ratio cannot show on a machine whose other core is busy."""
    code = FFTCode(k + m, k)
    data = rng.integers(0, 256, (k, length), dtype=np.uint8)
    parity = np.empty((m, length), dtype=np.uint8)
    code.encode(data, out=parity)
    nbytes = k * length
    stripe = np.concatenate([data, parity])
    lost = lost_set(k, m, 1.0)
    keep = np.array([s for s in range(k + m) if s not in set(lost)])
    shards = np.ascontiguousarray(stripe[keep])
    out = np.empty((len(lost), length), dtype=np.uint8)
    rows = []
    for label, run in (("encode", lambda t: code.encode(data, out=parity, n_threads=t)),
                       ("decode 100% of m lost",
                        lambda t: code.reconstruct(shards, keep, which=lost, out=out, n_threads=t))):
        (w1, w2), _ = paired_times([lambda: run(1), lambda: run(2)], repeats=repeats)
        (c1, c2), _ = paired_times([lambda: run(1), lambda: run(2)], repeats=max(3, repeats // 2),
                                   clock=time.process_time)
        rows.append((label, gbps(nbytes, w1), gbps(nbytes, w2), c2 / c1))
    return rows


def crossover(pairs, length, repeats, rng):
    """Rows (n, k, workload, Cauchy GB/s, FFT GB/s, FFT speed / Cauchy speed)."""
    rows = []
    for n, k in pairs:
        m = n - k
        fft, cauchy = FFTCode(n, k), MDSCode(n, k)
        data = rng.integers(0, 256, (k, length), dtype=np.uint8)
        parity = np.empty((m, length), dtype=np.uint8)
        nbytes = k * length
        (t_c, t_f), (_, ratio) = paired_times([lambda: cauchy.encode(data, out=parity),
                                               lambda: fft.encode(data, out=parity)],
                                              repeats=repeats)
        rows.append((n, k, "encode", gbps(nbytes, t_c), gbps(nbytes, t_f), ratio))
        lost = list(range(min(m, k)))
        keep = np.array([s for s in range(n) if s not in set(lost)])
        stripe = np.concatenate([data, fft.encode(data)])
        stripe_c = np.concatenate([data, cauchy.encode(data)])
        shards, shards_c = stripe[keep], stripe_c[keep]
        out = np.empty((len(lost), length), dtype=np.uint8)
        dec = cauchy.decoder(keep, which=lost)
        (t_c, t_f), (_, ratio) = paired_times(
            [lambda: dec(shards_c, out=out),
             lambda: fft.reconstruct(shards, keep, which=lost, out=out)], repeats=repeats)
        rows.append((n, k, "decode m lost", gbps(nbytes, t_c), gbps(nbytes, t_f), ratio))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 64 KiB rows at 1000:100 only")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--level", default=None, help=f"force a SIMD level: one of {simd_levels()}")
    args = ap.parse_args(argv)
    if args.level:
        set_simd_level(args.level)
    repeats = args.repeats or (3 if args.quick else 7)
    rng = np.random.default_rng(2016)
    print(f"CPU: {cpu_model()}; fastcode GF(2^16) kernels: {simd_level()}; 1 thread "
          f"unless stated")
    try:
        import reed_solomon_leopard as rsl
    except ImportError:
        rsl = None
        print("reed-solomon-leopard skipped: not installed (pip install reed-solomon-leopard, "
              "or the bench extra)")
    shapes = [(32, 32), (256, 256), (1000, 100), (4096, 4096)]
    lengths = [1024, 65536]
    if args.quick:
        shapes = [(32, 32), (1000, 100)]
    if rsl is not None:
        print("\n1. fastcode vs reed-solomon-leopard (GB/s of data; bar: encode >= 2x, decode >= 1.5x)")
        print(f"{'k:m':>10} {'shard':>6}  {'workload':<22} {'fastcode':>9} {'wrapper':>9} "
              f"{'speed-up':>9}  bar")
        for k, m in shapes:
            for length in lengths:
                for label, fc, w, speed in versus_wrapper(rsl, k, m, length, repeats, rng):
                    bar = 2.0 if label == "encode" else 1.5
                    print(f"{f'{k}:{m}':>10} {length // 1024:>4}Ki  {label:<22} {fc:9.2f} {w:9.2f} "
                          f"{speed:8.2f}x  {'met' if speed >= bar else 'NOT MET'}")
    print("\n2. 1000:100, 1 KiB shards, encode, beside the crate's published Rust figure")
    code = FFTCode(1100, 1000)
    data = rng.integers(0, 256, (1000, 1024), dtype=np.uint8)
    parity = np.empty((100, 1024), dtype=np.uint8)
    (t,), _ = paired_times([lambda: code.encode(data, out=parity)], repeats=repeats)
    print(f"   fastcode {gbps(1000 * 1024, t):.2f} GB/s = {1000 * 1024 / t / 2**30:.2f} GiB/s; "
          f"reed-solomon-simd README: {CRATE_GIBPS_1000_100} GiB/s (Rust, one AVX2 core, "
          f"another machine)")
    print("\n3. threads at 4096:4096, 64 KiB shards (bar: 2 threads >= 1.7x one)")
    k, length = (1000, 65536) if args.quick else (4096, 65536)
    for label, a, b, cpu in thread_scaling(k, k, length, max(3, repeats // 2), rng):
        print(f"   {label:<22} 1 thread {a:6.2f} GB/s, 2 threads {b:6.2f} GB/s: {b / a:.2f}x "
              f"{'met' if b / a >= 1.7 else 'NOT MET'} (CPU time 2 threads / 1: {cpu:.2f})")
    print(f"   load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("\n4. crossover against the GF(2^8) Cauchy codec (MDSCode), 64 KiB shards")
    print(f"{'n':>5} {'k':>5}  {'workload':<14} {'cauchy':>8} {'fft':>8}  fft/cauchy")
    pairs = [(12, 8), (24, 16), (48, 32), (96, 64), (160, 128), (255, 223), (256, 128)]
    if args.quick:
        pairs = pairs[::3]
    for n, kk, label, c, f, ratio in crossover(pairs, 65536, repeats, rng):
        print(f"{n:>5} {kk:>5}  {label:<14} {c:8.2f} {f:8.2f}  {ratio:6.2f}x")


if __name__ == "__main__":
    main()
