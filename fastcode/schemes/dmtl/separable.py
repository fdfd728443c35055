"""Distributed linearly separable computation (:ref:`dmtl-separable`).

**Notation: N workers, K datasets** (swapped w.r.t. DMTL).
Dataset k yields a message W_k in F^B; the master wants F W, i.e. K_c linear
combinations (F of shape (K_c, K)), from *any* N_r responding workers.

``SeparableComputation`` is the cyclic K = N scheme: worker n holds datasets
{n, ..., n + N - N_r} mod N (M = N - N_r + 1 each) and sends t = K_c' P / N_r
coded sub-messages, K_c' = max(N_r, K_c); the communication cost is
N_r t / P = max(N_r, K_c) (normalised by B).

* K_c <= N_r (P = 1, t = 1): F' = [F; G] with G random virtual demands; worker
  n's coefficient y_n spans the left null space of F'[:, Z_n] (Z_n: the N_r - 1
  datasets it lacks) and it sends y_n^T F' W, which only involves its own data.
* K_c > N_r: P = N_r / gcd(N_r, K_c); worker n sends t random vectors of the row
  space of F (x) I_P that vanish on its (N_r - 1) P missing sub-columns.

From responders S the master inverts C_S (the stacked coefficient rows,
K_c' P x K_c' P, cached per pattern) and keeps the first K_c P rows.

**Heterogeneous extension, DMTL notation: K workers, N datasets,**
no stragglers: ``separable_bounds`` (cut-set LP with min(K_c, |E_S|)) and
``heterogeneous_separable_design`` (the capped LP and subspace construction).
"""
import itertools
import math
from fractions import Fraction
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.errors import (
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
    SingularMatrixError,
)
from fastcode._util.rng import as_generator
from fastcode.fields.base import Field
from fastcode.schemes.dmtl.linalg import left_inverse, left_null_space, sub_columns
from fastcode.schemes.dmtl.scheme import DEFAULT_FIELD, merge_values, split_values
from fastcode.schemes.dmtl.placement import as_placement
from fastcode.errors import LPError
from fastcode.schemes.dmtl.lp import lcm_of_denominators, solve_covering_lp

__all__ = [
    "cyclic_separable_assignment",
    "SeparableComputation",
    "separable_bounds",
    "capped_separable_lp",
    "heterogeneous_separable_design",
    "HeterogeneousSeparable",
    "kron_identity",
]

VERIFY_MAX_PATTERNS = 5000
"""Check every N_r-subset at construction when there are at most this many."""


def cyclic_separable_assignment(N: int, N_r: int, K: Optional[int] = None) -> np.ndarray:
    """Cyclic assignment, N workers x K datasets (bool matrix, shape (N, K)).

    K = N (default): worker n holds {n, ..., n + N - N_r} mod N.  N | K: the K
    datasets form N groups of K/N consecutive datasets, assigned cyclically the
    same way.

    Parameters
    ----------
    N : int
        Workers, N >= 1.
    N_r : int
        Responders the master waits for, 1 <= N_r <= N.
    K : int, optional
        Datasets, a multiple of N (default N).

    Returns
    -------
    (N, K) bool array
        ``Z[n, k]`` is True iff worker n holds dataset k.

    Raises
    ------
    InvalidArgumentError
        N, N_r or K not a positive integer, N_r > N, or N does not divide K.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_separable_assignment
    >>> cyclic_separable_assignment(4, 2).astype(int).tolist()
    [[1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1]]
    >>> cyclic_separable_assignment(3, 2, K=6).astype(int).tolist()
    [[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1]]
    """
    N = integer(N, "N", 1)
    N_r = integer(N_r, "N_r", 1)
    if N_r > N:
        raise InvalidArgumentError(f"N_r must be <= N, got N_r={N_r} > N={N}")
    K = N if K is None else integer(K, "K", 1)
    if K % N:
        raise InvalidArgumentError(f"K must be a multiple of N, got K={K}, N={N}")
    g = K // N
    Z = np.zeros((N, K), dtype=bool)
    for n in range(N):
        for i in range(N - N_r + 1):
            q = (n + i) % N
            Z[n, q * g:(q + 1) * g] = True
    return Z


