"""Coded distributed multi-task learning (:ref:`dmtl-decomposition`, :ref:`dmtl-scheme`).

K workers, one assisting server, N datasets stored by placement Z (K x N).
Each iteration every dataset n yields a *value* v_n of B field symbols,
computed by each of its holders.  Worker j uploads X_j = U_j V (a linear
function of its own values), the server broadcasts Y = A X, and every worker
decodes every value it lacks.  Values are cut into P sub-values of length
L = ceil(B / P) (zero-padded): V has shape (N P, L), row n P + i is the i-th
sub-value of v_n.

Matrices (over the working field, default GF(2^31 - 1)):

* U, shape (L_u, N P), L_u = sum_j T_j: T_j rows per worker (worker 0 first),
  zero on the sub-columns of datasets the row's owner does not store.
* A, shape (T_d, L_u): the server's combination (Cauchy by default, so every
  square submatrix is invertible: the "MDS downlink").
* D = A U, the end-to-end matrix.  Worker k decodes iff rank(D[:, Unk_k]) = u_k (R1).

``DMTLScheme.design`` solves the cut-set LP for the rates (``dmtl_bounds``),
sets P = lcm of their denominators, T_j = R_j P, T_d = P max_k miss_k, draws U
with random non-zero entries on its support, and verifies (R1) for every
worker, redrawing U (Las Vegas) on failure.  Why it reaches both bounds
(derived here, not from the paper): by Cauchy-Binet every u_k x u_k minor of
A W (W = U restricted to Unk_k) is a sum over row sets J of det A[I, J] det W[J];
the terms are distinct polynomials in U's entries and every Cauchy minor is
non-zero, so the minor is a non-zero polynomial as soon as some det W[J] is,
which Hall's condition gives from the LP constraints.  Random U then succeeds
with probability >= 1 - u_k / (p - 1) per worker (Schwartz-Zippel).
"""
from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.errors import InvalidArgumentError, ShardSizeError, SingularMatrixError
from fastcode.fields import PrimeField
from fastcode.fields.base import Field
from fastcode._util.rng import as_generator
from fastcode.matrices import cauchy_matrix, field_size
from fastcode.schemes.dmtl.linalg import left_inverse, left_null_space, random_nonzero, sub_columns
from fastcode.schemes.dmtl.bounds import Demands, demand_matrix, baseline_loads, dmtl_bounds
from fastcode.schemes.dmtl.placement import as_placement, cyclic_placement
from fastcode.schemes.dmtl.lp import lcm_of_denominators

__all__ = ["DMTLScheme", "DEFAULT_FIELD", "split_values", "merge_values", "gf7_example"]

DEFAULT_FIELD = PrimeField(2**31 - 1)
"""Large prime field: random designs fail with probability ~ degree / p."""


