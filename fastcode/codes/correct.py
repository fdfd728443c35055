"""Error-and-erasure decoding of systematic MDS codes that are generalized Reed-Solomon codes.

Erasures are shards known to be missing; errors are shards present but silently wrong.
An (n, k) MDS code with r = n - k parity shards, e of them erased, corrects up to
t = floor((r - e) / 2) wrong shards, or detects up to r - e of them.

The codes of ``MDSCode`` with ``kind="cauchy"`` or ``"vandermonde"`` are generalized
Reed-Solomon (GRS) codes: shard s of a codeword is ``v_s f(a_s)`` for a polynomial f of
degree < k, with one evaluation point a_s and one non-zero multiplier v_s per shard
(Vandermonde: the points given, v = 1; Cauchy with parity 1/(x_i - y_j): points y_j for
data and x_i for parity, v = 1/A'(y_j) for data and 1/A(x_i) for parity, A(x) = prod (x - y_j)).
``grs_form`` recovers (a, v) from the generator and checks the whole matrix against them.

How ``correct`` works, for the present shards P (m = |P| of them):

1. Syndromes, one kernel pass over the stripe: ``S = H_P Y_P`` with the (m - k) x m
   parity check ``H_P[l, s] = u_s a_s^l / v_s`` of the punctured code, u_s = 1 / prod_{j in P,
   j != s} (a_s - a_j).  S is zero in every byte column of a consistent stripe, and
   ``S_l = sum_s (u_s / v_s) e_s a_s^l`` for an error pattern e: power sums, so the
   Berlekamp-Massey algorithm finds the error locator of one column from 2t of them.
2. A corrupted shard is one error, whatever number of its bytes changed, and many byte
   columns share one pattern: the locator is found on a few columns with non-zero
   syndromes (scalar arithmetic), giving a set E of at most t shards.
3. The whole stripe confirms E with kernels: the error values follow from |E| syndrome
   rows (``e_E = inv(H_P[:|E|, E]) S[:|E|]``, a small product over the stripe) and the
   other rows must then vanish (``S[|E|:] = H_P[|E|:, E] e_E`` in every column).  Columns
   where they do not name further shards (located column by column); E grows, and once it
   exceeds t the stripe is uncorrectable.  Nothing is repaired column by column.
4. The data: present data rows are copied and those in E corrected by their error values;
   erased data rows are decoded from the corrected shards by the code's own decoder.

Guarantee: up to t corrupted shards are located and corrected; with ``max_errors=0`` up to
r - e corrupted shards are detected (a non-zero syndrome).  More than t corrupted shards
of independent random content are reported (UncorrectableError) except with probability
about q^-(m - k - t) per column they corrupt (q the field size), because no set of at most
t shards can explain their syndromes in every column.  Adversarial corruption that moves
the stripe onto another codeword cannot be detected by any decoder.

The same decoder serves any Reed-Solomon code of evaluations: ``EvaluationDecoder`` takes
the values at m distinct points of polynomials of degree <= d (one per column), up to
floor((m - d - 1) / 2) rows of them wrong, locates the wrong rows and interpolates the
polynomials at other points (Lagrange coded computing decodes this way:
``fastcode.schemes.lagrange``).
"""
from __future__ import annotations

import threading
from collections import namedtuple
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.errors import InvalidArgumentError, UncorrectableError
from fastcode.fields.base import Field, MatmulPlan

if TYPE_CHECKING:
    from fastcode.codes.mds import MDSCode

__all__ = ["Corrected", "grs_form", "ErrorCorrector", "EvaluationDecoder", "lagrange_basis"]

Corrected = namedtuple("Corrected", ["data", "corrupted"])
Corrected.__doc__ = """Result of ``MDSCode.correct``: the data and the shards found wrong.

A named tuple: unpack it as ``data, corrupted = code.correct(...)``.

Parameters
----------
data : (k, L) array of the field's dtype
    The decoded data rows (``out`` when one was given).
corrupted : list of int
    The sorted indices of the shards found wrong (and corrected).

Examples
--------
>>> from fastcode import MDSCode
>>> code = MDSCode(7, 3)
>>> data = np.arange(12, dtype=np.uint8).reshape(3, 4)
>>> stripe = np.vstack([data, code.encode(data)])
>>> stripe[4, 1] ^= 0xFF                             # shard 4 silently wrong
>>> result = code.correct(stripe)
>>> result.corrupted, np.array_equal(result.data, data)
([4], True)
"""

