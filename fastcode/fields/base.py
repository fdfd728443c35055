"""The field interface shared by GF256, PrimeField and Reals.

A field is a small immutable descriptor.  Codes are written against these
names only, so every code works over every field:

    dtype, order, characteristic, asarray(x), zeros(shape), eye(n),
    random(shape, rng), add, sub, neg, mul, div, inv, pow,
    matmul(A, B, out=None), plan_matmul(A) -> callable(B, out=None),
    inv_matrix(A), solve(A, B), rank(A), det(A)

Element-wise operations broadcast like NumPy.  Matrices are 2-D arrays of the
field's dtype.
"""
import numpy as np


def as_generator(rng):
    """A numpy.random.Generator from None, a seed or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


class MatmulPlan:
    """Product with a fixed left matrix A: ``plan(B, out=None)`` returns A @ B.

    Fields with prepared kernels (GF256) subclass it to keep their tables;
    this generic version just remembers A."""

    def __init__(self, field, A):
        self.field = field
        self.A = A

    @property
    def shape(self):
        return self.A.shape

    def __call__(self, B, out=None):
        return self.field.matmul(self.A, B, out=out)


class Field:
    """Base class: common helpers; subclasses implement the arithmetic."""

    name = "field"
    dtype = None
    order = None
    characteristic = None

    def __repr__(self):
        return self.name

    def zeros(self, shape):
        """All-zero array of the field's dtype."""
        return np.zeros(shape, dtype=self.dtype)

    def eye(self, n):
        """n x n identity matrix."""
        return np.eye(n, dtype=self.dtype)

    def neg(self, a):
        """-a element-wise."""
        return self.sub(self.zeros(np.shape(a)), a)

    def plan_matmul(self, A):
        """Prepare repeated products A @ B with the same A (see MatmulPlan)."""
        return MatmulPlan(self, self.asarray(A))
