"""The ``fastcode`` command: info, bench, simulate (and, later, demo, run)."""
import argparse
import importlib
import json
import sys

# `fastcode simulate TARGET`: one line per target, "module:function".  The function gets the
# target's subparser, adds its options and sets `func` (e.g. fastcode.sim.reproduce.register_lee);
# its docstring's first line is the help text.  Modules are imported when the parser is built.
SIMULATE_TARGETS = {
    "lee": "fastcode.sim.reproduce:register_lee",
    "stream": "fastcode.repro.stream:register_stream",
    "bcgc": "fastcode.repro.bcgc:register_bcgc",
}


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
    for name, spec in SIMULATE_TARGETS.items():
        module, _, attr = spec.partition(":")
        register = getattr(importlib.import_module(module), attr)
        summary = (register.__doc__ or "").strip().split("\n")[0] or None
        register(targets.add_parser(name, help=summary, description=summary))


def build_parser():
    parser = argparse.ArgumentParser(prog="fastcode", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_info = sub.add_parser("info", help="CPU features, kernel level, build")
    p_info.add_argument("--json", action="store_true", help="print JSON")
    p_info.set_defaults(func=_cmd_info)
    p_bench = sub.add_parser("bench", help="GF(2^8) dot_prod throughput (vs ISA-L when present)")
    p_bench.add_argument("--quick", action="store_true", help="fewer shapes and repetitions")
    p_bench.add_argument("--threads", type=int, default=1, help="threads per call (default 1)")
    fmt = p_bench.add_mutually_exclusive_group()
    fmt.add_argument("--csv", dest="format", action="store_const", const="csv")
    fmt.add_argument("--json", dest="format", action="store_const", const="json")
    p_bench.set_defaults(func=_cmd_bench, format="table")
    _add_simulate(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
