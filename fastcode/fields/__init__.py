"""Field descriptors: GF256, GF65536, PrimeField(p) and Reals, sharing the interface of fields.base.

GF256 is GF(2^8) with polynomial 0x11d, byte-compatible with ISA-L; GF65536 is
GF(2^16) in the Cantor basis of Leopard-RS (the FFT code's field); PrimeField(p)
is the integers mod a prime p; Reals is float64.

Examples
--------
>>> from fastcode.fields import GF256, GF65536, PrimeField, Reals
>>> [(str(F), F.dtype.name, F.order) for F in (GF256, GF65536, PrimeField(257), Reals)]
[('GF256', 'uint8', 256), ('GF65536', 'uint16', 65536), ('PrimeField(257)', 'uint32', 257), ('Reals', 'float64', None)]
"""
from fastcode.fields.base import Field
from fastcode.fields.gf256 import GF256, GF256Field

__all__ = ["Field", "GF256", "GF256Field"]
from fastcode.fields.prime import PrimeField, min_prime_for_product  # noqa: E402

__all__ += ["PrimeField", "min_prime_for_product"]
from fastcode.fields.reals import Reals, RealsField  # noqa: E402

__all__ += ["Reals", "RealsField"]
from fastcode.fields.gf65536 import GF65536, GF65536Field  # noqa: E402

__all__ += ["GF65536", "GF65536Field"]
