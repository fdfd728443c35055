"""ISA-L called from C, the way a C program uses it: a loop of ``ec_encode_data``
calls over a batch of stripes, and a whole decode (invert, tables, rebuild,
copies), each run by one ctypes call.

These are the floors that ISA-L users get (no Python between the calls), the
comparators of fastcode's batched kernels and decoders.  The C helper is
compiled at benchmark time with the system's ``gcc`` into a temporary shared
object; it does not link against ISA-L (the ISA-L functions are passed in as
addresses from the library ``comparators.ISAL`` loaded), so no ISA-L headers
are needed.  ``ISALLoop.load(isal)`` returns None when gcc is missing or the
compile fails; ``unavailable_reason()`` says why.
"""
import ctypes
import os
import shutil
import subprocess
import tempfile
from typing import Callable, Dict, Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike

from fastcode.bench.comparators import ISAL

__all__ = ["ISALLoop"]

_SOURCE = r"""
#include <stddef.h>
#include <string.h>

typedef void (*encode_fn)(int len, int k, int rows, unsigned char *tables,
                          unsigned char **data, unsigned char **coding);
typedef int (*invert_fn)(unsigned char *in, unsigned char *out, int n);
typedef void (*init_fn)(int k, int rows, unsigned char *a, unsigned char *tables);

/* ec_encode_data once per stripe: stripe s reads data[s*k .. s*k+k-1] and
 * writes coding[s*rows .. s*rows+rows-1]. */
void encode_stripes(void *encode, int stripes, int len, int k, int rows, unsigned char *tables,
                    unsigned char **data, unsigned char **coding)
{
    encode_fn f = (encode_fn)encode;
    for (int s = 0; s < stripes; s++)
        f(len, k, rows, tables, data + (size_t)s * k, coding + (size_t)s * rows);
}

/* The k data rows from the k shards present[0..k-1] (in that order in
 * shards), as an ISA-L caller decodes: invert the k x k submatrix of the
 * (n x k) encode matrix, take the rows of the lost data shards, expand them
 * into tables, rebuild the lost rows with one ec_encode_data call, copy the
 * present data rows.  work: 2 k*k + k*k + 32 k*k bytes.  Returns -1 if the
 * submatrix is singular. */
int decode_data(void *invert, void *init, void *encode, int len, int k,
                const unsigned char *encode_matrix, const int *present,
                unsigned char **shards, unsigned char **out, unsigned char *work)
{
    unsigned char *b = work, *inv = b + k * k, *dec = inv + k * k, *tables = dec + k * k;
    unsigned char *lost_out[256];
    int pos[256];
    for (int i = 0; i < k; i++)
        pos[i] = -1;
    for (int j = 0; j < k; j++) {
        memcpy(b + j * k, encode_matrix + (size_t)present[j] * k, (size_t)k);
        if (present[j] < k)
            pos[present[j]] = j;
    }
    if (((invert_fn)invert)(b, inv, k) != 0)
        return -1;
    int e = 0;
    for (int i = 0; i < k; i++) {
        if (pos[i] >= 0)
            continue;
        memcpy(dec + e * k, inv + i * k, (size_t)k);
        lost_out[e++] = out[i];
    }
    if (e) {
        ((init_fn)init)(k, e, dec, tables);
        ((encode_fn)encode)(len, k, e, tables, shards, lost_out);
    }
    for (int i = 0; i < k; i++)
        if (pos[i] >= 0)
            memcpy(out[i], shards[pos[i]], (size_t)len);
    return 0;
}
"""


def _addresses(blocks: np.ndarray) -> ctypes.Array:
    """Row addresses of a 3-D (stripes, rows, L) or 2-D (rows, L) uint8 array
    with contiguous rows, in row-major order, as a ctypes array."""
    if blocks.dtype != np.uint8 or blocks.strides[-1] != 1:
        raise ValueError("blocks must be uint8 with contiguous rows")
    base = blocks.ctypes.data
    if blocks.ndim == 3:
        addrs = [base + s * blocks.strides[0] + r * blocks.strides[1]
                 for s in range(blocks.shape[0]) for r in range(blocks.shape[1])]
    else:
        addrs = [base + r * blocks.strides[0] for r in range(blocks.shape[0])]
    return (ctypes.c_void_p * len(addrs))(*addrs)


