"""liberasurecode's 80-byte fragment header (little-endian, packed)::

  Offset  size  field
       0     4  idx                 fragment index, 0..k+m-1
       4     4  size                payload bytes after the header (the block size)
       8     4  frag_backend_metadata_size (0 for the RS backends)
      12     8  orig_data_size      length of the encoded object
      20     1  chksum_type         1 none, 2 crc32, 3 md5
      21    32  chksum[8]           chksum[0] = zlib CRC-32 of the payload for crc32
      53     1  chksum_mismatch     set by get_metadata when the payload CRC is wrong
      54     1  backend_id          liberasurecode's ec_backend_id_t
      55     4  backend_version     (major << 16) | (minor << 8) | rev
      59     4  magic               0x0b0c5ecc
      63     4  libec_version       liberasurecode version that wrote it (1.8.0)
      67     4  metadata_chksum     zlib CRC-32 of bytes 0..58 (checked from libec 1.2.0 on)
      71     9  padding             zeros

The first 59 bytes are the "metadata" that get_metadata returns and
verify_stripe_metadata reads.
"""
import struct
import zlib

HEADER_SIZE = 80
METADATA_SIZE = 59
MAGIC = 0x0B0C5ECC
LIBEC_VERSION = (1 << 16) | (8 << 8) | 0        # liberasurecode 1.8.0
CHKSUM_NONE, CHKSUM_CRC32, CHKSUM_MD5 = 1, 2, 3
CHKSUM_NAMES = {CHKSUM_NONE: "none", CHKSUM_CRC32: "crc32", CHKSUM_MD5: "md5"}
CHKSUM_HEX_BYTES = {CHKSUM_NONE: 0, CHKSUM_CRC32: 4, CHKSUM_MD5: 16}
BACKEND_NAMES = {0: "null", 1: "jerasure_rs_vand", 2: "jerasure_rs_cauchy", 3: "flat_xor_hd",
                 4: "isa_l_rs_vand", 5: "shss", 6: "liberasurecode_rs_vand",
                 7: "isa_l_rs_cauchy", 8: "libphazr", 9: "isa_l_rs_vand_inv",
                 10: "isa_l_rs_lrc"}
# Fragments older than liberasurecode 1.2.0 carry no metadata checksum.
_FIRST_CHECKSUMMED = (1 << 16) | (2 << 8)

_META = struct.Struct("<IIIQB8IBBI")          # the 59 metadata bytes
_TAIL = struct.Struct("<III")                 # magic, libec_version, metadata_chksum
_OFF_MISMATCH = 53


def pack(idx, size, orig_data_size, chksum_type, chksum, backend_id, backend_version):
    """The 80 header bytes of a fragment (``chksum``: the payload CRC-32 or 0)."""
    meta = _META.pack(idx, size, 0, orig_data_size, chksum_type, chksum, 0, 0, 0, 0, 0, 0, 0,
                      0, backend_id, backend_version)
    return meta + _TAIL.pack(MAGIC, LIBEC_VERSION, zlib.crc32(meta)) + bytes(9)


def write(buf, idx, size, orig_data_size, chksum_type, payload, backend_id, backend_version):
    """Fill the 80-byte writable ``buf`` with the header of ``payload``."""
    crc = zlib.crc32(payload) if chksum_type == CHKSUM_CRC32 else 0
    memoryview(buf)[:HEADER_SIZE] = pack(idx, size, orig_data_size, chksum_type, crc, backend_id,
                             backend_version)


class Metadata:
    """The decoded fields of a fragment header (or of 59 metadata bytes)."""

    __slots__ = ("idx", "size", "backend_metadata_size", "orig_data_size", "chksum_type",
                 "chksum", "chksum_mismatch", "backend_id", "backend_version")

    def __init__(self, raw):
        (self.idx, self.size, self.backend_metadata_size, self.orig_data_size,
         self.chksum_type, *chk, self.chksum_mismatch, self.backend_id,
         self.backend_version) = _META.unpack_from(raw, 0)
        self.chksum = tuple(chk)


def header_problem(frag):
    """None if ``frag`` (bytes-like) starts with a valid header, else why not.

    Valid: at least 80 bytes, liberasurecode's magic, and (for headers written
    by liberasurecode >= 1.2.0, or with no version) a correct metadata CRC."""
    try:
        view = memoryview(frag)
    except TypeError:
        return f"not a bytes-like object ({type(frag).__name__})"
    if view.nbytes < HEADER_SIZE:
        return f"{view.nbytes} bytes, shorter than the {HEADER_SIZE}-byte header"
    view = view.cast("B") if view.format != "B" or view.ndim != 1 else view
    magic, libec, mchk = _TAIL.unpack_from(view, METADATA_SIZE)
    if magic != MAGIC:
        return f"bad magic {magic:#x}"
    if (libec == 0 or libec >= _FIRST_CHECKSUMMED) and zlib.crc32(view[:METADATA_SIZE]) != mchk:
        return "metadata checksum mismatch"
    return None


def payload_crc_ok(frag, meta):
    """True unless the header says crc32 and the payload's CRC-32 differs."""
    if meta.chksum_type != CHKSUM_CRC32:
        return True
    payload = memoryview(frag)[HEADER_SIZE:HEADER_SIZE + meta.size]
    return len(payload) == meta.size and zlib.crc32(payload) == meta.chksum[0]


def metadata_bytes(frag, mismatch):
    """The 59 metadata bytes of ``frag`` with chksum_mismatch set to ``mismatch``."""
    raw = bytearray(memoryview(frag)[:METADATA_SIZE])
    raw[_OFF_MISMATCH] = 1 if mismatch else 0
    return bytes(raw)


def metadata_dict(meta):
    """pyeclib's formatted metadata dict (get_metadata(fragment, formatted=1))."""
    nbytes = CHKSUM_HEX_BYTES.get(meta.chksum_type, 0)
    chksum = struct.pack("<8I", *meta.chksum)[:nbytes].hex()
    return {"index": meta.idx, "size": meta.size, "orig_data_size": meta.orig_data_size,
            "chksum_type": CHKSUM_NAMES.get(meta.chksum_type, "unknown"), "chksum": chksum,
            "chksum_mismatch": meta.chksum_mismatch,
            "backend_id": BACKEND_NAMES.get(meta.backend_id, "unknown"),
            "backend_version": meta.backend_version}
