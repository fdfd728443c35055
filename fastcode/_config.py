"""Process-wide settings: kernel backend and thread count.

Lowest layer of the package: imports nothing from fastcode.

- Backend: "native" (C/Cython kernels) or "numpy" (fastcode.reference, slow
  and obviously right).  FASTCODE_BACKEND sets the start value.
- Threads: how many threads one bulk call may use.  The default is 1 (or
  FASTCODE_NUM_THREADS): fastcode usually runs inside worker processes of a
  coded-computing job that already occupy every core, and a second level of
  threads would oversubscribe them.  Raise it for standalone encode/decode of
  large regions; calls below the minimum split size stay single-threaded.
"""
import numbers
import os
import warnings

BACKENDS = ("native", "numpy")
#: Most threads one call may use: far above any core count, far below the C
#: int the kernels take, so no thread count can overflow on its way down.
MAX_THREADS = 1024

_state = {"backend": None, "num_threads": None}


def _threads_value(n, name):
    """n as an int in [1, MAX_THREADS], or ValueError naming ``name``."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_THREADS:
        raise ValueError(f"{name} must be an integer in [1, {MAX_THREADS}], got {n!r}")
    return int(n)


def _env_threads(name, default):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer in [1, {MAX_THREADS}], got {raw!r}") from None
    return _threads_value(value, name)


def get_backend():
    """The active backend name ("native" or "numpy")."""
    if _state["backend"] is None:
        name = os.environ.get("FASTCODE_BACKEND", "native") or "native"
        if name not in BACKENDS:
            raise ValueError(f"FASTCODE_BACKEND must be one of {BACKENDS}, got {name!r}")
        _state["backend"] = name
    return _state["backend"]


def set_backend(name):
    """Route the public API to the native kernels or to the NumPy reference."""
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    _state["backend"] = name


def get_num_threads():
    """Threads one bulk call may use (default 1, see module docstring)."""
    if _state["num_threads"] is None:
        _state["num_threads"] = _env_threads("FASTCODE_NUM_THREADS", 1)
    return _state["num_threads"]


def set_num_threads(n):
    """Set the threads one bulk call may use (an int in [1, MAX_THREADS])."""
    _state["num_threads"] = _threads_value(n, "number of threads")


def check_num_threads(n_threads):
    """The thread count of one call: ``get_num_threads()`` for None, else
    n_threads checked to be an int in [1, MAX_THREADS] (ValueError otherwise)."""
    if n_threads is None:
        return get_num_threads()
    if type(n_threads) is int and 1 <= n_threads <= MAX_THREADS:   # the common case, cheaply
        return n_threads
    return _threads_value(n_threads, "n_threads")


def use_native(module, import_error):
    """Whether bulk calls go to the compiled ``module`` (None when it failed to
    import with ``import_error``).  A native backend without a build warns and
    switches the whole process to the NumPy reference, so it warns once."""
    if get_backend() != "native":
        return False
    if module is not None:
        return True
    warnings.warn(f"fastcode native kernels are not built ({import_error}); using the NumPy "
                  "reference", RuntimeWarning, stacklevel=4)
    set_backend("numpy")
    return False
