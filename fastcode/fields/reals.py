"""The real numbers in float64: ``fastcode.Reals``.

Same interface as the finite fields so real-valued codes are written the same
way; arithmetic is IEEE float64 (complex128 where a construction needs it,
e.g. rotation embeddings decoded as complex Vandermonde systems).  Linear
algebra goes through NumPy's LAPACK.  Unlike a finite field, results carry
rounding error: ``inv_matrix``/``solve`` refuse matrices whose condition
number exceeds ``1 / (rcond_limit)`` (default 1/eps, i.e. numerically singular),
and ``rank``/``nullspace`` take a tolerance.
"""
import numpy as np

from fastcode._util.memory import check_rows_disjoint
from fastcode.errors import FieldTypeError, InvalidArgumentError, ShardSizeError, SingularMatrixError
from fastcode._util.rng import as_generator
from fastcode.fields.base import Field

EPS = np.finfo(np.float64).eps


class RealsField(Field):
    """float64 reals (complex128 accepted and kept).  Use the singleton ``fastcode.Reals``."""

    name = "Reals"
    dtype = np.dtype(np.float64)
    order = None            # infinite
    characteristic = 0
    exact = False           # results carry rounding error
    supports_lstsq = True

    def __reduce__(self):
        return "Reals"

    def __eq__(self, other):
        return isinstance(other, RealsField)

    def __hash__(self):
        return hash("Reals")

    # ---- values -----------------------------------------------------------

    def asarray(self, x, name="array"):
        """x as float64 (or complex128 if complex); FieldTypeError for non-numeric data."""
        arr = x if isinstance(x, np.ndarray) else np.asarray(x)
        kind = arr.dtype.kind
        if kind == "c":
            return arr.astype(np.complex128, copy=False)
        if kind not in "biuf":
            raise FieldTypeError(f"{name} must be numeric for Reals, got dtype {arr.dtype}")
        return arr.astype(np.float64, copy=False)

    def random(self, shape, rng=None):
        """Standard normal float64 entries."""
        return as_generator(rng).standard_normal(shape)

    # ---- element-wise -----------------------------------------------------

    def add(self, a, b):
        """a + b element-wise, broadcasting."""
        return np.add(self.asarray(a, "a"), self.asarray(b, "b"))

    def sub(self, a, b):
        """a - b element-wise, broadcasting."""
        return np.subtract(self.asarray(a, "a"), self.asarray(b, "b"))

    def neg(self, a):
        """-a element-wise."""
        return np.negative(self.asarray(a, "a"))

    def mul(self, a, b):
        """a * b element-wise, broadcasting."""
        return np.multiply(self.asarray(a, "a"), self.asarray(b, "b"))

    def _nonzero(self, b, what):
        b = self.asarray(b, what)
        if np.any(b == 0):
            raise ZeroDivisionError(f"{what} has zero entries")
        return b

    def div(self, a, b):
        """a / b element-wise; ZeroDivisionError if b has an exact zero."""
        return np.divide(self.asarray(a, "a"), self._nonzero(b, "b"))

    def inv(self, a):
        """1 / a element-wise; ZeroDivisionError on an exact zero."""
        return 1.0 / self._nonzero(a, "a")

    def pow(self, a, e):
        """a ** e element-wise (real exponents allowed; 0 ** negative raises)."""
        a = self.asarray(a, "a")
        e = self.asarray(e, "e")
        if np.any((a == 0) & (np.real(e) < 0)):
            raise ZeroDivisionError("0 raised to a negative power")
        return np.power(a, e)

    def sum(self, a, axis=0):
        """Sum along ``axis`` (NumPy's pairwise summation)."""
        return np.sum(self.asarray(a, "a"), axis=axis)

    # ---- bulk -------------------------------------------------------------

    def _matrix(self, A, name):
        A = self.asarray(A, name)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return A

    def _square(self, A, name):
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def matmul(self, A, B, out=None, n_threads=None):
        """A @ B by BLAS.  A (m, k), B (k, n) or (k,); ``out`` filled in place if given
        (it may overlap A or B; its rows must not overlap each other).

        ``n_threads`` is accepted for interface parity and ignored: BLAS
        threading is set by its own environment (OPENBLAS_NUM_THREADS)."""
        A = self._matrix(A, "A")
        B = self.asarray(B, "B")
        if B.ndim not in (1, 2) or B.shape[0] != A.shape[1]:
            raise ShardSizeError(f"B must have {A.shape[1]} rows, got shape {B.shape}")
        if out is None:
            return A @ B
        want = (A.shape[0],) + B.shape[1:]
        if not isinstance(out, np.ndarray) or out.dtype != np.float64:
            raise FieldTypeError(f"out must be a float64 array, got "
                                 f"{getattr(out, 'dtype', type(out).__name__)}")
        if out.shape != want:
            raise ShardSizeError(f"out must have shape {want}, got {out.shape}")
        if not out.flags.writeable:
            raise InvalidArgumentError("out is read-only")
        if out.ndim == 2:
            check_rows_disjoint(out)
        return np.matmul(A, B, out=out)   # NumPy buffers an out that overlaps A or B

    def cond(self, A):
        """2-norm condition number (inf for a singular matrix)."""
        A = self._matrix(A, "A")
        if A.size == 0:
            return 1.0
        s = np.linalg.svd(A, compute_uv=False)
        return float(s[0] / s[-1]) if s[-1] > 0 else float("inf")

    def _check_conditioned(self, A, rcond_limit):
        if A.shape[0] == 0:
            return
        limit = EPS if rcond_limit is None else rcond_limit
        c = self.cond(A)
        if not c * limit < 1.0:
            raise SingularMatrixError(f"matrix is numerically singular (condition number {c:.3g} "
                                      f">= 1/{limit:.3g})")

    def inv_matrix(self, A, rcond_limit=None):
        """Inverse (LAPACK); SingularMatrixError if cond(A) >= 1/rcond_limit (default 1/eps)."""
        A = self._square(A, "A")
        self._check_conditioned(A, rcond_limit)
        return np.linalg.inv(A)

    def solve(self, A, B, rcond_limit=None):
        """X with A @ X = B; A (n, n), B (n, m) or (n,).  SingularMatrixError as inv_matrix."""
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        if B.ndim not in (1, 2) or B.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        self._check_conditioned(A, rcond_limit)
        return np.linalg.solve(A, B)

    def lstsq(self, A, B):
        """argmin_X ||A @ X - B||_2 (LAPACK gelsd; the minimum-norm X when A is
        rank deficient).  A (m, n), B (m, k) or (m,); X (n, k) or (n,)."""
        A = self._matrix(A, "A")
        B = self.asarray(B, "B")
        if B.ndim not in (1, 2) or B.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        return np.linalg.lstsq(A, B, rcond=None)[0]

    def rank(self, A, tol=None):
        """Numerical rank: singular values above ``tol`` (default max(shape) * eps * s_max)."""
        A = self._matrix(A, "A")
        if A.size == 0:
            return 0
        return int(np.linalg.matrix_rank(A, tol=tol))

    def det(self, A):
        """Determinant (float, or complex for complex input)."""
        A = self._square(A, "A")
        return np.linalg.det(A).item() if A.size else 1.0

    def nullspace(self, A, tol=None):
        """Orthonormal basis of {x : A x ~ 0} as rows, shape (cols - rank, cols)."""
        A = self._matrix(A, "A")
        cols = A.shape[1]
        if A.shape[0] == 0:
            return np.eye(cols, dtype=A.dtype)
        _, s, vh = np.linalg.svd(A)
        if tol is None:
            tol = max(A.shape) * EPS * (s[0] if s.size else 0.0)
        r = int(np.sum(s > tol))
        return vh[r:].conj()


Reals = RealsField()
