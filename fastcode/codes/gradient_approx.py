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
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode.codes.designs import (biregular_graph, check_assignment, random_regular_graph,
                                    second_eigenvalue)
from fastcode.codes.gradient import GradientCode, DEFAULT_CACHE_SIZE
if TYPE_CHECKING:
    # the compiled module has no stub; its NumPy twin has the same signatures
    from fastcode.reference import recovery as _recovery
else:
    try:
        from fastcode.codes import _recovery
    except ImportError:     # unbuilt source tree (FASTCODE_BACKEND=numpy): the NumPy twin
        from fastcode.reference import recovery as _recovery
from fastcode.codes.base import REQUIRED, Indices, renamed
from fastcode.fields.base import Regions
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError
from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.fields.reals import Reals

# A random source: None (fresh entropy), an int seed or a numpy.random.Generator.
_RngLike = Union[None, int, np.random.Generator]

#: The decoders every approximate code offers (``decoder=``): least squares, or fixed.
DECODERS = ("optimal", "fixed")


class ApproxGradientCode(GradientCode):
    """Base of the approximate codes: B (n, m N) float64 and the all-present weights
    ``full_weights`` (m, n) from which the fixed decoder is derived.

    The ``Code`` contract with k = 1: both decoders give an answer (approximate)
    from any non-empty responder set, so ``can_decode(indices)`` is True iff
    ``indices`` is non-empty.  Field: Reals only (least squares and unbiased
    rescaling are real-valued ideas).

    Parameters
    ----------
    blocks : (m, n, N) float64 array, or (n, N) for m = 1
        The encoding matrices B_0..B_{m-1}.
    assignment : (n, N) 0/1 array
        Which worker holds which part (the support of ``blocks`` must lie inside it).
    full_weights : (m, n) float64 array
        The all-present decode weights the fixed decoder starts from.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the least-squares weight cache.

    Raises
    ------
    InvalidArgumentError
        A bad assignment, or coefficients outside it.
    ShardSizeError
        ``blocks`` or ``assignment`` of the wrong shape.
    ValueError
        ``full_weights`` does not have m n entries.

    Examples
    --------
    Three workers holding both parts: worker 0 sends g_0, worker 1 sends g_1,
    worker 2 their sum:

    >>> from fastcode.codes.gradient_approx import ApproxGradientCode
    >>> B = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> code = ApproxGradientCode(B, np.ones((3, 2)), full_weights=[0.5, 0.5, 0.5])
    >>> code.recovery_threshold
    1
    >>> round(code.error([0]), 4)               # part 1 is lost: the best is g_0
    1.0
    >>> round(code.error([2]), 4)               # worker 2 alone gives the exact sum
    0.0
    >>> round(code.error([0, 1], "fixed", p=0.0), 4)   # the fixed weights miss by half
    0.5
    """

    exact = False
    needs_p = True          # fixed decoder rescales by 1 / (1 - p)

    def __init__(self, blocks: ArrayLike, assignment: ArrayLike, full_weights: ArrayLike,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        super().__init__(blocks, assignment, field=Reals, s=None, cache_size=cache_size)
        self.full_weights = np.ascontiguousarray(full_weights, dtype=np.float64).reshape(self.m, self.n)
        self.full_weights.flags.writeable = False

    @property
    def recovery_threshold(self) -> int:
        """Approximate codes decode from any non-empty responder set: 1."""
        return 1

    def can_decode(self, indices: Indices = REQUIRED, *,
                   responders: Optional[Indices] = None) -> bool:
        """True iff ``indices`` holds at least one responder (either decoder then answers).

        Parameters
        ----------
        indices : sequence of int
            Distinct worker ids in [0, n), any order.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        bool

        Raises
        ------
        InvalidArgumentError
            Ids out of range, duplicated or not integers.
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.gradient_approx import StochasticGC
        >>> code = StochasticGC(np.eye(3), p=0.5)
        >>> code.can_decode([]), code.can_decode([2])
        (False, True)
        """
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

    def decode_weights(self, indices: Indices = REQUIRED, decoder: str = "optimal",
                       p: Optional[float] = None, *,
                       responders: Optional[Indices] = None) -> np.ndarray:
        """Decode weights aligned with ``indices``, from either decoder.

        Parameters
        ----------
        indices : sequence of int
            The responders F: distinct worker ids in [0, n), any order.
        decoder : {"optimal", "fixed"}
            "optimal": least squares, cached by the responder set; "fixed": the
            class's decoder that does not adapt to F.
        p : float, optional
            Failure probability 0 <= p < 1, needed by the fixed decoder of the
            codes that rescale by 1 / (1 - p) (ApproxCommEfficient, StackedApprox).
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        (|F|,) float64 array if m == 1, else (m, |F|)

        Raises
        ------
        NotEnoughShardsError
            An empty responder set.
        InvalidArgumentError
            An unknown decoder, a missing or out-of-range ``p``, or bad ids.
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import ApproxCommEfficient
        >>> code = ApproxCommEfficient(cyclic_assignment(6, 3), m=2, rng=0)
        >>> code.decode_weights([0, 1, 3, 4]).shape
        (2, 4)
        >>> fixed = code.decode_weights([0, 1, 3, 4], "fixed", p=0.2)   # W[:, F] / (1 - p)
        >>> np.allclose(fixed, code.full_weights[:, [0, 1, 3, 4]] / 0.8)
        True
        """
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

    def decode(self, results: Regions = REQUIRED, indices: Indices = REQUIRED,
               out: Optional[np.ndarray] = None, decoder: str = "optimal",
               p: Optional[float] = None, *, coded: Optional[Regions] = None,
               responders: Optional[Indices] = None) -> np.ndarray:
        """Approximate gradient sum from the responders' messages.

        Parameters
        ----------
        results : (|F|, L) float64 array, or a sequence of |F| 1-D arrays of length L
            Row i sent by worker ``indices[i]``.
        indices : sequence of int
            The responders: distinct worker ids in [0, n), any order.
        out : (m L,) or (m, L) float64 array, optional
            Receives the sum (see ``GradientCode.decode``).
        decoder : {"optimal", "fixed"}
            See ``decode_weights``.
        p : float, optional
            Failure probability, for the fixed decoders that rescale by 1 / (1 - p).
        coded, responders : optional
            Deprecated keyword names of ``results`` and ``indices``.

        Returns
        -------
        (m L,) float64 array, or ``out`` when given
            The approximate sum, blocks u = 0..m-1 concatenated.

        Raises
        ------
        NotEnoughShardsError
            An empty responder set.
        InvalidArgumentError
            An unknown decoder, a missing or out-of-range ``p``, or bad ids.
        ShardSizeError
            ``results`` or ``out`` of the wrong shape.
        FieldTypeError
            Complex results, or ``out`` not float64.
        TypeError
            A new and a deprecated name given together, or neither.

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import ApproxCommEfficient
        >>> code = ApproxCommEfficient(cyclic_assignment(6, 3), m=2, rng=0)
        >>> g = np.random.default_rng(0).standard_normal((6, 4))
        >>> messages = code.encode_all(g)
        >>> np.allclose(code.decode(messages, range(6)), g.sum(axis=0))   # exact with all
        True
        >>> approx = code.decode(messages[[0, 1, 3, 4]], [0, 1, 3, 4])
        >>> approx.shape
        (4,)
        """
        if coded is not None or responders is not None or results is REQUIRED or indices is REQUIRED:
            name = f"{type(self).__name__}.decode"
            results = renamed(name, "results", results, "coded", coded)
            indices = renamed(name, "indices", indices, "responders", responders)
        W = self.decode_weights(indices, decoder=decoder, p=p)
        return self.combine(W, results, out)

    def residual(self, indices: Indices = REQUIRED, decoder: str = "optimal",
                 p: Optional[float] = None, *,
                 responders: Optional[Indices] = None) -> np.ndarray:
        """R = B_F^T W^T - T: column u is the coefficient error of block u.

        Parameters
        ----------
        indices : sequence of int
            The responders F (empty allowed: R = -T).
        decoder : {"optimal", "fixed"}
            See ``decode_weights``.
        p : float, optional
            Failure probability, for the fixed decoders that need it.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        (m N, m) float64 array

        Raises
        ------
        InvalidArgumentError
            An unknown decoder, a missing or out-of-range ``p``, or bad ids.
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.gradient_approx import StochasticGC
        >>> code = StochasticGC([[1, 1, 0], [0, 1, 1], [1, 0, 1]], p=0.5)
        >>> code.residual([0], "fixed").ravel().tolist()     # worker 0 holds parts 0 and 1
        [0.0, 0.0, -1.0]
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.residual", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        if len(idx) == 0:
            return -self.targets()
        W = self.decode_weights(idx, decoder=decoder, p=p).reshape(self.m, len(idx))
        return self.B[idx].T @ W.T - self.targets()

    def error(self, indices: Indices = REQUIRED, decoder: str = "optimal",
              p: Optional[float] = None, *, responders: Optional[Indices] = None) -> float:
        """sum_u ||B_F^T w_u - t_u||^2 (not normalised; divide by m N per coordinate).

        An empty responder set gives m N (nothing recovered).

        Parameters
        ----------
        indices : sequence of int
            The responders F.
        decoder : {"optimal", "fixed"}
            See ``decode_weights``.
        p : float, optional
            Failure probability, for the fixed decoders that need it.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        float

        Raises
        ------
        InvalidArgumentError
            An unknown decoder, a missing or out-of-range ``p``, or bad ids.
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import ApproxCommEfficient
        >>> code = ApproxCommEfficient(cyclic_assignment(6, 3), m=2, rng=0)
        >>> F = [0, 1, 3, 4]
        >>> round(code.error(F), 4), round(code.error(F, "fixed", p=0.2), 4)
        (4.5014, 6.375)
        >>> code.error([]) == code.m * code.N
        True
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.error", "indices", indices,
                              "responders", responders)
        R = self.residual(indices, decoder=decoder, p=p)
        return float(np.sum(R * R))

    def lower_bound(self, indices: Indices = REQUIRED, *,
                    responders: Optional[Indices] = None) -> float:
        """sum_j max(0, m - c_j(F)), c_j(F) = surviving holders of part j.

        No linear scheme on this assignment has a smaller optimal error for this F
        (:ref:`the lower bound <gradient-lower-bound>`).

        Parameters
        ----------
        indices : sequence of int
            The responders F.
        responders : sequence of int, optional
            Deprecated name of ``indices`` (DeprecationWarning).

        Returns
        -------
        float

        Raises
        ------
        InvalidArgumentError
            Ids out of range, duplicated or not integers.
        TypeError
            Both ``indices`` and ``responders`` given, or neither.

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import ApproxCommEfficient
        >>> code = ApproxCommEfficient(cyclic_assignment(6, 3), m=2, rng=0)
        >>> F = [0, 1, 3, 4]
        >>> code.lower_bound(F), code.lower_bound([0])   # one holder left of 3 parts: 3 x (2 - 1)
        (0.0, 9.0)
        >>> code.error(F) >= code.lower_bound(F)
        True
        """
        if responders is not None or indices is REQUIRED:
            indices = renamed(f"{type(self).__name__}.lower_bound", "indices", indices,
                              "responders", responders)
        idx, _, _ = _recovery.parse_responders(indices, self.n)
        c = self.assignment[idx].sum(axis=0, dtype=np.int64)
        return float(np.maximum(0, self.m - c).sum())

    def expected_fixed_error(self, p: float) -> float:
        """E[error(F, "fixed", p)] for the fixed decoder with weights ``full_weights / (1 - p)``
        on the responders (``ApproxCommEfficient``, ``StackedApprox``), when each worker fails
        independently with probability ``p`` (0 <= p < 1)
        (:ref:`the expected error <gradient-fixed-error>`)::

            ||R_all||^2 + p / (1 - p) * sum_u sum_i w_u[i]^2 ||B[i, :]||^2,

        R_all the all-present residual (0 when the all-present weights are exact): the squared
        bias plus the variance of the unbiased-scaled sum.  The empty responder set enters with
        error([]) = m N, which is what the weights applied to nothing give, so it needs no
        special case.  Subclasses whose fixed decoder uses other weights override this.

        Parameters
        ----------
        p : float
            Failure probability of each worker, 0 <= p < 1.

        Returns
        -------
        float

        Raises
        ------
        InvalidArgumentError
            ``p`` outside [0, 1).

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import ApproxCommEfficient
        >>> code = ApproxCommEfficient(cyclic_assignment(6, 3), m=2, rng=0)
        >>> round(code.expected_fixed_error(0.1), 4)
        2.0
        >>> round(code.expected_fixed_error(0.0), 10)   # all present: the weights are exact
        0.0
        """
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

    Parameters
    ----------
    assignment : (n, N) 0/1 array
        Every part on >= m workers.
    m : int, default 2
        Blocks per gradient (messages of length d / m).
    rng : None, int or numpy.random.Generator
        Draws W and the null-space components.
    null_scale : float, default 1.0
        Size of the random null-space component relative to ||M_j^+ e_u|| (>= 0;
        0 gives the minimum-norm coefficients).
    max_redraws : int, default 1000
        Draws of W before giving up.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the least-squares weight cache.

    Raises
    ------
    InvalidArgumentError
        A bad assignment, a part on fewer than m workers, a negative
        ``null_scale``, or no full-rank W in ``max_redraws`` draws.

    Attributes
    ----------
    null_scale : float
        As given.
    full_weights : (m, n) float64 array
        W^T: the all-present decode weights.

    Examples
    --------
    >>> from fastcode.codes.designs import cyclic_assignment
    >>> from fastcode.codes.gradient_approx import ApproxCommEfficient
    >>> code = ApproxCommEfficient(cyclic_assignment(6, 3), m=2, rng=0)
    >>> code
    ApproxCommEfficient(n=6, N=6, m=2, s=None, field=Reals)
    >>> g = np.random.default_rng(0).standard_normal((6, 4))
    >>> messages = code.encode_all(g)                 # (n, d / m)
    >>> messages.shape
    (6, 2)
    >>> np.allclose(code.decode(messages, range(6)), g.sum(axis=0))
    True
    >>> round(code.error([0, 1, 3, 4]) / (code.m * code.N), 4)    # per coordinate
    0.3751
    """

    def __init__(self, assignment: ArrayLike, m: int = 2, rng: _RngLike = None,
                 null_scale: float = 1.0, max_redraws: int = 1000,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
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
        gen = as_generator(rng)
        holders = [np.flatnonzero(A[:, j]) for j in range(N)]
        for _ in range(max_redraws):
            W = np.ones((n, m))
            if m > 1:
                W[:, 1:] = gen.choice([-1.0, 1.0], size=(n, m - 1))
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
                    z = proj @ gen.standard_normal(len(h))
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

    Fixed decoder: each group's all-present least-squares vector, scaled by 1/(1-p).

    Parameters
    ----------
    assignment : (n, N) 0/1 array
        Which worker holds which part.
    m : int, default 2
        Blocks per gradient.
    groups : (n,) int array, optional
        Group (block) of each worker, in [0, m); default i mod m.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the least-squares weight cache.

    Raises
    ------
    InvalidArgumentError
        A bad assignment or ``groups`` not n integers in [0, m).

    Attributes
    ----------
    groups : (n,) int array
        The group of each worker.

    Examples
    --------
    >>> from fastcode.codes.designs import cyclic_assignment
    >>> from fastcode.codes.gradient_approx import StackedApprox
    >>> code = StackedApprox(cyclic_assignment(6, 3), m=2)
    >>> code.groups.tolist()
    [0, 1, 0, 1, 0, 1]
    >>> round(code.error([0, 1, 2]), 4), round(code.expected_fixed_error(0.1), 4)
    (4.5, 1.92)
    """

    def __init__(self, assignment: ArrayLike, m: int = 2, groups: Optional[ArrayLike] = None,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
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
    def stack(cls, base_assignment: ArrayLike, m: int = 2,
              cache_size: int = DEFAULT_CACHE_SIZE) -> StackedApprox:
        """Literal vertical stack of an (n', N) assignment: m copies, block u on copy u.

        Parameters
        ----------
        base_assignment : (n', N) 0/1 array
            The assignment to copy.
        m : int, default 2
            Copies (= blocks); the code has n = m n' workers.
        cache_size : int, default DEFAULT_CACHE_SIZE
            Entries of the least-squares weight cache.

        Returns
        -------
        StackedApprox
            Workers u n' .. (u + 1) n' - 1 form group u.

        Raises
        ------
        InvalidArgumentError
            A bad assignment.

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import StackedApprox
        >>> code = StackedApprox.stack(cyclic_assignment(3, 2), m=2)
        >>> code
        StackedApprox(n=6, N=3, m=2, s=None, field=Reals)
        >>> code.groups.tolist()
        [0, 0, 0, 1, 1, 1]
        """
        Ab = check_assignment(base_assignment)
        A = np.concatenate([Ab] * m, axis=0)
        return cls(A, m, groups=np.repeat(np.arange(m), Ab.shape[0]), cache_size=cache_size)


class ExpanderApprox(ApproxGradientCode):
    """Approximate gradient code from a d-regular graph (Raviv et al., :ref:`gradient-expander`):
    workers are vertices, worker i holds the parts of its neighbours, B = Adj / d.

    Fixed decoder: n / |F| on every responder (no p needed).  Error bound
    ``error_bound(s) = (lambda / d)^2 n s / (n - s)`` for any n - s responders.

    Parameters
    ----------
    adjacency : (n, n) 0/1 array
        Symmetric, no loops, every vertex of the same degree d >= 1.
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the least-squares weight cache.

    Raises
    ------
    InvalidArgumentError
        Not a symmetric loop-free 0/1 matrix, or not regular of degree >= 1.

    Attributes
    ----------
    degree : int
        d.
    lam : float
        The largest |eigenvalue| of the adjacency matrix on the orthogonal
        complement of 1.

    Examples
    --------
    >>> from fastcode.codes.gradient_approx import ExpanderApprox
    >>> code = ExpanderApprox(np.ones((5, 5)) - np.eye(5))     # the complete graph K5
    >>> code.degree, round(code.lam, 4)
    (4, 1.0)
    >>> round(code.error_bound(1), 6)                 # (1/4)^2 * 5 * 1 / 4
    0.078125
    >>> F = [0, 1, 2, 4]                              # worker 3 missing
    >>> bool(code.error(F, "fixed") <= code.error_bound(1))
    True
    """

    needs_p = False

    def __init__(self, adjacency: ArrayLike, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
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
    def random(cls, n: int, degree: int, rng: _RngLike = None) -> ExpanderApprox:
        """Code on a random simple ``degree``-regular graph on n vertices.

        Parameters
        ----------
        n : int
            Workers (= vertices = parts).
        degree : int
            d; n d must be even.
        rng : None, int or numpy.random.Generator
            Draws the graph.

        Returns
        -------
        ExpanderApprox

        Raises
        ------
        InvalidArgumentError
            No such graph (see ``fastcode.codes.designs.random_regular_graph``).

        Examples
        --------
        >>> from fastcode.codes.gradient_approx import ExpanderApprox
        >>> code = ExpanderApprox.random(8, 3, rng=0)
        >>> code.degree, code.assignment.sum(axis=1).tolist()
        (3, [3, 3, 3, 3, 3, 3, 3, 3])
        """
        return cls(random_regular_graph(n, degree, rng))

    def _fixed_weights(self, idx, p):
        return np.full((1, len(idx)), self.n / len(idx))

    def expected_fixed_error(self, p: float) -> float:
        """E[error(F, "fixed")] of *this* class's fixed decoder (weights n / |F| on the
        responders) when each worker fails independently with probability ``p``
        (0 <= p < 1): the error averaged over all 2^n failure patterns, pattern F weighted
        (1 - p)^|F| p^(n - |F|).  Not the base-class formula, which is for 1/(1-p) weights.

        Conditioned on |F| = f >= 1, F is a uniform f-subset; with c = n / f, G = B B^T,
        g = B t (t = 1_N the target) the residual c B_F^T 1_F - t has mean square

            E_f = c^2 [f/n tr G + f(f-1)/(n(n-1)) (1^T G 1 - tr G)] - 2 c f/n 1^T g + ||t||^2,

        which for a d-regular graph (B = Adj / d) is  E_f = n (n - f)(n - d) / (f d (n - 1))
        (0 at f = n).  The empty set counts as error([]) = m N = n (nothing recovered).

        Parameters
        ----------
        p : float
            Failure probability of each worker, 0 <= p < 1.

        Returns
        -------
        float
            sum_f binom(n, f) (1 - p)^f p^(n - f) E_f.

        Raises
        ------
        InvalidArgumentError
            ``p`` outside [0, 1).

        Examples
        --------
        >>> from fastcode.codes.gradient_approx import ExpanderApprox
        >>> code = ExpanderApprox.random(8, 3, rng=0)
        >>> round(code.expected_fixed_error(0.1), 4)
        0.2466
        """
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

    def error_bound(self, s: int) -> float:
        """(lambda/d)^2 n s / (n - s): bound on error(F, "fixed") for every F with |F| = n - s.

        A worst case over F, not an expectation; lambda = ``self.lam``, the largest
        |eigenvalue| of Adj on the orthogonal complement of 1.

        Parameters
        ----------
        s : int
            Missing workers, 0 <= s < n.

        Returns
        -------
        float

        Raises
        ------
        InvalidArgumentError
            ``s`` not an integer in [0, n).

        Examples
        --------
        >>> import itertools
        >>> from fastcode.codes.gradient_approx import ExpanderApprox
        >>> code = ExpanderApprox.random(8, 3, rng=0)
        >>> bound = code.error_bound(2)
        >>> round(bound, 4)
        1.7269
        >>> all(code.error(F, "fixed") <= bound for F in itertools.combinations(range(8), 6))
        True
        """
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
    uniform).

    Parameters
    ----------
    assignment : (n, N) 0/1 array
        Which worker holds which part; every part on at least one worker.
    p : float
        Failure probability of each worker, 0 <= p < 1 (built into B).
    cache_size : int, default DEFAULT_CACHE_SIZE
        Entries of the least-squares weight cache.

    Raises
    ------
    InvalidArgumentError
        A bad assignment, a part held by no worker, or ``p`` outside [0, 1).

    Attributes
    ----------
    p : float
        The failure probability the code is built for.

    Examples
    --------
    >>> from fastcode.codes.designs import cyclic_assignment
    >>> from fastcode.codes.gradient_approx import StochasticGC
    >>> code = StochasticGC(cyclic_assignment(6, 3), p=0.2)
    >>> g = np.random.default_rng(0).standard_normal((6, 4))
    >>> messages = code.encode_all(g)
    >>> estimate = code.decode(messages[[0, 2, 4]], [0, 2, 4], decoder="fixed")
    >>> estimate.shape
    (4,)
    >>> round(code.expected_fixed_error(), 4)
    0.5
    """

    needs_p = False

    def __init__(self, assignment: ArrayLike, p: float,
                 cache_size: int = DEFAULT_CACHE_SIZE) -> None:
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

    def expected_fixed_error(self, p: Optional[float] = None) -> float:
        """E[error(F, "fixed")] when each worker fails independently with probability ``self.p``.

        The weights are 1 and B already carries 1/(1-p), so this is the squared bias
        (0 when every part has a holder) plus p (1 - p) sum_i ||B[i, :]||^2.  The empty
        responder set enters with error([]) = m N, which needs no special case.

        Parameters
        ----------
        p : float, optional
            If given, must equal the code's own ``self.p``.

        Returns
        -------
        float

        Raises
        ------
        InvalidArgumentError
            ``p`` given and different from ``self.p``.

        Examples
        --------
        >>> from fastcode.codes.designs import cyclic_assignment
        >>> from fastcode.codes.gradient_approx import StochasticGC
        >>> code = StochasticGC(cyclic_assignment(6, 3), p=0.2)
        >>> round(code.expected_fixed_error(), 4), round(code.expected_fixed_error(0.2), 4)
        (0.5, 0.5)
        """
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


def biregular_assignment(a: int = 40, b: int = 20, d_left: int = 3, d_right: int = 6,
                         workers: str = "left", rng: _RngLike = None) -> np.ndarray:
    """Assignment from an (a, b, d_left, d_right) bi-regular graph, workers on one side.

    Parameters
    ----------
    a, b : int
        Vertices on the left and on the right (a d_left = b d_right).
    d_left, d_right : int
        Degrees on the left and on the right.
    workers : {"left", "right"}
        "left": a workers x b parts; "right": b workers x a parts.
    rng : None, int or numpy.random.Generator
        Draws the graph.

    Returns
    -------
    (a, b) or (b, a) uint8 array
        The 0/1 assignment.

    Raises
    ------
    InvalidArgumentError
        ``workers`` is neither "left" nor "right", or no such graph
        (see ``fastcode.codes.designs.biregular_graph``).

    Examples
    --------
    >>> from fastcode.codes.gradient_approx import biregular_assignment
    >>> A = biregular_assignment(6, 3, 1, 2, rng=0)      # 6 workers, 3 parts
    >>> A.shape, A.sum(axis=1).tolist(), A.sum(axis=0).tolist()
    ((6, 3), [1, 1, 1, 1, 1, 1], [2, 2, 2])
    >>> biregular_assignment(6, 3, 1, 2, workers="right", rng=0).shape
    (3, 6)
    """
    G = biregular_graph(a, b, d_left, d_right, rng=rng)
    if workers == "left":
        return G
    if workers == "right":
        return np.ascontiguousarray(G.T)
    raise InvalidArgumentError(f"workers must be 'left' or 'right', got {workers!r}")


__all__ = ["ApproxGradientCode", "ApproxCommEfficient", "StackedApprox", "ExpanderApprox",
           "StochasticGC", "biregular_assignment", "DECODERS"]
