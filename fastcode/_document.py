"""The one JSON document that ``--json`` prints, for every command.

Shape (keys in this order)::

    {"command": "run mds",              # what ran
     "fastcode_version": "0.1.0",
     "machine": {...},                  # fastcode.info() plus the CPU model and core count
     "parameters": {...},               # every setting of the run, defaults included
     "results": [...]}                  # one object per scheme or table

Units are in the key names (``mean_s`` is seconds, ``throughput_GBps`` GB/s).
Values are made JSON-safe: NumPy scalars become Python numbers, fractions
floats, tuples lists, and the non-finite floats the strings ``"inf"``,
``"-inf"`` and ``"nan"`` (JSON has no such numbers; strict parsers refuse
``Infinity``).  The document is printed on one line, so a script can read the
last line of a run's output.
"""
import json
import math
import os
import platform as _py_platform
from fractions import Fraction
from numbers import Integral, Real

import numpy as np

__all__ = ["machine", "document", "jsonable", "dumps", "table_records"]


def machine():
    """What ran the command: ``fastcode.info()`` plus ``cpu_model``, ``cpu_count`` and ``os``."""
    from fastcode.platform import cpu_model, info
    out = dict(info())
    out.pop("version", None)                      # the document has it at the top
    out.update(cpu_model=cpu_model(), cpu_count=os.cpu_count(),
               os=f"{_py_platform.system()} {_py_platform.release()}")
    return out


def jsonable(value):
    """``value`` with every leaf made JSON-safe (see the module doc)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return bool(value) if isinstance(value, np.bool_) else value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, (Real, Fraction)):
        v = float(value)
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else v
    return str(value)


def document(command, parameters, results):
    """The document of one command (a dict; :func:`dumps` writes it)."""
    from fastcode import __version__
    return {"command": command, "fastcode_version": __version__, "machine": machine(),
            "parameters": jsonable(parameters), "results": jsonable(results)}


def dumps(doc):
    """``doc`` as one line of strict JSON."""
    return json.dumps(jsonable(doc), allow_nan=False)


def table_records(table):
    """A :class:`fastcode._util.tables.Table` as a JSON-ready dict: its ``name``, ``title``,
    ``columns``, ``rows`` (one ``{column: value}`` object per row) and ``notes``."""
    return {"name": table.name, "title": table.title, "columns": list(table.columns),
            "rows": [dict(zip(table.columns, row)) for row in table.rows],
            "notes": [n for n in table.notes if n.strip()], "failures": table.failures}
