"""Polynomials over GF(p): evaluation (Horner) and interpolation (Newton
divided differences), vectorised over any trailing shape.

Coefficients are in ascending degree along axis 0.  Inputs are validated
uint32 arrays with entries < p (``PrimeField.poly_eval`` / ``interpolate``
check and name them); arithmetic is uint64 (products of two elements < 2^62).
"""
from __future__ import annotations

import numpy as np

from fastcode.fields.prime.numtheory import pow_mod

__all__ = ["poly_eval", "interpolate"]


def poly_eval(c: np.ndarray, x: np.ndarray, p: int) -> np.ndarray:
    """Values (len(x), ...) uint32 of the polynomials c (d, ...) at the points x (n,).

    Horner's rule, vectorised over the trailing axes of ``c``.

    Parameters
    ----------
    c : (d, ...) uint32 array
        Coefficients in ascending degree along axis 0, entries < p.
    x : (n,) uint32 array
        Points, entries < p (flattened if not 1-D).
    p : int
        The prime.

    Returns
    -------
    (n, ...) uint32 array
        Row i holds the value of every polynomial at x[i].

    Examples
    --------
    >>> from fastcode.fields.prime.polynomials import poly_eval
    >>> c = np.array([1, 2, 3], dtype=np.uint32)                 # 1 + 2x + 3x^2
    >>> poly_eval(c, np.array([0, 1, 2], dtype=np.uint32), 17).tolist()
    [1, 6, 0]
    """
    x = x.reshape(-1).astype(np.uint64)
    xs = x.reshape((-1,) + (1,) * (c.ndim - 1))
    res = np.zeros((len(x),) + c.shape[1:], dtype=np.uint64)
    for d in range(c.shape[0] - 1, -1, -1):
        res = (res * xs + c[d].astype(np.uint64)) % p
    return res.astype(np.uint32)


def interpolate(x: np.ndarray, v: np.ndarray, p: int) -> np.ndarray:
    """Coefficients (n, ...) uint32 of the unique polynomial of degree < n with
    value v[i] at the distinct points x[i] (n,).  O(n^2).

    Newton divided differences, then conversion to the monomial basis.

    Parameters
    ----------
    x : (n,) uint32 array
        Distinct points, entries < p (distinctness is not checked here).
    v : (n, ...) uint32 array
        Values at the points, entries < p; trailing axes hold independent
        polynomials.
    p : int
        The prime.

    Returns
    -------
    (n, ...) uint32 array
        Coefficients in ascending degree, shaped like ``v``.

    Examples
    --------
    Recovering a polynomial from its values (the decoding step of a
    polynomial code):

    >>> from fastcode.fields.prime.polynomials import interpolate, poly_eval
    >>> x = np.array([1, 2, 3], dtype=np.uint32)
    >>> c = interpolate(x, np.array([6, 11, 1], dtype=np.uint32), 17)
    >>> c.tolist()                                               # 3 + 2x + x^2
    [3, 2, 1]
    >>> poly_eval(c, x, 17).tolist()
    [6, 11, 1]
    """
    n = len(x)
    xs = x.astype(np.uint64)
    c = v.reshape(n, -1).astype(np.uint64)
    for j in range(1, n):
        diff = (xs[j:] + (p - xs[:-j])) % p
        dinv = pow_mod(diff, np.int64(p - 2), p)[:, None]
        c[j:] = (c[j:] + (p - c[j - 1:-1])) % p * dinv % p
    # Newton form -> monomial basis: poly = poly * (X - x_j) + c_j, j from n-1 down
    poly = np.zeros_like(c)
    if n:
        poly[0] = c[n - 1]
    for j in range(n - 2, -1, -1):
        shifted = np.zeros_like(poly)
        shifted[1:] = poly[:-1]
        poly = (shifted + (p - xs[j]) * poly % p) % p
        poly[0] = (poly[0] + c[j]) % p
    return poly.astype(np.uint32).reshape(v.shape)
