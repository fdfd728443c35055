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
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Tuple, TypeVar, Union

from fastcode._util import validate
from fastcode.errors import InvalidArgumentError
from fastcode.fields.prime import is_prime
from fastcode.repro import reproduction

if TYPE_CHECKING:
    from fastcode.sim.stragglers import ShiftedExponential

__all__ = ["count", "optional_count", "random_seed", "int_at_least", "positive_float",
           "nonnegative_float", "probability", "open_unit_interval", "prime_at_least",
           "comma_list", "CommaLists", "float_at_least", "straggler_model",
           "NO_MATPLOTLIB", "NO_MATPLOTLIB_RERUN", "pyplot",
           "draws_with_pyplot", "save_figure", "write_plot", "Output", "add_command",
           "run_command", "main"]


T = TypeVar("T")
#: Where a figure is written: a file name or path (its suffix picks the format).
PathLike = Union[str, "os.PathLike[str]"]

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


def int_at_least(minimum: int) -> Callable[[str], int]:
    """argparse type: an integer >= ``minimum`` (counts of workers, rounds, trials...).

    Parameters
    ----------
    minimum : int
        The smallest value accepted.

    Returns
    -------
    callable
        ``parse(text) -> int``, named ``int_at_least_<minimum>``; it raises
        ``argparse.ArgumentTypeError`` (one "expected ..., got ..." message)
        for a bad value.

    See Also
    --------
    count, optional_count, random_seed : the instances every command uses.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro.cli import int_at_least
    >>> parser = argparse.ArgumentParser(prog="demo")
    >>> _ = parser.add_argument("--rows", type=int_at_least(8))
    >>> parser.parse_args(["--rows", "16"]).rows
    16
    >>> int_at_least(8).__name__
    'int_at_least_8'
    """
    def parse(text: str) -> int:
        """Parse ``text`` as an integer of at least the factory's minimum (an argparse ``type=``).

        Parameters
        ----------
        text : str
            The option's text.

        Returns
        -------
        int
            The value.

        Raises
        ------
        argparse.ArgumentTypeError
            Not an integer, or below the minimum.

        Examples
        --------
        >>> from fastcode.repro.cli import count
        >>> count("5")
        5
        >>> count("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: expected an integer >= 1, got '0'
        """
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


def _real_where(check: Callable[[float], float], what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        """Parse ``text`` as a finite number and check it (an argparse ``type=``).

        Parameters
        ----------
        text : str
            The option's text.

        Returns
        -------
        float
            The value.

        Raises
        ------
        argparse.ArgumentTypeError
            Not a finite number, or outside the accepted range (the message
            says which range).

        Examples
        --------
        >>> from fastcode.repro.cli import positive_float, probability
        >>> positive_float("2.5")
        2.5
        >>> probability("1")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: expected a probability in [0, 1), got '1'
        """
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


def float_at_least(minimum: float) -> Callable[[str], float]:
    """argparse type: a finite number >= ``minimum`` (a ratio that cannot go below 1).

    Parameters
    ----------
    minimum : float
        The smallest value accepted.

    Returns
    -------
    callable
        ``parse(text) -> float``, named ``float_at_least_<minimum>``.

    Examples
    --------
    >>> from fastcode.repro.cli import float_at_least
    >>> ratio = float_at_least(1)
    >>> ratio("1.5"), ratio.__name__
    (1.5, 'float_at_least_1')
    >>> ratio("0.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a number >= 1, got '0.5'
    """
    def check(value: float) -> float:
        if value < minimum:
            raise InvalidArgumentError(f"value must be >= {minimum}, got {value}")
        return value
    parse = _real_where(check, f"a number >= {minimum:g}")
    parse.__name__ = f"float_at_least_{minimum:g}"
    return parse


def prime_at_least(minimum: int) -> Callable[[str], int]:
    """argparse type: a prime p with ``minimum`` <= p < 2^31 (the primes PrimeField takes).

    Parameters
    ----------
    minimum : int
        The smallest prime accepted.

    Returns
    -------
    callable
        ``parse(text) -> int``, named ``prime_at_least_<minimum>``.

    Examples
    --------
    >>> from fastcode.repro.cli import prime_at_least
    >>> prime = prime_at_least(3)
    >>> prime("65537")
    65537
    >>> prime("8")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a prime below 2^31, got '8'
    """
    def parse(text: str) -> int:
        """Parse ``text`` as a prime of at least the factory's minimum and below 2^31.

        Parameters
        ----------
        text : str
            The option's text.

        Returns
        -------
        int
            The prime.

        Raises
        ------
        argparse.ArgumentTypeError
            Not an integer, below the minimum, not a prime or not below 2^31.

        Examples
        --------
        >>> from fastcode.repro.cli import prime_at_least
        >>> prime_at_least(2)("2147483647")
        2147483647
        """
        value = _parsed(int, text, "an integer")
        _checked(lambda v: validate.integer(v, "p", minimum), value, text, f"a prime >= {minimum}")
        if value >= 2**31 or not is_prime(value):
            raise argparse.ArgumentTypeError(f"expected a prime below 2^31, got {text!r}")
        return value
    parse.__name__ = f"prime_at_least_{minimum}"
    return parse


def comma_list(element: Callable[[str], T]) -> Callable[[str], Tuple[T, ...]]:
    """argparse type: comma-separated values, each parsed and checked by the argparse type ``element``.

    E.g. ``comma_list(count)``: "5,10" -> (5, 10); "" gives ().  Blanks
    around the commas are ignored.

    Parameters
    ----------
    element : callable
        The argparse type of one value (``str -> value``).

    Returns
    -------
    callable
        ``parse(text) -> tuple``, named ``comma_list_of_<element's name>``.

    See Also
    --------
    CommaLists : the action that also takes space-separated lists.

    Examples
    --------
    >>> from fastcode.repro.cli import comma_list, count
    >>> counts = comma_list(count)
    >>> counts("5, 10"), counts("")
    ((5, 10), ())
    >>> counts("5,x")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: in the list '5,x': expected an integer, got 'x'
    """
    def parse(text: str) -> Tuple[T, ...]:
        """Parse the comma-separated ``text`` with the factory's element type.

        Parameters
        ----------
        text : str
            The option's text, values separated by commas.

        Returns
        -------
        tuple
            The parsed values, in order.

        Raises
        ------
        argparse.ArgumentTypeError
            A value the element type refused; the message quotes the list.

        Examples
        --------
        >>> from fastcode.repro.cli import comma_list, positive_float
        >>> comma_list(positive_float)("0.5,1,2")
        (0.5, 1.0, 2.0)
        """
        try:
            return tuple(element(v.strip()) for v in text.split(",") if v.strip())
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"in the list {text!r}: {exc}") from None
    parse.__name__ = f"comma_list_of_{getattr(element, '__name__', 'values')}"
    return parse


