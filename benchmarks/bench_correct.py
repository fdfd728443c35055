"""Benchmark MDSCode.correct (error-and-erasure decoding) against encode, same run.

Usage:  python benchmarks/bench_correct.py [--size 1048576] [--repeats 9]

Bars (issue "Beyond erasures"): RS(10,4) at 1 MiB with 1 corrupted shard runs at
>= 0.5x the throughput of encode; RS(14,10) with 2 corrupted shards at >= 0.3x.
Every position of the corrupted shard is timed (data and parity).  Throughput
counts data bytes (k * L).  Ratios are medians of interleaved repetitions
(fastcode.bench.comparators.paired_times, CPU time), correct time / encode time
inverted: correct throughput as a fraction of encode's.  galois's RS decode is
printed at a small size for reference where galois is installed.  1 thread.
"""
import argparse

import numpy as np

import fastcode
from fastcode.platform import cpu_model
from fastcode import GF256, MDSCode
from fastcode.bench.comparators import paired_times
import time


def bench(n, k, wrong_count, size, repeats, rng):
    code = MDSCode(n, k)
    data = GF256.random((k, size), rng)
    cw = np.concatenate([data, code.encode(data)])
    parity = np.empty((n - k, size), np.uint8)
    out = np.empty((k, size), np.uint8)
    ratios = []
    for first in range(n - wrong_count + 1):
        wrong = list(range(first, first + wrong_count))
        bad = cw.copy()
        for s in wrong:
            bad[s] ^= GF256.random(size, rng) | 1
        res = code.correct(bad, out=out)
        assert res.corrupted == wrong and np.array_equal(res.data, data)
        (t_enc, t_cor), (_, ratio) = paired_times(
            [lambda: code.encode(data, out=parity), lambda: code.correct(bad, out=out)],
            repeats, clock=time.process_time)
        ratios.append((wrong, k * size / t_enc / 1e9, k * size / t_cor / 1e9, ratio))
    return ratios


def galois_reference(rng):
    try:
        import galois
    except ImportError:
        print("galois skipped: not installed (pip install galois)")
        return
    rs = galois.ReedSolomon(255, 223)
    msg = galois.GF(2**8).Random((16, 223), seed=1)
    cw = rs.encode(msg)
    cw[:, 5] += galois.GF(2**8)(7)
    t0 = time.perf_counter()
    rs.decode(cw)
    dt = time.perf_counter() - t0
    ours = MDSCode(255, 223)
    data = GF256.random((223, 16), rng)
    bad = np.concatenate([data, ours.encode(data)])
    bad[5] ^= 7
    t1 = time.perf_counter()
    ours.correct(bad)
    dt2 = time.perf_counter() - t1
    print(f"RS(255,223), 16 byte columns, 1 wrong symbol per column: galois decode "
          f"{dt * 1e3:.1f} ms, fastcode correct {dt2 * 1e3:.2f} ms ({dt / dt2:.0f}x)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1 << 20, help="block length in bytes")
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args(argv)
    info = fastcode.info()
    print(f"CPU: {cpu_model()}; fastcode {info['version']} simd={info['simd_level']} threads=1")
    rng = np.random.default_rng(0)
    # RS(k, m) as in ISA-L: k data and m parity shards
    for (n, k, w, bar) in [(14, 10, 1, 0.5), (24, 14, 2, 0.3)]:
        rows = bench(n, k, w, args.size, args.repeats, rng)
        worst = min(r[3] for r in rows)
        print(f"\nRS({k},{n - k}) = {k} data + {n - k} parity, {w} corrupted shard(s), "
              f"{args.size} B blocks: correct / encode throughput")
        for wrong, enc, cor, ratio in rows:
            print(f"  wrong {str(wrong):<10} encode {enc:6.2f} GB/s  correct {cor:6.2f} GB/s  "
                  f"{ratio:5.2f}x")
        print(f"  worst position {worst:.2f}x (bar >= {bar}x: {'met' if worst >= bar else 'MISSED'})")
    print()
    galois_reference(rng)


if __name__ == "__main__":
    main()
