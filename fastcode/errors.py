"""Every error and warning class of fastcode, in one place.

Every error raised on bad input derives from FastcodeError and from the
built-in class a caller would expect (ValueError, TypeError, LinAlgError), so
``except ValueError`` keeps working.  Messages name the argument and say what
was expected and what was given.
"""
from typing import Any, Iterable, Mapping, Optional

import numpy as np


class FastcodeError(Exception):
    """Base class of every fastcode error.

    Catch it to handle any error fastcode raises on bad input or a failed
    round; each subclass also derives from the built-in class a caller would
    expect, so ``except ValueError`` keeps working.

    Examples
    --------
    >>> from fastcode import MDSCode, FastcodeError
    >>> try:
    ...     MDSCode(4, 5)
    ... except FastcodeError as exc:
    ...     print(type(exc).__name__, "-", exc)
    InvalidArgumentError - k must be <= n, got k=5 > n=4
    """


class NotEnoughShardsError(FastcodeError, ValueError):
    """Fewer shards (or responders) than the code needs to decode.

    A ValueError too.

    Examples
    --------
    An RS(6, 4) code needs any 4 of its 6 shards:

    >>> from fastcode import MDSCode, NotEnoughShardsError
    >>> code = MDSCode(6, 4)
    >>> shards = np.zeros((3, 8), dtype=np.uint8)
    >>> try:
    ...     code.decode(shards, [0, 1, 5])
    ... except NotEnoughShardsError as exc:
    ...     print(exc)
    need at least k=4 shards to decode, got 3
    """


class ShardSizeError(FastcodeError, ValueError):
    """Shards, buffers or ``out`` of mismatched or wrong lengths/shapes.

    A ValueError too.

    Examples
    --------
    >>> from fastcode import GF256, ShardSizeError
    >>> A = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    >>> try:
    ...     GF256.matmul(A, np.zeros((3, 16), dtype=np.uint8))
    ... except ShardSizeError as exc:
    ...     print(exc)
    B has 3 rows, expected 2
    """


class SingularMatrixError(FastcodeError, np.linalg.LinAlgError):
    """A matrix that must be invertible is singular over the field.

    A ``numpy.linalg.LinAlgError`` too.  Over GF(2^8) singularity is exact
    (in characteristic 2, the rows (1, 1) and (1, 1) are dependent); over
    Reals it means numerically singular (condition number too large).

    Examples
    --------
    >>> from fastcode import GF256, SingularMatrixError
    >>> try:
    ...     GF256.inv_matrix([[3, 5], [6, 10]])     # row 2 = 2 * row 1 in GF(2^8)
    ... except SingularMatrixError as exc:
    ...     print(exc)
    matrix is singular over GF(2^8)
    >>> issubclass(SingularMatrixError, np.linalg.LinAlgError)
    True
    """


class FieldValueError(FastcodeError, ValueError):
    """Values outside the field, or a field parameter that is not allowed.

    A ValueError too.

    Examples
    --------
    >>> from fastcode import GF256, FieldValueError
    >>> try:
    ...     GF256.asarray([1, 2, 300])
    ... except FieldValueError as exc:
    ...     print(exc)
    array has values outside GF(2^8) (0..255): min 1, max 300
    """


class FieldTypeError(FastcodeError, TypeError):
    """An array of the wrong dtype (or not an array) for the field.

    A TypeError too.

    Examples
    --------
    >>> from fastcode import GF256, FieldTypeError
    >>> try:
    ...     GF256.asarray([0.5, 1.0])
    ... except FieldTypeError as exc:
    ...     print(exc)
    array must hold integers for GF(2^8), got dtype float64
    """


class InvalidArgumentError(FastcodeError, ValueError):
    """An argument outside its allowed values: code parameters (n, k, kind),
    shard indices out of range or duplicated, an unknown option.

    A ValueError too.

    Examples
    --------
    >>> from fastcode import MDSCode, InvalidArgumentError
    >>> code = MDSCode(6, 4)
    >>> try:
    ...     code.decode(np.zeros((4, 8), dtype=np.uint8), [0, 1, 2, 2])
    ... except InvalidArgumentError as exc:
    ...     print(exc)
    indices has duplicate shards [2]
    """


class UncorrectableError(FastcodeError, ValueError):
    """More shards are wrong than the code can locate (or, with error correction
    off, the shards are inconsistent): nothing was repaired.

    A ValueError too.

    Examples
    --------
    RS(6, 4) with all shards present locates and repairs one wrong shard; with
    ``max_errors=0`` it only detects, and raises:

    >>> from fastcode import MDSCode, UncorrectableError
    >>> code = MDSCode(6, 4)
    >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
    >>> shards = np.vstack([data, code.encode(data)])
    >>> shards[1, 0] ^= 1                           # one flipped bit in shard 1
    >>> fixed = code.correct(shards)
    >>> fixed.corrupted, np.array_equal(fixed.data, data)
    ([1], True)
    >>> try:
    ...     code.correct(shards, max_errors=0)
    ... except UncorrectableError as exc:
    ...     print(exc)
    the shards are inconsistent in 1 of 8 byte columns (detection only: max_errors=0)
    """


class SimParameterError(InvalidArgumentError):
    """A straggler-model, latency-formula or simulator parameter out of range.

    An InvalidArgumentError (so a ValueError) too.

    Examples
    --------
    >>> from fastcode.sim import ShiftedExponential, SimParameterError
    >>> try:
    ...     ShiftedExponential(mu=-1.0)
    ... except SimParameterError as exc:
    ...     print(exc)
    mu must be > 0, got -1.0
    """


class LPError(FastcodeError, ValueError):
    """A linear program with no feasible point, or one the exact solver cannot finish."""


# --- runtime (fastcode.runtime): failures of real distributed rounds -------------

class ClusterStateError(FastcodeError, RuntimeError):
    """A cluster used in the wrong state: closed, not set up, or a scheme whose
    number of workers does not match the cluster's."""


class WorkerFailedError(FastcodeError, RuntimeError):
    """Workers failed (raised, died, dropped out or are stuck) and the survivors
    can no longer decode the round.  Raised as soon as this is known, not at the
    timeout.  ``failures`` maps worker id -> reason; ``responders`` lists the
    workers that did answer, in arrival order."""

    def __init__(self, message: str, round_id: Optional[int] = None,
                 failures: Optional[Mapping[int, str]] = None,
                 responders: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.round_id = round_id
        self.failures = dict(failures or {})
        self.responders = tuple(responders)


class RoundTimeoutError(FastcodeError, TimeoutError):
    """A round was not decodable within its timeout.  ``responders`` are the
    workers that answered in time, ``pending`` those still awaited."""

    def __init__(self, message: str, round_id: Optional[int] = None,
                 responders: Iterable[Any] = (), pending: Iterable[Any] = (),
                 failures: Optional[Mapping[int, str]] = None) -> None:
        super().__init__(message)
        self.round_id = round_id
        self.responders = tuple(responders)
        self.pending = tuple(pending)
        self.failures = dict(failures or {})


class ConditioningWarning(UserWarning):
    """A real-valued code whose worst responder set decodes less accurately
    than the stated target (floating-point rounding amplified by the condition
    number of the recovery matrix).

    Examples
    --------
    A real Vandermonde code with 10 of 20 responders is badly conditioned:

    >>> import warnings
    >>> from fastcode import MDSCode, Reals, ConditioningWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     code = MDSCode(20, 10, Reals, kind="vandermonde")
    >>> [w.category is ConditioningWarning for w in caught]
    [True]
    >>> code.conditioning.worst > 1e10
    True
    """
