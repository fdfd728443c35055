"""Lagrange coded computing (Yu, Li, Raviv, Kalan, Soltanolkotabi and Avestimehr, AISTATS 2019).

The master holds K blocks X_1, ..., X_K of GF(p) elements (arrays of one shape) and wants
f(X_1), ..., f(X_K) for a polynomial f of degree ``f_degree`` in the entries of a block
(f(X) = X^T X has degree 2), computed by N workers of which up to S straggle, up to A
return wrong results (Byzantine workers) and any T may collude to learn the data.

Encoding.  Distinct points beta_1..beta_{K+T} and alpha_1..alpha_N of GF(p), no alpha
among the betas (here beta_j = j - 1 and alpha_i = K + T + i - 1).  The master draws T
blocks Z_1..Z_T uniformly at random and forms the Lagrange polynomial

    u(z) = sum_{j <= K} X_j l_j(z) + sum_{t <= T} Z_t l_{K+t}(z),

of degree < K + T through (beta_j, X_j) and (beta_{K+t}, Z_t) (l_j the Lagrange basis on
the betas).  Worker i receives u(alpha_i) once and computes f(u(alpha_i)) every round.

Decoding.  f(u(z)) has degree D = (K + T - 1) deg f, so the results at the alphas are a
Reed-Solomon codeword of dimension D + 1, and f(X_j) = f(u(beta_j)).  From R >= D + 2A + 1
results, up to floor((R - D - 1) / 2) wrong ones are located as one set for the whole
result (``fastcode.codes.correct.EvaluationDecoder``: syndromes, Berlekamp-Massey on a few
columns, the whole stripe confirms) and f(X_1..K) interpolated from D + 1 correct ones.
With N = D + S + 2A + 1 workers the first N - S results always suffice.

Privacy.  The inputs of any T workers W are (u(alpha_i))_{i in W} = (data part) + U_W Z
with U_W[i, t] = l_{K+t}(alpha_i), a T x T matrix that is invertible: a combination
sum_t c_t l_{K+t} vanishing at the T alphas of W also vanishes at beta_1..beta_K (as every
l_{K+t} does), so it has K + T roots and degree < K + T, hence is zero, and the l's are
independent.  So for uniform Z the T inputs are uniform and independent of the data.  The
padding is drawn from the operating system's generator (``os.urandom``, uniform by
rejection) unless ``rng`` (a seed or numpy Generator, reproducible, but not a
cryptographic generator) is given.

Guarantee and residual risk.  Up to floor((R - D - 1) / 2) wrong results among R are
located and ignored.  More wrong results of random content are reported
(UncorrectableError) except with probability about p^-(R - D - 1 - t) per result column
(see ``fastcode.codes.correct``); colluding adversaries who choose their results can move
the whole set onto another codeword once they are more than floor((R - D - 1) / 2), which
no decoder can detect.  With A = 0 the first D + 1 results carry no redundancy at all, so
a wrong one among them goes unnoticed: take A >= 1 (or decode from more results) to detect
wrong workers.  f must have degree at most ``f_degree``: the decoder cannot tell a wrong
degree from wrong workers.

Two faces, one implementation (as the other schemes here):

* the Code contract (``fastcode.codes.base``): ``n``, ``k`` (the recovery threshold
  D + 2A + 1), ``field``, ``encode(data, noise=None)``, ``can_decode(indices)``,
  ``decode(results, indices, out=None)``;
* the runtime protocol (``fastcode.runtime.protocol``): ``n_workers``,
  ``setup_tasks(data)``, module-level ``worker_fn`` (:func:`lagrange_worker`),
  ``worker_load(i)``, ``can_decode(responders)``, ``decode(results, round_input)`` with
  ``results`` a mapping worker -> result (the round input is not needed and ignored).

``decode`` returns ``LagrangeDecoded(values, adversaries, responders)``: values ``(K, *shape)``
uint32, adversaries the sorted ids of the workers whose results were found wrong (also kept
as ``last_adversaries``), responders those whose results were decoded.  ``byzantine`` (worker ids) makes those workers return uniform
random garbage instead of their result, a worker-side behaviour carried in their payload
for tests and demonstrations (it works on every runtime).
"""
import os
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.codes.base import Code
from fastcode.codes.correct import EvaluationDecoder, lagrange_basis
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.fields import PrimeField

