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
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

#: Blocks given to a comparator: a 2-D uint8 array with contiguous rows, or a
#: sequence of contiguous 1-D uint8 arrays of one length.
Blocks = Union[np.ndarray, Sequence[np.ndarray]]

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
    Made by :meth:`ISAL.prepare_encode`, not directly.

    Parameters
    ----------
    func : ctypes function
        ISA-L's ``ec_encode_data``.
    args : tuple
        Its six ctypes arguments (length, k, rows, tables, data and output pointer arrays).
    tables : 1-D uint8 array
        The ``ec_init_tables`` expansion, 32 * k * rows bytes.
    data, out : (k, L) and (rows, L) uint8 arrays, or lists of 1-D uint8 arrays
        The arrays the pointers point into, kept alive by this object, so the
        output can be checked after timing.
    k, rows, length : int
        The call's sizes: input blocks, output blocks, bytes per block.

    Examples
    --------
    ISA-L is optional (``apt-get install libisal-dev``); nothing runs without it.

    >>> from fastcode.bench.comparators import ISAL
    >>> isal = ISAL.load()
    >>> if isal is not None:
    ...     a = isal.cauchy_matrix(6, 4)
    ...     data = np.arange(4 * 64, dtype=np.uint8).reshape(4, 64)
    ...     parity = np.zeros((2, 64), dtype=np.uint8)
    ...     run = isal.prepare_encode(isal.init_tables(4, 2, a[4:]), data, parity)
    ...     run()                              # parity is written in place
    ...     assert run.out is parity and (run.k, run.rows, run.length) == (4, 2, 64)
    """

    __slots__ = ("_func", "_args", "tables", "data", "out", "k", "rows", "length")

    def __init__(self, func: Callable[..., None], args: Tuple[Any, ...], tables: np.ndarray,
                 data: Blocks, out: Blocks, k: int, rows: int, length: int) -> None:
        self._func = func
        self._args = args
        self.tables = tables
        self.data = data
        self.out = out
        self.k = k
        self.rows = rows
        self.length = length

    def __call__(self) -> None:
        self._func(*self._args)


class ISAL:
    """Intel ISA-L erasure coding (``libisal``) through ctypes.

    Obtain an instance with :meth:`load` (None when the library is missing).
    Matrices are (rows, columns) uint8 arrays over GF(2^8) with polynomial 0x11d,
    fastcode's own field; a code with ``k`` data blocks and ``n`` blocks in total
    has an encode matrix of shape (n, k) whose first k rows are the identity.

    Parameters
    ----------
    lib : ctypes.CDLL
        The loaded library.
    name : str
        The name or path it was loaded by.

    Examples
    --------
    Encode with ISA-L and check the parity against fastcode's GF(2^8) product
    with the same matrix (byte compatibility); nothing runs without ISA-L:

    >>> from fastcode import GF256
    >>> from fastcode.bench.comparators import ISAL
    >>> isal = ISAL.load()
    >>> if isal is not None:
    ...     a = isal.cauchy_matrix(6, 4)                    # (n, k)
    ...     tables = isal.init_tables(4, 2, a[4:])          # parity rows only
    ...     data = np.random.default_rng(0).integers(0, 256, (4, 1000), dtype=np.uint8)
    ...     parity = np.empty((2, 1000), dtype=np.uint8)
    ...     isal.encode(tables, data, parity)               # one ec_encode_data call
    ...     assert np.array_equal(parity, GF256.matmul(a[4:], data))
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

    def __init__(self, lib: ctypes.CDLL, name: str) -> None:
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
        u8p_out = np.ctypeslib.ndpointer(dtype=np.uint8, flags=("C_CONTIGUOUS", "WRITEABLE"))
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

    def address(self, symbol: str) -> int:
        """The address of an exported function, for C code that calls ISA-L
        directly (see :mod:`fastcode.bench.isal_loop`).

        Parameters
        ----------
        symbol : str
            The function's name, e.g. ``"ec_encode_data"``.

        Returns
        -------
        int
            Its address in this process.

        Raises
        ------
        AttributeError
            If the library does not export ``symbol``.
        ValueError
            If it resolves to a null address.
        """
        address = ctypes.cast(getattr(self._lib, symbol), ctypes.c_void_p).value
        if address is None:
            raise ValueError(f"{symbol} resolves to a null address")
        return address

    def dispatch_kernel(self) -> str:
        """The ec_encode_data kernel ISA-L's dispatcher picks on this CPU.

        Returns
        -------
        str
            The first kernel of ISA-L's preference order that the library
            exports and the CPU runs (inferred from the exported names and the
            CPU flags), e.g. ``"ec_encode_data_avx2"``, or ``"ec_encode_data_base"``.
        """
        from fastcode.platform import cpu_features
        flags = cpu_features()
        for name, needs in self._KERNELS:
            if name in self.kernels and all(flags.get(f) for f in needs):
                return name
        return "ec_encode_data_base"

    def describe(self) -> str:
        """One line naming the library, for benchmark reports.

        Returns
        -------
        str
            ``"ISA-L 2.30 from /path"``, or where the version is unknown the
            kernel it dispatches to on this CPU instead of the version.
        """
        if self.version:
            what = f"ISA-L {self.version}"
        else:
            what = f"ISA-L (version unknown; dispatches to {self.dispatch_kernel()})"
        return f"{what} from {self.path}"

    @classmethod
    def load(cls) -> "Optional[ISAL]":
        """The (cached) ISAL instance, or None if libisal cannot be loaded.

        Loads the path in ``$FASTCODE_BENCH_ISAL`` if set (and only that);
        otherwise tries ``libisal.so.2``, then ``libisal.so``, then the name
        found by ``ctypes.util.find_library('isal')``.

        Returns
        -------
        ISAL or None
            None when no candidate loads; :meth:`unavailable_reason` says why.
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
    def unavailable_reason(cls) -> str:
        """Why :meth:`load` returns None.

        Returns
        -------
        str
            The reason (with the command that installs the library), or ""
            if ISA-L is available.
        """
        cls.load()
        return cls._reason or ""

    def cauchy_matrix(self, n: int, k: int) -> np.ndarray:
        """ISA-L's Cauchy encode matrix (``gf_gen_cauchy1_matrix``).

        Rows 0..k-1 are the identity; row i >= k, column j is 1 / (i XOR j) in GF(2^8).

        Parameters
        ----------
        n, k : int
            Blocks in total and data blocks, 1 <= k <= n <= 256.

        Returns
        -------
        (n, k) uint8 array

        Raises
        ------
        ValueError
            If k or n is out of range.
        """
        if not 1 <= k <= n <= 256:
            raise ValueError(f"need 1 <= k <= n <= 256, got n={n}, k={k}")
        a = np.empty((n, k), dtype=np.uint8)
        self._gen_cauchy(a, n, k)
        return a

    def init_tables(self, k: int, rows: int, matrix: ArrayLike) -> np.ndarray:
        """Expand a coefficient matrix into ISA-L's tables (``ec_init_tables``).

        Parameters
        ----------
        k, rows : int
            Input and output blocks.
        matrix : (rows, k) uint8 array-like
            The coefficients over GF(2^8).

        Returns
        -------
        1-D uint8 array
            32 * k * rows bytes, for :meth:`encode` / :meth:`prepare_encode`.

        Raises
        ------
        ValueError
            If ``matrix`` is not (rows, k).
        """
        a = _u8_matrix(matrix, (rows, k), "matrix")
        tables = np.empty(32 * k * rows, dtype=np.uint8)
        self._init_tables(k, rows, a, tables)
        return tables

    def prepare_encode(self, tables: np.ndarray, data: Blocks, out: Blocks) -> PreparedEncode:
        """Build one ``ec_encode_data`` call's arguments once, for timing loops.

        Calling the result computes out[r] = sum_j matrix[r, j] * data[j] over GF(2^8).
        The arrays must not be resized or freed while the prepared call is used.

        Parameters
        ----------
        tables : 1-D uint8 array
            32 * k * rows bytes from :meth:`init_tables`.
        data : (k, L) uint8 array with contiguous rows, or k contiguous 1-D uint8 arrays
            The input blocks.
        out : (rows, L) uint8 array or rows 1-D uint8 arrays, writeable
            The output blocks.

        Returns
        -------
        PreparedEncode
            Call it to run ``ec_encode_data`` once.

        Raises
        ------
        ValueError
            Blocks of the wrong dtype, layout or length, a read-only ``out``, a
            block length beyond a C int, or tables of the wrong size.
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

    def encode(self, tables: np.ndarray, data: Blocks, out: Blocks) -> None:
        """Run ``ec_encode_data`` once on (tables, data, out), writing ``out``.

        Builds the pointer arrays on every call: for timing loops use
        :meth:`prepare_encode` instead.

        Parameters
        ----------
        tables, data, out
            As for :meth:`prepare_encode`.
        """
        self.prepare_encode(tables, data, out)()

    def invert_matrix(self, a: ArrayLike) -> Optional[np.ndarray]:
        """Inverse of a square matrix over GF(2^8) (``gf_invert_matrix``).

        Parameters
        ----------
        a : (n, n) uint8 array-like
            Not modified.

        Returns
        -------
        (n, n) uint8 array or None
            None if ``a`` is singular.

        Raises
        ------
        ValueError
            If ``a`` is not square.
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

    def decode_setup(self, encode_matrix: ArrayLike,
                     present: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
        """Decode matrix and tables rebuilding every absent block, as an ISA-L caller does.

        Let ``missing = sorted(set(range(n)) - set(present))`` (n - k indices) and
        ``B`` = the rows ``present`` of ``encode_matrix``, inverted with
        ``gf_invert_matrix``. Row r of the decode matrix is row ``missing[r]`` of the
        inverse for a data block, and ``encode_matrix[missing[r]] @ inverse`` (GF(2^8))
        for a parity block.

        Parameters
        ----------
        encode_matrix : (n, k) uint8 array-like
            First k rows the identity (e.g. :meth:`cauchy_matrix`).
        present : sequence of k distinct ints in range(n)
            The available blocks; their order is the order in which they must be
            passed as ``data`` to :meth:`encode`.

        Returns
        -------
        decode_matrix : (n - k, k) uint8 array
        tables : 1-D uint8 array
            Its ``ec_init_tables`` expansion (32 * k * (n - k) bytes), so that
            ``encode(tables, present_blocks, rebuilt)`` fills rebuilt[r] with
            block missing[r].

        Raises
        ------
        ValueError
            If ``encode_matrix`` is not 2-D, ``present`` is not k distinct indices
            in range(n), or the present rows are singular.

        Examples
        --------
        >>> from fastcode.bench.comparators import ISAL
        >>> isal = ISAL.load()
        >>> if isal is not None:
        ...     a = isal.cauchy_matrix(6, 4)
        ...     data = np.random.default_rng(1).integers(0, 256, (4, 100), dtype=np.uint8)
        ...     blocks = np.vstack([data, np.empty((2, 100), dtype=np.uint8)])
        ...     isal.encode(isal.init_tables(4, 2, a[4:]), data, blocks[4:])
        ...     _, tables = isal.decode_setup(a, [1, 3, 4, 5])     # blocks 0 and 2 lost
        ...     rebuilt = np.empty((2, 100), dtype=np.uint8)
        ...     isal.encode(tables, blocks[[1, 3, 4, 5]], rebuilt)
        ...     assert np.array_equal(rebuilt, data[[0, 2]])
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
    """A zfec code with k data blocks out of n; made by :meth:`Zfec.encoder`.

    Parameters
    ----------
    zfec : module
        The imported ``zfec`` package.
    k, n : int
        Data blocks and blocks in total.

    Examples
    --------
    zfec is optional (``pip install zfec``); nothing runs without it.

    >>> from fastcode.bench.comparators import Zfec
    >>> zfec = Zfec.load()
    >>> if zfec is not None:
    ...     code = zfec.encoder(3, 5)
    ...     data = np.arange(3 * 16, dtype=np.uint8).reshape(3, 16)
    ...     parity = code.encode(data)                         # blocks 3 and 4
    ...     got = code.decode([data[0], parity[0], parity[1]], [0, 3, 4])
    ...     assert np.array_equal(np.vstack(got), data)
    """

    def __init__(self, zfec: Any, k: int, n: int) -> None:
        self.k = k
        self.n = n
        self._encoder = zfec.Encoder(k, n)
        self._decoder = zfec.Decoder(k, n)
        self._parity_nums = tuple(range(k, n))

    def encode(self, blocks: Blocks) -> List[np.ndarray]:
        """The n - k parity blocks of k data blocks (``zfec.Encoder.encode``).

        Parameters
        ----------
        blocks : (k, L) uint8 array with contiguous rows, or k contiguous 1-D uint8 arrays
            The data blocks, of equal length.

        Returns
        -------
        list of n - k 1-D uint8 arrays of length L
            Read-only views of the bytes zfec returns, no copy.
        """
        out = self._encoder.encode(tuple(blocks), self._parity_nums)
        return [np.frombuffer(b, dtype=np.uint8) for b in out]

    def decode(self, blocks: Blocks, blocknums: Sequence[int]) -> List[np.ndarray]:
        """Recover the k data blocks from any k blocks (``zfec.Decoder.decode``).

        Parameters
        ----------
        blocks : (k, L) uint8 array or k 1-D uint8 arrays
            k blocks of L bytes.
        blocknums : sequence of k distinct ints in range(n)
            Their indices (data blocks are 0..k-1).

        Returns
        -------
        list of k 1-D uint8 arrays
            Data blocks 0..k-1 in order; blocks that were given are returned as
            views of the input, not copies.
        """
        out = self._decoder.decode(tuple(blocks), tuple(int(i) for i in blocknums))
        return [np.frombuffer(b, dtype=np.uint8) for b in out]


