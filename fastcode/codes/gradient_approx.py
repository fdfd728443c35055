"""Approximate gradient codes (:ref:`gradient-expander`, :ref:`gradient-comm-approx`,
:ref:`gradient-stochastic`).

Real-valued (float64) only.  Every class is a ``GradientCode`` whose decoder
takes ``decoder=`` and, for the fixed decoders that rescale by the survival
probability, ``p=``:

- ``"optimal"``: least squares w_u* = argmin ||B_F^T w - t_u|| (biased, smallest
  error); cached by responder set.
- ``"fixed"``: a decoder that does not adapt to F (unbiased under i.i.d.
  Bernoulli(p) failures for ``ApproxCommEfficient``/``StackedApprox``/``StochasticGC``;
  n/|F| on the responders for ``ExpanderApprox``).

Error measure (:ref:`the error measure <gradient-error-measure>`; our normalisation, the
paper's is unknown):
``error(F) = sum_u ||B_F^T w_u - t_u||^2`` with t_u = e_u (x) 1_N, *not*
divided by m N -- divide by ``m * N`` for a per-coordinate figure (the
reproduction does).  ``lower_bound(F)`` = sum_j max(0, m - c_j(F))
(:ref:`the lower bound <gradient-lower-bound>`) bounds the optimal error of *any* linear scheme with that assignment.
"""
import math

import numpy as np

from fastcode.codes.designs import (biregular_graph, check_assignment, random_regular_graph,
                                    second_eigenvalue)
from fastcode.codes.gradient import GradientCode, DEFAULT_CACHE_SIZE
try:
    from fastcode.codes import _recovery
except ImportError:     # unbuilt source tree (FASTCODE_BACKEND=numpy): the NumPy twin
    from fastcode.reference import recovery as _recovery
from fastcode.codes.base import REQUIRED, renamed
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError
from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.fields.reals import Reals

#: The decoders every approximate code offers (``decoder=``): least squares, or fixed.
DECODERS = ("optimal", "fixed")


