"""Polynomial codes for matrix-matrix products (:ref:`codes-polynomial`).

Every code here evaluates matrix polynomials at one point per worker:

    worker j holds  Ã_j = sum_a EA[j, a] A_a,   B̃_j = sum_b EB[j, b] B_b
    and returns     R_j = Ã_j' B̃_j = sum_l V[j, l] c_l

with ``V`` (n, D) the basis (monomials x_j^l, or Chebyshev T_l(rho_j)) and
c_l matrix coefficients; D = ``recovery_threshold`` results fix every c_l.

* ``PolynomialCode(n, k_a, k_b)`` (Yu, Maddah-Ali, Avestimehr): C = A^T B with A
  (s, r) and B (s, t) cut into k_a / k_b column blocks; the coefficients are the
  K = k_a k_b blocks A_a^T B_b (threshold K).  ``basis="chebyshev"`` over Reals is
  OrthoPoly (:ref:`OrthoPoly <codes-orthopoly>`): T_a and T_(b k_a), decoded by a triangular back-substitution.
* ``MatDot(n, m)`` (Dutta et al.): C = A B with A cut into m column blocks and B
  into m row blocks; threshold 2m - 1, output the x^(m-1) coefficient.
  ``OrthoMatDot(n, m)`` is its Chebyshev form over Reals (Fahim & Cadambe,
  :ref:`OrthoMatDot <codes-orthopoly>`).

Fields: a PrimeField (exact; the default is GF(65537)) or Reals.  Over GF(p), when
the points contain all K-th roots of unity (K a power of two dividing p - 1 --
the default points do, as in Yu et al.'s reference: GF(65537), 17 workers,
m = n = 4, points 64^j and 3), ``PolynomialCode.decode`` interpolates by an
inverse NTT: values at the roots held by stragglers are first obtained by
Lagrange interpolation (one small prepared matrix), then one length-K inverse
transform gives every coefficient.

Data and result layout: ``encode(A, B)`` returns n worker tasks
``(left, right, field)``; ``worker_product(task)`` is ``left @ right`` (for
PolynomialCode ``left`` is Ã_j^T, stored contiguous).  ``decode(results,
indices, out=None)`` (the ``Code`` contract of ``fastcode.codes.base``) takes
the results (a sequence or stacked array, paired positionally with the
worker ids ``indices``) and uses the first ``recovery_threshold`` (= ``k``) of
them; ``workers=`` is the deprecated keyword name of ``indices``.
"""
import warnings
from typing import Any, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.memory import overlaps
from fastcode.codes._lru import LRUCache
from fastcode.codes.base import REQUIRED, Code, Indices, renamed
from fastcode.fields.prime.ntt import inverse_ntt
from fastcode.errors import (
    FieldTypeError,
    FieldValueError,
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
)
from fastcode.fields import PrimeField, Reals
from fastcode.fields.base import Field
from fastcode.matrices_real import chebyshev_nodes, chebyshev_polynomials, condition_numbers

__all__ = ["PolynomialCode", "MatDot", "OrthoMatDot", "OrthoPolyCode", "worker_product",
           "default_points"]

BASES = ("monomial", "chebyshev")
METHODS = ("auto", "ntt", "inverse", "solve")

#: One worker's task: (left, right, field); the worker computes field.matmul(left, right).
Task = Tuple[np.ndarray, np.ndarray, Field]
#: The workers' results as ``decode`` takes them: a sequence of 2-D arrays or a stacked array.
Results = Union[np.ndarray, Sequence[ArrayLike]]


def worker_product(task: Task, round_input: Any = None) -> np.ndarray:
    """One worker's product: ``task = (left, right, field)`` -> ``field.matmul(left, right)``.

    Module level (picklable by name for process/MPI workers).

    Parameters
    ----------
    task : (left, right, field)
        One item of ``encode(A, B)``.
    round_input : object, optional
        Unused: a coded matrix product is a one-round job on its payloads.

    Returns
    -------
    2-D array of the field's dtype
        The worker's result, what ``decode`` takes.

    Examples
    --------
    >>> from fastcode.codes import MatDot
    >>> from fastcode.codes.polynomial import worker_product
    >>> code = MatDot(4, 2)
    >>> A = code.field.asarray([[1, 2], [3, 4]])
    >>> tasks = code.encode(A, A)
    >>> worker_product(tasks[0]).shape
    (2, 2)
    """
    left, right, field = task
    return field.matmul(left, right)


