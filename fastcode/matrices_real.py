"""Real-valued generator constructions and their numerical risk
(:ref:`codes-real-generators`).

Orientation: a generator's **columns are indexed by
workers**.  ``G`` has shape (k, n), or (k q, n q) for embeddings that give
each worker q columns (``columns_per_worker``).  Worker j stores
sum_i G[i, j] X_i; the responders S decode by solving with ``G[:, cols(S)]``
(the recovery matrix).  Transpose to get the (n, k) layout of MDSCode.

Constructions, worst conditioning over responder sets first (:ref:`conditioning <codes-conditioning>`):

- ``real_vandermonde`` -- monomials at linspace(-1, 1, n): exponentially
  ill-conditioned (kappa ~ 1e13 at n = 31); a baseline, not for use.
- ``chebyshev_nodes``, ``chebyshev_vandermonde`` -- T_l at Chebyshev points
  (Fahim & Cadambe): kappa polynomial in n for fixed n - k.
- ``complex_vandermonde`` (nodes on the unit circle) and its real
  ``rotation_generator`` (Ramamoorthy & Tang): same kappa, small.
- ``circulant_generator`` with ``circulant_encode`` / ``circulant_decode``
  (additions-only encoding, FFT-domain decoding).
- ``gaussian_generator`` / ``best_gaussian_generator`` (best of several draws).
- Matrix-matrix (K = k_A k_B): ``polynomial_code_generator`` (real or
  complex), ``orthopoly_generator`` (Chebyshev), ``rotation_matmul_generator``.

``condition_numbers(G, k, columns_per_worker)`` gives the worst and mean
2-norm condition number of the recovery matrices: exhaustive over all C(n, k)
responder sets when that is at most ``max_sets``, otherwise over ``max_sets``
sets drawn uniformly (the result says which).  NumPy only.
"""
import itertools
import math
from collections import namedtuple

import numpy as np

from fastcode.errors import NotEnoughShardsError, ShardSizeError
from fastcode._util.rng import as_generator
from fastcode.fields.prime import is_prime

DEFAULT_MAX_SETS = 20000
"""Above this many responder sets, condition numbers are estimated by sampling."""


def _check_nk(n, k):
    if not (isinstance(n, (int, np.integer)) and isinstance(k, (int, np.integer))):
        raise TypeError(f"n and k must be integers, got {n!r}, {k!r}")
    if not 1 <= k <= n:
        raise ShardSizeError(f"need 1 <= k <= n, got n={n}, k={k}")


# ---- single-code constructions (matrix-vector) --------------------------------------

def real_vandermonde(n, k, points=None):
    """G[l, j] = x_j^l, shape (k, n) float64; default points linspace(-1, 1, n).

    Ill-conditioned: the worst recovery matrix has kappa ~ 8.8e3 at (11, 9) and
    ~ 3e13 at (31, 29).  Use Chebyshev or unit-circle constructions instead."""
    _check_nk(n, k)
    x = np.linspace(-1.0, 1.0, n) if points is None else np.asarray(points, dtype=np.float64)
    if x.shape != (n,):
        raise ShardSizeError(f"points must have shape ({n},), got {x.shape}")
    return x[None, :] ** np.arange(k)[:, None]


def chebyshev_nodes(n):
    """Chebyshev points of the first kind: rho_j = cos((2j + 1) pi / (2n)), j < n."""
    if n < 1:
        raise ShardSizeError(f"n must be >= 1, got {n}")
    return np.cos((2 * np.arange(n) + 1) * np.pi / (2 * n))


def chebyshev_polynomials(k, x):
    """T_l(x) for l < k, shape (k,) + x.shape, by T_{l+1} = 2x T_l - T_{l-1}."""
    x = np.asarray(x, dtype=np.float64)
    T = np.empty((k,) + x.shape)
    if k > 0:
        T[0] = 1.0
    if k > 1:
        T[1] = x
    for l in range(2, k):
        T[l] = 2 * x * T[l - 1] - T[l - 2]
    return T


def chebyshev_vandermonde(n, k, nodes=None):
    """G[l, j] = T_l(rho_j), shape (k, n) float64; default nodes ``chebyshev_nodes(n)``."""
    _check_nk(n, k)
    rho = chebyshev_nodes(n) if nodes is None else np.asarray(nodes, dtype=np.float64)
    if rho.shape != (n,):
        raise ShardSizeError(f"nodes must have shape ({n},), got {rho.shape}")
    return chebyshev_polynomials(k, rho)