def kron_identity(field: Field, F: ArrayLike, P: int) -> np.ndarray:
    """F (x) I_P: row c P + i, column k P + i holds F[c, k] (shape (rows P, cols P)).

    Parameters
    ----------
    field : Field
        The field of F's entries.
    F : (rows, cols) array_like of field elements
        The matrix.
    P : int
        Size of the identity.

    Returns
    -------
    (rows P, cols P) array of field elements
        The Kronecker product, zero elsewhere.

    Raises
    ------
    FieldTypeError, FieldValueError
        F does not hold elements of ``field``.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl import kron_identity
    >>> kron_identity(PrimeField(7), [[1, 2]], 2).tolist()
    [[1, 0, 2, 0], [0, 1, 0, 2]]
    """
    F = field.asarray(F, "F")
    out = field.zeros((F.shape[0] * P, F.shape[1] * P))
    for i in range(P):
        out[i::P, i::P] = F
    return out


class SeparableComputation:
    """Cyclic K = N linearly separable computation, decodable from any N_r workers.

    Messages W_k have B symbols; sub-messages have L = ceil(B / P).  Worker n
    holds M = N - N_r + 1 datasets (``cyclic_separable_assignment``) and sends
    t coded sub-messages; P = 1, t = 1 when K_c <= N_r, else
    P = N_r / gcd(N_r, K_c) and t = K_c P / N_r.

    The design is random (Las Vegas): each try draws G and the coefficients
    (and F too when it is not given, since a random demand is then part of the
    design) and checks every N_r-subset (when there are at most
    ``VERIFY_MAX_PATTERNS``); a try fails with probability about (degree)/p, so
    small primes take more tries.

    Parameters
    ----------
    N : int
        Workers (= datasets K), N >= 1.
    N_r : int
        Responders needed, 1 <= N_r <= N.
    K_c : int
        Linear combinations the master wants, K_c >= 1.
    F : (K_c, N) array_like of field elements, optional
        The demand matrix over ``field`` (default uniform random from rng).
    field : Field, optional
        The working field (default ``DEFAULT_FIELD``, GF(2^31 - 1)).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator of the random choices.
    G : (N_r - K_c, N) array_like of field elements, optional
        Virtual demands for K_c < N_r (default random).
    max_tries : int, optional
        Draws before giving up (default 20).

    Raises
    ------
    InvalidArgumentError
        N, N_r or K_c not a positive integer, or N_r > N.
    ShardSizeError
        F or G has the wrong shape.
    FieldTypeError, FieldValueError
        F or G does not hold elements of ``field``.
    SingularMatrixError
        None of ``max_tries`` draws makes every checked pattern decodable (for
        a given F, e.g. one with a singular minor, maybe none can).

    Examples
    --------
    N = 4 workers, any N_r = 2 of them, K_c = 1 combination: cost max(N_r, K_c) = 2.

    >>> from fastcode.schemes.dmtl import SeparableComputation
    >>> sc = SeparableComputation(4, 2, 1, rng=0)
    >>> sc.M, sc.P, sc.t, sc.communication_cost()
    (3, 1, 1, Fraction(2, 1))
    >>> W = sc.field.random((4, 5), np.random.default_rng(1))     # messages, B = 5
    >>> answers = {n: sc.encode(n, W[sc.datasets(n)]) for n in (3, 1)}   # arrival order
    >>> np.array_equal(sc.decode(answers, B=5), sc.field.matmul(sc.F, W))
    True

    K_c = 3 > N_r = 2 subpacketises, P = 2, and each worker sends t = 3 sub-messages:

    >>> sc = SeparableComputation(4, 2, 3, rng=0)
    >>> sc.P, sc.t, sc.communication_cost()
    (2, 3, Fraction(3, 1))
    >>> W = sc.field.random((4, 5), np.random.default_rng(2))
    >>> results = [sc.encode(n, W[sc.datasets(n)]) for n in (0, 2)]
    >>> [r.shape for r in results]
    [(3, 3), (3, 3)]
    >>> np.array_equal(sc.decode(results, [0, 2], B=5), sc.field.matmul(sc.F, W))
    True
    """

    def __init__(self, N: int, N_r: int, K_c: int, F: Optional[ArrayLike] = None,
                 field: Field = DEFAULT_FIELD, rng: Optional[Union[int, np.random.Generator]] = None,
                 G: Optional[ArrayLike] = None, max_tries: int = 20) -> None:
        self.N = integer(N, "N", 1)
        self.N_r = integer(N_r, "N_r", 1)
        self.K_c = integer(K_c, "K_c", 1)
        if self.N_r > self.N:
            raise InvalidArgumentError(f"N_r must be <= N, got N_r={N_r} > N={N}")
        self.K = self.N
        self.field = field
        rng = as_generator(rng)
        self.Z = cyclic_separable_assignment(self.N, self.N_r)
        self.M = self.N - self.N_r + 1
        own_demand = F is None
        demand = field.random((self.K_c, self.K), rng) if F is None else F
        self.F = np.ascontiguousarray(field.asarray(demand, "F"))
        if self.F.shape != (self.K_c, self.K):
            raise ShardSizeError(f"F must have shape (K_c, K) = {(self.K_c, self.K)}, got {self.F.shape}")
        self.K_eff = max(self.N_r, self.K_c)               # rows of F' (with virtual demands)
        if self.K_c <= self.N_r:
            self.P, self.t = 1, 1
        else:
            self.P = self.N_r // math.gcd(self.N_r, self.K_c)
            self.t = self.K_c * self.P // self.N_r
        if G is not None:
            G = field.asarray(G, "G")
            if G.shape != (self.K_eff - self.K_c, self.K):
                raise ShardSizeError(f"G must have shape {(self.K_eff - self.K_c, self.K)}, got {G.shape}")
        self._cache: Dict[Tuple[int, ...], np.ndarray] = {}
        last = None
        for attempt in range(max_tries):
            if own_demand and attempt:
                self.F = field.random((self.K_c, self.K), rng)
            try:
                self._draw(G, rng)
                self._verify()
                return
            except SingularMatrixError as exc:
                last = exc
                self._cache.clear()
        raise SingularMatrixError(f"no decodable draw in {max_tries} tries over {field}: {last} "
                                  "(a larger field makes each draw likelier to decode)")

    def _draw(self, G, rng):
        f, P = self.field, self.P
        Fp = self.F
        if self.K_eff > self.K_c:
            Gm = G if G is not None else f.random((self.K_eff - self.K_c, self.K), rng)
            Fp = np.concatenate([self.F, Gm], axis=0)
        self.F_prime = Fp
        FP = kron_identity(f, Fp, P)                     # (K_eff P, K P)
        self.coeffs, self.encoders = [], []
        for n in range(self.N):
            missing = sub_columns(np.flatnonzero(~self.Z[n]), P)
            null = left_null_space(f, np.ascontiguousarray(FP[:, missing]))   # rows y: y FP[:, miss] = 0
            if null.shape[0] < self.t:
                raise SingularMatrixError(f"worker {n}: vanishing subspace has dimension "
                                          f"{null.shape[0]} < {self.t}")
            if null.shape[0] == self.t:
                c = null
            else:                                       # random vectors of that subspace
                c = f.matmul(f.random((self.t, null.shape[0]), rng), null)
            E = f.matmul(c, FP)
            assert not np.any(E[:, missing])            # uses only the worker's own data
            self.coeffs.append(c)
            self.encoders.append(np.ascontiguousarray(E[:, sub_columns(np.flatnonzero(self.Z[n]), P)]))

    def _verify(self):
        if math.comb(self.N, self.N_r) <= VERIFY_MAX_PATTERNS:
            for S in itertools.combinations(range(self.N), self.N_r):
                self._decoder(S)

    def _decoder(self, S):
        key = tuple(sorted(S))
        dec = self._cache.get(key)
        if dec is None:
            C = np.concatenate([self.coeffs[n] for n in key], axis=0)   # (K_eff P, K_eff P)
            try:
                inv = self.field.inv_matrix(C)
            except SingularMatrixError:
                raise SingularMatrixError(f"responders {list(key)} cannot decode") from None
            dec = self._cache[key] = np.ascontiguousarray(inv[:self.K_c * self.P])
        return key, dec

    # ---- protocol ---------------------------------------------------------------

    def datasets(self, n: int) -> np.ndarray:
        """Sorted dataset indices held by worker n.

        Parameters
        ----------
        n : int
            Worker index.

        Returns
        -------
        (M,) int array
            The datasets, in the row order ``encode`` expects.
        """
        return np.flatnonzero(self.Z[n])

    def encode(self, n: int, messages: ArrayLike) -> np.ndarray:
        """Worker n's answer (t, L) from its messages (M, B) in the order of ``datasets(n)``.

        Parameters
        ----------
        n : int
            Worker index.
        messages : (M, B) array_like of field elements
            The messages W_k of the datasets worker n holds.

        Returns
        -------
        (t, L) array of field elements
            The coded sub-messages, L = ceil(B / P).

        Raises
        ------
        ShardSizeError
            ``messages`` is not of shape (M, B).
        FieldTypeError, FieldValueError
            ``messages`` does not hold elements of the field.
        """
        msg = self.field.asarray(messages, "messages")
        if msg.ndim != 2 or msg.shape[0] != self.M:
            raise ShardSizeError(f"messages of worker {n} must have shape (M={self.M}, B), got {msg.shape}")
        return self.field.matmul(self.encoders[n], split_values(msg, self.P))

    def decode(self, results: Union[Dict[int, ArrayLike], Sequence[ArrayLike]],
               responders: Optional[Sequence[int]] = None, B: Optional[int] = None) -> np.ndarray:
        """F W (K_c, B) from the answers of any N_r workers.

        The first N_r distinct responders are used; the inverse for that pattern
        is cached.

        Parameters
        ----------
        results : dict int -> (t, L) array, or list of (t, L) arrays
            A dict worker -> answer (responders default to its keys in insertion
            order, i.e. arrival order), or a list aligned with ``responders``.
        responders : sequence of int, optional
            The workers that answered (required with a list).
        B : int, optional
            Message length (default P L).

        Returns
        -------
        (K_c, B) array of field elements
            F W.

        Raises
        ------
        ShardSizeError
            A list of results without responders of the same length, or an
            answer without t rows.
        NotEnoughShardsError
            Fewer than N_r distinct responders.
        InvalidArgumentError
            A responder outside 0..N-1.
        """
        if isinstance(results, dict):
            responders = list(results) if responders is None else list(responders)
            answers = {n: results[n] for n in responders}
        else:
            if responders is None or len(responders) != len(results):
                raise ShardSizeError("a list of results needs responders of the same length")
            answers = dict(zip(responders, results))
        responders = [int(n) for n in responders]
        if len(set(responders)) < self.N_r:
            raise NotEnoughShardsError(f"need answers from N_r={self.N_r} distinct workers, "
                                       f"got {sorted(set(responders))}")
        if any(not 0 <= n < self.N for n in responders):
            raise InvalidArgumentError(f"responders must be in 0..{self.N - 1}, got {responders}")
        use = list(dict.fromkeys(responders))[:self.N_r]
        key, dec = self._decoder(use)
        stacked = np.concatenate([self.field.asarray(answers[n], f"results[{n}]") for n in key], axis=0)
        if stacked.shape[0] != self.N_r * self.t:
            raise ShardSizeError(f"each answer must have t={self.t} rows")
        out = self.field.matmul(dec, stacked)
        return merge_values(out, self.P, self.P * out.shape[1] if B is None else B)

    def communication_cost(self) -> Fraction:
        """Symbols downloaded from N_r workers / B = N_r t / P = max(N_r, K_c).

        Returns
        -------
        Fraction
            The communication cost, normalised by B.
        """
        return Fraction(self.N_r * self.t, self.P)

    def can_decode(self, responders: Iterable[int]) -> bool:
        """True once N_r distinct workers have answered.

        Parameters
        ----------
        responders : iterable of int
            The workers that answered so far.

        Returns
        -------
        bool
            Whether ``decode`` can run.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import SeparableComputation
        >>> sc = SeparableComputation(4, 2, 1, rng=0)
        >>> sc.can_decode([0, 0]), sc.can_decode([0, 3])
        (False, True)
        """
        return len(set(responders)) >= self.N_r


