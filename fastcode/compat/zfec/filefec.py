"""zfec's ``filefec``: a file as m share files, any k of which rebuild it.

Share file layout (identical to zfec's, so either library reads the other's):
a 2-4 byte header, then the share's blocks of every segment in order.  The
input is read in segments of k * CHUNKSIZE bytes and each segment is split with
``easyfec`` (the last one zero-padded to a multiple of k).

The header packs, most significant bit first: m - 1 (8 bits), k - 1
(ceil(log2 m) bits), pad (ceil(log2 k) bits, the padding bytes added to the
file) and the share number (ceil(log2 m) bits), left-aligned in the fewest
whole bytes, never fewer than 2.
"""
import os
from typing import IO, Any, Callable, List, Sequence

from fastcode.compat.zfec import easyfec
from fastcode.compat.zfec._fec import Error

__all__ = ["encode_to_files", "decode_from_files", "encode_file_stringy_easyfec",
           "InsufficientShareFilesError", "CorruptedShareFilesError",
           "RE_FORMAT", "FORMAT_FORMAT", "CHUNKSIZE", "pad_size", "log_ceil"]

#: Bytes read from the input file per encoding step (zfec's value).
CHUNKSIZE = 4096
#: Share file name pattern: prefix, share number, m, suffix, zero-padded (zfec's).
FORMAT_FORMAT = "%%s.%%0%dd_%%0%dd%%s"     # prefix, share number, m, suffix (zero-padded)
#: Regular expression (``% (prefix, suffix)``) matching share file names (zfec's).
RE_FORMAT = "%s.[0-9]+_[0-9]+%s"           # % (prefix, suffix): matches share file names


class InsufficientShareFilesError(Error):
    """Fewer than k share files were given.

    Parameters
    ----------
    k : int
        Share files needed.
    kb : int
        Share files given.

    Examples
    --------
    >>> from fastcode.compat.zfec.filefec import InsufficientShareFilesError
    >>> print(InsufficientShareFilesError(3, 2))
    Insufficient share files -- 3 share files are required to recover this file, but only 2 were given
    """

    def __init__(self, k: int, kb: int, *args: Any, **kwargs: Any) -> None:
        Error.__init__(self, *args, **kwargs)
        self.k = k
        self.kb = kb

    def __repr__(self):
        return (f"Insufficient share files -- {self.k} share files are required to recover "
                f"this file, but only {self.kb} were given")

    __str__ = __repr__


class CorruptedShareFilesError(Error):
    """Share files that are truncated or disagree with each other.

    Examples
    --------
    >>> import io
    >>> from fastcode.compat.zfec import filefec
    >>> try:
    ...     filefec.decode_from_files(io.BytesIO(), [io.BytesIO(b"\\x02")])  # a 1-byte "share"
    ... except filefec.CorruptedShareFilesError:
    ...     print("corrupted")
    corrupted
    """


def pad_size(n: int, k: int) -> int:
    """Bytes to add to n to reach a multiple of k.

    Parameters
    ----------
    n, k : int

    Returns
    -------
    int
        In [0, k).

    Examples
    --------
    >>> from fastcode.compat.zfec.filefec import pad_size
    >>> pad_size(10, 4), pad_size(12, 4)
    (2, 0)
    """
    return -n % k


def log_ceil(n: int, b: int) -> int:
    """The smallest e >= 0 with b ** e >= n.

    Parameters
    ----------
    n : int
    b : int
        The base, at least 2.

    Returns
    -------
    int

    Examples
    --------
    >>> from fastcode.compat.zfec.filefec import log_ceil
    >>> log_ceil(8, 2), log_ceil(9, 2), log_ceil(1, 2)
    (3, 4, 0)
    """
    e, p = 0, 1
    while p < n:
        p *= b
        e += 1
    return e


def _fields(m, k):
    """Bit widths of (m - 1, k - 1, pad, share number) for this m and k."""
    return 8, log_ceil(m, 2), log_ceil(k, 2), log_ceil(m, 2)


