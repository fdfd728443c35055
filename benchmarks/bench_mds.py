"""Benchmark fastcode's MDS codes: encode, decode and decode setup.

Usage:  python benchmarks/bench_mds.py [--codes 10,4 50,10] [--size 1048576]
                                       [--setup-k 50 --setup-lost 10] [--quick]

Byte convention (docs/performance.rst): throughput counts data bytes processed,
k * L per call for encode and for decode.  Decode-matrix setup is excluded
from decode throughput and timed separately (cold: no cache; cached: a repeated
erasure pattern).  Decode loses `m` shards, data shards first (RS(10,4): data
0..3), and decodes from the remaining k shards: "decode" returns all k data
rows (present ones copied), "rebuild lost" computes only the lost rows, which
is what ISA-L's decode does (its one figure is shown against both).  1 thread
unless --threads.

Comparators (ISA-L via ctypes, zfec) come from fastcode.bench.comparators and
are skipped with a message when the libraries are not installed.  Outputs are checked after timing.
"""
import argparse
import time

import numpy as np

import fastcode
from fastcode import GF256, MDSCode

from fastcode.bench import comparators
from fastcode.bench.comparators import paired_times


def load_comparators():
    """(isal or None, zfec or None, list of skip messages)."""
    notes = []
    isal = comparators.ISAL.load()
    if isal is None:
        notes.append("ISA-L skipped: " + comparators.ISAL.unavailable_reason())
    zfec = comparators.Zfec.load()
    if zfec is None:
        notes.append("zfec skipped: " + comparators.Zfec.unavailable_reason())
    return isal, zfec, notes


def gbps(nbytes, seconds):
    return nbytes / seconds / 1e9


def bench_code(k, m, length, isal, zfec, repeats):
    """Rows of (workload, tool, GB/s, fastcode speed / tool speed or None) for
    RS(k, m) at block length `length`.  For each workload the tools are timed
    interleaved, in CPU time (see paired_times), so the ratios survive a noisy
    shared machine."""
    n = k + m
    rng = np.random.default_rng(k * 1000 + m)
    code = MDSCode(n, k)
    data = GF256.random((k, length), rng)
    parity = np.empty((m, length), dtype=np.uint8)
    nbytes = k * length
    expect = code.encode(data)
    cw = np.concatenate([data, expect])
    lost = list(range(min(m, k))) + list(range(k, k + max(0, m - k)))
    present = np.array([i for i in range(n) if i not in lost])
    shards = np.ascontiguousarray(cw[present])

    dec = code.decoder(present)
    out = np.empty((k, length), dtype=np.uint8)
    rec = code.decoder(present, which=lost)          # the lost rows only, like ISA-L
    rebuilt_fc = np.empty((len(lost), length), dtype=np.uint8)
    workloads = {   # name -> [(tool, fn, check)]
        f"encode RS({k},{m})": [("fastcode", lambda: code.encode(data, out=parity),
                                 lambda: np.array_equal(parity, expect))],
        f"decode RS({k},{m}) lose {len(lost)}": [("fastcode", lambda: dec(shards, out=out),
                                                  lambda: np.array_equal(out, data))],
        f"rebuild lost RS({k},{m}) lose {len(lost)}": [
            ("fastcode", lambda: rec(shards, out=rebuilt_fc),
             lambda: np.array_equal(rebuilt_fc, cw[lost]))],
    }
    names = list(workloads)
    if isal is not None:
        a = isal.cauchy_matrix(n, k)
        isal_par = np.empty((m, length), dtype=np.uint8)
        run_enc = isal.prepare_encode(isal.init_tables(k, m, a[k:]), data, isal_par)
        workloads[names[0]].append(("ISA-L", run_enc, lambda: np.array_equal(isal_par, expect)))
        _, dtab = isal.decode_setup(a, present)
        rebuilt = np.empty((len(lost), length), dtype=np.uint8)
        run_dec = isal.prepare_encode(dtab, shards, rebuilt)
        check = lambda: np.array_equal(rebuilt, cw[lost])      # noqa: E731
        workloads[names[1]].append(("ISA-L", run_dec, check))
        workloads[names[2]].append(("ISA-L", run_dec, check))
    if zfec is not None:
        zc = zfec.encoder(k, n)
        zcw = list(data) + zc.encode(data)
        blocks = [zcw[i] for i in present[:k]]
        nums = present[:k].tolist()
        workloads[names[0]].append(("zfec", lambda: zc.encode(data), lambda: True))
        workloads[names[1]].append(
            ("zfec", lambda: zc.decode(blocks, nums),
             lambda: all(np.array_equal(b, d) for b, d in zip(zc.decode(blocks, nums), data))))
    rows = []
    for name in names:
        tools = workloads[name]
        medians, ratios = paired_times([fn for _, fn, _ in tools], repeats, clock=time.process_time)
        for (tool, _, check), t, r in zip(tools, medians, ratios):
            if not check():
                raise AssertionError(f"{tool} output is wrong for {name}")
            rows.append((name, tool, gbps(nbytes, t), None if tool == "fastcode" else 1 / r))
    return rows


