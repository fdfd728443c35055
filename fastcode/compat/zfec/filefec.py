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
    """Fewer than k share files were given."""

    def __init__(self, k, kb, *args, **kwargs):
        Error.__init__(self, *args, **kwargs)
        self.k = k
        self.kb = kb

    def __repr__(self):
        return (f"Insufficient share files -- {self.k} share files are required to recover "
                f"this file, but only {self.kb} were given")

    __str__ = __repr__


class CorruptedShareFilesError(Error):
    """Share files that are truncated or disagree with each other."""


def pad_size(n, k):
    """Bytes to add to n to reach a multiple of k."""
    return -n % k


def log_ceil(n, b):
    """The smallest e >= 0 with b ** e >= n."""
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


def encode_file_stringy_easyfec(inf, cb, k, m, chunksize=CHUNKSIZE):
    """Read ``inf`` in segments of k * chunksize bytes and call cb(blocks, length)
    with each segment's m easyfec blocks and the segment's length."""
    enc = easyfec.Encoder(k, m)
    while True:
        segment = inf.read(k * chunksize)
        if not segment:
            return
        cb(enc.encode(segment), len(segment))


def _share_names(dirname, prefix, m, suffix):
    width = len(str(m))
    fmt = FORMAT_FORMAT % (width, width)
    return [os.path.join(dirname, fmt % (prefix, sh, m, suffix)) for sh in range(m)]


def encode_to_files(inf, fsize, dirname, prefix, k, m, suffix=".fec", overwrite=False,
                    verbose=False):
    """Write the m share files of the ``fsize`` bytes read from ``inf`` into
    ``dirname`` as ``prefix.NN_MM<suffix>``; 0 on success, 1 after an I/O
    error (the partial share files are removed).  Existing files are kept
    (an error) unless ``overwrite``."""
    pad = pad_size(fsize, k)
    names = _share_names(dirname, prefix, m, suffix)
    files = []
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


def decode_from_files(outf, infiles, verbose=False):
    """Rebuild the file from the first k share files of ``infiles`` (open binary
    files positioned at their headers) and write it to ``outf``."""
    if not infiles:
        raise InsufficientShareFilesError(1, 0)
    chosen, shnums = [], []
    m = k = pad = None
    for f in infiles:
        fm, fk, fpad, sh = _parse_header(f)
        name = getattr(f, "name", None)
        for what, mine, seen in (("m", fm, m), ("k", fk, k), ("pad length", fpad, pad)):
            if seen is not None and seen != mine:
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
