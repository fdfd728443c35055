"""Optional side-by-side comparators for the fastcode benchmarks.

Every comparator here is optional: importing this module needs only NumPy.
Each wrapper is obtained through a ``load()`` classmethod that returns an
instance, or ``None`` when the underlying library is missing; the matching
``unavailable_reason()`` classmethod then says why, so a benchmark can skip
the comparison with a message instead of failing.

Comparators:

* :class:`ISAL` -- Intel ISA-L's erasure-code functions through ``ctypes``: the
  library named by the environment variable ``FASTCODE_BENCH_ISAL`` (a path to
  a ``libisal.so.2``, e.g. a newer ISA-L than the system's), else the system's.
* :class:`Zfec` -- the ``zfec`` package (its own systematic RS code).
* :class:`Galois` / :func:`galois_matmul` -- matrix product over ``galois.GF(2**8)``.

Helpers: :func:`median_time` (timing loop) and :func:`memory_bandwidth`
(NumPy copy bandwidth, the reference to quote kernel throughputs against).

All blocks are plain NumPy ``uint8`` arrays. GF(2^8) is defined by the
polynomial 0x11d (x^8 + x^4 + x^3 + x^2 + 1) throughout, as in ISA-L.
Byte convention when reporting: data bytes processed (k * block length).
Never a runtime dependency of fastcode: only benchmarks and ``fastcode bench`` use it.
"""

import ctypes
import ctypes.util
import itertools
import os
import re
import statistics
import time

import numpy as np

__all__ = [
    "ISAL",
    "PreparedEncode",
    "Zfec",
    "ZfecCode",
    "Galois",
    "galois_matmul",
    "median_time",
    "compare_times",
    "paired_times",
    "memory_bandwidth",
]

from fastcode.reference.gf256 import POLYNOMIAL as _GF_POLY
from fastcode.reference.gf256 import dot_prod as _ref_dot_prod