class ApproxGradientCode(GradientCode):
    """Base of the approximate codes: B (n, m N) float64 and the all-present weights
    ``full_weights`` (m, n) from which the fixed decoder is derived.

    The ``Code`` contract with k = 1: both decoders give an answer (approximate)
    from any non-empty responder set, so ``can_decode(indices)`` is True iff
    ``indices`` is non-empty.  Field: Reals only (least squares and unbiased
    rescaling are real-valued ideas)."""

    exact = False
    needs_p = True          # fixed decoder rescales by 1 / (1 - p)

    def __init__(self, blocks, assignment, full_weights, cache_size=DEFAULT_CACHE_SIZE):
        super().__init__(blocks, assignment, field=Reals, s=None, cache_size=cache_size)
        self.full_weights = np.ascontiguousarray(full_weights, dtype=np.float64).reshape(self.m, self.n)
        self.full_weights.flags.writeable = False

    @property
    def recovery_threshold(self):
        """Approximate codes decode from any non-empty responder set."""
        return 1

    def can_decode(self, indices=REQUIRED, *, responders=None):
        """True iff ``indices`` holds at least one responder (either decoder then answers).
        (``responders=`` is the deprecated name of ``indices``.)"""
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.can_decode", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        return len(idx) >= 1

    def _decoder(self, decoder, p):
        if decoder not in DECODERS:
            raise InvalidArgumentError(f"decoder must be one of {DECODERS}, got {decoder!r}")
        if decoder == "fixed" and self.needs_p:
            if p is None or not 0 <= p < 1:
                raise InvalidArgumentError(f"the fixed decoder needs the failure probability "
                                           f"0 <= p < 1, got p={p!r}")
        return decoder

    def _fixed_weights(self, idx, p):
        """(m, |F|) fixed-decoder weights aligned with idx."""
        return self.full_weights[:, idx] / (1.0 - p)

    def decode_weights(self, indices=REQUIRED, decoder="optimal", p=None, *, responders=None):
        """Weights aligned with ``indices``: (|F|,) if m == 1, else (m, |F|).

        decoder="optimal" (least squares, cached by the responder set) or "fixed"
        (see the class; needs ``p`` where stated).  An empty responder set raises
        NotEnoughShardsError.  (``responders=`` is the deprecated name of ``indices``.)"""
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.decode_weights", "indices", indices,
                              "responders", responders)
        decoder = self._decoder(decoder, p)
        if decoder == "optimal":
            return super().decode_weights(indices)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        self._check_enough(idx)
        W = self._fixed_weights(idx, p)
        return W[0] if self.m == 1 else W

    def _check_enough(self, idx):
        if len(idx) == 0:
            raise NotEnoughShardsError("no responders: nothing to decode")

    def decode(self, results=REQUIRED, indices=REQUIRED, out=None, decoder="optimal", p=None, *,
               coded=None, responders=None):
        """Approximate gradient sum, (m L,), from the responders' messages (see
        ``GradientCode.decode`` for shapes and ``decode_weights`` for the decoders).
        (``coded=`` and ``responders=`` are the deprecated keyword names.)"""
        if coded is not None or responders is not None or results is REQUIRED or indices is REQUIRED:
            name = f"{type(self).__name__}.decode"
            results = renamed(name, "results", results, "coded", coded)
            indices = renamed(name, "indices", indices, "responders", responders)
        W = self.decode_weights(indices, decoder=decoder, p=p)
        return self.combine(W, results, out)

    def residual(self, indices=REQUIRED, decoder="optimal", p=None, *, responders=None):
        """R (m N, m) = B_F^T W^T - T: column u is the coefficient error of block u.
        (``responders=`` is the deprecated name of ``indices``.)"""
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.residual", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        if len(idx) == 0:
            return -self.targets()
        W = self.decode_weights(idx, decoder=decoder, p=p).reshape(self.m, len(idx))
        return self.B[idx].T @ W.T - self.targets()

    def error(self, indices=REQUIRED, decoder="optimal", p=None, *, responders=None):
        """sum_u ||B_F^T w_u - t_u||^2 (not normalised; divide by m N per coordinate).
        An empty responder set gives m N (nothing recovered).  (``responders=`` is the
        deprecated name of ``indices``.)"""
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.error", "indices", indices,
                              "responders", responders)
        R = self.residual(indices, decoder=decoder, p=p)
        return float(np.sum(R * R))

    def lower_bound(self, indices=REQUIRED, *, responders=None):
        """sum_j max(0, m - c_j(F)), c_j(F) = surviving holders of part j
        (:ref:`the lower bound <gradient-lower-bound>`): no linear
        scheme on this assignment has a smaller optimal error for this F.  (``responders=``
        is the deprecated name of ``indices``.)"""
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.lower_bound", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        c = self.assignment[idx].sum(axis=0, dtype=np.int64)
        return float(np.maximum(0, self.m - c).sum())

    def expected_fixed_error(self, p):
        """E[error(F, "fixed", p)] for the fixed decoder with weights ``full_weights / (1 - p)``
        on the responders (``ApproxCommEfficient``, ``StackedApprox``), when each worker fails
        independently with probability ``p`` (0 <= p < 1)
        (:ref:`the expected error <gradient-fixed-error>`)::

            ||R_all||^2 + p / (1 - p) * sum_u sum_i w_u[i]^2 ||B[i, :]||^2,

        R_all the all-present residual (0 when the all-present weights are exact): the squared
        bias plus the variance of the unbiased-scaled sum.  The empty responder set enters with
        error([]) = m N, which is what the weights applied to nothing give, so it needs no
        special case.  Subclasses whose fixed decoder uses other weights override this."""
        if not 0 <= p < 1:
            raise InvalidArgumentError(f"need 0 <= p < 1, got {p}")
        R = self.B.T @ self.full_weights.T - self.targets()
        rownorm2 = np.sum(self.B * self.B, axis=1)                 # (n,)
        return float(np.sum(R * R) + p / (1.0 - p) * np.sum(self.full_weights ** 2 * rownorm2))


