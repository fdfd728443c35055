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
from __future__ import annotations

import operator
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode import _config
from fastcode._util.memory import check_rows_disjoint
from fastcode._util.rng import as_generator
from fastcode.errors import FieldTypeError, FieldValueError, InvalidArgumentError, ShardSizeError
from fastcode.fields.base import Field
from fastcode.fields.prime import kernels, linalg, numtheory, polynomials
from fastcode.fields.prime import matmul as products
from fastcode.fields.prime import ntt as transforms
from fastcode.fields.prime.matmul import MatmulStrategy
from fastcode.fields.prime.numtheory import P_MAX, is_prime, pow_mod
from fastcode.reference import prime as reference

__all__ = ["PrimeField"]


class PrimeField(Field):
    """GF(p) for a prime 2 < p < 2^31; elements uint32.  ``PrimeField(65537)``.

    Immutable and hashable; equal (and, within a process, identical) when p is
    equal; picklable.  Elements are uint32 arrays with entries in [0, p); every
    operation validates its inputs (``asarray``) and returns reduced uint32
    values.  Besides the interface every fastcode field has (element-wise
    arithmetic, ``matmul``, ``inv_matrix``, ``solve``, ``rank``, ``det``), a
    prime field offers ``solve_consistent`` and ``nullspace``, roots of unity
    and the number-theoretic transform (``ntt`` / ``intt``), polynomial
    evaluation and interpolation, and fixed-point conversion of real data
    (``from_float`` / ``to_float``).  The attribute ``p`` (also ``order`` and
    ``characteristic``) is the prime, ``name`` is "GF(p)" and ``dtype`` is
    uint32.

    Parameters
    ----------
    p : int
        The prime, 2 < p < 2^31 (``P_MAX``).  Characteristic 2 is ``GF256``.

    Raises
    ------
    FieldValueError
        ``p`` is not an integer, is outside (2, 2^31), or is not prime.

    See Also
    --------
    fastcode.fields.prime.min_prime_for_product : The smallest p for an exact real product.
    fastcode.fields.prime.next_prime : The smallest prime >= n.

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> F = PrimeField(17)
    >>> F, F.p, F.name
    (PrimeField(17), 17, 'GF(17)')
    >>> F is PrimeField(17)
    True
    >>> F.add([3, 16], [15, 5]).tolist()
    [1, 4]
    >>> F.mul([4, 16], [5, 16]).tolist()
    [3, 1]
    >>> F.div(1, [1, 2, 3]).tolist()
    [1, 9, 6]
    >>> PrimeField(15)
    Traceback (most recent call last):
    ...
    fastcode.errors.FieldValueError: p = 15 is not prime (divisible by 3)
    """

    dtype = np.dtype(np.uint32)
    supports_solve_consistent = True
    _instances: Dict[int, "PrimeField"] = {}
    p: int
    order: int
    characteristic: int
    _cache: Dict[str, Any]

    def __new__(cls, p: int) -> "PrimeField":
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

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("PrimeField is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("PrimeField is immutable")

    def __reduce__(self) -> Tuple[type, Tuple[int]]:
        return (PrimeField, (self.p,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrimeField) and other.p == self.p

    def __hash__(self) -> int:
        return hash(("PrimeField", self.p))

    def __repr__(self) -> str:
        return f"PrimeField({self.p})"

    # ---- values -------------------------------------------------------------

    def asarray(self, x: ArrayLike, name: str = "array", check_range: bool = True) -> np.ndarray:
        """x as a uint32 array of field elements.

        Accepts integer (and bool) arrays and scalars; an empty float array
        is accepted too (it holds no value to reject).  A uint32 array in
        range is returned as is (no copy); other integer dtypes are converted.

        Parameters
        ----------
        x : array_like of int
            Integers in [0, p), any shape.
        name : str, default "array"
            How error messages call ``x``.
        check_range : bool, default True
            False skips the range scan of a uint32 array (for kernels that
            check the range in their own pass); other dtypes are always
            checked.

        Returns
        -------
        uint32 array
            ``x`` with the same shape (``x`` itself when it is already uint32).

        Raises
        ------
        FieldTypeError
            ``x`` has a dtype other than integer or bool (floats included).
        FieldValueError
            An entry is < 0 or >= p.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(7)
        >>> a = F.asarray([[1, 2], [3, 6]])
        >>> a.dtype.name, a.tolist()
        ('uint32', [[1, 2], [3, 6]])
        >>> F.asarray(a) is a
        True
        >>> F.asarray([3, 7], name="weights")
        Traceback (most recent call last):
        ...
        fastcode.errors.FieldValueError: weights has values outside GF(7) (0..6): min 3, max 7
        >>> F.asarray([1.0])
        Traceback (most recent call last):
        ...
        fastcode.errors.FieldTypeError: array must hold integers for GF(7), got dtype float64
        """
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

    def random(self, shape: Union[int, Tuple[int, ...]],
               rng: Optional[Union[int, np.random.Generator]] = None) -> np.ndarray:
        """Uniform random elements (uint32) of the given shape.

        Parameters
        ----------
        shape : int or tuple of int
            Shape of the result.
        rng : int, numpy.random.Generator or None, optional
            A seed, a generator (used as is) or None (fresh entropy).

        Returns
        -------
        uint32 array of shape ``shape``
            Entries uniform in [0, p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.random((2, 3), rng=np.random.default_rng(0)).tolist()
        [[14, 10, 8], [4, 5, 0]]
        >>> bool(np.all(F.random(1000, rng=1) < 17))
        True
        """
        return as_generator(rng).integers(0, self.p, size=shape, dtype=np.uint32)

    def _u64(self, a: ArrayLike, name: str) -> np.ndarray:
        return self.asarray(a, name).astype(np.uint64)

    # ---- element-wise (uint64 intermediates: sums < 2^32, products < 2^62) ---

    def add(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a + b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of int
            Field elements (entries in [0, p)), shapes broadcastable.

        Returns
        -------
        uint32 array
            (a + b) mod p, of the broadcast shape.

        Raises
        ------
        FieldTypeError
            ``a`` or ``b`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.add([3, 16], [15, 5]).tolist()
        [1, 4]
        >>> F.add([[1], [2]], [10, 16]).tolist()
        [[11, 0], [12, 1]]
        """
        return ((self._u64(a, "a") + self._u64(b, "b")) % self.p).astype(np.uint32)

    def sub(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a - b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of int
            Field elements (entries in [0, p)), shapes broadcastable.

        Returns
        -------
        uint32 array
            (a - b) mod p, of the broadcast shape.

        Raises
        ------
        FieldTypeError
            ``a`` or ``b`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.sub([3, 0], [5, 1]).tolist()
        [15, 16]
        """
        return ((self._u64(a, "a") + (self.p - self._u64(b, "b"))) % self.p).astype(np.uint32)

    def neg(self, a: ArrayLike) -> np.ndarray:
        """-a element-wise.

        Parameters
        ----------
        a : array_like of int
            Field elements (entries in [0, p)).

        Returns
        -------
        uint32 array
            (p - a) mod p, of the shape of ``a``.

        Raises
        ------
        FieldTypeError
            ``a`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> PrimeField(17).neg([0, 1, 16]).tolist()
        [0, 16, 1]
        """
        return ((self.p - self._u64(a, "a")) % self.p).astype(np.uint32)

    def mul(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a * b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of int
            Field elements (entries in [0, p)), shapes broadcastable.

        Returns
        -------
        uint32 array
            (a b) mod p, of the broadcast shape (uint64 products, < 2^62).

        Raises
        ------
        FieldTypeError
            ``a`` or ``b`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.mul([4, 16], [5, 16]).tolist()
        [3, 1]
        >>> F.mul(3, [1, 2, 3]).tolist()
        [3, 6, 9]
        """
        return ((self._u64(a, "a") * self._u64(b, "b")) % self.p).astype(np.uint32)

    def sum(self, a: ArrayLike, axis: int = 0) -> np.ndarray:
        """Sum along ``axis`` mod p (uint64 accumulation: exact for fewer than 2^33 terms).

        Parameters
        ----------
        a : array_like of int
            Field elements (entries in [0, p)).
        axis : int, default 0
            The axis summed over.

        Returns
        -------
        uint32 array
            The sums mod p: ``a``'s shape without ``axis``.

        Raises
        ------
        FieldTypeError
            ``a`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.sum([[16, 16], [5, 1]]).tolist()
        [4, 0]
        >>> F.sum([[16, 16], [5, 1]], axis=1).tolist()
        [15, 6]
        """
        return (self._u64(a, "a").sum(axis=axis) % self.p).astype(np.uint32)

    def pow(self, a: ArrayLike, e: ArrayLike) -> np.ndarray:
        """a ** e element-wise for integer exponents (negative needs a != 0).

        Since a^(p-1) = 1 for a != 0, only e mod (p - 1) matters; 0^0 = 1.

        Parameters
        ----------
        a : array_like of int
            Field elements (entries in [0, p)).
        e : array_like of int
            Exponents, any sign, broadcastable with ``a``.

        Returns
        -------
        uint32 array
            a^e in GF(p), of the broadcast shape.

        Raises
        ------
        FieldTypeError
            ``a`` or ``e`` does not hold integers.
        FieldValueError
            An entry of ``a`` is outside [0, p).
        ZeroDivisionError
            A zero raised to a negative power.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.pow([2, 3, 0], [4, -1, 0]).tolist()
        [16, 6, 1]
        >>> F.pow(3, 16).tolist()                  # Fermat: a^(p-1) = 1
        1
        """
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

    def inv(self, a: ArrayLike) -> np.ndarray:
        """1 / a element-wise (Fermat: a^(p-2)); ZeroDivisionError on a zero.

        Parameters
        ----------
        a : array_like of int
            Nonzero field elements (entries in [1, p)).

        Returns
        -------
        uint32 array
            The inverses, of the shape of ``a``.

        Raises
        ------
        FieldTypeError
            ``a`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ZeroDivisionError
            ``a`` has a zero entry.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.inv([1, 2, 3]).tolist()
        [1, 9, 6]
        >>> F.mul([2, 3], F.inv([2, 3])).tolist()
        [1, 1]
        """
        return self._inverse(a, "a")

    def _inverse(self, a: ArrayLike, what: str) -> np.ndarray:
        """1 / a, naming the argument ``what`` when it holds a zero."""
        a = self._u64(a, what)
        if np.any(a == 0):
            raise ZeroDivisionError(f"{what} has zero entries: division by zero in GF({self.p})")
        return pow_mod(a, np.int64(self.p - 2), self.p).astype(np.uint32)

    def div(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a / b element-wise; ZeroDivisionError if b has a zero.

        Parameters
        ----------
        a : array_like of int
            Field elements (entries in [0, p)).
        b : array_like of int
            Nonzero field elements, broadcastable with ``a``.

        Returns
        -------
        uint32 array
            a b^(-1) in GF(p), of the broadcast shape.

        Raises
        ------
        FieldTypeError
            ``a`` or ``b`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ZeroDivisionError
            ``b`` has a zero entry.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.div([1, 2], [3, 4]).tolist()
        [6, 9]
        >>> F.mul([6, 9], [3, 4]).tolist()
        [1, 2]
        """
        return self.mul(a, self._inverse(b, "b"))

    # ---- matmul ----------------------------------------------------------------

    def _matrix(self, A: ArrayLike, name: str, check_range: bool = True) -> np.ndarray:
        A = self.asarray(A, name, check_range)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return np.ascontiguousarray(A)

    def matmul_strategy(self, m: int, k: int, n: int) -> MatmulStrategy:
        """The plan ``matmul`` uses for an (m, k) @ (k, n) product (see MatmulStrategy).

        Parameters
        ----------
        m, k, n : int
            The product's dimensions: rows of A, inner dimension, columns of B.

        Returns
        -------
        MatmulStrategy
            The cheapest plan by the cost model (integer kernel or float64 BLAS).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> F.matmul_strategy(4, 4, 4)
        MatmulStrategy(int)
        >>> F.matmul_strategy(512, 512, 512)
        MatmulStrategy(float, limbs=1, shift=31, k_block=8388600, split=A)
        """
        return products.choose_strategy(self.p, m, k, n)

    def float_strategies(self) -> Tuple[Tuple[int, int, int], ...]:
        """Every valid float64 plan for this p: list of (limbs, shift, k_block).

        Returns
        -------
        tuple of (int, int, int)
            (limbs, shift, k_block) triples, fewest limbs first; see
            ``fastcode.fields.prime.matmul.float_strategies``.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> PrimeField(2**31 - 1).float_strategies()
        ((2, 15, 255), (3, 10, 8191), (4, 8, 65535))
        """
        return products.float_strategies(self.p)

    # The override is ignored on purpose: ``strategy`` is PrimeField's own 4th parameter where
    # the generic Field interface has ``n_threads``; code written against the interface
    # passes ``n_threads`` by keyword (the only way that works for every field).
    def matmul(self, A: ArrayLike, B: ArrayLike,  # type: ignore[override]
               out: Optional[np.ndarray] = None,
               strategy: Union[None, str, MatmulStrategy] = None,
               n_threads: Optional[int] = None) -> np.ndarray:
        """A @ B over GF(p).  A (m, k), B (k, n) or (k,); result (m, n) (or (m,)) uint32.

        The float64 work buffers come from a per-thread pool (see
        ``fastcode.fields.prime.matmul.release_workspace``).  Every kernel
        releases the GIL.  Keep BLAS itself single-threaded
        (OPENBLAS_NUM_THREADS=1) when using ``n_threads``.

        Parameters
        ----------
        A : (m, k) array_like of int
            Field elements (entries in [0, p)).
        B : (k, n) or (k,) array_like of int
            Field elements; a vector gives a vector result.
        out : (m, n) or (m,) uint32 array, optional
            Receives the result (no result allocation).  It may overlap A or
            B (the product is then formed in a temporary first); its own rows
            must not overlap each other.
        strategy : {None, "int", "float"} or MatmulStrategy, optional
            Forces a plan: "int", "float" (the cheapest float plan), or a
            MatmulStrategy; the default picks by cost model
            (``matmul_strategy``).
        n_threads : int, optional
            Threads that split large products by rows (or columns); default
            ``fastcode.get_num_threads()``.

        Returns
        -------
        (m, n) or (m,) uint32 array
            A @ B mod p (``out`` when given).

        Raises
        ------
        FieldTypeError
            A or B does not hold integers, or ``out`` is not a uint32 array.
        FieldValueError
            An entry of A or B is outside [0, p).
        ShardSizeError
            A is not 2-D, B is not 1-D or 2-D, the inner dimensions differ, or
            ``out`` has the wrong shape.
        InvalidArgumentError
            ``out`` is read-only or its rows overlap each other.
        ValueError
            ``n_threads`` is not an int in [1, MAX_THREADS], or ``strategy``
            is unknown or a MatmulStrategy that is not exact for p.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> F.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]).tolist()
        [[19, 22], [43, 50]]
        >>> F.matmul([[1, 2], [3, 4]], [1, 65536]).tolist()      # 65536 = -1
        [65536, 65536]

        Both plans give the same exact result; ``out`` is filled in place:

        >>> rng = np.random.default_rng(0)
        >>> A, B = F.random((8, 300), rng), F.random((300, 5), rng)
        >>> out = np.empty((8, 5), dtype=np.uint32)
        >>> F.matmul(A, B, out=out, strategy="float") is out
        True
        >>> np.array_equal(out, F.matmul(A, B, strategy="int"))
        True
        """
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

    def _square(self, A: ArrayLike, name: str) -> np.ndarray:
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def inv_matrix(self, A: ArrayLike) -> np.ndarray:
        """Inverse of a square matrix; SingularMatrixError if singular.

        Gauss-Jordan elimination of [A | I] (``fastcode.fields.prime.linalg``).

        Parameters
        ----------
        A : (n, n) array_like of int
            Field elements (entries in [0, p)).

        Returns
        -------
        (n, n) uint32 array
            A^(-1) over GF(p).

        Raises
        ------
        FieldTypeError
            A does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            A is not a square 2-D matrix.
        SingularMatrixError
            A is singular over GF(p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> Ainv = F.inv_matrix([[1, 2], [3, 4]])
        >>> Ainv.tolist()
        [[65535, 1], [32770, 32768]]
        >>> F.matmul([[1, 2], [3, 4]], Ainv).tolist()
        [[1, 0], [0, 1]]
        >>> PrimeField(7).inv_matrix([[1, 2], [2, 4]])
        Traceback (most recent call last):
        ...
        fastcode.errors.SingularMatrixError: matrix is singular over GF(7) (rank 1 < 2)
        """
        return linalg.inv_matrix(self._square(A, "A"), self.p)

    def solve(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """X with A @ X = B; A (n, n), B (n, m) or (n,).  SingularMatrixError if singular.

        Parameters
        ----------
        A : (n, n) array_like of int
            The system matrix, field elements.
        B : (n, m) or (n,) array_like of int
            Right-hand sides, field elements.

        Returns
        -------
        (n, m) or (n,) uint32 array
            The unique solution X, shaped like B.

        Raises
        ------
        FieldTypeError
            A or B does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            A is not a square 2-D matrix, or B does not have n rows.
        SingularMatrixError
            A is singular over GF(p).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> A = F.random((3, 3), rng=np.random.default_rng(0))
        >>> x = F.solve(A, [1, 2, 3])
        >>> F.matmul(A, x).tolist()
        [1, 2, 3]
        """
        A = self._square(A, "A")
        B2, vector = self._right_hand_side(B, A.shape[0])
        X = linalg.solve(A, B2, self.p)
        return X.reshape(-1) if vector else X

    def solve_consistent(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """One X with A @ X = B for any A (m, n) and B (m, k) or (m,).

        The free unknowns of the reduced system are set to 0 (X is unique
        when A has rank n).

        Parameters
        ----------
        A : (m, n) array_like of int
            The system matrix, field elements, any shape and rank.
        B : (m, k) or (m,) array_like of int
            Right-hand sides, field elements.

        Returns
        -------
        (n, k) or (n,) uint32 array
            A solution X (a vector when B is one).

        Raises
        ------
        FieldTypeError
            A or B does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            A is not 2-D, or B does not have m rows.
        SingularMatrixError
            Some column of B is outside the column space of A.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(7)
        >>> A = [[1, 2, 3], [2, 4, 6]]          # rank 1: row 2 = 2 * row 1
        >>> x = F.solve_consistent(A, [1, 2])
        >>> x.tolist(), F.matmul(A, x).tolist()
        ([1, 0, 0], [1, 2])
        >>> F.solve_consistent(A, [1, 1])
        Traceback (most recent call last):
        ...
        fastcode.errors.SingularMatrixError: A X = B has no solution over GF(7): column 0 of B is outside ...
        """
        A = self._matrix(A, "A")
        B2, vector = self._right_hand_side(B, A.shape[0])
        X = linalg.solve_consistent(A, np.ascontiguousarray(B2), self.p)
        return X.reshape(-1) if vector else X

    def _right_hand_side(self, B: ArrayLike, rows: int) -> Tuple[np.ndarray, bool]:
        """(B as a 2-D uint32 matrix of ``rows`` rows, whether B was a vector)."""
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = B.reshape(-1, 1) if vector else B
        if B2.ndim != 2 or B2.shape[0] != rows:
            raise ShardSizeError(f"B must have {rows} rows, got shape {B.shape}")
        return B2, vector

    def rank(self, A: ArrayLike) -> int:
        """Rank of a 2-D matrix.

        Parameters
        ----------
        A : (m, n) array_like of int
            Field elements (entries in [0, p)).

        Returns
        -------
        int
            The rank of A over GF(p).

        Raises
        ------
        FieldTypeError
            A does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            A is not 2-D.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> PrimeField(7).rank([[1, 2, 3], [2, 4, 6]])
        1
        >>> PrimeField(7).rank([[1, 2], [3, 4]])
        2
        """
        return linalg.rank(self._matrix(A, "A"), self.p)

    def det(self, A: ArrayLike) -> int:
        """Determinant of a square matrix (an int in 0..p-1).

        Parameters
        ----------
        A : (n, n) array_like of int
            Field elements (entries in [0, p)).

        Returns
        -------
        int
            det(A) in 0..p-1 (1 for a 0 x 0 matrix).

        Raises
        ------
        FieldTypeError
            A does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            A is not a square 2-D matrix.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> PrimeField(7).det([[1, 2], [3, 4]])       # 1*4 - 2*3 = -2 = 5
        5
        """
        return linalg.det(self._square(A, "A"), self.p)

    def nullspace(self, A: ArrayLike) -> np.ndarray:
        """Basis of the right null space {x : A @ x = 0} as rows: shape (cols - rank, cols).

        ``A @ N.T`` is zero; the rows are in reduced form (one free column set to 1).

        Parameters
        ----------
        A : (m, cols) array_like of int
            Field elements (entries in [0, p)).

        Returns
        -------
        (cols - rank, cols) uint32 array
            The basis, one vector per row.

        Raises
        ------
        FieldTypeError
            A does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            A is not 2-D.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(7)
        >>> A = [[1, 2, 3], [2, 4, 6]]
        >>> N = F.nullspace(A)
        >>> N.tolist()
        [[5, 1, 0], [4, 0, 1]]
        >>> F.matmul(A, N.T).tolist()
        [[0, 0], [0, 0]]
        """
        return linalg.nullspace(self._matrix(A, "A"), self.p)

    # ---- roots of unity, NTT, polynomials ----------------------------------------

    def primitive_root(self) -> int:
        """The smallest generator of the multiplicative group GF(p)*.

        Computed once per field and cached.

        Returns
        -------
        int
            g in [2, p) whose powers are every nonzero element.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> g = F.primitive_root()
        >>> g
        3
        >>> sorted(pow(g, i, 17) for i in range(16)) == list(range(1, 17))
        True
        """
        g = self._cache.get("g")
        if g is None:
            g = self._cache["g"] = numtheory.primitive_root(self.p)
        return g

    def two_adicity(self) -> int:
        """Largest e with 2^e dividing p - 1 (the longest radix-2 NTT is 2^e).

        Returns
        -------
        int
            The exponent e.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> PrimeField(65537).two_adicity()
        16
        >>> PrimeField(2**31 - 1).two_adicity()
        1
        """
        return numtheory.two_adicity(self.p)

    def root_of_unity(self, n: int) -> int:
        """A primitive n-th root of unity, g^((p-1)/n); FieldValueError unless n | p - 1.

        g is ``primitive_root()``.

        Parameters
        ----------
        n : int
            The order, a divisor of p - 1.

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
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> w = F.root_of_unity(4)
        >>> w, [pow(w, j, 17) for j in range(5)]
        (13, [1, 13, 16, 4, 1])
        >>> F.root_of_unity(3)
        Traceback (most recent call last):
        ...
        fastcode.errors.FieldValueError: GF(17) has no primitive 3-th root of unity (3 does not divide ...)
        """
        return numtheory.root_of_unity(self.p, n, self.primitive_root())

    def _transform(self, x: ArrayLike, axis: int, root: int, scale: int = 1) -> np.ndarray:
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

    def ntt(self, x: ArrayLike, axis: int = 0, root: Optional[int] = None) -> np.ndarray:
        """Number-theoretic transform along ``axis`` (length n a power of two dividing p-1).

        X[i] = sum_j x[j] w^(i j) with w = ``root`` or ``root_of_unity(n)``: the
        values at w^i of the polynomial with coefficients x (ascending degree).
        Exact float64 butterflies (``fastcode.fields.prime.ntt``).

        Parameters
        ----------
        x : array_like of int
            Field elements; the transform runs along ``axis``, independently
            for every other index.
        axis : int, default 0
            The transformed axis; its length n must be a power of two dividing
            p - 1.
        root : int, optional
            A primitive n-th root of unity w (default ``root_of_unity(n)``).

        Returns
        -------
        uint32 array
            X, of the shape of ``x``.

        Raises
        ------
        FieldTypeError
            ``x`` does not hold integers.
        FieldValueError
            An entry is outside [0, p), n does not divide p - 1, or ``root``
            is not a primitive n-th root of unity.
        ShardSizeError
            n is not a power of two.

        See Also
        --------
        intt : The inverse transform.
        poly_eval : Evaluation at arbitrary points.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> w = F.root_of_unity(4)
        >>> X = F.ntt([1, 2, 3, 4])
        >>> X.tolist()
        [10, 6, 15, 7]
        >>> np.array_equal(X, F.poly_eval([1, 2, 3, 4], [pow(w, i, 17) for i in range(4)]))
        True
        >>> F.intt(X).tolist()
        [1, 2, 3, 4]

        Along the rows of a matrix (every column transformed):

        >>> F.ntt([[1, 2, 3, 4], [0, 1, 0, 1]], axis=1).tolist()
        [[10, 6, 15, 7], [2, 0, 15, 0]]
        """
        n = np.shape(x)[axis]
        return self._transform(x, axis, transforms.check_root(self, n, root))

    def intt(self, X: ArrayLike, axis: int = 0, root: Optional[int] = None) -> np.ndarray:
        """Inverse of ``ntt`` with the same ``root``: coefficients from values at w^i.

        x[j] = n^(-1) sum_i X[i] w^(-i j).

        Parameters
        ----------
        X : array_like of int
            Field elements (values at w^0, ..., w^(n-1) along ``axis``).
        axis : int, default 0
            The transformed axis; its length n must be a power of two dividing
            p - 1.
        root : int, optional
            The primitive n-th root of unity w the forward transform used
            (default ``root_of_unity(n)``).

        Returns
        -------
        uint32 array
            The coefficients x, of the shape of ``X``.

        Raises
        ------
        FieldTypeError
            ``X`` does not hold integers.
        FieldValueError
            An entry is outside [0, p), n does not divide p - 1, or ``root``
            is not a primitive n-th root of unity.
        ShardSizeError
            n is not a power of two.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> x = F.random((8, 3), rng=np.random.default_rng(0))
        >>> w = F.root_of_unity(8)
        >>> np.array_equal(F.intt(F.ntt(x, root=w), root=w), x)
        True
        """
        n = np.shape(X)[axis]
        w = transforms.check_root(self, n, root)
        return self._transform(X, axis, pow(w, -1, self.p), pow(n, -1, self.p))

    def poly_eval(self, coeffs: ArrayLike, points: ArrayLike) -> np.ndarray:
        """Evaluate polynomials at points (Horner).

        Parameters
        ----------
        coeffs : (d, ...) array_like of int
            Coefficients in ascending degree along axis 0; the trailing axes
            hold independent polynomials.
        points : (n,) array_like of int
            Evaluation points (flattened if not 1-D).

        Returns
        -------
        (n, ...) uint32 array
            Row i holds every polynomial's value at points[i].

        Raises
        ------
        FieldTypeError
            ``coeffs`` or ``points`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).
        ShardSizeError
            ``coeffs`` is a scalar (it needs the degree axis).

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> F.poly_eval([1, 2, 3], [0, 1, 2]).tolist()     # 1 + 2x + 3x^2
        [1, 6, 0]
        >>> F.poly_eval([[1, 0], [2, 1]], [0, 1, 2]).tolist()  # 1 + 2x and x
        [[1, 0], [3, 1], [5, 2]]
        """
        c = self.asarray(coeffs, "coeffs")
        x = self.asarray(points, "points")
        if c.ndim == 0:
            raise ShardSizeError("coeffs must have at least one dimension (the degree)")
        return polynomials.poly_eval(c, x, self.p)

    def interpolate(self, points: ArrayLike, values: ArrayLike) -> np.ndarray:
        """Coefficients of the unique polynomial of degree < n with value values[i] at points[i].

        O(n^2) (Newton divided differences).

        Parameters
        ----------
        points : (n,) array_like of int
            Distinct field elements (flattened if not 1-D).
        values : (n, ...) array_like of int
            Values at the points; the trailing axes hold independent
            polynomials.

        Returns
        -------
        (n, ...) uint32 array
            Coefficients in ascending degree, shaped like ``values``.

        Raises
        ------
        FieldTypeError
            ``points`` or ``values`` does not hold integers.
        FieldValueError
            An entry is outside [0, p), or the points are not distinct.
        ShardSizeError
            ``values`` does not have n rows.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(17)
        >>> c = F.interpolate([1, 2, 3], [6, 11, 1])
        >>> c.tolist()                                    # 3 + 2x + x^2
        [3, 2, 1]
        >>> F.poly_eval(c, [1, 2, 3]).tolist()
        [6, 11, 1]
        """
        x = self.asarray(points, "points").reshape(-1)
        v = self.asarray(values, "values")
        n = len(x)
        if v.shape[:1] != (n,):
            raise ShardSizeError(f"values must have {n} rows, got shape {v.shape}")
        if len(np.unique(x)) != n:
            raise FieldValueError("interpolation points must be distinct")
        return polynomials.interpolate(x, v, self.p)

    # ---- fixed point ----------------------------------------------------------------

    def from_float(self, x: ArrayLike, scale: float) -> np.ndarray:
        """Real data to field elements: round(x * scale), negatives as p - |y| (centred).

        Parameters
        ----------
        x : array_like of float
            Real data, any shape.
        scale : float
            Fixed-point scale: x is represented by round(x * scale).

        Returns
        -------
        uint32 array
            The field elements, of the shape of ``x``.

        Raises
        ------
        FieldValueError
            An entry is not finite or |round(x * scale)| > (p-1)/2.

        See Also
        --------
        to_float : The inverse map.
        fastcode.fields.prime.min_prime_for_product : A p large enough for an exact product.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> y = F.from_float([0.5, -1.25, 2.0], 4)
        >>> y.tolist()                                   # -5 is 65537 - 5
        [2, 65532, 8]
        >>> F.to_float(y, 4).tolist()
        [0.5, -1.25, 2.0]
        >>> PrimeField(17).from_float([3.0], 4)
        Traceback (most recent call last):
        ...
        fastcode.errors.FieldValueError: |x * scale| reaches 12, beyond (p-1)/2 = 8: use a larger p ...
        """
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

    def to_float(self, y: ArrayLike, scale: float) -> np.ndarray:
        """Field elements to reals: centred value (y > (p-1)/2 means y - p) / scale.

        Parameters
        ----------
        y : array_like of int
            Field elements (entries in [0, p)).
        scale : float
            The fixed-point scale of ``y`` (for a product of data mapped with
            scales s_a and s_b: s_a * s_b).

        Returns
        -------
        float64 array
            The real values, of the shape of ``y``.

        Raises
        ------
        FieldTypeError
            ``y`` does not hold integers.
        FieldValueError
            An entry is outside [0, p).

        Examples
        --------
        An exact real matrix product through GF(p):

        >>> from fastcode import PrimeField
        >>> F = PrimeField(65537)
        >>> A, B = np.array([[0.5, -1.0]]), np.array([[2.0], [0.25]])
        >>> C = F.matmul(F.from_float(A, 4), F.from_float(B, 4))
        >>> F.to_float(C, 4 * 4).tolist()
        [[0.75]]
        """
        y = self.asarray(y, "y").astype(np.int64)
        y = np.where(y > (self.p - 1) // 2, y - self.p, y)
        return y / float(scale)
