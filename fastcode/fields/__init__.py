"""Field descriptors: GF256 (and, later, PrimeField and Reals)."""
from fastcode.fields.base import Field
from fastcode.fields.gf256 import GF256, GF256Field

__all__ = ["Field", "GF256", "GF256Field"]