__all__ = ["LagrangeCoded", "LagrangeDecoded", "lagrange_worker", "gram",
           "regression_gradient", "recovery_threshold", "workers_needed"]

DEFAULT_PRIME = 2**31 - 1


class LagrangeDecoded(NamedTuple):
    """What ``LagrangeCoded.decode`` returns: ``values`` ``(K, *shape)`` uint32, the values
    f(X_1), ..., f(X_K); ``adversaries``, the sorted ids of the workers found wrong;
    ``responders``, the sorted ids of the workers whose results were decoded."""

    values: np.ndarray
    adversaries: tuple
    responders: tuple


def recovery_threshold(f_degree, K, T=0, A=0):
    """Results LCC needs: (K + T - 1) deg f + 2A + 1."""
    return (K + T - 1) * f_degree + 2 * A + 1


def workers_needed(f_degree, K, T=0, A=0, S=0):
    """Workers LCC needs to tolerate S stragglers, A adversaries and T colluders:
    (K + T - 1) deg f + S + 2A + 1."""
    return recovery_threshold(f_degree, K, T, A) + S


# ---- worker side --------------------------------------------------------------------------------

def lagrange_worker(payload, round_input):
    """Worker function of ``LagrangeCoded``: ``payload = (block, f, field, byzantine)``;
    returns ``f(block, round_input, field)`` (field elements), or, for a Byzantine worker,
    uniform random field elements of the same shape.  Module level (imported by name on
    process and MPI workers); ``block`` and ``round_input`` are read only."""
    block, f, field, byzantine = payload
    result = field.asarray(f(block, round_input, field), "the worker function's result")
    if byzantine:
        return field.random(result.shape)
    return result


def gram(block, round_input, field):
    """f(X) = X^T X, degree 2: block (b, c) -> (c, c) (the round input is ignored)."""
    return field.matmul(np.ascontiguousarray(block.T), block)


def regression_gradient(block, w, field):
    """f([X | y]) = X^T (X w - y), degree 2 in the block: block (b, c + 1) with y its last
    column, w (c,) field elements (the round input) -> (c,)."""
    X = np.ascontiguousarray(block[:, :-1])
    residual = field.sub(field.matmul(X, w), block[:, -1])
    return field.matmul(np.ascontiguousarray(X.T), residual)


# ---- the scheme ---------------------------------------------------------------------------------

