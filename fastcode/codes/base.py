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

    A code spreads work over ``n`` workers (or shards) so that the results of
    any ``k`` of them (the recovery threshold) give the answer.  Subclasses set
    the attributes below and implement ``encode``, ``can_decode`` and
    ``decode``; code that only needs the contract (a cluster round, a
    simulator) can then drive any of them.  The attributes every code sets:
    ``n`` (int: workers, shards, evaluation points), ``k`` (int: the recovery
    threshold, results that always suffice; also ``recovery_threshold``) and
    ``field`` (the ``fastcode.fields`` field the code computes over).

    See Also
    --------
    fastcode.codes.mds.MDSCode, fastcode.codes.polynomial.PolynomialCode,
    fastcode.codes.gradient.GradientCode

    Examples
    --------
    Every code of fastcode is a ``Code``:

    >>> from fastcode import MDSCode
    >>> from fastcode.codes import Code
    >>> code = MDSCode(5, 3)
    >>> isinstance(code, Code), code.n, code.k
    (True, 5, 3)
    >>> code.can_decode([0, 4]), code.can_decode([0, 2, 4])
    (False, True)

    A new code implements the three methods; here a repetition code, where
    every worker holds the whole payload and any one result is the answer:

    >>> from fastcode import GF256
    >>> class Repetition(Code):
    ...     def __init__(self, n):
    ...         self.n, self.k, self.field = n, 1, GF256
    ...     def encode(self, data):
    ...         return [data] * self.n
    ...     def can_decode(self, indices):
    ...         return len(list(indices)) >= 1
    ...     def decode(self, results, indices, out=None):
    ...         return results[0]
    >>> rep = Repetition(3)
    >>> payloads = rep.encode(b"abc")
    >>> rep.can_decode([]), rep.decode([payloads[2]], [2])
    (False, b'abc')
    """

    n: int
    k: int
    field: Field

    @abc.abstractmethod
    def encode(self, *args: Any, **kwargs: Any) -> Any:
        """The coded payloads (arguments depend on the code).

        Parameters
        ----------
        *args, **kwargs
            The code's inputs: data rows for an MDS code, two matrices for a
            polynomial code, one worker's partial gradients for a gradient code.

        Returns
        -------
        object
            The coded payloads, in the form the code documents.
        """

    @abc.abstractmethod
    def can_decode(self, indices: Indices) -> bool:
        """True iff ``decode`` succeeds on the results of the workers ``indices``.

        Exact: ``decode`` succeeds iff this is True.

        Parameters
        ----------
        indices : iterable of int
            Distinct worker ids in [0, n), any order.

        Returns
        -------
        bool
            Whether those results decode.

        Raises
        ------
        InvalidArgumentError
            Indices out of range or duplicated (as in ``decode``).
        """

    @abc.abstractmethod
    def decode(self, results: Any, indices: Indices, out: Optional[Any] = None) -> Any:
        """The answer from ``results`` (paired positionally with ``indices``).

        Parameters
        ----------
        results : sequence
            ``results[i]`` came from worker ``indices[i]``.
        indices : iterable of int
            Distinct worker ids in [0, n).
        out : optional
            Receives the answer when given.

        Returns
        -------
        object
            The answer (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            ``can_decode(indices)`` is False.
        InvalidArgumentError
            Indices out of range or duplicated.
        """


class _Required:
    """Default of an argument that is required but may still arrive under its old
    keyword name (see ``renamed``); shown as <required> in signatures."""

    def __repr__(self):
        return "<required>"


REQUIRED: Any = _Required()


def renamed(where: str, new: str, value: Any, old: str, old_value: Any) -> Any:
    """The value of an argument that may still arrive under its deprecated name.

    Argument ``new`` of ``where`` (e.g. "MDSCode.decode") was called ``old``
    before; callers may still pass ``old=`` for one release, with a
    DeprecationWarning.  Methods keep the old name as a keyword-only parameter
    (default None) and call this only when it is set or the new one is
    missing: the common positional call costs one comparison, no wrapper.

    Parameters
    ----------
    where : str
        The function's name, for messages.
    new : str
        The argument's current name.
    value : object
        What the call gave for ``new`` (``REQUIRED`` when absent).
    old : str
        The deprecated keyword name.
    old_value : object
        What the call gave for ``old`` (None when absent).

    Returns
    -------
    object
        ``value``, or ``old_value`` when the old keyword was used.

    Raises
    ------
    TypeError
        Both names were given, or neither.

    Examples
    --------
    >>> import warnings
    >>> from fastcode.codes.base import REQUIRED, renamed
    >>> renamed("f", "indices", [1, 2], "present", None)
    [1, 2]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed("f", "indices", REQUIRED, "present", [0, 3])
    [0, 3]
    >>> print(caught[0].message)
    f(present=...) is deprecated; use indices=
    """
    if old_value is None:
        if value is REQUIRED:
            raise TypeError(f"{where}() missing required argument: '{new}'")
        return value
    if value is not REQUIRED:
        raise TypeError(f"{where}() got both {old}= and {new}=")
    warnings.warn(f"{where}({old}=...) is deprecated; use {new}=", DeprecationWarning, stacklevel=3)
    return old_value
