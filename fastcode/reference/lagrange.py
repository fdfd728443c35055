"""Lagrange coded computing in exact Python-integer arithmetic (object-dtype NumPy arrays).

Slow and obviously right: the tests compare ``fastcode.schemes.lagrange`` with these
functions.  Points and values are integers in [0, p); outputs are uint32.
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["basis_value", "encode", "interpolate_at"]

# Points: Python ints or an integer array.
_Points = Union[Sequence[int], np.ndarray]


def basis_value(points: _Points, j: int, z: int, p: int) -> int:
    """l_j(z) = prod_{m != j} (z - x_m) / (x_j - x_m) mod p for the distinct ``points`` x.

    Parameters
    ----------
    points : sequence of int or int array
        The distinct interpolation points x_m in [0, p).
    j : int
        Index of the basis polynomial (l_j(x_j) = 1, l_j(x_m) = 0 for m != j).
    z : int
        Where to evaluate it.
    p : int
        A prime.

    Returns
    -------
    int
        l_j(z) in [0, p).

    Examples
    --------
    >>> from fastcode.reference.lagrange import basis_value
    >>> [basis_value([1, 2, 3], 0, z, 7) for z in (1, 2, 3)]
    [1, 0, 0]
    >>> basis_value([1, 2, 3], 0, 5, 7)          # (5-2)(5-3) / ((1-2)(1-3)) = 3
    3
    """
    num, den = 1, 1
    xj = int(points[j])
    for m, xm in enumerate(points):
        if m != j:
            num = num * (int(z) - int(xm)) % p
            den = den * (xj - int(xm)) % p
    return num * pow(den, p - 2, p) % p


def encode(blocks: ArrayLike, betas: _Points, alphas: _Points, p: int) -> np.ndarray:
    """u(alpha_i) for every alpha: the Lagrange encoding of ``blocks``.

    Encoding is interpolation: u is the polynomial of degree < K + T through
    (betas, blocks).

    Parameters
    ----------
    blocks : (K + T, ...) int array
        The values of u at ``betas`` (data blocks then padding blocks), in [0, p).
    betas : sequence of int
        K + T distinct points in [0, p).
    alphas : sequence of int
        The workers' evaluation points.
    p : int
        A prime.

    Returns
    -------
    (len(alphas), ...) uint32 array

    Examples
    --------
    >>> from fastcode.reference.lagrange import encode
    >>> blocks = np.array([[1, 2], [3, 4]])       # u(0) = [1, 2], u(1) = [3, 4] over GF(11)
    >>> encode(blocks, [0, 1], [2, 3, 5], 11).tolist()
    [[5, 6], [7, 8], [0, 1]]
    """
    return interpolate_at(betas, blocks, alphas, p)


def interpolate_at(points: _Points, values: ArrayLike, at: _Points,
                   p: int) -> np.ndarray:
    """Values at ``at`` of the polynomial of degree < len(points) through (points, values).

    Parameters
    ----------
    points : sequence of int
        Distinct points in [0, p).
    values : (len(points), ...) int array
        The polynomial's values there, in [0, p).
    at : sequence of int
        Where to evaluate it.
    p : int
        A prime.

    Returns
    -------
    (len(at), ...) uint32 array

    Examples
    --------
    >>> from fastcode.reference.lagrange import interpolate_at
    >>> interpolate_at([1, 2], [5, 1], [0, 3, 4], 7).tolist()     # u(x) = 2 + 3x mod 7
    [2, 4, 0]
    """
    V = np.asarray(values).astype(object)
    out = []
    for z in at:
        acc = np.zeros(V.shape[1:], dtype=object)
        for j in range(len(points)):
            acc = acc + basis_value(points, j, z, p) * V[j]
        out.append(acc % p)
    return np.array(out, dtype=object).astype(np.uint32).reshape((len(at),) + V.shape[1:])
