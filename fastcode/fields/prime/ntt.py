"""Number-theoretic transform over GF(p): radix-2, along axis 0 of a 2-D array."""
import numpy as np

from fastcode.errors import FieldValueError, ShardSizeError
from fastcode.fields.prime import kernels
from fastcode.reference import prime as reference

__all__ = ["check_root", "transform"]


def check_root(field, n, root):
    """The transform root for length n: ``root`` checked to be a primitive n-th
    root of unity (FieldValueError otherwise), or ``field.root_of_unity(n)``.
    ShardSizeError unless n is a power of two."""
    if n & (n - 1) or n < 1:
        raise ShardSizeError(f"NTT length must be a power of two, got {n}")
    if root is None:
        return field.root_of_unity(n)
    p = field.p
    root = int(field.asarray(root, "root"))
    if pow(root, n, p) != 1 or (n > 1 and pow(root, n // 2, p) == 1):
        raise FieldValueError(f"{root} is not a primitive {n}-th root of unity in GF({p})")
    return root


def transform(a, root, p):
    """X[i] = sum_j a[j] root^(i j) along axis 0 of a (n, cols) uint32 array
    (radix-2, decimation in time)."""
    n = a.shape[0]
    if not kernels.active():
        return reference.dft(a, root, p)
    bits = n.bit_length() - 1
    rev = np.zeros(n, dtype=np.int64)
    for b in range(bits):
        rev |= ((np.arange(n) >> b) & 1) << (bits - 1 - b)
    data = a[rev].astype(np.uint64)
    cols = data.shape[1]
    length = 2
    while length <= n:
        half = length // 2
        wl = pow(root, n // length, p)
        tw = np.array([pow(wl, j, p) for j in range(half)], dtype=np.uint64)
        d = data.reshape(n // length, length, cols)
        u = d[:, :half].copy()
        v = d[:, half:] * tw[None, :, None] % p
        d[:, :half] = (u + v) % p
        d[:, half:] = (u + (p - v)) % p
        length *= 2
    return data.astype(np.uint32)
