"""What the kernels run on: CPU features, SIMD level, build, threads.

``FASTCODE_SIMD=scalar|ssse3|avx2|avx512|avx2_gfni|avx512_gfni`` on x86-64,
``FASTCODE_SIMD=scalar|neon`` on AArch64 (read at import) or ``set_simd_level``
force any kernel level the CPU supports, so the tests can exercise every path
on one machine.  The levels are not a ladder: a CPU may have GFNI without
AVX-512 or the reverse; by default the kernels use the fastest level present
(the ranking, and the measurements behind it, are in csrc/gf256_dispatch.c;
on AArch64 it is neon).  These are the levels of the GF(2^8) kernels; the
GF(2^16) FFT codec has its own (``fastcode.fields.gf65536.simd_level``).

Examples
--------
>>> import fastcode
>>> fastcode.simd_level() in fastcode.available_simd_levels()
True
"""
import os
import platform as _py_platform
import sys
import warnings
from typing import Any, Dict, Tuple

import numpy as np

from fastcode import _config
from fastcode.fields import gf256 as _gf256_field

_native = _gf256_field._native
#: Every kernel level fastcode knows, on any architecture.
SIMD_LEVELS = ("scalar", "ssse3", "avx2", "avx512", "avx2_gfni", "avx512_gfni", "neon")
_FEATURES = ("sse2", "ssse3", "sse4.1", "avx", "avx2", "avx512f", "avx512bw", "avx512vl",
             "gfni", "pclmul", "vpclmulqdq", "neon")


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo, else platform.processor()): benchmarks
    print it beside every figure.

    Returns
    -------
    str
        E.g. "Intel(R) Xeon(R) ..."; the machine type ("x86_64") when nothing
        better is known.

    Examples
    --------
    >>> from fastcode.platform import cpu_model
    >>> isinstance(cpu_model(), str)
    True
    """
    import platform as _py_platform
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return _py_platform.processor() or _py_platform.machine()


def cpu_features() -> Dict[str, bool]:
    """Dict feature -> bool for the CPU features the kernels care about.

    Detected by the native module; all False when it is not built.

    Returns
    -------
    dict of str to bool
        Keys "sse2", "ssse3", "sse4.1", "avx", "avx2", "avx512f", "avx512bw",
        "avx512vl", "gfni", "pclmul", "vpclmulqdq", "neon".

    Examples
    --------
    >>> import fastcode
    >>> features = fastcode.cpu_features()
    >>> sorted(features)[:4]
    ['avx', 'avx2', 'avx512bw', 'avx512f']
    >>> "avx2" not in fastcode.available_simd_levels() or features["avx2"]
    True
    """
    if _native is None:
        return {f: False for f in _FEATURES}
    return {f: _native.cpu_has(f) for f in _FEATURES}


def available_simd_levels() -> Tuple[str, ...]:
    """Kernel levels this CPU can run, slowest first: the last is the default.

    Returns
    -------
    tuple of str
        Starting with "scalar" (only that without the native module).

    Examples
    --------
    >>> import fastcode
    >>> levels = fastcode.available_simd_levels()
    >>> levels[0], levels[-1] == fastcode.info()["simd_default"]
    ('scalar', True)
    """
    if _native is None:
        return ("scalar",)
    return _native.supported_levels()


def default_simd_level() -> str:
    """The level the kernels use unless told otherwise: the fastest one present.

    Returns
    -------
    str
        "scalar" without the native module.

    Examples
    --------
    >>> import fastcode
    >>> from fastcode.platform import default_simd_level
    >>> default_simd_level() == fastcode.available_simd_levels()[-1]
    True
    """
    return _native.detected_level() if _native is not None else "scalar"


def simd_level() -> str:
    """The GF(2^8) kernel level in use ("scalar" if the native module is absent).

    Returns
    -------
    str
        One of ``available_simd_levels()``.

    Examples
    --------
    >>> import fastcode
    >>> fastcode.simd_level() in fastcode.available_simd_levels()
    True
    """
    return _native.active_level() if _native is not None else "scalar"


def set_simd_level(name: str) -> None:
    """Force the GF(2^8) kernel level, process-wide.

    Every level computes the same bytes; forcing one lets tests and
    benchmarks exercise each code path on one machine (as FASTCODE_SIMD does
    at import).

    Parameters
    ----------
    name : str
        One of ``available_simd_levels()``.

    Raises
    ------
    ValueError
        ``name`` is unknown or above what this CPU supports, or (without the
        native module) anything but "scalar".

    Examples
    --------
    The scalar kernel gives the same parity as the fastest one:

    >>> import fastcode
    >>> from fastcode import GF256
    >>> rng = np.random.default_rng(0)
    >>> C, data = GF256.random((4, 10), rng), GF256.random((10, 4096), rng)
    >>> fast = GF256.matmul(C, data)
    >>> previous = fastcode.simd_level()
    >>> fastcode.set_simd_level("scalar")
    >>> np.array_equal(GF256.matmul(C, data), fast)
    True
    >>> fastcode.set_simd_level(previous)
    """
    if _native is None:
        if name != "scalar":
            raise ValueError("native kernels are not built: only 'scalar' (NumPy) is available")
        return
    _native.set_level(name)


def _apply_environment() -> None:
    requested = os.environ.get("FASTCODE_SIMD", "")
    if _native is None:
        return
    if not requested:
        _native.set_level(default_simd_level())
        return
    try:
        _native.set_level(requested)
    except ValueError as exc:
        best = default_simd_level()
        warnings.warn(f"FASTCODE_SIMD={requested!r} ignored: {exc}; using {best!r}",
                      RuntimeWarning, stacklevel=2)
        _native.set_level(best)


def info() -> Dict[str, Any]:
    """Dict describing the build and the machine, for bug reports and benchmarks.

    Returns
    -------
    dict
        "version", "backend", "native_built", "simd_level", "simd_default",
        "simd_available", "cpu_features", "num_threads", "stripe_bytes_10x4"
        (the native stripe length of a (10, 4) code, None without the native
        module), "build_flags", "machine", "python", "numpy"; JSON-serialisable.

    Examples
    --------
    >>> import json
    >>> import fastcode
    >>> report = fastcode.info()
    >>> report["backend"] == fastcode.get_backend(), report["version"] == fastcode.__version__
    (True, True)
    >>> json.loads(json.dumps(report)) == report
    True
    """
    from fastcode import __version__
    return {
        "version": __version__,
        "backend": _config.get_backend(),
        "native_built": _native is not None,
        "simd_level": simd_level(),
        "simd_default": default_simd_level(),
        "simd_available": list(available_simd_levels()),
        "cpu_features": cpu_features(),
        "num_threads": _config.get_num_threads(),
        "stripe_bytes_10x4": _native.stripe_len(10, 4) if _native is not None else None,
        "build_flags": "baseline (-O3, per-function target attributes, runtime dispatch)",
        "machine": _py_platform.machine(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }


_apply_environment()
