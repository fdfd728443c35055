"""zfec's ``easyfec``: encode one byte string, padding it to k equal blocks.

``Encoder(k, m).encode(data)`` cuts ``data`` into k blocks of
ceil(len(data) / k) bytes, zero-padding the end, and returns the m blocks;
``Decoder(k, m).decode(blocks, sharenums, padlen)`` joins the k primary blocks
and drops the ``padlen`` padding bytes (padlen = k * len(block) - len(data)).
"""
from typing import Any, List, Sequence

from fastcode.compat.zfec import _fec

__all__ = ["Encoder", "Decoder", "div_ceil"]


def div_ceil(n: int, d: int) -> int:
    """The smallest integer q with q * d >= n.

    Parameters
    ----------
    n : int
    d : int
        Positive.

    Returns
    -------
    int

    Examples
    --------
    >>> from fastcode.compat.zfec.easyfec import div_ceil
    >>> div_ceil(10, 3), div_ceil(9, 3)
    (4, 3)
    """
    return -(-n // d)


class Encoder:
    """Encoder(k, m) for whole byte strings (see the module docstring).

    Parameters
    ----------
    k, m : int
        Any k of the m blocks decode; 1 <= k <= m <= 256.

    Raises
    ------
    Error
        If 1 <= k <= m <= 256 does not hold.

    Examples
    --------
    >>> from fastcode.compat.zfec import easyfec
    >>> data = b"hello, coded world"                  # 18 bytes: 4 blocks of 5, 2 padding
    >>> blocks = easyfec.Encoder(4, 6).encode(data)
    >>> len(blocks), len(blocks[0])
    (6, 5)
    >>> easyfec.Decoder(4, 6).decode([blocks[i] for i in (5, 0, 3, 4)], [5, 0, 3, 4], padlen=2)
    b'hello, coded world'
    """

    def __init__(self, k: int, m: int) -> None:
        self.fec = _fec.Encoder(k, m)

    def encode(self, data: Any) -> List[Any]:
        """The m blocks of a byte string.

        Parameters
        ----------
        data : bytes-like
            Cut into k blocks of ceil(len(data) / k) bytes, the end zero-padded.

        Returns
        -------
        list of m blocks
            Any k of them decode ``data``.

        Raises
        ------
        TypeError
            If ``data`` is not bytes-like.
        """
        k = self.fec.k
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = div_ceil(len(view), k)
        padded = bytes(view) + bytes(size * k - len(view)) if size * k != len(view) else view
        return self.fec.encode([padded[i * size:(i + 1) * size] for i in range(k)])


class Decoder:
    """Decoder(k, m) for whole byte strings (see the module docstring).

    Parameters
    ----------
    k, m : int
        Any k of the m blocks decode; 1 <= k <= m <= 256.

    Raises
    ------
    Error
        If 1 <= k <= m <= 256 does not hold.

    Examples
    --------
    >>> from fastcode.compat.zfec import easyfec
    >>> blocks = easyfec.Encoder(2, 3).encode(b"abc")          # 2 blocks of 2, 1 padding byte
    >>> easyfec.Decoder(2, 3).decode([blocks[2], blocks[1]], [2, 1], padlen=1)
    b'abc'
    """

    def __init__(self, k: int, m: int) -> None:
        self.fec = _fec.Decoder(k, m)

    def decode(self, blocks: Sequence[Any], sharenums: Sequence[int], padlen: int) -> bytes:
        """The original string from any k blocks.

        Parameters
        ----------
        blocks : sequence of k bytes-like objects
        sharenums : sequence of k distinct ints in [0, m)
            Their block numbers, in the same order.
        padlen : int
            Padding bytes to drop: k * len(block) - len(data).

        Returns
        -------
        bytes

        Raises
        ------
        Error
            As :meth:`fastcode.compat.zfec.Decoder.decode`.
        """
        data = b"".join(self.fec.decode(blocks, sharenums))
        return data[:len(data) - padlen] if padlen else data