class ApproxCommEfficient(ApproxGradientCode):
    """Communication-efficient approximate gradient code, constrained-random-coefficient
    scheme (:ref:`constrained random coefficients <gradient-constrained-random>`;
    fastcode's reconstruction of Munim & Ramamoorthy).

    Decoding vectors W (n, m): w_0 = 1, w_u Rademacher (redrawn until W[N_j, :] has
    rank m for every part j, N_j its holders).  For each part j and block u the
    coefficients on N_j are b = M_j^+ e_u + z, M_j = W[N_j, :]^T, z a random vector
    of null(M_j) scaled to ``null_scale * ||M_j^+ e_u||``.  Exact with every worker;
    the fixed decoder (1/(1-p)) sum_{i in F} w_u[i] y_i is unbiased.

    assignment (n, N) 0/1 with every part on >= m workers; rng seed or Generator."""

    def __init__(self, assignment, m=2, rng=None, null_scale=1.0, max_redraws=1000,
                 cache_size=DEFAULT_CACHE_SIZE):
        A = check_assignment(assignment)
        m = integer(m, "m", 1)
        if not null_scale >= 0:
            raise InvalidArgumentError(f"null_scale must be >= 0, got {null_scale!r}")
        n, N = A.shape
        reps = A.sum(axis=0)
        if reps.min() < m:
            j = int(np.argmin(reps))
            raise InvalidArgumentError(f"part {j} is held by {reps[j]} workers; the scheme needs "
                                       f"every part on at least m = {m}")
        rng = as_generator(rng)
        holders = [np.flatnonzero(A[:, j]) for j in range(N)]
        for _ in range(max_redraws):
            W = np.ones((n, m))
            if m > 1:
                W[:, 1:] = rng.choice([-1.0, 1.0], size=(n, m - 1))
            if all(np.linalg.matrix_rank(W[h]) == m for h in holders):
                break
        else:
            raise InvalidArgumentError("could not draw decoding vectors of full rank on every "
                                       "holder set (replication too small?)")
        blocks = np.zeros((m, n, N))
        for j, h in enumerate(holders):
            M = W[h].T                                          # (m, r_j)
            Mp = np.linalg.pinv(M)                              # (r_j, m)
            proj = np.eye(len(h)) - Mp @ M                     # onto null(M)
            for u in range(m):
                b = Mp[:, u].copy()
                if null_scale > 0 and len(h) > m:
                    z = proj @ rng.standard_normal(len(h))
                    zn = np.linalg.norm(z)
                    if zn > 1e-12:
                        b += z * (null_scale * np.linalg.norm(Mp[:, u]) / zn)
                blocks[u, h, j] = b
        self.null_scale = float(null_scale)
        super().__init__(blocks, A, W.T, cache_size=cache_size)


class StackedApprox(ApproxGradientCode):
    """Vertical-stacking baseline (:ref:`the baseline <gradient-stacked>`): workers split into m groups G_u; worker
    i in G_u sends only block u, y_i = sum_j A[i, j] g_j[u].  Default groups
    G_u = {i : i mod m = u}; ``StackedApprox.stack(base, m)`` builds the literal
    stack [A'; ...; A'] with block u on copy u.

    Fixed decoder: each group's all-present least-squares vector, scaled by 1/(1-p)."""

    def __init__(self, assignment, m=2, groups=None, cache_size=DEFAULT_CACHE_SIZE):
        A = check_assignment(assignment)
        m = integer(m, "m", 1)
        n, N = A.shape
        groups = np.arange(n) % m if groups is None else np.asarray(groups)
        if groups.shape != (n,) or groups.dtype.kind not in "iu" or groups.min() < 0 \
                or groups.max() >= m:
            raise InvalidArgumentError(f"groups must give each of the {n} workers a group in [0, {m})")
        blocks = np.zeros((m, n, N))
        full = np.zeros((m, n))
        for u in range(m):
            G = np.flatnonzero(groups == u)
            blocks[u, G] = A[G]
            if len(G):
                full[u, G] = np.linalg.lstsq(A[G].T.astype(float), np.ones(N), rcond=None)[0]
        self.groups = groups
        super().__init__(blocks, A, full, cache_size=cache_size)

    @classmethod
    def stack(cls, base_assignment, m=2, cache_size=DEFAULT_CACHE_SIZE):
        """Literal vertical stack of an (n', N) assignment: m copies, block u on copy u."""
        Ab = check_assignment(base_assignment)
        A = np.concatenate([Ab] * m, axis=0)
        return cls(A, m, groups=np.repeat(np.arange(m), Ab.shape[0]), cache_size=cache_size)


