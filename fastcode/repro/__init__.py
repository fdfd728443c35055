"""Reproductions of the seed papers' experiments: settings -> tables -> plot.

Every module ``fastcode.repro.NAME`` has one shape (see :mod:`fastcode.repro.cli`):
``NAME``, ``SUMMARY``, ``add_arguments(parser)``, ``run(**settings) -> list[Table]`` and
``plot(tables, path)``, plus module constants for its defaults.  ``fastcode simulate NAME``
runs it through the one shared tail, :func:`fastcode.repro.cli.run_command`.

    lee       Lee et al.: E[T] of uncoded, replication and MDS codes (analytic + Monte Carlo)
    stream    stream coded computing on heterogeneous workers
    gradient  gradient codes: approximation error and training under failures
    dmtl      coded distributed multi-task learning and separable computation
    shuffle   coded data shuffling loads
    bcgc      block-coordinate gradient coding for partial stragglers
    lagrange  Lagrange coded computing: workers needed, completion time with adversaries

Modules are imported on first use, so importing this package (or its validators in
``fastcode.repro.cli``) stays cheap.
"""
from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["REPRODUCTIONS", "reproduction"]

REPRODUCTIONS = {name: f"fastcode.repro.{name}"
                 for name in ("lee", "stream", "gradient", "dmtl", "shuffle", "bcgc", "lagrange")}
"""``fastcode simulate`` targets, in the order of its help: name -> module."""


def reproduction(name: str) -> ModuleType:
    """The reproduction module called ``name`` (imported now).

    Parameters
    ----------
    name : str
        A key of ``REPRODUCTIONS`` (a ``fastcode simulate`` target).

    Returns
    -------
    module
        ``fastcode.repro.NAME``, with ``NAME``, ``SUMMARY``,
        ``add_arguments``, ``run`` and ``plot``.

    Raises
    ------
    KeyError
        No reproduction ``name``; the message lists the ones there are.

    Examples
    --------
    >>> from fastcode.repro import REPRODUCTIONS, reproduction
    >>> list(REPRODUCTIONS)
    ['lee', 'stream', 'gradient', 'dmtl', 'shuffle', 'bcgc', 'lagrange']
    >>> lee = reproduction("lee")
    >>> lee.NAME, lee.SUMMARY
    ('lee', 'Lee et al. E[T] table, E[T] versus k and speed-up versus n (analytic + Monte Carlo).')
    >>> [t.name for t in lee.run(n=(10,), mu=(1.0,), trials=0, curve_n=4, speedup_n=(10,))]
    ['table', 'k-curve', 'speedup']
    >>> reproduction("nope")
    Traceback (most recent call last):
    ...
    KeyError: "no reproduction 'nope'; there are lee, stream, gradient, dmtl, shuffle, bcgc, lagrange"
    """
    if name not in REPRODUCTIONS:
        raise KeyError(f"no reproduction {name!r}; there are {', '.join(REPRODUCTIONS)}")
    return importlib.import_module(REPRODUCTIONS[name])