class Zfec:
    """The ``zfec`` package (PyPI), a Reed-Solomon code over GF(2^8) with polynomial 0x11d.

    zfec's generator matrix differs from ISA-L's Cauchy matrix, so only
    throughput (not parity bytes) is comparable.  Obtain an instance with
    :meth:`load` (None when zfec is not installed).

    Parameters
    ----------
    module : module
        The imported ``zfec`` package.

    Examples
    --------
    >>> from fastcode.bench.comparators import Zfec
    >>> zfec = Zfec.load()
    >>> zfec is not None or "pip install zfec" in Zfec.unavailable_reason()
    True
    """

    _instance = None
    _reason = None

    def __init__(self, module: Any) -> None:
        """Wrap the imported ``zfec`` module; use :meth:`load` instead."""
        self._zfec = module
        self.version = getattr(module, "__version__", "unknown")

    @classmethod
    def load(cls) -> "Optional[Zfec]":
        """The (cached) Zfec instance, or None if ``import zfec`` fails.

        Returns
        -------
        Zfec or None
            None when zfec is missing; :meth:`unavailable_reason` says why.
        """
        if cls._instance is None and cls._reason is None:
            try:
                import zfec
            except ImportError as exc:
                cls._reason = f"zfec not installed (pip install zfec): {exc}"
            else:
                cls._instance = cls(zfec)
        return cls._instance

    @classmethod
    def unavailable_reason(cls) -> str:
        """Why :meth:`load` returns None.

        Returns
        -------
        str
            The reason (with the command that installs the library), or ""
            if zfec is available.
        """
        cls.load()
        return cls._reason or ""

    def encoder(self, k: int, n: int) -> ZfecCode:
        """A zfec encoder and decoder for k data blocks out of n.

        Parameters
        ----------
        k, n : int
            1 <= k <= n <= 256.

        Returns
        -------
        ZfecCode

        Raises
        ------
        ValueError
            If k or n is out of range.
        """
        if not 1 <= k <= n <= 256:
            raise ValueError(f"need 1 <= k <= n <= 256, got n={n}, k={k}")
        return ZfecCode(self._zfec, k, n)


