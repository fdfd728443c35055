"""Prime fields GF(p), 2 < p < 2^31: ``fastcode.PrimeField(p)``.

Elements are uint32 in [0, p).  ``F.asarray`` validates (integers only, no
negative values, nothing >= p); every operation returns reduced values and
never wraps silently.

Bulk product (``matmul``): float64 BLAS on exact integers.  Operands are
*centred* (a > (p-1)/2 becomes a - p) and one of them is split into L
balanced signed limbs of s bits, so every product of a limb and an entry of
the other operand is at most D * H in magnitude (D the limb bound,
H = (p-1)/2).  The inner dimension is cut into blocks of at most
k_block = floor(EXACT_LIMIT / (D H)) terms, EXACT_LIMIT = 2^53 - 2^33: every
partial sum BLAS forms, in any order and with FMA, is then an integer of
magnitude at most EXACT_LIMIT, hence exact in float64.  Each block's L
partial products are folded into the uint32 result by a C kernel (exact
float64 reduction, Horner recombination t = red(t 2^s + red(P_l)) with
t 2^s + red(.) < p 2^s + p < 2^52).  Example plans: p = 65537, one limb,
k_block ~ 8.4e6; p = 33554393, two 12-bit limbs, k_block = 131072;
p = 2^31 - 1, two 15-bit limbs, k_block = 255.  Small products go to an
integer C kernel instead.  The plan is chosen by a cost model from p and the
shapes (``F.matmul_strategy``) and can be forced (``strategy=``) for tests.

Linear algebra (inv_matrix, solve, rank, det, nullspace) is Gauss-Jordan in
C.  NTT and polynomial evaluation/interpolation are vectorised NumPy in
uint64 (products of two elements < 2^62).  ``FASTCODE_BACKEND=numpy`` routes
matmul, linear algebra and the transforms to ``fastcode.reference.prime``.
"""
import functools
import math
import operator
import threading

import numpy as np

from fastcode import _config
from fastcode._util.memory import check_rows_disjoint
from fastcode.errors import FieldTypeError, FieldValueError, ShardSizeError, SingularMatrixError
from fastcode._util.rng import as_generator
from fastcode.fields.base import Field
from fastcode.reference import prime as _ref

try:
    from fastcode.fields import _gfp as _native
    _NATIVE_ERROR = None
except ImportError as exc:  # not built: run on the reference, loudly
    _native = None
    _NATIVE_ERROR = exc

P_MAX = 1 << 31
"""Exclusive upper bound on p (elements fit uint32, products of two fit 2^62)."""

EXACT_LIMIT = (1 << 53) - (1 << 33)
"""Largest magnitude every float64 partial sum of a BLAS block may reach: below
2^53 (exact in float64) with the margin the fold kernel's reduction needs."""

MAX_LIMBS = 4

# Cost model constants (seconds per unit, one core of the project machine).
_COST_FLOP = 1.0 / 35e9       # float64 GEMM
_COST_FOLD = 2.0e-9           # fold one limb of one output element
_COST_SPLIT = 1.0e-9          # split/centre one input element (per limb)
_COST_INT_MAC = 0.4e-9        # integer kernel, one multiply-accumulate
_COST_INT_ROW_TERM = 3e-9     # integer kernel, per (row, inner index) pair
_COST_INT_DIV = 5e-9          # integer kernel, one reduction (a 64-bit division)
_FLOAT_OVERHEAD = 20e-6       # fixed cost of the float path (Python, buffers)
_BLOCK_OVERHEAD = 6e-6        # per inner-dimension block (a BLAS call and a fold call)


def _native_ok():
    return _config.use_native(_native, _NATIVE_ERROR)


# ---- number theory -----------------------------------------------------------

_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime(n):
    """Deterministic Miller-Rabin, exact for every n < 3.3e24 (bases 2..37)."""
    n = operator.index(n)
    if n < 2:
        return False
    for q in _MR_BASES:
        if n % q == 0:
            return n == q
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def next_prime(n):
    """Smallest prime >= n."""
    n = max(operator.index(n), 2)
    while not is_prime(n):
        n += 1
    return n


