"""Exception hierarchy of fastcode (DESIGN.md section 6).

Every error raised on bad input derives from FastcodeError and from the
built-in class a caller would expect (ValueError, TypeError, LinAlgError), so
``except ValueError`` keeps working.
"""
import numpy as np


class FastcodeError(Exception):
    """Base class of every fastcode error."""


class NotEnoughShardsError(FastcodeError, ValueError):
    """Fewer shards (or responders) than the code needs to decode."""


class ShardSizeError(FastcodeError, ValueError):
    """Shards, buffers or ``out`` of mismatched or wrong lengths/shapes."""


class SingularMatrixError(FastcodeError, np.linalg.LinAlgError):
    """A matrix that must be invertible is singular over the field."""


class FieldValueError(FastcodeError, ValueError):
    """Values outside the field, or a field parameter that is not allowed."""


class FieldTypeError(FastcodeError, TypeError):
    """An array of the wrong dtype (or not an array) for the field."""


class InvalidArgumentError(FastcodeError, ValueError):
    """An argument outside its allowed values: code parameters (n, k, kind),
    shard indices out of range or duplicated, an unknown option."""
