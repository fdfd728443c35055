"""``Driver``: a PyECLib driver class producing liberasurecode's exact fragments.

Load it through pyeclib::

    ECDriver(library_import_str="fastcode.compat.pyeclib.Driver",
             k=10, m=4, ec_type="isa_l_rs_cauchy", chksum_type="none")

or use it directly (``Driver(k, m, hd, ec_type, chksum_type)``; ``ec_type`` and
``chksum_type`` may be pyeclib's enum members or their names).  A fragment is
liberasurecode's 80-byte header (``header``) followed by the payload: data
fragment i holds bytes [i*bs, (i+1)*bs) of the object zero-padded, with
bs = ceil(len / k) (``isa_l_*``) or 2 * ceil(len / 2k) (``liberasurecode_rs_vand``,
16-bit words); parity fragments hold the backend's parity.  Behaviour and error
classes follow pyeclib 1.8.0 over liberasurecode 1.8.0, including its checks of
fragment headers; where liberasurecode crashes or returns garbage (a fragment
index out of range, fewer than k distinct fragments) this driver raises
``ECInvalidParameter`` / ``ECInsufficientFragments`` instead.
"""
import math

import numpy as np

from fastcode.compat._scratch import scratch
from fastcode.compat.pyeclib import header as hdr
from fastcode.compat.pyeclib.backends import BACKENDS
from fastcode.compat.pyeclib.errors import library_error, make
from fastcode.errors import SingularMatrixError

__all__ = ["Driver"]

MAX_FRAGMENTS = 256


def _name(value):
    """An enum member's name, or the string itself."""
    return getattr(value, "name", value)