def _loaded_path(stem):
    """Path of the first shared object whose name starts with ``stem`` mapped
    into this process (Linux /proc/self/maps), or None."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if os.path.basename(path).startswith(stem):
                    return path
    except OSError:
        pass
    return None


def _gf_matmul(a, b):
    """GF(2^8) matrix product of uint8 arrays a (r, k) and b (k, c) -> (r, c) uint8 (reference)."""
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.uint8)
    _ref_dot_prod(a, b, out)
    return out


def _u8_matrix(a, shape, name):
    """Return `a` as a C-contiguous uint8 array of the given shape, or raise ValueError."""
    arr = np.ascontiguousarray(a, dtype=np.uint8)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def _block_pointers(blocks, name, writeable):
    """Validate a set of equal-length byte blocks and collect their addresses.

    `blocks` is either a 2-D uint8 array whose rows are contiguous (C-contiguous,
    or rows separated by any stride) or a sequence of 1-D contiguous uint8
    arrays. Returns ``(count, length, addresses, blocks)`` where ``blocks`` is the
    array, or the list of arrays, owning the memory (keep it alive while the
    addresses are used).
    """
    if isinstance(blocks, np.ndarray):
        if blocks.ndim != 2 or blocks.dtype != np.uint8 or blocks.strides[1] != 1:
            raise ValueError(f"{name} must be a 2-D uint8 array with contiguous rows")
        if writeable and not blocks.flags.writeable:
            raise ValueError(f"{name} must be writeable")
        base = blocks.ctypes.data
        addresses = [base + i * blocks.strides[0] for i in range(blocks.shape[0])]
        return blocks.shape[0], blocks.shape[1], addresses, blocks
    arrays = list(blocks)
    if not arrays:
        raise ValueError(f"{name} must contain at least one block")
    length = None
    for arr in arrays:
        if not (isinstance(arr, np.ndarray) and arr.ndim == 1 and arr.dtype == np.uint8
                and arr.flags.c_contiguous):
            raise ValueError(f"each block of {name} must be a contiguous 1-D uint8 array")
        if writeable and not arr.flags.writeable:
            raise ValueError(f"blocks of {name} must be writeable")
        if length is None:
            length = arr.shape[0]
        elif arr.shape[0] != length:
            raise ValueError(f"blocks of {name} must all have the same length")
    return len(arrays), length, [arr.ctypes.data for arr in arrays], arrays


class PreparedEncode:
    """One ISA-L ``ec_encode_data`` call with all its arguments built in advance.

    Calling the object runs ``ec_encode_data`` once, writing the output blocks;
    the only per-call cost beyond ISA-L itself is the ctypes call (about 2 us).
    The attributes ``tables``, ``data`` and ``out`` hold the arrays given to
    :meth:`ISAL.prepare_encode` (an array, or a list of 1-D arrays) and keep their
    memory alive, so the output can be checked after timing. ``k``, ``rows`` and
    ``length`` are the call's sizes.
    """

    __slots__ = ("_func", "_args", "tables", "data", "out", "k", "rows", "length")

    def __init__(self, func, args, tables, data, out, k, rows, length):
        self._func = func
        self._args = args
        self.tables = tables
        self.data = data
        self.out = out
        self.k = k
        self.rows = rows
        self.length = length

    def __call__(self):
        self._func(*self._args)


class ISAL:
    """Intel ISA-L erasure coding (``libisal``) through ctypes.

    Obtain an instance with :meth:`load`. Matrices are (rows, columns) uint8
    arrays; a code with ``k`` data blocks and ``n`` blocks in total has an
    encode matrix of shape (n, k) whose first k rows are the identity.
    Typical use for encoding::

        isal = ISAL.load()
        a = isal.cauchy_matrix(n, k)                  # (n, k)
        tables = isal.init_tables(k, n - k, a[k:])    # parity rows only
        run = isal.prepare_encode(tables, data, parity)  # data (k, L), parity (n-k, L)
        run()                                          # one ec_encode_data call
    """

    _CANDIDATES = ("libisal.so.2", "libisal.so")
    ENV = "FASTCODE_BENCH_ISAL"
    # ec_encode_data's kernels, in the order ISA-L's dispatcher prefers them,
    # with the CPU features each needs (fastcode.platform.cpu_features names).
    _KERNELS = (
        ("ec_encode_data_avx512_gfni", ("avx512f", "avx512bw", "avx512vl", "gfni")),
        ("ec_encode_data_avx2_gfni", ("avx2", "gfni")),
        ("ec_encode_data_avx512", ("avx512f", "avx512bw")),
        ("ec_encode_data_avx2", ("avx2",)),
        ("ec_encode_data_avx", ("avx",)),
        ("ec_encode_data_sse", ("sse4.1",)),
    )
    _instance = None
    _reason = None

    def __init__(self, lib, name):
        """Wrap an already loaded ``ctypes.CDLL``; use :meth:`load` instead."""
        self.name = name
        self._lib = lib
        self.path = _loaded_path("libisal") or name
        match = re.search(r"libisal\.so\.2\.0\.(\d+)$", os.path.realpath(self.path))
        #: "2.30" when the file name tells (Debian's libisal.so.2.0.30), else None
        self.version = f"2.{match.group(1)}" if match else None
        #: the ec_encode_data kernels the library exports
        self.kernels = [name for name, _ in self._KERNELS if hasattr(lib, name)]
        u8p = np.ctypeslib.ndpointer(dtype=np.uint8, flags="C_CONTIGUOUS")
        u8p_out = np.ctypeslib.ndpointer(dtype=np.uint8, flags="C_CONTIGUOUS,WRITEABLE")
        c_int = ctypes.c_int

        self._gen_cauchy = lib.gf_gen_cauchy1_matrix
        self._gen_cauchy.argtypes = [u8p_out, c_int, c_int]
        self._gen_cauchy.restype = None

        self._init_tables = lib.ec_init_tables
        self._init_tables.argtypes = [c_int, c_int, u8p, u8p_out]
        self._init_tables.restype = None

        self._invert = lib.gf_invert_matrix
        self._invert.argtypes = [u8p_out, u8p_out, c_int]
        self._invert.restype = c_int

        # Hot path: plain addresses, so no per-call argument checking by NumPy.
        self._encode = lib.ec_encode_data
        self._encode.argtypes = [c_int, c_int, c_int, ctypes.c_void_p,
                                 ctypes.POINTER(ctypes.c_void_p),
                                 ctypes.POINTER(ctypes.c_void_p)]
        self._encode.restype = None

    def address(self, symbol):
        """The address of the exported function ``symbol`` (an int), for C
        code that calls ISA-L directly (see ``fastcode.bench.isal_loop``)."""
        return ctypes.cast(getattr(self._lib, symbol), ctypes.c_void_p).value

    def dispatch_kernel(self):
        """The ec_encode_data kernel ISA-L's dispatcher picks on this CPU: the
        first of its preference order that the library exports and the CPU runs
        (inferred from the exported names and the CPU flags), or "base"."""
        from fastcode.platform import cpu_features
        flags = cpu_features()
        for name, needs in self._KERNELS:
            if name in self.kernels and all(flags.get(f) for f in needs):
                return name
        return "ec_encode_data_base"

    def describe(self):
        """One line naming the library: its version, or where the version is
        unknown the kernel it dispatches to on this CPU."""
        if self.version:
            what = f"ISA-L {self.version}"
        else:
            what = f"ISA-L (version unknown; dispatches to {self.dispatch_kernel()})"
        return f"{what} from {self.path}"

    @classmethod
    def load(cls):
        """Return the (cached) ISAL instance, or None if libisal cannot be loaded.

        Loads the path in ``$FASTCODE_BENCH_ISAL`` if set (and only that);
        otherwise tries ``libisal.so.2``, then ``libisal.so``, then the name
        found by ``ctypes.util.find_library('isal')``.
        """
        if cls._instance is None and cls._reason is None:
            names = list(cls._CANDIDATES)
            found = ctypes.util.find_library("isal")
            if found and found not in names:
                names.append(found)
            if os.environ.get(cls.ENV):
                names = [os.environ[cls.ENV]]
            errors = []
            for name in names:
                try:
                    cls._instance = cls(ctypes.CDLL(name), name)
                    break
                except (OSError, AttributeError) as exc:
                    errors.append(f"{name}: {exc}")
            else:
                hint = (f"check {cls.ENV}" if os.environ.get(cls.ENV)
                        else "apt-get install -y libisal-dev")
                cls._reason = f"ISA-L not loadable ({hint}): " + "; ".join(errors)
        return cls._instance

    @classmethod
    def unavailable_reason(cls):
        """Why :meth:`load` returns None, or "" if ISA-L is available."""
        cls.load()
        return cls._reason or ""

    def cauchy_matrix(self, n, k):
        """ISA-L's Cauchy encode matrix, (n, k) uint8 (``gf_gen_cauchy1_matrix``).

        Rows 0..k-1 are the identity; row i >= k, column j is 1 / (i XOR j) in GF(2^8).
        Requires 1 <= k <= n <= 256.
        """
        if not 1 <= k <= n <= 256:
            raise ValueError(f"need 1 <= k <= n <= 256, got n={n}, k={k}")
        a = np.empty((n, k), dtype=np.uint8)
        self._gen_cauchy(a, n, k)
        return a

    def init_tables(self, k, rows, matrix):
        """Expand a (rows, k) uint8 coefficient matrix into ISA-L tables.

        Returns a 1-D uint8 array of 32 * k * rows bytes (``ec_init_tables``), to be
        passed to :meth:`encode` / :meth:`prepare_encode`.
        """
        a = _u8_matrix(matrix, (rows, k), "matrix")
        tables = np.empty(32 * k * rows, dtype=np.uint8)
        self._init_tables(k, rows, a, tables)
        return tables

    def prepare_encode(self, tables, data, out):
        """Build one ``ec_encode_data`` call's arguments once; return a :class:`PreparedEncode`.

        ``tables``: 1-D uint8 array of 32 * k * rows bytes from :meth:`init_tables`.
        ``data``: k input blocks of L bytes, as a (k, L) uint8 array with contiguous
        rows or a sequence of k contiguous 1-D uint8 arrays.
        ``out``: rows output blocks of L bytes, same forms, writeable.
        Calling the result computes out[r] = sum_j matrix[r, j] * data[j] over GF(2^8).
        The arrays must not be resized or freed while the prepared call is used.
        """
        k, length, data_addr, data = _block_pointers(data, "data", writeable=False)
        rows, out_length, out_addr, out = _block_pointers(out, "out", writeable=True)
        if out_length != length:
            raise ValueError(f"out blocks have length {out_length}, data blocks {length}")
        if length >= 2**31:
            raise ValueError("block length must fit in a C int")
        if not (isinstance(tables, np.ndarray) and tables.dtype == np.uint8
                and tables.flags.c_contiguous and tables.size == 32 * k * rows):
            raise ValueError(f"tables must be a contiguous uint8 array of 32*k*rows = "
                             f"{32 * k * rows} bytes")
        args = (ctypes.c_int(length), ctypes.c_int(k), ctypes.c_int(rows),
                ctypes.c_void_p(tables.ctypes.data),
                (ctypes.c_void_p * k)(*data_addr),
                (ctypes.c_void_p * rows)(*out_addr))
        return PreparedEncode(self._encode, args, tables, data, out, k, rows, length)

    def encode(self, tables, data, out):
        """Run ``ec_encode_data`` once on (tables, data, out); see :meth:`prepare_encode`.

        Builds the pointer arrays on every call: for timing loops use
        :meth:`prepare_encode` instead.
        """
        self.prepare_encode(tables, data, out)()

    def invert_matrix(self, a):
        """Inverse of a square (n, n) uint8 matrix over GF(2^8) (``gf_invert_matrix``).

        Returns an (n, n) uint8 array, or None if `a` is singular. `a` is not modified.
        """
        a = np.asarray(a)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise ValueError(f"matrix must be square, got shape {a.shape}")
        n = a.shape[0]
        work = np.array(a, dtype=np.uint8, order="C")  # gf_invert_matrix destroys its input
        inv = np.empty((n, n), dtype=np.uint8)
        if self._invert(work, inv, n) != 0:
            return None
        return inv

    def decode_setup(self, encode_matrix, present):
        """Decode matrix and tables rebuilding every absent block, as in ISA-L's example.

        ``encode_matrix``: (n, k) uint8, first k rows the identity (e.g. :meth:`cauchy_matrix`).
        ``present``: k distinct block indices in range(n) that are available; their
        order is the order in which the present blocks must be passed as ``data``.

        Let ``missing = sorted(set(range(n)) - set(present))`` (n - k indices) and
        ``B`` = the rows ``present`` of ``encode_matrix``, inverted with
        ``gf_invert_matrix``. Row r of the decode matrix is row ``missing[r]`` of the
        inverse for a data block, and ``encode_matrix[missing[r]] @ inverse`` (GF(2^8))
        for a parity block.

        Returns ``(decode_matrix, tables)``: decode_matrix is (n - k, k) uint8 and
        tables its ``ec_init_tables`` expansion (32 * k * (n - k) bytes), so that
        ``encode(tables, present_blocks, rebuilt)`` fills rebuilt[r] with block
        missing[r]. Raises ValueError if the present rows are singular.
        """
        e = np.asarray(encode_matrix, dtype=np.uint8)
        if e.ndim != 2:
            raise ValueError(f"encode_matrix must be 2-D, got shape {e.shape}")
        n, k = e.shape
        present = [int(i) for i in present]
        if len(present) != k or len(set(present)) != k or not all(0 <= i < n for i in present):
            raise ValueError(f"present must be {k} distinct indices in range({n})")
        inverse = self.invert_matrix(e[present])
        if inverse is None:
            raise ValueError(f"rows {present} of the encode matrix are singular")
        missing = sorted(set(range(n)) - set(present))
        decode_matrix = np.empty((len(missing), k), dtype=np.uint8)
        for r, i in enumerate(missing):
            decode_matrix[r] = inverse[i] if i < k else _gf_matmul(e[i:i + 1], inverse)[0]
        return decode_matrix, self.init_tables(k, len(missing), decode_matrix)


class ZfecCode:
    """A zfec code with k data blocks out of n; made by :meth:`Zfec.encoder`."""

    def __init__(self, zfec, k, n):
        self.k = k
        self.n = n
        self._encoder = zfec.Encoder(k, n)
        self._decoder = zfec.Decoder(k, n)
        self._parity_nums = tuple(range(k, n))

    def encode(self, blocks):
        """Compute the n - k parity blocks of k data blocks (``zfec.Encoder.encode``).

        ``blocks``: (k, L) uint8 array with contiguous rows, or k contiguous 1-D
        uint8 arrays of equal length. Returns a list of n - k 1-D uint8 arrays of
        length L (read-only views of the bytes zfec returns, no copy).
        """
        out = self._encoder.encode(tuple(blocks), self._parity_nums)
        return [np.frombuffer(b, dtype=np.uint8) for b in out]

    def decode(self, blocks, blocknums):
        """Recover the k data blocks from any k blocks (``zfec.Decoder.decode``).

        ``blocks``: k blocks of L bytes ((k, L) uint8 array or k 1-D uint8 arrays);
        ``blocknums``: their k distinct indices in range(n) (data blocks are 0..k-1).
        Returns a list of k 1-D uint8 arrays, data blocks 0..k-1 in order; blocks
        that were given are returned as views of the input, not copies.
        """
        out = self._decoder.decode(tuple(blocks), tuple(int(i) for i in blocknums))
        return [np.frombuffer(b, dtype=np.uint8) for b in out]


class Zfec:
    """The ``zfec`` package (PyPI), a Reed-Solomon code over GF(2^8) with polynomial 0x11d.

    zfec's generator matrix differs from ISA-L's Cauchy matrix, so only
    throughput (not parity bytes) is comparable.
    """

    _instance = None
    _reason = None

    def __init__(self, module):
        """Wrap the imported ``zfec`` module; use :meth:`load` instead."""
        self._zfec = module
        self.version = getattr(module, "__version__", "unknown")

    @classmethod
    def load(cls):
        """Return the (cached) Zfec instance, or None if ``import zfec`` fails."""
        if cls._instance is None and cls._reason is None:
            try:
                import zfec
            except ImportError as exc:
                cls._reason = f"zfec not installed (pip install zfec): {exc}"
            else:
                cls._instance = cls(zfec)
        return cls._instance

    @classmethod
    def unavailable_reason(cls):
        """Why :meth:`load` returns None, or "" if zfec is available."""
        cls.load()
        return cls._reason or ""

    def encoder(self, k, n):
        """Return a :class:`ZfecCode` (encoder and decoder) for k data blocks out of n.

        Requires 1 <= k <= n <= 256.
        """
        if not 1 <= k <= n <= 256:
            raise ValueError(f"need 1 <= k <= n <= 256, got n={n}, k={k}")
        return ZfecCode(self._zfec, k, n)


class Galois:
    """The ``galois`` package (PyPI): GF(2^8) arrays, irreducible polynomial 0x11d."""

    _instance = None
    _reason = None

    def __init__(self, module):
        """Wrap the imported ``galois`` module; use :meth:`load` instead."""
        self.field = module.GF(2**8)
        self.version = getattr(module, "__version__", "unknown")
        poly = int(self.field.irreducible_poly)
        if poly != _GF_POLY:
            raise ValueError(f"galois GF(2^8) uses polynomial {poly:#x}, expected {_GF_POLY:#x}")

    @classmethod
    def load(cls):
        """Return the (cached) Galois instance, or None if ``galois`` is unusable.

        Importing galois is slow (it compiles with numba), hence it is done here
        rather than at module import.
        """
        if cls._instance is None and cls._reason is None:
            try:
                import galois
            except Exception as exc:  # ImportError, or numba failing at import
                cls._reason = f"galois not importable (pip install galois): {exc!r}"
            else:
                try:
                    cls._instance = cls(galois)
                except ValueError as exc:
                    cls._reason = str(exc)
        return cls._instance

    @classmethod
    def unavailable_reason(cls):
        """Why :meth:`load` returns None, or "" if galois is available."""
        cls.load()
        return cls._reason or ""

    def matmul(self, a, b):
        """GF(2^8) product of uint8 matrices a (r, k) and b (k, c) -> (r, c) uint8 ndarray.

        The inputs are viewed (not copied) as galois arrays; galois checks their values.
        """
        a = np.asarray(a, dtype=np.uint8).view(self.field)
        b = np.asarray(b, dtype=np.uint8).view(self.field)
        return (a @ b).view(np.ndarray)


def galois_matmul(a, b):
    """GF(2^8) product of uint8 matrices a (r, k) and b (k, c) with galois, (r, c) uint8.

    Returns None if galois is unavailable (see ``Galois.unavailable_reason()``).
    """
    g = Galois.load()
    return None if g is None else g.matmul(a, b)


def _timer(fn, clock=time.perf_counter):
    """run(number) -> seconds for ``number`` back-to-back calls of fn()."""
    def run(number):
        start = clock()
        for _ in itertools.repeat(None, number):
            fn()
        return clock() - start
    return run


def _calls_per_repeat(run, min_time):
    number = 1
    while run(number) < min_time:
        number *= 2
    return number


def median_time(fn, repeats=7, warmup=2, min_time=0.02):
    """Median wall time of one call of ``fn()``, in seconds.

    Calls ``fn`` ``warmup`` times, then picks a number of inner calls (doubling
    from 1) such that one repetition lasts at least ``min_time`` seconds, then
    times ``repeats`` repetitions with ``time.perf_counter`` and returns the
    median of (repetition time / inner calls).
    """
    run = _timer(fn)
    for _ in range(warmup):
        fn()
    number = _calls_per_repeat(run, min_time)
    return statistics.median(run(number) / number for _ in range(repeats))


def paired_times(fns, repeats=9, min_time=0.02, clock=time.perf_counter):
    """Time several functions interleaved: (median s/call of each, median ratios).

    Each repetition runs every function back to back, so a burst of load from
    other processes hits them alike; ``ratios[i]`` is the median over
    repetitions of time[0] / time[i] (how much faster fns[i] is than fns[0]),
    far steadier on a shared machine than a ratio of two medians.  With
    ``clock=time.process_time`` the time is this process's CPU time, which also
    ignores periods when the scheduler runs something else (single-threaded
    functions only: CPU time sums over threads).
    """
    numbers = []
    for fn in fns:
        fn()
        fn()
        numbers.append(_calls_per_repeat(_timer(fn, clock), min_time))
    per = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            per[i].append(_timer(fn, clock)(numbers[i]) / numbers[i])
    medians = [statistics.median(p) for p in per]
    ratios = [statistics.median(a / b for a, b in zip(per[0], p)) for p in per]
    return medians, ratios


def compare_times(fn_a, fn_b, repeats=9, min_time=0.02):
    """Two functions timed interleaved (wall clock): (s/call of a, of b, median b/a)."""
    (t_a, t_b), (_, ratio_ab) = paired_times([fn_a, fn_b], repeats, min_time)
    return t_a, t_b, 1 / ratio_ab if ratio_ab else float("inf")


def memory_bandwidth(nbytes=256 * 2**20, repeats=5):
    """Memory bandwidth in bytes/s, from timing ``np.copyto`` of a large array.

    Copies an ``nbytes`` uint8 array into another (both touched beforehand) and
    returns ``nbytes / median copy time``: the bytes copied are counted once,
    although the memory traffic is about twice that (read + write). This is the
    figure to quote kernel throughputs against (:doc:`/performance` gives it for the project's machines).
    """
    src = np.ones(nbytes, dtype=np.uint8)
    dst = np.zeros(nbytes, dtype=np.uint8)
    seconds = median_time(lambda: np.copyto(dst, src), repeats=repeats, warmup=1)
    return nbytes / seconds
