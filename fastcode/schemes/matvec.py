"""Coded matrix-vector and matrix-matrix products (:ref:`lee-matvec`): A·x from any k of n workers.

``A`` (q x r) is cut into k row blocks of b = ceil(q / k) rows (zero rows pad the
last one), the blocks are encoded with a systematic (n, k) ``MDSCode`` and
worker i keeps coded block i (b x r) for every round.  Each round the master
sends x; worker i returns ``Ã_i @ x`` (b,) -- or (b, c) for a matrix X -- and
any k results give ``A @ x`` (q,).  ``transpose=True`` codes the column blocks of
A instead (the row blocks of A^T), giving A^T x: the second round of the
gradient A^T (A x - y) of least squares.

Every scheme here has two faces with one implementation:

* in process::

      s = CodedMatVec(A, n=20, k=16)              # encodes nothing yet
      tasks = s.encode()                          # per-worker payloads, made once
      results = {i: s.compute(i, x) for i in responders}
      y = s.decode(results)                       # A @ x (q,)

* the runtime protocol (``fastcode.runtime``): ``n_workers``,
  ``setup_tasks(job)`` (= ``encode()``; ``job`` is A itself or None),
  module-level ``worker_fn(payload, round_input)``, ``worker_load(i)``,
  ``can_decode(responders)``, ``decode(results, round_input)``; plus
  ``recovery_threshold`` and ``load``.

Fields: any fastcode field.  PrimeField/GF256 decode exactly; over Reals the
default code is ``real_mds_code`` (``fastcode.codes.real``; systematic, random
parity block chosen for its worst recovery condition number) because the systematic forms of the
Cauchy and Chebyshev-Vandermonde generators are badly conditioned over the
reals (worst kappa ~ 3e8 and ~ 2e11 at (20, 16), against 4.1e4 for it).

Baselines with the same API: ``UncodedMatVec`` (n row blocks, needs all n)
and ``ReplicatedMatVec`` (n/r blocks, each on r workers, needs one copy of each).
"""
import numpy as np

from fastcode.codes.mds import MDSCode
from fastcode.codes.real import real_mds_code
from fastcode.errors import InvalidArgumentError, NotEnoughShardsError, ShardSizeError
from fastcode.fields import Reals
from fastcode.matrices import check_code_size

__all__ = [
    "CodedMatVec", "CodedMatMul", "UncodedMatVec", "ReplicatedMatVec",
    "block_product", "real_mds_code",
]


def block_product(task, x):
    """Worker function of every scheme here: ``task = (block, field)``, returns
    ``field.matmul(block, x)``: (b,) for x (r,), (b, c) for X (r, c), field dtype.

    Module level so process/MPI workers import it by name; it keeps no
    reference to x (the runtime reuses the round-input buffer)."""
    block, field = task
    return field.matmul(block, x)


def _make_code(n, k, field, kind):
    """The MDSCode of CodedMatVec(A, n, k, field, kind)."""
    if kind is None:
        kind = "gaussian" if field == Reals else "cauchy"
    if kind == "gaussian":
        if field != Reals:
            raise InvalidArgumentError(f"kind='gaussian' is a real code; field is {field}")
        return real_mds_code(n, k)
    if kind not in ("cauchy", "vandermonde"):
        raise InvalidArgumentError(f"kind must be 'gaussian' (Reals), 'cauchy' or 'vandermonde' "
                                   f"(or pass a code with from_code), got {kind!r}")
    return MDSCode(n, k, field, kind=kind)


# ---- shared machinery ---------------------------------------------------------------------------

