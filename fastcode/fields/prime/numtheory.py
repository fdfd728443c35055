"""Number theory behind GF(p): primality, factors, generators, roots of unity,
modular powers of arrays, and the smallest prime an exact product needs.

Plain Python integers (and uint64 NumPy arrays for ``pow_mod``); nothing here
knows about the field object, so the field, the NTT and the codes can all use it.
"""
import math
import operator

import numpy as np

from fastcode.errors import FieldValueError, ShardSizeError

__all__ = ["P_MAX", "is_prime", "next_prime", "prime_factors", "primitive_root",
           "two_adicity", "root_of_unity", "pow_mod", "min_prime_for_product"]

P_MAX = 1 << 31
"""Exclusive upper bound on p (elements fit uint32, products of two fit 2^62)."""

_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime(n):
    """Deterministic Miller-Rabin, exact for every n < 3.3e24 (bases 2..37)."""
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


def next_prime(n):
    """Smallest prime >= n."""
    n = max(operator.index(n), 2)
    while not is_prime(n):
        n += 1
    return n


def prime_factors(n):
    """Distinct prime factors of n, ascending (trial division; meant for n < 2^31)."""
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


def primitive_root(p):
    """The smallest generator of the multiplicative group GF(p)*, p prime."""
    factors = prime_factors(p - 1)
    return next(c for c in range(2, p) if all(pow(c, (p - 1) // q, p) != 1 for q in factors))


def two_adicity(p):
    """Largest e with 2^e dividing p - 1 (the longest radix-2 NTT over GF(p) is 2^e)."""
    return ((p - 1) & -(p - 1)).bit_length() - 1


def root_of_unity(p, n, generator=None):
    """A primitive n-th root of unity of GF(p), g^((p-1)/n) with g = ``generator``
    (default ``primitive_root(p)``); FieldValueError unless n | p - 1."""
    n = operator.index(n)
    if n < 1 or (p - 1) % n:
        raise FieldValueError(f"GF({p}) has no primitive {n}-th root of unity "
                              f"({n} does not divide p - 1 = {p - 1})")
    g = primitive_root(p) if generator is None else generator
    return pow(g, (p - 1) // n, p)


def pow_mod(a, e, p):
    """a ** e mod p element-wise: uint64 a < p < 2^31 and non-negative int64 e
    (broadcast), by square and multiply (products of two elements < 2^62).
    Returns uint64."""
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


def min_prime_for_product(shape_a, shape_b, bound_a, bound_b, scale_a=1.0, scale_b=1.0):
    """Smallest prime p for which ``A @ B`` is recovered exactly from GF(p).

    A (shape_a) and B (shape_b) hold reals with |A| <= bound_a, |B| <= bound_b,
    mapped by ``F.from_float(A, scale_a)`` and ``F.from_float(B, scale_b)``
    (round to nearest).  Entries then satisfy |a| <= ceil(bound_a scale_a), so
    |C| <= k ceil(bound_a scale_a) ceil(bound_b scale_b) with k the inner
    dimension, and the centred representation recovers C when (p-1)/2 >= that.
    ``F.to_float(F.matmul(a, b), scale_a * scale_b)`` then equals the product
    of the rounded matrices.  Raises FieldValueError if no p < 2^31 suffices
    (lower the scales or split the inner dimension)."""
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
