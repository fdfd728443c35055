"""Lower bounds and baseline loads of coded DMTL (:ref:`dmtl-bounds`).

All loads are normalised by the value length B and returned as exact
``fractions.Fraction``.  Z is a placement (K workers x N datasets, see
:mod:`fastcode.schemes.dmtl.placement`).

* downlink:  R_d >= max_k (N - m_k)                       (the worker that misses most)
* uplink:    sum_{j in S} R_j >= |E_S| for every non-empty S != all workers,
             E_S = {n : holders(n) inside S}               (cut-set LP, LB-u)
* closed form: R_u >= max(max_k (N - m_k), sum_k (N - m_k) / (K - 1))
* cyclic (N = K, M per worker): R_d* = K - M, R_u* = K (K - M) / (K - 1)
* MAN (N = C(K, r) eta):       R_d* / N = 1 - r/K, R_u* / N = (K - r) / (K - 1)
"""
from dataclasses import dataclass
from fractions import Fraction
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

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

#: Demands W_k: one iterable of wanted dataset indices per worker.
Demands = Sequence[Iterable[int]]
#: A cut-set constraint: (S as a sorted worker tuple, its right-hand side).
Constraint = Tuple[Tuple[int, ...], int]


def downlink_bound(Z: ArrayLike) -> int:
    """The downlink lower bound max_k (N - m_k): the worker that misses most.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.

    Returns
    -------
    int
        max_k (N - m_k), normalised by B.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import downlink_bound, placement_from_sets
    >>> downlink_bound(placement_from_sets([[0, 1, 2], [1], [2, 3]]))
    3
    """
    return int(misses(Z).max())


def closed_form_uplink(Z: ArrayLike) -> Fraction:
    """The closed-form uplink bound max(max_k miss_k, sum_k miss_k / (K - 1)).

    A relaxation of the cut-set LP (``uplink_lp``), which can be strictly larger.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement; miss_k = N - m_k.

    Returns
    -------
    Fraction
        The bound, normalised by B (K = 1: 0, nothing to send).

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import closed_form_uplink, cyclic_placement
    >>> print(closed_form_uplink(cyclic_placement(4, 2)))      # K (K - M) / (K - 1)
    8/3
    """
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


def cut_set_constraints(Z: ArrayLike, demands: Optional[Demands] = None,
                        exhaustive_max_k: int = EXHAUSTIVE_MAX_K) -> Tuple[List[Constraint], bool]:
    """The non-trivial, non-dominated (LB-u) constraints sum_{j in S} R_j >= |E_S|.

    E_S is the set of datasets whose holders all lie in S.  Only *closed* sets
    are kept, S = union of holders of E_S: any other S' with the same E_S
    contains that union and is implied by it (R >= 0).  For
    K <= ``exhaustive_max_k`` every mask is examined (exact); beyond, only the
    sets with |S| <= 2 and |S| = K - 1 (a relaxation: the LP value is then a
    valid but possibly weaker bound).

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    demands : sequence of K iterables of int, optional
        The sets W_k of wanted datasets.  They generalise E_S to the datasets
        held only inside S *and wanted by some worker outside S*; by default
        every worker wants every dataset it lacks.
    exhaustive_max_k : int, optional
        Largest K for which all 2^K sets are enumerated (default ``EXHAUSTIVE_MAX_K``).

    Returns
    -------
    constraints : list of (tuple of int, int)
        (S as a sorted worker tuple, |E_S|) for every kept S.
    exact : bool
        False when K > ``exhaustive_max_k`` and only a subfamily was examined.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement, or ``demands`` is invalid (see ``demand_matrix``).

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cut_set_constraints, placement_from_sets
    >>> Z = placement_from_sets([[2], [0, 1, 3], [1]])
    >>> cut_set_constraints(Z)
    ([((0,), 1), ((1,), 2), ((0, 1), 3), ((1, 2), 3)], True)
    """
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
        cand: List[int] = np.flatnonzero(counts > 0).tolist()
    else:
        exact = False
        subsets = [1 << j for j in range(K)]
        subsets += [(1 << i) | (1 << j) for i in range(K) for j in range(i + 1, K)]
        subsets += [full & ~(1 << j) for j in range(K)]
        cand = sorted(set(subsets))
    out: List[Constraint] = []
    for S in cand:
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


