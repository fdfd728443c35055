"""``fastcode demo``: coded computing against stragglers, for real, on this machine.

Eight local worker processes multiply a 4096 x 4096 float64 matrix A by a
fresh vector x every round.  Each worker's completion is delayed by a draw from a
shifted-exponential straggler model (``fastcode.sim.ShiftedExponential``), so
stragglers are real in wall-clock terms.  Three schemes run the same rounds:

- uncoded: 8 row blocks, the master waits for all 8 workers;
- 2-replication: 4 row blocks on 2 workers each, one copy of each block suffices;
- (8, k)-MDS: k row blocks encoded into 8 coded blocks, any k results decode
  (k is the optimum of the analytic model).

Every decoded result is checked against the direct product A @ x.  The table
shows the measured mean and p95 round latency, the speed-up over uncoded and
the share of the round spent decoding, beside the mean predicted by the
analytic model of ``fastcode.sim`` for the injected delays.
"""
import sys
import time

import numpy as np

from fastcode._progress import terminal_progress
from fastcode.repro.cli import (MATPLOTLIB_MISSING, count, draws_with_pyplot, int_at_least,
                                plot_unavailable, positive_float, random_seed, straggler_model,
                                write_plot)
from fastcode.runtime import LocalCluster
from fastcode.runtime.jobs import run_job
from fastcode.schemes.jobs import (mds_matvec_job, replicated_matvec_job,
                                   uncoded_matvec_job)
from fastcode.sim import (ShiftedExponential, expected_time_mds, expected_time_replication,
                          expected_time_uncoded, optimal_k)

DESCRIPTION = ("The main job: uncoded vs 2-replication vs MDS-coded A @ x on local worker "
               "processes with injected stragglers; every decoded result checked, measured "
               "latencies beside the analytic prediction.")
"""The plain-text description of ``fastcode demo --help``."""

MPI_HINT = ("The same jobs run on MPI (pip install 'fastcode[mpi]'):\n"
            "  mpiexec -n 9 fastcode run mds --straggler shifted-exp:1,1 --rows 4096 --cols 4096\n"
            "(rank 0 is the master, ranks 1..8 the workers; also `uncoded` and `replication`;\n"
            "the `fastcode` command works from any directory, the clone's root included).")

DEFAULT_STRAGGLER = "shifted-exp:1,1"


def _shifted_exponential(text):
    return straggler_model(text, allow_none=False)    # the one parser of --straggler


def add_arguments(parser):
    """The options of ``fastcode demo`` (the names of ``fastcode run``'s where they mean
    the same)."""
    parser.add_argument("--workers", type=int_at_least(2), default=8,
                        help="worker processes (default 8)")
    parser.add_argument("--rows", type=count, default=4096, help="rows of A (default 4096)")
    parser.add_argument("--cols", type=count, default=4096, help="columns of A (default 4096)")
    parser.add_argument("--rounds", type=count, default=60, help="rounds per scheme (default 60)")
    parser.add_argument("--straggler", type=_shifted_exponential, default=DEFAULT_STRAGGLER,
                        metavar="MODEL",
                        help="injected worker delays: shifted-exp:SHIFT,RATE, in units of "
                             "--time-scale (default 1,1)")
    parser.add_argument("--time-scale", type=positive_float, default=0.1, metavar="SECONDS",
                        help="seconds per unit of model time (default 0.1)")
    parser.add_argument("--k", type=count, default=None,
                        help="row blocks of the MDS code; any k workers decode, k <= --workers "
                             "(default: the k the analytic model finds fastest)")
    parser.add_argument("--backend", choices=("process", "thread"), default="process",
                        help="local worker kind (default process)")
    parser.add_argument("--seed", type=random_seed, default=0, help="seed of data and delays (default 0)")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="draw the latencies (needs matplotlib: pip install 'fastcode[plot]')")
    parser.add_argument("--mpi", action="store_true", help="show how to run the same on MPI")


def predictions(n, k, mu, shift):
    """Analytic mean round time (model units) of each scheme: {name: E[T]}."""
    out = {"uncoded": expected_time_uncoded(n, mu, shift)}
    if n % 2 == 0:
        out["2-replication"] = expected_time_replication(n, 2, mu, shift)
    out[f"MDS ({n},{k})"] = float(expected_time_mds(n, k, mu, shift))
    return out


def run_demo(workers=8, rows=4096, cols=4096, rounds=60, mu=1.0, shift=1.0, time_scale=0.1,
             k=None, backend="process", seed=0, progress=None):
    """Run the three schemes on A (rows x cols); returns a list of row dicts (times in
    seconds).

    Each row: scheme, measured mean/p95, predicted mean, the mean that the
    injected delays of these very rounds imply (``draws_s``: the gap to the
    measured mean is the runtime's own cost), decode share, wrong rounds, and
    the per-round wall times (for plots).  ``progress(done, total, label)`` is
    called before the first round and after every round."""
    if workers < 2:
        raise ValueError(f"workers must be >= 2, got {workers}")
    k = optimal_k(workers, mu, shift) if k is None else k
    jobs = [uncoded_matvec_job(workers, seed, rows=rows, cols=cols)]
    if workers % 2 == 0:
        jobs.append(replicated_matvec_job(workers, seed, rows=rows, cols=cols, r=2))
    jobs.append(mds_matvec_job(workers, seed, rows=rows, cols=cols, k=k))
    predicted = predictions(workers, k, mu, shift)
    model = ShiftedExponential(mu, shift=shift)
    rows = []
    total = len(jobs) * rounds
    if progress:
        progress(0, total, jobs[0].name)        # the total is known before the first round
    with LocalCluster(workers, model, backend=backend, rng=seed, time_scale=time_scale) as cluster:
        for j, job in enumerate(jobs):
            def on_round(i, _result, j=j, name=job.name):
                if progress:
                    progress(j * rounds + i + 1, total, name)
            report = run_job(cluster, job, rounds, rng=seed, on_round=on_round)
            s = report.summary()
            rows.append({"scheme": job.name, "mean_s": s["mean_s"], "p95_s": s["p95_s"],
                         "predicted_s": predicted[job.name] * time_scale,
                         "draws_s": s["mean_ideal_s"],
                         "decode_share": s["decode_share"], "wrong_rounds": s["wrong_rounds"],
                         "wall_times": list(report.wall_times)})
    return rows


