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
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.rng import as_generator
from fastcode._util.validate import integer
from fastcode.codes.base import Code, Indices
from fastcode.codes.correct import EvaluationDecoder, lagrange_basis
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.fields import PrimeField
from fastcode.fields.base import Field

__all__ = ["LagrangeCoded", "LagrangeDecoded", "lagrange_worker", "gram",
           "regression_gradient", "recovery_threshold", "workers_needed"]

DEFAULT_PRIME = 2**31 - 1

# The worker function f(block, round_input, field) -> field elements.
_WorkerFunction = Callable[[np.ndarray, Any, PrimeField], ArrayLike]
# A worker's payload: (coded block u(alpha_i), f, field, byzantine).
_Payload = Tuple[np.ndarray, _WorkerFunction, PrimeField, bool]


class LagrangeDecoded(NamedTuple):
    """What ``LagrangeCoded.decode`` returns: ``values`` ``(K, *shape)`` uint32, the values
    f(X_1), ..., f(X_K); ``adversaries``, the sorted ids of the workers found wrong;
    ``responders``, the sorted ids of the workers whose results were decoded.

    Parameters
    ----------
    values : ``(K, *shape)`` uint32 array
        f(X_1), ..., f(X_K), elements of GF(p).
    adversaries : tuple of int
        Sorted ids of the workers whose results were found wrong.
    responders : tuple of int
        Sorted ids of the workers whose results were decoded.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.lagrange import LagrangeCoded, gram
    >>> F = PrimeField(65537)
    >>> lcc = LagrangeCoded(2, K=2, A=1, field=F, rng=0)    # X_j^T X_j of 2 blocks, 5 workers
    >>> X = F.random((2, 3, 2), np.random.default_rng(0))
    >>> coded = lcc.encode(X)
    >>> results = [gram(coded[i], None, F) for i in range(lcc.n)]
    >>> results[1] = (results[1] + 1) % 65537               # worker 1 lies
    >>> values, adversaries, responders = lcc.decode(results, range(lcc.n))
    >>> adversaries, responders
    ((1,), (0, 1, 2, 3, 4))
    >>> bool(np.array_equal(values, [gram(x, None, F) for x in X]))
    True
    """

    values: np.ndarray
    adversaries: Tuple[int, ...]
    responders: Tuple[int, ...]


def recovery_threshold(f_degree: int, K: int, T: int = 0, A: int = 0) -> int:
    """Results LCC needs: (K + T - 1) deg f + 2A + 1.

    Parameters
    ----------
    f_degree : int
        Degree of f.
    K : int
        Data blocks.
    T : int, optional
        Colluding workers that must learn nothing (default 0).
    A : int, optional
        Adversaries (wrong results) to tolerate (default 0).

    Returns
    -------
    int
        The recovery threshold D + 2A + 1, D = (K + T - 1) deg f.

    Examples
    --------
    >>> from fastcode.schemes.lagrange import recovery_threshold
    >>> recovery_threshold(2, K=4)            # X^T X of 4 blocks: degree 6, 7 results
    7
    >>> recovery_threshold(2, K=4, T=1, A=1)
    11
    """
    return (K + T - 1) * f_degree + 2 * A + 1


def workers_needed(f_degree: int, K: int, T: int = 0, A: int = 0, S: int = 0) -> int:
    """Workers LCC needs to tolerate S stragglers, A adversaries and T colluders:
    (K + T - 1) deg f + S + 2A + 1.

    Parameters
    ----------
    f_degree : int
        Degree of f.
    K : int
        Data blocks.
    T : int, optional
        Colluding workers that must learn nothing (default 0).
    A : int, optional
        Adversaries (wrong results) to tolerate (default 0).
    S : int, optional
        Stragglers to tolerate (default 0).

    Returns
    -------
    int
        ``recovery_threshold(f_degree, K, T, A) + S``.

    Examples
    --------
    >>> from fastcode.schemes.lagrange import workers_needed
    >>> workers_needed(2, K=4, T=1, A=1, S=2)
    13
    """
    return recovery_threshold(f_degree, K, T, A) + S


