"""Per-round overhead of the runtimes for a tiny task (n = 4 workers, 4 x 4 mat-vec).

    python benchmarks/bench_runtime.py [--rounds 2000] [--json] [--no-mpi]

Measures, with no injected delay (so the round time *is* the overhead):

- local runtime, process and thread backends (LocalCluster);
- MPI runtime (MPICluster) under ``mpiexec -n 5 python -m mpi4py`` (this script
  relaunches itself), next to a raw mpi4py ping (send 4 tiny messages, receive
  4 replies) with blocking calls and with the runtime's polling, the floor.
  Bar: MPI round < 1 ms.

Each decoded output is checked against A @ x after timing.  Figures are per
round: median, mean and 95th percentile of the master's wall time.

Then, with injected shifted-exponential delays (8 workers, uncoded vs
2-replication), the measured mean round time next to the one the delays alone
imply (RoundResult.ideal_time), locally and on MPI.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

N_WORKERS = 4


def _stats(times):
    t = np.asarray(times) * 1e3
    return {"median_ms": float(np.median(t)), "mean_ms": float(t.mean()),
            "p95_ms": float(np.percentile(t, 95)), "rounds": int(t.size)}


def _time_cluster(cluster, rounds, warmup=50):
    from fastcode.schemes.matvec import UncodedMatVec
    rng = np.random.default_rng(0)
    A = rng.standard_normal((N_WORKERS, 4))
    x = rng.standard_normal(4)
    cluster.setup(UncodedMatVec(A, N_WORKERS), A)
    for _ in range(warmup):
        cluster.run_round(x)
    times, last = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        last = cluster.run_round(x)
        times.append(time.perf_counter() - t0)
    assert np.allclose(last.output, A @ x), "wrong decoded output"
    return _stats(times)


def bench_local(rounds):
    from fastcode.runtime import LocalCluster
    out = {}
    for backend in ("process", "thread"):
        with LocalCluster(N_WORKERS, backend=backend) as cluster:
            out[f"local-{backend}"] = _time_cluster(cluster, rounds)
    return out


def bench_model(rounds, n_workers=8, time_scale=0.2, size=2048):
    """Measured mean round time vs the time the injected delays alone imply.

    Shifted-exponential delays (shift 1, rate 2, model units x time_scale s)
    on a size x size mat-vec; ``ideal`` is the order statistic the simulator
    computes for the same draws (RoundResult.ideal_time), so the ratio is the
    runtime's own cost.  Uncoded vs 2-replication, process backend."""
    from fastcode.runtime import LocalCluster
    from fastcode.sim import ShiftedExponential
    from fastcode.runtime.jobs import run_job
    from fastcode.schemes.jobs import replicated_matvec_job, uncoded_matvec_job
    out = {}
    for make in (uncoded_matvec_job, replicated_matvec_job):
        job = make(n_workers, 0, rows=size, cols=size)
        with LocalCluster(n_workers, ShiftedExponential(2.0, shift=1.0), time_scale=time_scale,
                          rng=1) as cluster:
            report = run_job(cluster, job, rounds, rng=2)
        assert report.wrong_rounds == 0
        measured, ideal = np.mean(report.wall_times), np.mean(report.ideal_times)
        out[job.name] = {"measured_ms": 1e3 * measured, "ideal_ms": 1e3 * ideal,
                         "ratio": measured / ideal, "rounds": rounds}
    names = list(out)
    out["speedup"] = {"measured": out[names[0]]["measured_ms"] / out[names[1]]["measured_ms"],
                      "ideal": out[names[0]]["ideal_ms"] / out[names[1]]["ideal_ms"]}
    return out


def _raw_ping(comm, rounds, polled, poll_interval, warmup=50):
    """Floor: the master sends a tiny message to each worker and receives n replies.

    ``polled``: Iprobe + short sleep on both sides, as the runtime does;
    otherwise blocking calls (which spin inside MPICH and starve oversubscribed
    ranks: the reason the runtime polls)."""
    from mpi4py import MPI
    n = comm.Get_size() - 1

    def recv(source, tag):
        if polled:
            while not comm.Iprobe(source=source, tag=tag):
                time.sleep(poll_interval)
        return comm.recv(source=source, tag=tag)

    if comm.Get_rank() != 0:
        while True:
            msg = recv(0, MPI.ANY_TAG)
            if msg is None:
                return None
            comm.send(msg, dest=0, tag=1)
    x = np.zeros(4)
    times = []
    for i in range(warmup + rounds):
        t0 = time.perf_counter()
        for w in range(1, n + 1):
            comm.send(x, dest=w, tag=1)
        for _ in range(n):
            recv(MPI.ANY_SOURCE, 1)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    for w in range(1, n + 1):
        comm.send(None, dest=w, tag=0)
    return _stats(times)


