"""The real numbers in float64: ``fastcode.Reals``.

Same interface as the finite fields so real-valued codes are written the same
way; arithmetic is IEEE float64 (complex128 where a construction needs it,
e.g. rotation embeddings decoded as complex Vandermonde systems).  Linear
algebra goes through NumPy's LAPACK.  Unlike a finite field, results carry
rounding error: ``inv_matrix``/``solve`` refuse matrices whose condition
number exceeds ``1 / (rcond_limit)`` (default 1/eps) and, whatever the limit,
matrices that are rank-deficient in float64 (``cond`` is inf for them), and
``rank``/``nullspace`` take a tolerance.

Examples
--------
>>> from fastcode import Reals
>>> Reals.exact, Reals.cond([[1.0, 0.0], [0.0, 1e-3]])
(False, 1000.0)
"""
from typing import Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.memory import check_rows_disjoint
from fastcode.errors import FieldTypeError, InvalidArgumentError, ShardSizeError, SingularMatrixError
from fastcode._util.rng import as_generator
from fastcode.fields.base import Field

#: Machine epsilon of float64 (2.22e-16): the default ``rcond_limit``.
EPS = float(np.finfo(np.float64).eps)


def _rank_tolerance(singular_values: np.ndarray, shape: Tuple[int, ...]) -> float:
    """Singular values at or below this are rounding noise: ``max(shape) * eps * s_max``,
    NumPy's ``matrix_rank`` default (``singular_values`` in descending order)."""
    return max(shape) * EPS * (float(singular_values[0]) if singular_values.size else 0.0)


