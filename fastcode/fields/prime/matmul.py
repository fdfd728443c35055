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
import functools
import math
import threading

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


def limb_split(p, limbs):
    """(shift, digit bound) minimising the largest balanced digit of a centred
    element of GF(p) written in ``limbs`` digits."""
    half = (p - 1) // 2
    if limbs == 1:
        return 31, half
    best = None
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
    return best


class MatmulStrategy:
    """How ``PrimeField.matmul`` computes one product.

    method "int": integer C kernel.  method "float": float64 BLAS with the
    ``split`` operand ("A" or "B") in ``limbs`` limbs of ``shift`` bits and the
    inner dimension in blocks of ``k_block`` (the exactness bound)."""

    __slots__ = ("method", "limbs", "shift", "k_block", "split", "cost")

    def __init__(self, method, limbs=1, shift=31, k_block=0, split="A", cost=0.0):
        self.method, self.limbs, self.shift = method, limbs, shift
        self.k_block, self.split, self.cost = k_block, split, cost

    def __repr__(self):
        if self.method == "int":
            return "MatmulStrategy(int)"
        return (f"MatmulStrategy(float, limbs={self.limbs}, shift={self.shift}, "
                f"k_block={self.k_block}, split={self.split})")


@functools.lru_cache(maxsize=64)
def float_strategies(p):
    """Every valid float plan for p as (limbs, shift, k_block), fewest limbs first."""
    half = (p - 1) // 2
    out = []
    for limbs in range(1, MAX_LIMBS + 1):
        shift, dbound = limb_split(p, limbs)
        # every term |digit * b| <= dbound * half; k_block of them stay within EXACT_LIMIT
        k_block = EXACT_LIMIT // (dbound * half)
        # a plan with more limbs is only worth having if it allows longer blocks
        if k_block >= 1 and (not out or k_block > out[-1][2]):
            out.append((limbs, shift, k_block))
    return tuple(out)


def choose_strategy(p, m, k, n, allow_int=True):
    """Cheapest plan for an (m, k) @ (k, n) product over GF(p) by the cost model."""
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


def resolve_strategy(p, strategy, m, k, n):
    """The plan for ``strategy`` (None: the cost model; "int"; "float": the
    cheapest float plan; a MatmulStrategy, checked to be exact for p)."""
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


def release_workspace():
    """Free this thread's float64 work buffers of PrimeField.matmul."""
    _workspace.pool = {}


# ---- kernels ---------------------------------------------------------------------

class OutOfRange(Exception):
    """An operand entry >= p found by the split kernel (fused validation); the
    caller re-validates to report which operand."""


def float_matmul(A, B, p, st, out):
    """out = A @ B mod p by plan st (float).  A (m, k), B (k, n) C-contiguous uint32.

    Range validation is fused into the split passes: raises OutOfRange if
    an entry is >= p (the caller then reports which operand)."""
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


def run_threaded(run, A, B, out, threads):
    """run(A_part, B_part, out_part) over row (or, for few rows, column) slices
    of the product on ``threads`` threads.  Row slices of C-contiguous A and
    out are contiguous; column slices of B are copied."""
    m, k = A.shape
    n = B.shape[1]
    if threads <= 1 or m * k * n < MIN_THREAD_WORK:
        run(A, B, out)
        return
    from concurrent.futures import ThreadPoolExecutor
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


def product(A, B, p, st, threads, out):
    """out (m, n) uint32 = A @ B mod p on the native kernels by plan ``st``,
    split over ``threads``.  A (m, k), B (k, n) C-contiguous uint32; a float
    plan raises OutOfRange for an entry >= p (an integer plan needs the
    operands validated beforehand)."""
    if st.method == "int":
        def run(a, b, o):
            native.matmul_int(a, b, p, o)
    else:
        def run(a, b, o):
            float_matmul(a, b, p, st, o)
    run_threaded(run, A, B, out, threads)
    return out