def _build_header(m, k, pad, sh):
    """The share-file header for m shares, k needed, pad bytes of padding, share sh."""
    if not (1 <= m <= 256 and 1 <= k <= m and 0 <= pad < k and 0 <= sh < m):
        raise Error(f"invalid share header fields m={m}, k={k}, pad={pad}, sh={sh}")
    value, bits = 0, 0
    for width, field in zip(_fields(m, k), (m - 1, k - 1, pad, sh)):
        value = (value << width) | field
        bits += width
    nbytes = max(2, -(-bits // 8))
    return (value << (8 * nbytes - bits)).to_bytes(nbytes, "big")


class _BitReader:
    """Reads big-endian bit fields from a file, one byte at a time as needed."""

    def __init__(self, inf):
        self.inf, self.value, self.bits = inf, 0, 0

    def pull(self):
        ch = self.inf.read(1)
        if not ch:
            raise CorruptedShareFilesError(
                "Share files were corrupted -- share file %r didn't have a complete metadata "
                "header at the front.  Perhaps the file was truncated."
                % (getattr(self.inf, "name", None),))
        self.value = (self.value << 8) | ch[0]
        self.bits += 8

    def take(self, width):
        while self.bits < width:
            self.pull()
        self.bits -= width
        field = self.value >> self.bits
        self.value &= (1 << self.bits) - 1
        return field


def _parse_header(inf):
    """(m, k, pad, sh) from the header at the front of ``inf`` (reads only the header)."""
    reader = _BitReader(inf)
    reader.pull()
    reader.pull()                       # headers are at least 2 bytes
    m = reader.take(8) + 1
    k = reader.take(log_ceil(m, 2)) + 1
    pad = reader.take(log_ceil(k, 2))
    sh = reader.take(log_ceil(m, 2))
    return m, k, pad, sh


def encode_file_stringy_easyfec(inf: IO[bytes], cb: Callable[[List[Any], int], object],
                                k: int, m: int, chunksize: int = CHUNKSIZE) -> None:
    """Encode a stream segment by segment with :mod:`~fastcode.compat.zfec.easyfec`.

    Parameters
    ----------
    inf : binary file
        Read in segments of k * chunksize bytes until its end.
    cb : callable
        Called as ``cb(blocks, length)`` with each segment's m easyfec blocks
        and the segment's length in bytes.
    k, m : int
        The code: any k of the m blocks of a segment rebuild it.
    chunksize : int
        Bytes per block of a full segment.

    Examples
    --------
    >>> import io
    >>> from fastcode.compat.zfec.filefec import encode_file_stringy_easyfec
    >>> seen = []
    >>> encode_file_stringy_easyfec(io.BytesIO(b"x" * 10), lambda b, n: seen.append((len(b), n)),
    ...                             k=2, m=3, chunksize=4)
    >>> seen                         # segments of 8 bytes, then the last 2
    [(3, 8), (3, 2)]
    """
    enc = easyfec.Encoder(k, m)
    while True:
        segment = inf.read(k * chunksize)
        if not segment:
            return
        cb(enc.encode(segment), len(segment))


def _share_names(dirname: str, prefix: str, m: int, suffix: str) -> List[str]:
    width = len(str(m))
    fmt = FORMAT_FORMAT % (width, width)
    return [os.path.join(dirname, fmt % (prefix, sh, m, suffix)) for sh in range(m)]


def encode_to_files(inf: IO[bytes], fsize: int, dirname: str, prefix: str, k: int, m: int,
                    suffix: str = ".fec", overwrite: bool = False, verbose: bool = False) -> int:
    """Write the m share files of a file, any k of which rebuild it.

    Parameters
    ----------
    inf : binary file
        The input, read to its end.
    fsize : int
        Its size in bytes (the padding in the headers depends on it).
    dirname : str
        Directory of the share files.
    prefix : str
        Share file names are ``prefix.NN_MM<suffix>`` (share NN of MM).
    k, m : int
        1 <= k <= m <= 256.
    suffix : str
        Ends every share file name.
    overwrite : bool
        Replace existing share files; by default an existing file is an error.
    verbose : bool
        Print progress lines.

    Returns
    -------
    int
        0 on success, 1 after an I/O error (printed; the partial share files
        are removed).

    Raises
    ------
    Error
        If k and m are not 1 <= k <= m <= 256.

    Examples
    --------
    >>> import io, os, tempfile
    >>> from fastcode.compat.zfec import filefec
    >>> payload = bytes(range(256)) * 40
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     filefec.encode_to_files(io.BytesIO(payload), len(payload), tmp, "f", 3, 5)
    ...     names = sorted(os.listdir(tmp))
    ...     shares = [open(os.path.join(tmp, n), "rb") for n in names[2:]]    # shares 2, 3, 4
    ...     out = io.BytesIO()
    ...     filefec.decode_from_files(out, shares)
    ...     for f in shares:
    ...         f.close()
    0
    >>> names
    ['f.0_5.fec', 'f.1_5.fec', 'f.2_5.fec', 'f.3_5.fec', 'f.4_5.fec']
    >>> out.getvalue() == payload
    True
    """
    pad = pad_size(fsize, k)
    names = _share_names(dirname, prefix, m, suffix)
    files: List[IO[bytes]] = []
    failed = False
    written = [0]

    def write_segment(blocks, length):
        written[0] += length
        if written[0] > fsize:
            raise IOError("Wrong file size -- possibly the size of the file changed during "
                          f"encoding.  Original size: {fsize}, observed size at least: "
                          f"{written[0]}")
        for f, block in zip(files, blocks):
            f.write(block)

    try:
        for sh, name in enumerate(names):
            if verbose:
                print(f"Creating share file {name!r}...")
            f: IO[bytes]
            if overwrite:
                f = open(name, "wb")
            else:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                f = os.fdopen(os.open(name, flags), "wb")
            files.append(f)
            f.write(_build_header(m, k, pad, sh))
        encode_file_stringy_easyfec(inf, write_segment, k, m, chunksize=CHUNKSIZE)
    except EnvironmentError as exc:
        print("Cannot complete because of exception: ")
        print(exc)
        failed = True
    finally:
        for f in files:
            f.close()
    if failed:
        print("Cleaning up...")
        for name in names[:len(files)]:
            try:
                os.remove(name)
            except EnvironmentError:
                pass
        return 1
    if verbose:
        print("Done!")
    return 0


def decode_from_files(outf: IO[bytes], infiles: Sequence[IO[bytes]],
                      verbose: bool = False) -> None:
    """Rebuild a file from any k of its share files (see :func:`encode_to_files`).

    Parameters
    ----------
    outf : binary file
        Written with the file's bytes (and truncated to drop the padding).
    infiles : sequence of binary files
        Open share files positioned at their headers; the first k are read.
    verbose : bool
        Print "Done!" at the end.

    Raises
    ------
    InsufficientShareFilesError
        Fewer than k share files.
    CorruptedShareFilesError
        A truncated header, share files that disagree on m, k or the padding,
        or share files of different lengths.

    Examples
    --------
    Any three of five shares, in any order:

    >>> import io, os, tempfile
    >>> from fastcode.compat.zfec import filefec
    >>> payload = b"coded computing " * 1000
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     status = filefec.encode_to_files(io.BytesIO(payload), len(payload), tmp, "f", 3, 5)
    ...     paths = [os.path.join(tmp, f"f.{i}_5.fec") for i in (4, 0, 2)]
    ...     shares = [open(p, "rb") for p in paths]
    ...     out = io.BytesIO()
    ...     filefec.decode_from_files(out, shares)
    ...     for f in shares:
    ...         f.close()
    >>> status, out.getvalue() == payload
    (0, True)
    >>> filefec.decode_from_files(io.BytesIO(), shares[:0])
    Traceback (most recent call last):
    ...
    fastcode.compat.zfec.filefec.InsufficientShareFilesError: Insufficient share files -- 1 share files are required to recover this file, but only 0 were given
    """
    if not infiles:
        raise InsufficientShareFilesError(1, 0)
    chosen: List[IO[bytes]] = []
    shnums: List[int] = []
    m = k = pad = 0                     # 0: no header read yet (every field read is >= 1, pad >= 0)
    for f in infiles:
        fm, fk, fpad, sh = _parse_header(f)
        name = getattr(f, "name", None)
        for what, mine, seen in (("m", fm, m), ("k", fk, k), ("pad length", fpad, pad)):
            if chosen and seen != mine:
                raise CorruptedShareFilesError(
                    f"Share files were corrupted -- share file {name!r} said that {what} was "
                    f"{mine} but another share file previously said that {what} was {seen}")
        if fk > len(infiles):
            raise InsufficientShareFilesError(fk, len(infiles))
        m, k, pad = fm, fk, fpad
        chosen.append(f)
        shnums.append(sh)
        if len(chosen) == k:
            break
    if len(chosen) < k:
        raise InsufficientShareFilesError(k, len(chosen))
    dec = easyfec.Decoder(k, m)
    written = 0
    while True:
        chunks = [f.read(CHUNKSIZE) for f in chosen]
        if len({len(c) for c in chunks}) != 1:
            raise CorruptedShareFilesError("Share files were corrupted -- all share files are "
                                           "required to be the same length, but they weren't.")
        if not chunks[0]:
            break
        data = dec.decode(chunks, shnums, padlen=0)
        outf.write(data)
        written += len(data)
    if pad:
        outf.truncate(written - pad)
    if verbose:
        print("Done!")
