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
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

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
    """PyECLib driver for isa_l_rs_cauchy, isa_l_rs_vand and liberasurecode_rs_vand.

    The fragments are byte-identical to liberasurecode's for the same backend,
    so an object encoded by either decodes with the other.  The errors raised
    are pyeclib's classes (``pyeclib.ec_iface``) when pyeclib is installed, else
    stand-ins with the same names and messages.

    Parameters
    ----------
    k : int
        Data fragments.
    m : int
        Parity fragments; k + m <= 256.
    hd : int, optional
        pyeclib's Hamming distance argument, kept for its interface (these
        backends are MDS: any k fragments decode).
    ec_type : str or pyeclib enum member
        ``"isa_l_rs_cauchy"``, ``"isa_l_rs_vand"`` (GF(2^8), polynomial 0x11d)
        or ``"liberasurecode_rs_vand"`` (GF(2^16), polynomial 0x1100b).
    chksum_type : str or pyeclib enum member
        ``"none"`` or ``"inline_crc32"`` (a CRC-32 of each payload in its header).
    validate : bool
        pyeclib's flag, accepted and unused.
    local_parity : int
        pyeclib's argument, accepted and unused (no locally repairable backend).

    Raises
    ------
    ECBackendNotSupported
        Another ``ec_type``.
    ECInvalidParameter
        Another ``chksum_type``, or k and m not positive ints with k + m <= 256.

    Examples
    --------
    >>> from fastcode.compat.pyeclib import Driver
    >>> driver = Driver(k=4, m=2, ec_type="isa_l_rs_cauchy")
    >>> data = b"erasure coded object " * 10                    # 210 bytes
    >>> fragments = driver.encode(data)
    >>> len(fragments), len(fragments[0])                       # 80-byte header + 53
    (6, 133)
    >>> driver.decode([fragments[i] for i in (5, 1, 4, 2)]) == data    # any 4 of 6
    True
    >>> rebuilt = driver.reconstruct(fragments[2:], [0, 1])
    >>> rebuilt == fragments[:2]
    True

    Through pyeclib (when it is installed), the same driver by its import path::

        from pyeclib.ec_iface import ECDriver
        ECDriver(library_import_str="fastcode.compat.pyeclib.Driver",
                 k=4, m=2, ec_type="isa_l_rs_cauchy", chksum_type="none")
    """

    def __init__(self, k: int, m: int, hd: Optional[int] = None, ec_type: Any = None,
                 chksum_type: Any = "none", validate: bool = False,
                 local_parity: int = 0) -> None:
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

    def close(self) -> None:
        """Release the driver: every later call raises ECBackendInstanceNotAvailable."""
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

    def encode(self, data_bytes: Any) -> List[bytes]:
        """The k + m fragments of an object.

        Parameters
        ----------
        data_bytes : bytes-like
            The object; data fragment i holds its bytes [i*bs, (i+1)*bs),
            zero-padded (bs in the module docstring).

        Returns
        -------
        list of k + m bytes
            Each an 80-byte liberasurecode header followed by the payload.

        Raises
        ------
        ECInvalidParameter
            ``data_bytes`` is a str or not bytes-like.
        ECBackendInstanceNotAvailable
            The driver is closed.
        """
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

    def decode(self, fragment_payloads: Sequence[Any],
               ranges: Optional[Sequence[Tuple[int, int]]] = None,
               force_metadata_checks: bool = False) -> Union[bytes, List[bytes]]:
        """The object from any k of its fragments.

        Parameters
        ----------
        fragment_payloads : sequence of bytes-like
            At least k fragments of one length (as :meth:`encode` returns them),
            in any order; duplicates count once.
        ranges : sequence of (first, last), optional
            Byte ranges of the object to return instead of all of it, inclusive.
        force_metadata_checks : bool
            Leave out fragments of another backend or backend version.

        Returns
        -------
        bytes or list of bytes
            The object, or one bytes object per range.

        Raises
        ------
        ECDriverError
            No fragments given.
        ECDriverErrorWithPosition
            An empty fragment, or fragments of different lengths.
        ECInsufficientFragments
            Fewer than k (distinct, usable) fragments.
        ECInvalidFragmentMetadata
            A fragment whose header is invalid or whose index is >= k + m.
        ECInvalidParameter
            A range that is not two ints inside the object.
        ECBackendInstanceNotAvailable
            The driver is closed.

        Examples
        --------
        >>> from fastcode.compat.pyeclib import Driver
        >>> driver = Driver(3, 2, ec_type="liberasurecode_rs_vand")
        >>> fragments = driver.encode(b"0123456789")
        >>> driver.decode(fragments[2:], ranges=[(0, 3), (8, 9)])
        [b'0123', b'89']
        """
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

    def reconstruct(self, fragment_payloads: Sequence[Any],
                    indexes_to_reconstruct: List[int]) -> List[bytes]:
        """Rebuild lost fragments, each with its full header, from the available ones.

        Parameters
        ----------
        fragment_payloads : sequence of bytes-like
            At least k fragments of one length.
        indexes_to_reconstruct : list of int
            Fragment indices in [0, k + m); sorted in place, as pyeclib does.

        Returns
        -------
        list of bytes
            The fragments, in sorted index order, byte-identical to :meth:`encode`'s.

        Raises
        ------
        ECDriverError, ECDriverErrorWithPosition
            No fragments, an empty one, or fragments of different lengths.
        ECInsufficientFragments
            Fewer than k usable fragments.
        ECInvalidFragmentMetadata
            A fragment with an invalid header.
        ECInvalidParameter
            An index that is not an int in [0, k + m).
        ECBackendInstanceNotAvailable
            The driver is closed.
        """
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

    def fragments_needed(self, reconstruct_indexes: Iterable[int],
                         exclude_indexes: Iterable[int] = ()) -> List[int]:
        """Which fragments to fetch to rebuild some: the first k indices neither
        being rebuilt nor excluded.

        Parameters
        ----------
        reconstruct_indexes : iterable of int
            Fragments to rebuild.
        exclude_indexes : iterable of int
            Fragments that are unavailable.

        Returns
        -------
        list of k ints
            In index order.

        Raises
        ------
        ECInvalidParameter
            An index that is not an int.
        ECDriverError
            Fewer than k fragments left (pyeclib's "unknown" library error).
        ECBackendInstanceNotAvailable
            The driver is closed.

        Examples
        --------
        >>> from fastcode.compat.pyeclib import Driver
        >>> Driver(4, 2, ec_type="isa_l_rs_vand").fragments_needed([1], exclude_indexes=[3])
        [0, 2, 4, 5]
        """
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

    def min_parity_fragments_needed(self) -> int:
        """Parity fragments needed to rebuild one lost fragment, beyond data ones.

        Returns
        -------
        int
            1, as liberasurecode's Reed-Solomon backends report.
        """
        return 1

    def get_metadata(self, fragment: Any, formatted: int = 0) -> Union[bytes, Dict[str, Any]]:
        """The metadata in a fragment's header.

        Parameters
        ----------
        fragment : bytes-like
            One fragment (header and payload).
        formatted : int or bool
            Return pyeclib's dict instead of the raw bytes.

        Returns
        -------
        bytes or dict
            The 59 metadata bytes (chksum_mismatch set if the payload's CRC-32 is
            wrong), or pyeclib's dict of them.

        Raises
        ------
        ECInvalidFragmentMetadata
            A str, or a fragment whose header is invalid.
        ECBackendInstanceNotAvailable
            The driver is closed.

        Examples
        --------
        >>> from fastcode.compat.pyeclib import Driver
        >>> driver = Driver(2, 1, ec_type="isa_l_rs_vand", chksum_type="inline_crc32")
        >>> meta = driver.get_metadata(driver.encode(b"abcdef")[2], formatted=True)
        >>> meta["index"], meta["size"], meta["orig_data_size"], meta["chksum_mismatch"]
        (2, 3, 6, 0)
        """
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

    def verify_stripe_metadata(self, fragment_metadata_list: Sequence[Any]) -> Dict[str, Any]:
        """Check the checksums recorded in a whole stripe's metadata.

        Parameters
        ----------
        fragment_metadata_list : sequence of k + m bytes-like
            :meth:`get_metadata` of every fragment (unformatted).

        Returns
        -------
        dict
            ``{'status': 0}`` when no checksum mismatches, else
            ``{'status': -205, 'reason': 'Bad checksum', 'bad_fragments': [index, ...]}``.

        Raises
        ------
        ECInvalidParameter
            Not k + m metadata.
        ECInvalidFragmentMetadata
            Metadata that are short, of a str, of another backend or version, or
            with an index >= k + m.
        ECBackendInstanceNotAvailable
            The driver is closed.

        Examples
        --------
        >>> from fastcode.compat.pyeclib import Driver
        >>> driver = Driver(2, 1, ec_type="isa_l_rs_cauchy", chksum_type="inline_crc32")
        >>> fragments = driver.encode(b"payload!")
        >>> fragments[1] = fragments[1][:-1] + b"?"                 # corrupt one payload byte
        >>> driver.verify_stripe_metadata([driver.get_metadata(f) for f in fragments])
        {'status': -205, 'reason': 'Bad checksum', 'bad_fragments': [1]}
        """
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

    def get_segment_info(self, data_len: int, segment_size: int) -> Dict[str, int]:
        """pyeclib's segmentation of a stream into :meth:`encode` calls.

        A short last segment is merged into the previous one.

        Parameters
        ----------
        data_len : int
            Bytes in the stream, >= 0.
        segment_size : int
            Bytes per encode call, > 0.

        Returns
        -------
        dict
            ``segment_size``, ``last_segment_size``, ``fragment_size`` and
            ``last_fragment_size`` (headers included) and ``num_segments``.

        Raises
        ------
        ECInvalidParameter
            A size that is not an int, a negative ``data_len`` or a non-positive
            ``segment_size``.
        ECBackendInstanceNotAvailable
            The driver is closed.

        Examples
        --------
        >>> from fastcode.compat.pyeclib import Driver
        >>> info = Driver(4, 2, ec_type="isa_l_rs_cauchy").get_segment_info(10_000, 4096)
        >>> info["num_segments"], info["last_segment_size"], info["fragment_size"]
        (3, 1808, 1104)
        """
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
