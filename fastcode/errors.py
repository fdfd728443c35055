"""Every error and warning class of fastcode, in one place.

Every error raised on bad input derives from FastcodeError and from the
built-in class a caller would expect (ValueError, TypeError, LinAlgError), so
``except ValueError`` keeps working.  Messages name the argument and say what
was expected and what was given.
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


class UncorrectableError(FastcodeError, ValueError):
    """More shards are wrong than the code can locate (or, with error correction
    off, the shards are inconsistent): nothing was repaired."""


class SimParameterError(InvalidArgumentError):
    """A straggler-model, latency-formula or simulator parameter out of range."""


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

    def __init__(self, message, round_id=None, failures=None, responders=()):
        super().__init__(message)
        self.round_id = round_id
        self.failures = dict(failures or {})
        self.responders = tuple(responders)


class RoundTimeoutError(FastcodeError, TimeoutError):
    """A round was not decodable within its timeout.  ``responders`` are the
    workers that answered in time, ``pending`` those still awaited."""

    def __init__(self, message, round_id=None, responders=(), pending=(), failures=None):
        super().__init__(message)
        self.round_id = round_id
        self.responders = tuple(responders)
        self.pending = tuple(pending)
        self.failures = dict(failures or {})


class ConditioningWarning(UserWarning):
    """A real-valued code whose worst responder set decodes less accurately
    than the stated target (floating-point rounding amplified by the condition
    number of the recovery matrix)."""
