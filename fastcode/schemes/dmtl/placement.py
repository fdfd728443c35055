"""Data placements of coded DMTL (:ref:`placements <dmtl-placements>`).

A placement is a 0/1 matrix ``Z`` of shape (K, N): ``Z[k, n] = 1`` iff worker
k stores dataset n.  Every function here returns a fresh C-contiguous ``bool``
array of that shape, validated by ``as_placement``: every worker stores at
least one dataset and every dataset has at least one holder.
"""
import itertools
import operator

import numpy as np

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


def as_placement(Z, name="Z"):
    """Validate a placement: a 2-D 0/1 (or bool) matrix, shape (K, N), K >= 1, N >= 1.

    Raises InvalidArgumentError naming ``name`` if Z is not 2-D, holds values
    other than 0/1, has a worker storing nothing (an "empty worker") or a
    dataset stored nowhere.  Returns a new C-contiguous bool array."""
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


def cyclic_placement(K, M):
    """Cyclic placement, N = K: worker k stores {k, k+1, ..., k+M-1} mod K.  1 <= M <= K."""
    K = integer(K, "K", 1)
    M = integer(M, "M", 1)
    if M > K:
        raise InvalidArgumentError(f"M must be <= K, got M={M} > K={K}")
    Z = np.zeros((K, K), dtype=bool)
    for k in range(K):
        Z[k, [(k + i) % K for i in range(M)]] = True
    return Z


def man_placement(K, r, eta=1):
    """MAN ("flexible") placement: N = C(K, r) * eta datasets.

    Dataset block b (in lexicographic order of the r-subsets of workers) holds
    datasets b*eta .. b*eta+eta-1, stored by exactly the workers of that
    subset, so every worker stores N r / K datasets."""
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


def placement_from_sets(sets, N=None):
    """Placement from the stored index sets M_k (iterables of dataset indices).

    N defaults to 1 + the largest index.  Out-of-range or negative indices
    raise InvalidArgumentError; the result is validated by ``as_placement``."""
    sets = [list(s) for s in sets]
    if not sets:
        raise InvalidArgumentError("sets must name at least one worker")
    flat = [operator.index(n) for s in sets for n in s]
    if N is None:
        N = max(flat) + 1 if flat else 0
    N = integer(N, "N", 1)
    Z = np.zeros((len(sets), N), dtype=bool)
    for k, s in enumerate(sets):
        for n in s:
            n = operator.index(n)
            if not 0 <= n < N:
                raise InvalidArgumentError(f"sets[{k}] has dataset index {n} outside 0..{N - 1}")
            Z[k, n] = True
    return as_placement(Z, "sets")


def random_placement(K, N, rng=None, density=0.5, max_tries=1000):
    """A random valid heterogeneous placement (each entry 1 with prob. ``density``),
    redrawn until no worker is empty, no dataset unstored and no worker stores all."""
    K = integer(K, "K", 2)
    N = integer(N, "N", 1)
    if not 0.0 < density < 1.0:
        raise InvalidArgumentError(f"density must be in (0, 1), got {density}")
    rng = as_generator(rng)
    for _ in range(max_tries):
        Z = rng.random((K, N)) < density
        # a worker that stores everything needs nothing: allowed, but dull for a demo
        if Z.any(axis=1).all() and Z.any(axis=0).all() and not Z.all(axis=1).any():
            return Z
    raise InvalidArgumentError(f"no valid random placement found for K={K}, N={N}, density={density}")


def placement_sets(Z):
    """The stored index sets M_k as a list of sorted tuples."""
    Z = as_placement(Z)
    return [tuple(np.flatnonzero(row).tolist()) for row in Z]


def holders(Z):
    """holders(n) = {k : n in M_k} for every dataset, as a list of tuples."""
    Z = as_placement(Z)
    return [tuple(np.flatnonzero(col).tolist()) for col in Z.T]


def misses(Z):
    """N - m_k for every worker: the number of values worker k lacks (int array, shape (K,))."""
    Z = as_placement(Z)
    return (Z.shape[1] - Z.sum(axis=1)).astype(np.int64)


