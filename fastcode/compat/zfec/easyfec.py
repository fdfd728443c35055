"""zfec's ``easyfec``: encode one byte string, padding it to k equal blocks.

``Encoder(k, m).encode(data)`` cuts ``data`` into k blocks of
ceil(len(data) / k) bytes, zero-padding the end, and returns the m blocks;
``Decoder(k, m).decode(blocks, sharenums, padlen)`` joins the k primary blocks
and drops the ``padlen`` padding bytes (padlen = k * len(block) - len(data)).
"""
from fastcode.compat.zfec import _fec

__all__ = ["Encoder", "Decoder", "div_ceil"]


def div_ceil(n, d):
    """The smallest integer q with q * d >= n."""
    return -(-n // d)


class Encoder:
    """Encoder(k, m) for whole byte strings (see the module docstring)."""

    def __init__(self, k, m):
        self.fec = _fec.Encoder(k, m)

    def encode(self, data):
        """m blocks of ceil(len(data) / k) bytes; any k of them decode ``data``."""
        k = self.fec.k
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = div_ceil(len(view), k)
        padded = bytes(view) + bytes(size * k - len(view)) if size * k != len(view) else view
        return self.fec.encode([padded[i * size:(i + 1) * size] for i in range(k)])


class Decoder:
    """Decoder(k, m) for whole byte strings (see the module docstring)."""

    def __init__(self, k, m):
        self.fec = _fec.Decoder(k, m)

    def decode(self, blocks, sharenums, padlen):
        """The original string from k blocks, dropping ``padlen`` padding bytes."""
        data = b"".join(self.fec.decode(blocks, sharenums))
        return data[:len(data) - padlen] if padlen else data
