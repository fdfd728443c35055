"""Lower bounds and baseline loads of coded DMTL (:ref:`dmtl-bounds`).

All loads are normalised by the value length B and returned as exact
``fractions.Fraction``.  Z is a placement (K workers x N datasets, see
``dmtl_placement``).

* downlink:  R_d >= max_k (N - m_k)                       (the worker that misses most)
* uplink:    sum_{j in S} R_j >= |E_S| for every non-empty S != all workers,
             E_S = {n : holders(n) inside S}               (cut-set LP, LB-u)
* closed form: R_u >= max(max_k (N - m_k), sum_k (N - m_k) / (K - 1))
* cyclic (N = K, M per worker): R_d* = K - M, R_u* = K (K - M) / (K - 1)
* MAN (N = C(K, r) eta):       R_d* / N = 1 - r/K, R_u* / N = (K - r) / (K - 1)
"""
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from fastcode.errors import InvalidArgumentError
from fastcode.schemes.dmtl.placement import as_placement, misses
from fastcode.schemes.dmtl.lp import solve_covering_lp

__all__ = [
    "EXHAUSTIVE_MAX_K",
    "DMTLBounds",
    "dmtl_bounds",
    "downlink_bound",
    "closed_form_uplink",
    "cut_set_constraints",
    "uplink_lp",
    "cyclic_bounds",
    "man_bounds",
    "baseline_loads",
    "demand_matrix",
]

EXHAUSTIVE_MAX_K = 20
"""Largest K for which every subset S is enumerated (2^K masks, vectorised)."""


def downlink_bound(Z):
    """max_k (N - m_k), an int."""
    return int(misses(Z).max())


def closed_form_uplink(Z):
    """max(max_k miss_k, sum_k miss_k / (K - 1)) as a Fraction (K = 1: 0, nothing to send)."""
    miss = misses(Z)
    K = len(miss)
    if K == 1:
        return Fraction(0)
    return max(Fraction(int(miss.max())), Fraction(int(miss.sum()), K - 1))


def _holder_masks(Z):
    """Bitmask of the holders of every dataset (Python ints; K may exceed 63)."""
    return [sum(1 << int(k) for k in np.flatnonzero(col)) for col in Z.T]


def _exclusive_count(masks, S):
    """|E_S|: datasets whose holders all lie in S."""
    return sum(1 for h in masks if h & ~S == 0)


def cut_set_constraints(Z, demands=None, exhaustive_max_k=EXHAUSTIVE_MAX_K):
    """The non-trivial, non-dominated (LB-u) constraints: list of (S as a worker tuple, |E_S|).

    Only *closed* sets are kept, S = union of holders of E_S: any other S' with
    the same E_S contains that union and is implied by it (R >= 0).  For
    K <= ``exhaustive_max_k`` every mask is examined (exact); beyond, only the
    sets with |S| <= 2 and |S| = K - 1 (a relaxation: the LP value is then a
    valid but possibly weaker bound).  Returns (constraints, exact: bool).

    ``demands`` (optional, K sets W_k of wanted datasets) generalises E_S to the
    datasets held only inside S *and wanted by some worker outside S*; by
    default every worker wants every dataset it lacks."""
    Z = as_placement(Z)
    K, N = Z.shape
    want = demand_matrix(Z, demands)
    full = (1 << K) - 1
    masks = _holder_masks(Z)
    # wanted_by[n]: bitmask of workers that want dataset n
    wanted_by = [sum(1 << int(k) for k in np.flatnonzero(col)) for col in want.T]
    if K <= exhaustive_max_k:
        exact = True
        counts = _exclusive_counts_all(Z, want)
        cand = np.flatnonzero(counts > 0)
    else:
        exact = False
        subsets = [1 << j for j in range(K)]
        subsets += [(1 << i) | (1 << j) for i in range(K) for j in range(i + 1, K)]
        subsets += [full & ~(1 << j) for j in range(K)]
        cand = sorted(set(subsets))
    out = []
    for S in cand:
        S = int(S)
        if S == full or S == 0:
            continue
        E = [n for n, h in enumerate(masks) if h & ~S == 0 and wanted_by[n] & ~S]
        if not E:
            continue
        closure = 0
        for n in E:
            closure |= masks[n]
        if closure != S:          # dominated by the closed set with the same E_S
            continue
        out.append((tuple(j for j in range(K) if S >> j & 1), len(E)))
    return out, exact


