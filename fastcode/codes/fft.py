"""Reed-Solomon over GF(2^16) with the additive FFT: thousands of shards.

``FFTCode(n, k)`` is a systematic MDS code with k data and m = n - k recovery
shards, for up to 65535 shards in all: any k of the n shards give back the
data.  It is the Leopard-RS algorithm (Lin-Han-Chung additive FFT in the
novel polynomial basis, Cantor basis of GF(2^16)), and its recovery shards are
byte for byte those of the Rust crate reed-solomon-simd (Python:
``reed-solomon-leopard``), so either side decodes the other's shards.
Encode and decode cost O(n log n) per 16-bit symbol column, against O(n k)
for the GF(2^8) Cauchy codes (which stop at 256 shards).

Limits (those of reed-solomon-simd):
  - 1 <= k, 1 <= m, and min(pow2(k), pow2(m)) + max(k, m) <= 65536, where
    pow2 rounds up to a power of two: any k and m up to 32768 each, and
    lopsided pairs such as 61440:4096 or 4096:61440;
  - shards are uint8 with an even length >= 2 (a shard is a sequence of
    16-bit symbols).  There is no other alignment rule; whole multiples of
    64 bytes are the fastest (a last partial 64-byte chunk is padded in
    scratch, as the crate does).

Shard numbers: 0..k-1 data, k..n-1 recovery (recovery r is shard k + r).
The Code contract: ``n``, ``k``, ``field``, ``encode(data, out=None)``,
``can_decode(indices)``, ``decode(results, indices, out=None)``.
"""
from typing import Optional, Sequence, Union, cast

import numpy as np

from fastcode import _config
from fastcode._util.memory import overlaps
from fastcode.errors import (FieldTypeError, InvalidArgumentError, NotEnoughShardsError,
                             ShardSizeError)
from fastcode.codes.base import Indices
from fastcode.fields.base import Regions
from fastcode.fields.gf65536 import GF65536, native_codec
from fastcode.reference import gf65536 as _ref

__all__ = ["FFTCode", "MAX_SHARDS"]

#: Most shards in all (data + recovery) of one FFTCode: every non-zero GF(2^16) point.
MAX_SHARDS = 65535


def _shards(x, count, name):
    """(2-D uint8 array with contiguous rows, or list of 1-D uint8 arrays), length."""
    if isinstance(x, np.ndarray):
        if x.dtype != np.uint8:
            raise FieldTypeError(f"{name} must have dtype uint8, got {x.dtype}")
        if x.ndim != 2:
            raise ShardSizeError(f"{name} must be 2-D (shards x bytes), got shape {x.shape}")
        if count is not None and x.shape[0] != count:
            raise ShardSizeError(f"{name} has {x.shape[0]} rows, expected {count}")
        if x.shape[1] > 1 and x.strides[1] != 1:
            x = np.ascontiguousarray(x)
        return x, x.shape[1]
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise FieldTypeError(f"{name} must be a 2-D uint8 array or a list of buffers, "
                             f"got {type(x).__name__}")
    if count is not None and len(x) != count:
        raise ShardSizeError(f"{name} has {len(x)} buffers, expected {count}")
    rows = []
    for i, r in enumerate(x):
        if r is None:
            raise FieldTypeError(f"{name}[{i}] is None")
        a = r if isinstance(r, np.ndarray) else np.frombuffer(memoryview(r), dtype=np.uint8)
        if a.dtype != np.uint8 or a.ndim != 1:
            raise FieldTypeError(f"{name}[{i}] must be a 1-D uint8 buffer")
        rows.append(np.ascontiguousarray(a))
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise ShardSizeError(f"{name} buffers have different lengths {sorted(lengths)}")
    return rows, (lengths.pop() if lengths else 0)


def _check_length(length):
    if length < 2 or length % 2:
        raise ShardSizeError(f"shards must have an even length >= 2 (16-bit symbols), "
                             f"got {length} bytes")


