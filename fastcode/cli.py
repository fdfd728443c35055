"""The fastcode command: demo (the main job), run, simulate, bench, info.

How every command behaves:

- options are spelled out (no abbreviations), lists take commas, and every
  option has one name across commands (--workers, --rounds, --rows, --cols,
  --straggler, --time-scale, --backend, --seed, --k, --json, --plot);
- a bad value is one "fastcode ...: error: argument --NAME: ..." line and exit
  status 2; a fastcode error during a run is one line and status 1 (--debug
  shows the traceback); a failed check is status 1;
- Ctrl-C or SIGTERM stops the command cleanly (no worker process, no shared
  memory left) with one "interrupted" line and status 130 (Ctrl-C) or 143
  (SIGTERM);
- --json prints one JSON document (parameters, per-scheme figures with units
  in the key names, fastcode version, machine) instead of the tables;
- progress lines go to stderr, and only when it is a terminal.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, Tuple

from fastcode import __version__
from fastcode._interrupts import exit_status, raise_on_signals
from fastcode.errors import FastcodeError
from fastcode.repro import REPRODUCTIONS, reproduction
from fastcode.repro.cli import (add_command, count, optional_count, positive_float,
                                prime_at_least, random_seed, straggler_model)

__all__ = ["RUN_SCHEMES", "SchemeParam", "RunScheme", "build_parser", "main"]

MPI_LAUNCH = "mpiexec -n N+1 fastcode run SCHEME ..."
"""How ``fastcode run`` starts on MPI.  The ``fastcode`` command, unlike ``python -m``,
does not put the working directory on sys.path, so it also works from a clone's root."""


class Parser(argparse.ArgumentParser):
    """Every parser of the command: no abbreviated options (``--k`` never means
    ``--keep-going``); sub-commands are made of the same class."""

    def __init__(self, *args, allow_abbrev=False, **kwargs):
        super().__init__(*args, allow_abbrev=allow_abbrev, **kwargs)


class Tally:
    """What a command has done so far, for the line it prints when interrupted."""

    def __init__(self):
        self.rounds_done = 0
        self.rounds_total = None
        self.t0 = time.perf_counter()

    def line(self):
        if self.rounds_total is None:
            return f"interrupted after {time.perf_counter() - self.t0:.1f} s"
        return f"interrupted; {self.rounds_done} of {self.rounds_total} rounds done"


def _add_debug(parser):
    # SUPPRESS: a sub-command's default must not overwrite `fastcode --debug CMD`
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error")


def _add_json(parser, what="the tables"):
    parser.add_argument("--json", action="store_true",
                        help=f"print one JSON document (parameters, figures with units in the "
                             f"key names, fastcode version, machine) instead of {what}")


def _straggler_text(model):
    return "none" if model is None else f"shifted-exp:{model.shift:g},{model.mu:g}"


# -- fastcode info, bench --------------------------------------------------------

def _cmd_info(args):
    from fastcode import info
    data = info()
    if args.json:
        from fastcode._document import dumps
        print(dumps(data))
    else:
        for key, value in data.items():
            print(f"{key:18s} {value}")
    return 0


def _cmd_bench(args):
    if args.fft:
        from fastcode.bench.fft16 import run_bench as run_fft
        return run_fft(quick=args.quick, fmt=args.format)
    from fastcode.bench.gf256 import run_bench
    return run_bench(quick=args.quick, threads=args.threads, fmt=args.format)