def mpi_child(rounds, poll_interval):
    """Runs on every rank under mpiexec; rank 0 prints one JSON line."""
    from mpi4py import MPI

    from fastcode.runtime import mpi
    comm = MPI.COMM_WORLD
    raw_blocking = _raw_ping(comm, min(rounds, 200), False, poll_interval)
    raw_polled = _raw_ping(comm, rounds, True, poll_interval)
    if comm.Get_rank() != 0:
        mpi.serve(poll_interval=poll_interval)
        return
    with mpi.MPICluster(poll_interval=poll_interval) as cluster:
        fc = _time_cluster(cluster, rounds)
    print(json.dumps({"mpi-raw-blocking": raw_blocking, "mpi-raw-polled": raw_polled,
                      "mpi-fastcode": fc}))


def bench_mpi(rounds, poll_interval):
    mpiexec = Path(sys.executable).parent / "mpiexec"
    mpiexec = str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return {"mpi": "skipped: mpi4py not installed (pip install 'fastcode[mpi]')"}
    if not mpiexec:
        return {"mpi": "skipped: mpiexec not found"}
    cmd = [mpiexec, "-n", str(N_WORKERS + 1), sys.executable, "-m", "mpi4py",
           os.path.abspath(__file__), "--mpi-child", "--rounds", str(rounds),
           "--poll", str(poll_interval)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"MPI benchmark failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_mpi_model(rounds, n_workers=8, time_scale=0.2, size=2048):
    """The straggler-model comparison of bench_model, on MPI through `fastcode run`."""
    mpiexec = Path(sys.executable).parent / "mpiexec"
    mpiexec = str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec")
    out = {}
    for scheme in ("uncoded", "replication"):
        cmd = [mpiexec, "-n", str(n_workers + 1), sys.executable, "-m", "mpi4py", "-m", "fastcode",
               "run", scheme, "--rounds", str(rounds), "--rows", str(size), "--cols", str(size),
               "--straggler", "shifted-exp:1,2", "--time-scale", str(time_scale), "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode:
            raise RuntimeError(f"MPI job failed:\n{proc.stdout}\n{proc.stderr}")
        s = json.loads(proc.stdout.strip().splitlines()[-1])
        out[s["scheme"]] = {"measured_ms": 1e3 * s["mean_s"], "ideal_ms": 1e3 * s["mean_ideal_s"],
                            "ratio": s["mean_s"] / s["mean_ideal_s"], "rounds": rounds}
    names = list(out)
    out["speedup"] = {"measured": out[names[0]]["measured_ms"] / out[names[1]]["measured_ms"],
                      "ideal": out[names[0]]["ideal_ms"] / out[names[1]]["ideal_ms"]}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-mpi", action="store_true")
    parser.add_argument("--no-local", action="store_true")
    parser.add_argument("--model-rounds", type=int, default=40,
                        help="rounds of the straggler-model comparison (0 skips it)")
    parser.add_argument("--poll", type=float, default=None,
                        help="MPI poll interval, s (default fastcode.runtime.mpi.POLL_INTERVAL)")
    parser.add_argument("--mpi-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.poll is None:
        from fastcode.runtime.mpi import POLL_INTERVAL
        args.poll = POLL_INTERVAL
    if args.mpi_child:
        mpi_child(args.rounds, args.poll)
        return 0
    results = {} if args.no_local else bench_local(args.rounds)
    if not args.no_mpi:
        results.update(bench_mpi(args.rounds, args.poll))
    models = {}
    if args.model_rounds:
        models["8 local processes"] = bench_model(args.model_rounds)
        if not args.no_mpi and "mpi-fastcode" in results:
            models["MPI, 8 worker ranks"] = bench_mpi_model(args.model_rounds)
    if args.json:
        print(json.dumps({"overhead": results, "model": models}, indent=2))
        return 0
    print(f"per-round time, tiny task (4 x 4 mat-vec), n = {N_WORKERS} workers, "
          f"{os.cpu_count()} cores, {args.rounds} rounds")
    print(f"{'runtime':16s} {'median':>9s} {'mean':>9s} {'p95':>9s}")
    for name, s in results.items():
        if isinstance(s, str):
            print(f"{name:16s} {s}")
        else:
            print(f"{name:16s} {s['median_ms']:7.3f}ms {s['mean_ms']:7.3f}ms {s['p95_ms']:7.3f}ms")
    for where, model in models.items():
        print(f"\nmean round time, shifted-exponential delays (shift 1, rate 2, x 0.2 s), {where}, "
              f"{args.model_rounds} rounds of a 2048 x 2048 mat-vec: measured vs implied by the "
              f"delays (the simulator's order statistic for the same draws)")
        for name, m in model.items():
            if name == "speedup":
                print(f"{'speedup':16s} measured {m['measured']:.3f}  ideal {m['ideal']:.3f}")
            else:
                print(f"{name:16s} measured {m['measured_ms']:7.2f}ms  ideal {m['ideal_ms']:7.2f}ms"
                      f"  ratio {m['ratio']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
