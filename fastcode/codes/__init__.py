"""Codes as objects: MDS codes (more to come: gradient and polynomial codes)."""
from fastcode.codes.mds import Decoder, MDSCode

__all__ = ["Decoder", "MDSCode"]