class CommaLists(argparse.Action):
    """An argparse action joining comma lists given as several words.

    With ``nargs="+"`` and a :func:`comma_list` type: ``--n 5,10 20`` gives
    (5, 10, 20), so commas (the one list syntax of every command) and spaces
    both work.

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro.cli import CommaLists, comma_list, count
    >>> parser = argparse.ArgumentParser(prog="demo")
    >>> _ = parser.add_argument("--n", type=comma_list(count), nargs="+", action=CommaLists)
    >>> parser.parse_args(["--n", "5,10", "20"]).n
    (5, 10, 20)
    """

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, tuple(v for part in values for v in part))


def straggler_model(spec: str, allow_none: bool = True) -> Optional[ShiftedExponential]:
    """argparse type of --straggler: none | shifted-exp:SHIFT,RATE -> None or a ShiftedExponential.

    Times are in model units (see --time-scale).

    Parameters
    ----------
    spec : str
        ``none`` or ``shifted-exp:SHIFT,RATE`` (SHIFT >= 0, RATE > 0).
    allow_none : bool, default True
        Whether ``none`` is accepted.

    Returns
    -------
    ShiftedExponential or None
        ``ShiftedExponential(RATE, shift=SHIFT)``, or None for ``none``.

    Raises
    ------
    argparse.ArgumentTypeError
        Any other text, or parameters the model refuses.

    Examples
    --------
    >>> from fastcode.repro.cli import straggler_model
    >>> straggler_model("shifted-exp:1,2")
    ShiftedExponential(mu=2.0, shift=1.0)
    >>> straggler_model("none") is None
    True
    >>> straggler_model("pareto:1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected none or shifted-exp:SHIFT,RATE, got 'pareto:1'
    """
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


