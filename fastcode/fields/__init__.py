"""Field descriptors: GF256, PrimeField(p) and Reals, sharing the interface of fields.base."""
from fastcode.fields.base import Field
from fastcode.fields.gf256 import GF256, GF256Field

__all__ = ["Field", "GF256", "GF256Field"]
from fastcode.fields.prime import PrimeField, min_prime_for_product  # noqa: E402

__all__ += ["PrimeField", "min_prime_for_product"]
from fastcode.fields.reals import Reals, RealsField  # noqa: E402

__all__ += ["Reals", "RealsField"]
from fastcode.fields.gf65536 import GF65536, GF65536Field  # noqa: E402

__all__ += ["GF65536", "GF65536Field"]
