"""zfec 1.6's Python API on fastcode: ``import fastcode.compat.zfec as zfec``.

``Encoder(k, m).encode(blocks)`` / ``Decoder(k, m).decode(blocks, nums)``,
``easyfec`` (one padded byte string), ``filefec`` (share files with zfec's
header) and the ``cmdline_zfec`` / ``cmdline_zunfec`` tools.  Shares are
byte-identical to zfec's (GF(2^8), polynomial 0x11d, zfec's systematic
Vandermonde matrix ``fastcode.matrices.zfec_vandermonde``), so data encoded by
either library decodes with the other.
"""
from fastcode.compat.zfec._version import __version__
from fastcode.compat.zfec._fec import Decoder, Encoder, Error
from fastcode.compat.zfec import _fec, easyfec, filefec, cmdline_zfec, cmdline_zunfec  # noqa: E402

__all__ = ["Encoder", "Decoder", "Error", "easyfec", "filefec", "cmdline_zfec",
           "cmdline_zunfec", "__version__"]
