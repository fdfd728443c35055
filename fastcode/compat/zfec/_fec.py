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
from typing import Any, List, Optional, Sequence

import numpy as np

from fastcode.codes import MDSCode
from fastcode.compat._scratch import scratch
from fastcode.errors import FastcodeError
from fastcode.fields import GF256
from fastcode.matrices import zfec_vandermonde

__all__ = ["Encoder", "Decoder", "Error", "test_from_agl"]


class Error(FastcodeError, ValueError):
    """zfec's ``Error``: a precondition of Encoder/Decoder was violated.

    A :class:`~fastcode.errors.FastcodeError` and a ``ValueError``, so code
    written for zfec and code written for fastcode both catch it.

    Examples
    --------
    >>> from fastcode.compat import zfec
    >>> try:
    ...     zfec.Encoder(4, 3)
    ... except zfec.Error as exc:
    ...     print(exc)
    Precondition violation: first argument is required to be less than or equal to the second argument, but they were 4 and 3 respectively
    """


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
    def k(self) -> int:
        """Number of blocks needed to reconstruct (1..m)."""
        return self._k

    @property
    def m(self) -> int:
        """Number of blocks produced (k..256)."""
        return self._m

    def __repr__(self):
        return f"{type(self).__name__}(k={self._k}, m={self._m})"


class Encoder(_Params):
    """Encoder(k, m): k primary blocks in, m blocks out; any k of them decode.

    Parameters
    ----------
    k : int
        Primary (data) blocks, 1 <= k <= m.
    m : int
        Blocks produced, at most 256.

    Raises
    ------
    Error
        If 1 <= k <= m <= 256 does not hold.

    Examples
    --------
    >>> from fastcode.compat import zfec
    >>> blocks = zfec.Encoder(2, 4).encode([b"abcd", b"efgh"])
    >>> len(blocks), blocks[:2]          # the primary blocks are the inputs
    (4, [b'abcd', b'efgh'])
    >>> zfec.Decoder(2, 4).decode([blocks[3], blocks[2]], [3, 2])
    [b'abcd', b'efgh']
    """

    __slots__ = ()

    def encode(self, inblocks: Sequence[Any],
               desired_blocks_nums: Optional[Sequence[int]] = None) -> List[Any]:
        """The blocks ``desired_blocks_nums`` of k equal-length input blocks.

        Parameters
        ----------
        inblocks : sequence of k bytes-like objects
            The primary blocks, all of one length.
        desired_blocks_nums : sequence of int in [0, m), optional
            Which blocks to return, in that order; all m by default.

        Returns
        -------
        list
            Primary entries (numbers < k) are the input objects themselves,
            the others new ``bytes``.

        Raises
        ------
        Error
            Not k blocks, blocks of different lengths, or a block number
            outside [0, m) or not an int.
        TypeError
            An argument that is not a sequence, or a block that is not bytes-like.

        Examples
        --------
        >>> from fastcode.compat import zfec
        >>> enc = zfec.Encoder(3, 5)
        >>> enc.encode([b"ab", b"cd", b"ef"], [4, 0])      # one parity, one primary
        [b'q\\xb2', b'ab']
        """
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
    """Decoder(k, m): the k primary blocks from any k of the m blocks.

    Parameters
    ----------
    k : int
        Primary (data) blocks, 1 <= k <= m.
    m : int
        Blocks in the code, at most 256.

    Raises
    ------
    Error
        If 1 <= k <= m <= 256 does not hold.

    Examples
    --------
    Shares made by fastcode decode with zfec's own Decoder and the other way
    round: the generator matrix is zfec's.

    >>> from fastcode.compat import zfec
    >>> shares = zfec.Encoder(3, 6).encode([b"ab", b"cd", b"ef"])
    >>> zfec.Decoder(3, 6).decode([shares[5], shares[1], shares[4]], [5, 1, 4])
    [b'ab', b'cd', b'ef']
    """

    __slots__ = ()

    def decode(self, blocks: Sequence[Any], blocknums: Sequence[int]) -> List[Any]:
        """The k primary blocks, in order, from any k blocks.

        Parameters
        ----------
        blocks : sequence of k bytes-like objects
            Blocks of one length.
        blocknums : sequence of k distinct ints in [0, m)
            Their share numbers, in the same order.

        Returns
        -------
        list of k blocks
            Primary blocks given are returned as is; rebuilt ones are ``bytes``.

        Raises
        ------
        Error
            Not k blocks or k numbers, numbers repeated, outside [0, m) or not
            ints, or blocks of different lengths.
        TypeError
            An argument that is not a sequence, or a block that is not bytes-like.
        """
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
        result: List[Any] = [None] * k
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
                result[i] = row if isinstance(row, bytes) else row.tobytes()
        return result


def test_from_agl() -> bool:
    """zfec's built-in self-test (3-of-5, 8-byte blocks).

    Returns
    -------
    bool
        True if the blocks round-trip.

    Examples
    --------
    >>> from fastcode.compat.zfec._fec import test_from_agl
    >>> test_from_agl()
    True
    """
    b0, b1, b2 = b"\x01" * 8, b"\x02" * 8, b"\x03" * 8
    b3, b4 = Encoder(3, 5).encode([b0, b1, b2], (3, 4))
    r0, r1, r2 = Decoder(3, 5).decode([b3, b4, b2], [3, 4, 2])
    return (r0, r1, r2) == (b0, b1, b2)
