"""Command-line plumbing of the reproductions, and the argparse validators of every command.

Why here: the validators are needed only by the command-line front ends (``fastcode.cli``,
``fastcode.demo`` and the reproductions), which are the top of the package, and
``prime_at_least`` needs ``fastcode.fields``; ``fastcode._util`` may import nothing but
``errors``.  ``repro`` is the lowest package every front end may import, so this public
module is their one home (``cli.py`` and ``demo.py`` import its public names).

Validators: each option of one kind (a count, a seed, a positive time, a probability, a
prime) uses the same argparse ``type=``; a bad value is one ``fastcode ...: error: argument
--NAME: ...`` line and exit status 2, never a traceback from deep inside a run.  They parse
the text and check it with the one set of validators, :mod:`fastcode._util.validate`.

The shared tail (:func:`run_command`) of ``fastcode simulate NAME``: parse -> ``run`` ->
print the tables -> optional ``plot`` -> exit status, for a reproduction module with::

    NAME                     its target name (the key of the fastcode.repro registry)
    SUMMARY                  one line: the help of ``fastcode simulate NAME``
    add_arguments(parser)    its options (the argparse dests are ``run``'s keywords)
    run(**settings)          -> list of fastcode._util.tables.Table
    plot(tables, path)       -> None, or why no figure was written (only with ``--plot``);
                             written as ``@draws_with_pyplot(...) def plot(plt, tables, path)``
    OUTPUT                   optional :class:`Output`: the framing of its printed text

Progress is each ``run``'s own business, through the one fastcode._progress.Progress
(``--quiet``, where a reproduction has it, is a setting of ``run``).
"""
import argparse
import sys
import time
from dataclasses import dataclass

from fastcode._util import validate
from fastcode.errors import InvalidArgumentError
from fastcode.fields.prime import is_prime
from fastcode.repro import reproduction

__all__ = ["count", "optional_count", "random_seed", "int_at_least", "positive_float",
           "nonnegative_float", "probability", "open_unit_interval", "prime_at_least",
           "comma_list", "CommaLists", "float_at_least", "straggler_model",
           "NO_MATPLOTLIB", "NO_MATPLOTLIB_RERUN", "pyplot",
           "draws_with_pyplot", "save_figure", "write_plot", "Output", "add_command",
           "run_command", "main"]


# ----------------------------------------------------------------------------- validators

def _parsed(kind, text, noun):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None


def _checked(check, value, text, what):
    """``check(value)`` (a fastcode._util.validate call) with argparse's error and text."""
    try:
        return check(value)
    except InvalidArgumentError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _real(text):
    value = _parsed(float, text, "a number")
    return _checked(lambda v: validate.real_scalar(v, "value"), value, text, "a finite number")


def int_at_least(minimum):
    """argparse type: an integer >= ``minimum`` (counts of workers, rounds, trials...)."""
    def parse(text):
        value = _parsed(int, text, "an integer")
        return _checked(lambda v: validate.integer(v, "value", minimum), value, text,
                        f"an integer >= {minimum}")
    parse.__name__ = f"int_at_least_{minimum}"
    return parse


count = int_at_least(1)
"""argparse type: an integer >= 1 (a number of workers, rounds, trials, rows...)."""
optional_count = int_at_least(0)
"""argparse type: an integer >= 0 (a count where 0 skips a part of the run)."""
random_seed = int_at_least(0)
"""argparse type: a random seed, an integer >= 0 (what numpy.random.default_rng accepts)."""


def _real_where(check, what):
    def parse(text):
        return _checked(check, _real(text), text, what)
    return parse


positive_float = _real_where(lambda v: validate.real_scalar(v, "value", positive=True),
                             "a number > 0")
"""argparse type: a finite number > 0 (times, rates, scales)."""
nonnegative_float = _real_where(lambda v: validate.real_scalar(v, "value", nonnegative=True),
                                "a number >= 0")
"""argparse type: a finite number >= 0 (shifts, weights)."""
probability = _real_where(lambda v: validate.probability(v, "value"), "a probability in [0, 1)")
"""argparse type: a probability in [0, 1) (a failure probability)."""


def _below_one(value):
    if value >= 1:
        raise InvalidArgumentError(f"value must be < 1, got {value}")
    return value


open_unit_interval = _real_where(
    lambda v: _below_one(validate.real_scalar(v, "value", positive=True)), "a number in (0, 1)")
"""argparse type: a number in (0, 1) (a confidence level)."""


