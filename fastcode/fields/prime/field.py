"""The prime field GF(p), 2 < p < 2^31: ``fastcode.PrimeField(p)``.

Elements are uint32 in [0, p).  ``F.asarray`` validates (integers only, no
negative values, nothing >= p); every operation returns reduced values and
never wraps silently.  This module holds the field object: values and
element-wise operations (uint64 intermediates: sums < 2^32, products < 2^62),
float <-> field conversion, and the validating front of the bulk operations
whose engines live next to it:

* ``matmul``: float64 BLAS on exact integers or an integer C kernel, chosen by
  a cost model (``fastcode.fields.prime.matmul``);
* inv_matrix, solve, rank, det, nullspace: Gauss-Jordan in C
  (``fastcode.fields.prime.linalg``);
* ntt/intt (``fastcode.fields.prime.ntt``), poly_eval/interpolate
  (``fastcode.fields.prime.polynomials``);
* primality, generators and roots of unity (``fastcode.fields.prime.numtheory``).

``FASTCODE_BACKEND=numpy`` routes matmul, linear algebra and the transforms to
``fastcode.reference.prime``.
"""
import operator

import numpy as np

from fastcode import _config
from fastcode._util.memory import check_rows_disjoint
from fastcode._util.rng import as_generator
from fastcode.errors import FieldTypeError, FieldValueError, InvalidArgumentError, ShardSizeError
from fastcode.fields.base import Field
from fastcode.fields.prime import kernels, linalg, numtheory, polynomials
from fastcode.fields.prime import matmul as products
from fastcode.fields.prime import ntt as transforms
from fastcode.fields.prime.numtheory import P_MAX, is_prime, pow_mod
from fastcode.reference import prime as reference

__all__ = ["PrimeField"]