def default_points(field: Field, n: int, K: int) -> np.ndarray:
    """n distinct evaluation points, one per worker.

    Reals: the Chebyshev nodes cos((2j+1) pi / 2n).  GF(p): when K is a power of
    two dividing p - 1 and n >= K, the K-th roots of unity w^j (j < K, w =
    ``root_of_unity(K)``) followed by g, g^2, ... (g the primitive root, skipping
    the powers that are K-th roots), so that decoding can take the inverse NTT;
    for GF(65537), K = 16, n = 17 that is Yu et al.'s 64^j and 3.  Otherwise
    1, 2, ..., n.

    Parameters
    ----------
    field : Field
        Reals or a PrimeField.
    n : int
        Workers.
    K : int
        The recovery threshold (the NTT length when a power of two).

    Returns
    -------
    (n,) array of the field's dtype
        The points.

    Raises
    ------
    InvalidArgumentError
        n > p - 1: GF(p) has too few non-zero points.

    Examples
    --------
    >>> from fastcode import PrimeField, Reals
    >>> from fastcode.codes.polynomial import default_points
    >>> default_points(PrimeField(65537), 17, 16).tolist()[:4]   # 64^j, then 3
    [1, 64, 4096, 65533]
    >>> int(default_points(PrimeField(65537), 17, 16)[-1])
    3
    >>> default_points(PrimeField(101), 5, 3).tolist()
    [1, 2, 3, 4, 5]
    >>> np.round(default_points(Reals, 3, 3), 4).tolist()
    [0.866, 0.0, -0.866]
    """
    if not field.exact:                  # floating point: nodes that keep V well conditioned
        return chebyshev_nodes(n)
    p = cast(int, field.order)           # exact fields are finite: their order is set
    if n > p - 1:
        raise InvalidArgumentError(f"n = {n} needs more distinct nonzero points than GF({p}) has")
    if hasattr(field, "root_of_unity") and K & (K - 1) == 0 and (p - 1) % K == 0 and n >= K:
        ntt_field: Any = field           # duck-typed: any field with roots of unity (GF(p))
        w = ntt_field.root_of_unity(K)
        pts = [pow(w, j, p) for j in range(K)]
        g, step = ntt_field.primitive_root(), (p - 1) // K
        e = 1
        while len(pts) < n:
            if e % step:
                pts.append(pow(g, e, p))
            e += 1
        return np.array(pts, dtype=field.dtype)
    return field.asarray(np.arange(1, n + 1))