# ---- heterogeneous extension (DMTL notation: K workers, N datasets) ---------------------

def _separable_constraints(Z, K_c):
    """(S, min(K_c, |E_S|)) for closed non-empty S, including S = all workers."""
    K, N = Z.shape
    masks = [sum(1 << int(k) for k in np.flatnonzero(col)) for col in Z.T]
    full = (1 << K) - 1
    out = []
    if K > 20:
        raise InvalidArgumentError(f"separable_bounds enumerates 2^K subsets; K={K} > 20")
    for S in range(1, full + 1):
        E = [n for n, h in enumerate(masks) if h & ~S == 0]
        if not E:
            continue
        closure = 0
        for n in E:
            closure |= masks[n]
        if closure != S and S != full:
            continue
        out.append((tuple(j for j in range(K) if S >> j & 1), min(K_c, len(E))))
    return out


def separable_bounds(Z: ArrayLike, K_c: int) -> Tuple[Fraction, List[Fraction]]:
    """Cut-set LP for the heterogeneous separable computation: (value, rates).

    sum_{j in S} R_j >= min(K_c, |E_S|) for every non-empty S (S = all gives
    sum >= K_c); min(K_c, |E_S|) is the rank of F[:, E_S] for generic F.
    DMTL notation: K workers, N datasets, no stragglers.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    K_c : int
        Linear combinations the master wants, K_c >= 1.

    Returns
    -------
    value : Fraction
        The LP value: a lower bound on the total uplink, normalised by B.
    rates : list of K Fraction
        A balanced optimal rate vector.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement, K_c < 1, or K > 20 (all 2^K sets are enumerated).
    LPError
        The LP optimum could not be recovered exactly.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import placement_from_sets, separable_bounds
    >>> Z = placement_from_sets([[0, 1, 2, 3], [1, 2], [3, 4], [0, 2, 4]])
    >>> [str(separable_bounds(Z, K_c)[0]) for K_c in range(1, 6)]
    ['2', '5/2', '3', '4', '5']
    """
    Z = as_placement(Z)
    K_c = integer(K_c, "K_c", 1)
    cons = _separable_constraints(Z, K_c)
    return solve_covering_lp(Z.shape[0], [c[0] for c in cons], [c[1] for c in cons])


