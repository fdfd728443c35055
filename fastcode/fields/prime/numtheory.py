"""Number theory behind GF(p): primality, factors, generators, roots of unity,
modular powers of arrays, and the smallest prime an exact product needs.

Plain Python integers (and uint64 NumPy arrays for ``pow_mod``); nothing here
knows about the field object, so the field, the NTT and the codes can all use it.
"""
from __future__ import annotations

import math
import operator
from typing import List, Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import FieldValueError, ShardSizeError

__all__ = ["P_MAX", "is_prime", "next_prime", "prime_factors", "primitive_root",
           "two_adicity", "root_of_unity", "pow_mod", "min_prime_for_product"]

P_MAX = 1 << 31
"""Exclusive upper bound on p (elements fit uint32, products of two fit 2^62)."""

_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime(n: int) -> bool:
    """Whether n is prime: deterministic Miller-Rabin, exact for every n < 3.3e24 (bases 2..37).

    Parameters
    ----------
    n : int
        Any integer (values below 2 are not prime).

    Returns
    -------
    bool
        True when n is prime.

    Examples
    --------
    >>> from fastcode.fields.prime import is_prime
    >>> is_prime(65537), is_prime(2**31 - 1)
    (True, True)
    >>> is_prime(561), is_prime(1)           # 561 = 3 * 11 * 17 (a Carmichael number)
    (False, False)
    """
    n = operator.index(n)
    if n < 2:
        return False
    for q in _MR_BASES:
        if n % q == 0:
            return n == q
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def next_prime(n: int) -> int:
    """Smallest prime >= n.

    Parameters
    ----------
    n : int
        Lower bound (anything below 2 gives 2).

    Returns
    -------
    int
        The smallest prime p >= n.

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> from fastcode.fields.prime import next_prime
    >>> next_prime(1000)
    1009
    >>> PrimeField(next_prime(1000))
    PrimeField(1009)
    """
    n = max(operator.index(n), 2)
    while not is_prime(n):
        n += 1
    return n


def prime_factors(n: int) -> List[int]:
    """Distinct prime factors of n, ascending (trial division; meant for n < 2^31).

    Parameters
    ----------
    n : int
        A positive integer.

    Returns
    -------
    list of int
        The distinct primes dividing n, ascending (empty for n = 1).

    Examples
    --------
    >>> from fastcode.fields.prime import prime_factors
    >>> prime_factors(360)                   # 2^3 3^2 5
    [2, 3, 5]
    >>> prime_factors(2**31 - 2)             # p - 1 for the Mersenne prime 2^31 - 1
    [2, 3, 7, 11, 31, 151, 331]
    """
    out, q = [], 2
    while q * q <= n:
        if n % q == 0:
            out.append(q)
            while n % q == 0:
                n //= q
        q += 1
    if n > 1:
        out.append(n)
    return out