class Galois:
    """The ``galois`` package (PyPI): GF(2^8) arrays, irreducible polynomial 0x11d.

    Obtain an instance with :meth:`load` (None when galois is not importable).

    Parameters
    ----------
    module : module
        The imported ``galois`` package.

    Raises
    ------
    ValueError
        If galois' GF(2^8) does not use the polynomial 0x11d (then the products
        would not be comparable).

    Examples
    --------
    >>> from fastcode.bench.comparators import Galois
    >>> g = Galois.load()          # None, with a reason, when galois is not installed
    >>> g is None or int(g.field.irreducible_poly) == 0x11d
    True

    :func:`galois_matmul` shows a product.
    """

    _instance = None
    _reason = None

    def __init__(self, module: Any) -> None:
        """Wrap the imported ``galois`` module; use :meth:`load` instead."""
        self.field = module.GF(2**8)
        self.version = getattr(module, "__version__", "unknown")
        poly = int(self.field.irreducible_poly)
        if poly != _GF_POLY:
            raise ValueError(f"galois GF(2^8) uses polynomial {poly:#x}, expected {_GF_POLY:#x}")

    @classmethod
    def load(cls) -> "Optional[Galois]":
        """The (cached) Galois instance, or None if ``galois`` is unusable.

        Importing galois is slow (it compiles with numba), hence it is done here
        rather than at module import.

        Returns
        -------
        Galois or None
            None when galois is missing or unusable; :meth:`unavailable_reason` says why.
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
    def unavailable_reason(cls) -> str:
        """Why :meth:`load` returns None.

        Returns
        -------
        str
            The reason (with the command that installs the library), or ""
            if galois is available.
        """
        cls.load()
        return cls._reason or ""

    def matmul(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        """GF(2^8) product of two uint8 matrices with galois.

        The inputs are viewed (not copied) as galois arrays; galois checks their values.

        Parameters
        ----------
        a : (r, k) uint8 array-like
        b : (k, c) uint8 array-like

        Returns
        -------
        (r, c) uint8 array
            A plain ndarray.
        """
        fa = np.asarray(a, dtype=np.uint8).view(self.field)
        fb = np.asarray(b, dtype=np.uint8).view(self.field)
        return (fa @ fb).view(np.ndarray)


def galois_matmul(a: ArrayLike, b: ArrayLike) -> Optional[np.ndarray]:
    """GF(2^8) product of two uint8 matrices with galois, if it is installed.

    Parameters
    ----------
    a : (r, k) uint8 array-like
    b : (k, c) uint8 array-like

    Returns
    -------
    (r, c) uint8 array or None
        None if galois is unavailable (see ``Galois.unavailable_reason()``).

    Examples
    --------
    >>> from fastcode import GF256
    >>> from fastcode.bench.comparators import galois_matmul
    >>> a = np.array([[7, 0], [1, 255]], dtype=np.uint8)
    >>> product = galois_matmul(a, a)
    >>> product is None or np.array_equal(product, GF256.matmul(a, a))
    True
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