class Driver:
    """PyECLib driver for isa_l_rs_cauchy, isa_l_rs_vand and liberasurecode_rs_vand."""

    def __init__(self, k, m, hd=None, ec_type=None, chksum_type="none", validate=False,
                 local_parity=0):
        self.k, self.m, self.hd = k, m, hd
        self.ec_type, self.chksum_type = ec_type, chksum_type
        self.local_parity = local_parity
        name = _name(ec_type)
        backend = BACKENDS.get(name)
        if backend is None:
            raise make("ECBackendNotSupported",
                       f"{name!r} is not supported by fastcode.compat.pyeclib.Driver "
                       f"(supported: {', '.join(sorted(BACKENDS))})")
        checksum = _name(chksum_type)
        if checksum not in ("none", "inline_crc32"):
            raise make("ECInvalidParameter",
                       f"chksum_type must be 'none' or 'inline_crc32', got {checksum!r}")
        if (isinstance(k, bool) or isinstance(m, bool) or not isinstance(k, int)
                or not isinstance(m, int) or k < 1 or m < 1 or k + m > MAX_FRAGMENTS):
            raise library_error("invalid", "pyeclib_c_init")
        self._ct = hdr.CHKSUM_CRC32 if checksum == "inline_crc32" else hdr.CHKSUM_NONE
        self._n = k + m
        self._backend = backend(k, m)
        self._closed = False

    def __repr__(self):
        return (f"{type(self).__name__}(k={self.k!r}, m={self.m!r}, hd={self.hd!r}, "
                f"ec_type={self.ec_type!r}, chksum_type={self.chksum_type!r})")

    def close(self):
        self._closed = True

    def _check_open(self):
        if self._closed:
            raise make("ECBackendInstanceNotAvailable", "erasure coding handle is closed")

    # ---- sizes -------------------------------------------------------------------

    def _block_size(self, data_len):
        """Payload bytes per fragment for an object of data_len bytes."""
        unit = self.k * self._backend.word
        return -(-data_len // unit) * self._backend.word

    # ---- encode ------------------------------------------------------------------

    def encode(self, data_bytes):
        """k + m fragments (bytes: 80-byte header + payload) of ``data_bytes``."""
        self._check_open()
        if isinstance(data_bytes, str):
            raise library_error("invalid", "pyeclib_c_encode")
        try:
            view = memoryview(data_bytes).cast("B")
        except TypeError:
            raise library_error("invalid", "pyeclib_c_encode") from None
        k, n, H = self.k, self._n, hdr.HEADER_SIZE
        size = len(view)
        bs = self._block_size(size)
        # a reused per-thread stripe (its page faults would cost more than the coding),
        # not zeroed: every byte is written below (headers, data, padding, parity)
        frags = scratch(n, H + bs)
        full = size // bs if size else 0
        if size:
            src = np.frombuffer(view, dtype=np.uint8)
            if full:
                frags[:full, H:] = src[:full * bs].reshape(full, bs)
            if full < k:
                frags[full, H:H + size - full * bs] = src[full * bs:]
                frags[full, H + size - full * bs:] = 0
                full += 1
        frags[full:k, H:] = 0                      # data fragments past the object
        if size:
            self._backend.encode(frags[:k, H:], frags[k:, H:])
        else:
            frags[k:, H:] = 0
        be = self._backend
        for i in range(n):
            hdr.write(frags[i], i, bs, size, self._ct, frags[i, H:], be.backend_id, be.version)
        return [row.tobytes() for row in frags]

    # ---- fragment checks ----------------------------------------------------------

    def _validated(self, fragments, method):
        """pyeclib's Python-level checks: a non-empty list of equal-length fragments."""
        frags = list(fragments)
        if not frags:
            raise make("ECDriverError", f"No fragments payload in ECPyECLibDriver.{method}")
        length = len(frags[0])
        if length == 0:
            raise make("ECDriverErrorWithPosition",
                       f"Invalid fragment payload in ECPyECLibDriver.{method}", 0)
        for idx, frag in enumerate(frags[1:], start=1):
            if len(frag) != length:
                # pyeclib reports idx + 1 here; kept for identical messages
                raise make("ECDriverErrorWithPosition",
                           f"Invalid fragment payload in ECPyECLibDriver.{method}", idx + 1)
        return frags

    def _usable(self, frags, where, force_metadata_checks=False):
        """{index: (fragment, Metadata)} of the distinct fragments after
        liberasurecode's header checks (ECInvalidFragmentMetadata on a bad header
        or an index >= k+m; with force_metadata_checks, fragments of another
        backend or backend version are left out)."""
        found = {}
        be = self._backend
        for frag in frags:
            if hdr.header_problem(frag) is not None:
                raise library_error("bad_header", where)
            meta = hdr.Metadata(frag)
            if meta.idx >= self._n:
                raise library_error("bad_header", where)
            if force_metadata_checks and (meta.backend_id != be.backend_id
                                          or meta.backend_version != be.version):
                continue
            found.setdefault(meta.idx, (frag, meta))
        return found

    def _rebuild(self, found, targets, where):
        """(len(targets), bs) payload rows rebuilt from the fragments ``found``."""
        present = sorted(found)
        if len(present) < self.k:
            raise library_error("insufficient", where)
        bs = found[present[0]][1].size
        H = hdr.HEADER_SIZE
        rows = []
        for i in present:
            payload = memoryview(found[i][0])[H:H + bs]
            if len(payload) != bs:
                raise library_error("bad_header", where)
            rows.append(payload)
        try:
            return self._backend.rebuild(present, rows, targets)
        except SingularMatrixError:
            # isa_l_rs_vand: the first k fragments are dependent (liberasurecode fails too)
            raise library_error("unknown", where) from None

    # ---- decode ------------------------------------------------------------------

    def decode(self, fragment_payloads, ranges=None, force_metadata_checks=False):
        """The object (bytes) from >= k fragments, or a list of the byte ranges
        ``ranges`` ([(first, last), ...], inclusive) of it."""
        frags = self._validated(fragment_payloads, "decode")
        if len(frags) < self.k:
            raise make("ECInsufficientFragments",
                       "Not enough fragments given in ECPyECLibDriver.decode")
        self._check_open()
        where = "pyeclib_c_decode"
        spans = self._ranges(ranges)
        found = self._usable(frags, where, force_metadata_checks)
        k = self.k
        if len(found) < k:
            raise library_error("insufficient", where)
        first = found[min(found)][1]
        size, bs = first.orig_data_size, first.size
        H = hdr.HEADER_SIZE
        if all(i in found for i in range(k)):
            parts = [memoryview(found[i][0])[H:H + bs] for i in range(k)]
            data = b"".join(parts)[:size]
        else:
            lost = [i for i in range(k) if i not in found]
            rebuilt = dict(zip(lost, self._rebuild(found, lost, where)))
            data = b"".join(rebuilt[i] if i in rebuilt else memoryview(found[i][0])[H:H + bs]
                            for i in range(k))[:size]
        if spans is None:
            return data
        out = []
        for start, length in spans:
            if start < 0 or length < 0 or start + length > len(data):
                raise library_error("invalid", "pyeclib_c_decode invalid range")
            out.append(data[start:start + length])
        return out

    @staticmethod
    def _ranges(ranges):
        """[(offset, length)] from [(first, last)] byte ranges, or None."""
        if ranges is None or len(ranges) == 0:
            return None
        spans = []
        for r in ranges:
            if (not isinstance(r, tuple) or len(r) != 2
                    or not all(isinstance(v, int) for v in r)):
                raise library_error("invalid", "pyeclib_c_decode invalid range")
            spans.append((r[0], r[1] - r[0] + 1))
        return spans

    # ---- reconstruct -------------------------------------------------------------

    def reconstruct(self, fragment_payloads, indexes_to_reconstruct):
        """The fragments ``indexes_to_reconstruct`` (sorted in place, as pyeclib
        does) rebuilt from the available ones, each with its full header."""
        frags = self._validated(fragment_payloads, "reconstruct")
        indexes_to_reconstruct.sort()
        out = []
        for index in list(indexes_to_reconstruct):
            self._check_open()
            frag = self._reconstruct_one(frags, index)
            out.append(frag)
            frags.append(frag)
        return out

    def _reconstruct_one(self, frags, index):
        where = "pyeclib_c_reconstruct"
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self._n:
            raise library_error("invalid", where)
        found = self._usable(frags, where)
        if index in found:
            return bytes(found[index][0])
        payload = self._rebuild(found, [index], where)[0]
        meta = found[min(found)][1]
        H = hdr.HEADER_SIZE
        frag = np.empty(H + len(payload), dtype=np.uint8)
        frag[H:] = payload
        be = self._backend
        hdr.write(frag, index, meta.size, meta.orig_data_size, self._ct, frag[H:],
                  be.backend_id, be.version)
        return frag.tobytes()

    # ---- planning helpers --------------------------------------------------------

    def fragments_needed(self, reconstruct_indexes, exclude_indexes=()):
        """The first k fragment indices (in index order) neither being rebuilt nor excluded."""
        self._check_open()
        skip = set()
        for v in list(reconstruct_indexes) + list(exclude_indexes):
            if isinstance(v, bool) or not isinstance(v, int):
                raise library_error("invalid", "pyeclib_c_get_required_fragments")
            skip.add(v)
        needed = [i for i in range(self._n) if i not in skip][:self.k]
        if len(needed) < self.k:
            raise library_error("unknown", "pyeclib_c_get_required_fragments")
        return needed

    def min_parity_fragments_needed(self):
        return 1

    def get_metadata(self, fragment, formatted=0):
        """The fragment's 59 metadata bytes (chksum_mismatch set if its CRC-32 is
        wrong), or pyeclib's dict of them when ``formatted``."""
        self._check_open()
        where = "pyeclib_c_get_metadata"
        if isinstance(fragment, str) or hdr.header_problem(fragment) is not None:
            raise library_error("bad_header", where)
        meta = hdr.Metadata(fragment)
        mismatch = not hdr.payload_crc_ok(fragment, meta)
        if formatted:
            meta.chksum_mismatch = int(mismatch)
            return hdr.metadata_dict(meta)
        return hdr.metadata_bytes(fragment, mismatch)

    def verify_stripe_metadata(self, fragment_metadata_list):
        """{'status': 0} if the k+m metadata (from get_metadata) agree, else
        {'status': -205, 'reason': 'Bad checksum', 'bad_fragments': [index, ...]}."""
        self._check_open()
        where = "pyeclib_c_check_metadata"
        items = list(fragment_metadata_list)
        if len(items) != self._n:
            raise library_error("invalid", where)
        be = self._backend
        metas = []
        for raw in items:
            if isinstance(raw, str) or len(memoryview(raw)) < hdr.METADATA_SIZE:
                raise library_error("bad_header", where)
            meta = hdr.Metadata(raw)
            if (meta.idx >= self._n or meta.backend_id != be.backend_id
                    or meta.backend_version != be.version):
                raise library_error("bad_header", where)
            metas.append(meta)
        bad = [meta.idx for meta in metas if meta.chksum_mismatch == 1]
        if bad:
            return {"status": -205, "reason": "Bad checksum", "bad_fragments": bad}
        return {"status": 0}

    def get_segment_info(self, data_len, segment_size):
        """pyeclib's segmentation of a data_len-byte stream into encode() calls
        of segment_size bytes (a short last segment is merged into the previous)."""
        self._check_open()
        where = "pyeclib_c_get_segment_info"
        for v in (data_len, segment_size):
            if isinstance(v, bool) or not isinstance(v, int):
                raise library_error("invalid", where)
        if data_len < 0 or segment_size <= 0:
            raise library_error("invalid", where)
        H = hdr.HEADER_SIZE
        min_segment = self._block_size(1) * self.k
        num_segments = math.ceil(data_len / segment_size)
        if num_segments == 2 and data_len < segment_size + min_segment:
            num_segments -= 1
        if num_segments == 1:
            fragment_size = last_fragment_size = self._block_size(data_len)
            segment_size = last_segment_size = data_len
        else:
            fragment_size = self._block_size(segment_size)
            last_segment_size = data_len - segment_size * (num_segments - 1)
            if last_segment_size < min_segment:
                num_segments -= 1
                last_segment_size += segment_size
            last_fragment_size = self._block_size(last_segment_size)
        return {"segment_size": segment_size, "last_segment_size": last_segment_size,
                "fragment_size": fragment_size + H, "last_fragment_size": last_fragment_size + H,
                "num_segments": num_segments}
