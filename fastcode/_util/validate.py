"""One set of argument validators for the whole package.

Each returns the value in its canonical Python/NumPy form or raises ``error``
(default InvalidArgumentError; the simulators pass SimParameterError) with a
message that names the argument, what was expected and what was given.  The
argument order is always ``(value, name, ...)``.
"""
import numbers

import numpy as np

from fastcode.errors import InvalidArgumentError

__all__ = ["integer", "real_array", "real_scalar", "real_vector", "probability", "one_of"]


def integer(value, name, minimum=None, maximum=None, *, error=InvalidArgumentError):
    """``value`` as a Python int in [minimum, maximum] (either end optional).

    bools, floats and strings are refused even when they hold a whole number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise error(f"{name} must be an integer{_range(minimum, maximum)}, got {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise error(f"{name} must be an integer{_range(minimum, maximum)}, got {value}")
    return value


def _range(minimum, maximum):
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def real_array(value, name, *, positive=False, nonnegative=False, allow_inf=False,
               error=InvalidArgumentError):
    """``value`` as a float64 array, checked element-wise.

    NaN is always refused; +-inf only with ``allow_inf``; ``positive`` asks
    every entry > 0, ``nonnegative`` >= 0."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise error(f"{name} must be a real number or an array of reals, got {value!r}") from None
    if np.isnan(arr).any():
        raise error(f"{name} must not contain NaN, got {value!r}")
    if not allow_inf and not np.isfinite(arr).all():
        raise error(f"{name} must be finite, got {value!r}")
    if positive and not (arr > 0).all():
        raise error(f"{name} must be > 0, got {_show(value)}")
    if nonnegative and not (arr >= 0).all():
        raise error(f"{name} must be >= 0, got {_show(value)}")
    return arr


def real_scalar(value, name, *, error=InvalidArgumentError, **checks):
    """``value`` as a Python float, with the checks of :func:`real_array`."""
    arr = real_array(value, name, error=error, **checks)
    if arr.ndim != 0:
        raise error(f"{name} must be a scalar, got an array of shape {arr.shape}")
    return float(arr)


def real_vector(value, name, size=None, *, positive=False, nonnegative=False,
                error=InvalidArgumentError):
    """``value`` as a new 1-D float64 array of ``size`` entries (a scalar is broadcast
    to ``size``), at least one entry, finite, checked like :func:`real_array`; the
    message names the first bad entry's position (e.g. one entry per worker)."""
    arr = np.array(value, dtype=np.float64) if not isinstance(value, np.ndarray) \
        else value.astype(np.float64, copy=True)
    if arr.ndim == 0 and size is not None:
        arr = np.full(size, float(arr))
    if arr.ndim != 1:
        raise error(f"{name} must be a 1-D array, got shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise error(f"{name} must have {size} entries, got {arr.shape[0]}")
    if arr.shape[0] == 0:
        raise error(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise error(f"{name} must be finite, got {arr}")
    bad = (arr <= 0) if positive else (arr < 0) if nonnegative else np.zeros(arr.shape, bool)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise error(f"{name} must be {'> 0' if positive else '>= 0'} in every entry; got "
                    f"{arr[i]!r} at index {i}")
    return arr


def probability(value, name, *, upper_open=True, error=InvalidArgumentError):
    """A probability in [0, 1) (or [0, 1] when ``upper_open`` is false)."""
    p = real_scalar(value, name, error=error)
    if p < 0 or (p >= 1 if upper_open else p > 1):
        interval = "[0, 1)" if upper_open else "[0, 1]"
        raise error(f"{name} must be in {interval}, got {p}")
    return p


def one_of(value, name, choices, *, error=InvalidArgumentError):
    """``value`` if it is one of ``choices`` (compared with ==)."""
    if value not in choices:
        raise error(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def _show(value):
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value)
    return f"an array whose smallest entry is {arr.min()!r}"
