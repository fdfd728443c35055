"""Tiny ctypes binding of ISA-L's erasure-code functions, for tests only.

Tests must not import from benchmarks/, so this is a separate, minimal copy
of what the tests need.  ``load()`` returns None when libisal is missing."""
import ctypes
import ctypes.util

import numpy as np


class _ISAL:
    def __init__(self, lib):
        u8 = ctypes.POINTER(ctypes.c_uint8)
        self._cauchy = lib.gf_gen_cauchy1_matrix
        self._cauchy.argtypes = [u8, ctypes.c_int, ctypes.c_int]
        self._cauchy.restype = None
        self._init = lib.ec_init_tables
        self._init.argtypes = [ctypes.c_int, ctypes.c_int, u8, u8]
        self._init.restype = None
        self._encode = lib.ec_encode_data
        self._encode.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, u8,
                                 ctypes.POINTER(u8), ctypes.POINTER(u8)]
        self._encode.restype = None

    @staticmethod
    def _ptr(a):
        return a.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))

    def cauchy1(self, n, k):
        """gf_gen_cauchy1_matrix: (n, k) uint8."""
        a = np.zeros((n, k), dtype=np.uint8)
        self._cauchy(self._ptr(a), n, k)
        return a

    def encode(self, matrix, data):
        """ec_encode_data with the (rows, k) coefficient matrix on (k, L) data."""
        rows, k = matrix.shape
        length = data.shape[1]
        a = np.ascontiguousarray(matrix, dtype=np.uint8)
        tables = np.zeros(32 * k * rows, dtype=np.uint8)
        self._init(k, rows, self._ptr(a), self._ptr(tables))
        data = np.ascontiguousarray(data)
        out = np.zeros((rows, length), dtype=np.uint8)
        u8 = ctypes.POINTER(ctypes.c_uint8)
        dptr = (u8 * k)(*[self._ptr(data[i]) for i in range(k)])
        optr = (u8 * rows)(*[self._ptr(out[i]) for i in range(rows)])
        self._encode(length, k, rows, self._ptr(tables), dptr, optr)
        return out


def load():
    """(_ISAL instance or None, reason)."""
    errors = []
    names = ["libisal.so.2", "libisal.so"]
    found = ctypes.util.find_library("isal")
    if found:
        names.append(found)
    for name in names:
        try:
            return _ISAL(ctypes.CDLL(name)), ""
        except (OSError, AttributeError) as exc:
            errors.append(f"{name}: {exc}")
    return None, "libisal not loadable (apt-get install libisal-dev): " + "; ".join(errors)
