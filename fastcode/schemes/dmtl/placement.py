"""Data placements of coded DMTL (:ref:`placements <dmtl-placements>`).

A placement is a 0/1 matrix ``Z`` of shape (K, N): ``Z[k, n] = 1`` iff worker
k stores dataset n.  Every function here returns a fresh C-contiguous ``bool``
array of that shape, validated by ``as_placement``: every worker stores at
least one dataset and every dataset has at least one holder.
"""
import itertools
import operator
from typing import Iterable, List, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.validate import integer
from fastcode.errors import InvalidArgumentError
from fastcode._util.rng import as_generator

__all__ = [
    "as_placement",
    "cyclic_placement",
    "man_placement",
    "placement_from_sets",
    "random_placement",
    "placement_sets",
    "holders",
    "misses",
]


def as_placement(Z: ArrayLike, name: str = "Z") -> np.ndarray:
    """Validate a placement: a 2-D 0/1 (or bool) matrix, shape (K, N), K >= 1, N >= 1.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        ``Z[k, n] = 1`` iff worker k stores dataset n.
    name : str, optional
        The argument's name in error messages (default ``"Z"``).

    Returns
    -------
    (K, N) bool array
        A new C-contiguous copy of ``Z``.

    Raises
    ------
    InvalidArgumentError
        Naming ``name``, if Z is not 2-D, has no worker or no dataset, holds
        values other than 0/1, has a worker storing nothing (an "empty worker")
        or a dataset stored nowhere.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import as_placement
    >>> as_placement([[1, 1, 0], [0, 1, 1]]).tolist()
    [[True, True, False], [False, True, True]]
    >>> as_placement([[1, 0], [0, 0]])
    Traceback (most recent call last):
        ...
    fastcode.errors.InvalidArgumentError: Z: worker(s) [1] store no dataset (empty worker)
    """
    arr = np.asarray(Z)
    if arr.ndim != 2:
        raise InvalidArgumentError(f"{name} must be a 2-D (workers x datasets) 0/1 matrix, "
                                   f"got shape {arr.shape}")
    K, N = arr.shape
    if K < 1 or N < 1:
        raise InvalidArgumentError(f"{name} needs at least one worker and one dataset, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf" or not np.all((arr == 0) | (arr == 1)):
        raise InvalidArgumentError(f"{name} must hold only 0/1 entries")
    Zb = np.ascontiguousarray(arr.astype(bool))
    empty = np.flatnonzero(~Zb.any(axis=1))
    if empty.size:
        raise InvalidArgumentError(f"{name}: worker(s) {empty.tolist()} store no dataset (empty worker)")
    nowhere = np.flatnonzero(~Zb.any(axis=0))
    if nowhere.size:
        raise InvalidArgumentError(f"{name}: dataset(s) {nowhere.tolist()} are stored by no worker")
    return Zb


def cyclic_placement(K: int, M: int) -> np.ndarray:
    """Cyclic placement, N = K: worker k stores {k, k+1, ..., k+M-1} mod K.

    Parameters
    ----------
    K : int
        Number of workers and of datasets, K >= 1.
    M : int
        Datasets per worker, 1 <= M <= K.

    Returns
    -------
    (K, K) bool array
        The placement Z.

    Raises
    ------
    InvalidArgumentError
        K or M not an integer >= 1, or M > K.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_placement
    >>> cyclic_placement(4, 2).astype(int).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]]
    """
    K = integer(K, "K", 1)
    M = integer(M, "M", 1)
    if M > K:
        raise InvalidArgumentError(f"M must be <= K, got M={M} > K={K}")
    Z = np.zeros((K, K), dtype=bool)
    for k in range(K):
        Z[k, [(k + i) % K for i in range(M)]] = True
    return Z


def man_placement(K: int, r: int, eta: int = 1) -> np.ndarray:
    """MAN ("flexible") placement: N = C(K, r) * eta datasets.

    Dataset block b (in lexicographic order of the r-subsets of workers) holds
    datasets b*eta .. b*eta+eta-1, stored by exactly the workers of that
    subset, so every worker stores N r / K datasets.

    Parameters
    ----------
    K : int
        Number of workers, K >= 1.
    r : int
        Workers storing each dataset, 1 <= r <= K.
    eta : int, optional
        Datasets per r-subset (default 1).

    Returns
    -------
    (K, C(K, r) eta) bool array
        The placement Z.

    Raises
    ------
    InvalidArgumentError
        K, r or eta not an integer >= 1, or r > K.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import man_placement, placement_sets
    >>> Z = man_placement(4, 2)
    >>> Z.shape, Z.sum(axis=1).tolist()
    ((4, 6), [3, 3, 3, 3])
    >>> placement_sets(Z)
    [(0, 1, 2), (0, 3, 4), (1, 3, 5), (2, 4, 5)]
    """
    K = integer(K, "K", 1)
    r = integer(r, "r", 1)
    eta = integer(eta, "eta", 1)
    if r > K:
        raise InvalidArgumentError(f"r must be <= K, got r={r} > K={K}")
    subsets = list(itertools.combinations(range(K), r))
    Z = np.zeros((K, len(subsets) * eta), dtype=bool)
    for b, subset in enumerate(subsets):
        Z[list(subset), b * eta:(b + 1) * eta] = True
    return Z


def placement_from_sets(sets: Iterable[Iterable[int]], N: Optional[int] = None) -> np.ndarray:
    """Placement from the stored index sets M_k (iterables of dataset indices).

    Parameters
    ----------
    sets : iterable of K iterables of int
        ``sets[k]`` is M_k, the datasets worker k stores.
    N : int, optional
        Number of datasets; defaults to 1 + the largest index.

    Returns
    -------
    (K, N) bool array
        The placement Z, validated by ``as_placement``.

    Raises
    ------
    InvalidArgumentError
        No set given, an index out of range or negative, N < 1, or a placement
        that ``as_placement`` refuses (an empty worker, a dataset stored nowhere).

    Examples
    --------
    >>> from fastcode.schemes.dmtl import placement_from_sets
    >>> placement_from_sets([[0, 1], [1, 2], [2, 0]]).astype(int).tolist()
    [[1, 1, 0], [0, 1, 1], [1, 0, 1]]
    """
    set_lists = [list(s) for s in sets]
    if not set_lists:
        raise InvalidArgumentError("sets must name at least one worker")
    flat = [operator.index(n) for s in set_lists for n in s]
    if N is None:
        N = max(flat) + 1 if flat else 0
    N = integer(N, "N", 1)
    Z = np.zeros((len(set_lists), N), dtype=bool)
    for k, s in enumerate(set_lists):
        for n in s:
            n = operator.index(n)
            if not 0 <= n < N:
                raise InvalidArgumentError(f"sets[{k}] has dataset index {n} outside 0..{N - 1}")
            Z[k, n] = True
    return as_placement(Z, "sets")


def random_placement(K: int, N: int, rng: Optional[Union[int, np.random.Generator]] = None,
                     density: float = 0.5, max_tries: int = 1000) -> np.ndarray:
    """A random valid heterogeneous placement (each entry 1 with prob. ``density``).

    Redrawn until no worker is empty, no dataset unstored and no worker stores all.

    Parameters
    ----------
    K : int
        Number of workers, K >= 2.
    N : int
        Number of datasets, N >= 1.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator (None: fresh entropy).
    density : float, optional
        Probability of each entry being 1, in (0, 1) (default 0.5).
    max_tries : int, optional
        Draws before giving up (default 1000).

    Returns
    -------
    (K, N) bool array
        The placement Z.

    Raises
    ------
    InvalidArgumentError
        K < 2, N < 1, density outside (0, 1), or no valid draw in ``max_tries``.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import random_placement
    >>> Z = random_placement(3, 4, rng=0)
    >>> Z.astype(int).tolist()
    [[0, 1, 0, 1], [0, 0, 1, 1], [1, 1, 0, 0]]
    >>> bool(Z.any(axis=0).all() and Z.any(axis=1).all() and not Z.all(axis=1).any())
    True
    """
    K = integer(K, "K", 2)
    N = integer(N, "N", 1)
    if not 0.0 < density < 1.0:
        raise InvalidArgumentError(f"density must be in (0, 1), got {density}")
    gen = as_generator(rng)
    for _ in range(max_tries):
        Z = gen.random((K, N)) < density
        # a worker that stores everything needs nothing: allowed, but dull for a demo
        if Z.any(axis=1).all() and Z.any(axis=0).all() and not Z.all(axis=1).any():
            return Z
    raise InvalidArgumentError(f"no valid random placement found for K={K}, N={N}, density={density}")


def placement_sets(Z: ArrayLike) -> List[Tuple[int, ...]]:
    """The stored index sets M_k as a list of sorted tuples.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        A placement (validated by ``as_placement``).

    Returns
    -------
    list of K tuples of int
        ``M_k``, the datasets worker k stores, in increasing order.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_placement, placement_sets
    >>> placement_sets(cyclic_placement(4, 2))
    [(0, 1), (1, 2), (2, 3), (0, 3)]
    """
    Zb = as_placement(Z)
    return [tuple(np.flatnonzero(row).tolist()) for row in Zb]


def holders(Z: ArrayLike) -> List[Tuple[int, ...]]:
    """holders(n) = {k : n in M_k} for every dataset, as a list of tuples.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        A placement (validated by ``as_placement``).

    Returns
    -------
    list of N tuples of int
        The workers storing dataset n, in increasing order.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import cyclic_placement, holders
    >>> holders(cyclic_placement(4, 2))
    [(0, 3), (0, 1), (1, 2), (2, 3)]
    """
    Zb = as_placement(Z)
    return [tuple(np.flatnonzero(col).tolist()) for col in Zb.T]


def misses(Z: ArrayLike) -> np.ndarray:
    """N - m_k for every worker: the number of values worker k lacks.

    Parameters
    ----------
    Z : (K, N) array_like of 0/1 or bool
        A placement (validated by ``as_placement``).

    Returns
    -------
    (K,) int64 array
        ``N - m_k``, with ``m_k = |M_k|``.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import misses, placement_from_sets
    >>> misses(placement_from_sets([[0, 1, 2], [1], [2, 3]])).tolist()
    [1, 3, 2]
    """
    Zb = as_placement(Z)
    return (Zb.shape[1] - Zb.sum(axis=1)).astype(np.int64)
