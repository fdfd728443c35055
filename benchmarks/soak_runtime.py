"""Long soak of LocalCluster (processes): coded mat-vec rounds with random worker faults.

    python benchmarks/soak_runtime.py [--rounds 10000] [--n 6] [--k 4] [--every 500]

Every round multiplies a fixed (rows x cols) float64 matrix, coded with
CodedMatVec (any k of n workers decode), by a fresh vector; the output is
checked against A @ x.  Each round, each worker independently:

- raises (probability --p-raise): the round decodes from the others;
- stalls (--p-stall): sleeps --stall seconds inside its worker function, so it
  answers late (its result is discarded by round id) and owes rounds meanwhile;
- is killed with SIGKILL from inside its worker function (--p-kill).  The
  runtime marks it dead and does not respawn it, so the cluster is closed and a
  new one started once fewer than k + 1 workers are alive (each restart counts).

At every --every rounds it prints the master's RSS, the workers' RSS (sum and
max), open file descriptors of the master and of the workers, the number of
/dev/shm entries, and the running counts (wrong, failed, faults, restarts).
Goal: 0 wrong results, and memory, descriptors and /dev/shm flat after the
warm-up (the closing lines give the drift from the first checkpoint after
warm-up to the last).  Failed rounds (more simultaneous faults than n - k) are
expected now and then and are reported, not hidden.
"""
import argparse
import collections
import os
import signal
import sys
import time

import numpy as np

from fastcode.schemes.matvec import block_product

FAULT_RAISE, FAULT_STALL, FAULT_KILL = "raise", "stall", "kill"


def faulty_product(task, round_input):
    """Worker function: the scheme's block product, after this worker's fault if any.

    ``round_input = (x, faults)`` with faults = {worker: (kind, seconds)}."""
    (worker, inner), (x, faults) = task, round_input
    kind, seconds = faults.get(worker, (None, 0.0))
    if kind == FAULT_RAISE:
        raise RuntimeError(f"injected failure on worker {worker}")
    if kind == FAULT_KILL:
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == FAULT_STALL:
        time.sleep(seconds)
    return block_product(inner, x)


class FaultyScheme:
    """A CodedMatVec whose workers run ``faulty_product`` (decoding unchanged)."""

    worker_fn = staticmethod(faulty_product)

    def __init__(self, scheme):
        self.scheme = scheme
        self.n_workers = scheme.n_workers

    def setup_tasks(self, job):
        return [(i, task) for i, task in enumerate(self.scheme.setup_tasks(job))]

    def worker_load(self, i):
        return self.scheme.worker_load(i)

    def can_decode(self, responders):
        return self.scheme.can_decode(responders)

    def decode(self, results, round_input):
        return self.scheme.decode(results)


def _rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def _shm_entries():
    try:
        return len(os.listdir("/dev/shm"))
    except OSError:
        return -1


def _checkpoint(round_no, cluster, counts, t0):
    dead = cluster.dead_workers
    pids = [p for i, p in enumerate(cluster.pids()) if i not in dead]
    worker_rss = [_rss_mb(p) for p in pids]
    return {"round": round_no, "seconds": time.perf_counter() - t0,
            "master_rss_mb": _rss_mb(os.getpid()),
            "workers_rss_mb_sum": float(np.nansum(worker_rss)),
            "workers_rss_mb_max": float(np.nanmax(worker_rss)) if worker_rss else float("nan"),
            "alive": len(pids), "master_fds": _fds(os.getpid()),
            "workers_fds_max": max((_fds(p) for p in pids), default=-1),
            "shm": _shm_entries(), **counts}


COLUMNS = ("round", "seconds", "master_rss_mb", "workers_rss_mb_sum", "workers_rss_mb_max", "alive",
           "master_fds", "workers_fds_max", "shm", "wrong", "failed", "raise", "stall", "kill",
           "restarts")


