"""Parameter validation shared by the simulation modules.

Every check raises :class:`SimParameterError` (a ``ValueError``) whose message
names the offending parameter and says what was expected and what was given.
"""
import numbers

import numpy as np

from fastcode.errors import SimParameterError


def positive_int(value, name, minimum=1):
    """``value`` as a Python int >= ``minimum`` (bools and floats are rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise SimParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    value = int(value)
    if value < minimum:
        raise SimParameterError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def real_array(value, name, *, positive=False, nonnegative=False, allow_inf=False):
    """``value`` as a float64 array, checked element-wise.

    NaN is always rejected; +inf only when ``allow_inf``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SimParameterError(f"{name} must be a real number or array of reals, got {value!r}") from None
    if np.isnan(arr).any():
        raise SimParameterError(f"{name} must not contain NaN, got {value!r}")
    if not allow_inf and not np.isfinite(arr).all():
        raise SimParameterError(f"{name} must be finite, got {value!r}")
    if positive and not (arr > 0).all():
        raise SimParameterError(f"{name} must be > 0, got {_show(value)}")
    if nonnegative and not (arr >= 0).all():
        raise SimParameterError(f"{name} must be >= 0, got {_show(value)}")
    return arr


def real_scalar(value, name, **kwargs):
    """``value`` as a Python float, with the checks of :func:`real_array`."""
    arr = real_array(value, name, **kwargs)
    if arr.ndim != 0:
        raise SimParameterError(f"{name} must be a scalar, got an array of shape {arr.shape}")
    return float(arr)


def probability(value, name, *, upper_open=True):
    """A probability in [0, 1) (or [0, 1] when ``upper_open`` is false)."""
    p = real_scalar(value, name)
    if p < 0 or (p >= 1 if upper_open else p > 1):
        interval = "[0, 1)" if upper_open else "[0, 1]"
        raise SimParameterError(f"{name} must be in {interval}, got {p}")
    return p


def _show(value):
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value)
    return f"an array whose smallest entry is {arr.min()!r}"
