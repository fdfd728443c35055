"""zfec's ``_fec`` extension API (``Encoder``, ``Decoder``, ``Error``) on fastcode.

Blocks are bytes-like objects; results are lists whose primary blocks (share
numbers < k) are the caller's own objects, as in zfec, and whose other blocks
are new ``bytes``.  The code is ``MDSCode(m, k, kind="custom")`` with zfec's
generator (``fastcode.matrices.zfec_vandermonde``), so every share is
byte-identical to zfec's and shares mix freely between the two libraries.
Field GF(2^8), polynomial 0x11d.  Argument checks and their messages follow
zfec's C module; fastcode also refuses what zfec leaves undefined (share numbers
>= m, repeated share numbers, blocks of different lengths).
"""
import functools
import operator

import numpy as np

from fastcode.codes import MDSCode
from fastcode.compat._scratch import scratch
from fastcode.errors import FastcodeError
from fastcode.fields import GF256
from fastcode.matrices import zfec_vandermonde

__all__ = ["Encoder", "Decoder", "Error", "test_from_agl"]


class Error(FastcodeError, ValueError):
    """zfec's ``Error``: a precondition of Encoder/Decoder was violated."""


@functools.lru_cache(maxsize=64)
def _code(k, m):
    """The (m, k) code with zfec's generator, shared by every Encoder/Decoder.

    zfec's matrix is MDS by construction (distinct Vandermonde points), so the
    exhaustive MDS check of MDSCode is skipped."""
    return MDSCode(m, k, kind="custom", G=zfec_vandermonde(m, k), check=False)


@functools.lru_cache(maxsize=256)
def _parity_plan(k, m, rows):
    """Kernel plan producing the parity shares ``rows`` (a tuple of numbers >= k)."""
    P = _code(k, m).parity_matrix[[r - k for r in rows]]
    return GF256.plan_matmul(np.ascontiguousarray(P))


def _check_params(k, m):
    k, m = operator.index(k), operator.index(m)
    if k < 1:
        raise Error("Precondition violation: first argument is required to be greater than "
                    f"or equal to 1, but it was {k}")
    if m < 1:
        raise Error("Precondition violation: second argument is required to be greater than "
                    f"or equal to 1, but it was {m}")
    if m > 256:
        raise Error("Precondition violation: second argument is required to be less than "
                    f"or equal to 256, but it was {m}")
    if k > m:
        raise Error("Precondition violation: first argument is required to be less than or "
                    "equal to the second argument, but they were "
                    f"{k} and {m} respectively")
    return k, m


def _sequence(obj, message):
    """obj as a list or tuple (any iterable is accepted, like PySequence_Fast)."""
    if type(obj) is list or type(obj) is tuple:
        return obj
    try:
        return list(obj)
    except TypeError:
        raise TypeError(message) from None


def _block_numbers(nums):
    """The share numbers in ``nums`` as ints (Error for a non-int)."""
    out = []
    for v in nums:
        if not isinstance(v, int):
            raise Error("Precondition violation: second argument is required to contain int.")
        out.append(int(v))
    return out


def _buffers(blocks):
    """Contiguous byte views of ``blocks`` and their common length."""
    views = []
    length = None
    for b in blocks:
        v = memoryview(b)                       # TypeError for non-buffers, as zfec
        if not v.c_contiguous or v.ndim != 1 or v.itemsize != 1:
            v = memoryview(v.tobytes())
        if length is not None and len(v) != length:
            raise Error("Precondition violation: Input blocks are required to be all the same "
                        f"length.  length of one block was: {length}, length of another block "
                        f"was: {len(v)}")
        length = len(v)
        views.append(v)
    return views, length or 0


class _Params:
    __slots__ = ("_k", "_m", "_code")

    def __init__(self, k, m):
        self._k, self._m = _check_params(k, m)
        self._code = _code(self._k, self._m)

    @property
    def k(self):
        """Number of blocks needed to reconstruct (1..m)."""
        return self._k

    @property
    def m(self):
        """Number of blocks produced (k..256)."""
        return self._m

    def __repr__(self):
        return f"{type(self).__name__}(k={self._k}, m={self._m})"


