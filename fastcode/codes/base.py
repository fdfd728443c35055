"""The contract every code in fastcode satisfies.

A code spreads work over ``n`` workers (or shards) so that the results of
enough of them give the answer:

* ``n``: workers (shards, evaluation points);
* ``k``: the recovery threshold, the number of results that always suffices
  (some codes decode from fewer on lucky patterns: see ``can_decode``);
* ``field``: the field the code computes over (``fastcode.fields``);
* ``encode(...)``: the coded payloads (arguments depend on the code: data
  rows for an MDS code, two matrices for a polynomial code, one worker's
  partial gradients for a gradient code);
* ``can_decode(indices) -> bool``: whether ``decode`` succeeds on the results
  of the workers ``indices`` (an iterable of distinct ints in [0, n)).  It is
  exact: ``decode`` succeeds iff ``can_decode`` is True; invalid indices
  (out of range, duplicated) raise InvalidArgumentError in both;
* ``decode(results, indices, out=None)``: the answer from ``results``, which
  pair with ``indices`` positionally (``results[i]`` came from worker
  ``indices[i]``); ``out``, when given, receives the answer and is returned.

The index list has one name everywhere, ``indices``.  The names used before
(``present``, ``workers``, ``responders``, ``shards``, ``coded``) still work
as keywords for one release and raise a DeprecationWarning (``renamed``).
"""
from __future__ import annotations

import abc
import warnings
from typing import Any, Iterable, Optional

from fastcode.fields.base import Field

#: The index list of ``can_decode`` / ``decode``: distinct worker ids in [0, n), any order.
Indices = Iterable[int]

__all__ = ["Code", "REQUIRED", "renamed"]


class Code(abc.ABC):
    """Abstract base of every code (see the module docstring for the contract).

    Attributes set by each code: ``n``, ``field``, and ``k`` (the recovery
    threshold; also ``recovery_threshold``)."""

    n: int
    k: int
    field: Field

    @abc.abstractmethod
    def encode(self, *args: Any, **kwargs: Any) -> Any:
        """The coded payloads (arguments depend on the code)."""

    @abc.abstractmethod
    def can_decode(self, indices: Indices) -> bool:
        """True iff ``decode`` succeeds on the results of the workers ``indices``."""

    @abc.abstractmethod
    def decode(self, results: Any, indices: Indices, out: Optional[Any] = None) -> Any:
        """The answer from ``results`` (paired positionally with ``indices``)."""


class _Required:
    """Default of an argument that is required but may still arrive under its old
    keyword name (see ``renamed``); shown as <required> in signatures."""

    def __repr__(self):
        return "<required>"


REQUIRED: Any = _Required()


def renamed(where: str, new: str, value: Any, old: str, old_value: Any) -> Any:
    """The value of argument ``new`` of ``where`` (e.g. "MDSCode.decode"), which
    callers may still pass under its deprecated keyword ``old`` for one release
    (with a DeprecationWarning).  ``value``/``old_value`` are what the call gave
    (``REQUIRED``/None when absent).  TypeError when both or neither are given.

    Methods keep the old name as a keyword-only parameter (default None) and
    call this only when it is set or the new one is missing: the common
    positional call costs one comparison, no wrapper."""
    if old_value is None:
        if value is REQUIRED:
            raise TypeError(f"{where}() missing required argument: '{new}'")
        return value
    if value is not REQUIRED:
        raise TypeError(f"{where}() got both {old}= and {new}=")
    warnings.warn(f"{where}({old}=...) is deprecated; use {new}=", DeprecationWarning, stacklevel=3)
    return old_value