def capped_separable_lp(Z: ArrayLike, K_c: int) -> Tuple[Fraction, List[Fraction]]:
    """The same LP with the caps R_j <= max(0, K_c - (N - m_j)) of the construction.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    K_c : int
        Linear combinations the master wants, K_c >= 1.

    Returns
    -------
    value : Fraction
        The capped LP value (the construction's total uplink), normalised by B.
    rates : list of K Fraction
        A balanced optimal rate vector within the caps.

    Raises
    ------
    LPError
        The capped LP is infeasible (the construction cannot be used, e.g.
        K_c = 1 with every worker missing a dataset).
    InvalidArgumentError
        Z is not a valid placement, K_c < 1, or K > 20.

    Examples
    --------
    The construction meets the cut-set bound for K_c >= 3 here, and does not
    exist for K_c = 1:

    >>> from fastcode.schemes.dmtl import capped_separable_lp, placement_from_sets
    >>> Z = placement_from_sets([[0, 1, 2, 3], [1, 2], [3, 4], [0, 2, 4]])
    >>> [str(capped_separable_lp(Z, K_c)[0]) for K_c in (3, 4, 5)]
    ['3', '4', '5']
    >>> capped_separable_lp(Z, 1)
    Traceback (most recent call last):
        ...
    fastcode.errors.LPError: cut-set LP has no solution (...)
    """
    Z = as_placement(Z)
    K_c = integer(K_c, "K_c", 1)
    N = Z.shape[1]
    caps = [max(0, K_c - (N - int(m))) for m in Z.sum(axis=1)]
    cons = _separable_constraints(Z, K_c)
    return solve_covering_lp(Z.shape[0], [c[0] for c in cons], [c[1] for c in cons], upper=caps)


