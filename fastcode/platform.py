"""What the kernels run on: CPU features, SIMD level, build, threads.

``FASTCODE_SIMD=scalar|ssse3|avx2|avx512|avx2_gfni|avx512_gfni`` on x86-64,
``FASTCODE_SIMD=scalar|neon`` on AArch64 (read at import) or ``set_simd_level``
force any kernel level the CPU supports, so the tests can exercise every path
on one machine.  The levels are not a ladder: a CPU may have GFNI without
AVX-512 or the reverse; by default the kernels use the fastest level present
(the ranking, and the measurements behind it, are in csrc/gf256_dispatch.c;
on AArch64 it is neon).
"""
import os
import platform as _py_platform
import sys
import warnings

import numpy as np

from fastcode import _config
from fastcode.fields import gf256 as _gf256_field

_native = _gf256_field._native
SIMD_LEVELS = ("scalar", "ssse3", "avx2", "avx512", "avx2_gfni", "avx512_gfni", "neon")
_FEATURES = ("sse2", "ssse3", "sse4.1", "avx", "avx2", "avx512f", "avx512bw", "avx512vl",
             "gfni", "pclmul", "vpclmulqdq", "neon")


def cpu_model():
    """The CPU's model name (Linux /proc/cpuinfo, else platform.processor()): benchmarks
    print it beside every figure."""
    import platform as _py_platform
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return _py_platform.processor() or _py_platform.machine()


def cpu_features():
    """Dict feature -> bool for the CPU features the kernels care about."""
    if _native is None:
        return {f: False for f in _FEATURES}
    return {f: _native.cpu_has(f) for f in _FEATURES}


def available_simd_levels():
    """Kernel levels this CPU can run, slowest first: the last is the default."""
    if _native is None:
        return ("scalar",)
    return _native.supported_levels()


def default_simd_level():
    """The level the kernels use unless told otherwise: the fastest one present."""
    return _native.detected_level() if _native is not None else "scalar"


def simd_level():
    """The kernel level in use ("scalar" if the native module is absent)."""
    return _native.active_level() if _native is not None else "scalar"


def set_simd_level(name):
    """Force the kernel level; ValueError if unknown or above the CPU's."""
    if _native is None:
        if name != "scalar":
            raise ValueError("native kernels are not built: only 'scalar' (NumPy) is available")
        return
    _native.set_level(name)


def _apply_environment():
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


def info():
    """Dict describing the build and the machine, for bug reports and benchmarks."""
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