class ExpanderApprox(ApproxGradientCode):
    """Approximate gradient code from a d-regular graph (Raviv et al., :ref:`gradient-expander`):
    workers are vertices, worker i holds the parts of its neighbours, B = Adj / d.

    Fixed decoder: n / |F| on every responder (no p needed).  Error bound
    ``error_bound(s) = (lambda / d)^2 n s / (n - s)`` for any n - s responders."""

    needs_p = False

    def __init__(self, adjacency, cache_size=DEFAULT_CACHE_SIZE):
        A = check_assignment(adjacency, "adjacency")
        n = A.shape[0]
        if A.shape != (n, n) or np.any(A != A.T) or np.any(np.diag(A)):
            raise InvalidArgumentError("adjacency must be a symmetric 0/1 matrix without loops")
        deg = A.sum(axis=1)
        if deg.min() != deg.max() or deg[0] == 0:
            raise InvalidArgumentError(f"the graph must be regular of degree >= 1, got degrees "
                                       f"{deg.min()}..{deg.max()}")
        self.degree = int(deg[0])
        self.lam = second_eigenvalue(A)
        super().__init__((A / self.degree)[None], A, np.ones((1, n)), cache_size=cache_size)

    @classmethod
    def random(cls, n, degree, rng=None):
        """Code on a random simple ``degree``-regular graph on n vertices."""
        return cls(random_regular_graph(n, degree, rng))

    def _fixed_weights(self, idx, p):
        return np.full((1, len(idx)), self.n / len(idx))

    def expected_fixed_error(self, p):
        """E[error(F, "fixed")] of *this* class's fixed decoder (weights n / |F| on the
        responders) when each worker fails independently with probability ``p``
        (0 <= p < 1): the error averaged over all 2^n failure patterns, pattern F weighted
        (1 - p)^|F| p^(n - |F|).  Not the base-class formula, which is for 1/(1-p) weights.

        Conditioned on |F| = f >= 1, F is a uniform f-subset; with c = n / f, G = B B^T,
        g = B t (t = 1_N the target) the residual c B_F^T 1_F - t has mean square

            E_f = c^2 [f/n tr G + f(f-1)/(n(n-1)) (1^T G 1 - tr G)] - 2 c f/n 1^T g + ||t||^2,

        which for a d-regular graph (B = Adj / d) is  E_f = n (n - f)(n - d) / (f d (n - 1))
        (0 at f = n).  The empty set counts as error([]) = m N = n (nothing recovered).
        Returns sum_f binom(n, f) (1 - p)^f p^(n - f) E_f."""
        if not 0 <= p < 1:
            raise InvalidArgumentError(f"need 0 <= p < 1, got {p}")
        n = self.n
        t = self.targets()[:, 0]
        G = self.B @ self.B.T
        trace, total = float(np.trace(G)), float(G.sum())
        g_sum = float((self.B @ t).sum())
        f = np.arange(1, n + 1, dtype=np.float64)
        pair = f * (f - 1) / (n * (n - 1)) if n > 1 else np.zeros(n)
        c = n / f
        per_size = (c * c * (f / n * trace + pair * (total - trace)) - 2 * c * f / n * g_sum
                    + float(t @ t))
        weights = _binomial_pmf(n, 1.0 - p)                        # P(|F| = 0..n)
        return float(weights[0] * self.m * self.N + weights[1:] @ per_size)

    def error_bound(self, s):
        """(lambda/d)^2 n s / (n - s): bound on error(F, "fixed") for every F with
        |F| = n - s (worst case over F, not an expectation); lambda = ``self.lam``, the
        largest |eigenvalue| of Adj on the orthogonal complement of 1."""
        s = integer(s, "s", 0)
        if s >= self.n:
            raise InvalidArgumentError(f"need s < n, got s={s}")
        return (self.lam / self.degree) ** 2 * self.n * s / (self.n - s)