def demand_matrix(Z: np.ndarray, demands: Optional[Demands]) -> np.ndarray:
    """Bool (K, N): worker k wants dataset n.  Default: every dataset it does not store.

    Parameters
    ----------
    Z : (K, N) bool array
        A validated placement (``as_placement``).
    demands : sequence of K iterables of int, or None
        The sets W_k of wanted datasets; None: every dataset worker k lacks.

    Returns
    -------
    (K, N) bool array
        ``W[k, n]`` is True iff worker k wants dataset n.

    Raises
    ------
    InvalidArgumentError
        ``demands`` does not have one set per worker, names a dataset outside
        0..N-1, or asks a worker for a dataset it stores.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_placement, demand_matrix
    >>> Z = cyclic_placement(3, 2)
    >>> demand_matrix(Z, None).astype(int).tolist()
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    >>> demand_matrix(cyclic_placement(4, 2), [[2], [3], [0], []]).astype(int).tolist()
    [[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 0, 0]]
    >>> demand_matrix(Z, [[0], [], []])
    Traceback (most recent call last):
        ...
    fastcode.errors.InvalidArgumentError: demands[0] asks for dataset 0, which worker 0 stores
    """
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


def uplink_lp(Z: ArrayLike, demands: Optional[Demands] = None, balance: bool = True,
              exhaustive_max_k: int = EXHAUSTIVE_MAX_K) -> Tuple[Fraction, List[Fraction], bool]:
    """Cut-set LP for the uplink: min sum_j R_j subject to (LB-u).

    The constraints are those of ``cut_set_constraints``; the LP is solved by
    ``solve_covering_lp`` and its answer checked exactly.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    demands : sequence of K iterables of int, optional
        The sets W_k of wanted datasets (default: every dataset worker k lacks).
    balance : bool, optional
        Return the most balanced optimal rates (min max_j R_j); default True.
    exhaustive_max_k : int, optional
        Largest K for which all 2^K sets are enumerated (default ``EXHAUSTIVE_MAX_K``).

    Returns
    -------
    value : Fraction
        The LP value, normalised by B.
    rates : list of K Fraction
        One optimal vector R_j, the most balanced one when ``balance``.
    exact : bool
        False when K > ``exhaustive_max_k`` and only a subfamily of constraints
        was used (then the value is a weaker, still valid bound).

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement, or ``demands`` is invalid.
    LPError
        The LP optimum could not be recovered exactly.

    Examples
    --------
    The cut-set LP can be strictly above the closed form:

    >>> from fastcode.schemes.dmtl import closed_form_uplink, placement_from_sets, uplink_lp
    >>> Z = placement_from_sets([[2], [0, 1, 3], [1]])
    >>> value, rates, exact = uplink_lp(Z)
    >>> str(value), [str(r) for r in rates], exact
    ('4', ['1', '2', '1'], True)
    >>> print(closed_form_uplink(Z))
    7/2
    """
    Z = as_placement(Z)
    cons, exact = cut_set_constraints(Z, demands, exhaustive_max_k)
    if not cons:
        return Fraction(0), [Fraction(0)] * Z.shape[0], exact
    value, rates = solve_covering_lp(Z.shape[0], [c[0] for c in cons], [c[1] for c in cons],
                                     balance=balance)
    return value, rates, exact


@dataclass(frozen=True)
class DMTLBounds:
    """Lower bounds for one placement (all normalised by B), as ``dmtl_bounds`` returns them.

    Attributes
    ----------
    lp_uplink : Fraction
        Cut-set LP value (exact when ``lp_exact``).
    lp_rates : tuple of Fraction
        One optimal rate vector R_j (one per worker), balanced.
    closed_form_uplink : Fraction
        max(max miss, sum miss / (K-1)), for the full demand.
    downlink : int
        Max miss: max_k (N - m_k), or max_k |W_k| with demands.
    lp_exact : bool
        False: K too large, a constraint subfamily was used.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_placement, dmtl_bounds
    >>> b = dmtl_bounds(cyclic_placement(3, 2))
    >>> str(b.lp_uplink), [str(r) for r in b.lp_rates], b.downlink, b.lp_exact
    ('3/2', ['1/2', '1/2', '1/2'], 1, True)
    """

    lp_uplink: Fraction          # cut-set LP value (exact when ``lp_exact``)
    lp_rates: Tuple[Fraction, ...]  # one optimal rate vector (Fractions), balanced
    closed_form_uplink: Fraction # max(max miss, sum miss / (K-1))
    downlink: int                # max miss
    lp_exact: bool               # False: K too large, a constraint subfamily was used