class HeterogeneousSeparable:
    """The capped construction of the heterogeneous separable computation.

    U (L_u, N P) has worker j's T_j rows in rowspace(F (x) I_P) and zero on its
    missing sub-columns; A (K_c P, L_u) has A U = F (x) I_P, so the master gets
    F V from every worker's uplink.  Built by ``heterogeneous_separable_design``;
    it keeps its arguments as attributes, with ``rates`` (T_j / P, Fractions)
    and ``meets_bound`` (whether sum rates equals ``bound``).

    Parameters
    ----------
    Z : (K, N) bool array
        The placement (DMTL notation: K workers, N datasets).
    F : (K_c, N) array of field elements
        The demand.
    field : Field
        The working field.
    P : int
        Subpacketisation.
    T : sequence of K int
        Uplink rows per worker.
    U : (L_u, N P) array of field elements
        The uplink matrix, L_u = sum T.
    A : (K_c P, L_u) array of field elements
        The master's decoding matrix, A U = F (x) I_P.
    bound : Fraction
        The cut-set value (``separable_bounds``).

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl import cyclic_placement, heterogeneous_separable_design, kron_identity
    >>> F7 = PrimeField(7)
    >>> F = [[1, 2, 3], [0, 1, 1]]
    >>> h = heterogeneous_separable_design(cyclic_placement(3, 2), F, field=F7, rng=0)
    >>> h.P, h.T, h.U.shape, h.A.shape
    (3, (2, 2, 2), (6, 9), (6, 6))
    >>> np.array_equal(F7.matmul(h.A, h.U), kron_identity(F7, F, h.P))
    True
    """

    def __init__(self, Z: np.ndarray, F: np.ndarray, field: Field, P: int, T: Sequence[int],
                 U: np.ndarray, A: np.ndarray, bound: Fraction) -> None:
        self.Z, self.F, self.field = Z, F, field
        self.K, self.N = Z.shape
        self.K_c = F.shape[0]
        self.P, self.T, self.U, self.A = P, tuple(T), U, A
        self.offsets = np.concatenate([[0], np.cumsum(T)]).astype(int)
        self.bound = bound
        self.rates = [Fraction(t, P) for t in T]
        self.meets_bound = sum(self.rates) == bound

    def encode(self, j: int, own_values: ArrayLike) -> np.ndarray:
        """Worker j's uplink (T_j, L) from its values (m_j, B) in sorted dataset order.

        Parameters
        ----------
        j : int
            Worker index.
        own_values : (m_j, B) array_like of field elements
            Worker j's values, in increasing dataset order.

        Returns
        -------
        (T_j, L) array of field elements
            The uplink, L = ceil(B / P).

        Raises
        ------
        ShardSizeError
            ``own_values`` is not of shape (m_j, B).
        FieldTypeError, FieldValueError
            ``own_values`` does not hold elements of the field.
        """
        own = self.field.asarray(own_values, "own_values")
        stored = np.flatnonzero(self.Z[j])
        if own.ndim != 2 or own.shape[0] != stored.size:
            raise ShardSizeError(f"own_values of worker {j} must have shape ({stored.size}, B), got {own.shape}")
        Uj = self.U[self.offsets[j]:self.offsets[j + 1]][:, sub_columns(stored, self.P)]
        return self.field.matmul(np.ascontiguousarray(Uj), split_values(own, self.P))

    def decode(self, X: Sequence[ArrayLike], B: int) -> np.ndarray:
        """F V (K_c, B) from the K uplinks (list of (T_j, L) arrays).

        Parameters
        ----------
        X : list of K (T_j, L) arrays
            The uplinks, in worker order.
        B : int
            Value length.

        Returns
        -------
        (K_c, B) array of field elements
            F V.

        Raises
        ------
        ShardSizeError
            Not K uplinks.
        """
        if len(X) != self.K:
            raise ShardSizeError(f"X must hold {self.K} uplinks, got {len(X)}")
        stacked = np.concatenate([self.field.asarray(x, "X") for x in X], axis=0)
        return merge_values(self.field.matmul(self.A, stacked), self.P, B)

    def load(self) -> Fraction:
        """Total uplink sum_j T_j / P (normalised by B).

        Returns
        -------
        Fraction
            The achieved load; ``bound`` is the cut-set value.
        """
        return Fraction(sum(self.T), self.P)


