"""Command-line plumbing shared by the reproductions: each module defines
``add_arguments(parser)`` and ``run_from_args(args)``; these two helpers make
its ``fastcode simulate NAME`` target and its standalone ``main(argv)``."""
import argparse
import sys


def register_with(parser, add_arguments, run_from_args):
    """Fill the ``fastcode simulate`` subparser of one reproduction."""
    add_arguments(parser)
    parser.set_defaults(func=run_from_args)


def standalone_main(name, description, add_arguments, run_from_args, argv=None):
    """``python -m fastcode.repro.NAME``: parse argv and run; returns the exit status."""
    parser = argparse.ArgumentParser(prog=f"fastcode simulate {name}", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


def _comma_separated(kind, noun):
    def parse(text):
        try:
            return tuple(kind(v) for v in text.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {noun}, got {text!r}") from None
    return parse


comma_floats = _comma_separated(float, "numbers")
"""argparse type: "1,0.2" -> (1.0, 0.2) (an empty string gives ())."""
comma_ints = _comma_separated(int, "integers")
"""argparse type: "5,10" -> (5, 10)."""


def write_plot(plot, data, path):
    """Draw ``data`` to ``path`` with ``plot(data, path)`` (which returns None or
    why it could not, e.g. matplotlib missing); returns the exit status, 0 or 1."""
    problem = plot(data, path)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"plot written to {path}")
    return 0
