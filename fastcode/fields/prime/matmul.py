"""Bulk products over GF(p): plans, the cost model, work buffers, threads and
the float64/integer kernels behind ``PrimeField.matmul``.

Float plan (float64 BLAS on exact integers).  Operands are *centred* (a >
(p-1)/2 becomes a - p) and one of them is split into L balanced signed limbs
of s bits, so every product of a limb and an entry of the other operand is at
most D * H in magnitude (D the limb bound, H = (p-1)/2).  The inner dimension
is cut into blocks of at most k_block = floor(EXACT_LIMIT / (D H)) terms,
EXACT_LIMIT = 2^53 - 2^33: every partial sum BLAS forms, in any order and with
FMA, is then an integer of magnitude at most EXACT_LIMIT, hence exact in
float64.  Each block's L partial products are folded into the uint32 result
by a C kernel (exact float64 reduction, Horner recombination
t = red(t 2^s + red(P_l)) with t 2^s + red(.) < p 2^s + p < 2^52).  Example
plans: p = 65537, one limb, k_block ~ 8.4e6; p = 33554393, two 12-bit limbs,
k_block = 131072; p = 2^31 - 1, two 15-bit limbs, k_block = 255.

Integer plan: a C kernel accumulating uint64 products, reduced every few
terms; cheaper for small products.  ``choose_strategy`` picks by a cost model
from p and the shapes; a plan can be forced for tests.

The functions here take validated, C-contiguous uint32 operands; ``PrimeField``
validates and names the arguments.
"""
from __future__ import annotations

import functools
import math
import threading
from typing import Callable, List, Optional, Tuple, Union

import numpy as np

from fastcode.fields.prime.kernels import native

__all__ = ["EXACT_LIMIT", "MAX_LIMBS", "MIN_THREAD_WORK", "MatmulStrategy", "OutOfRange",
           "limb_split", "float_strategies", "choose_strategy", "resolve_strategy",
           "release_workspace", "float_matmul", "run_threaded", "product"]

EXACT_LIMIT = (1 << 53) - (1 << 33)
"""Largest magnitude every float64 partial sum of a BLAS block may reach: below
2^53 (exact in float64) with the margin the fold kernel's reduction needs."""

#: Most limbs an operand is split into (a prime below 2^31 never needs more).
MAX_LIMBS = 4

MIN_THREAD_WORK = 1 << 24
"""Products with fewer multiply-adds than this stay on the calling thread."""

# Cost model constants (seconds per unit, one core of the project machine).
_COST_FLOP = 1.0 / 35e9       # float64 GEMM
_COST_FOLD = 2.0e-9           # fold one limb of one output element
_COST_SPLIT = 1.0e-9          # split/centre one input element (per limb)
_COST_INT_MAC = 0.4e-9        # integer kernel, one multiply-accumulate
_COST_INT_ROW_TERM = 3e-9     # integer kernel, per (row, inner index) pair
_COST_INT_DIV = 5e-9          # integer kernel, one reduction (a 64-bit division)
_FLOAT_OVERHEAD = 20e-6       # fixed cost of the float path (Python, buffers)
_BLOCK_OVERHEAD = 6e-6        # per inner-dimension block (a BLAS call and a fold call)


def limb_split(p: int, limbs: int) -> Tuple[int, int]:
    """(shift, digit bound) minimising the largest balanced digit of a centred
    element of GF(p) written in ``limbs`` digits.

    A centred element a (|a| <= (p-1)/2) is written a = sum_l d_l 2^(s l) with
    balanced digits; the shift s (at most 20, so the fold's Horner step
    p 2^s + p stays below 2^52) is chosen to minimise the largest |d_l|.

    Parameters
    ----------
    p : int
        The prime.
    limbs : int
        Number of digits, 1 .. MAX_LIMBS.

    Returns
    -------
    shift : int
        Bits per digit (31 for a single limb: no split).
    bound : int
        The largest digit magnitude D.

    Examples
    --------
    >>> from fastcode.fields.prime import limb_split
    >>> limb_split(65537, 1)                     # one limb: the centred value itself
    (31, 32768)
    >>> limb_split(2**31 - 1, 2)                 # two 15-bit limbs
    (15, 32768)
    """
    half = (p - 1) // 2
    if limbs == 1:
        return 31, half
    best: Optional[Tuple[int, int]] = None
    # shift <= 20 keeps the fold's Horner step p 2^s + p below 2^52
    for s in range(1, 21):
        h, bounds = half, []
        for _ in range(limbs - 1):
            bounds.append(1 << (s - 1))        # digits in [-2^(s-1), 2^(s-1))
            h = (h + (1 << (s - 1))) >> s      # |(a - d) / 2^s|
        bounds.append(h)
        d = max(bounds)
        if best is None or d < best[1]:
            best = (s, d)
    assert best is not None             # the loop over s ran at least once
    return best


