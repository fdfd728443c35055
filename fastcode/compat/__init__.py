"""Drop-in backends for code written against other erasure-coding APIs.

* ``fastcode.compat.zfec``: the zfec 1.6 Python API (``Encoder``, ``Decoder``,
  ``easyfec``, ``filefec``, the ``zfec``/``zunfec`` command lines), byte-identical
  shares (zfec's systematic Vandermonde matrix, ``matrices.zfec_vandermonde``).
  Tahoe-LAFS-style code switches with ``import fastcode.compat.zfec as zfec``.
* ``fastcode.compat.pyeclib.Driver``: a PyECLib driver class, loaded by
  ``ECDriver(library_import_str="fastcode.compat.pyeclib.Driver", ...)``, whose
  fragments (with liberasurecode's 80-byte header) are byte-identical to
  liberasurecode's for ``isa_l_rs_cauchy``, ``isa_l_rs_vand`` and
  ``liberasurecode_rs_vand``.

Neither module needs the peer library installed; the PyECLib driver raises
pyeclib's own exception classes when pyeclib is importable.
"""