def _add_info_and_bench(sub):
    p = sub.add_parser("info", help="CPU features, kernel level, build",
                       description="CPU features, kernel level and build of this fastcode.")
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_debug(p)
    p.set_defaults(func=_cmd_info)
    p = sub.add_parser("bench", help="GF(2^8) dot_prod throughput (vs ISA-L when present)",
                       description="GF(2^8) dot_prod throughput, beside ISA-L when libisal is "
                       "installed (throughput = data bytes per second).")
    p.add_argument("--quick", action="store_true", help="fewer shapes and repetitions")
    p.add_argument("--threads", type=count, default=1, help="threads per call (default 1)")
    p.add_argument("--fft", action="store_true",
                   help="the GF(2^16) FFT codes (FFTCode) instead, beside reed-solomon-leopard "
                        "when installed")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", dest="format", action="store_const", const="csv", help="print CSV")
    fmt.add_argument("--json", dest="format", action="store_const", const="json",
                     help="print one JSON document (parameters, rows with units in the key "
                          "names, fastcode version, machine)")
    _add_debug(p)
    p.set_defaults(func=_cmd_bench, format="table")


# -- fastcode simulate -----------------------------------------------------------

def _add_simulate(sub):
    p = sub.add_parser("simulate", help="straggler simulations and paper reproductions",
                       description="Straggler simulations and reproductions of the papers' "
                       "experiments.")
    targets = p.add_subparsers(dest="target", required=True, metavar="TARGET")
    # one target per reproduction (fastcode.repro's registry), imported when the parser is built
    for name in REPRODUCTIONS:
        module = reproduction(name)
        target = targets.add_parser(name, help=module.SUMMARY, description=module.SUMMARY)
        add_command(target, module)
        _add_debug(target)


# -- fastcode run ---------------------------------------------------------------

@dataclass(frozen=True)
class SchemeParam:
    """A parameter of a ``fastcode run`` scheme.

    Its ``name`` is the keyword of the scheme's job factory, the flag
    ``--NAME`` (underscores as dashes) and the key of ``--set NAME=VALUE``.

    Parameters
    ----------
    name : str
        The factory keyword.
    type : callable
        The argparse type parsing its text (``str -> value``).
    help : str
        Its help line.
    default : object, default None
        None: the factory's own default (the help says which).
    choices : tuple, optional
        The accepted values, where there is a fixed set.

    Examples
    --------
    >>> from fastcode.cli import RUN_SCHEMES
    >>> param = RUN_SCHEMES["polynomial"].params[0]
    >>> param.name, param.flag, param.type("2")
    ('k_a', '--k-a', 2)
    """

    name: str
    type: Callable[[str], Any]
    help: str
    default: Any = None          # None: the factory's own default (the help says which)
    choices: Optional[tuple] = None

    @property
    def flag(self) -> str:
        """The command-line flag: ``--NAME`` with underscores as dashes."""
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class RunScheme:
    """A job ``fastcode run NAME`` executes.

    Add a scheme with one entry of ``RUN_SCHEMES``; its parameters become the
    flags (and ``--set`` keys) of ``fastcode run NAME``.

    Parameters
    ----------
    factory : str
        "module:function" (imported on use), called as
        ``factory(n_workers, seed, rows=, cols=, **params) -> Job`` (see
        fastcode.schemes.jobs).
    help : str
        Its help line.
    params : tuple of SchemeParam, default ()
        Its parameters.

    Examples
    --------
    >>> from fastcode.cli import RUN_SCHEMES
    >>> scheme = RUN_SCHEMES["replication"]
    >>> scheme.factory
    'fastcode.schemes.jobs:replicated_matvec_job'
    >>> [(p.flag, p.default) for p in scheme.params]
    [('--r', 2)]
    """

    factory: str
    help: str
    params: Tuple[SchemeParam, ...] = ()


def _text(choices):
    def parse(text):
        if text not in choices:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(choices)}, got {text!r}")
        return text
    return parse


_P = SchemeParam("p", prime_at_least(2), "prime of the field GF(p) (default 65537)", 65537)
_LAGRANGE = (
    SchemeParam("byzantine", optional_count, "workers that return random garbage; the decoder "
                "locates them (default 0; 2 needs at least 5 workers with K = 1)", 0),
    SchemeParam("private", optional_count, "T: any T workers learn nothing about the data "
                "(default 0)", 0),
    SchemeParam("K", count, "data blocks (default: the most that leave one straggler to spare)"),
    SchemeParam("p", prime_at_least(2), "prime of the field GF(p) (default 2^31 - 1)",
                2**31 - 1))