class MatmulStrategy:
    """How ``PrimeField.matmul`` computes one product.

    method "int": integer C kernel.  method "float": float64 BLAS with the
    ``split`` operand ("A" or "B") in ``limbs`` limbs of ``shift`` bits and the
    inner dimension in blocks of ``k_block`` (the exactness bound).  Every
    parameter is kept as the attribute of the same name.

    Parameters
    ----------
    method : {"int", "float"}
        The kernel.
    limbs : int, default 1
        Float plan: number of limbs the ``split`` operand is cut into.
    shift : int, default 31
        Float plan: bits per limb (31: not split).
    k_block : int, default 0
        Float plan: most inner-dimension terms summed by one BLAS call (at
        most the bound ``float_strategies`` gives for p and ``limbs``).
    split : {"A", "B"}, default "A"
        Float plan: which operand is split into limbs.
    cost : float, default 0.0
        The cost model's estimate in seconds (informational).

    See Also
    --------
    choose_strategy : The cheapest plan for a product.
    float_strategies : The valid (limbs, shift, k_block) of a prime.

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> from fastcode.fields.prime import MatmulStrategy
    >>> F = PrimeField(2**31 - 1)
    >>> st = F.matmul_strategy(64, 64, 64)
    >>> st, st.method, st.limbs
    (MatmulStrategy(float, limbs=2, shift=15, k_block=255, split=A), 'float', 2)

    A plan can be forced, for instance three 10-bit limbs in blocks of 100
    terms, and gives the same exact product:

    >>> rng = np.random.default_rng(0)
    >>> A, B = F.random((4, 300), rng), F.random((300, 2), rng)
    >>> forced = MatmulStrategy("float", limbs=3, shift=10, k_block=100)
    >>> np.array_equal(F.matmul(A, B, strategy=forced), F.matmul(A, B, strategy="int"))
    True
    """

    __slots__ = ("method", "limbs", "shift", "k_block", "split", "cost")

    def __init__(self, method: str, limbs: int = 1, shift: int = 31, k_block: int = 0,
                 split: str = "A", cost: float = 0.0) -> None:
        self.method, self.limbs, self.shift = method, limbs, shift
        self.k_block, self.split, self.cost = k_block, split, cost

    def __repr__(self) -> str:
        if self.method == "int":
            return "MatmulStrategy(int)"
        return (f"MatmulStrategy(float, limbs={self.limbs}, shift={self.shift}, "
                f"k_block={self.k_block}, split={self.split})")


@functools.lru_cache(maxsize=64)
def float_strategies(p: int) -> Tuple[Tuple[int, int, int], ...]:
    """Every valid float plan for p as (limbs, shift, k_block), fewest limbs first.

    k_block = floor(EXACT_LIMIT / (D H)) with D the limb bound (``limb_split``)
    and H = (p-1)/2; a plan with more limbs is listed only if it allows longer
    blocks.  Cached per p.

    Parameters
    ----------
    p : int
        The prime.

    Returns
    -------
    tuple of (int, int, int)
        (limbs, shift, k_block) triples.

    Examples
    --------
    >>> from fastcode.fields.prime import float_strategies
    >>> float_strategies(33554393)[:2]       # one limb: blocks of 32 terms; two: 131072
    ((1, 31, 32), (2, 12, 131072))
    >>> float_strategies(2**31 - 1)          # one limb is never exact: D H > EXACT_LIMIT
    ((2, 15, 255), (3, 10, 8191), (4, 8, 65535))
    """
    half = (p - 1) // 2
    out: List[Tuple[int, int, int]] = []
    for limbs in range(1, MAX_LIMBS + 1):
        shift, dbound = limb_split(p, limbs)
        # every term |digit * b| <= dbound * half; k_block of them stay within EXACT_LIMIT
        k_block = EXACT_LIMIT // (dbound * half)
        # a plan with more limbs is only worth having if it allows longer blocks
        if k_block >= 1 and (not out or k_block > out[-1][2]):
            out.append((limbs, shift, k_block))
    return tuple(out)