class RealsField(Field):
    """float64 reals (complex128 accepted and kept).  Use the singleton ``fastcode.Reals``.

    The field interface over IEEE float64, so real-valued codes (gradient
    coding, polynomial codes over the reals) are written as over a finite
    field.  Results carry rounding error (``exact`` is False): ``inv_matrix``
    and ``solve`` refuse matrices with condition number at least
    1 / rcond_limit (default 1/eps), ``rank`` and ``nullspace`` take a
    tolerance, and ``lstsq`` (``supports_lstsq``) fits overdetermined systems.
    Class attributes: ``name`` "Reals", ``dtype`` float64, ``order`` None
    (infinite), ``characteristic`` 0.  All instances are equal and pickle to
    the singleton; the constructor takes no parameters.

    Examples
    --------
    A real (4, 2) code: any 2 of 4 shards give the data back, to rounding:

    >>> from fastcode import Reals
    >>> G = Reals.asarray([[1, 0], [0, 1], [1, 1], [1, 2]])
    >>> data = Reals.random((2, 5), rng=0)
    >>> shards = Reals.matmul(G, data)
    >>> rows = [2, 3]
    >>> round(Reals.cond(G[rows]), 4)
    6.8541
    >>> np.allclose(Reals.solve(G[rows], shards[rows]), data)
    True
    """

    name = "Reals"
    dtype = np.dtype(np.float64)
    order = None            # infinite
    characteristic = 0
    exact = False           # results carry rounding error
    supports_lstsq = True

    def __reduce__(self) -> str:
        return "Reals"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RealsField)

    def __hash__(self) -> int:
        return hash("Reals")

    # ---- values -----------------------------------------------------------

    def asarray(self, x: ArrayLike, name: str = "array") -> np.ndarray:
        """x as float64 (or complex128 if complex).

        No copy when ``x`` already has that dtype.

        Parameters
        ----------
        x : array_like of numbers
            Booleans, integers, floats or complex numbers.
        name : str, default "array"
            The argument's name, used in error messages.

        Returns
        -------
        float64 or complex128 ndarray
            Same shape as ``x``.

        Raises
        ------
        FieldTypeError
            Non-numeric data (strings, objects).

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.asarray([1, 2]).dtype, Reals.asarray([1j]).dtype
        (dtype('float64'), dtype('complex128'))
        """
        arr = x if isinstance(x, np.ndarray) else np.asarray(x)
        kind = arr.dtype.kind
        if kind == "c":
            return arr.astype(np.complex128, copy=False)
        if kind not in "biuf":
            raise FieldTypeError(f"{name} must be numeric for Reals, got dtype {arr.dtype}")
        return arr.astype(np.float64, copy=False)

    def random(self, shape: Union[int, Tuple[int, ...]],
               rng: Union[None, int, np.random.Generator] = None) -> np.ndarray:
        """Standard normal float64 entries.

        Parameters
        ----------
        shape : int or tuple of int
        rng : None, int or numpy.random.Generator, optional
            A seed or a generator (None: fresh entropy).

        Returns
        -------
        float64 ndarray of ``shape``

        Examples
        --------
        >>> from fastcode import Reals
        >>> G = Reals.random((6, 3), rng=0)          # a Gaussian generator matrix
        >>> G.shape, Reals.rank(G)
        ((6, 3), 3)
        """
        return as_generator(rng).standard_normal(shape)

    # ---- element-wise -----------------------------------------------------

    def add(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a + b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of numbers

        Returns
        -------
        float64 (or complex128) ndarray
            Of the broadcast shape.

        Raises
        ------
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.add([1, 2], 0.5).tolist()
        [1.5, 2.5]
        """
        return np.add(self.asarray(a, "a"), self.asarray(b, "b"))

    def sub(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a - b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of numbers

        Returns
        -------
        float64 (or complex128) ndarray
            Of the broadcast shape.

        Raises
        ------
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.sub([1, 2], [[0], [1]]).tolist()
        [[1.0, 2.0], [0.0, 1.0]]
        """
        return np.subtract(self.asarray(a, "a"), self.asarray(b, "b"))

    def neg(self, a: ArrayLike) -> np.ndarray:
        """-a element-wise.

        Parameters
        ----------
        a : array_like of numbers

        Returns
        -------
        float64 (or complex128) ndarray
            Shape of ``a``.

        Raises
        ------
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.neg([1, -2]).tolist()
        [-1.0, 2.0]
        """
        return np.negative(self.asarray(a, "a"))

    def mul(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a * b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of numbers

        Returns
        -------
        float64 (or complex128) ndarray
            Of the broadcast shape.

        Raises
        ------
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.mul([1, 2, 3], 2).tolist()
        [2.0, 4.0, 6.0]
        """
        return np.multiply(self.asarray(a, "a"), self.asarray(b, "b"))

    def _nonzero(self, b: ArrayLike, what: str) -> np.ndarray:
        b = self.asarray(b, what)
        if np.any(b == 0):
            raise ZeroDivisionError(f"{what} has zero entries")
        return b

    def div(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """a / b element-wise, broadcasting.

        Parameters
        ----------
        a, b : array_like of numbers
            ``b`` has no exact zero.

        Returns
        -------
        float64 (or complex128) ndarray
            Of the broadcast shape.

        Raises
        ------
        ZeroDivisionError
            ``b`` has an exact zero (instead of NumPy's inf and a warning).
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.div([1, 3], [4, 2]).tolist()
        [0.25, 1.5]
        >>> Reals.div(1, [1, 0])
        Traceback (most recent call last):
            ...
        ZeroDivisionError: b has zero entries
        """
        return np.divide(self.asarray(a, "a"), self._nonzero(b, "b"))

    def inv(self, a: ArrayLike) -> np.ndarray:
        """1 / a element-wise.

        Parameters
        ----------
        a : array_like of numbers
            No exact zero.

        Returns
        -------
        float64 (or complex128) ndarray
            Shape of ``a``.

        Raises
        ------
        ZeroDivisionError
            ``a`` has an exact zero.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.inv([2, -4, 0.5]).tolist()
        [0.5, -0.25, 2.0]
        """
        return 1.0 / self._nonzero(a, "a")

    def pow(self, a: ArrayLike, e: ArrayLike) -> np.ndarray:
        """a ** e element-wise (real exponents allowed; 0 ** negative raises).

        Parameters
        ----------
        a : array_like of numbers
        e : array_like of numbers
            Exponents, broadcast against ``a``.

        Returns
        -------
        float64 (or complex128) ndarray
            Of the broadcast shape (NaN where a real power is undefined, as NumPy).

        Raises
        ------
        ZeroDivisionError
            0 raised to a negative power.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        A real Vandermonde row:

        >>> from fastcode import Reals
        >>> Reals.pow(0.5, np.arange(4)).tolist()
        [1.0, 0.5, 0.25, 0.125]
        >>> Reals.pow([4.0, 2.0], [0.5, -1]).tolist()
        [2.0, 0.5]
        """
        a = self.asarray(a, "a")
        e = self.asarray(e, "e")
        if np.any((a == 0) & (np.real(e) < 0)):
            raise ZeroDivisionError("0 raised to a negative power")
        return np.power(a, e)

    def sum(self, a: ArrayLike, axis: int = 0) -> np.ndarray:
        """Sum along ``axis`` (NumPy's pairwise summation).

        Parameters
        ----------
        a : array_like of numbers
        axis : int, default 0

        Returns
        -------
        float64 (or complex128) ndarray
            ``a``'s shape without ``axis`` (a 0-d array for 1-D input).

        Raises
        ------
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.sum([[1, 2], [3, 4]], axis=1).tolist()
        [3.0, 7.0]
        """
        return np.sum(self.asarray(a, "a"), axis=axis)

    # ---- bulk -------------------------------------------------------------

    def _matrix(self, A: ArrayLike, name: str) -> np.ndarray:
        A = self.asarray(A, name)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return A

    def _square(self, A: ArrayLike, name: str) -> np.ndarray:
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def matmul(self, A: ArrayLike, B: ArrayLike, out: Optional[np.ndarray] = None,
               n_threads: Optional[int] = None) -> np.ndarray:
        """A @ B by BLAS.  A (m, k), B (k, n) or (k,); ``out`` filled in place if given.

        Parameters
        ----------
        A : (m, k) array_like of numbers
        B : (k, n) or (k,) array_like of numbers
        out : float64 ndarray, optional
            Of shape (m, n) or (m,), writable; filled in place.  It may overlap
            A or B (NumPy buffers it); its rows must not overlap each other.
        n_threads : int, optional
            Accepted for interface parity and ignored: BLAS threading is set by
            its own environment (OPENBLAS_NUM_THREADS).

        Returns
        -------
        (m, n) or (m,) ndarray
            float64 (complex128 for complex input); ``out`` when given.

        Raises
        ------
        ShardSizeError
            ``A`` not 2-D, ``B`` without k rows, or ``out`` of the wrong shape.
        FieldTypeError
            Non-numeric data, or ``out`` not a float64 array.
        InvalidArgumentError
            A read-only ``out``, or rows of ``out`` overlapping each other.

        Examples
        --------
        >>> from fastcode import Reals
        >>> A = Reals.asarray([[1, 2], [3, 4]])
        >>> out = np.empty((2, 1))
        >>> Reals.matmul(A, [[1], [1]], out=out) is out
        True
        >>> out.tolist()
        [[3.0], [7.0]]
        """
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

    def cond(self, A: ArrayLike) -> float:
        """2-norm condition number (inf for a numerically singular matrix).

        The ratio of the largest to the smallest singular value: decoding with
        the matrix can amplify relative rounding error by this factor.  A matrix
        whose smallest singular value is at most ``max(m, n) * eps`` times the
        largest (NumPy's ``matrix_rank`` tolerance: the matrix is rank-deficient
        in float64) gets inf: its computed smallest singular value is rounding
        noise, whose size depends on the LAPACK build.

        Parameters
        ----------
        A : (m, n) array_like of numbers

        Returns
        -------
        float
            At least 1; inf when numerically singular; 1.0 for an empty matrix.

        Raises
        ------
        ShardSizeError
            ``A`` is not 2-D.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.cond(np.eye(3)), Reals.cond([[1, 1], [1, 1]])
        (1.0, inf)
        """
        A = self._matrix(A, "A")
        if A.size == 0:
            return 1.0
        s = np.linalg.svd(A, compute_uv=False)
        if s[-1] <= _rank_tolerance(s, A.shape):
            return float("inf")
        return float(s[0] / s[-1])

    def _check_conditioned(self, A: np.ndarray, rcond_limit: Optional[float]) -> None:
        if A.shape[0] == 0:
            return
        limit = EPS if rcond_limit is None else rcond_limit
        c = self.cond(A)
        if not c * limit < 1.0:
            raise SingularMatrixError(f"matrix is numerically singular (condition number {c:.3g} "
                                      f">= 1/{limit:.3g})")

    def inv_matrix(self, A: ArrayLike, rcond_limit: Optional[float] = None) -> np.ndarray:
        """Inverse (LAPACK); SingularMatrixError if cond(A) >= 1/rcond_limit (default 1/eps).

        Parameters
        ----------
        A : (n, n) array_like of numbers
        rcond_limit : float, optional
            Refuse matrices with cond(A) >= 1 / rcond_limit; default ``EPS``
            (only numerically singular ones).  A code asks for more, e.g. 1e-8.
            Rank-deficient matrices (``cond`` inf) are refused whatever the limit.

        Returns
        -------
        (n, n) ndarray
            float64 (complex128 for complex input).

        Raises
        ------
        SingularMatrixError
            cond(A) >= 1 / rcond_limit.
        ShardSizeError
            ``A`` is not a square 2-D matrix.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals, SingularMatrixError
        >>> Reals.inv_matrix([[2, 0], [0, 4]]).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
        >>> try:
        ...     Reals.inv_matrix([[1, 0], [0, 1e-9]], rcond_limit=1e-6)
        ... except SingularMatrixError as exc:
        ...     print(exc)
        matrix is numerically singular (condition number 1e+09 >= 1/1e-06)
        """
        A = self._square(A, "A")
        self._check_conditioned(A, rcond_limit)
        return np.linalg.inv(A)

    def solve(self, A: ArrayLike, B: ArrayLike, rcond_limit: Optional[float] = None) -> np.ndarray:
        """X with A @ X = B; A (n, n), B (n, m) or (n,) (LAPACK gesv).

        Parameters
        ----------
        A : (n, n) array_like of numbers
        B : (n, m) or (n,) array_like of numbers
        rcond_limit : float, optional
            As in ``inv_matrix``: refuse cond(A) >= 1 / rcond_limit (default ``EPS``).

        Returns
        -------
        ndarray
            X, shaped like ``B``.

        Raises
        ------
        SingularMatrixError
            cond(A) >= 1 / rcond_limit.
        ShardSizeError
            ``A`` not square, or ``B`` without n rows.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.solve([[2, 1], [1, 3]], [3, 5]).round(12).tolist()
        [0.8, 1.4]
        """
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        if B.ndim not in (1, 2) or B.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        self._check_conditioned(A, rcond_limit)
        return np.linalg.solve(A, B)

    def lstsq(self, A: ArrayLike, B: ArrayLike) -> np.ndarray:
        """argmin_X ||A @ X - B||_2 (LAPACK gelsd; the minimum-norm X when A is
        rank deficient).  A (m, n), B (m, k) or (m,); X (n, k) or (n,).

        Decoders of approximate schemes use it when more results than needed
        arrive, or when no exact combination exists.

        Parameters
        ----------
        A : (m, n) array_like of numbers
        B : (m, k) or (m,) array_like of numbers

        Returns
        -------
        (n, k) or (n,) ndarray

        Raises
        ------
        ShardSizeError
            ``A`` not 2-D, or ``B`` without m rows.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        Fit a line through three points:

        >>> from fastcode import Reals
        >>> A = Reals.asarray([[1, 0], [1, 1], [1, 2]])       # (1, t)
        >>> coef = Reals.lstsq(A, [1.0, 2.0, 2.9])
        >>> [round(float(c), 4) for c in coef]
        [1.0167, 0.95]
        """
        A = self._matrix(A, "A")
        B = self.asarray(B, "B")
        if B.ndim not in (1, 2) or B.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        return np.linalg.lstsq(A, B, rcond=None)[0]

    def rank(self, A: ArrayLike, tol: Optional[float] = None) -> int:
        """Numerical rank: singular values above ``tol`` (default max(shape) * eps * s_max).

        Parameters
        ----------
        A : (m, n) array_like of numbers
        tol : float, optional
            Singular values at or below it count as zero.

        Returns
        -------
        int
            0 for an empty matrix.

        Raises
        ------
        ShardSizeError
            ``A`` is not 2-D.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> A = [[1, 1], [1, 1 + 1e-12]]
        >>> Reals.rank(A), Reals.rank(A, tol=1e-9)
        (2, 1)
        """
        A = self._matrix(A, "A")
        if A.size == 0:
            return 0
        return int(np.linalg.matrix_rank(A, tol=tol))

    def det(self, A: ArrayLike) -> Union[float, complex]:
        """Determinant (float, or complex for complex input).

        Parameters
        ----------
        A : (n, n) array_like of numbers

        Returns
        -------
        float or complex
            1.0 for an empty matrix.

        Raises
        ------
        ShardSizeError
            ``A`` is not a square 2-D matrix.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> Reals.det([[2, 0], [0, 3]])
        6.0
        """
        A = self._square(A, "A")
        return np.linalg.det(A).item() if A.size else 1.0

    def nullspace(self, A: ArrayLike, tol: Optional[float] = None) -> np.ndarray:
        """Orthonormal basis of {x : A x ~ 0} as rows, shape (cols - rank, cols).

        From the SVD: the right singular vectors of singular values at or
        below ``tol``.

        Parameters
        ----------
        A : (m, cols) array_like of numbers
        tol : float, optional
            Default max(shape) * eps * s_max.

        Returns
        -------
        (cols - rank, cols) ndarray
            Orthonormal rows (conjugated for complex input).

        Raises
        ------
        ShardSizeError
            ``A`` is not 2-D.
        FieldTypeError
            Non-numeric data.

        Examples
        --------
        >>> from fastcode import Reals
        >>> A = Reals.asarray([[1, 1, 0], [0, 1, 1]])
        >>> N = Reals.nullspace(A)
        >>> N.shape, np.allclose(A @ N.T, 0)
        ((1, 3), True)
        """
        A = self._matrix(A, "A")
        cols = A.shape[1]
        if A.shape[0] == 0:
            return np.eye(cols, dtype=A.dtype)
        _, s, vh = np.linalg.svd(A)
        if tol is None:
            tol = _rank_tolerance(s, A.shape)
        r = int(np.sum(s > tol))
        return vh[r:].conj()


Reals = RealsField()
