"""The compiled GF(p) kernels (``fastcode.fields._gfp``: split, fold, integer
matmul, RREF) and the one question every caller asks: use them now?

``native`` is the extension module, or None on an unbuilt tree; ``active()``
is False on the "numpy" backend (``fastcode.set_backend``) and on an unbuilt
tree (which warns once and switches the process to the NumPy reference,
``fastcode.reference.prime``).
"""
from fastcode import _config

try:
    # ignore: the compiled Cython extension has no stub or source mypy can read
    from fastcode.fields import _gfp as native  # type: ignore[attr-defined]
    IMPORT_ERROR = None
except ImportError as exc:  # not built: run on the reference, loudly
    native = None
    IMPORT_ERROR = exc

__all__ = ["native", "active"]


def active() -> bool:
    """Whether GF(p) bulk calls run on the compiled kernels.

    False on the "numpy" backend and on an unbuilt tree (which warns once and
    switches the process to the NumPy reference).

    Returns
    -------
    bool
        True when ``native`` is built and the backend is "native".

    Examples
    --------
    >>> import fastcode
    >>> from fastcode.fields.prime import kernels
    >>> kernels.active() == (fastcode.get_backend() == "native" and kernels.native is not None)
    True
    """
    return _config.use_native(native, IMPORT_ERROR)