def heterogeneous_separable_design(Z: ArrayLike, F: ArrayLike, field: Field = DEFAULT_FIELD,
                                   rng: Optional[Union[int, np.random.Generator]] = None,
                                   max_tries: int = 20) -> HeterogeneousSeparable:
    """Capped-LP rates + random vanishing subspace vectors (the heterogeneous extension
    of :ref:`dmtl-separable`).

    P is the lcm of the capped LP rates' denominators and T_j = R_j P; worker j's
    rows are T_j random vectors of the left null space of (F (x) I_P) on its
    missing sub-columns, and A is a left inverse of the stacked coefficients.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    F : (K_c, N) array_like of field elements
        The demand.
    field : Field, optional
        The working field (default ``DEFAULT_FIELD``, GF(2^31 - 1)).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator of the random vectors.
    max_tries : int, optional
        Draws before giving up (default 20).

    Returns
    -------
    HeterogeneousSeparable
        The construction, with ``bound`` and ``meets_bound``.

    Raises
    ------
    LPError
        The capped LP is infeasible.
    SingularMatrixError
        No draw reaches rank K_c P.
    ShardSizeError
        F is not of shape (K_c, N).
    InvalidArgumentError
        Z is not a valid placement, or K > 20.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import DEFAULT_FIELD, cyclic_placement, heterogeneous_separable_design
    >>> Z = cyclic_placement(3, 2)
    >>> rng = np.random.default_rng(0)
    >>> F = DEFAULT_FIELD.random((2, 3), rng)                       # K_c = 2
    >>> h = heterogeneous_separable_design(Z, F, rng=0)
    >>> h.load(), h.bound, h.meets_bound
    (Fraction(2, 1), Fraction(2, 1), True)
    >>> V = DEFAULT_FIELD.random((3, 4), rng)                       # N values, B = 4
    >>> X = [h.encode(j, V[np.flatnonzero(Z[j])]) for j in range(3)]
    >>> np.array_equal(h.decode(X, 4), DEFAULT_FIELD.matmul(F, V))
    True
    """
    Z = as_placement(Z)
    F = np.ascontiguousarray(field.asarray(F, "F"))
    K, N = Z.shape
    if F.ndim != 2 or F.shape[1] != N:
        raise ShardSizeError(f"F must have shape (K_c, N={N}), got {F.shape}")
    K_c = F.shape[0]
    rng = as_generator(rng)
    bound, _ = separable_bounds(Z, K_c)
    try:
        _, rates = capped_separable_lp(Z, K_c)
    except LPError as exc:
        raise LPError(f"capped construction infeasible for K_c={K_c}: {exc}") from None
    P = lcm_of_denominators(rates)
    T = [int(r * P) for r in rates]
    FP = kron_identity(field, F, P)
    for _ in range(max_tries):
        C_rows = []
        for j in range(K):
            if T[j] == 0:
                continue
            missing = sub_columns(np.flatnonzero(~Z[j]), P)
            null = left_null_space(field, np.ascontiguousarray(FP[:, missing]))
            C_rows.append(field.matmul(field.random((T[j], null.shape[0]), rng), null))
        C = np.concatenate(C_rows, axis=0) if C_rows else field.zeros((0, K_c * P))
        if field.rank(C) == K_c * P:
            U = field.matmul(C, FP)
            A = left_inverse(field, C)              # A C = I, hence A U = F (x) I_P
            return HeterogeneousSeparable(Z, F, field, P, T, U, A, bound)
    raise SingularMatrixError(f"no draw reached rank K_c P = {K_c * P} in {max_tries} tries")