class Encoder(_Params):
    """Encoder(k, m): k primary blocks in, m blocks out; any k of them decode.

    1 <= k <= m <= 256 (``Error`` otherwise)."""

    __slots__ = ()

    def encode(self, inblocks, desired_blocks_nums=None):
        """Blocks ``desired_blocks_nums`` (default all m, in order) of the k
        equal-length ``inblocks``; a list whose primary entries are the input
        objects themselves and whose others are new ``bytes``."""
        k, m = self._k, self._m
        if desired_blocks_nums is not None:
            wanted = _block_numbers(_sequence(desired_blocks_nums,
                                              "Second argument (optional) was not a sequence."))
            for v in wanted:
                if not 0 <= v < m:
                    raise Error(f"Precondition violation: block nums must be in [0, m={m}), got {v}")
        else:
            wanted = None
        blocks = _sequence(inblocks, "First argument was not a sequence.")
        if len(blocks) != k:
            raise Error("Precondition violation: Wrong length -- first argument (the sequence of "
                        "input blocks) is required to contain exactly k blocks.  "
                        f"len(first): {len(blocks)}, k: {k}")
        views, length = _buffers(blocks)
        if wanted is None:
            rows = tuple(range(k, m))
        else:
            rows = tuple(sorted({v for v in wanted if v >= k}))
        parity = {}
        if rows:
            if length == 0:
                parity = {r: b"" for r in rows}
            else:
                out = scratch(len(rows), length)
                if len(rows) == m - k:
                    self._code.encode(views, out=out)
                else:
                    _parity_plan(k, m, rows)(views, out=out)
                parity = {r: out[i].tobytes() for i, r in enumerate(rows)}
        if wanted is None:
            return list(blocks) + [parity[r] for r in rows]
        return [blocks[v] if v < k else parity[v] for v in wanted]


class Decoder(_Params):
    """Decoder(k, m): the k primary blocks from any k of the m blocks."""

    __slots__ = ()

    def decode(self, blocks, blocknums):
        """The k primary blocks, in order, from k ``blocks`` with share numbers
        ``blocknums`` (same order).  Primary blocks given are returned as is."""
        k, m = self._k, self._m
        blocks = _sequence(blocks, "First argument was not a sequence.")
        nums = _sequence(blocknums, "Second argument was not a sequence.")
        if len(blocks) != k:
            raise Error("Precondition violation: Wrong length -- first argument is required to "
                        f"contain exactly k blocks.  len(first): {len(blocks)}, k: {k}")
        if len(nums) != k:
            raise Error("Precondition violation: Wrong length -- blocknums is required to contain "
                        f"exactly k blocks.  len(blocknums): {len(nums)}, k: {k}")
        nums = _block_numbers(nums)
        for v in nums:
            if v < 0 or v > 255:
                raise Error("Precondition violation: block nums can't be less than zero or "
                            f"greater than 255.  {v}\n")
            if v >= m:
                raise Error(f"Precondition violation: block num {v} is not less than m={m}")
        if len(set(nums)) != k:
            raise Error(f"Precondition violation: block nums must be distinct, got {nums}")
        views, length = _buffers(blocks)
        result = [None] * k
        for b, v in zip(blocks, nums):
            if v < k:
                result[v] = b
        lost = [i for i in range(k) if result[i] is None]
        if lost:
            if length == 0:
                rebuilt = [b""] * len(lost)
            else:
                rebuilt = self._code.reconstruct(views, nums, which=lost,
                                                 out=scratch(len(lost), length))
            for i, row in zip(lost, rebuilt):
                result[i] = row if length == 0 else row.tobytes()
        return result


def test_from_agl():
    """zfec's built-in self-test (3-of-5, 8-byte blocks): True if it round-trips."""
    b0, b1, b2 = b"\x01" * 8, b"\x02" * 8, b"\x03" * 8
    b3, b4 = Encoder(3, 5).encode([b0, b1, b2], (3, 4))
    r0, r1, r2 = Decoder(3, 5).decode([b3, b4, b2], [3, 4, 2])
    return (r0, r1, r2) == (b0, b1, b2)
