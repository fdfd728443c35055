"""Per-thread reusable output buffers for the compat shims.

The shims must return new ``bytes`` objects, so results are computed into a
scratch array and copied out once.  Reusing that array (one per thread, grown
to the largest request and kept) avoids a fresh multi-megabyte allocation per
call, whose page faults otherwise cost more than the coding itself.
"""
import threading

import numpy as np

_local = threading.local()


def scratch(rows, length):
    """A (rows, length) uint8 array with contiguous rows, private to this thread
    and overwritten by its next call (contents undefined)."""
    need = rows * length
    buf = getattr(_local, "buf", None)
    if buf is None or buf.size < need:
        buf = _local.buf = np.empty(max(need, 1), dtype=np.uint8)
    return buf[:need].reshape(rows, length)