class _EvaluationCode(Code):
    """Shared machinery: points, basis matrices, validation, prepared decoders.

    Subclasses set ``EA`` (n, k_a), ``EB`` (n, k_b), ``V`` (n, D) and implement
    ``_split_A``/``_split_B``, ``_pair`` (worker task from the coded blocks) and
    ``_finish`` (output from the D coefficients)."""

    EA: np.ndarray
    EB: np.ndarray
    V: np.ndarray

    def _check_shapes(self, sa: Tuple[int, ...], sb: Tuple[int, ...]) -> None:
        raise NotImplementedError

    def _split_A(self, A: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _split_B(self, B: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _pair(self, a_tilde: np.ndarray, b_tilde: np.ndarray) -> Task:
        raise NotImplementedError

    def _setup(self, n, field, points, basis, D):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidArgumentError(f"n must be a positive int, got {n!r}")
        if basis not in BASES:
            raise InvalidArgumentError(f"basis must be one of {BASES}, got {basis!r}")
        if field != Reals and not isinstance(field, PrimeField):
            raise InvalidArgumentError(f"field must be a PrimeField or Reals, got {field}")
        if basis == "chebyshev" and field.exact:
            raise InvalidArgumentError("the Chebyshev basis is a real code: use field=Reals")
        if D > n:
            raise InvalidArgumentError(f"recovery threshold {D} exceeds n = {n}: need more workers")
        self.n, self.field, self.basis = int(n), field, basis
        self.recovery_threshold = int(D)
        if points is None:
            pts = default_points(field, n, D)
        else:
            pts = field.asarray(points, "points").reshape(-1)
            if pts.shape != (n,):
                raise ShardSizeError(f"points must have {n} entries, got shape {np.shape(points)}")
        if len(np.unique(pts)) != n:
            raise FieldValueError("points must be distinct")
        self.points = pts
        self.points.setflags(write=False)
        self._cache = LRUCache(128)

    # Code declares k as a plain attribute; here it is read-only, the recovery threshold
    # under the contract's name, which mypy reports as an override of a writable attribute.
    @property
    def k(self) -> int:  # type: ignore[override]
        """The recovery threshold (the ``Code`` contract's name)."""
        return self.recovery_threshold

    def _powers(self, exponents):
        """(n, len(exponents)) matrix of basis functions at the points: x_j^e or T_e(rho_j)."""
        e = np.asarray(exponents, dtype=np.int64)
        if self.basis == "chebyshev":
            T = chebyshev_polynomials(int(e.max()) + 1 if e.size else 0, self.points)
            return T[e].T.copy()
        return self.field.pow(self.points[:, None], e[None, :])

    # ---- encoding ----------------------------------------------------------------

    def _combine(self, E, blocks):
        """sum_a E[j, a] blocks[a] for every worker j: blocks (k, *shape) -> (n, *shape)."""
        k = blocks.shape[0]
        flat = np.ascontiguousarray(blocks).reshape(k, -1)
        return self.field.matmul(E, flat).reshape((self.n,) + blocks.shape[1:])

    def encode(self, A: ArrayLike, B: ArrayLike) -> List[Task]:
        """The n worker tasks for the product of A and B.

        Parameters
        ----------
        A, B : 2-D array_like
            The factors, of the field's dtype or convertible to it (shapes as
            the code's class documents).

        Returns
        -------
        list of (left, right, field)
            Task j for worker j = 0..n-1; ``worker_product(task)`` computes
            its result.

        Raises
        ------
        ShardSizeError
            A or B not 2-D, or shapes the code cannot split.
        FieldTypeError, FieldValueError
            Entries not in the field.

        Examples
        --------
        >>> from fastcode.codes import PolynomialCode
        >>> code = PolynomialCode(5, 2, 2)
        >>> A = code.field.asarray(np.ones((3, 4), dtype=np.int64))
        >>> tasks = code.encode(A, A)
        >>> len(tasks), tasks[0][0].shape, tasks[0][1].shape
        (5, (2, 3), (3, 2))
        """
        f = self.field
        A = f.asarray(A, "A")
        B = f.asarray(B, "B")
        if A.ndim != 2 or B.ndim != 2:
            raise ShardSizeError(f"A and B must be 2-D, got shapes {A.shape} and {B.shape}")
        self._check_shapes(A.shape, B.shape)
        left = self._combine(self.EA, self._split_A(A))
        right = self._combine(self.EB, self._split_B(B))
        return [self._pair(left[j], right[j]) for j in range(self.n)]

    # ---- decoding ------------------------------------------------------------------

    def _check_indices(self, indices):
        """The worker ids as a validated 1-D intp array (distinct, in [0, n))."""
        w = np.asarray(indices)
        if w.ndim != 1 or (w.size and w.dtype.kind not in "iu"):
            raise InvalidArgumentError(f"indices must be a 1-D sequence of worker ids, got {indices!r}")
        w = w.astype(np.intp)
        if w.size and (w.min() < 0 or w.max() >= self.n):
            raise InvalidArgumentError(f"worker ids must be in [0, {self.n}), got {w.tolist()}")
        if len(np.unique(w)) != len(w):
            vals, counts = np.unique(w, return_counts=True)
            raise InvalidArgumentError(f"duplicate worker ids {vals[counts > 1].tolist()}")
        return w

    def can_decode(self, indices: Indices) -> bool:
        """True iff at least ``k`` distinct workers are in ``indices``.

        Any k distinct points determine the polynomial.

        Parameters
        ----------
        indices : sequence of int
            Distinct worker ids in [0, n).

        Returns
        -------
        bool
            Whether their results decode.

        Raises
        ------
        InvalidArgumentError
            Ids out of range, duplicated or not integers.

        Examples
        --------
        >>> from fastcode.codes import MatDot
        >>> code = MatDot(5, 2)                  # threshold 2m - 1 = 3
        >>> code.can_decode([4, 0]), code.can_decode([4, 0, 2])
        (False, True)
        """
        return len(self._check_indices(indices)) >= self.recovery_threshold

    def _decode_args(self, results, indices, out, workers, method=None):
        """(indices, out, method) of a decode call: the deprecated ``workers=``
        keyword, and a method name given positionally where ``out`` now stands."""
        name = f"{type(self).__name__}.decode"
        if workers is not None or indices is REQUIRED:
            indices = renamed(name, "indices", indices, "workers", workers)
        if results is REQUIRED:
            raise TypeError(f"{name}() missing required argument: 'results'")
        if isinstance(out, str):
            if method is None:
                raise TypeError(f"{name}() takes no method; got {out!r} where out stands")
            warnings.warn(f"{name}(results, indices, {out!r}): pass the method as method=; the "
                          "third positional argument is out", DeprecationWarning, stacklevel=3)
            out, method = None, out
        return indices, out, method

    def _check_out(self, out, shape):
        """``out`` validated for a result of ``shape`` (field dtype, writeable)."""
        if not isinstance(out, np.ndarray) or out.dtype != self.field.dtype:
            raise FieldTypeError(f"out must be a {self.field.dtype} array")
        if out.shape != shape:
            raise ShardSizeError(f"out must have shape {shape}, got {out.shape}")
        if not out.flags.writeable:
            raise InvalidArgumentError("out is read-only")
        return out

    def _check_results(self, results, indices):
        """(first D worker ids as an int array, their D results (validated arrays), result shape)."""
        w = self._check_indices(indices)
        D = self.recovery_threshold
        if len(w) < D:
            raise NotEnoughShardsError(f"need {D} results to decode, got {len(w)}")
        if len(results) != len(w):
            raise ShardSizeError(f"{len(results)} results for {len(w)} indices")
        first = [self.field.asarray(results[i], f"results[{i}]") for i in range(D)]
        shape = first[0].shape
        for i, r in enumerate(first):
            if r.shape != shape or r.ndim != 2:
                raise ShardSizeError(f"results[{i}] has shape {r.shape}, expected 2-D {shape}")
        return w[:D], first, shape

    def _stack(self, first):
        """(D, L) array of the results' entries."""
        Y = np.empty((len(first), first[0].size), dtype=self.field.dtype)
        for i, r in enumerate(first):
            Y[i] = r.reshape(-1)
        return Y

    def _inverse(self, S):
        """inv(V[S]) (D, D), prepared once per responder set."""
        key = ("inv", S.tobytes())
        M = self._cache.get(key)
        if M is None:
            M = self.field.inv_matrix(self.V[S])
            self._cache.put(key, M)
        return M

    def worst_condition_number(self) -> float:
        """Worst 2-norm condition number of V[S] over responder sets (Reals only).

        Exhaustive when C(n, D) <= 20000, else sampled.  Decoding loses about
        log10 of it in digits on the worst responder set.

        Returns
        -------
        float
            The worst condition number.

        Raises
        ------
        InvalidArgumentError
            An exact field (condition numbers are for real codes).

        Examples
        --------
        >>> from fastcode.codes import OrthoMatDot
        >>> OrthoMatDot(5, 2).worst_condition_number() < 100
        True
        """
        if self.field.exact:
            raise InvalidArgumentError("condition numbers are defined for real codes")
        return condition_numbers(self.V.T, self.recovery_threshold, rng=0).worst


class PolynomialCode(_EvaluationCode):
    """Polynomial code for C = A^T B (Yu et al.): recovery threshold K = k_a k_b.

    A (s, r) and B (s, t), r divisible by k_a, t by k_b (ShardSizeError otherwise).
    Worker j stores Ã_j = sum_a A_a x_j^a (s, r/k_a; kept as its transpose) and
    B̃_j = sum_b B_b x_j^(b k_a) (s, t/k_b), and returns Ã_j^T B̃_j (r/k_a, t/k_b):
    one evaluation of a matrix polynomial whose K coefficients are the blocks
    A_a^T B_b of C.  Any K results give C (r, t).
    ``basis="chebyshev"`` (Reals): T_a and T_(b k_a) at Chebyshev nodes (OrthoPoly).

    Default field GF(65537), Yu et al.'s reference setting: exact (a real
    Vandermonde system loses accuracy fast as K grows) and 2^16 | p - 1, so the
    default points hold the K-th roots of unity and decoding takes the NTT path.
    Pass ``field=Reals`` (with ``basis="chebyshev"`` for OrthoPoly) for real data.

    Parameters
    ----------
    n : int
        Workers, n >= K.
    k_a, k_b : int
        Column blocks of A and of B (positive).
    field : Field, default PrimeField(65537)
        A PrimeField or Reals.
    points : (n,) array_like, optional
        Distinct evaluation points (default ``default_points(field, n, K)``).
    basis : {"monomial", "chebyshev"}, default "monomial"
        "chebyshev" needs ``field=Reals``.

    Raises
    ------
    InvalidArgumentError
        k_a, k_b or n not positive ints, K > n, an unknown basis, a field that
        is neither a PrimeField nor Reals, or the Chebyshev basis on an exact
        field; too few non-zero points in GF(p).
    ShardSizeError
        ``points`` not of n entries.
    FieldValueError
        Repeated points.

    See Also
    --------
    MatDot : C = A B with threshold 2m - 1 and less traffic per worker.
    OrthoPolyCode : the well-conditioned real form.

    Examples
    --------
    C = A^T B over GF(65537) on 6 workers; any 4 results give C:

    >>> from fastcode.codes import PolynomialCode
    >>> from fastcode.codes.polynomial import worker_product
    >>> code = PolynomialCode(6, 2, 2)
    >>> code.k, code.ntt_available
    (4, True)
    >>> rng = np.random.default_rng(0)
    >>> A = code.field.asarray(rng.integers(0, 100, size=(3, 4)))
    >>> B = code.field.asarray(rng.integers(0, 100, size=(3, 2)))
    >>> results = [worker_product(task) for task in code.encode(A, B)]
    >>> fastest = [5, 1, 3, 0]                       # workers 2 and 4 straggle
    >>> C = code.decode([results[j] for j in fastest], fastest)
    >>> C.shape, np.array_equal(C, A.T.astype(np.int64) @ B % 65537)
    ((4, 2), True)
    """

    def __init__(self, n: int, k_a: int, k_b: int, field: Field = PrimeField(65537),
                 points: Optional[ArrayLike] = None, basis: str = "monomial") -> None:
        for name, v in (("k_a", k_a), ("k_b", k_b)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise InvalidArgumentError(f"{name} must be a positive int, got {v!r}")
        self.k_a, self.k_b = int(k_a), int(k_b)
        K = self.k_a * self.k_b
        self._setup(n, field, points, basis, K)
        self.EA = self._powers(np.arange(self.k_a))
        self.EB = self._powers(np.arange(self.k_b) * self.k_a)
        self.V = self._powers(np.arange(K))
        self._ntt = self._find_roots() if basis == "monomial" else None
        if basis == "chebyshev":
            self._M = self._chebyshev_product_matrix()

    def __repr__(self):
        return (f"PolynomialCode(n={self.n}, k_a={self.k_a}, k_b={self.k_b}, field={self.field}, "
                f"basis={self.basis!r})")

    @property
    def ntt_available(self) -> bool:
        """True when decode can use the inverse-NTT path (a prime field, K a power
        of two, and the points holding every K-th root of unity)."""
        return self._ntt is not None

    def _find_roots(self):
        """(root w, worker index of w^i for i < K) if the points hold every K-th root."""
        f, K = self.field, self.recovery_threshold
        if not hasattr(f, "intt") or K & (K - 1) or (f.order - 1) % K:
            return None
        w = f.root_of_unity(K)
        where = {int(x): j for j, x in enumerate(self.points.tolist())}
        owner = [where.get(pow(w, i, f.p)) for i in range(K)]
        if any(o is None for o in owner):
            return None
        return w, np.array(owner, dtype=np.intp)

    def _chebyshev_product_matrix(self):
        """M (K, K): Chebyshev coefficient l of T_a T_(b k_a) is M[l, a + b k_a]
        (product rule T_a T_c = (T_(a+c) + T_|a-c|) / 2); upper triangular."""
        K, ka = self.recovery_threshold, self.k_a
        M = np.zeros((K, K))
        for b in range(self.k_b):
            for a in range(ka):
                col = a + b * ka
                M[a + b * ka, col] += 0.5
                M[abs(a - b * ka), col] += 0.5
        return M

    def _check_shapes(self, sa, sb):
        if sa[0] != sb[0]:
            raise ShardSizeError(f"A and B must have the same number of rows, got {sa} and {sb}")
        if sa[1] % self.k_a or sb[1] % self.k_b:
            raise ShardSizeError(f"A's columns ({sa[1]}) must be divisible by k_a={self.k_a} and "
                                 f"B's ({sb[1]}) by k_b={self.k_b}")

    def _split_A(self, A):
        s, r = A.shape
        return A.reshape(s, self.k_a, r // self.k_a).transpose(1, 0, 2)

    def _split_B(self, B):
        s, t = B.shape
        return B.reshape(s, self.k_b, t // self.k_b).transpose(1, 0, 2)

    def _pair(self, a_tilde, b_tilde):
        return (np.ascontiguousarray(a_tilde.T), b_tilde, self.field)

    def decode(self, results: Results = REQUIRED, indices: Indices = REQUIRED,
               out: Optional[np.ndarray] = None, method: str = "auto", *,
               workers: Optional[Indices] = None) -> np.ndarray:
        """C = A^T B (r, t) from the results of the first K of ``indices``.

        Parameters
        ----------
        results : sequence of (r/k_a, t/k_b) arrays, or a stacked array
            Paired positionally with ``indices``; only the first K are used.
        indices : sequence of int
            Distinct worker ids in [0, n), at least K of them.
        out : (r, t) array of the field's dtype, optional
            Receives C and is returned (it may overlap the results).  (A
            method name in this position, where it stood before, still works
            with a DeprecationWarning.)
        method : {"auto", "ntt", "inverse", "solve"}, default "auto"
            "ntt" (GF(p), points holding all K-th roots of unity), "inverse"
            (a prepared inv(V_S) applied by one field.matmul: the generic
            default), "solve" (``field.solve(V_S, results)``, nothing
            prepared), "auto" (ntt when every root of unity is among the
            responders, else inverse over GF(p); solve over Reals).  At K = 16,
            4000 x 4000 the NTT is ~4x solve and about even with the prepared
            inverse (BLAS); with a root to interpolate the inverse is ~2x
            faster.
        workers : optional
            Deprecated name of ``indices``.

        Returns
        -------
        (r, t) array of the field's dtype
            C (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            Fewer than K results.
        InvalidArgumentError
            An unknown method, "ntt" without the roots of unity, invalid
            worker ids, or a read-only ``out``.
        ShardSizeError
            As many results as indices not given, results of different or
            non-2-D shapes, ``out`` of the wrong shape.
        FieldTypeError
            ``out`` not an array of the field's dtype, or results not in the
            field.

        Examples
        --------
        The same product by each method, from the results of workers 0..3:

        >>> from fastcode.codes import PolynomialCode
        >>> from fastcode.codes.polynomial import worker_product
        >>> code = PolynomialCode(5, 2, 2)
        >>> A = code.field.asarray(np.arange(12).reshape(3, 4))
        >>> results = [worker_product(task) for task in code.encode(A, A)]
        >>> want = A.T.astype(np.int64) @ A % 65537
        >>> [np.array_equal(code.decode(results[:4], [0, 1, 2, 3], method=m), want)
        ...  for m in ("ntt", "inverse", "solve")]
        [True, True, True]
        """
        indices, out, method = self._decode_args(results, indices, out, workers, method)
        if method not in METHODS:
            raise InvalidArgumentError(f"method must be one of {METHODS}, got {method!r}")
        S, first, (rb, tb) = self._check_results(results, indices)
        ka, kb = self.k_a, self.k_b
        shape = (ka * rb, kb * tb)
        if out is not None:
            self._check_out(out, shape)
        if method == "auto" and self._ntt is not None and not np.isin(self._ntt[1], S).all():
            # a root is held by a straggler: the Lagrange step costs as much as the
            # prepared inverse, which then wins (measured 0.14 s vs 0.26 s at K = 16)
            method = "inverse"
        if method in ("auto", "ntt") and self._ntt is not None:
            # the transform writes every coefficient straight into its block of C (of
            # out itself when out is C-contiguous and does not overlap a result it reads)
            direct = (out is not None and out.flags.c_contiguous and not overlaps(out, first)[0])
            C = out if direct else np.empty(shape, dtype=self.field.dtype)
            C4 = C.reshape(ka, rb, kb, tb)
            blocks = [C4[l % ka, :, l // ka, :] for l in range(ka * kb)]
            self._decode_ntt(first, S, out=blocks)
        else:
            coeffs = self.coefficients(self._stack(first), S, method)
            if self.basis == "chebyshev":
                # back-substitute through the upper-triangular product matrix
                coeffs = np.linalg.solve(self._M, coeffs)
            # coefficient a + b k_a is block (a, b) of C
            C = coeffs.reshape(kb, ka, rb, tb).transpose(1, 2, 0, 3).reshape(shape)
        if out is None:
            return C
        if C is not out:
            out[...] = C
        return out

    def coefficients(self, Y: np.ndarray, indices: Indices = REQUIRED, method: str = "auto", *,
                     S: Optional[Indices] = None) -> np.ndarray:
        """The K polynomial coefficients from stacked results.

        Coefficient a + b k_a is the block A_a^T B_b of C (flattened); in the
        Chebyshev basis, the coefficients of the product polynomial.

        Parameters
        ----------
        Y : (K, L) array of the field's dtype
            Row i: the flattened result of worker ``indices[i]``.
        indices : sequence of int
            K distinct worker ids (not checked here: ``decode`` checks them).
        method : {"auto", "ntt", "inverse", "solve"}, default "auto"
            As in ``decode``.
        S : optional
            Deprecated name of ``indices``.

        Returns
        -------
        (K, L) array of the field's dtype
            The coefficients.

        Raises
        ------
        InvalidArgumentError
            method="ntt" without the roots of unity among the points.
        SingularMatrixError
            Repeated worker ids.

        Examples
        --------
        >>> from fastcode.codes import PolynomialCode
        >>> from fastcode.codes.polynomial import worker_product
        >>> code = PolynomialCode(4, 2, 1)
        >>> A = code.field.asarray([[1, 2], [3, 4]])
        >>> B = code.field.asarray([[1], [1]])
        >>> Y = np.stack([worker_product(t).reshape(-1) for t in code.encode(A, B)[:2]])
        >>> code.coefficients(Y, [0, 1]).tolist()          # A_0^T B and A_1^T B
        [[4], [6]]
        """
        if S is not None or indices is REQUIRED:
            indices = renamed("PolynomialCode.coefficients", "indices", indices, "S", S)
        S = np.asarray(indices, dtype=np.intp)
        f = self.field
        if method == "auto":
            method = "ntt" if self._ntt is not None else ("inverse" if f.exact else "solve")
        if method == "ntt":
            if self._ntt is None:
                raise InvalidArgumentError("the NTT path needs a prime field and points holding "
                                           "every K-th root of unity (K a power of two)")
            return self._decode_ntt(list(Y), S)
        if method == "solve":
            return f.solve(self.V[S], Y)
        return f.matmul(self._inverse(S), Y)

    def _decode_ntt(self, first, S, out=None):
        """Inverse NTT of the values at the K roots: the responders' results where
        they hold a root, Lagrange-interpolated values (one prepared matrix) where
        a straggler does.  ``first``: the D results; ``out`` as in inverse_ntt."""
        f = self.field
        w, owner = self._ntt
        K = self.recovery_threshold
        row_of = {int(j): t for t, j in enumerate(S.tolist())}
        missing = [i for i in range(K) if int(owner[i]) not in row_of]
        values = [None] * K
        for i in range(K):
            t = row_of.get(int(owner[i]))
            if t is not None:
                values[i] = first[t].reshape(-1)
        if missing:
            # values at the roots held by stragglers: V[those] inv(V_S) Y (Lagrange), prepared once
            key = ("lagrange", S.tobytes())
            Lg = self._cache.get(key)
            if Lg is None:
                Lg = f.matmul(self.V[owner[missing]], f.inv_matrix(self.V[S]))
                self._cache.put(key, Lg)
            filled = f.matmul(Lg, self._stack(first))
            for pos, i in enumerate(missing):
                values[i] = filled[pos]
        return inverse_ntt(f, values, w, out=out)


def OrthoPolyCode(n: int, k_a: int, k_b: int, nodes: Optional[ArrayLike] = None) -> PolynomialCode:
    """OrthoPoly (:ref:`OrthoPoly <codes-orthopoly>`): ``PolynomialCode`` over Reals in the
    Chebyshev basis.

    Field: Reals always; the Chebyshev basis is what keeps the real code well
    conditioned.  Decoding is a triangular back-substitution after the solve.

    Parameters
    ----------
    n : int
        Workers, n >= k_a k_b.
    k_a, k_b : int
        Column blocks of A and of B.
    nodes : (n,) array_like, optional
        Distinct evaluation points (default the Chebyshev nodes).

    Returns
    -------
    PolynomialCode
        With ``field=Reals`` and ``basis="chebyshev"``.

    Raises
    ------
    InvalidArgumentError, ShardSizeError, FieldValueError
        As ``PolynomialCode``.

    Examples
    --------
    >>> from fastcode.codes import OrthoPolyCode
    >>> from fastcode.codes.polynomial import worker_product
    >>> code = OrthoPolyCode(5, 2, 2)
    >>> code
    PolynomialCode(n=5, k_a=2, k_b=2, field=Reals, basis='chebyshev')
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    >>> results = [worker_product(task) for task in code.encode(A, B)]
    >>> fastest = [4, 1, 2, 0]
    >>> np.allclose(code.decode([results[j] for j in fastest], fastest), A.T @ B)
    True
    """
    return PolynomialCode(n, k_a, k_b, field=Reals, points=nodes, basis="chebyshev")


class MatDot(_EvaluationCode):
    """MatDot code for C = A B (Dutta et al.): recovery threshold 2m - 1.

    A (r, s) cut into m column blocks, B (s, t) into m row blocks (m | s, else
    ShardSizeError).  Monomial basis: p_A = sum_i A_i x^i, p_B = sum_i B_i x^(m-1-i);
    AB is the x^(m-1) coefficient of p_A p_B.  Chebyshev basis (``OrthoMatDot``,
    Reals): p_A = sum_i a_i A_i T_i, p_B = sum_i a_i B_i T_i with a_0 = 1/sqrt 2,
    a_i = 1, and AB = 2 c_0.  Each worker stores 1/m of A and of B and returns a
    full (r, t) product; ``decode(results, indices, out=None)`` is one weighted sum
    of the 2m - 1 results with the prepared row of inv(V_S).

    Default field GF(65537), as for ``PolynomialCode``: exact decoding whatever m
    (the real monomial form is badly conditioned; its stable real form is
    ``OrthoMatDot``).

    Parameters
    ----------
    n : int
        Workers, n >= 2m - 1.
    m : int
        Blocks of the inner dimension (positive).
    field : Field, default PrimeField(65537)
        A PrimeField or Reals.
    points : (n,) array_like, optional
        Distinct evaluation points (default ``default_points``).
    basis : {"monomial", "chebyshev"}, default "monomial"
        "chebyshev" needs ``field=Reals`` (``OrthoMatDot``).

    Raises
    ------
    InvalidArgumentError
        m or n not positive ints, 2m - 1 > n, an unknown basis, a field that is
        neither a PrimeField nor Reals, or the Chebyshev basis on an exact
        field; too few non-zero points in GF(p).
    ShardSizeError
        ``points`` not of n entries.
    FieldValueError
        Repeated points.

    Examples
    --------
    C = A B on 5 workers with m = 2: any 3 results give C.

    >>> from fastcode.codes import MatDot
    >>> from fastcode.codes.polynomial import worker_product
    >>> code = MatDot(5, 2)
    >>> code.k
    3
    >>> rng = np.random.default_rng(0)
    >>> A = code.field.asarray(rng.integers(0, 100, size=(2, 4)))
    >>> B = code.field.asarray(rng.integers(0, 100, size=(4, 3)))
    >>> results = [worker_product(task) for task in code.encode(A, B)]
    >>> fastest = [3, 0, 4]
    >>> C = code.decode([results[j] for j in fastest], fastest)
    >>> np.array_equal(C, A.astype(np.int64) @ B % 65537)
    True
    """

    _scale: Optional[float]

    def __init__(self, n: int, m: int, field: Field = PrimeField(65537),
                 points: Optional[ArrayLike] = None, basis: str = "monomial") -> None:
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
            raise InvalidArgumentError(f"m must be a positive int, got {m!r}")
        self.m = int(m)
        self._setup(n, field, points, basis, 2 * self.m - 1)
        idx = np.arange(self.m)
        if basis == "chebyshev":
            weights = np.ones(self.m)
            weights[0] = 1 / np.sqrt(2)
            self.EA = self.EB = self._powers(idx) * weights[None, :]
            self._target, self._scale = 0, 2.0
        else:
            self.EA = self._powers(idx)
            self.EB = self._powers(self.m - 1 - idx)
            self._target, self._scale = self.m - 1, None
        self.V = self._powers(np.arange(self.recovery_threshold))

    def __repr__(self):
        return f"MatDot(n={self.n}, m={self.m}, field={self.field}, basis={self.basis!r})"

    def _check_shapes(self, sa, sb):
        if sa[1] != sb[0]:
            raise ShardSizeError(f"A's columns ({sa[1]}) must equal B's rows ({sb[0]})")
        if sa[1] % self.m:
            raise ShardSizeError(f"the inner dimension {sa[1]} must be divisible by m={self.m}")

    def _split_A(self, A):
        r, s = A.shape
        return A.reshape(r, self.m, s // self.m).transpose(1, 0, 2)

    def _split_B(self, B):
        s, t = B.shape
        return B.reshape(self.m, s // self.m, t)

    def _pair(self, a_tilde, b_tilde):
        return (a_tilde, b_tilde, self.field)

    def _weights(self, S):
        """Row ``target`` of inv(V[S]) (times the scale): AB = weights @ results."""
        key = ("row", S.tobytes())
        wts = self._cache.get(key)
        if wts is None:
            f, D = self.field, self.recovery_threshold
            e = f.zeros(D)
            e[self._target] = 1
            wts = f.solve(np.ascontiguousarray(self.V[S].T), e)
            if self._scale is not None:
                wts = wts * self._scale
            self._cache.put(key, wts)
        return wts

    def decode(self, results: Results = REQUIRED, indices: Indices = REQUIRED,
               out: Optional[np.ndarray] = None, *,
               workers: Optional[Indices] = None) -> np.ndarray:
        """C = A B (r, t) from the results of the first 2m - 1 of ``indices``.

        One weighted sum of the results, with the row of inv(V_S) prepared
        once per responder set.

        Parameters
        ----------
        results : sequence of (r, t) arrays, or a stacked array
            Paired positionally with ``indices``; only the first 2m - 1 are
            used.
        indices : sequence of int
            Distinct worker ids in [0, n), at least 2m - 1 of them.
        out : (r, t) array of the field's dtype, optional
            Receives C and is returned (it may overlap the results).
        workers : optional
            Deprecated name of ``indices``.

        Returns
        -------
        (r, t) array of the field's dtype
            C (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            Fewer than 2m - 1 results.
        InvalidArgumentError
            Invalid worker ids, or a read-only ``out``.
        ShardSizeError
            As many results as indices not given, results of different or
            non-2-D shapes, ``out`` of the wrong shape.
        FieldTypeError
            ``out`` not an array of the field's dtype, or results not in the
            field.

        Examples
        --------
        Decoding into a preallocated array:

        >>> from fastcode.codes import MatDot
        >>> from fastcode.codes.polynomial import worker_product
        >>> code = MatDot(4, 2)
        >>> A = code.field.asarray([[1, 2], [3, 4]])
        >>> results = [worker_product(task) for task in code.encode(A, A)]
        >>> out = code.field.zeros((2, 2))
        >>> _ = code.decode(results[1:], [1, 2, 3], out=out)
        >>> out.tolist()
        [[7, 10], [15, 22]]
        """
        indices, out, _ = self._decode_args(results, indices, out, workers)
        S, first, shape = self._check_results(results, indices)
        if out is not None:
            self._check_out(out, shape)
        wts = self._weights(S)
        C = self.field.matmul(wts[None, :], self._stack(first)).reshape(shape)
        if out is None:
            return C
        out[...] = C                 # C is new: reading the results is already done
        return out


class OrthoMatDot(MatDot):
    """OrthoMatDot (Fahim & Cadambe, :ref:`OrthoMatDot <codes-orthopoly>`): MatDot over
    Reals in the Chebyshev basis at the Chebyshev nodes (or ``nodes``); threshold 2m - 1.

    Field: Reals always (the construction is a real, well-conditioned one).

    Parameters
    ----------
    n : int
        Workers, n >= 2m - 1.
    m : int
        Blocks of the inner dimension.
    nodes : (n,) array_like, optional
        Distinct evaluation points (default the Chebyshev nodes).

    Raises
    ------
    InvalidArgumentError, ShardSizeError, FieldValueError
        As ``MatDot``.

    Examples
    --------
    >>> from fastcode.codes import OrthoMatDot
    >>> from fastcode.codes.polynomial import worker_product
    >>> code = OrthoMatDot(5, 2)
    >>> code, code.k
    (OrthoMatDot(n=5, m=2), 3)
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((2, 4)), rng.standard_normal((4, 3))
    >>> results = [worker_product(task) for task in code.encode(A, B)]
    >>> fastest = [4, 1, 2]
    >>> np.allclose(code.decode([results[j] for j in fastest], fastest), A @ B)
    True
    """

    def __init__(self, n: int, m: int, nodes: Optional[ArrayLike] = None) -> None:
        super().__init__(n, m, field=Reals, points=nodes, basis="chebyshev")

    def __repr__(self):
        return f"OrthoMatDot(n={self.n}, m={self.m})"