def dmtl_bounds(Z: ArrayLike, demands: Optional[Demands] = None,
                exhaustive_max_k: int = EXHAUSTIVE_MAX_K) -> DMTLBounds:
    """All lower bounds of one placement as a DMTLBounds.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.
    demands : sequence of K iterables of int, optional
        The sets W_k of wanted datasets (default: every dataset worker k lacks).
        They change the LP and the downlink bound (max_k |W_k|);
        ``closed_form_uplink`` stays that of the full demand.
    exhaustive_max_k : int, optional
        Largest K for which all 2^K sets are enumerated (default ``EXHAUSTIVE_MAX_K``).

    Returns
    -------
    DMTLBounds
        The balanced LP value and rates, the closed form, the downlink bound.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement, or ``demands`` is invalid.
    LPError
        The LP optimum could not be recovered exactly.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_placement, dmtl_bounds
    >>> Z = cyclic_placement(4, 2)
    >>> b = dmtl_bounds(Z)
    >>> str(b.lp_uplink), [str(r) for r in b.lp_rates], b.downlink
    ('8/3', ['2/3', '2/3', '2/3', '2/3'], 2)

    Each worker wanting only one of the two datasets it lacks:

    >>> b = dmtl_bounds(Z, demands=[[2], [3], [0], [1]])
    >>> str(b.lp_uplink), b.downlink
    ('2', 1)
    """
    Z = as_placement(Z)
    value, rates, exact = uplink_lp(Z, demands, True, exhaustive_max_k)
    if demands is None:
        down = downlink_bound(Z)
    else:
        down = int(demand_matrix(Z, demands).sum(axis=1).max())
    return DMTLBounds(value, tuple(rates), closed_form_uplink(Z), down, exact)


def cyclic_bounds(K: int, M: int) -> Tuple[Fraction, Fraction]:
    """Homogeneous closed forms for the cyclic placement: (R_u*, R_d*) as Fractions.

    R_u* = K (K - M) / (K - 1) and R_d* = K - M, normalised by B.

    Parameters
    ----------
    K : int
        Workers (= datasets), K >= 2.
    M : int
        Datasets per worker, 1 <= M <= K.

    Returns
    -------
    R_u : Fraction
        The optimal uplink load.
    R_d : Fraction
        The optimal downlink load.

    Raises
    ------
    InvalidArgumentError
        K < 2 or M outside 1..K.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_bounds, cyclic_placement, dmtl_bounds
    >>> R_u, R_d = cyclic_bounds(4, 2)
    >>> str(R_u), str(R_d)
    ('8/3', '2')
    >>> b = dmtl_bounds(cyclic_placement(4, 2))
    >>> (b.lp_uplink, b.downlink) == (R_u, R_d)
    True
    """
    if not 1 <= M <= K or K < 2:
        raise InvalidArgumentError(f"need 1 <= M <= K and K >= 2, got K={K}, M={M}")
    return Fraction(K * (K - M), K - 1), Fraction(K - M)


def man_bounds(K: int, r: int, eta: int = 1) -> Tuple[Fraction, Fraction]:
    """MAN closed forms (R_u*, R_d*) as Fractions, *not* normalised by N.

    R_u* = N (K - r) / (K - 1) and R_d* = N (K - r) / K with N = C(K, r) eta;
    divide by N for the per-dataset form.

    Parameters
    ----------
    K : int
        Workers, K >= 2.
    r : int
        Holders per dataset, 1 <= r <= K.
    eta : int, optional
        Datasets per r-subset (default 1).

    Returns
    -------
    R_u : Fraction
        The optimal uplink load (normalised by B).
    R_d : Fraction
        The optimal downlink load (normalised by B).

    Raises
    ------
    InvalidArgumentError
        K < 2 or r outside 1..K.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import dmtl_bounds, man_bounds, man_placement
    >>> R_u, R_d = man_bounds(4, 2)               # N = 6
    >>> str(R_u), str(R_d)
    ('4', '3')
    >>> b = dmtl_bounds(man_placement(4, 2))
    >>> (b.lp_uplink, b.downlink) == (R_u, R_d)
    True
    """
    from math import comb
    if not 1 <= r <= K or K < 2:
        raise InvalidArgumentError(f"need 1 <= r <= K and K >= 2, got K={K}, r={r}")
    N = comb(K, r) * eta
    return Fraction(N * (K - r), K - 1), Fraction(N * (K - r), K)


def baseline_loads(Z: ArrayLike) -> Dict[str, Tuple[Fraction, Fraction]]:
    """Loads of the two baselines: {"uncoded": (R_u, R_d), "server_mds": (R_u, R_d)}.

    uncoded: each value uploaded once by one holder (R_u = N) and forwarded
    uncoded: R_d = number of values missed by at least one worker.
    server_mds: the server collects all N values (R_u = N) and broadcasts an MDS
    code of the values that are missed, R_d = max_k (N - m_k).

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        The placement.

    Returns
    -------
    dict
        ``"uncoded"`` and ``"server_mds"``, each mapped to (R_u, R_d) as
        Fractions, normalised by B.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import baseline_loads, cyclic_placement
    >>> {name: (str(u), str(d)) for name, (u, d) in baseline_loads(cyclic_placement(3, 2)).items()}
    {'uncoded': ('3', '3'), 'server_mds': ('3', '1')}
    """
    Z = as_placement(Z)
    N = Z.shape[1]
    missed_by_someone = int((~Z).any(axis=0).sum())
    return {
        "uncoded": (Fraction(N), Fraction(missed_by_someone)),
        "server_mds": (Fraction(N), Fraction(downlink_bound(Z))),
    }