# byte columns whose syndromes are used to locate the error pattern before the whole
# stripe confirms it (more are taken only where the confirmation fails)
SAMPLE_COLUMNS = 4


def grs_form(G: np.ndarray, points: ArrayLike, field: Field) -> np.ndarray:
    """The multipliers of a systematic generator seen as a generalized Reed-Solomon code.

    Finds v with ``G[:, j] = v * f_j(points)`` (deg f_j < k) for every column
    j, scaled so that v_0 = 1, and checks the whole matrix against them.

    Parameters
    ----------
    G : (n, k) array of the field's dtype
        Systematic generator [I; C].
    points : (n,) array_like
        Distinct evaluation points of the shards (data points first).
    field : Field
        The field of G.

    Returns
    -------
    (n,) array of the field's dtype
        The non-zero multipliers v.

    Raises
    ------
    InvalidArgumentError
        Repeated points, or G not a GRS generator on these points.

    Examples
    --------
    A Vandermonde code on the points 0..n-1 has multipliers 1; a Cauchy code
    (over GF(2^8) its default points are also 0..n-1: y = 0..k-1 for data,
    x = k..n-1 for parity) has others:

    >>> from fastcode import GF256, MDSCode
    >>> from fastcode.codes.correct import grs_form
    >>> points = np.arange(6, dtype=np.uint8)
    >>> grs_form(MDSCode(6, 4, kind="vandermonde").G, points, GF256).tolist()
    [1, 1, 1, 1, 1, 1]
    >>> grs_form(MDSCode(6, 4).G, points, GF256).tolist()
    [1, 1, 1, 1, 32, 32]
    """
    n, k = G.shape
    f = field
    a = f.asarray(points)
    one = f.asarray(np.ones(1, dtype=np.int64))[0]
    data_pts, par_pts = a[:k], a[k:]
    # Lagrange basis on the data points: L_j(x) = prod_{l != j} (x - y_l) / (y_j - y_l)
    diff = f.sub(data_pts[:, None], data_pts[None, :])
    np.fill_diagonal(diff, one)
    denom = _prod(f, diff, axis=1)                                   # a'(y_j)
    num = f.sub(par_pts[:, None], data_pts[None, :])                 # (r, k): x_t - y_l
    if np.any(num == 0):
        raise InvalidArgumentError("evaluation points must be distinct")
    full = _prod(f, num, axis=1)                                     # A(x_t)
    L = f.div(f.div(full[:, None], num), denom[None, :])             # L_j(x_t)
    v = f.zeros(n)
    if n == k:
        v[:] = one
        return v
    C = G[k:]
    if np.any(C == 0):
        raise InvalidArgumentError("the generator is not a GRS generator on these points "
                                   "(error correction needs a Cauchy or Vandermonde code)")
    # C[t, j] = (v_t / v_j) L_j(x_t): v_0 = 1 fixes the scale, column 0 gives every parity
    # multiplier, the first parity row every data multiplier; then all of C is checked
    v[k:] = f.div(C[:, 0], L[:, 0])
    v[:k] = f.div(f.mul(v[k], L[0]), C[0])
    want = f.mul(f.div(v[k:][:, None], v[:k][None, :]), L)
    if not np.array_equal(want, C):
        raise InvalidArgumentError("the generator is not a GRS generator on these points "
                                   "(error correction needs a Cauchy or Vandermonde code)")
    return v


def _prod(f, a, axis):
    out = None
    for col in np.moveaxis(a, axis, 0):
        out = col if out is None else f.mul(out, col)
    if out is None:
        return f.asarray(np.ones(a.shape[1 - axis], dtype=np.int64))
    return out


class _Scalars:
    """Scalar arithmetic of the field on Python ints (locating errors works on a few
    columns: NumPy calls per element would cost microseconds each)."""

    def __init__(self, field):
        size = getattr(field, "order", None)
        if field.characteristic == 2 and size == 256:
            from fastcode.reference.gf256 import EXP, LOG
            self.exp, self.log = [int(x) for x in EXP], [int(x) for x in LOG]
            self.p = None
        elif field.characteristic == size and size is not None:
            self.p = int(size)
        else:
            raise InvalidArgumentError(f"error correction supports GF(2^8) and GF(p), not {field}")

    def add(self, a, b):
        return a ^ b if self.p is None else (a + b) % self.p

    def sub(self, a, b):
        return a ^ b if self.p is None else (a - b) % self.p

    def mul(self, a, b):
        if self.p is not None:
            return a * b % self.p
        if a == 0 or b == 0:
            return 0
        return self.exp[(self.log[a] + self.log[b]) % 255]

    def inv(self, a):
        if self.p is not None:
            return pow(a, self.p - 2, self.p)
        return self.exp[(255 - self.log[a]) % 255]