def bench_setup(k, lost_count, isal, repeats):
    """Rows of (workload, tool, microseconds, ISA-L time / tool time or None) for
    decode setup: k data shards, `lost_count` lost data shards, n = k + lost_count."""
    n = k + lost_count
    rng = np.random.default_rng(7)
    lost = np.sort(rng.choice(k, lost_count, replace=False))
    present = np.setdiff1d(np.arange(n), lost)
    names, fns = [], []
    if isal is not None:
        a = isal.cauchy_matrix(n, k)
        sub = np.ascontiguousarray(a[present[:k]])

        def isal_setup():
            inv = isal.invert_matrix(sub)
            isal.init_tables(k, lost_count, np.ascontiguousarray(inv[lost]))
        names.append((f"setup k={k} lose {lost_count} data", "ISA-L invert+init_tables"))
        fns.append(isal_setup)
    for kind, setup in (("cauchy", "gauss_jordan"), ("cauchy", "closed_form"),
                        ("vandermonde", "gauss_jordan")):
        label = f"fastcode {kind}" + (" closed" if setup == "closed_form" else "")
        cold = MDSCode(n, k, kind=kind, cache_size=0, setup=setup)
        names.append((f"setup k={k} lose {lost_count} data, cold", label))
        fns.append(lambda cold=cold: cold.decoder(present))
        if setup == "closed_form":
            continue           # cached lookups do not depend on the setup method
        warm = MDSCode(n, k, kind=kind)
        warm.decoder(present)
        names.append((f"setup k={k} lose {lost_count} data, cached", label))
        fns.append(lambda warm=warm: warm.decoder(present))
    # check: the prepared matrix times the chosen generator rows gives the lost rows
    for kind in ("cauchy", "vandermonde"):
        code = MDSCode(n, k, kind=kind)
        dec = code.decoder(present)
        if not np.array_equal(GF256.matmul(dec.matrix, code.G[dec.chosen]), code.G[dec.lost]):
            raise AssertionError("fastcode decode matrix is wrong")
    medians, ratios = paired_times(fns, repeats, clock=time.process_time)
    return [(w, tool, t * 1e6, r if isal is not None else None)
            for (w, tool), t, r in zip(names, medians, ratios)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--codes", nargs="*", default=["10,4", "20,4", "50,10"],
                   help="k,m pairs (k data, m parity shards)")
    p.add_argument("--size", type=int, default=1 << 20, help="block length in bytes")
    p.add_argument("--setup-k", type=int, default=50)
    p.add_argument("--setup-lost", type=int, default=10)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="64 KiB blocks, 3 repeats")
    p.add_argument("--setup-only", action="store_true", help="only the decode-setup table")
    args = p.parse_args(argv)
    if args.quick:
        args.size, args.repeats = 1 << 16, 3
    fastcode.set_num_threads(args.threads)
    isal, zfec, notes = load_comparators()
    info = fastcode.info()
    print(f"fastcode {info['version']} simd={info['simd_level']} threads={args.threads} "
          f"block={args.size} B; throughput = k*L data bytes / s")
    for note in notes:
        print("note:", note)

    print(f"\n{'workload (CPU time, interleaved)':36s} {'tool':10s} {'GB/s':>8s} {'fastcode/tool':>14s}")
    for spec in [] if args.setup_only else args.codes:
        k, m = (int(v) for v in spec.split(","))
        for w, tool, v, ratio in bench_code(k, m, args.size, isal, zfec, args.repeats):
            ratio = f"{ratio:13.2f}x" if ratio is not None else ""
            print(f"{w:36s} {tool:10s} {v:8.2f} {ratio:>14s}")

    rows = bench_setup(args.setup_k, args.setup_lost, isal, args.repeats)
    print(f"\n{'decode setup (CPU time, interleaved)':40s} {'tool':26s} {'us':>9s} {'ISA-L/tool':>11s}")
    for w, tool, v, ratio in rows:
        ratio = f"{ratio:10.1f}x" if ratio is not None else ""
        print(f"{w:40s} {tool:26s} {v:9.2f} {ratio:>11s}")


if __name__ == "__main__":
    main()