def _factor(n):
    """Prime factors of n (trial division; n < 2^31 here)."""
    out, q = [], 2
    while q * q <= n:
        if n % q == 0:
            out.append(q)
            while n % q == 0:
                n //= q
        q += 1
    if n > 1:
        out.append(n)
    return out


def min_prime_for_product(shape_a, shape_b, bound_a, bound_b, scale_a=1.0, scale_b=1.0):
    """Smallest prime p for which ``A @ B`` is recovered exactly from GF(p).

    A (shape_a) and B (shape_b) hold reals with |A| <= bound_a, |B| <= bound_b,
    mapped by ``F.from_float(A, scale_a)`` and ``F.from_float(B, scale_b)``
    (round to nearest).  Entries then satisfy |a| <= ceil(bound_a scale_a), so
    |C| <= k ceil(bound_a scale_a) ceil(bound_b scale_b) with k the inner
    dimension, and the centred representation recovers C when (p-1)/2 >= that.
    ``F.to_float(F.matmul(a, b), scale_a * scale_b)`` then equals the product
    of the rounded matrices.  Raises FieldValueError if no p < 2^31 suffices
    (lower the scales or split the inner dimension)."""
    if len(shape_a) != 2 or len(shape_b) != 2:
        raise ShardSizeError(f"shapes must be 2-D, got {shape_a} and {shape_b}")
    if shape_a[1] != shape_b[0]:
        raise ShardSizeError(f"inner dimensions differ: {shape_a} @ {shape_b}")
    for name, v in (("bound_a", bound_a), ("bound_b", bound_b),
                    ("scale_a", scale_a), ("scale_b", scale_b)):
        if not (math.isfinite(v) and v >= 0):
            raise FieldValueError(f"{name} must be finite and >= 0, got {v}")
    ia = math.ceil(bound_a * scale_a)
    ib = math.ceil(bound_b * scale_b)
    cmax = int(shape_a[1]) * ia * ib
    p = next_prime(max(2 * cmax + 1, 3))
    if p >= P_MAX:
        raise FieldValueError(
            f"exact product needs p > {2 * cmax} (|C| <= {cmax}), beyond PrimeField's "
            f"limit 2^31; lower the scales or split the inner dimension")
    return p


# ---- matmul planning ------------------------------------------------------------

def _limb_split(p, limbs):
    """(shift, digit bound) minimising the largest balanced digit of a centred
    element written in ``limbs`` digits."""
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
        shift, dbound = _limb_split(p, limbs)
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


class _OutOfRange(Exception):
    """An operand entry >= p found by the split kernel (fused validation)."""


def _float_matmul(A, B, p, st, out):
    """out = A @ B mod p by plan st (float).  A (m, k), B (k, n) C-contiguous uint32.

    Range validation is fused into the split passes: raises _OutOfRange if
    an entry is >= p (the caller then reports which operand)."""
    m, k = A.shape
    n = B.shape[1]
    L, kb = st.limbs, st.k_block
    if k == 0:
        out[...] = 0
        return out
    if st.split == "A":
        As = _buffer(0, (L, m, k))
        ok = _native.split(A, p, L, st.shift, As)
        left = As.reshape(L * m, k)
        Bf = _buffer(1, (1, k, n))
        ok &= _native.split(B, p, 1, 31, Bf)
        right = Bf[0]
        P = _buffer(2, (L * m, n))
        Pv = P.reshape(L, m, n)
    else:
        Bs = _buffer(0, (k, L, n))
        ok = _native.split(B, p, L, st.shift, Bs.transpose(1, 0, 2))
        right = Bs.reshape(k, L * n)
        Af = _buffer(1, (1, m, k))
        ok &= _native.split(A, p, 1, 31, Af)
        left = Af[0]
        P = _buffer(2, (m, L * n))
        Pv = P.reshape(m, L, n).transpose(1, 0, 2)
    if not ok:
        raise _OutOfRange()
    for k0 in range(0, k, kb):
        k1 = min(k, k0 + kb)
        np.matmul(left[:, k0:k1], right[k0:k1], out=P)
        _native.fold(Pv, st.shift, p, out, k0 == 0)
    return out


MIN_THREAD_WORK = 1 << 24
"""Products with fewer multiply-adds than this stay on the calling thread."""