def _berlekamp_massey(F, S):
    """Connection polynomial C (list of ints, C[0] = 1) and LFSR length L of the sequence S:
    S[j] + sum_{i=1..L} C[i] S[j - i] = 0 for L <= j < len(S)."""
    C, B = [1], [1]
    L, m, b = 0, 1, 1
    for j, s in enumerate(S):
        d = s
        for i in range(1, min(L, len(C) - 1) + 1):
            d = F.add(d, F.mul(C[i], S[j - i]))
        if d == 0:
            m += 1
            continue
        coef = F.mul(d, F.inv(b))
        T = list(C)
        if len(C) < len(B) + m:
            C = C + [0] * (len(B) + m - len(C))
        for i, bi in enumerate(B):
            C[i + m] = F.sub(C[i + m], F.mul(coef, bi))
        if 2 * L <= j:
            L, B, b, m = j + 1 - L, T, d, 1
        else:
            m += 1
    return C, L


_local = threading.local()


def _scratch(name, shape, dtype):
    """A per-thread work array reused from call to call (a fresh multi-megabyte array
    costs its page faults, more than the kernel pass that fills it)."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    need = int(np.prod(shape))
    buf = pool.get(name)
    if buf is None or buf.dtype != dtype or buf.size < need:
        buf = pool[name] = np.empty(max(need, 1), dtype=dtype)
    return buf[:need].reshape(shape)


class ErrorCorrector:
    """Error-and-erasure decoder of one GRS code for one set of present shards.

    Holds the points a_P, multipliers v_P, the (m - k) x m parity check H_P of
    the punctured code and its kernel plan (see the module docstring for the
    method); ``MDSCode.correct`` builds one per present set and caches it.
    Calling it, ``corrector(stripe, length, max_errors)``, returns the
    positions (into ``present``) of the wrong shards and their error values
    ((|E|, L), None when nothing is wrong); the stripe is the present shards in
    increasing shard order ((m, L) array, or m rows of length L for GF(2^8)).
    UncorrectableError when more than ``max_errors`` shards would have to be
    wrong (with ``max_errors=0``: on any inconsistency).

    ``ErrorCorrector.for_evaluations(field, points, dimension)`` is the same
    decoder for the Reed-Solomon code of the evaluations at ``points`` of
    polynomials of degree < ``dimension`` (multipliers 1, every point
    present): what ``EvaluationDecoder`` uses.

    Parameters
    ----------
    code : MDSCode
        A Cauchy or Vandermonde code over GF(2^8) or GF(p).
    present : (m,) int array
        Sorted indices of the present shards, m >= k.
    points : (n,) array_like
        Evaluation points of all n shards.
    multipliers : (n,) array_like
        Their multipliers (``grs_form``).

    Attributes
    ----------
    H : (m - k, m) array of the field's dtype
        The parity check of the present shards; its number of rows, m - k, is
        the attribute ``rows``, and up to rows // 2 wrong shards are located.

    Raises
    ------
    InvalidArgumentError
        A field other than GF(2^8) or GF(p).

    Examples
    --------
    >>> from fastcode import GF256, MDSCode
    >>> from fastcode.codes.correct import ErrorCorrector, grs_form
    >>> code = MDSCode(8, 4, kind="vandermonde")
    >>> points = np.arange(8, dtype=np.uint8)        # its default points
    >>> corrector = ErrorCorrector(code, np.arange(8), points,
    ...                            grs_form(code.G, points, GF256))
    >>> rng = np.random.default_rng(0)
    >>> data = rng.integers(0, 256, size=(4, 16), dtype=np.uint8)
    >>> stripe = np.vstack([data, code.encode(data)])
    >>> stripe[2] ^= 0x5A                            # all of shard 2 wrong
    >>> stripe[6, 3] ^= 1                            # one byte of shard 6
    >>> wrong, values = corrector(stripe, 16, max_errors=2)
    >>> wrong, values[0, :3].tolist(), values[1, :5].tolist()
    ([2, 6], [90, 90, 90], [0, 0, 0, 1, 0])
    """

    code: Optional[MDSCode]          # None for the decoder of plain evaluations

    def __init__(self, code: MDSCode, present: np.ndarray, points: ArrayLike,
                 multipliers: ArrayLike) -> None:
        self.code = code
        self._setup(code.field, code.k, present, points, multipliers,
                    labels=present, unit="shards", column="byte column")

    @classmethod
    def for_evaluations(cls, field: Field, points: Union[Sequence[int], np.ndarray],
                        dimension: int, labels: Optional[ArrayLike] = None) -> ErrorCorrector:
        """The decoder of the evaluations of polynomials of degree < ``dimension``.

        Rows of its stripes pair with ``points``; errors are reported as
        positions into ``points``.

        Parameters
        ----------
        field : Field
            GF(2^8) or a PrimeField.
        points : (m,) sequence of int or array
            Distinct field elements.
        dimension : int
            The polynomials' degree + 1 (the code's k).
        labels : (m,) array_like, optional
            Names of the rows in error messages, e.g. worker ids (default the
            positions).

        Returns
        -------
        ErrorCorrector
            Locates up to (m - dimension) // 2 wrong rows.

        Raises
        ------
        InvalidArgumentError
            A field other than GF(2^8) or GF(p).

        Examples
        --------
        Values of x -> 3 + 2x at five points, the one at x = 4 wrong:

        >>> from fastcode import PrimeField
        >>> from fastcode.codes.correct import ErrorCorrector
        >>> F = PrimeField(101)
        >>> corrector = ErrorCorrector.for_evaluations(F, [1, 2, 3, 4, 5], 2)
        >>> values = F.asarray([[5], [7], [9], [50], [13]])
        >>> wrong, errors = corrector(values, 1, max_errors=1)
        >>> wrong, errors.tolist()                   # 50 - 11
        ([3], [[39]])
        """
        self = cls.__new__(cls)
        self.code = None
        m = len(points)
        one = np.ones(m, dtype=np.int64)
        self._setup(field, int(dimension), np.arange(m), points, field.asarray(one),
                    labels=np.arange(m) if labels is None else np.asarray(labels),
                    unit="results", column="column")
        return self

    def _setup(self, field, k, present, points, multipliers, labels, unit, column):
        f = field
        self.field = f
        self.present = present                                      # sorted shard indices
        self.labels, self.unit, self.column = labels, unit, column  # for messages only
        self.F = _Scalars(f)
        m = len(present)
        self.rows = m - k
        a = f.asarray(points)[present]
        v = f.asarray(multipliers)[present]
        one = f.asarray(np.ones(1, dtype=np.int64))[0]
        diff = f.sub(a[:, None], a[None, :])
        np.fill_diagonal(diff, one)
        u = f.inv(_prod(f, diff, axis=1))
        scale = f.div(u, v)
        powers = f.pow(a[None, :], np.arange(max(self.rows, 1), dtype=np.int64)[:, None])
        self.H = np.ascontiguousarray(f.mul(powers, scale[None, :])[:self.rows])
        self.syndrome_plan = f.plan_matmul(self.H) if self.rows else None
        self.points = [int(x) for x in a]
        self._solve_cache = {}

    # ---- locating -------------------------------------------------------------------------

    def locate_column(self, S: Sequence[int]) -> Optional[List[int]]:
        """Positions of the errors of one column, from its syndromes (Berlekamp-Massey).

        Parameters
        ----------
        S : sequence of int
            The column's ``rows`` syndromes (``H @ column``), as Python ints.

        Returns
        -------
        list of int or None
            Positions (indices into ``present``) of the wrong entries, or None
            when no pattern of at most rows // 2 errors fits.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> from fastcode.codes.correct import ErrorCorrector
        >>> F = PrimeField(101)
        >>> corrector = ErrorCorrector.for_evaluations(F, [1, 2, 3, 4, 5], 2)
        >>> column = F.asarray([5, 7, 9, 50, 13])      # 3 + 2x, wrong at x = 4
        >>> S = F.matmul(corrector.H, column[:, None])[:, 0]
        >>> corrector.locate_column([int(x) for x in S])
        [3]
        """
        F = self.F
        t = self.rows // 2
        C, L = _berlekamp_massey(F, S[:2 * t])
        if L == 0 or L > t:
            return None
        # sigma(x) = x^L C(1/x): its roots are the error points (0 included)
        sigma = [C[L - i] if L - i < len(C) else 0 for i in range(L + 1)]   # sigma[i]: coef of x^i
        roots = []
        for pos, x in enumerate(self.points):
            acc = 0
            for c in reversed(sigma):
                acc = F.add(F.mul(acc, x), c)
            if acc == 0:
                roots.append(pos)
        if len(roots) != L:
            return None
        return roots

    # ---- the stripe -----------------------------------------------------------------------

    def error_values(self, S: np.ndarray, E: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
        """The error values at positions E, and the columns they do not explain.

        Two kernel products over the stripe: ``inv(H[:|E|, E]) S[:|E|]`` and the
        residual ``[-H[|E|:, E] inv(H[:|E|, E]) | I] S``, zero in every
        explained column.  The returned arrays are per-thread scratch space,
        overwritten by the next call in the same thread.

        Parameters
        ----------
        S : (m - k, L) array of the field's dtype
            Syndromes of the whole stripe.
        E : sequence of int
            Sorted positions (into ``present``) assumed wrong, len(E) <= rows.

        Returns
        -------
        values : (len(E), L) array of the field's dtype
            Error values that explain the first len(E) syndrome rows.
        failing : 1-D intp array
            The columns whose other syndrome rows they do not explain (empty:
            E explains the whole stripe).

        Raises
        ------
        SingularMatrixError
            Repeated positions in E.

        Examples
        --------
        >>> from fastcode import PrimeField
        >>> from fastcode.codes.correct import ErrorCorrector
        >>> F = PrimeField(101)
        >>> corrector = ErrorCorrector.for_evaluations(F, [1, 2, 3, 4, 5], 2)
        >>> stripe = F.asarray([[5, 7], [7, 8], [9, 9], [50, 10], [13, 12]])
        >>> S = F.matmul(corrector.H, stripe)       # column 1 is 7 + x, wrong at x = 5
        >>> values, failing = corrector.error_values(S, [3])
        >>> values[:, 0].tolist(), failing.tolist()  # position 3 explains column 0 only
        ([39], [1])
        """
        f = self.field
        key = tuple(E)
        pair = self._solve_cache.get(key)
        if pair is None:
            HE = np.ascontiguousarray(self.H[:, list(E)])
            inv = f.inv_matrix(HE[:len(E)])
            check = None
            if self.rows > len(E):
                rest = f.matmul(np.ascontiguousarray(HE[len(E):]), inv)
                check = f.plan_matmul(np.concatenate(
                    [f.neg(rest), f.eye(self.rows - len(E))], axis=1))
            pair = self._solve_cache[key] = (f.plan_matmul(inv), check)
        solve, check = pair
        L = S.shape[1]
        values = solve(S[:len(E)], out=_scratch("values", (len(E), L), S.dtype))
        if check is None:
            return values, np.zeros(0, dtype=np.intp)
        residual = check(S, out=_scratch("residual", (self.rows - len(E), L), S.dtype))
        return values, _nonzero_columns(residual)

    def __call__(self, stripe, length, max_errors):
        """Located shard positions (into present) and their error values (|E|, L), for the
        stripe of present shards in increasing shard order ((m, L) array, or m rows of
        length L for GF(2^8)).  UncorrectableError when more than max_errors shards would
        have to be wrong."""
        if self.rows == 0 or length == 0:
            return [], None
        S = self.syndrome_plan(stripe, out=_scratch("syndromes", (self.rows, length),
                                                    self.field.dtype))
        col = _column_or(S)
        if not col.any():
            return [], None
        if max_errors == 0:
            raise UncorrectableError(
                f"the {self.unit} are inconsistent in {np.count_nonzero(col)} of {length} "
                f"{self.column}s (detection only: max_errors=0)")
        E, located = set(), set()
        todo = _sample_columns(col, SAMPLE_COLUMNS)
        while True:
            for col in todo:
                found = self.locate_column([int(x) for x in S[:, col]])
                if found is None:
                    raise UncorrectableError(
                        f"{self.column} {int(col)} has more errors than the code can locate "
                        f"(at most {self.rows // 2} with these {self.unit})")
                located.add(int(col))
                E.update(found)
            if len(E) > max_errors:
                raise UncorrectableError(
                    f"the errors span {len(E)} {self.unit} "
                    f"({sorted(int(self.labels[i]) for i in E)}), more than the "
                    f"{max_errors} that can be corrected")
            order = sorted(E)
            values, failing = self.error_values(S, order)
            if len(failing) == 0:
                return order, values
            # columns that the pattern does not explain name further shards
            todo = [c for c in failing[:4 * SAMPLE_COLUMNS].tolist() if c not in located]
            if not todo:
                raise UncorrectableError(f"the {self.column}s disagree on which {self.unit} "
                                         "are wrong")
            todo = todo[:SAMPLE_COLUMNS]


def _column_or(S):
    """(L,) OR of the rows of S: non-zero exactly in the columns where S is (one pass,
    no boolean temporaries)."""
    if S.shape[0] == 1:
        return S[0]
    return np.bitwise_or.reduce(S, axis=0)


def _nonzero_columns(R):
    """Indices of the columns of R that are not all zero."""
    col = _column_or(R)
    if not col.any():
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(col)


def _sample_columns(col, count):
    """Up to ``count`` indices of non-zero entries of ``col``, spread over its length:
    probed on an even grid first (errors usually span whole shards), then searched."""
    grid = np.linspace(0, len(col) - 1, min(len(col), 16 * count)).astype(np.intp)
    hits = grid[col[grid] != 0]
    if len(hits) == 0:
        hits = np.flatnonzero(col)
    pick = np.linspace(0, len(hits) - 1, min(count, len(hits))).astype(np.intp)
    return hits[pick].tolist()


# ---- Reed-Solomon decoding of evaluations ------------------------------------------------------

def lagrange_basis(field: Field, points: ArrayLike, at: ArrayLike) -> np.ndarray:
    """The Lagrange interpolation matrix from values at ``points`` to values at ``at``.

    ``M[j, i] = l_i(at_j)``, with l_i the Lagrange basis polynomials of the
    distinct ``points``: ``M @ g(points) = g(at)`` for every polynomial g of
    degree < len(points).  ``at`` may include some of ``points`` (rows of the
    identity).

    Parameters
    ----------
    field : Field
        An exact field (GF(2^8), GF(p), ...).
    points : (m,) array_like
        Distinct interpolation points.
    at : (J,) array_like
        Points to evaluate at.

    Returns
    -------
    (J, m) array of the field's dtype
        The matrix M.

    Raises
    ------
    InvalidArgumentError
        Repeated points.

    Examples
    --------
    g(x) = x^2 + 1 over GF(101) from its values at 1, 2, 3, evaluated at 0 and 4:

    >>> from fastcode import PrimeField
    >>> from fastcode.codes.correct import lagrange_basis
    >>> F = PrimeField(101)
    >>> M = lagrange_basis(F, [1, 2, 3], [0, 4])
    >>> M.tolist()
    [[3, 98, 1], [1, 98, 3]]
    >>> F.matmul(M, F.asarray([[2], [5], [10]])).tolist()
    [[1], [17]]
    """
    f = field
    x = f.asarray(points).reshape(-1)
    z = f.asarray(at).reshape(-1)
    m = len(x)
    diff = f.sub(x[:, None], x[None, :])
    one = f.asarray(np.ones(1, dtype=np.int64))[0]
    np.fill_diagonal(diff, one)
    if m > 1 and np.any(diff == 0):
        raise InvalidArgumentError("interpolation points must be distinct")
    denom = _prod(f, diff, axis=1)                                   # prod_{l != i} (x_i - x_l)
    gap = f.sub(z[:, None], x[None, :])                              # (J, m): z_j - x_l
    # prod over l != i of (z_j - x_l), without dividing by a gap that may be zero:
    # prefix products times suffix products
    ones = f.asarray(np.ones(len(z), dtype=np.int64))
    prefix = [ones]
    for i in range(m - 1):
        prefix.append(f.mul(prefix[-1], gap[:, i]))
    num = f.zeros((len(z), m))
    suffix = ones
    for i in range(m - 1, -1, -1):
        num[:, i] = f.mul(prefix[i], suffix)
        suffix = f.mul(suffix, gap[:, i])
    return f.div(num, denom[None, :])


class EvaluationDecoder:
    """Values at ``at`` of polynomials of degree <= ``degree`` from their values at
    ``points``, up to t = (m - degree - 1) // 2 of the m rows wrong.

    ``decoder(values, max_errors=None, out=None) -> (result, wrong)``: ``values`` (m, L)
    of the field's dtype, row i the values of the L polynomials (one per column) at
    ``points[i]``; ``result`` (len(at), L) their values at ``at`` (written into ``out``
    when given); ``wrong`` the sorted positions (into ``points``) of the rows found
    wrong.  The wrong rows are located as one set for the whole stripe
    (``ErrorCorrector``) and the polynomials interpolated from degree + 1 rows outside
    it.  UncorrectableError when more than ``max_errors`` (default and at most t) rows
    would have to be wrong; more than t rows of random content are reported except with
    negligible probability (see the module doc); InvalidArgumentError for ``values``
    not of shape (m, L) or ``max_errors`` outside [0, t].  Lagrange coded computing
    decodes this way (``fastcode.schemes.lagrange``).

    Parameters
    ----------
    field : Field
        GF(2^8) or a PrimeField.
    points : (m,) array_like
        Distinct evaluation points.
    degree : int
        Degree bound of the polynomials; m >= degree + 1.
    at : (J,) array_like
        Points to evaluate the polynomials at.
    labels : (m,) array_like, optional
        Names of the rows in error messages, e.g. worker ids (default their
        positions).

    Attributes
    ----------
    max_errors : int
        t = (m - degree - 1) // 2, the most wrong rows it corrects.

    Raises
    ------
    InvalidArgumentError
        Fewer than degree + 1 points (or a negative degree), or a field other
        than GF(2^8) or GF(p).

    Examples
    --------
    Two lines over GF(101), g0 = 3 + 2x and g1 = 7 + x, known at five
    points; one row is wrong, and their values at 0 are still found:

    >>> from fastcode import PrimeField
    >>> from fastcode.codes.correct import EvaluationDecoder
    >>> F = PrimeField(101)
    >>> points = [1, 2, 3, 4, 5]
    >>> values = F.asarray([[3 + 2 * x, 7 + x] for x in points])
    >>> values[3] = [50, 1]                          # the row at x = 4 is wrong
    >>> decoder = EvaluationDecoder(F, points, degree=1, at=[0])
    >>> decoder.max_errors
    1
    >>> result, wrong = decoder(values)
    >>> result.tolist(), wrong
    ([[3, 7]], [3])

    With ``max_errors=0`` it only checks:

    >>> decoder(values, max_errors=0)
    Traceback (most recent call last):
        ...
    fastcode.errors.UncorrectableError: the results are inconsistent in 2 of 2 columns (detection only: max_errors=0)
    """

    def __init__(self, field: Field, points: ArrayLike, degree: int, at: ArrayLike,
                 labels: Optional[ArrayLike] = None) -> None:
        self.field = field
        self.points = field.asarray(points).reshape(-1)
        self.at = field.asarray(at).reshape(-1)
        self.dimension = int(degree) + 1
        m = len(self.points)
        if self.dimension < 1 or m < self.dimension:
            raise InvalidArgumentError(f"{m} values cannot determine a polynomial of degree "
                                       f"{degree} (need at least {self.dimension})")
        self.max_errors = (m - self.dimension) // 2
        self.corrector = ErrorCorrector.for_evaluations(field, self.points, self.dimension,
                                                        labels)
        self._interpolators: Dict[Tuple[int, ...], MatmulPlan] = {}   # rows used -> plan of their Lagrange basis at `at`

    def _interpolator(self, rows):
        key = tuple(rows)
        plan = self._interpolators.get(key)
        if plan is None:
            if len(self._interpolators) >= 64:
                self._interpolators.clear()
            M = lagrange_basis(self.field, self.points[list(rows)], self.at)
            plan = self._interpolators[key] = self.field.plan_matmul(np.ascontiguousarray(M))
        return plan

    def __call__(self, values, max_errors=None, out=None):
        m, k = len(self.points), self.dimension
        if values.ndim != 2 or values.shape[0] != m:
            raise InvalidArgumentError(f"values must have shape ({m}, L), got {values.shape}")
        if max_errors is None:
            max_errors = self.max_errors
        max_errors = integer(max_errors, "max_errors", 0, self.max_errors)
        wrong, _ = self.corrector(values, values.shape[1], max_errors)
        wrong = sorted(int(i) for i in wrong)
        bad = set(wrong)
        rows = [i for i in range(m) if i not in bad][:k]
        if rows == list(range(k)):
            source = values[:k]
        else:
            source = np.ascontiguousarray(values[rows])
        result = self._interpolator(rows)(source, out=out)
        return result, wrong