def complex_vandermonde(n, k):
    """G[l, j] = w^(l j) with w = exp(2 pi i / n): shape (k, n) complex128."""
    _check_nk(n, k)
    e = np.outer(np.arange(k), np.arange(n)) % n        # reduce: exact angles
    return np.exp(2j * np.pi * e / n)


def rotation_matrix(theta):
    """[[cos, -sin], [sin, cos]] for angle theta."""
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _rotation_power(theta, e):
    # R^e is the rotation by e theta: computing it directly avoids error growth
    return rotation_matrix(e * theta)


def rotation_generator(n, k, theta=None):
    """Rotation embedding (:ref:`rotation embedding <codes-rotation-embedding>`): G (2k, 2n) float64 with 2x2 blocks
    G[(i, j)] = R^(i j), R the rotation by theta = 2 pi / n (default).
    Worker j owns columns 2j, 2j+1 (``columns_per_worker=2``).  Its recovery
    matrices have exactly the conditioning of ``complex_vandermonde(n, k)``."""
    _check_nk(n, k)
    theta = 2 * math.pi / n if theta is None else float(theta)
    G = np.empty((2 * k, 2 * n))
    for i in range(k):
        for j in range(n):
            # (i j) mod n when theta = 2 pi / n keeps the angle small and exact
            e = (i * j) % n if theta == 2 * math.pi / n else i * j
            G[2 * i:2 * i + 2, 2 * j:2 * j + 2] = _rotation_power(theta, e)
    return G


def cyclic_shift(q):
    """q x q cyclic shift P with (P v)[l] = v[(l - 1) mod q]."""
    return np.roll(np.eye(q), 1, axis=0)


def circulant_generator(n, k, q=None):
    """Circulant permutation embedding (:ref:`circulant embedding <codes-circulant-embedding>`): G (k q, n q) with blocks P^(i j),
    P = ``cyclic_shift(q)``, q a prime >= n (default: the smallest).  Worker j
    owns q columns.  Data blocks must be zero-sum per group (``circulant_zero_sum``).

    Note on orientation: the encoder gives worker j as sum_i P^(i j) A_i (the
    block acting on the group's q blocks: coded[j, l] = sum_i A[i, (l - i j) mod q]),
    which ``circulant_encode``/``circulant_decode`` implement.  That is G'^T X
    for the generator G' with transposed blocks P^(-i j); both have the same
    recovery condition numbers (frequency f maps to -f), so this function
    returns P^(i j) for conditioning studies."""
    _check_nk(n, k)
    q = _circulant_q(n, q)
    G = np.zeros((k * q, n * q))
    eye = np.eye(q)
    for i in range(k):
        for j in range(n):
            G[i * q:(i + 1) * q, j * q:(j + 1) * q] = np.roll(eye, (i * j) % q, axis=0)
    return G


def _circulant_q(n, q):
    if q is None:
        q = n
        while not is_prime(q):
            q += 1
    if q < n or not is_prime(q):
        raise ShardSizeError(f"q must be a prime >= n = {n}, got {q}")
    return q


def circulant_zero_sum(data):
    """Append the "fake" block: data (k, q - 1, ...) -> (k, q, ...) with last block
    minus the sum of the others, so every group sums to zero."""
    data = np.asarray(data, dtype=np.float64)
    return np.concatenate([data, -data.sum(axis=1, keepdims=True)], axis=1)


def circulant_encode(blocks, n):
    """Worker coded blocks by additions only: blocks (k, q, ...) zero-sum groups ->
    (n, q, ...) with coded[j, l] = sum_i blocks[i, (l - i j) mod q]."""
    blocks = np.asarray(blocks)
    k, q = blocks.shape[:2]
    out = np.zeros((n, q) + blocks.shape[2:], dtype=np.result_type(blocks, np.float64))
    for j in range(n):
        for i in range(k):
            # coded[j, l] += blocks[i, (l - i j) mod q]  ==  roll by i j along axis 0
            out[j] += np.roll(blocks[i], (i * j) % q, axis=0)
    return out