def _exclusive_counts_all(Z, want):
    """|E_S| for every mask S in 0..2^K-1 (numpy, chunked), counting only wanted datasets."""
    K, N = Z.shape
    hold = Z.astype(np.int64) << np.arange(K, dtype=np.int64)[:, None]
    hmask = hold.sum(axis=0)                                   # (N,) holder masks
    wmask = (want.astype(np.int64) << np.arange(K, dtype=np.int64)[:, None]).sum(axis=0)
    total = 1 << K
    counts = np.zeros(total, dtype=np.int64)
    chunk = max(1, (1 << 22) // max(N, 1))
    for lo in range(0, total, chunk):
        S = np.arange(lo, min(total, lo + chunk), dtype=np.int64)[:, None]
        inside = (hmask[None, :] & ~S) == 0
        wanted_outside = (wmask[None, :] & ~S) != 0
        counts[lo:lo + len(S)] = (inside & wanted_outside).sum(axis=1)
    return counts


def demand_matrix(Z, demands):
    """Bool (K, N): worker k wants dataset n.  Default: every dataset it does not store."""
    K, N = Z.shape
    if demands is None:
        return ~Z
    if len(demands) != K:
        raise InvalidArgumentError(f"demands must have one set per worker ({K}), got {len(demands)}")
    W = np.zeros((K, N), dtype=bool)
    for k, wk in enumerate(demands):
        for n in wk:
            if not 0 <= int(n) < N:
                raise InvalidArgumentError(f"demands[{k}] has dataset index {n} outside 0..{N - 1}")
            if Z[k, int(n)]:
                raise InvalidArgumentError(f"demands[{k}] asks for dataset {n}, which worker {k} stores")
            W[k, int(n)] = True
    return W


def uplink_lp(Z, demands=None, balance=True, exhaustive_max_k=EXHAUSTIVE_MAX_K):
    """Cut-set LP for the uplink: (value, rates, exact).

    value: min sum_j R_j subject to (LB-u), a Fraction; rates: one optimal
    vector (list of K Fractions), the most balanced one (min max_j R_j) when
    ``balance``; exact: False when K > exhaustive_max_k and only a subfamily of
    constraints was used (then the value is a weaker, still valid bound)."""
    Z = as_placement(Z)
    cons, exact = cut_set_constraints(Z, demands, exhaustive_max_k)
    if not cons:
        return Fraction(0), [Fraction(0)] * Z.shape[0], exact
    value, rates = solve_covering_lp(Z.shape[0], [c[0] for c in cons], [c[1] for c in cons],
                                     balance=balance)
    return value, rates, exact


@dataclass(frozen=True)
class DMTLBounds:
    """Lower bounds for one placement (all normalised by B)."""

    lp_uplink: Fraction          # cut-set LP value (exact when ``lp_exact``)
    lp_rates: tuple              # one optimal rate vector (Fractions), balanced
    closed_form_uplink: Fraction # max(max miss, sum miss / (K-1))
    downlink: int                # max miss
    lp_exact: bool               # False: K too large, a constraint subfamily was used


def dmtl_bounds(Z, demands=None, exhaustive_max_k=EXHAUSTIVE_MAX_K):
    """All lower bounds of one placement as a DMTLBounds."""
    Z = as_placement(Z)
    value, rates, exact = uplink_lp(Z, demands, True, exhaustive_max_k)
    if demands is None:
        down = downlink_bound(Z)
    else:
        down = int(demand_matrix(Z, demands).sum(axis=1).max())
    return DMTLBounds(value, tuple(rates), closed_form_uplink(Z), down, exact)


def cyclic_bounds(K, M):
    """Homogeneous closed forms for the cyclic placement: (R_u*, R_d*) as Fractions."""
    if not 1 <= M <= K or K < 2:
        raise InvalidArgumentError(f"need 1 <= M <= K and K >= 2, got K={K}, M={M}")
    return Fraction(K * (K - M), K - 1), Fraction(K - M)


def man_bounds(K, r, eta=1):
    """MAN closed forms (R_u*, R_d*) as Fractions, *not* normalised by N
    (N = C(K, r) eta; divide by N for the per-dataset form)."""
    from math import comb
    if not 1 <= r <= K or K < 2:
        raise InvalidArgumentError(f"need 1 <= r <= K and K >= 2, got K={K}, r={r}")
    N = comb(K, r) * eta
    return Fraction(N * (K - r), K - 1), Fraction(N * (K - r), K)


def baseline_loads(Z):
    """Loads of the two baselines: {"uncoded": (R_u, R_d), "server_mds": (R_u, R_d)}.

    uncoded: each value uploaded once by one holder (R_u = N) and forwarded
    uncoded: R_d = number of values missed by at least one worker.
    server_mds: the server collects all N values (R_u = N) and broadcasts an MDS
    code of the values that are missed, R_d = max_k (N - m_k)."""
    Z = as_placement(Z)
    N = Z.shape[1]
    missed_by_someone = int((~Z).any(axis=0).sum())
    return {
        "uncoded": (Fraction(N), Fraction(missed_by_someone)),
        "server_mds": (Fraction(N), Fraction(downlink_bound(Z))),
    }