def pyplot() -> Any:
    """``matplotlib.pyplot`` drawing to files only (the Agg backend), or None when matplotlib is missing.

    Install it with ``pip install 'fastcode[plot]'``.  Selecting the Agg
    backend means a figure never needs a display.

    Returns
    -------
    module or None
        ``matplotlib.pyplot``, or None when matplotlib is not installed.

    Examples
    --------
    >>> from fastcode.repro.cli import pyplot
    >>> plt = pyplot()
    >>> plt is None or plt.get_backend().lower() == "agg"
    True
    """
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only: never needs a display
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def draws_with_pyplot(missing: str = NO_MATPLOTLIB) -> Callable[
        [Callable[..., Optional[str]]], Callable[[Any, PathLike], Optional[str]]]:
    """Decorator making ``draw(plt, tables, path)`` a reproduction's ``plot(tables, path)``.

    The plot returns ``missing`` (why no figure was written) when matplotlib
    is not installed, else what ``draw`` returns (None).  It carries the name
    and docstring of ``draw`` and ``needs_matplotlib = True`` (so
    :func:`run_command` refuses ``--plot`` before any work).

    Parameters
    ----------
    missing : str, default NO_MATPLOTLIB
        What the plot returns when matplotlib is missing.

    Returns
    -------
    callable
        The decorator: ``draw -> plot``.

    Examples
    --------
    >>> import os, tempfile
    >>> from fastcode.repro.cli import draws_with_pyplot, save_figure
    >>> @draws_with_pyplot("no matplotlib here")
    ... def plot(plt, values, path):
    ...     fig, ax = plt.subplots()
    ...     ax.plot(values)
    ...     save_figure(plt, fig, path)
    >>> plot.needs_matplotlib
    True
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "line.png")
    ...     problem = plot([1, 3, 2], path)
    ...     os.path.exists(path) if problem is None else problem == "no matplotlib here"
    True
    """
    def decorate(draw: Callable[..., Optional[str]]) -> Callable[[Any, PathLike], Optional[str]]:
        def plot(tables: Any, path: PathLike) -> Optional[str]:
            plt = pyplot()
            return missing if plt is None else draw(plt, tables, path)

        plot.needs_matplotlib = True     # type: ignore[attr-defined]  # a flag on the function: run_command checks for it before any work
        # the name and doc of ``draw``, but not its signature: callers see plot(tables, path)
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(plot, attr, getattr(draw, attr))
        return plot
    return decorate


def save_figure(plt: Any, fig: Any, path: PathLike, **savefig: Any) -> None:
    """Lay ``fig`` out, write it to ``path`` (``savefig`` options such as ``dpi``) and close it.

    Parameters
    ----------
    plt : module
        ``matplotlib.pyplot`` (as :func:`pyplot` returns it).
    fig : matplotlib.figure.Figure
        The figure.
    path : str or path
        The file; its suffix picks the format (PNG, PDF, SVG...).
    **savefig
        Options of ``Figure.savefig``, such as ``dpi``.

    Examples
    --------
    >>> import os, tempfile
    >>> from fastcode.repro.cli import pyplot, save_figure
    >>> plt = pyplot()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "bars.png")
    ...     if plt is not None:
    ...         fig, ax = plt.subplots()
    ...         _ = ax.bar([1, 2], [3, 4])
    ...         save_figure(plt, fig, path, dpi=50)
    ...     plt is None or os.path.getsize(path) > 0
    True
    """
    fig.tight_layout()
    fig.savefig(path, **savefig)
    plt.close(fig)


def write_plot(plot: Callable[[Any, PathLike], Optional[str]], data: Any, path: PathLike,
               written: str = "plot written to {path}") -> bool:
    """Draw ``data`` to ``path`` with ``plot(data, path)`` and say so.

    ``plot`` returns None or why it could not draw (e.g. matplotlib missing),
    which is printed to stderr; otherwise ``written`` is printed to stdout.

    Parameters
    ----------
    plot : callable
        ``plot(data, path) -> None or str``, e.g. a reproduction's ``plot``.
    data : object
        What ``plot`` draws (a reproduction's tables).
    path : str or path
        The file.
    written : str, default "plot written to {path}"
        The line printed once drawn, ``str.format``-ed with ``path``.

    Returns
    -------
    bool
        True if drawn.

    Examples
    --------
    >>> from fastcode.repro.cli import write_plot
    >>> def plot(data, path):
    ...     return None              # pretend to draw
    >>> write_plot(plot, [1, 2], "figure.png")
    plot written to figure.png
    True
    >>> write_plot(lambda data, path: "cannot plot", [1, 2], "figure.png")
    False
    """
    problem = plot(data, path)
    if problem:
        print(problem, file=sys.stderr)
        return False
    print(written.format(path=path))
    return True


# ----------------------------------------------------------------------------- the shared tail

@dataclass(frozen=True)
class Output:
    """How ``fastcode simulate NAME`` frames its tables.

    The reproductions printed these differently before they shared one tail;
    the fields keep their output byte for byte.  A reproduction module sets
    one as its ``OUTPUT``.

    Parameters
    ----------
    footer : str, default ""
        A last line after a blank one ("" for none), ``str.format``-ed with the
        settings, ``seconds`` (the run's wall time) and ``checks`` ("yes" when
        no table reports a failed check, else "NO").
    plot_written : str, default "plot written to {path}"
        The line once the figure is drawn.
    plot_before_footer : bool, default False
        Print that line before the footer.
    plot_failure_status : int, default 1
        The exit status when no figure could be drawn.
    error_prefix : str, default "error: "
        Between ``fastcode simulate NAME:`` (and a space) and the message of a
        refused setting.

    Examples
    --------
    >>> from fastcode.repro.cli import Output
    >>> out = Output(footer="done in {seconds:.0f} s; checks passed: {checks}")
    >>> out.footer.format(seconds=2.4, checks="yes")
    'done in 2 s; checks passed: yes'
    >>> out.error_prefix
    'error: '
    """

    footer: str = ""
    plot_written: str = "plot written to {path}"
    plot_before_footer: bool = False
    plot_failure_status: int = 1
    error_prefix: str = "error: "