# ---- worker side --------------------------------------------------------------------------------

def lagrange_worker(payload: _Payload, round_input: Any) -> np.ndarray:
    """Worker function of ``LagrangeCoded``: ``f(block, round_input, field)``.

    Module level (imported by name on process and MPI workers); ``block`` and
    ``round_input`` are read only.

    Parameters
    ----------
    payload : tuple (block, f, field, byzantine)
        As ``LagrangeCoded.setup_tasks`` makes it: the worker's coded block
        u(alpha_i), the function f, the field, and whether the worker is Byzantine.
    round_input : any
        Passed to f (e.g. the weights w of ``regression_gradient``).

    Returns
    -------
    array of the field's dtype
        ``f(block, round_input, field)``, or, for a Byzantine worker, uniform
        random field elements of the same shape.

    Raises
    ------
    FieldTypeError, FieldValueError
        f's result does not hold elements of the field.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.lagrange import gram, lagrange_worker
    >>> F = PrimeField(65537)
    >>> block = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> lagrange_worker((block, gram, F, False), None).tolist()
    [[10, 14], [14, 20]]
    >>> lagrange_worker((block, gram, F, True), None).shape    # garbage of the same shape
    (2, 2)
    """
    block, f, field, byzantine = payload
    result = field.asarray(f(block, round_input, field), "the worker function's result")
    if byzantine:
        return field.random(result.shape)
    return result


def gram(block: np.ndarray, round_input: Any, field: Field) -> np.ndarray:
    """f(X) = X^T X, degree 2: block (b, c) -> (c, c) (the round input is ignored).

    Parameters
    ----------
    block : (b, c) array of the field's dtype
        X.
    round_input : any
        Ignored.
    field : Field
        The field of the block.

    Returns
    -------
    (c, c) array of the field's dtype
        X^T X.

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.lagrange import gram
    >>> X = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> gram(X, None, PrimeField(7)).tolist()               # [[10, 14], [14, 20]] mod 7
    [[3, 0], [0, 6]]
    """
    return field.matmul(np.ascontiguousarray(block.T), block)


def regression_gradient(block: np.ndarray, w: np.ndarray, field: Field) -> np.ndarray:
    """f([X | y]) = X^T (X w - y), degree 2 in the block: block (b, c + 1) with y its last
    column, w (c,) field elements (the round input) -> (c,).

    Parameters
    ----------
    block : (b, c + 1) array of the field's dtype
        [X | y].
    w : (c,) array of the field's dtype
        The weights (the round input).
    field : Field
        The field of the block.

    Returns
    -------
    (c,) array of the field's dtype
        X^T (X w - y).

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.lagrange import regression_gradient
    >>> block = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint32)   # X = [[1, 2], [4, 5]], y = [3, 6]
    >>> w = np.array([1, 2], dtype=np.uint32)
    >>> regression_gradient(block, w, PrimeField(65537)).tolist()  # X^T [2, 8]
    [34, 44]
    """
    X = np.ascontiguousarray(block[:, :-1])
    residual = field.sub(field.matmul(X, w), block[:, -1])
    return field.matmul(np.ascontiguousarray(X.T), residual)


# ---- the scheme ---------------------------------------------------------------------------------

