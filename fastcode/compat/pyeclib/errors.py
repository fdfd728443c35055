"""pyeclib's exception classes, looked up when raised.

With pyeclib installed the classes come from ``pyeclib.ec_iface`` at the
moment of raising (as pyeclib's C module does), so ``except`` clauses written
against pyeclib catch them; without pyeclib, stand-ins with the same names,
hierarchy and messages are used.
"""
import importlib.util

from fastcode.errors import FastcodeError

_HAVE_PYECLIB = importlib.util.find_spec("pyeclib") is not None

SYSLOG_HINT = "Please inspect syslog for liberasurecode error report."


class ECDriverError(FastcodeError):
    """Stand-in for pyeclib.ec_iface.ECDriverError (pyeclib not installed)."""

    def __init__(self, error):
        super().__init__(error)
        self.error_str = str(error)

    def __str__(self):
        return self.error_str


class ECDriverErrorWithPosition(ECDriverError):
    def __init__(self, error, idx):
        super().__init__(error)
        self.position = idx

    def __str__(self):
        return f"{self.error_str} (position {self.position})"


class ECBackendNotSupported(ECDriverError):
    pass


class ECBackendInstanceNotAvailable(ECDriverError):
    pass


class ECInvalidParameter(ECDriverError):
    pass


class ECInvalidFragmentMetadata(ECDriverError):
    pass


class ECBadFragmentChecksum(ECDriverError):
    pass


class ECInsufficientFragments(ECDriverError):
    pass


_STAND_INS = {cls.__name__: cls for cls in (
    ECDriverError, ECDriverErrorWithPosition, ECBackendNotSupported,
    ECBackendInstanceNotAvailable, ECInvalidParameter, ECInvalidFragmentMetadata,
    ECBadFragmentChecksum, ECInsufficientFragments)}

# liberasurecode failure kinds -> (class name, message), as pyeclib reports them
_KINDS = {
    "insufficient": ("ECInsufficientFragments", "Insufficient number of fragments"),
    "invalid": ("ECInvalidParameter", "Invalid arguments"),
    "bad_header": ("ECInvalidFragmentMetadata", "Fragment integrity check failed"),
    "unknown": ("ECDriverError", "Unknown error"),
}


def error_class(name):
    """pyeclib's exception class ``name`` (or the stand-in without pyeclib)."""
    if _HAVE_PYECLIB:
        # An import statement (not importlib): a patched builtins.__import__
        # and a deleted ec_iface attribute fail here as they do in pyeclib.
        from pyeclib import ec_iface
        return getattr(ec_iface, name)
    return _STAND_INS[name]


def make(name, *args):
    """An instance of pyeclib's exception ``name``."""
    return error_class(name)(*args)


def library_error(kind, where):
    """The exception pyeclib raises when liberasurecode fails with ``kind``
    inside ``where`` (e.g. "pyeclib_c_decode")."""
    name, message = _KINDS[kind]
    return make(name, f"{where} ERROR: {message}. {SYSLOG_HINT}")