RUN_SCHEMES = {
    "uncoded": RunScheme("fastcode.schemes.jobs:uncoded_matvec_job",
                         "uncoded A @ x in row blocks: the master waits for every worker"),
    "replication": RunScheme(
        "fastcode.schemes.jobs:replicated_matvec_job",
        "r-replicated A @ x: any one copy of each row block suffices",
        (SchemeParam("r", count, "copies of each row block; must divide --workers (default 2)", 2),)),
    "mds": RunScheme(
        "fastcode.schemes.jobs:mds_matvec_job",
        "(n, k)-MDS-coded A @ x over the reals: any k of the n workers suffice",
        (SchemeParam("k", count, "row blocks encoded; any k workers decode, k <= --workers "
                                 "(default 3/4 of the workers)"),)),
    "mds-prime": RunScheme(
        "fastcode.schemes.jobs:mds_prime_matvec_job",
        "(n, k)-MDS-coded A @ x over GF(p), checked exactly",
        (SchemeParam("k", count, "row blocks encoded; any k workers decode, k <= --workers "
                                 "(default 3/4 of the workers)"), _P)),
    "polynomial": RunScheme(
        "fastcode.schemes.jobs:polynomial_job",
        "polynomial code for C = A^T B over GF(p): any k_a k_b workers decode",
        (SchemeParam("k_a", count, "column blocks of A (default: k_a k_b the largest power of "
                                   "two <= 3/4 of the workers)"),
         SchemeParam("k_b", count, "column blocks of B, k_a k_b <= --workers"), _P)),
    "gradient": RunScheme(
        "fastcode.schemes.jobs:gradient_job",
        "gradient-coded logistic regression (rows samples, cols features)",
        (SchemeParam("code", _text(("crc", "frc")), "crc (cyclic repetition) or frc (fractional "
                                                    "repetition, needs (s + 1) | workers)",
                     "crc", ("crc", "frc")),
         SchemeParam("s", optional_count, "stragglers tolerated, s < --workers (default 1)", 1),
         SchemeParam("lr", positive_float, "learning rate (default 0.5)", 0.5))),
    "lagrange": RunScheme(
        "fastcode.schemes.jobs:lagrange_gram_job",
        "Lagrange coded computing of the quadratic forms X_j^T X_j over GF(p): T-private, "
        "tolerates stragglers and Byzantine workers (located and reported)",
        _LAGRANGE),
    "lagrange-regression": RunScheme(
        "fastcode.schemes.jobs:lagrange_regression_job",
        "Lagrange coded computing of the regression gradient X^T (X w - y) in fixed point "
        "over GF(p), private and Byzantine-robust like lagrange",
        _LAGRANGE),
}
"""``fastcode run`` schemes: name -> RunScheme; add a scheme with one entry here."""