def circulant_decode(results, workers, k):
    """FFT-domain decoding (:ref:`circulant embedding <codes-circulant-embedding>`).  results (r, q, ...) from workers (r >= k
    distinct indices; the first k are used) -> z (k, q, ...) real, the values of
    the k zero-sum groups (the group sums to zero, so frequency 0 is skipped)."""
    results = np.asarray(results, dtype=np.float64)
    workers = [int(w) for w in workers]
    if len(set(workers)) != len(workers):
        raise ShardSizeError("workers must be distinct")
    if len(workers) < k:
        raise NotEnoughShardsError(f"need {k} responders, got {len(workers)}")
    if results.shape[0] != len(workers):
        raise ShardSizeError(f"results has {results.shape[0]} rows, workers has {len(workers)}")
    S = np.array(workers[:k])
    q = results.shape[1]
    tail = results.shape[2:]
    yhat = np.fft.fft(results[:k].reshape(k, q, -1), axis=1)     # (k, q, m)
    zhat = np.zeros((k, q, yhat.shape[2]), dtype=np.complex128)
    i = np.arange(k)
    for f in range(1, q):
        # yhat_j(f) = sum_i w^(-f i j) zhat_i(f),  w = exp(2 pi i / q)
        V = np.exp(-2j * np.pi * ((f * np.outer(S, i)) % q) / q)
        zhat[:, f] = np.linalg.solve(V, yhat[:, f])
    z = np.fft.ifft(zhat, axis=1).real
    return z.reshape((k, q) + tail)


def circulant_frequency_matrices(n, k, q=None):
    """The per-frequency systems V_f[j, i] = w^(-f i j), f = 1..q-1: (q-1, n, k) complex."""
    _check_nk(n, k)
    q = _circulant_q(n, q)
    f = np.arange(1, q)[:, None, None]
    e = (f * np.arange(n)[None, :, None] * np.arange(k)[None, None, :]) % q
    return np.exp(-2j * np.pi * e / q)


def gaussian_generator(n, k, rng=None):
    """G i.i.d. N(0, 1), shape (k, n): MDS with probability 1."""
    _check_nk(n, k)
    return as_generator(rng).standard_normal((k, n))


def best_gaussian_generator(n, k, draws=50, rng=None, max_sets=2000):
    """The best of ``draws`` Gaussian generators by worst recovery condition number.

    Returns (G, worst kappa).  Each draw is scored with ``condition_numbers``
    (exhaustive if C(n, k) <= max_sets, else max_sets sampled sets)."""
    rng = as_generator(rng)
    best = None
    for _ in range(draws):
        G = gaussian_generator(n, k, rng)
        worst = condition_numbers(G, k, max_sets=max_sets, rng=rng).worst
        if best is None or worst < best[1]:
            best = (G, worst)
    return best


# ---- matrix-matrix constructions (K = k_A k_B) ----------------------------------------

def polynomial_code_generator(n, k_a, k_b, points=None, kind="real"):
    """Polynomial code (Yu et al.) over the reals: G[(a, b), j] = x_j^(a + b k_A),
    rows ordered by a + b k_A, shape (K, n).  kind="real": x = linspace(-1, 1, n)
    (or ``points``); kind="complex": x_j = w^j on the unit circle."""
    K = k_a * k_b
    _check_nk(n, K)
    if kind == "complex":
        return complex_vandermonde(n, K)
    if kind != "real":
        raise ValueError(f"kind must be 'real' or 'complex', got {kind!r}")
    return real_vandermonde(n, K, points)


def orthopoly_generator(n, k_a, k_b, nodes=None):
    """Chebyshev OrthoPoly (:ref:`OrthoPoly <codes-orthopoly>`): G[(a, b), j] = T_a(rho_j) T_(b k_A)(rho_j),
    row a + b k_A, shape (K, n)."""
    K = k_a * k_b
    _check_nk(n, K)
    rho = chebyshev_nodes(n) if nodes is None else np.asarray(nodes, dtype=np.float64)
    T = chebyshev_polynomials(max(k_a, (k_b - 1) * k_a + 1), rho)
    G = np.empty((K, n))
    for b in range(k_b):
        for a in range(k_a):
            G[a + b * k_a] = T[a] * T[b * k_a]
    return G


def rotation_matmul_generator(n, k_a, k_b, theta=None):
    """Rotation embedding for A^T B (:ref:`rotation embedding <codes-rotation-embedding>`): (4K, 4n), worker j's 4 columns
    kron(GA_j, GB_j) with GA_j = stack of R^(k_B a j) (a < k_A) and GB_j = stack of
    R^(b j) (b < k_B).  ``columns_per_worker=4``; recovery threshold K."""
    K = k_a * k_b
    _check_nk(n, K)
    theta = 2 * math.pi / n if theta is None else float(theta)
    G = np.empty((4 * K, 4 * n))
    for j in range(n):
        GA = np.vstack([_rotation_power(theta, k_b * a * j) for a in range(k_a)])
        GB = np.vstack([_rotation_power(theta, b * j) for b in range(k_b)])
        G[:, 4 * j:4 * j + 4] = np.kron(GA, GB)
    return G


# ---- condition numbers --------------------------------------------------------------

