"""GF(p) matrix product: fastcode.PrimeField.matmul against NumPy float64 GEMM,
python-flint (nmod_mat) and galois, on one thread.

    python benchmarks/bench_primefield.py [--n 1024] [--repeat 5] [--primes 65537 33554393 2147483647]

Reports GFLOP/s-equivalent = 2 n^3 / time (median of --repeat runs after a
warm-up) and ratios.  Every comparator's result is checked against fastcode's
after timing.  Conversion of inputs into a comparator's own types is excluded
from its time (flint/galois matrices are built once); fastcode's time includes
its input validation and float64 conversion.  Bars (issue 4): p = 65537 >= 0.9x
float64 GEMM; p = 33554393 and 2^31 - 1 >= 2x python-flint.
"""
import argparse
import os

# one thread for every BLAS (must be set before NumPy loads its BLAS)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "FLINT_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import fastcode  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # optional: the environment variables above already apply
    threadpool_limits = None


def median_time(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_flint(A, B, p, repeat):
    try:
        import flint
    except ImportError:
        return None, "python-flint not installed"
    m, k = A.shape
    n = B.shape[1]
    fa = flint.nmod_mat(m, k, [int(x) for x in A.ravel()], p)
    fb = flint.nmod_mat(k, n, [int(x) for x in B.ravel()], p)
    box = {}

    def run():
        box["c"] = fa * fb
    t = median_time(run, repeat)
    C = np.array([int(x) for x in box["c"].entries()], dtype=np.uint32).reshape(m, n)
    return (t, C), None


def bench_galois(A, B, p, repeat):
    try:
        import galois
    except ImportError:
        return None, "galois not installed"
    GF = galois.GF(p)
    ga, gb = GF(A.astype(np.int64)), GF(B.astype(np.int64))
    box = {}

    def run():
        box["c"] = ga @ gb
    # galois is very slow for large p: one timed run is enough there
    t = median_time(run, repeat if p < (1 << 20) else 1)
    return (t, np.asarray(box["c"]).astype(np.uint32)), None


def main(argv=None):
    if threadpool_limits is None:
        return _main(argv)
    with threadpool_limits(1):
        return _main(argv)


def _main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1024, help="matrix size n (n x n @ n x n)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs (median reported)")
    ap.add_argument("--primes", type=int, nargs="+", default=[65537, 33554393, 2**31 - 1])
    ap.add_argument("--no-galois", action="store_true", help="skip galois (slow for large p)")
    ap.add_argument("--no-flint", action="store_true", help="skip python-flint")
    args = ap.parse_args(argv)
    n = args.n
    flops = 2.0 * n ** 3
    rng = np.random.default_rng(0)

    X, Y = rng.random((n, n)), rng.random((n, n))
    t_gemm = median_time(lambda: X @ Y, args.repeat)
    gemm = flops / t_gemm / 1e9
    print(f"n = {n}, 1 thread, median of {args.repeat}; GFLOP/s-eq = 2 n^3 / time")
    print(f"NumPy float64 GEMM: {gemm:.1f} GFLOP/s ({t_gemm * 1e3:.1f} ms)")
    print()
    header = f"{'p':>11} {'plan':<34} {'fastcode':>9} {'/GEMM':>6} {'flint':>7} {'fc/flint':>8} {'galois':>7} {'fc/galois':>9}"
    print(header)
    print("-" * len(header))
    notes = []
    for p in args.primes:
        F = fastcode.PrimeField(p)
        A, B = F.random((n, n), rng), F.random((n, n), rng)
        out = np.empty((n, n), dtype=np.uint32)
        t_fc = median_time(lambda: F.matmul(A, B, out=out), args.repeat)
        fc = flops / t_fc / 1e9
        st = F.matmul_strategy(n, n, n)
        plan = "int" if st.method == "int" else f"float L={st.limbs} s={st.shift} kb={st.k_block}"
        cells = {}
        for name, fn, skip in (("flint", bench_flint, args.no_flint),
                               ("galois", bench_galois, args.no_galois)):
            if skip:
                cells[name] = None
                continue
            res, why = fn(A, B, p, args.repeat)
            if res is None:
                notes.append(f"{name}: {why}")
                cells[name] = None
                continue
            t, C = res
            if not np.array_equal(C, out):
                raise SystemExit(f"MISMATCH: fastcode and {name} disagree for p = {p}")
            cells[name] = flops / t / 1e9
        # self-check on a sample of entries with exact Python integers
        rows = rng.integers(0, n, 8)
        cols = rng.integers(0, n, 8)
        for i, j in zip(rows, cols):
            want = sum(int(a) * int(b) for a, b in zip(A[i], B[:, j])) % p
            if int(out[i, j]) != want:
                raise SystemExit(f"MISMATCH: fastcode wrong at ({i}, {j}) for p = {p}")

        def fmt(v):
            return f"{v:7.2f}" if v is not None else "    n/a"

        def ratio(v):
            return f"{fc / v:8.2f}x" if v else "     n/a"
        print(f"{p:>11} {plan:<34} {fc:9.2f} {fc / gemm:5.2f}x {fmt(cells['flint'])} "
              f"{ratio(cells['flint'])} {fmt(cells['galois'])} {ratio(cells['galois'])}")
    for note in notes:
        print(f"note: {note}")
    print("all results verified (comparators element-wise, fastcode on sampled entries)")


if __name__ == "__main__":
    main()
