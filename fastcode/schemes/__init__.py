"""Coded-computing schemes built from codes (DESIGN.md §1, §5): each turns a job
into per-worker payloads, a module-level worker function and a decoder, and
satisfies the runtime protocol of ``fastcode.runtime``."""
from fastcode.schemes.matvec import (  # noqa: F401
    CodedMatMul,
    CodedMatVec,
    ReplicatedMatVec,
    UncodedMatVec,
)
