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
import os
import warnings

BACKENDS = ("native", "numpy")

_state = {"backend": None, "num_threads": None}


def _env_int(name, default):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a positive integer, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {raw!r}")
    return value


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
        _state["num_threads"] = _env_int("FASTCODE_NUM_THREADS", 1)
    return _state["num_threads"]


def set_num_threads(n):
    """Set the threads one bulk call may use (n >= 1)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"number of threads must be a positive int, got {n!r}")
    _state["num_threads"] = n


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