class ISALLoop:
    """The compiled helper, bound to one loaded :class:`~fastcode.bench.comparators.ISAL`.

    Obtain it with :meth:`load`, which compiles the helper on first use.

    Parameters
    ----------
    isal : ISAL
        The loaded ISA-L whose functions the helper calls.
    lib : ctypes.CDLL
        The compiled helper.
    path : str
        Where the helper's shared object lies.

    Examples
    --------
    Four stripes of RS(6, 4) parity in one call, checked against fastcode (runs
    only where ISA-L and gcc are installed):

    >>> from fastcode import GF256
    >>> from fastcode.bench.comparators import ISAL
    >>> from fastcode.bench.isal_loop import ISALLoop
    >>> loop = ISALLoop.load(ISAL.load())
    >>> if loop is not None:
    ...     matrix = loop.isal.cauchy_matrix(6, 4)[4:]                # (2, 4) parity rows
    ...     data = np.random.default_rng(0).integers(0, 256, (4, 4, 128), dtype=np.uint8)
    ...     parity = np.empty((4, 2, 128), dtype=np.uint8)
    ...     loop.prepare_encode_stripes(matrix, data, parity)()
    ...     assert all(np.array_equal(parity[s], GF256.matmul(matrix, data[s])) for s in range(4))
    """

    _cache: Dict[int, "ISALLoop"] = {}
    _reason: Optional[str] = None

    def __init__(self, isal: ISAL, lib: ctypes.CDLL, path: str) -> None:
        self.isal = isal
        self.path = path
        self._lib = lib
        void_p = ctypes.c_void_p
        c_int = ctypes.c_int
        self._encode_stripes = lib.encode_stripes
        self._encode_stripes.argtypes = [void_p, c_int, c_int, c_int, c_int, void_p, void_p, void_p]
        self._encode_stripes.restype = None
        self._decode_data = lib.decode_data
        self._decode_data.argtypes = [void_p, void_p, void_p, c_int, c_int, void_p, void_p,
                                      void_p, void_p, void_p]
        self._decode_data.restype = c_int
        self._fn = {name: isal.address(name)
                    for name in ("ec_encode_data", "ec_init_tables", "gf_invert_matrix")}

    @classmethod
    def load(cls, isal: Optional[ISAL]) -> "Optional[ISALLoop]":
        """The helper for one loaded ISA-L, compiled on first use.

        Parameters
        ----------
        isal : ISAL or None
            What :meth:`ISAL.load` returned.

        Returns
        -------
        ISALLoop or None
            None when ``isal`` is None, gcc is missing or the compile fails;
            :meth:`unavailable_reason` says which.
        """
        if isal is None:
            cls._reason = "ISA-L not available"
            return None
        if id(isal) in cls._cache:
            return cls._cache[id(isal)]
        gcc = shutil.which("gcc")
        if gcc is None:
            cls._reason = "gcc not found on PATH (the ISA-L C loop is compiled at run time)"
            return None
        tmp = tempfile.mkdtemp(prefix="fastcode-isal-loop-")
        src, lib = os.path.join(tmp, "isal_loop.c"), os.path.join(tmp, "isal_loop.so")
        with open(src, "w") as f:
            f.write(_SOURCE)
        proc = subprocess.run([gcc, "-O2", "-shared", "-fPIC", "-o", lib, src],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            cls._reason = f"gcc could not build the ISA-L C loop: {proc.stderr.strip()[:300]}"
            return None
        helper = cls(isal, ctypes.CDLL(lib), lib)
        cls._cache[id(isal)] = helper
        return helper

    @classmethod
    def unavailable_reason(cls) -> str:
        """Why the last :meth:`load` returned None.

        Returns
        -------
        str
            The reason, or "" if nothing failed.
        """
        return cls._reason or ""

    def prepare_encode_stripes(self, matrix: np.ndarray, data: np.ndarray,
                               out: np.ndarray) -> Callable[[], None]:
        """A callable running ec_encode_data once per stripe, all in C.

        Parameters
        ----------
        matrix : (rows, k) uint8 array
            The coefficients over GF(2^8).
        data : (stripes, k, L) uint8 array with contiguous rows
        out : (stripes, rows, L) uint8 array with contiguous rows
            Written by each call of the result.

        Returns
        -------
        callable
            No arguments; one ctypes call encodes every stripe.

        Raises
        ------
        ValueError
            If the shapes do not agree, or the rows are not contiguous uint8.
        """
        stripes, k, length = data.shape
        rows = matrix.shape[0]
        if out.shape != (stripes, rows, length) or matrix.shape != (rows, k):
            raise ValueError("matrix, data and out shapes do not agree")
        tables = self.isal.init_tables(k, rows, matrix)
        data_p, out_p = _addresses(data), _addresses(out)
        args = (self._fn["ec_encode_data"], stripes, length, k, rows, tables.ctypes.data,
                data_p, out_p)
        keep = (tables, data, out, data_p, out_p)

        def run(_f=self._encode_stripes, _a=args, _keep=keep):
            _f(*_a)
        return run

    def prepare_decode_data(self, encode_matrix: ArrayLike, present: Sequence[int],
                            shards: np.ndarray, out: np.ndarray) -> Callable[[], None]:
        """A callable decoding the k data rows as an ISA-L caller does (matrix
        inversion and tables included, every call), all in C.

        Parameters
        ----------
        encode_matrix : (n, k) uint8 array-like
            The identity on top.
        present : sequence of k ints
            Row j of ``shards`` is shard ``present[j]``.
        shards : (k, L) uint8 array with contiguous rows
        out : (k, L) uint8 array with contiguous rows
            Receives the data rows at each call of the result.

        Returns
        -------
        callable
            No arguments; raises ValueError when the present rows are singular.

        Raises
        ------
        ValueError
            If the shapes do not agree, or the rows are not contiguous uint8.

        Examples
        --------
        >>> from fastcode.bench.comparators import ISAL
        >>> from fastcode.bench.isal_loop import ISALLoop
        >>> loop = ISALLoop.load(ISAL.load())
        >>> if loop is not None:
        ...     a = loop.isal.cauchy_matrix(6, 4)
        ...     data = np.random.default_rng(0).integers(0, 256, (4, 64), dtype=np.uint8)
        ...     parity = np.empty((2, 64), dtype=np.uint8)
        ...     loop.isal.encode(loop.isal.init_tables(4, 2, a[4:]), data, parity)
        ...     stripe = np.vstack([data, parity])
        ...     out = np.empty_like(data)
        ...     loop.prepare_decode_data(a, [5, 1, 4, 3], stripe[[5, 1, 4, 3]], out)()
        ...     assert np.array_equal(out, data)
        """
        encode_matrix = np.ascontiguousarray(encode_matrix, dtype=np.uint8)
        n, k = encode_matrix.shape
        present_rows = np.ascontiguousarray(present, dtype=np.intc)
        if present_rows.shape != (k,) or shards.shape[0] != k or out.shape != (k, shards.shape[1]):
            raise ValueError("need k present indices, (k, L) shards and a (k, L) out")
        work = np.empty(35 * k * k, dtype=np.uint8)
        shards_p, out_p = _addresses(shards), _addresses(out)
        args = (self._fn["gf_invert_matrix"], self._fn["ec_init_tables"],
                self._fn["ec_encode_data"], shards.shape[1], k, encode_matrix.ctypes.data,
                present_rows.ctypes.data, shards_p, out_p, work.ctypes.data)
        keep = (encode_matrix, present_rows, shards, out, work, shards_p, out_p)

        def run(_f=self._decode_data, _a=args, _keep=keep):
            if _f(*_a) != 0:
                raise ValueError("the present rows of the encode matrix are singular")
        return run