def primitive_root(p: int) -> int:
    """The smallest generator of the multiplicative group GF(p)*, p prime.

    c generates GF(p)* when c^((p-1)/q) != 1 for every prime q dividing p - 1.

    Parameters
    ----------
    p : int
        An odd prime (not checked).

    Returns
    -------
    int
        The smallest g in [2, p) of multiplicative order p - 1.

    Examples
    --------
    >>> from fastcode.fields.prime.numtheory import primitive_root
    >>> primitive_root(65537), primitive_root(2**31 - 1)
    (3, 7)
    >>> len({pow(3, i, 17) for i in range(16)})    # 3 reaches all 16 nonzero elements
    16
    """
    factors = prime_factors(p - 1)
    return next(c for c in range(2, p) if all(pow(c, (p - 1) // q, p) != 1 for q in factors))


def two_adicity(p: int) -> int:
    """Largest e with 2^e dividing p - 1 (the longest radix-2 NTT over GF(p) is 2^e).

    Parameters
    ----------
    p : int
        An odd prime.

    Returns
    -------
    int
        The exponent e.

    Examples
    --------
    >>> from fastcode.fields.prime.numtheory import two_adicity
    >>> two_adicity(65537), two_adicity(998244353)      # 998244353 = 119 * 2^23 + 1
    (16, 23)
    """
    return ((p - 1) & -(p - 1)).bit_length() - 1


def root_of_unity(p: int, n: int, generator: Optional[int] = None) -> int:
    """A primitive n-th root of unity of GF(p), g^((p-1)/n) with g = ``generator``
    (default ``primitive_root(p)``); FieldValueError unless n | p - 1.

    Parameters
    ----------
    p : int
        An odd prime.
    n : int
        The order, a positive divisor of p - 1.
    generator : int, optional
        A generator of GF(p)* (saves computing ``primitive_root(p)``).

    Returns
    -------
    int
        w with w^n = 1 and w^j != 1 for 0 < j < n.

    Raises
    ------
    FieldValueError
        n < 1 or n does not divide p - 1.

    Examples
    --------
    >>> from fastcode.fields.prime.numtheory import root_of_unity
    >>> w = root_of_unity(17, 8)
    >>> w, [pow(w, j, 17) for j in range(1, 9)]
    (9, [9, 13, 15, 16, 8, 4, 2, 1])
    >>> root_of_unity(17, 5)
    Traceback (most recent call last):
    ...
    fastcode.errors.FieldValueError: GF(17) has no primitive 5-th root of unity (5 does not divide p - 1 = 16)
    """
    n = operator.index(n)
    if n < 1 or (p - 1) % n:
        raise FieldValueError(f"GF({p}) has no primitive {n}-th root of unity "
                              f"({n} does not divide p - 1 = {p - 1})")
    g = primitive_root(p) if generator is None else generator
    return pow(g, (p - 1) // n, p)


def pow_mod(a: ArrayLike, e: ArrayLike, p: int) -> np.ndarray:
    """a ** e mod p element-wise: uint64 a < p < 2^31 and non-negative int64 e
    (broadcast), by square and multiply (products of two elements < 2^62).

    Parameters
    ----------
    a : uint64 array_like
        Bases, entries < p (not checked).
    e : int64 array_like
        Non-negative exponents, broadcastable with ``a``.
    p : int
        The modulus, p < 2^31.

    Returns
    -------
    uint64 array
        a^e mod p, of the broadcast shape.

    Examples
    --------
    >>> from fastcode.fields.prime.numtheory import pow_mod
    >>> a = np.array([2, 3, 5], dtype=np.uint64)
    >>> pow_mod(a, np.array([10, 0, 3]), 17).tolist()
    [4, 1, 6]
    >>> pow_mod(a, np.int64(15), 17).tolist() == [pow(int(x), -1, 17) for x in a]   # a^(p-2) = 1/a
    True
    """
    a, e = np.broadcast_arrays(a, e)
    result = np.ones(a.shape, dtype=np.uint64)
    base = a.copy()
    e = e.copy()
    while np.any(e):
        odd = (e & 1).astype(bool)
        result = np.where(odd, result * base % p, result)
        base = base * base % p
        e >>= 1
    return result


def min_prime_for_product(shape_a: Sequence[int], shape_b: Sequence[int], bound_a: float,
                          bound_b: float, scale_a: float = 1.0, scale_b: float = 1.0) -> int:
    """Smallest prime p for which ``A @ B`` is recovered exactly from GF(p).

    A (shape_a) and B (shape_b) hold reals with |A| <= bound_a, |B| <= bound_b,
    mapped by ``F.from_float(A, scale_a)`` and ``F.from_float(B, scale_b)``
    (round to nearest).  Entries then satisfy |a| <= ceil(bound_a scale_a), so
    |C| <= k ceil(bound_a scale_a) ceil(bound_b scale_b) with k the inner
    dimension, and the centred representation recovers C when (p-1)/2 >= that.
    ``F.to_float(F.matmul(a, b), scale_a * scale_b)`` then equals the product
    of the rounded matrices.

    Parameters
    ----------
    shape_a, shape_b : (int, int)
        Shapes of A (m, k) and B (k, n).
    bound_a, bound_b : float
        Bounds on the magnitude of the entries of A and B (finite, >= 0).
    scale_a, scale_b : float, default 1.0
        The fixed-point scales A and B are mapped with (finite, >= 0).

    Returns
    -------
    int
        The smallest prime p > 2 k ceil(bound_a scale_a) ceil(bound_b scale_b)
        (and at least 3).

    Raises
    ------
    ShardSizeError
        A shape is not 2-D, or the inner dimensions differ.
    FieldValueError
        A bound or scale is negative or not finite, or no p < 2^31 suffices
        (lower the scales or split the inner dimension).

    Examples
    --------
    An exact product of real matrices at two decimal digits of precision:

    >>> from fastcode import PrimeField
    >>> from fastcode.fields.prime import min_prime_for_product
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.uniform(-1, 1, (4, 64)), rng.uniform(-1, 1, (64, 3))
    >>> p = min_prime_for_product(A.shape, B.shape, 1.0, 1.0, scale_a=100, scale_b=100)
    >>> p                                     # > 2 * 64 * 100 * 100
    1280023
    >>> F = PrimeField(p)
    >>> C = F.to_float(F.matmul(F.from_float(A, 100), F.from_float(B, 100)), 100 * 100)
    >>> np.array_equal(C, (np.rint(A * 100) @ np.rint(B * 100)) / 1e4)
    True
    >>> min_prime_for_product((4, 64), (64, 3), 1.0, 1.0, scale_a=1e4, scale_b=1e4)
    Traceback (most recent call last):
    ...
    fastcode.errors.FieldValueError: exact product needs p > 12800000000 (|C| <= 6400000000), beyond ...
    """
    if len(shape_a) != 2 or len(shape_b) != 2:
        raise ShardSizeError(f"shapes must be 2-D, got {shape_a} and {shape_b}")
    if shape_a[1] != shape_b[0]:
        raise ShardSizeError(f"inner dimensions differ: {shape_a} @ {shape_b}")
    for name, v in (("bound_a", bound_a), ("bound_b", bound_b),
                    ("scale_a", scale_a), ("scale_b", scale_b)):
        if not (math.isfinite(v) and v >= 0):
            raise FieldValueError(f"{name} must be finite and >= 0, got {v}")
    ia = math.ceil(bound_a * scale_a)
    ib = math.ceil(bound_b * scale_b)
    cmax = int(shape_a[1]) * ia * ib
    p = next_prime(max(2 * cmax + 1, 3))
    if p >= P_MAX:
        raise FieldValueError(
            f"exact product needs p > {2 * cmax} (|C| <= {cmax}), beyond PrimeField's "
            f"limit 2^31; lower the scales or split the inner dimension")
    return p