def _print_row(row):
    cells = []
    for c in COLUMNS:
        v = row[c]
        cells.append(f"{v:9.1f}" if isinstance(v, float) else f"{v:9d}")
    print(" ".join(cells), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10000)
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--rows", type=int, default=512)
    ap.add_argument("--cols", type=int, default=256)
    ap.add_argument("--p-raise", type=float, default=0.01)
    ap.add_argument("--p-stall", type=float, default=0.01)
    ap.add_argument("--p-kill", type=float, default=0.001)
    ap.add_argument("--stall", type=float, default=0.05, help="seconds a stalled worker sleeps")
    ap.add_argument("--every", type=int, default=500, help="rounds between checkpoints")
    ap.add_argument("--warmup", type=float, default=0.1, help="fraction of rounds before the "
                    "baseline checkpoint of the drift figures")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from fastcode.errors import RoundTimeoutError, WorkerFailedError
    from fastcode.runtime import LocalCluster
    from fastcode.schemes.matvec import CodedMatVec

    rng = np.random.default_rng(args.seed)
    A = rng.standard_normal((args.rows, args.cols))
    scheme = FaultyScheme(CodedMatVec(A, n=args.n, k=args.k))
    counts = {"wrong": 0, "failed": 0, FAULT_RAISE: 0, FAULT_STALL: 0, FAULT_KILL: 0, "restarts": 0}
    print(f"soak: {args.rounds} rounds, CodedMatVec n={args.n} k={args.k} on a {args.rows} x "
          f"{args.cols} float64 matrix, LocalCluster (processes); per worker and round "
          f"P(raise)={args.p_raise} P(stall {args.stall} s)={args.p_stall} "
          f"P(kill -9)={args.p_kill}", flush=True)
    print(" ".join(f"{c[:9]:>9}" for c in COLUMNS), flush=True)
    rows = []
    reasons = collections.Counter()      # why rounds failed
    t0 = time.perf_counter()
    cluster = None
    try:
        for r in range(args.rounds):
            if cluster is None or args.n - len(cluster.dead_workers) <= args.k:
                if cluster is not None:
                    cluster.close()
                    counts["restarts"] += 1
                cluster = LocalCluster(args.n, timeout=10.0)
                cluster.setup(scheme, A)
            draws = rng.random((args.n, 3)) < [args.p_raise, args.p_stall, args.p_kill]
            faults = {}
            for i in range(args.n):
                for kind, hit in zip((FAULT_RAISE, FAULT_STALL, FAULT_KILL), draws[i]):
                    if hit:
                        faults[i] = (kind, args.stall)
                        counts[kind] += 1
                        break
            x = rng.standard_normal(args.cols)
            try:
                out = cluster.run_round((x, faults)).output
            except (WorkerFailedError, RoundTimeoutError) as exc:
                counts["failed"] += 1
                why = sorted(" ".join(str(v).split()[:2]) for v in exc.failures.values())
                reasons[f"{type(exc).__name__}: {', '.join(why)}"] += 1
            else:
                if not np.allclose(out, A @ x, rtol=1e-8, atol=1e-8):
                    counts["wrong"] += 1
            if (r + 1) % args.every == 0 or r + 1 == args.rounds:
                row = _checkpoint(r + 1, cluster, counts, t0)
                rows.append(row)
                _print_row(row)
    finally:
        if cluster is not None:
            cluster.close()
    base = next((row for row in rows if row["round"] >= args.warmup * args.rounds), rows[0])
    last = rows[-1]
    print(f"\ndrift from round {base['round']} to {last['round']}: "
          f"master RSS {last['master_rss_mb'] - base['master_rss_mb']:+.1f} MB, "
          f"workers RSS (max) {last['workers_rss_mb_max'] - base['workers_rss_mb_max']:+.1f} MB, "
          f"master fds {last['master_fds'] - base['master_fds']:+d}, "
          f"/dev/shm entries {last['shm'] - base['shm']:+d}")
    print(f"result: {last['wrong']} wrong, {last['failed']} failed of {args.rounds} rounds; "
          f"faults: {last['raise']} raise, {last['stall']} stall, {last['kill']} kill -9; "
          f"{last['restarts']} cluster restarts; {time.perf_counter() - t0:.0f} s")
    for why, count in reasons.most_common(8):
        print(f"  failed {count:6d} x  {why}")
    return 1 if last["wrong"] else 0


if __name__ == "__main__":
    # Workers import faulty_product by this module's name (the script's directory is
    # sys.path[0], here and in the forkserver), not as __main__.
    import soak_runtime
    sys.exit(soak_runtime.main())