def float_at_least(minimum):
    """argparse type: a finite number >= ``minimum`` (a ratio that cannot go below 1)."""
    def check(value):
        if value < minimum:
            raise InvalidArgumentError(f"value must be >= {minimum}, got {value}")
        return value
    parse = _real_where(check, f"a number >= {minimum:g}")
    parse.__name__ = f"float_at_least_{minimum:g}"
    return parse


def prime_at_least(minimum):
    """argparse type: a prime p with ``minimum`` <= p < 2^31 (the primes PrimeField takes)."""
    def parse(text):
        value = _parsed(int, text, "an integer")
        _checked(lambda v: validate.integer(v, "p", minimum), value, text, f"a prime >= {minimum}")
        if value >= 2**31 or not is_prime(value):
            raise argparse.ArgumentTypeError(f"expected a prime below 2^31, got {text!r}")
        return value
    parse.__name__ = f"prime_at_least_{minimum}"
    return parse


def comma_list(element):
    """argparse type: comma-separated values, each parsed and checked by the argparse type
    ``element`` (e.g. ``comma_list(count)``: "5,10" -> (5, 10)); "" gives ()."""
    def parse(text):
        try:
            return tuple(element(v.strip()) for v in text.split(",") if v.strip())
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"in the list {text!r}: {exc}") from None
    parse.__name__ = f"comma_list_of_{getattr(element, '__name__', 'values')}"
    return parse


class CommaLists(argparse.Action):
    """With ``nargs="+"`` and a :func:`comma_list` type: ``--n 5,10 20`` gives (5, 10, 20),
    so commas (the one list syntax of every command) and spaces both work."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, tuple(v for part in values for v in part))


def straggler_model(spec, allow_none=True):
    """argparse type of --straggler: none | shifted-exp:SHIFT,RATE -> None or a
    ShiftedExponential (times in model units; see --time-scale)."""
    if spec == "none" and allow_none:
        return None
    name, _, params = spec.partition(":")
    allowed = "none or shifted-exp:SHIFT,RATE" if allow_none else "shifted-exp:SHIFT,RATE"
    if name != "shifted-exp":
        raise argparse.ArgumentTypeError(f"expected {allowed}, got {spec!r}")
    try:
        shift, rate = (float(v) for v in params.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {allowed}, got {spec!r}") from None
    from fastcode.sim import ShiftedExponential, SimParameterError
    try:
        return ShiftedExponential(rate, shift=shift)
    except SimParameterError as exc:
        raise argparse.ArgumentTypeError(f"{spec!r}: {exc}") from None



# ----------------------------------------------------------------------------- plots

NO_MATPLOTLIB = "cannot plot: matplotlib is not installed (pip install 'fastcode[plot]')"
"""What ``plot`` returns when matplotlib is missing."""
NO_MATPLOTLIB_RERUN = ("matplotlib is not installed, so no plot was written: "
                       "pip install 'fastcode[plot]' (or matplotlib) and run again with --plot")
"""The same, worded with the hint to run again (the stream and bcgc reproductions)."""


def pyplot():
    """``matplotlib.pyplot`` drawing to files only (the Agg backend), or None when
    matplotlib is not installed (``pip install 'fastcode[plot]'``)."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only: never needs a display
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def draws_with_pyplot(missing=NO_MATPLOTLIB):
    """Decorator making ``draw(plt, tables, path)`` a reproduction's ``plot(tables, path)``:
    it returns ``missing`` (why no figure was written) when matplotlib is not installed,
    else what ``draw`` returns (None)."""
    def decorate(draw):
        def plot(tables, path):
            plt = pyplot()
            return missing if plt is None else draw(plt, tables, path)

        plot.needs_matplotlib = True     # run_command checks for it before any work
        # the name and doc of ``draw``, but not its signature: callers see plot(tables, path)
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(plot, attr, getattr(draw, attr))
        return plot
    return decorate


def save_figure(plt, fig, path, **savefig):
    """Lay ``fig`` out, write it to ``path`` (``savefig`` options such as ``dpi``) and close it."""
    fig.tight_layout()
    fig.savefig(path, **savefig)
    plt.close(fig)


def write_plot(plot, data, path, written="plot written to {path}"):
    """Draw ``data`` to ``path`` with ``plot(data, path)`` (which returns None or why it
    could not, e.g. matplotlib missing: printed to stderr); returns True if drawn."""
    problem = plot(data, path)
    if problem:
        print(problem, file=sys.stderr)
        return False
    print(written.format(path=path))
    return True


# ----------------------------------------------------------------------------- the shared tail

