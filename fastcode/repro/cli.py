"""Command-line plumbing shared by the reproductions: each module defines
``add_arguments(parser)`` and ``run_from_args(args)``; these two helpers make
its ``fastcode simulate NAME`` target and its standalone ``main(argv)``.

It also holds the argparse ``type=`` validators of every ``fastcode`` command
(demo, run, bench, simulate): each option of one kind (a count, a seed, a
positive time, a probability, a prime) uses the same one, so a bad value is one
``fastcode ...: error: argument --NAME: ...`` line and exit status 2, never a
traceback from deep inside a run."""
import argparse
import math
import sys

from fastcode.fields.prime import is_prime


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


def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _real(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def int_at_least(minimum):
    """argparse type: an integer >= ``minimum`` (counts of workers, rounds, trials...)."""
    def parse(text):
        value = _integer(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value
    parse.__name__ = f"int_at_least_{minimum}"
    return parse


count = int_at_least(1)
"""argparse type: an integer >= 1 (a number of workers, rounds, trials, rows...)."""
optional_count = int_at_least(0)
"""argparse type: an integer >= 0 (a count where 0 skips a part of the run)."""
random_seed = int_at_least(0)
"""argparse type: a random seed, an integer >= 0 (what numpy.random.default_rng accepts)."""


def _real_where(accept, what):
    def parse(text):
        value = _real(text)
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    return parse


positive_float = _real_where(lambda v: v > 0, "a number > 0")
"""argparse type: a finite number > 0 (times, rates, scales)."""
nonnegative_float = _real_where(lambda v: v >= 0, "a number >= 0")
"""argparse type: a finite number >= 0 (shifts, weights)."""
probability = _real_where(lambda v: 0 <= v < 1, "a probability in [0, 1)")
"""argparse type: a probability in [0, 1) (a failure probability)."""
open_unit_interval = _real_where(lambda v: 0 < v < 1, "a number in (0, 1)")
"""argparse type: a number in (0, 1) (a confidence level)."""


def prime_at_least(minimum):
    """argparse type: a prime p with ``minimum`` <= p < 2^31 (the primes PrimeField takes)."""
    def parse(text):
        value = _integer(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a prime >= {minimum}, got {text!r}")
        if value >= 2**31 or not is_prime(value):
            raise argparse.ArgumentTypeError(f"expected a prime below 2^31, got {text!r}")
        return value
    parse.__name__ = f"prime_at_least_{minimum}"
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
