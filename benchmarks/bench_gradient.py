"""Gradient-code recovery speed: decode weights (cached / fresh / numpy lstsq) and the
combine sum_i w_i y_i against the machine's memory read bandwidth, in one run.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gradient.py            # n=100, s=10, d=1e7
    python benchmarks/bench_gradient.py --d 1000000 --reps 5               # smaller

Code: CyclicRepetition(n, s) over Reals (best of --draws random H).
Weights: per call, for |F| = n - s responders given as a Python list.
  cached  -- decode_weights on a set already in the LRU cache;
  fresh   -- cache cleared before every call (sparse Householder QR of B_F^T);
  lstsq   -- numpy.linalg.lstsq(B[F].T, 1) per round (what the authors' scripts do).
Combine: Y (n - s, d) float64 C-contiguous, out= preallocated.
  fastcode  -- code.decode(Y, F, out=out) with cached weights (Cython kernel);
  blas dgemv -- numpy.dot(w, Y, out=out) with OpenBLAS (1 thread);
  read bw    -- memory READ bandwidth measured on the same buffer Y: the larger of
                numpy.add.reduce(Y.ravel()) and a C streaming sum (8 accumulators).
Bytes counted: |F| * d * 8 (the responders' vectors read once; the d * 8 output
write is not counted, which favours the baseline).  Every measurement is repeated
--reps times, interleaved (read bw, fastcode, blas in turn), and the medians are
reported, with the per-repetition ratio fastcode / read bw (median).
Results are verified after timing.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before numpy loads OpenBLAS

import argparse    # noqa: E402
import time        # noqa: E402

import numpy as np  # noqa: E402

from fastcode.codes import CyclicRepetition  # noqa: E402
from fastcode.codes import _recovery         # noqa: E402


def _mem_available():
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _per_call(fn, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls


def bench_weights(code, reps, calls, rng):
    n, k = code.n, code.recovery_threshold
    sets = [sorted(rng.permutation(n)[:k].tolist()) for _ in range(calls)]
    ones = np.ones(code.N)
    B = code.B
    warm = sets[0]
    code.decode_weights(warm)
    res = {"cached": [], "fresh": [], "lstsq": []}
    for _ in range(reps):
        it = iter(sets)

        def fresh():
            code._cache.clear()
            code.decode_weights(next(it))
        res["fresh"].append(_per_call(fresh, calls))
        it2 = iter(sets)
        res["lstsq"].append(_per_call(lambda: np.linalg.lstsq(B[next(it2)].T, ones, rcond=None),
                                      calls))
        res["cached"].append(_per_call(lambda: code.decode_weights(warm), calls * 10))
    # verification: fresh weights agree with lstsq and decode exactly
    worst_res, worst_diff = 0.0, 0.0
    for F in sets[:50]:
        code._cache.clear()
        w = code.decode_weights(F)
        a = np.linalg.lstsq(B[F].T, ones, rcond=None)[0]
        worst_res = max(worst_res, float(np.abs(w @ B[F] - 1).max()))
        worst_diff = max(worst_diff, float(np.abs(w - a).max() / np.abs(a).max()))
    return {k_: float(np.median(v)) for k_, v in res.items()}, worst_res, worst_diff


def bench_combine(code, d, reps, rng):
    n, k = code.n, code.recovery_threshold
    F = sorted(rng.permutation(n)[:k].tolist())
    Y = np.empty((k, d))
    base = rng.standard_normal(d)
    for i in range(k):                      # touch every page; rows differ
        np.multiply(base, 1.0 + 0.01 * i, out=Y[i])
    w = code.decode_weights(F)
    out = np.empty(d)
    out_blas = np.empty(d)
    flat = Y.reshape(-1)
    nbytes = Y.nbytes
    t = {"read_reduce": [], "read_probe": [], "fastcode": [], "blas": []}
    ratio, ratio_all = [], []
    code.decode(Y, F, out=out)              # warm-up
    for _ in range(reps):
        t0 = time.perf_counter(); np.add.reduce(flat); t["read_reduce"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); code.decode(Y, F, out=out); t["fastcode"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); _recovery.read_probe(flat); t["read_probe"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); np.dot(w, Y, out=out_blas); t["blas"].append(time.perf_counter() - t0)
        read_bw = nbytes / min(t["read_reduce"][-1], t["read_probe"][-1])
        ratio.append((nbytes / t["fastcode"][-1]) / read_bw)
        best = nbytes / min(t["read_reduce"][-1], t["read_probe"][-1], t["blas"][-1])
        ratio_all.append((nbytes / t["fastcode"][-1]) / best)
    ok = np.allclose(out, out_blas, rtol=1e-12, atol=1e-9 * np.abs(out_blas).max())
    bw = {key: nbytes / float(np.median(v)) / 1e9 for key, v in t.items()}
    return bw, float(np.median(ratio)), float(np.median(ratio_all)), ok, nbytes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--s", type=int, default=10)
    ap.add_argument("--d", type=int, default=10_000_000, help="gradient length (default 1e7)")
    ap.add_argument("--reps", type=int, default=7, help="interleaved repetitions (medians)")
    ap.add_argument("--calls", type=int, default=200, help="weight calls per repetition")
    ap.add_argument("--draws", type=int, default=8, help="random H draws for CRC")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-combine", action="store_true")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}  numpy {np.__version__}")
    t0 = time.perf_counter()
    code = CyclicRepetition(args.n, args.s, rng=rng, draws=args.draws)
    print(f"CyclicRepetition(n={args.n}, s={args.s}) over Reals built in {time.perf_counter() - t0:.2f} s; "
          f"worst kappa over {code.condition_report.n_sets} sampled sets: "
          f"{code.condition_report.worst:.3g}")

    wt, worst_res, worst_diff = bench_weights(code, args.reps, args.calls, rng)
    print("\ndecode weights (|F| = n - s, Python list), median per call:")
    print(f"  cached (LRU hit)          {wt['cached'] * 1e6:9.2f} us   (bar < 5 us)")
    print(f"  fresh (sparse QR)         {wt['fresh'] * 1e6:9.2f} us   (bar < 200 us)")
    print(f"  numpy.linalg.lstsq        {wt['lstsq'] * 1e6:9.2f} us   "
          f"({wt['lstsq'] / wt['fresh']:.1f}x fresh, {wt['lstsq'] / wt['cached']:.0f}x cached)")
    print(f"  verified: max |w^T B_F - 1| = {worst_res:.2e}, max rel. diff to lstsq = {worst_diff:.2e}")

    if args.skip_combine:
        return 0
    k = code.recovery_threshold
    d = args.d
    need = k * d * 8 * 1.1 + 3 * d * 8
    avail = _mem_available()
    if avail is not None and need > avail - 2e9:
        d_new = int(max(1e5, (avail - 2e9) / (k * 8 * 1.1 + 24)))
        print(f"\nnote: {need / 1e9:.1f} GB needed for d={d} but {avail / 1e9:.1f} GB available; "
              f"using d={d_new}")
        d = d_new
    bw, ratio, ratio_all, ok, nbytes = bench_combine(code, d, args.reps, rng)
    print(f"\ncombine sum_i w_i y_i, |F| = {k}, d = {d} float64 ({nbytes / 1e9:.2f} GB read), "
          f"median of {args.reps} interleaved reps:")
    print(f"  read bandwidth, np.add.reduce     {bw['read_reduce']:7.2f} GB/s")
    print(f"  read bandwidth, C streaming sum   {bw['read_probe']:7.2f} GB/s")
    print(f"  fastcode decode(out=)            {bw['fastcode']:7.2f} GB/s")
    print(f"  numpy.dot(w, Y) (OpenBLAS dgemv)  {bw['blas']:7.2f} GB/s")
    print(f"  fastcode / read bandwidth (median of per-rep ratios, read bw = faster probe): "
          f"{ratio * 100:.0f} %   (bar >= 70 %)")
    print(f"  fastcode / fastest reader of Y incl. dgemv (median of per-rep ratios):          "
          f"{ratio_all * 100:.0f} %")
    print(f"  combine kernel: {_recovery.KERNEL}")
    print(f"  verified against numpy.dot: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