def add_command(parser: argparse.ArgumentParser, module: ModuleType) -> None:
    """Fill the ``fastcode simulate NAME`` subparser ``parser`` of reproduction ``module``.

    Adds the module's own options (``module.add_arguments``), ``--json``, and
    :func:`run_command` as ``func``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)parser to fill.
    module : module
        A reproduction module (``fastcode.repro.NAME``).

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import reproduction
    >>> from fastcode.repro.cli import add_command
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate shuffle")
    >>> add_command(parser, reproduction("shuffle"))
    >>> args = parser.parse_args(["--trials", "3", "--json"])
    >>> args.trials, args.json, callable(args.func)
    (3, True, True)
    """
    module.add_arguments(parser)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document (settings, tables, fastcode version, "
                             "machine) instead of the tables")
    parser.set_defaults(func=lambda args: run_command(module, args))


NOT_SETTINGS = frozenset({"command", "target", "func", "json", "debug", "tally"})
"""Parsed names that are not settings of a reproduction's ``run`` (the CLI's own)."""

MATPLOTLIB_MISSING = "needs matplotlib, which is not installed (pip install 'fastcode[plot]')"
"""Why ``--plot`` is refused before any work when matplotlib is missing."""


def plot_unavailable(plot: Callable[..., Any]) -> bool:
    """True when ``plot`` (a reproduction's, or the demo's) needs matplotlib and it is
    missing: asked before any work, so ``--plot`` fails at once, not after the run."""
    return getattr(plot, "needs_matplotlib", False) and pyplot() is None


def run_command(module: ModuleType, args: argparse.Namespace) -> int:
    """Run reproduction ``module`` with the parsed ``args``: print its tables and draw them.

    The shared tail of ``fastcode simulate NAME``: ``module.run(**settings)``
    with every parsed option but the CLI's own, then the tables (or, with
    ``--json``, one JSON document), the module's ``OUTPUT`` footer, and the
    figure with ``--plot FILE``.  Errors go to stderr as one line.

    Parameters
    ----------
    module : module
        A reproduction module (``fastcode.repro.NAME``).
    args : argparse.Namespace
        Parsed by a parser that :func:`add_command` filled.

    Returns
    -------
    int
        The exit status: 0, 1 (a failed check or no figure) or 2 (a setting
        ``run`` refused, or ``--plot`` without matplotlib, refused before any
        work).

    Examples
    --------
    >>> import argparse
    >>> from fastcode.repro import reproduction
    >>> from fastcode.repro.cli import add_command, run_command
    >>> shuffle = reproduction("shuffle")
    >>> parser = argparse.ArgumentParser(prog="fastcode simulate shuffle")
    >>> add_command(parser, shuffle)
    >>> status = run_command(shuffle, parser.parse_args(["--trials", "1", "--rows-per-block", "1"]))
    Coded shuffling: load in data units...
    >>> status
    0
    """
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


def _plotted(module: ModuleType, tables: Sequence[Any], path: PathLike, out: Output) -> bool:
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


def main(name: str, argv: Optional[Sequence[str]] = None) -> int:
    """``python -m fastcode.repro NAME [options]``: the same as ``fastcode simulate NAME``.

    Parameters
    ----------
    name : str
        The reproduction (a key of ``fastcode.repro.REPRODUCTIONS``).
    argv : sequence of str, optional
        Its options (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status (see :func:`run_command`).

    Raises
    ------
    KeyError
        No reproduction ``name``.
    SystemExit
        From argparse: ``--help``, or a bad option (status 2).

    Examples
    --------
    >>> from fastcode.repro.cli import main
    >>> status = main("lee", ["--trials", "0", "--n", "10", "--mu", "1", "--curve-n", "4",
    ...                       "--speedup-n", "10"])
    Expected job time E[T]: shifted exponential...
    ...
        1    1.25000
        2    0.79167
        3    0.69444      <- k*
        4    0.77083
    ...
    >>> status
    0
    """
    module = reproduction(name)
    parser = argparse.ArgumentParser(prog=f"fastcode simulate {name}", description=module.SUMMARY,
                                     allow_abbrev=False)
    add_command(parser, module)
    args = parser.parse_args(argv)
    return args.func(args)
