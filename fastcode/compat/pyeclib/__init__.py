"""A PyECLib driver on fastcode: ``ECDriver(library_import_str="fastcode.compat.pyeclib.Driver", ...)``.

Fragments (liberasurecode's 80-byte header + payload) are byte-identical to
liberasurecode 1.8.0's for ec_type ``isa_l_rs_cauchy``, ``isa_l_rs_vand`` and
``liberasurecode_rs_vand`` with chksum_type ``none`` or ``inline_crc32``, so
fragments written by either side decode, reconstruct and verify on the other.
See ``driver`` for the details.
"""
from fastcode.compat.pyeclib.driver import Driver

__all__ = ["Driver"]