def _run_threaded(run, A, B, out, threads):
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


# ---- the field -------------------------------------------------------------------

class PrimeField(Field):
    """GF(p) for a prime 2 < p < 2^31; elements uint32.  ``PrimeField(65537)``.

    Immutable and hashable; equal (and, within a process, identical) when p is
    equal; picklable."""

    dtype = np.dtype(np.uint32)
    _instances = {}

    def __new__(cls, p):
        if isinstance(p, bool):
            raise FieldValueError(f"p must be an integer prime, got {p!r}")
        try:
            p = operator.index(p)
        except TypeError:
            raise FieldValueError(f"p must be an integer prime, got {p!r}") from None
        if p in cls._instances:
            return cls._instances[p]
        if not 2 < p < P_MAX:
            raise FieldValueError(f"p must satisfy 2 < p < 2^31, got {p} "
                                  "(use GF256 for characteristic 2)")
        if not is_prime(p):
            factor = _factor(p)[0]
            raise FieldValueError(f"p = {p} is not prime (divisible by {factor})")
        self = object.__new__(cls)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "order", p)
        object.__setattr__(self, "characteristic", p)
        object.__setattr__(self, "name", f"GF({p})")
        object.__setattr__(self, "_cache", {})
        cls._instances[p] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("PrimeField is immutable")

    def __delattr__(self, name):
        raise AttributeError("PrimeField is immutable")

    def __reduce__(self):
        return (PrimeField, (self.p,))

    def __eq__(self, other):
        return isinstance(other, PrimeField) and other.p == self.p

    def __hash__(self):
        return hash(("PrimeField", self.p))

    def __repr__(self):
        return f"PrimeField({self.p})"

    # ---- values -------------------------------------------------------------

    def asarray(self, x, name="array", check_range=True):
        """x as a uint32 array of field elements.

        Accepts integer (and bool) arrays and scalars; raises FieldTypeError for
        any other dtype (floats included) and FieldValueError for entries < 0
        or >= p.  A uint32 array in range is returned as is (no copy).
        ``check_range=False`` skips the range scan of a uint32 array (for
        kernels that check the range in their own pass)."""
        arr = x if isinstance(x, np.ndarray) else np.asarray(x)
        if arr.dtype.kind not in "biu":
            if arr.size == 0 and arr.dtype.kind == "f":
                return arr.astype(np.uint32)
            raise FieldTypeError(f"{name} must hold integers for GF({self.p}), got dtype {arr.dtype}")
        if arr.dtype == np.uint32 and not check_range:
            return arr          # the caller's kernel checks the range itself
        if arr.size:
            # unsigned arrays cannot be negative: one pass instead of two
            lo = 0 if arr.dtype.kind in "bu" else arr.min()
            hi = arr.max()
            if lo < 0 or hi >= self.p:
                raise FieldValueError(f"{name} has values outside GF({self.p}) (0..{self.p - 1}): "
                                      f"min {lo}, max {hi}")
        if arr.dtype == np.uint32:
            return arr
        return arr.astype(np.uint32)

    def random(self, shape, rng=None):
        """Uniform random elements (uint32) of the given shape."""
        return as_generator(rng).integers(0, self.p, size=shape, dtype=np.uint32)

    def _u64(self, a, name):
        return self.asarray(a, name).astype(np.uint64)

    # ---- element-wise (uint64 intermediates: sums < 2^32, products < 2^62) ---

    def add(self, a, b):
        """a + b element-wise, broadcasting."""
        return ((self._u64(a, "a") + self._u64(b, "b")) % self.p).astype(np.uint32)

    def sub(self, a, b):
        """a - b element-wise, broadcasting."""
        return ((self._u64(a, "a") + (self.p - self._u64(b, "b"))) % self.p).astype(np.uint32)

    def neg(self, a):
        """-a element-wise."""
        return ((self.p - self._u64(a, "a")) % self.p).astype(np.uint32)

    def mul(self, a, b):
        """a * b element-wise, broadcasting."""
        return ((self._u64(a, "a") * self._u64(b, "b")) % self.p).astype(np.uint32)

    def _pow_u64(self, a, e):
        """a ** e for uint64 a < p and non-negative int64 e (broadcast), square and multiply."""
        a, e = np.broadcast_arrays(a, e)
        result = np.ones(a.shape, dtype=np.uint64)
        base = a.copy()
        e = e.copy()
        while np.any(e):
            odd = (e & 1).astype(bool)
            result = np.where(odd, result * base % self.p, result)
            base = base * base % self.p
            e >>= 1
        return result

    def pow(self, a, e):
        """a ** e element-wise for integer exponents (negative needs a != 0)."""
        a = self._u64(a, "a")
        e = np.asarray(e)
        if e.dtype.kind not in "biu":
            raise FieldTypeError(f"exponent must be an integer, got dtype {e.dtype}")
        if e.dtype == np.uint64:
            e = e % np.uint64(self.p - 1)   # fold before the int64 cast
        e = e.astype(np.int64)
        a, e = np.broadcast_arrays(a, e)
        zero = a == 0
        if np.any(zero & (e < 0)):
            raise ZeroDivisionError(f"0 raised to a negative power in GF({self.p})")
        # a^(p-1) = 1 for a != 0, so the exponent only matters mod p - 1
        r = self._pow_u64(a, e % (self.p - 1))
        r = np.where(zero, (e == 0).astype(np.uint64), r)
        return r.astype(np.uint32)

    def inv(self, a):
        """1 / a element-wise (Fermat: a^(p-2)); ZeroDivisionError on a zero."""
        return self._inverse(a, "a")

    def _inverse(self, a, what):
        """1 / a, naming the argument ``what`` when it holds a zero."""
        a = self._u64(a, what)
        if np.any(a == 0):
            raise ZeroDivisionError(f"{what} has zero entries: division by zero in GF({self.p})")
        return self._pow_u64(a, np.int64(self.p - 2)).astype(np.uint32)

    def div(self, a, b):
        """a / b element-wise; ZeroDivisionError if b has a zero."""
        return self.mul(a, self._inverse(b, "b"))

    # ---- matmul ----------------------------------------------------------------

    def _matrix(self, A, name, check_range=True):
        A = self.asarray(A, name, check_range)
        if A.ndim != 2:
            raise ShardSizeError(f"{name} must be a 2-D matrix, got shape {A.shape}")
        return np.ascontiguousarray(A)

    def matmul_strategy(self, m, k, n):
        """The plan ``matmul`` uses for an (m, k) @ (k, n) product (see MatmulStrategy)."""
        return choose_strategy(self.p, m, k, n)

    def float_strategies(self):
        """Every valid float64 plan for this p: list of (limbs, shift, k_block)."""
        return float_strategies(self.p)

    def matmul(self, A, B, out=None, strategy=None, n_threads=None):
        """A @ B over GF(p).  A (m, k), B (k, n) or (k,); result (m, n) (or (m,)) uint32.

        ``out`` (m, n) uint32 receives the result (no result allocation; the
        float64 work buffers come from a per-thread pool, see ``_buffer``).  It
        may overlap A or B (the product is then formed in a temporary first);
        its own rows must not overlap each other (InvalidArgumentError).
        ``strategy`` forces a plan: "int", "float" (the cheapest float plan),
        or a MatmulStrategy; the default picks by cost model
        (``matmul_strategy``).  ``n_threads`` (default
        ``fastcode.get_num_threads()``) splits large products by rows (or
        columns) over threads; every kernel releases the GIL.  Keep BLAS itself
        single-threaded (OPENBLAS_NUM_THREADS=1) when using it."""
        threads = _config.check_num_threads(n_threads)
        # uint32 operands are range-checked inside the float kernels (one pass
        # fewer over the data); every other route validates up front below
        A = self._matrix(A, "A", check_range=False)
        Bv = self.asarray(B, "B", check_range=False)
        vector = Bv.ndim == 1
        B = np.ascontiguousarray(Bv.reshape(-1, 1) if vector else Bv)
        if B.ndim != 2:
            raise ShardSizeError(f"B must be 1-D or 2-D, got shape {Bv.shape}")
        m, k = A.shape
        if B.shape[0] != k:
            raise ShardSizeError(f"A has {k} columns but B has {B.shape[0]} rows")
        n = B.shape[1]
        target = None
        if out is not None:
            if not isinstance(out, np.ndarray) or out.dtype != np.uint32:
                raise FieldTypeError("out must be a uint32 array")
            want = (m,) if vector else (m, n)
            if out.shape != want:
                raise ShardSizeError(f"out has shape {out.shape}, expected {want}")
            if not out.flags.writeable:
                raise ValueError("out is read-only")
            target = out
            out2 = out.reshape(m, n)
            check_rows_disjoint(out2)
            if not (out2.flags.c_contiguous and not np.may_share_memory(out2, A)
                    and not np.may_share_memory(out2, B)):
                out2 = np.empty((m, n), dtype=np.uint32)
        else:
            out2 = np.empty((m, n), dtype=np.uint32)
        st = self._resolve_strategy(strategy, m, k, n)
        if st.method != "float" or not _native_ok():
            self.asarray(A, "A")
            self.asarray(B, "B")
        if not _native_ok():
            out2[...] = _ref.matmul(A, B, self.p)
        else:
            p = self.p
            if st.method == "int":
                def run(a, b, o):
                    _native.matmul_int(a, b, p, o)
            else:
                def run(a, b, o):
                    _float_matmul(a, b, p, st, o)
            try:
                _run_threaded(run, A, B, out2, threads)
            except _OutOfRange:
                self.asarray(A, "A")
                self.asarray(B, "B")
                raise AssertionError("split kernel reported a value >= p that asarray did not find")
        if target is not None:
            if not np.shares_memory(target, out2):
                target.reshape(m, n)[...] = out2
            return target
        return out2.reshape(-1) if vector else out2

    def _resolve_strategy(self, strategy, m, k, n):
        if strategy is None:
            return choose_strategy(self.p, m, k, n)
        if isinstance(strategy, MatmulStrategy):
            if strategy.method == "float":
                valid = {(L, s): kb for L, s, kb in float_strategies(self.p)}
                kb = valid.get((strategy.limbs, strategy.shift))
                if kb is None or not 1 <= strategy.k_block <= kb:
                    raise ValueError(f"{strategy} is not exact for p = {self.p}")
            return strategy
        if strategy == "int":
            return MatmulStrategy("int")
        if strategy == "float":
            return choose_strategy(self.p, m, k, n, allow_int=False)
        raise ValueError(f"strategy must be None, 'int', 'float' or a MatmulStrategy, got {strategy!r}")

    # ---- linear algebra ---------------------------------------------------------

    def _square(self, A, name):
        A = self._matrix(A, name)
        if A.shape[0] != A.shape[1]:
            raise ShardSizeError(f"{name} must be square, got shape {A.shape}")
        return A

    def _rref(self, M, pivot_cols):
        """(R, rank, pivots, det) of a uint32 matrix copy, native or reference."""
        if _native_ok():
            R = np.array(M, dtype=np.uint32, order="C", copy=True)
            rank, pivots, det = _native.rref(R, pivot_cols, self.p)
            return R, rank, pivots, int(det)
        R, rank, pivots, det = _ref.rref(M, pivot_cols, self.p)
        R = np.array(R, dtype=np.uint32).reshape(np.shape(M))
        return R, rank, pivots, det

    def inv_matrix(self, A):
        """Inverse of a square matrix; SingularMatrixError if singular."""
        A = self._square(A, "A")
        n = A.shape[0]
        R, rank, _, _ = self._rref(np.concatenate([A, np.eye(n, dtype=np.uint32)], axis=1), n)
        if rank < n:
            raise SingularMatrixError(f"matrix is singular over GF({self.p}) (rank {rank} < {n})")
        return np.ascontiguousarray(R[:, n:])

    def solve(self, A, B):
        """X with A @ X = B; A (n, n), B (n, m) or (n,).  SingularMatrixError if singular."""
        A = self._square(A, "A")
        B = self.asarray(B, "B")
        vector = B.ndim == 1
        B2 = B.reshape(-1, 1) if vector else B
        if B2.ndim != 2 or B2.shape[0] != A.shape[0]:
            raise ShardSizeError(f"B must have {A.shape[0]} rows, got shape {B.shape}")
        n = A.shape[0]
        R, rank, _, _ = self._rref(np.concatenate([A, B2], axis=1), n)
        if rank < n:
            raise SingularMatrixError(f"matrix is singular over GF({self.p}) (rank {rank} < {n})")
        X = np.ascontiguousarray(R[:, n:])
        return X.reshape(-1) if vector else X

    def rank(self, A):
        """Rank of a 2-D matrix."""
        A = self._matrix(A, "A")
        return int(self._rref(A, A.shape[1])[1])

    def det(self, A):
        """Determinant of a square matrix (an int in 0..p-1)."""
        A = self._square(A, "A")
        return int(self._rref(A, A.shape[0])[3]) if A.shape[0] else 1

    def nullspace(self, A):
        """Basis of the right null space {x : A @ x = 0} as rows: shape (cols - rank, cols).

        ``A @ N.T`` is zero; the rows are in reduced form (one free column set to 1)."""
        A = self._matrix(A, "A")
        cols = A.shape[1]
        R, rank, pivots, _ = self._rref(A, cols)
        free = [c for c in range(cols) if c not in set(pivots)]
        N = np.zeros((len(free), cols), dtype=np.uint32)
        if free:
            N[np.arange(len(free)), free] = 1
            if rank:
                sub = R[:rank][:, free].astype(np.int64)      # (rank, d)
                N[:, pivots] = ((-sub) % self.p).T.astype(np.uint32)
        return N

    # ---- roots of unity, NTT, polynomials ----------------------------------------

    def primitive_root(self):
        """The smallest generator of the multiplicative group GF(p)*."""
        g = self._cache.get("g")
        if g is None:
            factors = _factor(self.p - 1)
            g = next(c for c in range(2, self.p)
                     if all(pow(c, (self.p - 1) // q, self.p) != 1 for q in factors))
            self._cache["g"] = g
        return g

    def two_adicity(self):
        """Largest e with 2^e dividing p - 1 (the longest radix-2 NTT is 2^e)."""
        return ((self.p - 1) & -(self.p - 1)).bit_length() - 1

    def root_of_unity(self, n):
        """A primitive n-th root of unity, g^((p-1)/n); FieldValueError unless n | p - 1."""
        n = operator.index(n)
        if n < 1 or (self.p - 1) % n:
            raise FieldValueError(f"GF({self.p}) has no primitive {n}-th root of unity "
                                  f"({n} does not divide p - 1 = {self.p - 1})")
        return pow(self.primitive_root(), (self.p - 1) // n, self.p)

    def _ntt_root(self, n, root):
        if n & (n - 1) or n < 1:
            raise ShardSizeError(f"NTT length must be a power of two, got {n}")
        if root is None:
            return self.root_of_unity(n)
        root = int(self.asarray(root, "root"))
        if pow(root, n, self.p) != 1 or (n > 1 and pow(root, n // 2, self.p) == 1):
            raise FieldValueError(f"{root} is not a primitive {n}-th root of unity in GF({self.p})")
        return root

    def _transform(self, x, axis, root):
        """X[i] = sum_j x[j] root^(i j) along axis (radix-2, decimation in time)."""
        x = self.asarray(x, "x")
        a = np.moveaxis(x, axis, 0)
        n = a.shape[0]
        shape = a.shape
        if not _native_ok():
            res = _ref.dft(a.reshape(n, -1), root, self.p).reshape(shape)
            return np.moveaxis(res, 0, axis)
        bits = n.bit_length() - 1
        rev = np.zeros(n, dtype=np.int64)
        for b in range(bits):
            rev |= ((np.arange(n) >> b) & 1) << (bits - 1 - b)
        data = a.reshape(n, -1)[rev].astype(np.uint64)
        cols = data.shape[1]
        p = self.p
        length = 2
        while length <= n:
            half = length // 2
            wl = pow(root, n // length, p)
            tw = np.array([pow(wl, j, p) for j in range(half)], dtype=np.uint64)
            d = data.reshape(n // length, length, cols)
            u = d[:, :half].copy()
            v = d[:, half:] * tw[None, :, None] % p
            d[:, :half] = (u + v) % p
            d[:, half:] = (u + (p - v)) % p
            length *= 2
        res = data.astype(np.uint32).reshape(shape)
        return np.moveaxis(res, 0, axis)

    def ntt(self, x, axis=0, root=None):
        """Number-theoretic transform along ``axis`` (length n a power of two dividing p-1).

        X[i] = sum_j x[j] w^(i j) with w = ``root`` or ``root_of_unity(n)``: the
        values at w^i of the polynomial with coefficients x (ascending degree)."""
        n = np.shape(x)[axis]
        return self._transform(x, axis, self._ntt_root(n, root))

    def intt(self, X, axis=0, root=None):
        """Inverse of ``ntt`` with the same ``root``: coefficients from values at w^i."""
        n = np.shape(X)[axis]
        w = self._ntt_root(n, root)
        y = self._transform(X, axis, pow(w, -1, self.p))
        return self.mul(y, pow(n, -1, self.p))

    def poly_eval(self, coeffs, points):
        """Evaluate polynomials at points (Horner).  coeffs (d, ...) ascending degree,
        points (n,); result (n, ...) uint32."""
        c = self.asarray(coeffs, "coeffs")
        x = self.asarray(points, "points").reshape(-1).astype(np.uint64)
        if c.ndim == 0:
            raise ShardSizeError("coeffs must have at least one dimension (the degree)")
        xs = x.reshape((-1,) + (1,) * (c.ndim - 1))
        res = np.zeros((len(x),) + c.shape[1:], dtype=np.uint64)
        for d in range(c.shape[0] - 1, -1, -1):
            res = (res * xs + c[d].astype(np.uint64)) % self.p
        return res.astype(np.uint32)

    def interpolate(self, points, values):
        """Coefficients (ascending, shape (n, ...)) of the unique polynomial of degree < n
        with value values[i] at points[i].  O(n^2) (Newton divided differences)."""
        x = self.asarray(points, "points").reshape(-1)
        v = self.asarray(values, "values")
        n = len(x)
        if v.shape[:1] != (n,):
            raise ShardSizeError(f"values must have {n} rows, got shape {v.shape}")
        if len(np.unique(x)) != n:
            raise FieldValueError("interpolation points must be distinct")
        p = self.p
        xs = x.astype(np.uint64)
        c = v.reshape(n, -1).astype(np.uint64)
        for j in range(1, n):
            diff = (xs[j:] + (p - xs[:-j])) % p
            dinv = self._pow_u64(diff, np.int64(p - 2))[:, None]
            c[j:] = (c[j:] + (p - c[j - 1:-1])) % p * dinv % p
        # Newton form -> monomial basis: poly = poly * (X - x_j) + c_j, j from n-1 down
        poly = np.zeros_like(c)
        if n:
            poly[0] = c[n - 1]
        for j in range(n - 2, -1, -1):
            shifted = np.zeros_like(poly)
            shifted[1:] = poly[:-1]
            poly = (shifted + (p - xs[j]) * poly % p) % p
            poly[0] = (poly[0] + c[j]) % p
        return poly.astype(np.uint32).reshape(v.shape)

    # ---- fixed point ----------------------------------------------------------------

    def from_float(self, x, scale):
        """Real data to field elements: round(x * scale), negatives as p - |y| (centred).

        FieldValueError if an entry is not finite or |round(x * scale)| > (p-1)/2."""
        x = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise FieldValueError("x has non-finite entries")
        y = np.rint(x * float(scale))
        half = (self.p - 1) // 2
        if y.size and np.max(np.abs(y)) > half:
            raise FieldValueError(f"|x * scale| reaches {np.max(np.abs(y)):.6g}, beyond "
                                  f"(p-1)/2 = {half}: use a larger p or a smaller scale")
        y = y.astype(np.int64)
        return np.where(y < 0, y + self.p, y).astype(np.uint32)

    def to_float(self, y, scale):
        """Field elements to reals: centred value (y > (p-1)/2 means y - p) / scale."""
        y = self.asarray(y, "y").astype(np.int64)
        y = np.where(y > (self.p - 1) // 2, y - self.p, y)
        return y / float(scale)