class StochasticGC(ApproxGradientCode):
    """Stochastic gradient coding (Bitar, Wootters, El Rouayheb;
    :ref:`gradient-stochastic`): worker i
    sends sum_{j in S_i} g_j / (r_j (1 - p)); the master adds whatever arrives
    (fixed decoder: weight 1 on every responder).  Unbiased under i.i.d.
    Bernoulli(p) failures.  r_j is the replication of part j (the paper's c when
    uniform)."""

    needs_p = False

    def __init__(self, assignment, p, cache_size=DEFAULT_CACHE_SIZE):
        A = check_assignment(assignment)
        if not 0 <= p < 1:
            raise InvalidArgumentError(f"need 0 <= p < 1, got p={p!r}")
        reps = A.sum(axis=0)
        if reps.min() < 1:
            raise InvalidArgumentError(f"part {int(np.argmin(reps))} is held by no worker")
        self.p = float(p)
        B = A / (reps[None, :] * (1.0 - p))
        super().__init__(B[None], A, np.ones((1, A.shape[0])), cache_size=cache_size)

    def _fixed_weights(self, idx, p):
        return np.ones((1, len(idx)))

    def expected_fixed_error(self, p=None):
        """E[error(F, "fixed")] when each worker fails independently with the code's own
        probability ``self.p`` (the argument, if given, must equal it): the weights are 1 and
        B already carries 1/(1-p), so this is the squared bias (0 when every part has a
        holder) plus p (1 - p) sum_i ||B[i, :]||^2.  The empty responder set enters with
        error([]) = m N, which needs no special case."""
        if p is not None and p != self.p:
            raise InvalidArgumentError(f"this code is built for p={self.p}, got p={p}")
        q = self.p
        R = (1.0 - q) * self.B.T.sum(axis=1) - 1.0               # bias with all present: 0
        return float(np.sum(R * R) + q * (1.0 - q) * np.sum(self.B * self.B))


def _binomial_pmf(n, q):
    """P(Binomial(n, q) = f) for f = 0..n, float64 (n + 1,), summed in log space (no
    overflow of binom(n, f) for large n; q = 0 or 1 exactly gives a point mass)."""
    f = np.arange(n + 1)
    if q <= 0.0 or q >= 1.0:
        return (f == (n if q >= 1.0 else 0)).astype(np.float64)
    lgam = np.array([math.lgamma(k + 1.0) for k in range(n + 1)])
    logpmf = lgam[n] - lgam - lgam[::-1] + f * math.log(q) + (n - f) * math.log1p(-q)
    return np.exp(logpmf)


def biregular_assignment(a=40, b=20, d_left=3, d_right=6, workers="left", rng=None):
    """Assignment from an (a, b, d_left, d_right) bi-regular graph: workers on the
    ``workers`` side ("left": a workers x b parts; "right": b workers x a parts)."""
    G = biregular_graph(a, b, d_left, d_right, rng=rng)
    if workers == "left":
        return G
    if workers == "right":
        return np.ascontiguousarray(G.T)
    raise InvalidArgumentError(f"workers must be 'left' or 'right', got {workers!r}")


__all__ = ["ApproxGradientCode", "ApproxCommEfficient", "StackedApprox", "ExpanderApprox",
           "StochasticGC", "biregular_assignment", "DECODERS"]