class ConditionReport(namedtuple("_ConditionTriple", "worst mean worst_set")):
    """(worst, mean, worst_set) of the recovery condition numbers (2-norm), plus the attributes ``n_sets`` (how many responder
    sets were evaluated) and ``exhaustive`` (whether that was all C(n, k))."""

    def __new__(cls, worst, mean, worst_set, n_sets, exhaustive):
        self = super().__new__(cls, worst, mean, worst_set)
        self.n_sets = n_sets            # no __slots__: instances have a __dict__
        self.exhaustive = exhaustive
        return self

    def __repr__(self):
        how = "all" if self.exhaustive else "sampled"
        return (f"ConditionReport(worst={self.worst:.4g}, mean={self.mean:.4g}, "
                f"worst_set={self.worst_set}, {how} {self.n_sets} sets)")


def responder_sets(n, k, max_sets=DEFAULT_MAX_SETS, rng=None):
    """(sets as an (S, k) int array, exhaustive flag): all C(n, k) sets if at most
    max_sets, else max_sets uniformly drawn ones (possibly repeated)."""
    total = math.comb(n, k)
    if max_sets is None or total <= max_sets:
        return np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(total, k), True
    rng = as_generator(rng)
    sets = np.sort(np.argsort(rng.random((max_sets, n)), axis=1)[:, :k], axis=1)
    return sets, False


def _kappas(mats):
    s = np.linalg.svd(mats, compute_uv=False)
    with np.errstate(divide="ignore"):
        return np.where(s[:, -1] > 0, s[:, 0] / s[:, -1], np.inf)


def condition_numbers(G, k, columns_per_worker=1, max_sets=DEFAULT_MAX_SETS, rng=None, chunk=256):
    """Worst/mean condition number of G's recovery matrices over responder sets.

    G (rows, n * columns_per_worker), real or complex; a set S of k workers
    selects their columns_per_worker columns each.  Exhaustive when
    C(n, k) <= max_sets (``max_sets=None``: always), otherwise ``max_sets``
    uniformly sampled sets; the returned ConditionReport states which."""
    G = np.asarray(G)
    c = int(columns_per_worker)
    if G.ndim != 2 or G.shape[1] % c:
        raise ShardSizeError(f"G must be 2-D with a multiple of {c} columns, got shape {G.shape}")
    n = G.shape[1] // c
    _check_nk(n, k)
    sets, exhaustive = responder_sets(n, k, max_sets, rng)
    cols = (sets[:, :, None] * c + np.arange(c)).reshape(len(sets), k * c)
    kap = np.empty(len(sets))
    for s0 in range(0, len(sets), chunk):
        block = cols[s0:s0 + chunk]
        kap[s0:s0 + chunk] = _kappas(np.moveaxis(G[:, block], 1, 0))
    w = int(np.argmax(kap))
    return ConditionReport(float(kap[w]), float(np.mean(kap)), tuple(int(x) for x in sets[w]),
                           len(sets), exhaustive)


def worst_condition_number(G, k, columns_per_worker=1, max_sets=DEFAULT_MAX_SETS, rng=None):
    """The worst recovery condition number (see ``condition_numbers``)."""
    return condition_numbers(G, k, columns_per_worker, max_sets, rng).worst


def average_condition_number(G, k, columns_per_worker=1, max_sets=DEFAULT_MAX_SETS, rng=None):
    """The mean recovery condition number (see ``condition_numbers``)."""
    return condition_numbers(G, k, columns_per_worker, max_sets, rng).mean


def circulant_condition_numbers(n, k, q=None, max_sets=DEFAULT_MAX_SETS, rng=None):
    """Worst/mean over responder sets of the worst per-frequency kappa (f = 1..q-1)
    of the circulant embedding (:ref:`circulant embedding <codes-circulant-embedding>`).  The mean is over sets of the
    per-set worst frequency."""
    V = circulant_frequency_matrices(n, k, q)             # (q-1, n, k)
    sets, exhaustive = responder_sets(n, k, max_sets, rng)
    kap = np.empty(len(sets))
    for s0 in range(0, len(sets), 256):
        S = sets[s0:s0 + 256]                                  # (b, k)
        mats = V[:, S, :]                                      # (q-1, b, k, k)
        kv = _kappas(mats.reshape(-1, k, k)).reshape(V.shape[0], len(S))
        kap[s0:s0 + 256] = kv.max(axis=0)
    w = int(np.argmax(kap))
    return ConditionReport(float(kap[w]), float(np.mean(kap)), tuple(int(x) for x in sets[w]),
                           len(sets), exhaustive)