class _RowBlockScheme:
    """A (or A^T) cut into row blocks of b rows; subclasses decide who holds what.

    Subclass contract: ``n_workers``, ``n_blocks`` (blocks the data is cut into),
    ``_payload_blocks(data)`` -> list of per-worker (b, r) blocks, and
    ``_decode_rows(results)`` -> (n_blocks * b, ...) rows of the product."""

    worker_fn = staticmethod(block_product)
    input_ndim = None          # 1: vectors only, 2: matrices only, None: either

    def _bind(self, A, field, transpose, n_blocks):
        self.field = field
        self.transpose = bool(transpose)
        self._source = A
        M = field.asarray(A, "A")
        if M.ndim != 2:
            raise ShardSizeError(f"A must be a 2-D matrix, got shape {M.shape}")
        self.shape = M.shape                       # of A, as given
        if self.transpose:
            M = M.T
        self.rows, self.cols = M.shape              # of the matrix actually coded
        self.block_rows = -(-self.rows // n_blocks) if self.rows else 0
        self._M = M
        self._tasks = None
        self._ids = frozenset(range(self.n_workers))

    # ---- encoding ------------------------------------------------------------------

    def _padded_blocks(self):
        """(n_blocks, b * cols) contiguous data rows, zero-padded (padding dropped at decode)."""
        nb, b, f = self.n_blocks, self.block_rows, self.field
        data = f.zeros((nb * b, self.cols))
        data[:self.rows] = self._M
        return data.reshape(nb, b * self.cols)

    def encode(self):
        """Per-worker payloads ``(block, field)``, block (b, cols) C-contiguous; made
        once and reused by every round (and every call)."""
        if self._tasks is None:
            blocks = self._payload_blocks(self._padded_blocks())
            b, c = self.block_rows, self.cols
            self._tasks = [(np.ascontiguousarray(blk).reshape(b, c), self.field) for blk in blocks]
            self._M = None                          # the coded blocks are all we need now
        return self._tasks

    def setup_tasks(self, job=None):
        """Runtime protocol: the payloads of ``encode()``.  ``job`` is the matrix the
        scheme was built with (or None); a different matrix is an error -- build a
        new scheme for it."""
        if job is not None and job is not self._source:
            same = (isinstance(job, np.ndarray) and isinstance(self._source, np.ndarray)
                    and job.shape == self._source.shape and np.array_equal(job, self._source))
            if not same:
                raise InvalidArgumentError("setup_tasks(job): job must be the matrix this scheme "
                                           "was built with (or None)")
        return self.encode()

    # ---- workers ------------------------------------------------------------------------

    def check_input(self, x):
        """x as a field array of shape (cols,) or (cols, c); ShardSizeError otherwise."""
        x = self.field.asarray(x, "x")
        ok = x.ndim in (1, 2) if self.input_ndim is None else x.ndim == self.input_ndim
        if not ok or x.shape[0] != self.cols:
            want = {1: f"({self.cols},)", 2: f"({self.cols}, c)",
                    None: f"({self.cols},) or ({self.cols}, c)"}[self.input_ndim]
            raise ShardSizeError(f"x must have shape {want}, got {x.shape}")
        return x

    def compute(self, i, x):
        """Worker i's result for input x, in process: ``worker_fn(encode()[i], x)``."""
        i = self._worker_id(i)
        return self.worker_fn(self.encode()[i], self.check_input(x))

    def worker_load(self, i):
        """Fraction of the whole product worker i computes."""
        self._worker_id(i)
        return self.load

    # ---- decoding ------------------------------------------------------------------------

    def _worker_id(self, i):
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.n_workers:
            raise InvalidArgumentError(f"worker id must be an int in [0, {self.n_workers}), got {i!r}")
        return int(i)

    def _check_results(self, results):
        """Validated {worker: array} in arrival order; all of one shape (b,) or (b, c).

        On the hot path of every round: arrays already of the field's dtype are
        used as they are (no per-item conversion), ids are checked by one set lookup each."""
        if not isinstance(results, dict):
            raise InvalidArgumentError("results must be a dict {worker id: result} (ids are unique)")
        ids, dtype, shape, out = self._ids, self.field.dtype, None, results
        for i, r in results.items():
            if i not in ids or isinstance(i, bool):
                raise InvalidArgumentError(f"worker id must be an int in [0, {self.n_workers}), got {i!r}")
            if type(r) is not np.ndarray or r.dtype != dtype:
                if out is results:
                    out = dict(results)
                r = out[i] = self.field.asarray(r, f"results[{i}]")
            if shape is None:
                shape = r.shape
                if r.ndim not in (1, 2) or r.shape[0] != self.block_rows:
                    raise ShardSizeError(f"results[{i}] must have {self.block_rows} rows "
                                         f"(1-D or 2-D), got shape {r.shape}")
            elif r.shape != shape:
                raise ShardSizeError(f"results[{i}] has shape {r.shape}, others {shape}")
        return out, shape

    def decode(self, results, round_input=None):
        """A @ x (or A^T x): (rows,) for vector results, (rows, c) for matrix results.

        ``results``: {worker id: result} (dict order = arrival order, as the
        runtime gives it).  NotEnoughShardsError if they cannot decode;
        ``round_input`` is not needed (accepted for the runtime protocol)."""
        res, shape = self._check_results(results)
        if not self._decodable(res):
            raise NotEnoughShardsError(f"{type(self).__name__} cannot decode from workers "
                                       f"{sorted(res)} (needs {self._needs()})")
        y = self._decode_rows(res, shape)
        return y[:self.rows]

    def _decodable(self, res):
        return self.can_decode(list(res))


class _MDSRowScheme(_RowBlockScheme):
    """A coded by a systematic (n, k) MDSCode; decodable from any k workers."""

    def __init__(self, A, n, k, field=Reals, kind=None, *, transpose=False):
        self._init(A, _make_code(n, k, field, kind), transpose)

    @classmethod
    def from_code(cls, A, code, *, transpose=False):
        """The scheme with a given systematic ``MDSCode`` (any field, any kind)."""
        if not isinstance(code, MDSCode):
            raise InvalidArgumentError(f"code must be an MDSCode, got {type(code).__name__}")
        self = cls.__new__(cls)
        self._init(A, code, transpose)
        return self

    def _init(self, A, code, transpose):
        self.code = code
        self.n_workers = self.n = code.n
        self.k = self.n_blocks = self.recovery_threshold = code.k
        self.load = 1.0 / code.k
        self._plans = {}                 # responder pattern -> decode plan (see _prepare)
        self._zeros = {}                 # result shape -> zero block standing in for lost ones
        self._bind(A, code.field, transpose, code.k)

    def __repr__(self):
        t = ", transpose=True" if self.transpose else ""
        return f"{type(self).__name__}(A{self.shape}, n={self.n}, k={self.k}, code={self.code!r}{t})"

    def _payload_blocks(self, data):
        # systematic: workers 0..k-1 hold the data blocks themselves
        return list(data) + list(self.code.encode(data))

    def can_decode(self, responders):
        return len({int(i) for i in responders if 0 <= int(i) < self.n}) >= self.k

    def _decodable(self, res):
        return len(res) >= self.k               # ids validated and unique (dict keys)

    def _needs(self):
        return f"any {self.k} of {self.n}"

    def _decode_rows(self, res, shape):
        k = self.k
        if all(i in res for i in range(k)):
            # systematic fast path: the data blocks themselves, no arithmetic
            return np.concatenate([res[i] for i in range(k)], axis=0)
        # prefer data responders (copied, not computed), then parity in arrival order;
        # rounds usually repeat the previous round's responders: reuse its choice
        keys = tuple(res)
        plan = self._plans.get(keys)
        if plan is None:
            data = [i for i in res if i < k]
            chosen = tuple(sorted(data + [i for i in res if i >= k][:k - len(data)]))
            plan = self._plans.get(chosen)
            if plan is None:
                plan = self._prepare(chosen)
            self._remember(keys, plan)
        lost, parity, M = plan
        # one concatenation holds the output (present data blocks, zeros at the lost
        # ones) followed by the parity results; one product with M (e, k + e) then
        # rebuilds the lost blocks in place
        f = self.field
        zero = self._zeros.get(shape)
        if zero is None:
            zero = self._zeros[shape] = f.zeros(shape)
        ext = np.concatenate([res.get(i, zero) for i in range(k)] + [res[i] for i in parity], axis=0)
        flat = ext.reshape(k + len(parity), -1)
        flat[lost] = M @ flat if f == Reals else f.matmul(M, flat)     # lost: a slice when it can be
        return ext[:k * shape[0]]

    def _prepare(self, chosen):
        """(lost data blocks, parity workers used, M (e, k + e)) for the k workers
        ``chosen`` (sorted), from the code's prepared, cached decoder: its (e x k)
        matrix acts on the chosen results (data first, then parity); M spreads its
        data columns to block positions (zero at the lost blocks) and keeps the
        parity columns last."""
        dec = self.code.decoder(np.array(chosen, dtype=np.intp))
        R = dec.matrix
        data = [i for i in chosen if i < self.k]
        parity = [i for i in chosen if i >= self.k]
        M = self.field.zeros((R.shape[0], self.k + len(parity)))
        M[:, data] = R[:, :len(data)]
        M[:, self.k:] = R[:, len(data):]
        lost = dec.lost.tolist()
        if lost == list(range(lost[0], lost[-1] + 1)):
            lost = slice(lost[0], lost[-1] + 1)          # contiguous: a cheaper assignment
        plan = (lost, parity, M)
        self._remember(chosen, plan)
        return plan

    def _remember(self, key, plan):
        if len(self._plans) >= 512:      # bounded: C(n, k) patterns can be many
            self._plans.clear()
        self._plans[key] = plan


class CodedMatVec(_MDSRowScheme):
    """A @ x from any k of n workers (x a vector); ``transpose=True``: A^T x.

    ``CodedMatVec(A, n, k, field=Reals, kind=None)``: A (q, r) of the field's
    dtype (float64 for Reals, uint32 in [0, p) for PrimeField, uint8 for GF256).
    ``kind``: "gaussian" (Reals default, ``real_mds_code``), "cauchy" (finite
    field default) or "vandermonde"; ``CodedMatVec.from_code(A, code)`` takes
    any systematic MDSCode.  Each worker stores b = ceil(q/k) rows of r
    (``load = 1/k``); results are (b,); ``decode`` returns (q,).  If workers
    0..k-1 (the systematic ones) are among the results, decoding is a plain
    concatenation; otherwise one (e x k) product, e = lost data blocks, with the
    matrix of the code's decoder for that responder pattern (prepared once by
    ``MDSCode.decoder`` and kept per pattern)."""

    input_ndim = 1


class CodedMatMul(_MDSRowScheme):
    """A @ X from any k of n workers (X a (r, c) matrix); same coding as
    CodedMatVec: results are (b, c), ``decode`` returns (q, c)."""

    input_ndim = 2


class UncodedMatVec(_RowBlockScheme):
    """Baseline: A cut into n row blocks, worker i holds block i; needs all n.

    Same API as CodedMatVec; x may be a vector or a matrix.  ``load = 1/n``."""

    def __init__(self, A, n, field=Reals, *, transpose=False):
        check_code_size(n, 1, Reals)
        self.n_workers = self.n = self.n_blocks = self.recovery_threshold = int(n)
        self.load = 1.0 / n
        self._bind(A, field, transpose, self.n)

    def __repr__(self):
        return f"UncodedMatVec(A{self.shape}, n={self.n})"

    def _payload_blocks(self, data):
        return list(data)

    def can_decode(self, responders):
        return {int(i) for i in responders} >= set(range(self.n))

    def _needs(self):
        return f"all {self.n} workers"

    def _decode_rows(self, res, shape):
        return np.concatenate([res[i] for i in range(self.n)], axis=0)


class ReplicatedMatVec(_RowBlockScheme):
    """Baseline: r-replication.  A cut into n/r row blocks; block g is held by
    workers g*r .. g*r + r - 1 (``group(i) = i // r``); decodable once every
    block has a responder (the group rule).  ``load = r/n``; x a vector or a matrix."""

    def __init__(self, A, n, r=2, field=Reals, *, transpose=False):
        check_code_size(n, 1, Reals)
        if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 1 or n % r:
            raise InvalidArgumentError(f"replication factor r={r!r} must be an int dividing n={n}")
        self.n_workers = self.n = int(n)
        self.r = int(r)
        self.n_blocks = self.n // self.r
        # worst case: one copy of every block, but the luckiest n/r can suffice
        self.recovery_threshold = self.n - self.r + 1
        self.load = self.r / self.n
        self._bind(A, field, transpose, self.n_blocks)

    def __repr__(self):
        return f"ReplicatedMatVec(A{self.shape}, n={self.n}, r={self.r})"

    def group(self, i):
        """The row block worker i holds."""
        return self._worker_id(i) // self.r

    def _payload_blocks(self, data):
        return [data[i // self.r] for i in range(self.n)]

    def can_decode(self, responders):
        return len({int(i) // self.r for i in responders if 0 <= int(i) < self.n}) == self.n_blocks

    def _needs(self):
        return f"one of each group of {self.r}"

    def _decode_rows(self, res, shape):
        first = {}
        for i, v in res.items():                  # arrival order: the first copy wins
            first.setdefault(i // self.r, v)
        return np.concatenate([first[g] for g in range(self.n_blocks)], axis=0)
