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

import numpy as np

from fastcode._util.validate import integer
from fastcode.errors import (
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
    SingularMatrixError,
)
from fastcode._util.rng import as_generator
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


def cyclic_separable_assignment(N, N_r, K=None):
    """Cyclic assignment, N workers x K datasets (bool matrix, shape (N, K)).

    K = N (default): worker n holds {n, ..., n + N - N_r} mod N.  N | K: the K
    datasets form N groups of K/N consecutive datasets, assigned cyclically the
    same way."""
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


def kron_identity(field, F, P):
    """F (x) I_P: row c P + i, column k P + i holds F[c, k] (shape (rows P, cols P))."""
    F = field.asarray(F, "F")
    out = field.zeros((F.shape[0] * P, F.shape[1] * P))
    for i in range(P):
        out[i::P, i::P] = F
    return out


class SeparableComputation:
    """Cyclic K = N linearly separable computation, decodable from any N_r workers.

    F: (K_c, N) demand matrix over ``field`` (default uniform random from rng).
    G: optional (N_r - K_c, N) virtual demands for K_c < N_r (default random).
    Messages W_k have B symbols; sub-messages have L = ceil(B / P).

    The design is random (Las Vegas): each try draws G and the coefficients
    (and F too when it is not given, since a random demand is then part of the
    design) and checks every N_r-subset; a try fails with probability about
    (degree)/p, so small primes take more tries.  Raises SingularMatrixError
    if none of ``max_tries`` draws makes every checked pattern decodable (for
    a given F, e.g. one with a singular minor, maybe none can)."""

    def __init__(self, N, N_r, K_c, F=None, field=DEFAULT_FIELD, rng=None, G=None, max_tries=20):
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
        if own_demand:
            F = field.random((self.K_c, self.K), rng)
        self.F = np.ascontiguousarray(field.asarray(F, "F"))
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
        self._cache = {}
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

    def datasets(self, n):
        """Sorted dataset indices held by worker n."""
        return np.flatnonzero(self.Z[n])

    def encode(self, n, messages):
        """Worker n's answer (t, L) from its messages (M, B) in the order of ``datasets(n)``."""
        msg = self.field.asarray(messages, "messages")
        if msg.ndim != 2 or msg.shape[0] != self.M:
            raise ShardSizeError(f"messages of worker {n} must have shape (M={self.M}, B), got {msg.shape}")
        return self.field.matmul(self.encoders[n], split_values(msg, self.P))

    def decode(self, results, responders=None, B=None):
        """F W (K_c, B) from the answers of any N_r workers.

        results: dict worker -> (t, L) answer (responders default to its keys in
        insertion order, i.e. arrival order), or a list aligned with
        ``responders``.  The first N_r responders are used.  B defaults to P L."""
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

    def communication_cost(self):
        """Symbols downloaded from N_r workers / B = N_r t / P = max(N_r, K_c)."""
        return Fraction(self.N_r * self.t, self.P)

    def can_decode(self, responders):
        """True once N_r distinct workers have answered."""
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


def separable_bounds(Z, K_c):
    """Cut-set LP for the heterogeneous separable computation: (value, rates).

    sum_{j in S} R_j >= min(K_c, |E_S|) for every non-empty S (S = all gives
    sum >= K_c); min(K_c, |E_S|) is the rank of F[:, E_S] for generic F."""
    Z = as_placement(Z)
    K_c = integer(K_c, "K_c", 1)
    cons = _separable_constraints(Z, K_c)
    return solve_covering_lp(Z.shape[0], [c[0] for c in cons], [c[1] for c in cons])


def capped_separable_lp(Z, K_c):
    """The same LP with the caps R_j <= max(0, K_c - (N - m_j)) of the construction.

    Returns (value, rates); raises LPError if infeasible (the construction
    cannot be used, e.g. K_c = 1 with every worker missing a dataset)."""
    Z = as_placement(Z)
    K_c = integer(K_c, "K_c", 1)
    N = Z.shape[1]
    caps = [max(0, K_c - (N - int(m))) for m in Z.sum(axis=1)]
    cons = _separable_constraints(Z, K_c)
    return solve_covering_lp(Z.shape[0], [c[0] for c in cons], [c[1] for c in cons], upper=caps)


class HeterogeneousSeparable:
    """The capped construction: U (L_u, N P) with worker j's T_j rows in
    rowspace(F (x) I_P) and zero on its missing sub-columns; A (K_c P, L_u) with
    A U = F (x) I_P, so the master gets F V from every worker's uplink.

    Attributes: P, T, U, A, rates, bound (cut-set value), meets_bound."""

    def __init__(self, Z, F, field, P, T, U, A, bound):
        self.Z, self.F, self.field = Z, F, field
        self.K, self.N = Z.shape
        self.K_c = F.shape[0]
        self.P, self.T, self.U, self.A = P, tuple(T), U, A
        self.offsets = np.concatenate([[0], np.cumsum(T)]).astype(int)
        self.bound = bound
        self.rates = [Fraction(t, P) for t in T]
        self.meets_bound = sum(self.rates) == bound

    def encode(self, j, own_values):
        """Worker j's uplink (T_j, L) from its values (m_j, B) in sorted dataset order."""
        own = self.field.asarray(own_values, "own_values")
        stored = np.flatnonzero(self.Z[j])
        if own.ndim != 2 or own.shape[0] != stored.size:
            raise ShardSizeError(f"own_values of worker {j} must have shape ({stored.size}, B), got {own.shape}")
        Uj = self.U[self.offsets[j]:self.offsets[j + 1]][:, sub_columns(stored, self.P)]
        return self.field.matmul(np.ascontiguousarray(Uj), split_values(own, self.P))

    def decode(self, X, B):
        """F V (K_c, B) from the K uplinks (list of (T_j, L) arrays)."""
        if len(X) != self.K:
            raise ShardSizeError(f"X must hold {self.K} uplinks, got {len(X)}")
        stacked = np.concatenate([self.field.asarray(x, "X") for x in X], axis=0)
        return merge_values(self.field.matmul(self.A, stacked), self.P, B)

    def load(self):
        """Total uplink sum_j T_j / P (normalised by B)."""
        return Fraction(sum(self.T), self.P)


def heterogeneous_separable_design(Z, F, field=DEFAULT_FIELD, rng=None, max_tries=20):
    """Capped-LP rates + random vanishing subspace vectors (the heterogeneous extension
    of :ref:`dmtl-separable`).

    Z: (K, N) placement; F: (K_c, N) demand.  Raises LPError when the capped LP
    is infeasible, SingularMatrixError when no draw reaches rank K_c P."""
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
