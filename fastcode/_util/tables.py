"""One printable result table for every reproduction and report.

A :class:`Table` holds a ``title`` (one or more lines), ``columns`` (names),
``rows`` (tuples, one value per column) and ``notes`` (lines printed below).
``format()`` lays it out as right-aligned columns under a dashed rule::

    title
       N  mu  uncoded
    ----  --  -------
       5   1    370.0
    note

How a value is written is chosen per column (``formats``) or for the whole
table (``cell``); the cell writers below are the styles the reproductions
print.  A table whose layout is not a grid of columns (a report section of
free lines, a table with grouped heads) passes its own ``layout(table)``:
the data stays in ``rows`` (``column(name)`` works) and only the text differs.

Lowest layer: imports nothing from fastcode.
"""
import math
from numbers import Integral

__all__ = ["Table", "Flagged", "general_cell", "fixed_cell", "spec_cell", "by_name"]


class Flagged(float):
    """A number printed with a trailing mark (default ``*``), e.g. a delay measured on an
    unstable queue; it compares and computes as the plain float."""

    def __new__(cls, value, mark="*"):
        obj = super().__new__(cls, value)
        obj.mark = mark
        return obj


def _cell_writer(write_real):
    """A cell writer: strings as they are, integers exactly, infinities as ``inf``, other
    numbers with ``write_real(float)``."""
    def write(v):
        if isinstance(v, str):
            return v
        if isinstance(v, Integral):
            return str(int(v))
        v = float(v)
        return "inf" if math.isinf(v) else write_real(v)
    return write


def _general_real(v):
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.3g}"
    return f"{v:.4g}" if abs(v) >= 100 else f"{v:.3f}"


def _fixed_real(v):
    if abs(v) >= 100:
        return f"{v:.1f}"
    if abs(v) >= 1 or v == 0:
        return f"{v:.3f}"
    return f"{v:.3g}" if abs(v) < 1e-3 else f"{v:.4f}"


general_cell = _cell_writer(_general_real)
"""Cell writer: strings as they are, integers exactly, other numbers with about four
significant digits (``12.346``, ``1235``, ``1.23e+05``, ``0.000123``), ``inf``."""

fixed_cell = _cell_writer(_fixed_real)
"""Cell writer: strings as they are, integers exactly, other numbers without scientific
notation above 1e-3: one decimal from 100 on (runtimes around 10^4), three from 1, four
below (probabilities), ``.3g`` under 1e-3; ``inf``."""


def spec_cell(spec):
    """A cell writer: floats with the format ``spec`` (e.g. ``".4g"``), anything else with ``str``."""
    def write(v):
        return format(v, spec) if isinstance(v, float) else str(v)
    write.__name__ = f"spec_cell_{spec}"
    return write


def by_name(tables):
    """``{table.name: table}`` of a list of tables (a reproduction's ``run`` result)."""
    return {t.name: t for t in tables}


class Table:
    """A printable result table.

    ``title``: text above the table ("" for none); ``columns``: names; ``rows``: tuples of
    values in column order; ``notes``: lines below.  Keyword options:

    ``cell``       writer of a value (default :func:`general_cell`);
    ``formats``    ``{column: spec or callable}``: a format spec (``"g"``, ``"8.4f"``) or a
                   writer for that column;
    ``headers``    ``{column: text}``: the printed head where it is not the name;
    ``left``       columns whose head and cells are left-aligned (others right-aligned);
    ``groups``     sizes of column groups: cells of a group are separated by two spaces,
                   groups by ``" | "``, and the rule under the head crosses them with ``+``;
    ``layout``     ``layout(table) -> str`` replacing the column layout (report sections);
    ``name``       a short key (``"runtime"``) to pick a table out of a reproduction's list;
    ``plot_data``  data a plot needs that the table does not print;
    ``failures``   number of failed checks the table reports (0: all passed).
    """

    def __init__(self, title, columns, rows=None, notes=(), *, cell=general_cell, formats=None,
                 headers=None, left=(), groups=None, layout=None, name=None, plot_data=None,
                 failures=0):
        self.title = title
        self.columns = list(columns)
        self.rows = [] if rows is None else [tuple(r) for r in rows]
        self.notes = list(notes)
        self.cell = cell
        self.formats = dict(formats or {})
        self.headers = dict(headers or {})
        self.left = set(left)
        self.groups = None if groups is None else list(groups)
        self.layout = layout
        self.name = name
        self.plot_data = {} if plot_data is None else plot_data
        self.failures = int(failures)
        unknown = (set(self.formats) | set(self.headers) | self.left) - set(self.columns)
        if unknown:
            raise ValueError(f"formats/headers/left name unknown columns {sorted(unknown)}")
        if self.groups is not None and sum(self.groups) != len(self.columns):
            raise ValueError(f"groups {self.groups} do not add up to {len(self.columns)} columns")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"a row of {len(row)} values for {len(self.columns)} columns")

    def column(self, name):
        """The values of one column, as a list."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def text(self, value, column):
        """``value`` written as a cell of ``column``."""
        spec = self.formats.get(column)
        if isinstance(value, Flagged):
            return self.text(float(value), column) + value.mark
        if spec is None:
            return self.cell(value)
        if callable(spec):
            return spec(value)
        return format(value, spec)

    def format(self):
        """The table as text (no trailing newline)."""
        if self.layout is not None:
            return self.layout(self)
        lines = [self.title] if self.title else []
        if self.columns:
            lines += self._grid()
        return "\n".join(lines + self.notes)

    def _grid(self):
        heads = [self.headers.get(c, c) for c in self.columns]
        cells = [[self.text(v, c) for v, c in zip(row, self.columns)] for row in self.rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(heads)]

        def line(texts):
            return self._join([t.ljust(w) if c in self.left else t.rjust(w)
                               for t, w, c in zip(texts, widths, self.columns)])
        if self.groups is None:
            rule = "  ".join("-" * w for w in widths)
        else:
            rule = "-+-".join("-" * (sum(ws) + 2 * (len(ws) - 1)) for ws in self._grouped(widths))
        return [line(heads), rule] + [line(r) for r in cells]

    def _join(self, texts):
        if self.groups is None:
            return "  ".join(texts)
        return " | ".join("  ".join(group) for group in self._grouped(texts))

    def _grouped(self, items):
        out, start = [], 0
        for size in self.groups:
            out.append(items[start:start + size])
            start += size
        return out

    def __repr__(self):
        return f"Table({self.title!r}, {len(self.rows)} rows)"