def _out(out, rows, length, name="out"):
    """A writable (rows, length) uint8 destination: new, a 2-D array or a list."""
    if out is None:
        return np.empty((rows, length), dtype=np.uint8)
    if isinstance(out, np.ndarray):
        if out.dtype != np.uint8:
            raise FieldTypeError(f"{name} must have dtype uint8, got {out.dtype}")
        if out.shape != (rows, length):
            raise ShardSizeError(f"{name} must have shape {(rows, length)}, got {out.shape}")
        if not out.flags.writeable:
            raise InvalidArgumentError(f"{name} is read-only")
        if length > 1 and out.strides[1] != 1:
            raise ShardSizeError(f"{name} rows must be contiguous to be written in place")
        return out
    if len(out) != rows:
        raise ShardSizeError(f"{name} has {len(out)} buffers, expected {rows}")
    views = []
    for i, r in enumerate(out):
        a = r if isinstance(r, np.ndarray) else np.frombuffer(memoryview(r), dtype=np.uint8)
        if a.dtype != np.uint8 or a.shape != (length,):
            raise ShardSizeError(f"{name}[{i}] must be a 1-D uint8 buffer of {length} bytes")
        if not a.flags.writeable:
            raise InvalidArgumentError(f"{name}[{i}] is read-only")
        if length > 1 and a.strides[0] != 1:
            raise ShardSizeError(f"{name}[{i}] must be contiguous to be written in place")
        views.append(a)
    return views


def _stage_if_overlapping(dst, inputs):
    """True when dst overlaps the inputs (compute into a temporary first);
    InvalidArgumentError when rows of dst overlap each other."""
    into_input, between_outputs = overlaps(dst, inputs)
    if between_outputs:
        raise InvalidArgumentError("out rows overlap each other")
    return into_input