def choose_strategy(p: int, m: int, k: int, n: int, allow_int: bool = True) -> MatmulStrategy:
    """Cheapest plan for an (m, k) @ (k, n) product over GF(p) by the cost model.

    The model charges the integer kernel per multiply-accumulate, per (row,
    inner index) pair and per reduction, and a float plan per GEMM flop, per
    limb fold of an output element, per split input element and per block,
    plus a fixed overhead; the split operand is the smaller one.

    Parameters
    ----------
    p : int
        The prime.
    m, k, n : int
        The product's dimensions.
    allow_int : bool, default True
        False: the cheapest float plan.

    Returns
    -------
    MatmulStrategy
        The plan, with its estimated ``cost`` in seconds.

    Examples
    --------
    >>> from fastcode.fields.prime import choose_strategy
    >>> choose_strategy(65537, 4, 4, 4)               # small: the integer kernel
    MatmulStrategy(int)
    >>> choose_strategy(65537, 512, 512, 512)         # large: float64 BLAS
    MatmulStrategy(float, limbs=1, shift=31, k_block=8388600, split=A)
    >>> choose_strategy(65537, 4, 4, 4, allow_int=False).method
    'float'
    """
    work = m * k * n
    # the integer kernel reduces every `chunk` terms (see csrc/gfp_matmul.c)
    chunk = ((1 << 64) - 1 - p) // ((p - 1) ** 2)
    int_cost = (work * _COST_INT_MAC + m * k * _COST_INT_ROW_TERM
                + m * n * (k // chunk + 1) * _COST_INT_DIV)
    best = MatmulStrategy("int", cost=int_cost if allow_int else math.inf)
    for limbs, shift, k_block in float_strategies(p):
        split = "A" if m <= n else "B"
        blocks = -(-k // k_block) if k else 0
        split_elems = m * k if split == "A" else k * n
        other_elems = k * n if split == "A" else m * k
        cost = (_FLOAT_OVERHEAD + limbs * 2 * work * _COST_FLOP
                + blocks * (_BLOCK_OVERHEAD + limbs * m * n * _COST_FOLD)
                + (limbs * split_elems + other_elems) * _COST_SPLIT)
        if cost < best.cost:
            best = MatmulStrategy("float", limbs, shift, k_block, split, cost)
    return best


def resolve_strategy(p: int, strategy: Union[None, str, MatmulStrategy], m: int, k: int,
                     n: int) -> MatmulStrategy:
    """The plan for ``strategy`` (None: the cost model; "int"; "float": the
    cheapest float plan; a MatmulStrategy, checked to be exact for p).

    Parameters
    ----------
    p : int
        The prime.
    strategy : {None, "int", "float"} or MatmulStrategy
        What the caller asked ``PrimeField.matmul`` for.
    m, k, n : int
        The product's dimensions.

    Returns
    -------
    MatmulStrategy
        The plan (``strategy`` itself when it is one).

    Raises
    ------
    ValueError
        ``strategy`` is none of the above, or a float MatmulStrategy whose
        (limbs, shift) is not a valid plan for p or whose k_block is outside
        [1, the plan's bound].

    Examples
    --------
    >>> from fastcode.fields.prime import MatmulStrategy
    >>> from fastcode.fields.prime.matmul import resolve_strategy
    >>> resolve_strategy(65537, None, 2, 2, 2), resolve_strategy(65537, "float", 2, 2, 2).method
    (MatmulStrategy(int), 'float')
    >>> resolve_strategy(2**31 - 1, MatmulStrategy("float", 1, 31, 100), 2, 2, 2)
    Traceback (most recent call last):
    ...
    ValueError: MatmulStrategy(float, limbs=1, shift=31, k_block=100, split=A) is not exact for p = 2147483647
    """
    if strategy is None:
        return choose_strategy(p, m, k, n)
    if isinstance(strategy, MatmulStrategy):
        if strategy.method == "float":
            valid = {(L, s): kb for L, s, kb in float_strategies(p)}
            kb = valid.get((strategy.limbs, strategy.shift))
            if kb is None or not 1 <= strategy.k_block <= kb:
                raise ValueError(f"{strategy} is not exact for p = {p}")
        return strategy
    if strategy == "int":
        return MatmulStrategy("int")
    if strategy == "float":
        return choose_strategy(p, m, k, n, allow_int=False)
    raise ValueError(f"strategy must be None, 'int', 'float' or a MatmulStrategy, got {strategy!r}")


# ---- work buffers ----------------------------------------------------------------

_workspace = threading.local()


def _buffer(slot, shape):
    """A float64 work array of ``shape`` from a per-thread pool.

    Reusing the buffers matters: fresh multi-megabyte arrays are mmap'ed and
    their first-touch page faults cost ~10% of a 1024^3 product.  The pool
    keeps the largest buffer per slot (3 slots) until ``release_workspace()``."""
    size = math.prod(shape)
    pool = getattr(_workspace, "pool", None)
    if pool is None:
        pool = _workspace.pool = {}
    buf = pool.get(slot)
    if buf is None or buf.size < size:
        buf = pool[slot] = np.empty(size)
    return buf[:size].reshape(shape)


def release_workspace() -> None:
    """Free this thread's float64 work buffers of PrimeField.matmul.

    The float plans keep their largest work arrays (3 per thread) between
    calls, so repeated products do not pay for fresh pages; call this after a
    large product to return the memory.

    Examples
    --------
    >>> from fastcode import PrimeField
    >>> from fastcode.fields.prime import release_workspace
    >>> F = PrimeField(65537)
    >>> A = F.random((256, 256), rng=0)
    >>> C = F.matmul(A, A, strategy="float")      # fills this thread's buffer pool
    >>> release_workspace()                       # ... and frees it
    >>> np.array_equal(F.matmul(A, A, strategy="float"), C)    # a later call allocates anew
    True
    """
    _workspace.pool = {}


# ---- kernels ---------------------------------------------------------------------

class OutOfRange(Exception):
    """An operand entry >= p found by the split kernel (fused validation); the
    caller re-validates to report which operand.

    Internal: ``PrimeField.matmul`` never lets it escape (users see a
    FieldValueError naming the operand).

    Examples
    --------
    >>> from fastcode.fields.prime.matmul import OutOfRange, float_matmul, resolve_strategy
    >>> A = np.array([[17]], dtype=np.uint32)            # 17 is not in GF(17)
    >>> B = np.array([[1]], dtype=np.uint32)
    >>> try:
    ...     float_matmul(A, B, 17, resolve_strategy(17, "float", 1, 1, 1),
    ...                  np.empty((1, 1), dtype=np.uint32))
    ... except OutOfRange:
    ...     print("an entry is >= p")
    an entry is >= p
    """


def float_matmul(A: np.ndarray, B: np.ndarray, p: int, st: MatmulStrategy,
                 out: np.ndarray) -> np.ndarray:
    """out = A @ B mod p by plan st (float).  A (m, k), B (k, n) C-contiguous uint32.

    Range validation is fused into the split passes (the caller then reports
    which operand).  Runs on the calling thread; needs the compiled kernels.

    Parameters
    ----------
    A : (m, k) C-contiguous uint32 array
        Left operand.
    B : (k, n) C-contiguous uint32 array
        Right operand.
    p : int
        The prime.
    st : MatmulStrategy
        A float plan valid for p (see ``resolve_strategy``).
    out : (m, n) uint32 array
        Receives the result.

    Returns
    -------
    (m, n) uint32 array
        ``out``.

    Raises
    ------
    OutOfRange
        An entry of A or B is >= p.

    Examples
    --------
    >>> from fastcode.fields.prime.matmul import float_matmul, resolve_strategy
    >>> A = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> B = np.array([[5, 6], [7, 8]], dtype=np.uint32)
    >>> st = resolve_strategy(17, "float", 2, 2, 2)
    >>> float_matmul(A, B, 17, st, np.empty((2, 2), dtype=np.uint32)).tolist()
    [[2, 5], [9, 16]]
    """
    m, k = A.shape
    n = B.shape[1]
    L, kb = st.limbs, st.k_block
    if k == 0:
        out[...] = 0
        return out
    if st.split == "A":
        As = _buffer(0, (L, m, k))
        ok = native.split(A, p, L, st.shift, As)
        left = As.reshape(L * m, k)
        Bf = _buffer(1, (1, k, n))
        ok &= native.split(B, p, 1, 31, Bf)
        right = Bf[0]
        P = _buffer(2, (L * m, n))
        Pv = P.reshape(L, m, n)
    else:
        Bs = _buffer(0, (k, L, n))
        ok = native.split(B, p, L, st.shift, Bs.transpose(1, 0, 2))
        right = Bs.reshape(k, L * n)
        Af = _buffer(1, (1, m, k))
        ok &= native.split(A, p, 1, 31, Af)
        left = Af[0]
        P = _buffer(2, (m, L * n))
        Pv = P.reshape(m, L, n).transpose(1, 0, 2)
    if not ok:
        raise OutOfRange()
    for k0 in range(0, k, kb):
        k1 = min(k, k0 + kb)
        np.matmul(left[:, k0:k1], right[k0:k1], out=P)
        native.fold(Pv, st.shift, p, out, k0 == 0)
    return out


def run_threaded(run: Callable[[np.ndarray, np.ndarray, np.ndarray], object], A: np.ndarray,
                 B: np.ndarray, out: np.ndarray, threads: int) -> None:
    """run(A_part, B_part, out_part) over row (or, for few rows, column) slices
    of the product on ``threads`` threads.  Row slices of C-contiguous A and
    out are contiguous; column slices of B are copied.

    Products with fewer than ``MIN_THREAD_WORK`` multiply-adds, or
    ``threads`` <= 1, run on the calling thread.

    Parameters
    ----------
    run : callable
        ``run(A_part, B_part, out_part)`` writes A_part @ B_part into out_part.
    A : (m, k) C-contiguous uint32 array
        Left operand.
    B : (k, n) C-contiguous uint32 array
        Right operand.
    out : (m, n) C-contiguous uint32 array
        Receives the product.
    threads : int
        Number of threads.

    Examples
    --------
    Any kernel with that signature can be split, here a NumPy one that
    records the slices it is given:

    >>> from fastcode.fields.prime.matmul import run_threaded
    >>> calls = []
    >>> def kernel(a, b, o):
    ...     calls.append(a.shape)
    ...     o[...] = (a.astype(np.float64) @ b) % 17      # exact: small integers
    >>> A = np.ones((256, 256), dtype=np.uint32)
    >>> B = np.ones((256, 256), dtype=np.uint32)
    >>> out = np.empty((256, 256), dtype=np.uint32)
    >>> run_threaded(kernel, A, B, out, threads=2)   # 256^3 = MIN_THREAD_WORK
    >>> sorted(calls), bool(np.all(out == 256 % 17))
    ([(128, 256), (128, 256)], True)
    >>> calls.clear()
    >>> run_threaded(kernel, A[:4], B, out[:4], threads=2)   # too small to split
    >>> calls
    [(4, 256)]
    """
    m, k = A.shape
    n = B.shape[1]
    if threads <= 1 or m * k * n < MIN_THREAD_WORK:
        run(A, B, out)
        return
    from concurrent.futures import ThreadPoolExecutor
    # (A part, B part, out part, columns of out it is copied to or None when written in place)
    tasks: List[Tuple[np.ndarray, np.ndarray, np.ndarray, Optional[Tuple[int, int]]]]
    if m >= threads:
        cuts = np.linspace(0, m, threads + 1).astype(int)
        tasks = [(A[a:b], B, out[a:b], None) for a, b in zip(cuts[:-1], cuts[1:])]
    else:
        cuts = np.linspace(0, n, min(threads, n) + 1).astype(int)
        tasks = [(A, np.ascontiguousarray(B[:, a:b]), np.empty((m, b - a), dtype=np.uint32), (a, b))
                 for a, b in zip(cuts[:-1], cuts[1:])]
    with ThreadPoolExecutor(len(tasks)) as ex:
        list(ex.map(lambda t: run(t[0], t[1], t[2]), tasks))
    for _, _, o, cols in tasks:
        if cols is not None:
            out[:, cols[0]:cols[1]] = o


def product(A: np.ndarray, B: np.ndarray, p: int, st: MatmulStrategy, threads: int,
            out: np.ndarray) -> np.ndarray:
    """out (m, n) uint32 = A @ B mod p on the native kernels by plan ``st``,
    split over ``threads``.  A (m, k), B (k, n) C-contiguous uint32; a float
    plan raises OutOfRange for an entry >= p (an integer plan needs the
    operands validated beforehand).

    Parameters
    ----------
    A : (m, k) C-contiguous uint32 array
        Left operand, entries < p.
    B : (k, n) C-contiguous uint32 array
        Right operand, entries < p.
    p : int
        The prime.
    st : MatmulStrategy
        The plan (see ``resolve_strategy``).
    threads : int
        Threads for large products (see ``run_threaded``).
    out : (m, n) C-contiguous uint32 array
        Receives the result.

    Returns
    -------
    (m, n) uint32 array
        ``out``.

    Raises
    ------
    OutOfRange
        A float plan found an entry >= p.

    Examples
    --------
    >>> from fastcode.fields.prime import MatmulStrategy
    >>> from fastcode.fields.prime.matmul import product
    >>> A = np.array([[1, 2], [3, 4]], dtype=np.uint32)
    >>> B = np.array([[5, 6], [7, 8]], dtype=np.uint32)
    >>> out = np.empty((2, 2), dtype=np.uint32)
    >>> product(A, B, 17, MatmulStrategy("int"), 1, out).tolist()     # [[19, 22], [43, 50]] mod 17
    [[2, 5], [9, 16]]
    """
    if st.method == "int":
        def run(a, b, o):
            native.matmul_int(a, b, p, o)
    else:
        def run(a, b, o):
            float_matmul(a, b, p, st, o)
    run_threaded(run, A, B, out, threads)
    return out
