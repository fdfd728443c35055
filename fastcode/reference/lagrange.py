"""Lagrange coded computing in exact Python-integer arithmetic (object-dtype NumPy arrays).

Slow and obviously right: the tests compare ``fastcode.schemes.lagrange`` with these
functions.  Points and values are integers in [0, p); outputs are uint32.
"""
import numpy as np

__all__ = ["basis_value", "encode", "interpolate_at"]


def basis_value(points, j, z, p):
    """l_j(z) = prod_{m != j} (z - x_m) / (x_j - x_m) mod p for the distinct ``points`` x."""
    num, den = 1, 1
    xj = int(points[j])
    for m, xm in enumerate(points):
        if m != j:
            num = num * (int(z) - int(xm)) % p
            den = den * (xj - int(xm)) % p
    return num * pow(den, p - 2, p) % p


def encode(blocks, betas, alphas, p):
    """u(alpha_i) for every alpha: ``blocks`` (K + T, ...) are the values of u at ``betas``
    (data blocks then padding blocks); returns (len(alphas), ...) uint32.  Encoding is
    interpolation: u is the polynomial of degree < K + T through (betas, blocks)."""
    return interpolate_at(betas, blocks, alphas, p)


def interpolate_at(points, values, at, p):
    """Values at ``at`` of the polynomial of degree < len(points) through (points, values):
    ``values`` (len(points), ...); returns (len(at), ...) uint32."""
    V = np.asarray(values).astype(object)
    out = []
    for z in at:
        acc = np.zeros(V.shape[1:], dtype=object)
        for j in range(len(points)):
            acc = acc + basis_value(points, j, z, p) * V[j]
        out.append(acc % p)
    return np.array(out, dtype=object).astype(np.uint32).reshape((len(at),) + V.shape[1:])