@dataclass(frozen=True)
class Output:
    """How ``fastcode simulate NAME`` frames its tables.  The reproductions printed these
    differently before they shared one tail; the fields keep their output byte for byte.

    ``footer``: a last line after a blank one ("" for none), ``str.format``-ed with the
    settings, ``seconds`` (the run's wall time) and ``checks`` ("yes" when no table reports
    a failed check, else "NO"); ``plot_written``: the line once the figure is drawn;
    ``plot_before_footer``: print that line before the footer; ``plot_failure_status``:
    the exit status when no figure could be drawn; ``error_prefix``: between
    ``fastcode simulate NAME:`` (and a space) and the message of a refused setting."""

    footer: str = ""
    plot_written: str = "plot written to {path}"
    plot_before_footer: bool = False
    plot_failure_status: int = 1
    error_prefix: str = "error: "


def add_command(parser, module):
    """Fill the ``fastcode simulate NAME`` subparser ``parser`` of reproduction ``module``."""
    module.add_arguments(parser)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document (settings, tables, fastcode version, "
                             "machine) instead of the tables")
    parser.set_defaults(func=lambda args: run_command(module, args))


NOT_SETTINGS = frozenset({"command", "target", "func", "json", "debug", "tally"})
"""Parsed names that are not settings of a reproduction's ``run`` (the CLI's own)."""

MATPLOTLIB_MISSING = "needs matplotlib, which is not installed (pip install 'fastcode[plot]')"
"""Why ``--plot`` is refused before any work when matplotlib is missing."""


def plot_unavailable(plot):
    """True when ``plot`` (a reproduction's, or the demo's) needs matplotlib and it is
    missing: asked before any work, so ``--plot`` fails at once, not after the run."""
    return getattr(plot, "needs_matplotlib", False) and pyplot() is None


def run_command(module, args):
    """Run reproduction ``module`` with the parsed ``args``, print its tables (or, with
    ``--json``, one JSON document) and draw them with ``--plot FILE``; returns the exit
    status: 0, 1 (a failed check or no figure) or 2 (a setting ``run`` refused, or
    ``--plot`` without matplotlib, refused before any work)."""
    prog = f"fastcode simulate {module.NAME}"
    out = getattr(module, "OUTPUT", Output())
    settings = {k: v for k, v in vars(args).items() if k not in NOT_SETTINGS}
    path = settings.pop("plot", None)
    if path and plot_unavailable(module.plot):
        print(f"{prog}: error: argument --plot: {MATPLOTLIB_MISSING}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        tables = module.run(**settings)
    except ValueError as exc:        # the InvalidArgumentError of a setting run() refused
        print(f"{prog}: {out.error_prefix}{exc}", file=sys.stderr)
        return 2
    failures = sum(t.failures for t in tables)
    if getattr(args, "json", False):
        return _json_tail(module, prog, settings, tables, failures, path, out)
    print("\n\n".join(t.format() for t in tables))
    footer = out.footer.format(**settings, seconds=time.perf_counter() - t0,
                               checks="NO" if failures else "yes")
    status = 1 if failures else 0
    if path and out.plot_before_footer and not _plotted(module, tables, path, out):
        status = max(status, out.plot_failure_status)
    if footer:
        print(f"\n{footer}")
    if failures:
        print(f"{prog}: some check failed", file=sys.stderr)
    if path and not out.plot_before_footer and not _plotted(module, tables, path, out):
        status = max(status, out.plot_failure_status)
    return status


def _plotted(module, tables, path, out):
    return write_plot(module.plot, tables, path, out.plot_written)


def _json_tail(module, prog, settings, tables, failures, path, out):
    """The ``--json`` output of ``fastcode simulate NAME``: the document on stdout, every
    other line (a failed check, the plot) on stderr."""
    from fastcode._document import document, dumps, table_records
    print(dumps(document(f"simulate {module.NAME}", settings,
                         [table_records(t) for t in tables])))
    status = 1 if failures else 0
    if failures:
        print(f"{prog}: some check failed", file=sys.stderr)
    if path:
        problem = module.plot(tables, path)
        if problem:
            print(problem, file=sys.stderr)
            status = max(status, out.plot_failure_status)
        else:
            print(out.plot_written.format(path=path).strip(), file=sys.stderr)
    return status


def main(name, argv=None):
    """``python -m fastcode.repro NAME [options]``: the same as ``fastcode simulate NAME``."""
    module = reproduction(name)
    parser = argparse.ArgumentParser(prog=f"fastcode simulate {name}", description=module.SUMMARY,
                                     allow_abbrev=False)
    add_command(parser, module)
    args = parser.parse_args(argv)
    return args.func(args)