def median_time(fn: Callable[[], object], repeats: int = 7, warmup: int = 2,
                min_time: float = 0.02) -> float:
    """Median wall time of one call of ``fn()``, in seconds.

    Calls ``fn`` ``warmup`` times, then picks a number of inner calls (doubling
    from 1) such that one repetition lasts at least ``min_time`` seconds, then
    times ``repeats`` repetitions with ``time.perf_counter`` and returns the
    median of (repetition time / inner calls).

    Parameters
    ----------
    fn : callable
        Called with no argument.
    repeats : int
        Timed repetitions.
    warmup : int
        Untimed calls first.
    min_time : float
        Seconds one repetition lasts at least.

    Returns
    -------
    float
        Seconds per call.

    Examples
    --------
    >>> from fastcode import GF256
    >>> from fastcode.bench.comparators import median_time
    >>> a = np.ones((4, 4), dtype=np.uint8)
    >>> b = np.ones((4, 4096), dtype=np.uint8)
    >>> seconds = median_time(lambda: GF256.matmul(a, b), repeats=3, min_time=0.001)
    >>> 0 < seconds < 1
    True
    """
    run = _timer(fn)
    for _ in range(warmup):
        fn()
    number = _calls_per_repeat(run, min_time)
    return statistics.median(run(number) / number for _ in range(repeats))


