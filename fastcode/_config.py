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
from types import ModuleType
from typing import Optional, TypedDict

BACKENDS = ("native", "numpy")
#: Most threads one call may use: far above any core count, far below the C
#: int the kernels take, so no thread count can overflow on its way down.
MAX_THREADS = 1024

class _State(TypedDict):
    backend: Optional[str]          # None until the first get_backend()
    num_threads: Optional[int]      # None until the first get_num_threads()


_state: _State = {"backend": None, "num_threads": None}


def _threads_value(n: object, name: str) -> int:
    """n as an int in [1, MAX_THREADS], or ValueError naming ``name``."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= int(n) <= MAX_THREADS:
        raise ValueError(f"{name} must be an integer in [1, {MAX_THREADS}], got {n!r}")
    return int(n)


def _env_threads(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer in [1, {MAX_THREADS}], got {raw!r}") from None
    return _threads_value(value, name)


def get_backend() -> str:
    """The active backend name ("native" or "numpy").

    "native" routes bulk calls to the C/Cython kernels, "numpy" to the NumPy
    reference (fastcode.reference: slow and obviously right).  The first call
    reads the start value from the environment variable FASTCODE_BACKEND
    (default "native"); ``set_backend`` changes it for the whole process.

    Returns
    -------
    str
        "native" or "numpy".

    Raises
    ------
    ValueError
        FASTCODE_BACKEND names neither backend.

    See Also
    --------
    set_backend

    Examples
    --------
    >>> import fastcode
    >>> fastcode.get_backend() in ("native", "numpy")
    True
    """
    backend = _state["backend"]
    if backend is None:
        backend = os.environ.get("FASTCODE_BACKEND", "native") or "native"
        if backend not in BACKENDS:
            raise ValueError(f"FASTCODE_BACKEND must be one of {BACKENDS}, got {backend!r}")
        _state["backend"] = backend
    return backend


def set_backend(name: str) -> None:
    """Route the public API to the native kernels or to the NumPy reference.

    The setting is process-wide and takes effect at the next call: GF(2^8)
    plans made earlier switch kernels on their next use.  Both backends give
    byte-identical results; the reference is for checking and for machines
    without a build.

    Parameters
    ----------
    name : {"native", "numpy"}
        The backend to use from now on.

    Raises
    ------
    ValueError
        ``name`` is not one of ``BACKENDS``.

    See Also
    --------
    get_backend

    Examples
    --------
    Check a GF(2^8) product against the NumPy reference, then restore the
    backend:

    >>> import fastcode
    >>> from fastcode import GF256
    >>> rng = np.random.default_rng(0)
    >>> A = GF256.random((3, 4), rng)
    >>> B = GF256.random((4, 64), rng)
    >>> previous = fastcode.get_backend()
    >>> fastcode.set_backend("numpy")
    >>> slow = GF256.matmul(A, B)
    >>> fastcode.set_backend("native")
    >>> np.array_equal(GF256.matmul(A, B), slow)
    True
    >>> fastcode.set_backend(previous)
    """
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    _state["backend"] = name


def get_num_threads() -> int:
    """Threads one bulk call may use (default 1).

    The default is 1, or the environment variable FASTCODE_NUM_THREADS read at
    the first call: fastcode usually runs inside worker processes that already
    occupy every core.  A call's own ``n_threads`` argument overrides it.

    Returns
    -------
    int
        In [1, MAX_THREADS].

    Raises
    ------
    ValueError
        FASTCODE_NUM_THREADS is not an integer in [1, MAX_THREADS].

    See Also
    --------
    set_num_threads

    Examples
    --------
    >>> import fastcode
    >>> 1 <= fastcode.get_num_threads() <= fastcode.MAX_THREADS
    True
    """
    num_threads = _state["num_threads"]
    if num_threads is None:
        num_threads = _state["num_threads"] = _env_threads("FASTCODE_NUM_THREADS", 1)
    return num_threads


def set_num_threads(n: int) -> None:
    """Set the threads one bulk call may use, process-wide.

    Raise it for standalone encode/decode of large regions; calls whose
    regions are below the minimum split size stay single-threaded, and the
    result never depends on the thread count.

    Parameters
    ----------
    n : int
        In [1, MAX_THREADS] (a bool is refused).

    Raises
    ------
    ValueError
        ``n`` is not an integer in [1, MAX_THREADS].

    See Also
    --------
    get_num_threads

    Examples
    --------
    >>> import fastcode
    >>> from fastcode import MDSCode
    >>> code = MDSCode(12, 8)
    >>> data = np.random.default_rng(0).integers(0, 256, (8, 1 << 16), dtype=np.uint8)
    >>> previous = fastcode.get_num_threads()
    >>> fastcode.set_num_threads(2)
    >>> parity = code.encode(data)       # split over 2 threads
    >>> fastcode.set_num_threads(previous)
    >>> np.array_equal(parity, code.encode(data))
    True
    """
    _state["num_threads"] = _threads_value(n, "number of threads")


def check_num_threads(n_threads: Optional[int]) -> int:
    """The thread count of one call: ``get_num_threads()`` for None, else
    n_threads checked to be an int in [1, MAX_THREADS] (ValueError otherwise)."""
    if n_threads is None:
        return get_num_threads()
    if type(n_threads) is int and 1 <= n_threads <= MAX_THREADS:   # the common case, cheaply
        return n_threads
    return _threads_value(n_threads, "n_threads")


def use_native(module: Optional[ModuleType], import_error: Optional[BaseException]) -> bool:
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