def _uniform(field, shape, rng):
    """Uniform elements of GF(p) of ``shape``: from ``rng`` (seed or Generator) when given,
    else from os.urandom (31-bit draws, those >= p rejected)."""
    if rng is not None:
        return field.random(shape, rng)
    count = int(np.prod(shape, dtype=np.int64))
    mask = (1 << field.p.bit_length()) - 1
    out = np.empty(count, dtype=np.uint32)
    filled = 0
    while filled < count:
        need = count - filled
        draw = np.frombuffer(os.urandom(4 * (need + need // 2 + 16)), dtype=np.uint32) & mask
        draw = draw[draw < field.p][:need]
        out[filled:filled + len(draw)] = draw
        filled += len(draw)
    return out.reshape(shape)


class LagrangeCoded(Code):
    """Lagrange coded computing of f(X_1..K) for a polynomial f of degree ``f_degree``
    (see the module doc).

    Args:
        f_degree: degree of f (>= 1).
        K: number of data blocks (>= 1).
        T: privacy: any T colluding workers learn nothing about the data (>= 0).
        A: adversaries: up to A wrong results are located and ignored (>= 0).
        S: stragglers: the first N - S results suffice (>= 0).
        field: a PrimeField with p >= N + K + T (default GF(2^31 - 1)).
        f: the worker function ``f(block, round_input, field) -> field array``, module
            level (needed by ``setup_tasks``, not by ``encode``/``decode``).
        byzantine: ids of workers that return random garbage (test/demo behaviour).
        rng: seed or Generator of the padding blocks (default: os.urandom).

    Attributes: ``n`` = ``n_workers`` = N, ``k`` = ``recovery_threshold`` = D + 2A + 1,
    ``degree`` = D = (K + T - 1) f_degree, ``betas`` (K + T,), ``alphas`` (N,)."""

    worker_fn = staticmethod(lagrange_worker)

    def __init__(self, f_degree, K, T=0, A=0, S=0, field=None, f=None, byzantine=(), rng=None):
        self.f_degree = integer(f_degree, "f_degree", 1)
        self.K = integer(K, "K", 1)
        self.T = integer(T, "T", 0)
        self.A = integer(A, "A", 0)
        self.S = integer(S, "S", 0)
        field = PrimeField(DEFAULT_PRIME) if field is None else field
        if not isinstance(field, PrimeField):
            raise InvalidArgumentError(f"LagrangeCoded computes over a PrimeField, got {field!r}")
        self.field = field
        self.degree = (self.K + self.T - 1) * self.f_degree
        self.k = self.recovery_threshold = recovery_threshold(self.f_degree, self.K, self.T, self.A)
        self.n = self.n_workers = self.k + self.S
        if field.p < self.n + self.K + self.T:
            raise InvalidArgumentError(
                f"GF({field.p}) has too few elements for {self.K + self.T} betas and {self.n} "
                f"alphas: need p >= {self.n + self.K + self.T}")
        if f is not None and not callable(f):
            raise InvalidArgumentError(f"f must be a module-level function, got {f!r}")
        self.f = f
        self.byzantine = frozenset(self._indices(byzantine, "byzantine"))
        self.rng = None if rng is None else as_generator(rng)
        n_points = self.K + self.T
        self.betas = field.asarray(np.arange(n_points, dtype=np.int64))
        self.alphas = field.asarray(np.arange(n_points, n_points + self.n, dtype=np.int64))
        # U[i, j] = l_j(alpha_i): coded blocks = U @ (data blocks, padding blocks)
        self.encoding_matrix = lagrange_basis(field, self.betas, self.alphas)
        self._encoder = field.plan_matmul(self.encoding_matrix)
        self._decoders = {}              # sorted responders -> EvaluationDecoder
        self.last_adversaries = None
        self.last_responders = None

    def __repr__(self):
        return (f"LagrangeCoded(f_degree={self.f_degree}, K={self.K}, T={self.T}, A={self.A}, "
                f"S={self.S}, field={self.field!r})")

    # ---- indices ---------------------------------------------------------------------------

    def _indices(self, indices, name="indices"):
        """``indices`` as a list of distinct Python ints in [0, n) (InvalidArgumentError)."""
        if isinstance(indices, (str, bytes)) or not hasattr(indices, "__iter__"):
            raise InvalidArgumentError(f"{name} must be an iterable of worker ids, got {indices!r}")
        out = [integer(i, f"{name} entry", 0, self.n - 1) for i in indices]
        if len(set(out)) != len(out):
            raise InvalidArgumentError(f"{name} has repeated worker ids: {out}")
        return out

    # ---- encoding ---------------------------------------------------------------------------

    def _blocks(self, data, count, name, shape=()):
        """``data`` (count, *shape) or a sequence of ``count`` equal-shape arrays, as one
        validated uint32 array (``shape``: that of an empty sequence's blocks)."""
        if isinstance(data, np.ndarray):
            arr = data
        else:
            parts = [np.asarray(b) for b in data]
            if len({b.shape for b in parts}) > 1:
                raise ShardSizeError(f"{name} blocks differ in shape: {[b.shape for b in parts]}")
            arr = np.stack(parts) if parts else np.zeros((0,) + shape, dtype=np.uint32)
        arr = self.field.asarray(arr, name)
        if arr.ndim < 1 or arr.shape[0] != count:
            raise ShardSizeError(f"{name} must hold {count} blocks (shape ({count}, ...)), "
                                 f"got shape {arr.shape}")
        return arr

    def encode(self, data, noise=None):
        """Coded blocks ``(N, *shape)`` uint32: row i is u(alpha_i).  ``data`` ``(K, *shape)`` (or K
        arrays of one shape) of field elements; ``noise`` the T padding blocks ``(T, *shape)``,
        drawn uniformly (see ``rng``) when None."""
        X = self._blocks(data, self.K, "data")
        shape = X.shape[1:]
        if noise is None:
            Z = _uniform(self.field, (self.T,) + shape, self.rng)
        else:
            Z = self._blocks(noise, self.T, "noise", shape)
            if Z.shape[1:] != shape:
                raise ShardSizeError(f"noise blocks have shape {Z.shape[1:]}, data blocks {shape}")
        L = int(np.prod(shape, dtype=np.int64))
        W = np.empty((self.K + self.T, L), dtype=np.uint32)
        W[:self.K] = X.reshape(self.K, L)
        W[self.K:] = Z.reshape(self.T, L)
        return self._encoder(W).reshape((self.n,) + shape)

    # ---- runtime protocol -------------------------------------------------------------------

    def setup_tasks(self, job):
        """Per-worker payloads ``(u(alpha_i), f, field, byzantine)`` of the data ``job``
        (K blocks, see ``encode``); fresh padding at every call."""
        if self.f is None:
            raise InvalidArgumentError("LagrangeCoded needs f (the worker function) to set up tasks")
        coded = self.encode(job)
        return [(coded[i], self.f, self.field, i in self.byzantine) for i in range(self.n)]

    def worker_load(self, i):
        """Each worker evaluates f on one coded block, the size of 1/K of the data."""
        return 1.0 / self.K

    def can_decode(self, indices):
        """True iff the results of ``indices`` are at least the threshold D + 2A + 1."""
        return len(self._indices(indices)) >= self.k

    # ---- decoding ---------------------------------------------------------------------------

    def _decoder(self, workers):
        key = tuple(workers)
        decoder = self._decoders.get(key)
        if decoder is None:
            if len(self._decoders) >= 256:
                self._decoders.clear()
            decoder = self._decoders[key] = EvaluationDecoder(
                self.field, self.alphas[list(workers)], self.degree, self.betas[:self.K],
                labels=workers)
        return decoder

    def decode(self, results, indices=None, out=None, *, max_errors=None):
        """f(X_1..K) from the results of at least ``k`` = D + 2A + 1 workers, of which up
        to ``max_errors`` (default and at most floor((R - D - 1) / 2) for R results) may be
        wrong: ``LagrangeDecoded(values ``(K, *shape)`` uint32, adversaries, responders)``.

        ``results`` pairs with ``indices`` positionally (Code contract), or is a mapping
        worker -> result (runtime protocol: the second argument, the round input, is then
        ignored).  ``out`` ``(K, *shape)`` uint32 receives the values.  NotEnoughShardsError
        below the threshold; UncorrectableError when more results are wrong than can be
        located (the Code contract's ``decode succeeds iff can_decode`` holds for at most
        A wrong results)."""
        if isinstance(results, Mapping):
            workers = self._indices(list(results.keys()))
            values = [results[w] for w in workers]
        else:
            if indices is None:
                raise InvalidArgumentError("decode needs indices (or results as a mapping "
                                           "worker -> result)")
            workers = self._indices(indices)
            values = list(results)
            if len(values) != len(workers):
                raise ShardSizeError(f"got {len(values)} results for {len(workers)} indices")
        if len(workers) < self.k:
            raise NotEnoughShardsError(
                f"LagrangeCoded needs at least {self.k} results ((K + T - 1) deg f + 2A + 1 = "
                f"{self.degree} + {2 * self.A} + 1), got {len(workers)}")
        order = np.argsort(workers, kind="stable")
        workers = [workers[i] for i in order]
        f = self.field
        arrays = [f.asarray(values[i], f"result of worker {w}") for i, w in zip(order, workers)]
        shape = arrays[0].shape
        for a, w in zip(arrays, workers):
            if a.shape != shape:
                raise ShardSizeError(f"result of worker {w} has shape {a.shape}, "
                                     f"worker {workers[0]}'s {shape}")
        L = int(np.prod(shape, dtype=np.int64))
        stripe = np.empty((len(workers), L), dtype=np.uint32)
        for row, a in zip(stripe, arrays):
            row[:] = a.reshape(-1)
        target = None
        if out is not None:
            if not isinstance(out, np.ndarray) or out.dtype != np.uint32:
                raise ShardSizeError("out must be a uint32 array")
            if out.shape != (self.K,) + shape:
                raise ShardSizeError(f"out has shape {out.shape}, expected {(self.K,) + shape}")
            target = out.reshape(self.K, L) if out.flags.c_contiguous else None
        decoded, wrong = self._decoder(workers)(stripe, max_errors, out=target)
        adversaries = tuple(workers[i] for i in wrong)
        if out is None:
            out = decoded.reshape((self.K,) + shape)
        elif target is None:
            out[...] = decoded.reshape(out.shape)
        self.last_adversaries = adversaries
        self.last_responders = tuple(workers)
        return LagrangeDecoded(out, adversaries, tuple(workers))