class PrimeField(Field):
    """GF(p) for a prime 2 < p < 2^31; elements uint32.  ``PrimeField(65537)``.

    Immutable and hashable; equal (and, within a process, identical) when p is
    equal; picklable."""

    dtype = np.dtype(np.uint32)
    supports_solve_consistent = True
    _instances = {}

    def __new__(cls, p):
        if isinstance(p, bool):
            raise FieldValueError(f"p must be an integer prime, got {p!r}")
        try:
            p = operator.index(p)
        except TypeError:
            raise FieldValueError(f"p must be an integer prime, got {p!r}") from None
        if p in cls._instances:
            return cls._instances[p]
        if not 2 < p < P_MAX:
            raise FieldValueError(f"p must satisfy 2 < p < 2^31, got {p} "
                                  "(use GF256 for characteristic 2)")
        if not is_prime(p):
            factor = numtheory.prime_factors(p)[0]
            raise FieldValueError(f"p = {p} is not prime (divisible by {factor})")
        self = object.__new__(cls)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "order", p)
        object.__setattr__(self, "characteristic", p)
        object.__setattr__(self, "name", f"GF({p})")
        object.__setattr__(self, "_cache", {})
        cls._instances[p] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("PrimeField is immutable")

    def __delattr__(self, name):
        raise AttributeError("PrimeField is immutable")

    def __reduce__(self):
        return (PrimeField, (self.p,))

    def __eq__(self, other):
        return isinstance(other, PrimeField) and other.p == self.p

    def __hash__(self):
        return hash(("PrimeField", self.p))

    def __repr__(self):
        return f"PrimeField({self.p})"

    # ---- values -------------------------------------------------------------

    def asarray(self, x, name="array", check_range=True):
        """x as a uint32 array of field elements.

        Accepts integer (and bool) arrays and scalars; raises FieldTypeError for
        any other dtype (floats included) and FieldValueError for entries < 0
        or >= p.  A uint32 array in range is returned as is (no copy).
        ``check_range=False`` skips the range scan of a uint32 array (for
        kernels that check the range in their own pass)."""
        arr = x if isinstance(x, np.ndarray) else np.asarray(x)
        if arr.dtype.kind not in "biu":
            if arr.size == 0 and arr.dtype.kind == "f":
                return arr.astype(np.uint32)
            raise FieldTypeError(f"{name} must hold integers for GF({self.p}), got dtype {arr.dtype}")
        if arr.dtype == np.uint32 and not check_range:
            return arr          # the caller's kernel checks the range itself
        if arr.size:
            # unsigned arrays cannot be negative: one pass instead of two
            lo = 0 if arr.dtype.kind in "bu" else arr.min()
            hi = arr.max()
            if lo < 0 or hi >= self.p:
                raise FieldValueError(f"{name} has values outside GF({self.p}) (0..{self.p - 1}): "
                                      f"min {lo}, max {hi}")
        if arr.dtype == np.uint32:
            return arr
        return arr.astype(np.uint32)

    def random(self, shape, rng=None):
        """Uniform random elements (uint32) of the given shape."""
        return as_generator(rng).integers(0, self.p, size=shape, dtype=np.uint32)

    def _u64(self, a, name):
        return self.asarray(a, name).astype(np.uint64)

    # ---- element-wise (uint64 intermediates: sums < 2^32, products < 2^62) ---

    def add(self, a, b):
        """a + b element-wise, broadcasting."""
        return ((self._u64(a, "a") + self._u64(b, "b")) % self.p).astype(np.uint32)

    def sub(self, a, b):
        """a - b element-wise, broadcasting."""
        return ((self._u64(a, "a") + (self.p - self._u64(b, "b"))) % self.p).astype(np.uint32)

    def neg(self, a):
        """-a element-wise."""
        return ((self.p - self._u64(a, "a")) % self.p).astype(np.uint32)

    def mul(self, a, b):
        """a * b element-wise, broadcasting."""
        return ((self._u64(a, "a") * self._u64(b, "b")) % self.p).astype(np.uint32)

    def sum(self, a, axis=0):
        """Sum along ``axis`` mod p (uint64 accumulation: exact for fewer than 2^33 terms)."""
        return (self._u64(a, "a").sum(axis=axis) % self.p).astype(np.uint32)

    def pow(self, a, e):
        """a ** e element-wise for integer exponents (negative needs a != 0)."""
        a = self._u64(a, "a")
        e = np.asarray(e)
        if e.dtype.kind not in "biu":
            raise FieldTypeError(f"exponent must be an integer, got dtype {e.dtype}")
        if e.dtype == np.uint64:
            e = e % np.uint64(self.p - 1)   # fold before the int64 cast
        e = e.astype(np.int64)
        a, e = np.broadcast_arrays(a, e)
        zero = a == 0
        if np.any(zero & (e < 0)):
            raise ZeroDivisionError(f"0 raised to a negative power in GF({self.p})")
        # a^(p-1) = 1 for a != 0, so the exponent only matters mod p - 1
        r = pow_mod(a, e % (self.p - 1), self.p)
        r = np.where(zero, (e == 0).astype(np.uint64), r)
        return r.astype(np.uint32)

    def inv(self, a):
        """1 / a element-wise (Fermat: a^(p-2)); ZeroDivisionError on a zero."""
        return self._inverse(a, "a")

    def _inverse(self, a, what):
        """1 / a, naming the argument ``what`` when it holds a zero."""
        a = self._u64(a, what)
        if np.any(a == 0):
            raise ZeroDivisionError(f"{what} has zero entries: division by zero in GF({self.p})")
        return pow_mod(a, np.int64(self.p - 2), self.p).astype(np.uint32)

    def div(self, a, b):
        """a / b element-wise; ZeroDivisionError if b has a zero."""
        return self.mul(a, self._inverse(b, "b"))

    # ---- matmul ----------------------------------------------------------------

    def _matrix(self, A, name, check_range=True):
        A = self.asarray(A, name, check_range)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return np.ascontiguousarray(A)

    def matmul_strategy(self, m, k, n):
        """The plan ``matmul`` uses for an (m, k) @ (k, n) product (see MatmulStrategy)."""
        return products.choose_strategy(self.p, m, k, n)

    def float_strategies(self):
        """Every valid float64 plan for this p: list of (limbs, shift, k_block)."""
        return products.float_strategies(self.p)

    def matmul(self, A, B, out=None, strategy=None, n_threads=None):
        """A @ B over GF(p).  A (m, k), B (k, n) or (k,); result (m, n) (or (m,)) uint32.

        ``out`` (m, n) uint32 receives the result (no result allocation; the
        float64 work buffers come from a per-thread pool, see
        ``fastcode.fields.prime.matmul.release_workspace``).  It
        may overlap A or B (the product is then formed in a temporary first);
        its own rows must not overlap each other (InvalidArgumentError).
        ``strategy`` forces a plan: "int", "float" (the cheapest float plan),
        or a MatmulStrategy; the default picks by cost model
        (``matmul_strategy``).  ``n_threads`` (default
        ``fastcode.get_num_threads()``) splits large products by rows (or
        columns) over threads; every kernel releases the GIL.  Keep BLAS itself
        single-threaded (OPENBLAS_NUM_THREADS=1) when using it."""
        threads = _config.check_num_threads(n_threads)
        # uint32 operands are range-checked inside the float kernels (one pass
        # fewer over the data); every other route validates up front below
        A = self._matrix(A, "A", check_range=False)
        Bv = self.asarray(B, "B", check_range=False)
        vector = Bv.ndim == 1
        B = np.ascontiguousarray(Bv.reshape(-1, 1) if vector else Bv)
        if B.ndim != 2:
            raise ShardSizeError(f"B must be 1-D or 2-D, got shape {Bv.shape}")
        m, k = A.shape
        if B.shape[0] != k:
            raise ShardSizeError(f"A has {k} columns but B has {B.shape[0]} rows")
        n = B.shape[1]
        target = None
        if out is not None:
            if not isinstance(out, np.ndarray) or out.dtype != np.uint32:
                raise FieldTypeError("out must be a uint32 array")
            want = (m,) if vector else (m, n)
            if out.shape != want:
                raise ShardSizeError(f"out has shape {out.shape}, expected {want}")
            if not out.flags.writeable:
                raise InvalidArgumentError("out is read-only")
            target = out
            out2 = out.reshape(m, n)
            check_rows_disjoint(out2)
            if not (out2.flags.c_contiguous and not np.may_share_memory(out2, A)
                    and not np.may_share_memory(out2, B)):
                out2 = np.empty((m, n), dtype=np.uint32)
        else:
            out2 = np.empty((m, n), dtype=np.uint32)
        st = products.resolve_strategy(self.p, strategy, m, k, n)
        if st.method != "float" or not kernels.active():
            self.asarray(A, "A")
            self.asarray(B, "B")
        if not kernels.active():
            out2[...] = reference.matmul(A, B, self.p)
        else:
            try:
                products.product(A, B, self.p, st, threads, out2)
            except products.OutOfRange:
                self.asarray(A, "A")
                self.asarray(B, "B")
                raise AssertionError("split kernel reported a value >= p that asarray did not find")
        if target is not None:
            if not np.shares_memory(target, out2):
                target.reshape(m, n)[...] = out2
            return target
        return out2.reshape(-1) if vector else out2

    # ---- linear algebra ---------------------------------------------------------

    def _square(self, A, name):
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def inv_matrix(self, A):
        """Inverse of a square matrix; SingularMatrixError if singular."""
        return linalg.inv_matrix(self._square(A, "A"), self.p)

    def solve(self, A, B):
        """X with A @ X = B; A (n, n), B (n, m) or (n,).  SingularMatrixError if singular."""
        A = self._square(A, "A")
        B2, vector = self._right_hand_side(B, A.shape[0])
        X = linalg.solve(A, B2, self.p)
        return X.reshape(-1) if vector else X

    def solve_consistent(self, A, B):
        """One X with A @ X = B for any A (m, n) and B (m, k) or (m,): the free
        unknowns of the reduced system are set to 0 (X is unique when A has rank
        n).  SingularMatrixError when some column of B is outside the column
        space of A."""
        A = self._matrix(A, "A")
        B2, vector = self._right_hand_side(B, A.shape[0])
        X = linalg.solve_consistent(A, np.ascontiguousarray(B2), self.p)
        return X.reshape(-1) if vector else X

    def _right_hand_side(self, B, rows):
        """(B as a 2-D uint32 matrix of ``rows`` rows, whether B was a vector)."""
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = B.reshape(-1, 1) if vector else B
        if B2.ndim != 2 or B2.shape[0] != rows:
            raise ShardSizeError(f"B must have {rows} rows, got shape {B.shape}")
        return B2, vector

    def rank(self, A):
        """Rank of a 2-D matrix."""
        return linalg.rank(self._matrix(A, "A"), self.p)

    def det(self, A):
        """Determinant of a square matrix (an int in 0..p-1)."""
        return linalg.det(self._square(A, "A"), self.p)

    def nullspace(self, A):
        """Basis of the right null space {x : A @ x = 0} as rows: shape (cols - rank, cols).

        ``A @ N.T`` is zero; the rows are in reduced form (one free column set to 1)."""
        return linalg.nullspace(self._matrix(A, "A"), self.p)

    # ---- roots of unity, NTT, polynomials ----------------------------------------

    def primitive_root(self):
        """The smallest generator of the multiplicative group GF(p)*."""
        g = self._cache.get("g")
        if g is None:
            g = self._cache["g"] = numtheory.primitive_root(self.p)
        return g

    def two_adicity(self):
        """Largest e with 2^e dividing p - 1 (the longest radix-2 NTT is 2^e)."""
        return numtheory.two_adicity(self.p)

    def root_of_unity(self, n):
        """A primitive n-th root of unity, g^((p-1)/n); FieldValueError unless n | p - 1."""
        return numtheory.root_of_unity(self.p, n, self.primitive_root())

    def _transform(self, x, axis, root, scale=1):
        """scale * X[i], X[i] = sum_j x[j] root^(i j) along ``axis``."""
        x = self.asarray(x, "x")
        a = np.moveaxis(x, axis, 0)
        n = a.shape[0]
        rows = a.reshape(n, -1)
        if kernels.active():
            res = transforms.transform(rows, root, self.p, scale)
        else:
            res = reference.dft(rows, root, self.p)
            if scale != 1:
                res = self.mul(res, scale)
        return np.moveaxis(res.reshape(a.shape), 0, axis)

    def ntt(self, x, axis=0, root=None):
        """Number-theoretic transform along ``axis`` (length n a power of two dividing p-1).

        X[i] = sum_j x[j] w^(i j) with w = ``root`` or ``root_of_unity(n)``: the
        values at w^i of the polynomial with coefficients x (ascending degree).
        Exact float64 butterflies (``fastcode.fields.prime.ntt``)."""
        n = np.shape(x)[axis]
        return self._transform(x, axis, transforms.check_root(self, n, root))

    def intt(self, X, axis=0, root=None):
        """Inverse of ``ntt`` with the same ``root``: coefficients from values at w^i."""
        n = np.shape(X)[axis]
        w = transforms.check_root(self, n, root)
        return self._transform(X, axis, pow(w, -1, self.p), pow(n, -1, self.p))

    def poly_eval(self, coeffs, points):
        """Evaluate polynomials at points (Horner).  coeffs (d, ...) ascending degree,
        points (n,); result (n, ...) uint32."""
        c = self.asarray(coeffs, "coeffs")
        x = self.asarray(points, "points")
        if c.ndim == 0:
            raise ShardSizeError("coeffs must have at least one dimension (the degree)")
        return polynomials.poly_eval(c, x, self.p)

    def interpolate(self, points, values):
        """Coefficients (ascending, shape (n, ...)) of the unique polynomial of degree < n
        with value values[i] at points[i].  O(n^2) (Newton divided differences)."""
        x = self.asarray(points, "points").reshape(-1)
        v = self.asarray(values, "values")
        n = len(x)
        if v.shape[:1] != (n,):
            raise ShardSizeError(f"values must have {n} rows, got shape {v.shape}")
        if len(np.unique(x)) != n:
            raise FieldValueError("interpolation points must be distinct")
        return polynomials.interpolate(x, v, self.p)

    # ---- fixed point ----------------------------------------------------------------

    def from_float(self, x, scale):
        """Real data to field elements: round(x * scale), negatives as p - |y| (centred).

        FieldValueError if an entry is not finite or |round(x * scale)| > (p-1)/2."""
        x = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise FieldValueError("x has non-finite entries")
        y = np.rint(x * float(scale))
        half = (self.p - 1) // 2
        if y.size and np.max(np.abs(y)) > half:
            raise FieldValueError(f"|x * scale| reaches {np.max(np.abs(y)):.6g}, beyond "
                                  f"(p-1)/2 = {half}: use a larger p or a smaller scale")
        y = y.astype(np.int64)
        return np.where(y < 0, y + self.p, y).astype(np.uint32)

    def to_float(self, y, scale):
        """Field elements to reals: centred value (y > (p-1)/2 means y - p) / scale."""
        y = self.asarray(y, "y").astype(np.int64)
        y = np.where(y > (self.p - 1) // 2, y - self.p, y)
        return y / float(scale)