def format_rows(rows):
    """The demo's table as text."""
    base = rows[0]["mean_s"]
    base_pred = rows[0]["predicted_s"]
    head = (f"{'scheme':<16} {'mean ms':>8} {'p95 ms':>8} {'speed-up':>8} {'decode':>7} | "
            f"{'predicted ms':>12} {'pred. speed-up':>14} {'measured/pred':>13} "
            f"{'draws ms':>8} | {'checked':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['scheme']:<16} {r['mean_s'] * 1e3:>8.1f} {r['p95_s'] * 1e3:>8.1f} "
            f"{base / r['mean_s']:>7.2f}x {r['decode_share'] * 100:>6.1f}% | "
            f"{r['predicted_s'] * 1e3:>12.1f} {base_pred / r['predicted_s']:>13.2f}x "
            f"{r['mean_s'] / r['predicted_s']:>13.2f} {r['draws_s'] * 1e3:>8.1f} | "
            f"{'ok' if r['wrong_rounds'] == 0 else str(r['wrong_rounds']) + ' wrong':>8}")
    return "\n".join(lines)


@draws_with_pyplot()
def plot_rows(plt, rows, path):
    """Empirical CDF of round latency per scheme, with predicted means; None or an error text."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for r in rows:
        t = np.sort(np.asarray(r["wall_times"])) * 1e3
        line, = ax.step(t, np.arange(1, t.size + 1) / t.size, where="post", label=r["scheme"])
        ax.axvline(r["predicted_s"] * 1e3, color=line.get_color(), linestyle=":")
    ax.set_xlabel("round latency (ms); dotted: analytic mean")
    ax.set_ylabel("fraction of rounds")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return None


def run_from_args(args):
    """Entry point of ``fastcode demo``; returns the exit status."""
    if args.mpi:
        print(MPI_HINT)
        return 0
    if args.k is not None and args.k > args.workers:   # the one check that spans two options
        print(f"fastcode demo: error: argument --k: expected an integer <= --workers "
              f"({args.workers}), got {args.k}", file=sys.stderr)
        return 2
    if args.plot and plot_unavailable(plot_rows):      # before the run, not after it
        print(f"fastcode demo: error: argument --plot: {MATPLOTLIB_MISSING}", file=sys.stderr)
        return 2
    model = args.straggler
    k = optimal_k(args.workers, model.mu, model.shift) if args.k is None else args.k
    if not args.json:
        print(f"fastcode demo: {args.workers} {args.backend} workers, A {args.rows} x {args.cols} "
              f"float64, {args.rounds} rounds per scheme; stragglers: ShiftedExponential("
              f"mu={model.mu:g}, shift={model.shift:g}) x {args.time_scale:g} s, load-scaled; "
              f"MDS k={k}")
    progress = terminal_progress()
    tally = getattr(args, "tally", None)

    def on_round(done, total, label):
        if tally is not None:
            tally.rounds_done, tally.rounds_total = done, total
        if progress:
            progress(done, total, label)
    t0 = time.perf_counter()
    try:
        rows = run_demo(args.workers, args.rows, args.cols, args.rounds, model.mu, model.shift,
                        args.time_scale, k, args.backend, args.seed, on_round)
    finally:
        if progress:
            progress.clear()
    wrong = sum(r["wrong_rounds"] for r in rows)
    if args.json:
        _print_json(args, k, rows)
    else:
        print(format_rows(rows))
        print(f"every decoded A @ x checked against the direct product: "
              f"{'all exact to 1e-9' if wrong == 0 else f'{wrong} WRONG rounds'}; "
              f"total {time.perf_counter() - t0:.1f} s")
        print(LEGEND)
    if args.plot and not write_plot(plot_rows, rows, args.plot):
        return 1
    return 0 if wrong == 0 else 1


LEGEND = ("decode: share of the round spent decoding; predicted: the analytic mean of "
          "fastcode.sim for the\ninjected model; draws: the mean round time the injected delays "
          "of these rounds alone imply\n(the gap to the measured mean is the runtime's own cost). "
          "`fastcode demo --mpi` shows how to run\nthe same on a cluster.")
"""The lines below the demo's table that say what its less obvious columns mean."""


def _print_json(args, k, rows):
    from fastcode._document import document, dumps
    model = args.straggler
    parameters = dict(workers=args.workers, rows=args.rows, cols=args.cols, rounds=args.rounds,
                      straggler=f"shifted-exp:{model.shift:g},{model.mu:g}",
                      time_scale_s=args.time_scale, k=k, backend=args.backend, seed=args.seed)
    results = [{key: value for key, value in r.items() if key != "wall_times"} for r in rows]
    print(dumps(document("demo", parameters, results)))
