"""The ``fastcode`` command: demo (the main job), info, bench, simulate, run."""
import argparse
import importlib
import json
import sys

from fastcode.repro import REPRODUCTIONS, reproduction
from fastcode.repro.cli import add_command, count, positive_float, random_seed


def _cmd_info(args):
    from fastcode import info
    data = info()
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key:18s} {value}")
    return 0


def _cmd_bench(args):
    from fastcode.bench.gf256 import run_bench
    return run_bench(quick=args.quick, threads=args.threads, fmt=args.format)


def _add_simulate(sub):
    p_sim = sub.add_parser("simulate", help="straggler simulations and paper reproductions")
    targets = p_sim.add_subparsers(dest="target", required=True, metavar="TARGET")
    # one target per reproduction (fastcode.repro's registry), imported when the parser is built
    for name in REPRODUCTIONS:
        module = reproduction(name)
        add_command(targets.add_parser(name, help=module.SUMMARY, description=module.SUMMARY),
                    module)


# -- fastcode run ---------------------------------------------------------------

# Jobs `fastcode run SCHEME` can execute: name -> "module:factory" (imported on
# use).  A factory is factory(n_workers, rng, rows=, cols=, **params) -> Job
# (see fastcode.schemes.jobs); add a scheme with one line here.
RUN_SCHEMES = {
    "uncoded": "fastcode.schemes.jobs:uncoded_matvec_job",
    "replication": "fastcode.schemes.jobs:replicated_matvec_job",
    "mds": "fastcode.schemes.jobs:mds_matvec_job",
    "mds-prime": "fastcode.schemes.jobs:mds_prime_matvec_job",
    "polynomial": "fastcode.schemes.jobs:polynomial_job",
    "gradient": "fastcode.schemes.jobs:gradient_job",
}


def _load(target):
    """The object named by "module:attribute" (imported now)."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _straggler_model(spec):
    """--straggler none | shifted-exp:SHIFT,RATE (model time units, see --time-scale)."""
    if spec in (None, "none"):
        return None
    name, _, params = spec.partition(":")
    if name != "shifted-exp":
        raise argparse.ArgumentTypeError(f"unknown straggler model {name!r} (none, shifted-exp)")
    try:
        shift, rate = (float(v) for v in params.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected shifted-exp:SHIFT,RATE, got {spec!r}") from None
    from fastcode.sim import ShiftedExponential, SimParameterError
    try:
        return ShiftedExponential(rate, shift=shift)
    except SimParameterError as exc:
        raise argparse.ArgumentTypeError(f"{spec!r}: {exc}") from None


def _scheme_params(pairs):
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set expects KEY=VALUE, got {pair!r}")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _cmd_run(args):
    from fastcode.errors import FastcodeError
    from fastcode.runtime.jobs import run_job

    use_mpi = args.mpi
    if not use_mpi:
        from fastcode.runtime.mpi import launched_under_mpi
        use_mpi = launched_under_mpi()
    model = args.straggler          # parsed by _straggler_model (its type=)
    options = dict(straggler_model=model, timeout=args.timeout, rng=args.seed,
                   time_scale=args.time_scale)
    if use_mpi:
        from fastcode.runtime import mpi
        if mpi.rank() != 0:
            mpi.serve()
            return 0
        n_workers = mpi.size() - 1
        if n_workers < 1:
            print("fastcode run --mpi needs at least 2 ranks: mpiexec -n N+1 python -m mpi4py "
                  "-m fastcode run ...", file=sys.stderr)
            return 2
        if args.workers not in (None, n_workers):
            print(f"--workers {args.workers} but mpiexec started {n_workers} worker ranks",
                  file=sys.stderr)
            return 2
        cluster = mpi.MPICluster(**options)
    else:
        from fastcode.runtime import LocalCluster
        n_workers = 4 if args.workers is None else args.workers
        cluster = LocalCluster(n_workers, backend=args.backend, **options)
    with cluster:
        try:
            job = _load(RUN_SCHEMES[args.scheme])(n_workers, args.seed, rows=args.rows,
                                                 cols=args.cols, **_scheme_params(args.set))
            report = run_job(cluster, job, args.rounds, rng=args.seed, continue_on_error=args.keep_going)
        except (FastcodeError, ValueError) as exc:
            print(f"fastcode run: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    summary = report.summary()
    summary["runtime"] = "mpi" if use_mpi else f"local-{args.backend}"
    summary["straggler"] = repr(model)
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            if isinstance(value, float) and key.endswith("_s"):
                value = f"{value * 1e3:.3f} ms"
            print(f"{key:18s} {value}")
    return 0 if summary["wrong_rounds"] == 0 and summary["failed_rounds"] == 0 else 1


def _add_run_parser(sub):
    p = sub.add_parser("run", help="run a scheme on real workers (local processes/threads or MPI)",
                       description="Run SCHEME for some rounds on a LocalCluster, or on MPI under "
                       "`mpiexec -n N+1 python -m mpi4py -m fastcode run ...` (rank 0 is the master); "
                       "every decoded output is checked against the direct computation.")
    p.add_argument("scheme", choices=sorted(RUN_SCHEMES), help="job to run")
    p.add_argument("--workers", type=count, default=None,
                   help="number of workers (default 4 locally; mpiexec ranks - 1 under MPI)")
    p.add_argument("--rounds", type=count, default=10, help="rounds to run (default 10)")
    p.add_argument("--rows", type=count, default=1024, help="rows of the job's matrix")
    p.add_argument("--cols", type=count, default=1024, help="columns of the job's matrix")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="scheme parameter, e.g. --set r=2 for replication")
    p.add_argument("--straggler", type=_straggler_model, default="none",
                   help="none | shifted-exp:SHIFT,RATE (default none)")
    p.add_argument("--time-scale", type=positive_float, default=0.1,
                   help="seconds per unit of model time (default 0.1)")
    p.add_argument("--backend", choices=("process", "thread"), default="process",
                   help="local worker kind (default process)")
    p.add_argument("--mpi", action="store_true",
                   help="use the MPI runtime (automatic under mpiexec)")
    p.add_argument("--timeout", type=positive_float, default=30.0, help="per-round timeout, s")
    p.add_argument("--seed", type=random_seed, default=0, help="seed of data and delays")
    p.add_argument("--keep-going", action="store_true",
                   help="count failed rounds instead of stopping at the first")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_cmd_run)


def _add_demo(sub):
    from fastcode import demo
    p = sub.add_parser("demo", help="the main job: uncoded vs replication vs MDS mat-vec on "
                       "8 local workers with real stragglers",
                       description=demo.__doc__.split("\n\n")[0])
    demo.add_arguments(p)
    p.set_defaults(func=demo.run_from_args)


def build_parser():
    parser = argparse.ArgumentParser(prog="fastcode", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_info = sub.add_parser("info", help="CPU features, kernel level, build")
    p_info.add_argument("--json", action="store_true", help="print JSON")
    p_info.set_defaults(func=_cmd_info)
    p_bench = sub.add_parser("bench", help="GF(2^8) dot_prod throughput (vs ISA-L when present)")
    p_bench.add_argument("--quick", action="store_true", help="fewer shapes and repetitions")
    p_bench.add_argument("--threads", type=count, default=1, help="threads per call (default 1)")
    fmt = p_bench.add_mutually_exclusive_group()
    fmt.add_argument("--csv", dest="format", action="store_const", const="csv")
    fmt.add_argument("--json", dest="format", action="store_const", const="json")
    p_bench.set_defaults(func=_cmd_bench, format="table")
    _add_demo(sub)
    _add_simulate(sub)
    _add_run_parser(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