def split_values(values: np.ndarray, P: int) -> np.ndarray:
    """(m, B) values -> (m P, L) sub-values, L = ceil(B / P), zero-padded at the end of each value.

    Row n P + i of the result is the i-th sub-value of value n.

    Parameters
    ----------
    values : (m, B) array
        One value per row (any dtype; the result keeps it).
    P : int
        Sub-values per value, P >= 1.

    Returns
    -------
    (m P, L) array
        The sub-values, L = ceil(B / P).

    Examples
    --------
    >>> from fastcode.schemes.dmtl import merge_values, split_values
    >>> values = np.arange(10).reshape(2, 5)
    >>> sub = split_values(values, 2)
    >>> sub.tolist()
    [[0, 1, 2], [3, 4, 0], [5, 6, 7], [8, 9, 0]]
    >>> merge_values(sub, 2, 5).tolist()
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    """
    m, B = values.shape
    L = -(-B // P) if B else 0
    out = np.zeros((m, P * L), dtype=values.dtype)
    out[:, :B] = values
    return out.reshape(m * P, L)


def merge_values(sub: np.ndarray, P: int, B: int) -> np.ndarray:
    """Inverse of ``split_values``: (m P, L) -> (m, B).

    Parameters
    ----------
    sub : (m P, L) array
        Sub-values, row n P + i the i-th sub-value of value n.
    P : int
        Sub-values per value.
    B : int
        Value length, B <= P L (the padding is dropped).

    Returns
    -------
    (m, B) array
        The values, C-contiguous, of ``sub``'s dtype.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import merge_values
    >>> merge_values(np.array([[1, 2], [3, 0]]), 2, 3).tolist()
    [[1, 2, 3]]
    """
    mP, L = sub.shape
    return np.ascontiguousarray(sub.reshape(mP // P, P * L)[:, :B])


class _WorkerDecoder:
    """Precomputed decoding of one worker: V_want = Q Y - H V_known.

    Q (w P x T_d) projects out the interference (if any) and inverts the rest;
    H = Q D[:, known] removes what the worker already stores.  Applying Q
    first costs w P (T_d + m P) per column instead of T_d m P + w P T_d."""

    __slots__ = ("want", "known", "want_cols", "known_cols", "Q", "H")

    def __init__(self, want, known, want_cols, known_cols, Q, H):
        self.want, self.known = want, known
        self.want_cols, self.known_cols = want_cols, known_cols
        self.Q, self.H = Q, H


class DMTLScheme:
    """One coded-DMTL design: placement Z, subpacketisation P, uplink U, downlink A.

    Use ``DMTLScheme.design`` to build one from a placement.  The constructor
    takes the matrices as given, checks them and precomputes every worker's
    encoder and decoder (``worker_matrices``); it keeps ``Z``, ``K``, ``N``,
    ``P``, ``T``, ``T_d``, ``L_u = sum T``, ``U``, ``A``, ``D = A U`` and the
    demand matrix ``want`` as attributes.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    U : (sum T, N P) array_like of field elements
        The uplink matrix, with the storage zero pattern: worker j's rows (in
        worker order) are zero on the sub-columns of the datasets j does not store.
    A : (T_d, sum T) array_like of field elements
        The server's combination.
    P : int
        Subpacketisation, P >= 1.
    T : sequence of K int
        Uplink rows per worker, T_j >= 0.
    field : Field, optional
        The working field (default ``DEFAULT_FIELD``, GF(2^31 - 1)).
    demands : sequence of K iterables of int, optional
        The sets W_k of wanted datasets (default: every dataset worker k lacks).

    Raises
    ------
    InvalidArgumentError
        Invalid Z, P, T or demands, or U violates the storage zero pattern.
    ShardSizeError
        U or A has the wrong shape.
    FieldTypeError, FieldValueError
        U or A does not hold elements of ``field``.
    SingularMatrixError
        Some worker cannot decode (rank condition R1); the message names it.

    See Also
    --------
    DMTLScheme.design : LP rates and a random verified U for a placement.
    gf7_example : the worked example over GF(7).

    Examples
    --------
    The worked example of :ref:`dmtl-gf7`: K = N = 3, cyclic M = 2, P = 2, sub-value
    columns v_n^a = 2 n, v_n^b = 2 n + 1, X_0 = v_0^a + v_1^b, X_1 = v_1^a + v_2^b,
    X_2 = v_2^a + v_0^b:

    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl import DMTLScheme, cyclic_placement
    >>> U = np.zeros((3, 6), dtype=np.uint32)
    >>> U[0, [0, 3]] = U[1, [2, 5]] = U[2, [4, 1]] = 1
    >>> A = [[1, 1, 1], [1, 2, 3]]
    >>> scheme = DMTLScheme(cyclic_placement(3, 2), U, A, 2, [1, 1, 1], PrimeField(7))
    >>> scheme
    DMTLScheme(K=3, N=3, P=2, T=[1, 1, 1], T_d=2, R_u=3/2, R_d=1, field=PrimeField(7))

    One iteration, values v_0 = (3, 5), v_1 = (6, 1), v_2 = (2, 4) (B = 2):

    >>> V = np.array([[3, 5], [6, 1], [2, 4]], dtype=np.uint32)
    >>> X = [scheme.encode(j, V[scheme.stored(j)]) for j in range(3)]
    >>> [x.tolist() for x in X]
    [[[4]], [[3]], [[0]]]
    >>> Y = scheme.server_combine(X)
    >>> Y.tolist()
    [[0], [3]]
    >>> scheme.wanted(0).tolist(), scheme.decode(0, Y, V[[0, 1]]).tolist()
    ([2], [[2, 4]])

    A U that breaks a worker's decoding is refused:

    >>> DMTLScheme(cyclic_placement(3, 2), U, [[1, 1, 1], [1, 1, 1]], 2, [1, 1, 1], PrimeField(7))
    Traceback (most recent call last):
        ...
    fastcode.errors.SingularMatrixError: worker 0 cannot decode its demand (rank condition R1 fails: ...)
    """

    def __init__(self, Z: ArrayLike, U: ArrayLike, A: ArrayLike, P: int, T: Sequence[int],
                 field: Field = DEFAULT_FIELD, demands: Optional[Demands] = None) -> None:
        self.Z = as_placement(Z)
        self.K, self.N = self.Z.shape
        self.field = field
        if isinstance(P, bool) or not isinstance(P, (int, np.integer)) or P < 1:
            raise InvalidArgumentError(f"P must be an int >= 1, got {P!r}")
        self.P = int(P)
        T = [int(t) for t in T]
        if len(T) != self.K or any(t < 0 for t in T):
            raise InvalidArgumentError(f"T must hold {self.K} non-negative row counts, got {T}")
        self.T = tuple(T)
        self.L_u = sum(T)
        self.offsets = np.concatenate([[0], np.cumsum(T)]).astype(int)
        self.U = np.ascontiguousarray(field.asarray(U, "U"))
        if self.U.shape != (self.L_u, self.N * self.P):
            raise ShardSizeError(f"U must have shape (sum T, N P) = {(self.L_u, self.N * self.P)}, "
                                 f"got {self.U.shape}")
        self.A = np.ascontiguousarray(field.asarray(A, "A"))
        if self.A.ndim != 2 or self.A.shape[1] != self.L_u:
            raise ShardSizeError(f"A must have shape (T_d, {self.L_u}), got {self.A.shape}")
        self.T_d = self.A.shape[0]
        for j in range(self.K):
            missing = sub_columns(np.flatnonzero(~self.Z[j]), self.P)
            if np.any(self.U[self.rows(j)][:, missing]):
                raise InvalidArgumentError(f"U violates the storage zero pattern: worker {j}'s rows "
                                           "use datasets it does not store")
        self.want = demand_matrix(self.Z, demands)
        self.D = field.matmul(self.A, self.U) if self.L_u else field.zeros((self.T_d, self.N * self.P))
        self._enc = [np.ascontiguousarray(self.U[self.rows(j)][:, sub_columns(self.stored(j), self.P)])
                     for j in range(self.K)]
        self._dec: List[_WorkerDecoder] = []
        for k in range(self.K):
            self._dec.append(self._build_decoder(k))
        self._two_stage: Dict[int, Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    # ---- structure ------------------------------------------------------------

    def rows(self, j: int) -> slice:
        """Slice of U's rows (and of X) owned by worker j.

        Parameters
        ----------
        j : int
            Worker index.

        Returns
        -------
        slice
            Rows offsets[j] .. offsets[j+1] - 1 (T_j rows).
        """
        return slice(self.offsets[j], self.offsets[j + 1])

    def stored(self, k: int) -> np.ndarray:
        """Sorted dataset indices M_k stored by worker k.

        Parameters
        ----------
        k : int
            Worker index.

        Returns
        -------
        (m_k,) int array
            M_k in increasing order: the row order of worker k's own values.
        """
        return np.flatnonzero(self.Z[k])

    def worker_matrices(self, k: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(E_k, Q_k, H_k): worker k's encoder on its own sub-values, and its decoder.

        The decoder is V_want = Q_k Y - H_k V_known.  What a runtime ships to
        worker k once.

        Parameters
        ----------
        k : int
            Worker index.

        Returns
        -------
        E_k : (T_k, m_k P) array of field elements
            X_k = E_k V_own (``split_values`` of its values).
        Q_k : (|W_k| P, T_d) array of field elements
            Applied to the broadcast Y.
        H_k : (|W_k| P, m_k P) array of field elements
            Applied to the worker's own sub-values.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> E, Q, H = gf7_example().worker_matrices(0)
        >>> E.shape, Q.shape, H.shape
        ((1, 4), (2, 2), (2, 4))
        """
        d = self._dec[k]
        return self._enc[k], d.Q, d.H

    def wanted(self, k: int) -> np.ndarray:
        """Sorted dataset indices W_k that worker k decodes.

        Parameters
        ----------
        k : int
            Worker index.

        Returns
        -------
        (|W_k|,) int array
            W_k in increasing order: the row order of ``decode``'s result.
        """
        return np.flatnonzero(self.want[k])

    def _build_decoder(self, k):
        f, P = self.field, self.P
        want, known = self.wanted(k), self.stored(k)
        interference = np.flatnonzero(~self.Z[k] & ~self.want[k])
        wc, kc, ic = sub_columns(want, P), sub_columns(known, P), sub_columns(interference, P)
        Dw = np.ascontiguousarray(self.D[:, wc])
        # null the interference first (rows y with y D_I = 0), then invert what is left:
        # rank(D[:, W u I]) - rank(D[:, I]) = |W| P is exactly "this has full column rank"
        Nl = left_null_space(f, np.ascontiguousarray(self.D[:, ic])) if ic.size else None
        G = f.matmul(Nl, Dw) if Nl is not None else Dw
        try:
            Q = left_inverse(f, G)
        except SingularMatrixError as exc:
            raise SingularMatrixError(f"worker {k} cannot decode its demand "
                                      f"(rank condition R1 fails: {exc})") from None
        if Nl is not None:
            Q = f.matmul(Q, Nl)
        H = f.matmul(Q, np.ascontiguousarray(self.D[:, kc]))
        return _WorkerDecoder(want, known, wc, kc, Q, H)

    # ---- design -------------------------------------------------------------------

    @classmethod
    def design(cls, Z: ArrayLike, field: Field = DEFAULT_FIELD,
               rng: Optional[Union[int, np.random.Generator]] = None,
               demands: Optional[Demands] = None,
               rates: Optional[Sequence[Union[int, Fraction]]] = None,
               max_tries: int = 20) -> "DMTLScheme":
        """Design for placement Z: LP rates, P, random zero-pattern U, Cauchy A, (R1) verified.

        P is the lcm of the rates' denominators, T_j = R_j P and T_d = P max_k
        miss_k.  When the field has fewer than T_d + L_u elements, A is drawn
        uniformly at random (non-zero entries) instead of Cauchy.  Every worker's
        rank condition is verified and U redrawn on failure (Las Vegas).

        With a general demand W_k the cut-set LP (restricted to wanted datasets)
        is only a lower bound: interference can make it unreachable, as in index
        coding.  The demand LP's rates are tried first (a few draws); if they
        fail, the design falls back to the rates of the full demand (every worker
        able to decode everything it lacks), which always work.  Compare
        ``loads()`` with ``dmtl_bounds(Z, demands)`` to see which.

        Parameters
        ----------
        Z : (K, N) array_like of 0/1 or bool
            The placement.
        field : Field, optional
            The working field (default ``DEFAULT_FIELD``, GF(2^31 - 1)).
        rng : int, numpy.random.Generator or None, optional
            Seed or generator of U (and of A when it is random).
        demands : sequence of K iterables of int, optional
            The sets W_k of wanted datasets (default: every dataset worker k lacks).
        rates : sequence of K rationals, optional
            Non-negative rates to use instead of the balanced LP optimum (they
            must satisfy the cut-set constraints for decoding to succeed).
        max_tries : int, optional
            Draws before giving up (default 20).

        Returns
        -------
        DMTLScheme
            A design in which every worker decodes.

        Raises
        ------
        InvalidArgumentError
            Invalid Z or demands, or ``rates`` not K non-negative values.
        SingularMatrixError
            ``max_tries`` draws all failed (small fields, or rates below the bound).
        LPError
            The LP optimum could not be recovered exactly.

        Examples
        --------
        The cyclic placement K = 4, M = 2 meets both bounds, R_u = 8/3, R_d = 2:

        >>> from fastcode.schemes.dmtl import DEFAULT_FIELD, DMTLScheme, cyclic_placement
        >>> scheme = DMTLScheme.design(cyclic_placement(4, 2), rng=0)
        >>> scheme
        DMTLScheme(K=4, N=4, P=3, T=[2, 2, 2, 2], T_d=6, R_u=8/3, R_d=2, field=PrimeField(2147483647))
        >>> V = DEFAULT_FIELD.random((4, 6), np.random.default_rng(1))    # N values, B = 6
        >>> X, Y, decoded = scheme.run_iteration(V)
        >>> [x.shape for x in X], Y.shape
        ([(2, 2), (2, 2), (2, 2), (2, 2)], (6, 2))
        >>> all(np.array_equal(decoded[k], V[scheme.wanted(k)]) for k in range(4))
        True

        A small field works too (A is then random; U may take a few draws):

        >>> from fastcode.fields import PrimeField
        >>> DMTLScheme.design(cyclic_placement(4, 2), field=PrimeField(7), rng=0).loads()
        (Fraction(8, 3), Fraction(2, 1))
        """
        Z = as_placement(Z)
        rng = as_generator(rng)
        if demands is not None and rates is None:
            b = dmtl_bounds(Z, demands)
            try:
                return cls._draw(Z, field, rng, demands, list(b.lp_rates), b.downlink, min(3, max_tries))
            except SingularMatrixError:
                pass   # interference: use the full-demand rates below
        bounds = dmtl_bounds(Z)
        rates = list(bounds.lp_rates) if rates is None else [Fraction(r) for r in rates]
        return cls._draw(Z, field, rng, demands, rates, bounds.downlink, max_tries)

    @classmethod
    def _draw(cls, Z, field, rng, demands, rates, downlink, max_tries):
        """Random U (and A unless Cauchy fits the field) until every worker decodes."""
        if len(rates) != Z.shape[0] or any(r < 0 for r in rates):
            raise InvalidArgumentError(f"rates must hold {Z.shape[0]} non-negative values, got {rates}")
        P = lcm_of_denominators(rates)
        T = [int(r * P) for r in rates]
        T_d = P * downlink
        L_u = sum(T)
        size = field_size(field)
        cauchy_ok = size is None or T_d + L_u <= size
        if cauchy_ok and T_d and L_u:
            A = cauchy_matrix(np.arange(T_d), np.arange(T_d, T_d + L_u), field)
        else:
            A = None
        last = None
        for _ in range(max_tries):
            A_try = A if A is not None else (random_nonzero(field, (T_d, L_u), rng) if T_d and L_u
                                             else field.zeros((T_d, L_u)))
            U = field.zeros((L_u, Z.shape[1] * P))
            off = 0
            for j in range(Z.shape[0]):
                cols = sub_columns(np.flatnonzero(Z[j]), P)
                U[off:off + T[j], cols] = random_nonzero(field, (T[j], cols.size), rng)
                off += T[j]
            try:
                return cls(Z, U, A_try, P, T, field, demands)
            except SingularMatrixError as exc:   # Las Vegas: redraw
                last = exc
        raise SingularMatrixError(f"no decodable design in {max_tries} draws over {field}: {last}")

    # ---- per iteration ----------------------------------------------------------------

    def _own(self, k, own_values, name="own_values"):
        own = self.field.asarray(own_values, name)
        m = self.Z[k].sum()
        if own.ndim != 2 or own.shape[0] != m:
            raise ShardSizeError(f"{name} of worker {k} must have shape (m_k={m}, B), got {own.shape}")
        return own

    def encode(self, j: int, own_values: ArrayLike) -> np.ndarray:
        """Worker j's uplink X_j, shape (T_j, L), from its values (m_j, B) in the order of ``stored(j)``.

        Parameters
        ----------
        j : int
            Worker index.
        own_values : (m_j, B) array_like of field elements
            Worker j's values, rows in the order of ``stored(j)``.

        Returns
        -------
        (T_j, L) array of field elements
            X_j = U_j V, L = ceil(B / P).

        Raises
        ------
        ShardSizeError
            ``own_values`` is not of shape (m_j, B).
        FieldTypeError, FieldValueError
            ``own_values`` does not hold elements of the field.
        """
        own = self._own(j, own_values)
        return self.field.matmul(self._enc[j], split_values(own, self.P))

    def server_combine(self, X: ArrayLike) -> np.ndarray:
        """Y = A X, shape (T_d, L): the server's broadcast.

        Parameters
        ----------
        X : list of K (T_j, L) arrays, or one (L_u, L) array
            The uplinks, in worker order (or already stacked).

        Returns
        -------
        (T_d, L) array of field elements
            Y = A X.

        Raises
        ------
        ShardSizeError
            Not K uplinks, or one with the wrong number of rows.
        FieldTypeError, FieldValueError
            An uplink does not hold elements of the field.
        """
        if isinstance(X, (list, tuple)):
            if len(X) != self.K:
                raise ShardSizeError(f"X must hold {self.K} uplinks, got {len(X)}")
            for j, x in enumerate(X):
                if np.shape(x)[0] != self.T[j]:
                    raise ShardSizeError(f"X[{j}] must have {self.T[j]} rows, got shape {np.shape(x)}")
            X = np.concatenate([self.field.asarray(x, f"X[{j}]") for j, x in enumerate(X)], axis=0)
        X = self.field.asarray(X, "X")
        if X.ndim != 2 or X.shape[0] != self.L_u:
            raise ShardSizeError(f"X must have shape ({self.L_u}, L), got {X.shape}")
        return self.field.matmul(self.A, X)

    def decode(self, k: int, Y: ArrayLike, own_values: ArrayLike) -> np.ndarray:
        """Worker k's missing values (|W_k|, B), in the order of ``wanted(k)``, from Y (T_d, L).

        V_want = Q_k Y - H_k V_known (see ``worker_matrices``).

        Parameters
        ----------
        k : int
            Worker index.
        Y : (T_d, L) array_like of field elements
            The broadcast, L = ceil(B / P).
        own_values : (m_k, B) array_like of field elements
            Worker k's values, rows in the order of ``stored(k)``.

        Returns
        -------
        (|W_k|, B) array of field elements
            The values worker k wants.

        Raises
        ------
        ShardSizeError
            ``own_values`` or ``Y`` has the wrong shape.
        FieldTypeError, FieldValueError
            An input does not hold elements of the field.
        """
        f, d = self.field, self._dec[k]
        own = self._own(k, own_values)
        Y = self._check_y(Y, own.shape[1])
        V_known = split_values(own, self.P)
        V = f.sub(f.matmul(d.Q, Y), f.matmul(d.H, V_known))
        return merge_values(V, self.P, own.shape[1])

    def _check_y(self, Y, B):
        Y = self.field.asarray(Y, "Y")
        L = -(-B // self.P) if B else 0
        if Y.shape != (self.T_d, L):
            raise ShardSizeError(f"Y must have shape (T_d, L) = {(self.T_d, L)}, got {Y.shape}")
        return Y

    # ---- two-stage decoding (symmetric case) -------------------------------------------

    def supports_two_stage(self, k: int) -> bool:
        """Whether worker k can use ``decode_two_stage``.

        True when sum_{j != k} T_j = T_d = u_k and worker k wants all it lacks:
        then A[:, not k] and U[not k, Unk_k] are square (and invertible by R1).

        Parameters
        ----------
        k : int
            Worker index.

        Returns
        -------
        bool
            True if the two square systems exist.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> gf7_example().supports_two_stage(0)
        True
        """
        others = self.L_u - self.T[k]
        u_k = int((~self.Z[k]).sum()) * self.P
        return (others == self.T_d == u_k and bool(np.all(self.want[k] == ~self.Z[k])))

    def _two_stage_matrices(self, k):
        if k not in self._two_stage:
            if not self.supports_two_stage(k):
                raise InvalidArgumentError(f"two-stage decoding needs sum_(j != k) T_j = T_d = u_k; "
                                           f"worker {k} has {self.L_u - self.T[k]}, {self.T_d}, "
                                           f"{int((~self.Z[k]).sum()) * self.P}")
            f = self.field
            not_k = np.r_[0:self.offsets[k], self.offsets[k + 1]:self.L_u]
            d = self._dec[k]
            U_other = self.U[not_k]
            self._two_stage[k] = (
                f.inv_matrix(np.ascontiguousarray(self.A[:, not_k])),          # stage (a)
                np.ascontiguousarray(self.A[:, self.rows(k)]),
                f.inv_matrix(np.ascontiguousarray(U_other[:, d.want_cols])),   # stage (b)
                np.ascontiguousarray(U_other[:, d.known_cols]),
            )
        return self._two_stage[k]

    def decode_two_stage(self, k: int, Y: ArrayLike, own_values: ArrayLike) -> np.ndarray:
        """Same result as ``decode`` by two stages.

        Stage (a) recovers the other workers' uplinks X_{-k} = A[:, not k]^{-1} (Y - A[:, k] X_k);
        stage (b) strips their known parts and solves the square system
        U[not k, Unk_k] V_unk = rhs.  The two inverses are computed once per worker and cached.

        Parameters
        ----------
        k : int
            Worker index; ``supports_two_stage(k)`` must hold.
        Y : (T_d, L) array_like of field elements
            The broadcast.
        own_values : (m_k, B) array_like of field elements
            Worker k's values, rows in the order of ``stored(k)``.

        Returns
        -------
        (|W_k|, B) array of field elements
            The values worker k lacks, in the order of ``wanted(k)``.

        Raises
        ------
        InvalidArgumentError
            ``supports_two_stage(k)`` is False.
        ShardSizeError
            ``own_values`` or ``Y`` has the wrong shape.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> scheme = gf7_example()
        >>> V = np.array([[3, 5], [6, 1], [2, 4]], dtype=np.uint32)
        >>> X, Y, decoded = scheme.run_iteration(V)
        >>> scheme.decode_two_stage(1, Y, V[scheme.stored(1)]).tolist(), decoded[1].tolist()
        ([[3, 5]], [[3, 5]])
        """
        f = self.field
        own = self._own(k, own_values)
        Y = self._check_y(Y, own.shape[1])
        A_inv, A_k, U_inv, U_known = self._two_stage_matrices(k)
        V_known = split_values(own, self.P)
        X_k = f.matmul(self._enc[k], V_known)
        X_other = f.matmul(A_inv, f.sub(Y, f.matmul(A_k, X_k)))
        V = f.matmul(U_inv, f.sub(X_other, f.matmul(U_known, V_known)))
        return merge_values(V, self.P, own.shape[1])

    # ---- one whole iteration (tests, demos) ----------------------------------------------

    def run_iteration(self, values: ArrayLike,
                      two_stage: bool = False) -> Tuple[List[np.ndarray], np.ndarray, List[np.ndarray]]:
        """Encode, combine and decode one iteration of all values (N, B).

        Parameters
        ----------
        values : (N, B) array_like of field elements
            Every dataset's value v_n.
        two_stage : bool, optional
            Decode with ``decode_two_stage`` instead of ``decode``.

        Returns
        -------
        X : list of K (T_j, L) arrays
            The uplinks.
        Y : (T_d, L) array
            The broadcast.
        decoded : list of K arrays
            decoded[k] is the (|W_k|, B) array of worker k.

        Raises
        ------
        ShardSizeError
            ``values`` is not of shape (N, B).
        InvalidArgumentError
            ``two_stage`` and some worker does not support it.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> V = np.array([[3, 5], [6, 1], [2, 4]], dtype=np.uint32)
        >>> X, Y, decoded = gf7_example().run_iteration(V, two_stage=True)
        >>> [d.tolist() for d in decoded]                  # v_2, v_0, v_1
        [[[2, 4]], [[3, 5]], [[6, 1]]]
        """
        values = self.field.asarray(values, "values")
        if values.ndim != 2 or values.shape[0] != self.N:
            raise ShardSizeError(f"values must have shape (N={self.N}, B), got {values.shape}")
        X = [self.encode(j, values[self.stored(j)]) for j in range(self.K)]
        Y = self.server_combine(X)
        dec = self.decode_two_stage if two_stage else self.decode
        return X, Y, [dec(k, Y, values[self.stored(k)]) for k in range(self.K)]

    # ---- loads ---------------------------------------------------------------------------

    def loads(self) -> Tuple[Fraction, Fraction]:
        """(R_u, R_d) achieved, normalised by B: (sum_j T_j / P, T_d / P) as Fractions.

        Returns
        -------
        R_u : Fraction
            Uplink load.
        R_d : Fraction
            Downlink load.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> [str(r) for r in gf7_example().loads()]
        ['3/2', '1']
        """
        return Fraction(self.L_u, self.P), Fraction(self.T_d, self.P)

    def worker_uplink_loads(self) -> List[Fraction]:
        """R_j = T_j / P for every worker (Fractions).

        Returns
        -------
        list of K Fraction
            Each worker's uplink load, normalised by B.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> [str(r) for r in gf7_example().worker_uplink_loads()]
        ['1/2', '1/2', '1/2']
        """
        return [Fraction(t, self.P) for t in self.T]

    def baselines(self) -> Dict[str, Tuple[Fraction, Fraction]]:
        """{"uncoded": (R_u, R_d), "server_mds": (R_u, R_d)} for this placement.

        Returns
        -------
        dict
            ``baseline_loads(Z)``: (R_u, R_d) as Fractions per baseline.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import gf7_example
        >>> scheme = gf7_example()
        >>> sum(scheme.loads()), sum(scheme.baselines()["server_mds"]), sum(scheme.baselines()["uncoded"])
        (Fraction(5, 2), Fraction(4, 1), Fraction(6, 1))
        """
        return baseline_loads(self.Z)

    def __repr__(self) -> str:
        R_u, R_d = self.loads()
        return (f"DMTLScheme(K={self.K}, N={self.N}, P={self.P}, T={list(self.T)}, T_d={self.T_d}, "
                f"R_u={R_u}, R_d={R_d}, field={self.field})")


def gf7_example() -> DMTLScheme:
    """The worked example of :ref:`dmtl-gf7` over GF(7): K = N = 3, cyclic M = 2, P = 2.

    X_0 = v_0^a + v_1^b, X_1 = v_1^a + v_2^b, X_2 = v_2^a + v_0^b; A = [[1, 1, 1], [1, 2, 3]].
    Sub-value columns: v_n^a = 2 n, v_n^b = 2 n + 1.

    Returns
    -------
    DMTLScheme
        The design, R_u = 3/2 and R_d = 1 (both bounds).

    Examples
    --------
    >>> from fastcode.schemes.dmtl import gf7_example
    >>> scheme = gf7_example()
    >>> scheme.U.tolist()
    [[1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 1], [0, 1, 0, 0, 1, 0]]
    >>> V = np.array([[3, 5], [6, 1], [2, 4]], dtype=np.uint32)   # v_0, v_1, v_2
    >>> X, Y, decoded = scheme.run_iteration(V)
    >>> [int(x[0, 0]) for x in X], Y.ravel().tolist()
    ([4, 3, 0], [0, 3])
    >>> [d.tolist() for d in decoded]
    [[[2, 4]], [[3, 5]], [[6, 1]]]
    """
    F7 = PrimeField(7)
    U = np.zeros((3, 6), dtype=np.uint32)
    U[0, [0, 3]] = 1     # v_0^a + v_1^b
    U[1, [2, 5]] = 1     # v_1^a + v_2^b
    U[2, [4, 1]] = 1     # v_2^a + v_0^b
    A = np.array([[1, 1, 1], [1, 2, 3]], dtype=np.uint32)
    return DMTLScheme(cyclic_placement(3, 2), U, A, 2, [1, 1, 1], F7)
