"""Prime fields GF(p), 2 < p < 2^31: ``fastcode.PrimeField(p)``.

One module per idea:

* ``numtheory``: primality, factors, generators, roots of unity, modular
  powers, ``min_prime_for_product``;
* ``matmul``: bulk products (plans, cost model, work buffers, threads, the
  float64 and integer kernels);
* ``linalg``: Gauss-Jordan (RREF, inverse, solve, rank, det, null space);
* ``ntt``: the number-theoretic transform;
* ``polynomials``: evaluation and interpolation;
* ``field``: the ``PrimeField`` object (values, element-wise operations,
  float <-> field conversion, the validating front of everything above);
* ``kernels``: the compiled kernels (``fastcode.fields._gfp``) and the
  backend switch.

Every name this package exported as a single module is still importable from
``fastcode.fields.prime``.

Examples
--------
>>> from fastcode import PrimeField
>>> from fastcode.fields.prime import is_prime, next_prime
>>> p = next_prime(65000)
>>> is_prime(p), p
(True, 65003)
>>> F = PrimeField(p)
>>> A = F.random((3, 3), rng=np.random.default_rng(0))
>>> np.array_equal(F.matmul(A, F.inv_matrix(A)), F.eye(3))
True
"""
from fastcode.fields.prime.numtheory import (
    P_MAX,
    is_prime,
    min_prime_for_product,
    next_prime,
    prime_factors,
)
from fastcode.fields.prime.matmul import (
    EXACT_LIMIT,
    MAX_LIMBS,
    MIN_THREAD_WORK,
    MatmulStrategy,
    choose_strategy,
    float_strategies,
    limb_split,
    release_workspace,
)
from fastcode.fields.prime.field import PrimeField

__all__ = ["PrimeField", "P_MAX", "EXACT_LIMIT", "MAX_LIMBS", "MIN_THREAD_WORK", "MatmulStrategy",
           "choose_strategy", "float_strategies", "is_prime", "limb_split", "min_prime_for_product",
           "next_prime", "prime_factors", "release_workspace"]