def paired_times(fns: Sequence[Callable[[], object]], repeats: int = 9, min_time: float = 0.02,
                 clock: Callable[[], float] = time.perf_counter
                 ) -> Tuple[List[float], List[float]]:
    """Time several functions interleaved: the median time of each and median ratios.

    Each repetition runs every function back to back, so a burst of load from
    other processes hits them alike; ``ratios[i]`` is the median over
    repetitions of time[0] / time[i] (how much faster fns[i] is than fns[0]),
    far steadier on a shared machine than a ratio of two medians.  With
    ``clock=time.process_time`` the time is this process's CPU time, which also
    ignores periods when the scheduler runs something else (single-threaded
    functions only: CPU time sums over threads).

    Parameters
    ----------
    fns : sequence of callables
        Each called with no argument; ``fns[0]`` is the reference.
    repeats : int
        Interleaved repetitions.
    min_time : float
        Seconds one timed repetition of each function lasts at least.
    clock : callable
        The clock, ``time.perf_counter`` (wall) or ``time.process_time`` (CPU).

    Returns
    -------
    medians : list of float
        Median seconds per call of each function.
    ratios : list of float
        Median of time[0] / time[i] per repetition (``ratios[0]`` is 1).

    Examples
    --------
    >>> from fastcode.bench.comparators import paired_times
    >>> small, big = np.ones(1000), np.ones(100000)
    >>> (t_small, t_big), ratios = paired_times([big.sum, small.sum], repeats=3, min_time=0.001)
    >>> ratios[0] == 1.0 and t_small > 0 and t_big > 0
    True
    """
    numbers = []
    for fn in fns:
        fn()
        fn()
        numbers.append(_calls_per_repeat(_timer(fn, clock), min_time))
    per: List[List[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            per[i].append(_timer(fn, clock)(numbers[i]) / numbers[i])
    medians = [statistics.median(p) for p in per]
    ratios = [statistics.median(a / b for a, b in zip(per[0], p)) for p in per]
    return medians, ratios


def compare_times(fn_a: Callable[[], object], fn_b: Callable[[], object], repeats: int = 9,
                  min_time: float = 0.02) -> Tuple[float, float, float]:
    """Two functions timed interleaved on the wall clock (see :func:`paired_times`).

    Parameters
    ----------
    fn_a, fn_b : callable
        Called with no argument.
    repeats : int
        Interleaved repetitions.
    min_time : float
        Seconds one timed repetition lasts at least.

    Returns
    -------
    seconds_a, seconds_b : float
        Median seconds per call of each.
    ratio : float
        Median over repetitions of time_b / time_a.

    Examples
    --------
    >>> from fastcode.bench.comparators import compare_times
    >>> x = np.ones(10000)
    >>> t_a, t_b, ratio = compare_times(x.sum, x.sum, repeats=3, min_time=0.001)
    >>> ratio > 0
    True
    """
    (t_a, t_b), (_, ratio_ab) = paired_times([fn_a, fn_b], repeats, min_time)
    return t_a, t_b, 1 / ratio_ab if ratio_ab else float("inf")


def memory_bandwidth(nbytes: int = 256 * 2**20, repeats: int = 5) -> float:
    """Memory bandwidth in bytes/s, from timing ``np.copyto`` of a large array.

    Copies an ``nbytes`` uint8 array into another (both touched beforehand) and
    returns ``nbytes / median copy time``: the bytes copied are counted once,
    although the memory traffic is about twice that (read + write). This is the
    figure to quote kernel throughputs against (:doc:`/performance` gives it for the project's machines).

    Parameters
    ----------
    nbytes : int
        Bytes copied per call; far beyond the caches for a memory figure.
    repeats : int
        Timed repetitions.

    Returns
    -------
    float
        Bytes per second.

    Examples
    --------
    >>> from fastcode.bench.comparators import memory_bandwidth
    >>> memory_bandwidth(nbytes=2**20, repeats=3) > 1e8     # > 100 MB/s on any machine
    True
    """
    src = np.ones(nbytes, dtype=np.uint8)
    dst = np.zeros(nbytes, dtype=np.uint8)
    seconds = median_time(lambda: np.copyto(dst, src), repeats=repeats, warmup=1)
    return nbytes / seconds