class FFTCode:
    """Systematic (n, k) Reed-Solomon code over GF(2^16) by the additive FFT.

    Any k of the n shards give back the data, for up to 65535 shards in all
    (GF(2^8) codes stop at 256).  Shards 0..k-1 are the data, k..n-1 the
    m = n - k recovery shards; parity equals reed-solomon-simd's recovery
    shards for the same k, m and data.  Shards are uint8 (a 2-D array with
    contiguous rows, or a list of buffers), all of one even length >= 2 (a
    shard is a sequence of 16-bit symbols); whole multiples of 64 bytes are
    the fastest.  Encode and decode cost O(n log n) per symbol column.
    ``MDSCode(n, k)`` returns an ``FFTCode`` when n > 256 over the default
    field, or with ``kind="fft"``.  Attributes: ``n``, ``k``, ``m`` (ints: all,
    data and recovery shards) and ``field`` (GF65536).

    Parameters
    ----------
    n : int
        Shards in all, at most 65535.
    k : int
        Data shards, 1 <= k < n.  k and m = n - k must satisfy
        min(pow2(k), pow2(m)) + max(k, m) <= 65536 (pow2 rounds up to a power
        of two): any k and m up to 32768 each, and lopsided pairs such as
        61440:4096.

    Raises
    ------
    InvalidArgumentError
        n or k not an int, k outside [1, n), or an (n, k) pair outside the
        limits above.

    See Also
    --------
    fastcode.codes.mds.MDSCode : GF(2^8) and other fields, up to 256 shards.

    Examples
    --------
    300 shards, 4 of them data: any 4 recover the data.

    >>> from fastcode import FFTCode
    >>> code = FFTCode(300, 4)
    >>> code
    FFTCode(n=300, k=4, field=GF65536, rate='low')
    >>> rng = np.random.default_rng(0)
    >>> data = rng.integers(0, 256, size=(4, 64), dtype=np.uint8)
    >>> parity = code.encode(data)
    >>> parity.shape
    (296, 64)
    >>> stripe = np.vstack([data, parity])
    >>> code.verify(stripe)
    True
    >>> indices = [299, 7, 150, 2]                   # any 4 shards, any order
    >>> np.array_equal(code.decode(stripe[indices], indices), data)
    True

    ``MDSCode`` switches to this code above 256 shards:

    >>> from fastcode import MDSCode
    >>> MDSCode(300, 4) == code
    True
    """

    field = GF65536

    def __init__(self, n: int, k: int) -> None:
        for name, v in (("n", n), ("k", k)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise InvalidArgumentError(f"{name} must be an int, got {type(v).__name__}")
        n, k = int(n), int(k)
        if not 1 <= k < n:
            raise InvalidArgumentError(f"need 1 <= k < n, got n={n}, k={k}")
        if not _ref.supports(k, n - k):
            raise InvalidArgumentError(
                f"FFTCode({n}, {k}) is not supported: k and m = n - k must satisfy "
                f"min(pow2(k), pow2(m)) + max(k, m) <= 65536 (any k, m <= 32768 each)")
        self.n, self.k, self.m = n, k, n - k

    @property
    def rate(self) -> str:
        """"high" (recovery at points 0..m-1) or "low" (data at points 0..k-1): the
        layout reed-solomon-simd picks for these counts."""
        return "high" if _ref.uses_high_rate(self.k, self.m) else "low"

    def __repr__(self):
        return f"FFTCode(n={self.n}, k={self.k}, field=GF65536, rate={self.rate!r})"

    def __eq__(self, other):
        return isinstance(other, FFTCode) and (self.n, self.k) == (other.n, other.k)

    def __hash__(self):
        return hash(("FFTCode", self.n, self.k))

    def __reduce__(self):
        return FFTCode, (self.n, self.k)

    # ---- encode ---------------------------------------------------------------

    def encode(self, data: Regions, out: Optional[Regions] = None,
               n_threads: Optional[int] = None) -> Regions:
        """Recovery shards (m, L) of data.

        Parameters
        ----------
        data : (k, L) uint8 array or list of k buffers
            The data shards; L even, >= 2.
        out : (m, L) uint8 array or list of m writable buffers, optional
            Filled in place and returned; it may overlap ``data`` (the parity
            is then computed into a temporary first).
        n_threads : int, optional
            Threads of this call (default ``fastcode.get_num_threads()``).

        Returns
        -------
        (m, L) uint8 array or list of buffers
            The recovery shards, shards k..n-1 of the codeword (``out`` when
            given).

        Raises
        ------
        FieldTypeError
            ``data`` not uint8, or not an array or list of buffers.
        ShardSizeError
            Not k shards, shards of unequal or odd length, or ``out`` of the
            wrong shape or with non-contiguous rows.
        InvalidArgumentError
            ``out`` read-only, or its rows overlap each other.
        ValueError
            ``n_threads`` not in [1, MAX_THREADS].

        Examples
        --------
        A list of byte buffers works as well as an array:

        >>> from fastcode import FFTCode
        >>> code = FFTCode(6, 4)
        >>> data = [bytes([i] * 8) for i in range(4)]
        >>> parity = code.encode(data)
        >>> parity.shape
        (2, 8)
        >>> code.verify(data + list(parity))
        True
        """
        threads = _config.check_num_threads(n_threads)
        codec = native_codec()
        if (codec is not None and type(data) is np.ndarray and data.dtype == np.uint8
                and data.ndim == 2 and data.shape[0] == self.k and data.flags.c_contiguous
                and data.shape[1] % 2 == 0 and data.shape[1]):
            # fast path (small shards are dominated by per-call cost): a new
            # array, or an out array the kernel can take as it is
            length = data.shape[1]
            if out is None:
                dst = np.empty((self.m, length), dtype=np.uint8)
                codec.encode(self.k, self.m, data, dst, threads)
                return dst
            if (type(out) is np.ndarray and out.dtype == np.uint8 and out.shape == (self.m, length)
                    and out.flags.c_contiguous and out.flags.writeable
                    and not codec.arrays_overlap(out, data)):
                codec.encode(self.k, self.m, data, out, threads)
                return out
        src, length = _shards(data, self.k, "data")
        _check_length(length)
        dst = _out(out, self.m, length)
        if out is not None and _stage_if_overlapping(dst, src):
            staged = self.encode(src, n_threads=threads)
            for row, s in zip(dst, staged):
                row[...] = s
            return out
        codec = native_codec()
        if codec is not None:
            codec.encode(self.k, self.m, src, dst, threads)
        else:
            sym = _ref.shards_to_symbols(np.asarray(src))
            res = _ref.symbols_to_shards(_ref.encode_symbols(sym, self.m))
            for row, s in zip(dst, res):
                row[...] = s
        return dst if out is None else out

    def verify(self, codeword: Regions) -> bool:
        """True if the n shards of a codeword are consistent.

        Parameters
        ----------
        codeword : (n, L) uint8 array or list of n buffers
            Data shards then recovery shards.

        Returns
        -------
        bool
            Whether the recovery shards are those of the data shards.

        Raises
        ------
        FieldTypeError
            Not uint8 shards.
        ShardSizeError
            Not n shards, or shards of unequal or odd length.

        Examples
        --------
        >>> from fastcode import FFTCode
        >>> code = FFTCode(6, 4)
        >>> stripe = np.zeros((6, 8), dtype=np.uint8)
        >>> code.verify(stripe)
        True
        >>> stripe[5, 3] = 1                              # one flipped bit
        >>> code.verify(stripe)
        False
        """
        rows, length = _shards(codeword, self.n, "codeword")
        _check_length(length)
        parity = self.encode(rows[:self.k])
        return all(np.array_equal(parity[i], rows[self.k + i]) for i in range(self.m))

    # ---- decode ---------------------------------------------------------------

    def _indices(self, indices):
        """(given indices in the caller's order, whether indices was a bool mask)."""
        arr = np.asarray(indices)
        if arr.dtype == np.bool_:
            if arr.shape != (self.n,):
                raise ShardSizeError(f"indices as a bool mask must have shape ({self.n},), "
                                     f"got {arr.shape}")
            return arr.nonzero()[0], True
        if arr.dtype.kind not in "iu" and not (arr.size == 0 and arr.dtype.kind == "f"):
            raise InvalidArgumentError(f"indices must be integer shard numbers or a bool mask, "
                                       f"got dtype {arr.dtype}")
        if arr.ndim != 1:
            raise ShardSizeError(f"indices must be 1-D, got shape {arr.shape}")
        given = arr.astype(np.intp, copy=False)
        # one comparison catches both ends: negatives wrap to huge unsigned values
        if given.size and given.view(np.uintp).max() >= self.n:
            raise InvalidArgumentError(f"indices must be in [0, {self.n}), got min {given.min()}, "
                                       f"max {given.max()}")
        seen = np.zeros(self.n, dtype=bool)
        seen[given] = True
        if np.count_nonzero(seen) != len(given):
            vals, counts = np.unique(given, return_counts=True)
            raise InvalidArgumentError(f"indices has duplicates {vals[counts > 1].tolist()}")
        return given, False

    def can_decode(self, indices: Indices) -> bool:
        """Whether the shards ``indices`` decode: any k distinct shards do (MDS).

        Parameters
        ----------
        indices : sequence of int or bool mask of length n
            Distinct shard numbers in [0, n).

        Returns
        -------
        bool
            True iff at least k shards are given.

        Raises
        ------
        InvalidArgumentError
            Indices out of range, duplicated, or not integers.
        ShardSizeError
            A mask not of length n, or indices not 1-D.

        Examples
        --------
        >>> from fastcode import FFTCode
        >>> code = FFTCode(6, 4)
        >>> code.can_decode([0, 5, 4]), code.can_decode([0, 5, 4, 1])
        (False, True)
        """
        given, _ = self._indices(indices)
        return len(given) >= self.k

    def _received(self, results, indices):
        """(shard numbers, their rows, length) with rows paired positionally."""
        given, is_mask = self._indices(indices)
        if len(given) < self.k:
            raise NotEnoughShardsError(f"need at least k={self.k} shards to decode, got "
                                       f"{len(given)} (at most m={self.m} may be lost)")
        n_rows = results.shape[0] if isinstance(results, np.ndarray) and results.ndim == 2 \
            else (len(results) if hasattr(results, "__len__") else None)
        if is_mask and n_rows == self.n and len(given) != self.n:
            # a whole stripe indexed by shard number: keep the present rows
            if isinstance(results, np.ndarray):
                results = results[given]
            else:
                results = [results[i] for i in given]
        rows, length = _shards(results, len(given), "results")
        _check_length(length)
        return given, rows, length

    def decode(self, results: Regions, indices: Indices, out: Optional[Regions] = None,
               n_threads: Optional[int] = None) -> Regions:
        """The k data shards (k, L) from any >= k shards.

        Parameters
        ----------
        results : (len(indices), L) uint8 array or list of buffers
            The shards, paired positionally with ``indices``.  With a bool
            mask: the True shards in increasing order, or the whole (n, L)
            stripe (absent rows are ignored).
        indices : sequence of int or bool mask of length n
            Distinct shard numbers in [0, n).
        out : (k, L) uint8 array or list of k writable buffers, optional
            Filled and returned; it may overlap ``results``.
        n_threads : int, optional
            Threads of this call (default ``fastcode.get_num_threads()``).

        Returns
        -------
        (k, L) uint8 array or list of buffers
            The data shards (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            Fewer than k shards given.
        InvalidArgumentError
            Indices out of range, duplicated or not integers; ``out``
            read-only or with rows overlapping each other.
        ShardSizeError
            Rows that do not pair with ``indices``, shards of unequal or odd
            length, ``out`` of the wrong shape.
        FieldTypeError
            Shards that are not uint8 buffers.
        ValueError
            ``n_threads`` not in [1, MAX_THREADS].

        Examples
        --------
        A stripe with two shards lost, given by a bool mask:

        >>> from fastcode import FFTCode
        >>> code = FFTCode(6, 4)
        >>> data = np.arange(32, dtype=np.uint8).reshape(4, 8)
        >>> stripe = np.vstack([data, code.encode(data)])
        >>> mask = np.array([True, False, True, True, False, True])
        >>> np.array_equal(code.decode(stripe, mask), data)
        True
        """
        return self.reconstruct(results, indices, which="data", out=out, n_threads=n_threads)

    def reconstruct(self, results: Regions, indices: Indices,
                    which: Union[str, Sequence[int]] = "data", out: Optional[Regions] = None,
                    n_threads: Optional[int] = None) -> Regions:
        """Any shards of the codeword from any >= k shards.

        Given shards are copied; lost data shards are decoded, lost parity
        re-encoded.

        Parameters
        ----------
        results : (len(indices), L) uint8 array or list of buffers
            As in ``decode``.
        indices : sequence of int or bool mask of length n
            As in ``decode``.
        which : {"data", "parity", "all"} or sequence of int, default "data"
            The k data rows, the m recovery rows, all n rows, or these shard
            numbers (in that order).
        out : (len(which), L) uint8 array or list of writable buffers, optional
            Filled and returned; it may overlap ``results``.
        n_threads : int, optional
            Threads of this call (default ``fastcode.get_num_threads()``).

        Returns
        -------
        (len(which), L) uint8 array or list of buffers
            The shards asked for (``out`` when given).

        Raises
        ------
        NotEnoughShardsError
            Fewer than k shards given.
        InvalidArgumentError
            Indices or ``which`` out of range or malformed; ``out`` read-only
            or with rows overlapping each other.
        ShardSizeError
            Rows that do not pair with ``indices``, shards of unequal or odd
            length, ``out`` of the wrong shape.
        FieldTypeError
            Shards that are not uint8 buffers.
        ValueError
            ``n_threads`` not in [1, MAX_THREADS].

        Examples
        --------
        Rebuild two lost shards of a 300-shard stripe in place:

        >>> from fastcode import FFTCode
        >>> code = FFTCode(300, 4)
        >>> rng = np.random.default_rng(1)
        >>> data = rng.integers(0, 256, size=(4, 32), dtype=np.uint8)
        >>> stripe = np.vstack([data, code.encode(data)])
        >>> damaged = stripe.copy()
        >>> damaged[[1, 200]] = 0                         # shards 1 and 200 lost
        >>> mask = np.ones(300, dtype=bool)
        >>> mask[[1, 200]] = False
        >>> rebuilt = code.reconstruct(damaged, mask, which=[1, 200])
        >>> np.array_equal(rebuilt, stripe[[1, 200]])
        True
        >>> _ = code.reconstruct(damaged, mask, which="all", out=damaged)
        >>> np.array_equal(damaged, stripe)
        True
        """
        threads = _config.check_num_threads(n_threads)
        given, rows, length = self._received(results, indices)
        targets = self._targets(which)
        dst = _out(out, len(targets), length)
        if out is not None and _stage_if_overlapping(dst, rows):
            staged = self.reconstruct(rows, given, which=targets, n_threads=threads)
            for row, s in zip(dst, staged):
                row[...] = s
            return out
        k = self.k
        pos = np.full(self.n, -1, dtype=np.intp)  # row of each given shard
        pos[given] = np.arange(len(given))
        tpos = pos[targets]
        lost_targets = targets[tpos < 0]
        missing_parity = bool(np.any(lost_targets >= k))
        lost_data = np.nonzero(pos[:k] < 0)[0] if missing_parity else lost_targets
        if (not missing_parity and len(lost_data) == len(targets)
                and (isinstance(dst, list) or dst.flags.c_contiguous)):
            # only lost data shards asked for, in order: decode straight into dst
            self._decode_into(given, rows, lost_data, dst, threads)
            return dst if out is None else out
        decoded = np.empty((len(lost_data), length), dtype=np.uint8)
        if len(lost_data):
            self._decode_into(given, rows, lost_data, decoded, threads)
        slot = np.full(k, -1, dtype=np.intp)
        slot[lost_data] = np.arange(len(lost_data))
        parity = None
        if missing_parity:
            data = [rows[pos[s]] if pos[s] >= 0 else decoded[slot[s]] for s in range(k)]
            parity = self.encode(data, n_threads=threads)
        if isinstance(dst, np.ndarray) and isinstance(rows, np.ndarray) and not missing_parity:
            have = tpos >= 0
            dst[have] = rows[tpos[have]]
            dst[~have] = decoded[slot[targets[~have]]]
            return dst if out is None else out
        for row, t, p in zip(dst, targets, tpos):
            if p >= 0:
                row[...] = rows[p]
            elif t < k:
                row[...] = decoded[slot[t]]
            else:   # a lost parity row: parity was encoded above (a new array)
                row[...] = cast(np.ndarray, parity)[t - k]
        return dst if out is None else out

    def _decode_into(self, given, rows, lost, out, threads):
        """Data shards ``lost`` into out (len(lost) regions) from the given rows."""
        codec = native_codec()
        if codec is not None:
            codec.decode(self.k, self.m, given, rows, lost, out, threads)
            return
        sym = _ref.decode_symbols(self.k, self.m, given, _ref.shards_to_symbols(np.asarray(rows)))
        full = _ref.symbols_to_shards(sym)
        for row, s in zip(out, lost):
            row[...] = full[s]

    def _targets(self, which):
        if isinstance(which, str):
            if which == "data":
                return np.arange(self.k)
            if which == "parity":
                return np.arange(self.k, self.n)
            if which == "all":
                return np.arange(self.n)
            raise InvalidArgumentError(f"which must be 'data', 'parity', 'all' or shard "
                                       f"numbers, got {which!r}")
        arr = np.asarray(which)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise InvalidArgumentError("which must be 'data', 'parity', 'all' or a 1-D "
                                       "sequence of shard numbers")
        if arr.size and (arr.min() < 0 or arr.max() >= self.n):
            raise InvalidArgumentError(f"which must hold shard numbers in [0, {self.n})")
        return arr.astype(np.intp)