def _uniform(field: PrimeField, shape: Tuple[int, ...],
             rng: Optional[np.random.Generator]) -> np.ndarray:
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

    Two faces, one implementation: the Code contract (``encode(data, noise=None)``,
    ``can_decode(indices)``, ``decode(results, indices, out=None)``) and the runtime
    protocol (``n_workers``, ``setup_tasks(data)``, ``worker_fn``
    (:func:`lagrange_worker`), ``worker_load(i)``, ``can_decode(responders)``,
    ``decode(results, round_input)`` with ``results`` a mapping).

    Attributes: ``n`` = ``n_workers`` = N, ``k`` = ``recovery_threshold`` = D + 2A + 1,
    ``degree`` = D = (K + T - 1) f_degree, ``betas`` (K + T,), ``alphas`` (N,),
    ``encoding_matrix`` (N, K + T) with entry [i, j] = l_j(alpha_i), and, after a
    decode, ``last_adversaries`` and ``last_responders``.

    Parameters
    ----------
    f_degree : int
        Degree of f (>= 1).
    K : int
        Number of data blocks (>= 1).
    T : int, optional
        Privacy: any T colluding workers learn nothing about the data (>= 0, default 0).
    A : int, optional
        Adversaries: up to A wrong results are located and ignored (>= 0, default 0).
    S : int, optional
        Stragglers: the first N - S results suffice (>= 0, default 0).
    field : PrimeField, optional
        A PrimeField with p >= N + K + T (default GF(2^31 - 1)).
    f : callable, optional
        The worker function ``f(block, round_input, field) -> field array``, module
        level (needed by ``setup_tasks``, not by ``encode``/``decode``), e.g.
        :func:`gram` or :func:`regression_gradient`.
    byzantine : iterable of int, optional
        Ids of workers that return random garbage (test/demo behaviour).
    rng : int or numpy.random.Generator, optional
        Seed or Generator of the padding blocks (default: os.urandom; a seed is
        reproducible, but not a cryptographic generator).

    Raises
    ------
    InvalidArgumentError
        A count is not an int in range, ``field`` is not a PrimeField or too small
        (p < N + K + T), ``f`` is not callable, or ``byzantine`` holds an id out of
        range or repeated.

    Examples
    --------
    The quadratic forms X_j^T X_j of K = 2 blocks over GF(65537) on N = 8 workers,
    private against T = 1 curious worker, robust to A = 1 liar (worker 3) and
    S = 1 straggler, on a virtual cluster:

    >>> from fastcode.fields import PrimeField
    >>> from fastcode.runtime import VirtualCluster
    >>> from fastcode.schemes.lagrange import LagrangeCoded, gram
    >>> F = PrimeField(65537)
    >>> lcc = LagrangeCoded(2, K=2, T=1, A=1, S=1, field=F, f=gram, byzantine=[3], rng=0)
    >>> lcc.n, lcc.degree, lcc.k                  # D = (K + T - 1) 2, k = D + 2A + 1
    (8, 4, 7)
    >>> X = F.random((2, 3, 2), np.random.default_rng(0))
    >>> cluster = VirtualCluster(lcc.n_workers)
    >>> _ = cluster.setup(lcc, X)
    >>> r = cluster.run_round(None, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> r.output.adversaries, r.output.responders   # worker 7 straggled, 3 was caught
    ((3,), (0, 1, 2, 3, 4, 5, 6))
    >>> bool(np.array_equal(r.output.values, [gram(x, None, F) for x in X]))
    True

    The Code contract, in process: encode, evaluate f on the coded blocks, decode
    from any k of them.

    >>> coded = lcc.encode(X)
    >>> coded.shape, coded.dtype
    ((8, 3, 2), dtype('uint32'))
    >>> indices = [7, 1, 4, 0, 6, 5, 2]
    >>> out = lcc.decode([gram(coded[i], None, F) for i in indices], indices)
    >>> out.adversaries, bool(np.array_equal(out.values, [gram(x, None, F) for x in X]))
    ((), True)
    """

    worker_fn = staticmethod(lagrange_worker)
    field: PrimeField

    def __init__(self, f_degree: int, K: int, T: int = 0, A: int = 0, S: int = 0,
                 field: Optional[PrimeField] = None, f: Optional[_WorkerFunction] = None,
                 byzantine: Iterable[int] = (),
                 rng: Optional[Union[int, np.random.Generator]] = None) -> None:
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
        # sorted responders -> EvaluationDecoder
        self._decoders: Dict[Tuple[int, ...], EvaluationDecoder] = {}
        self.last_adversaries: Optional[Tuple[int, ...]] = None
        self.last_responders: Optional[Tuple[int, ...]] = None

    def __repr__(self) -> str:
        return (f"LagrangeCoded(f_degree={self.f_degree}, K={self.K}, T={self.T}, A={self.A}, "
                f"S={self.S}, field={self.field!r})")

    # ---- indices ---------------------------------------------------------------------------

    def _indices(self, indices: Any, name: str = "indices") -> List[int]:
        """``indices`` as a list of distinct Python ints in [0, n) (InvalidArgumentError)."""
        if isinstance(indices, (str, bytes)) or not hasattr(indices, "__iter__"):
            raise InvalidArgumentError(f"{name} must be an iterable of worker ids, got {indices!r}")
        out = [integer(i, f"{name} entry", 0, self.n - 1) for i in indices]
        if len(set(out)) != len(out):
            raise InvalidArgumentError(f"{name} has repeated worker ids: {out}")
        return out

    # ---- encoding ---------------------------------------------------------------------------

    def _blocks(self, data: Any, count: int, name: str,
                shape: Tuple[int, ...] = ()) -> np.ndarray:
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

    def encode(self, data: Union[ArrayLike, Sequence[ArrayLike]],
               noise: Optional[Union[ArrayLike, Sequence[ArrayLike]]] = None) -> np.ndarray:
        """Coded blocks ``(N, *shape)`` uint32: row i is u(alpha_i).

        Parameters
        ----------
        data : ``(K, *shape)`` array_like, or K arrays of one shape
            The data blocks X_1..X_K, elements of GF(p).
        noise : ``(T, *shape)`` array_like, or T arrays, optional
            The padding blocks Z_1..Z_T; drawn uniformly (see ``rng``) when None.

        Returns
        -------
        ``(N, *shape)`` uint32 array
            Row i is worker i's coded block u(alpha_i).

        Raises
        ------
        ShardSizeError
            Not K data blocks (T noise blocks), or blocks of different shapes.
        FieldTypeError, FieldValueError
            The blocks do not hold elements of GF(p).

        Examples
        --------
        With T = 0 the coded blocks are the values at the alphas of the polynomial
        u through (beta_j, X_j); decoding them as results of the identity f(X) = X
        (degree 1) gives back the data.

        >>> from fastcode.fields import PrimeField
        >>> from fastcode.schemes.lagrange import LagrangeCoded
        >>> lcc = LagrangeCoded(1, K=3, field=PrimeField(101))     # degree 2: any 3 of 3
        >>> data = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.uint32)
        >>> coded = lcc.encode(data)
        >>> coded.tolist()                             # u(3), u(4), u(5) of the line through the data
        [[7, 8], [9, 10], [11, 12]]
        >>> lcc.decode(coded, [0, 1, 2]).values.tolist()
        [[1, 2], [3, 4], [5, 6]]
        """
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

    def setup_tasks(self, job: Union[ArrayLike, Sequence[ArrayLike]]) -> List[_Payload]:
        """Per-worker payloads ``(u(alpha_i), f, field, byzantine)`` of the data ``job``
        (K blocks, see ``encode``); fresh padding at every call.

        Parameters
        ----------
        job : ``(K, *shape)`` array_like, or K arrays of one shape
            The data blocks.

        Returns
        -------
        list of N tuples (block, f, field, byzantine)
            Worker i's coded block, the worker function f, the field and whether
            worker i is Byzantine.

        Raises
        ------
        InvalidArgumentError
            The scheme was built without ``f``.
        ShardSizeError
            Not K blocks, or blocks of different shapes.
        """
        f = self.f
        if f is None:
            raise InvalidArgumentError("LagrangeCoded needs f (the worker function) to set up tasks")
        coded = self.encode(job)
        return [(coded[i], f, self.field, i in self.byzantine) for i in range(self.n)]

    def worker_load(self, i: int) -> float:
        """Each worker evaluates f on one coded block, the size of 1/K of the data.

        Parameters
        ----------
        i : int
            Worker id.

        Returns
        -------
        float
            1/K, the same for every worker.
        """
        return 1.0 / self.K

    def can_decode(self, indices: Indices) -> bool:
        """True iff the results of ``indices`` are at least the threshold D + 2A + 1.

        Parameters
        ----------
        indices : iterable of int
            Distinct worker ids in ``[0, n)`` (the runtime's responders).

        Returns
        -------
        bool

        Raises
        ------
        InvalidArgumentError
            An id is out of range or repeated.
        """
        return len(self._indices(indices)) >= self.k

    # ---- decoding ---------------------------------------------------------------------------

    def _decoder(self, workers: Sequence[int]) -> EvaluationDecoder:
        key = tuple(workers)
        decoder = self._decoders.get(key)
        if decoder is None:
            if len(self._decoders) >= 256:
                self._decoders.clear()
            decoder = self._decoders[key] = EvaluationDecoder(
                self.field, self.alphas[list(workers)], self.degree, self.betas[:self.K],
                labels=workers)
        return decoder

    def decode(self, results: Union[Mapping, Sequence[ArrayLike], np.ndarray],
               indices: Any = None, out: Optional[np.ndarray] = None, *,
               max_errors: Optional[int] = None) -> LagrangeDecoded:
        """f(X_1..K) from the results of at least ``k`` = D + 2A + 1 workers, of which up
        to ``max_errors`` (default and at most floor((R - D - 1) / 2) for R results) may be
        wrong.

        The Code contract's ``decode succeeds iff can_decode`` holds for at most A
        wrong results.  Also sets ``last_adversaries`` and ``last_responders``.

        Parameters
        ----------
        results : sequence of arrays, or mapping {worker id: array}
            The workers' results f(u(alpha_i)), all of one shape, elements of GF(p):
            paired with ``indices`` positionally (Code contract), or a mapping
            worker -> result (runtime protocol).
        indices : iterable of int, optional
            The workers of ``results`` (distinct ids in ``[0, n)``); required unless
            ``results`` is a mapping, in which case the second argument is the round
            input and is ignored.
        out : ``(K, *shape)`` uint32 array, optional
            Receives the values.
        max_errors : int, optional
            How many wrong results to locate, at most floor((R - D - 1) / 2) (the
            default) for R results; 0 only detects.

        Returns
        -------
        LagrangeDecoded
            ``(values (K, *shape) uint32, adversaries, responders)``; ``values`` is
            ``out`` when given.

        Raises
        ------
        NotEnoughShardsError
            Fewer than k results.
        UncorrectableError
            More results are wrong than can be located.
        InvalidArgumentError
            No ``indices`` for a sequence of results; an id out of range or repeated;
            ``max_errors`` out of range.
        ShardSizeError
            Not one result per index, results of different shapes, or ``out`` not a
            uint32 array of shape ``(K, *shape)``.
        FieldTypeError, FieldValueError
            A result does not hold elements of GF(p).

        Examples
        --------
        >>> from fastcode.fields import PrimeField
        >>> from fastcode.schemes.lagrange import LagrangeCoded, gram
        >>> F = PrimeField(65537)
        >>> lcc = LagrangeCoded(2, K=2, A=1, S=2, field=F, rng=0)   # any 5 of 7 workers
        >>> X = F.random((2, 3, 2), np.random.default_rng(0))
        >>> coded = lcc.encode(X)
        >>> results = {i: gram(coded[i], None, F) for i in (6, 2, 5, 0, 3)}
        >>> results[5] = F.random((2, 2), np.random.default_rng(1))   # a wrong result
        >>> out = lcc.decode(results)                     # a mapping: the runtime's form
        >>> out.adversaries, lcc.last_responders
        ((5,), (0, 2, 3, 5, 6))
        >>> bool(np.array_equal(out.values, [gram(x, None, F) for x in X]))
        True
        """
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