def _load(target):
    """The object named by "module:attribute" (imported now)."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _set_pair(scheme):
    """argparse type of --set for ``scheme``: "KEY=VALUE" -> (key, parsed value)."""
    params = {p.name: p for p in RUN_SCHEMES[scheme].params}

    def parse(text):
        key, sep, value = text.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
        if key not in params:
            keys = ", ".join(params) or "none"
            raise argparse.ArgumentTypeError(f"{scheme} has no parameter {key!r} (its keys: {keys})")
        try:
            return key, params[key].type(value)
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"{key}: {exc}") from None
    return parse


def _launcher_size():
    """The number of ranks an MPI launcher started (from its environment, without
    initialising MPI), or None when not started by one."""
    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE", "PMIX_SIZE"):
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    return None


def _run_settings(args):
    """The parameters of a ``fastcode run`` as they go into its JSON document."""
    scheme = RUN_SCHEMES[args.scheme]
    params = {p.name: getattr(args, p.name) for p in scheme.params}
    params.update(dict(args.set))
    return params


def _cmd_run(args):
    from fastcode.runtime.jobs import run_job

    prog = f"fastcode run {args.scheme}"
    use_mpi = args.mpi
    if not use_mpi:
        from fastcode.runtime.mpi import launched_under_mpi
        use_mpi = launched_under_mpi()
        if not use_mpi and _launcher_size() == 1:
            print(f"{prog}: note: mpiexec started 1 rank, and the MPI runtime needs a master "
                  f"and at least one worker rank, so the workers run on this machine "
                  f"(--backend {args.backend}); for "
                  f"MPI workers: {MPI_LAUNCH}", file=sys.stderr)
    options = dict(straggler_model=args.straggler, timeout=args.timeout, rng=args.seed,
                   time_scale=args.time_scale)
    if use_mpi:
        from fastcode.runtime import mpi
        args.under_mpi = True
        if mpi.rank() != 0:
            mpi.serve()
            return 0
        n_workers = mpi.size() - 1
        if n_workers < 1:
            print(f"{prog}: error: --mpi needs at least 2 ranks (a master and a worker): "
                  f"{MPI_LAUNCH}", file=sys.stderr)
            return 2
        if args.workers not in (None, n_workers):
            print(f"{prog}: error: argument --workers: {args.workers}, but mpiexec started "
                  f"{n_workers} worker ranks (ranks - 1)", file=sys.stderr)
            return 2
    else:
        n_workers = 4 if args.workers is None else args.workers
    params = {k: v for k, v in _run_settings(args).items() if v is not None}
    try:     # the job checks its parameters before any worker starts
        job = _load(RUN_SCHEMES[args.scheme].factory)(n_workers, args.seed, rows=args.rows,
                                                      cols=args.cols, **params)
    except ValueError as exc:           # fastcode's InvalidArgumentError & co.
        given = " ".join([f"--workers {n_workers}", f"--rows {args.rows}", f"--cols {args.cols}"]
                         + [f"{p.flag} {params[p.name]}" for p in RUN_SCHEMES[args.scheme].params
                            if p.name in params])
        print(f"{prog}: error: {given}: {exc}", file=sys.stderr)
        return 2
    args.tally.rounds_total = args.rounds
    if use_mpi:
        cluster = mpi.MPICluster(**options)
    else:
        from fastcode.runtime import LocalCluster
        cluster = LocalCluster(n_workers, backend=args.backend, **options)
    runtime = "mpi" if use_mpi else f"local-{args.backend}"

    def count_round(_i, _result):
        args.tally.rounds_done += 1
    with cluster:
        report = run_job(cluster, job, args.rounds, rng=args.seed,
                         continue_on_error=args.keep_going, on_round=count_round)
    summary = report.summary()
    located = getattr(job, "located", None)
    if located is not None:                      # a Byzantine-robust job: who was caught
        summary["byzantine_workers"] = sorted(int(w) for w in job.scheme.byzantine)
        summary["adversaries_located"] = sorted({int(w) for found in located for w in found})
    if args.json:
        from fastcode._document import document, dumps
        parameters = dict(scheme=args.scheme, workers=n_workers, rounds=args.rounds,
                          rows=args.rows, cols=args.cols, runtime=runtime,
                          straggler=_straggler_text(args.straggler), time_scale_s=args.time_scale,
                          timeout_s=args.timeout, seed=args.seed, keep_going=args.keep_going,
                          **_run_settings(args))
        print(dumps(document(f"run {args.scheme}", parameters, [summary])))
    else:
        print(f"{prog}: {job.name} on {n_workers} {runtime} workers, {args.rows} x {args.cols}, "
              f"{args.rounds} rounds, stragglers: {_straggler_text(args.straggler)}"
              + (f" x {args.time_scale:g} s" if args.straggler is not None else ""))
        print(format_run_summary(summary))
    return 0 if summary["wrong_rounds"] == 0 and summary["failed_rounds"] == 0 else 1


def format_run_summary(summary: dict) -> str:
    """The figures of a ``fastcode run`` (a JobReport.summary()) as lines that say their
    units and what the less obvious ones mean."""
    def ms(key):
        return f"{summary[key] * 1e3:.3f} ms"
    s = summary
    lines = [f"rounds      {s['rounds']} done, {s['failed_rounds']} failed, {s['wrong_rounds']} "
             f"wrong (each decoded output checked against the direct computation)"]
    if s["rounds"]:
        lines += [
            f"round time  mean {ms('mean_s')}, median {ms('median_s')}, p95 {ms('p95_s')}",
            f"decode      mean {ms('mean_decode_s')} ({s['decode_share']:.1%} of the round time)",
            f"draws       mean {ms('mean_ideal_s')}: the round time the injected straggler "
            f"delays alone imply",
            f"overhead    mean {ms('mean_overhead_s')}, median {ms('median_overhead_s')}: the "
            f"runtime's own cost (messages, dispatch, bookkeeping)"]
    lines.append(f"discarded   {s['discarded']} late results of earlier rounds, thrown away")
    if "adversaries_located" in s:
        lines.append(f"adversaries {s['adversaries_located']} located (Byzantine workers: "
                     f"{s['byzantine_workers']}; a round counts as wrong unless exactly those "
                     "among its responders were found)")
    return "\n".join(lines)


def _add_run(sub):
    p = sub.add_parser(
        "run", help="run a scheme on real workers (local processes or threads, or MPI)",
        description="Run a scheme for some rounds on local worker processes (or threads), or "
        f"on MPI with `{MPI_LAUNCH}` (rank 0 is the master); every decoded output is checked "
        "against the direct computation.  `fastcode run SCHEME --help` lists the scheme's "
        "parameters.")
    schemes = p.add_subparsers(dest="scheme", required=True, metavar="SCHEME")
    for name, scheme in RUN_SCHEMES.items():
        keys = ", ".join(param.name for param in scheme.params)
        q = schemes.add_parser(
            name, help=scheme.help, description=f"fastcode run {name}: {scheme.help}.",
            epilog=(f"Scheme parameters, also as --set KEY=VALUE: {keys}." if keys
                    else "This scheme has no parameters."))
        _add_run_options(q, name)
        group = q.add_argument_group(f"parameters of {name}")
        for param in scheme.params:
            group.add_argument(param.flag, dest=param.name, type=param.type, default=param.default,
                               choices=param.choices, help=param.help,
                               metavar=None if param.choices else param.name.upper())
        q.set_defaults(func=_cmd_run)


def _add_run_options(p, scheme):
    p.add_argument("--workers", type=count, default=None,
                   help="number of workers (default 4 locally; the ranks - 1 under MPI)")
    p.add_argument("--rounds", type=count, default=10, help="rounds to run (default 10)")
    p.add_argument("--rows", type=count, default=1024, help="rows of the job's matrix (default 1024)")
    p.add_argument("--cols", type=count, default=1024,
                   help="columns of the job's matrix (default 1024)")
    p.add_argument("--straggler", type=straggler_model, default="none", metavar="MODEL",
                   help="injected worker delays: none or shifted-exp:SHIFT,RATE, in units of "
                        "--time-scale (default none)")
    p.add_argument("--time-scale", type=positive_float, default=0.1, metavar="SECONDS",
                   help="seconds per unit of model time (default 0.1)")
    p.add_argument("--backend", choices=("process", "thread"), default="process",
                   help="local worker kind (default process)")
    p.add_argument("--mpi", action="store_true",
                   help="use the MPI runtime (automatic under mpiexec with 2 or more ranks)")
    p.add_argument("--timeout", type=positive_float, default=30.0, metavar="SECONDS",
                   help="per-round timeout (default 30)")
    p.add_argument("--seed", type=random_seed, default=0, help="seed of data and delays (default 0)")
    p.add_argument("--keep-going", action="store_true",
                   help="count failed rounds instead of stopping at the first")
    p.add_argument("--set", action="append", default=[], type=_set_pair(scheme), metavar="KEY=VALUE",
                   help="a scheme parameter by its key (the same as its flag; keys below)")
    _add_json(p, "the summary")
    _add_debug(p)


# -- fastcode demo ----------------------------------------------------------------

def _add_demo(sub):
    from fastcode import demo
    p = sub.add_parser("demo", help="the main job: uncoded vs replication vs MDS mat-vec on "
                       "8 local workers with real stragglers", description=demo.DESCRIPTION)
    demo.add_arguments(p)
    _add_json(p, "the table")
    _add_debug(p)
    p.set_defaults(func=demo.run_from_args)


# -- the command -------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """The ``fastcode`` argument parser: info, bench, demo, simulate and run sub-commands.

    Options are never abbreviated; every sub-command sets ``func``, which
    :func:`main` calls with the parsed arguments.  Building it imports the
    reproduction modules (one ``simulate`` target each).

    Returns
    -------
    argparse.ArgumentParser
        The parser, ``prog="fastcode"``.

    Examples
    --------
    >>> from fastcode.cli import build_parser
    >>> parser = build_parser()
    >>> args = parser.parse_args(["run", "mds", "--workers", "6", "--k", "4", "--backend", "thread"])
    >>> args.command, args.scheme, args.workers, args.k, args.rounds, args.backend
    ('run', 'mds', 6, 4, 10, 'thread')
    >>> parser.parse_args(["simulate", "lee", "--trials", "0"]).trials
    0
    """
    parser = Parser(prog="fastcode", description="fastcode: finite-field erasure coding for "
                    "coded distributed computing.  `fastcode demo` is the main job; `fastcode "
                    "COMMAND --help` explains each command.")
    parser.add_argument("--version", action="version", version=f"fastcode {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an error (also after the command)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(sub)
    _add_run(sub)
    _add_simulate(sub)
    _add_info_and_bench(sub)
    return parser


def _prog(args):
    return " ".join(["fastcode"] + [getattr(args, k) for k in ("command", "target", "scheme")
                                    if isinstance(getattr(args, k, None), str)])


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``fastcode`` command with ``argv``.

    A fastcode error (or an OSError) during the run is one line on stderr
    and status 1 (``--debug`` shows the traceback instead); Ctrl-C or
    SIGTERM stops the command cleanly with one "interrupted" line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 ok, 1 a failed check or a fastcode error, 2 a bad
        invocation, 128 + signal when interrupted.

    Raises
    ------
    SystemExit
        From argparse: ``--help``, ``--version`` (status 0) or a bad option
        (status 2).

    Examples
    --------
    >>> from fastcode.cli import main
    >>> status = main(["info"])
    version            ...
    ...
    >>> status
    0
    >>> main(["simulate", "shuffle", "--trials", "1", "--rows-per-block", "1"])
    Coded shuffling: load in data units (rows sent / N), 1 rows per block, mean of 1 shuffles
    ...
    0
    >>> main(["--version"])
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    args = build_parser().parse_args(argv)
    args.tally = Tally()
    try:
        with raise_on_signals():
            return args.func(args)
    except KeyboardInterrupt as exc:        # Ctrl-C or SIGTERM (fastcode._interrupts)
        print(f"{_prog(args)}: {args.tally.line()}", file=sys.stderr)
        status = exit_status(exc)
        _abort_mpi_job(args, status)
        return status
    except (FastcodeError, OSError) as exc:
        if args.debug:
            raise
        print(f"{_prog(args)}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        _abort_mpi_job(args, 1)
        return 1


def _abort_mpi_job(args, status):
    """Under MPI, end every rank now: the others would wait for this one forever."""
    if getattr(args, "under_mpi", False):
        from mpi4py import MPI
        sys.stderr.flush()
        MPI.COMM_WORLD.Abort(status)


if __name__ == "__main__":
    sys.exit(main())
