"""Cross-checks of fastcode.compat.pyeclib.Driver against pyeclib + liberasurecode.

For isa_l_rs_cauchy, isa_l_rs_vand and liberasurecode_rs_vand, with chksum
none and inline_crc32: fragments must be byte-identical, each side decodes and
reconstructs the other's fragments, metadata and stripe verification agree.
Random k <= 20, m <= 6, payloads 0 bytes to 4 MiB, random fragment subsets;
every missing-fragment pattern up to m for small (k, m).  For isa_l_rs_vand,
whose matrix is not MDS, both sides must fail on the same patterns.  Skips
when pyeclib (with liberasurecode) is not installed.
"""
import itertools

import numpy as np
import pytest

from fastcode.compat.pyeclib import Driver

ec_iface = pytest.importorskip("pyeclib.ec_iface", reason="pyeclib is not installed")

EC_TYPES = ["isa_l_rs_cauchy", "isa_l_rs_vand", "liberasurecode_rs_vand"]
CHKSUMS = ["none", "inline_crc32"]
missing = [t for t in EC_TYPES if t not in ec_iface.VALID_EC_TYPES]
if missing:
    pytest.skip(f"this liberasurecode lacks {missing}", allow_module_level=True)


def _pair(k, m, ec_type, chksum):
    peer = ec_iface.ECDriver(k=k, m=m, ec_type=ec_type, chksum_type=chksum)
    ours = ec_iface.ECDriver(k=k, m=m, ec_type=ec_type, chksum_type=chksum,
                             library_import_str="fastcode.compat.pyeclib.Driver")
    assert isinstance(ours.ec_lib_reference, Driver)
    return peer, ours


def _outcome(fn):
    """('ok', value) or ('error', pyeclib error class name)."""
    try:
        return "ok", fn()
    except ec_iface.ECDriverError as exc:
        return "error", type(exc).__name__


def _check(peer, ours, data, subsets):
    """List of mismatches (empty when both sides agree everywhere)."""
    bad = []
    fp, fo = peer.encode(data), ours.encode(data)
    if fp != fo:
        return [("encode", [i for i in range(len(fp)) if fp[i] != fo[i]])]
    n = peer.k + peer.m
    for keep in subsets:
        given = [fp[i] for i in keep]
        lost = [i for i in range(n) if i not in keep]
        mine, theirs = _outcome(lambda: ours.decode(given)), _outcome(lambda: peer.decode(given))
        vand = peer.ec_type.name == "isa_l_rs_vand"
        if mine != theirs and not (mine[0] == theirs[0] == "error" and vand):
            bad.append(("decode", tuple(keep), mine[0], theirs[0]))
        elif mine[0] == "ok" and mine[1] != data:
            bad.append(("decode-data", tuple(keep)))
        if lost and mine[0] == "ok":
            want = lost[:2]
            rec = _outcome(lambda: ours.reconstruct(given, list(want)))
            if rec != ("ok", [fp[i] for i in want]):
                bad.append(("reconstruct", tuple(keep), tuple(want)))
            back = _outcome(lambda: peer.reconstruct([fo[i] for i in keep], list(want)))
            if back != ("ok", [fp[i] for i in want]):
                bad.append(("peer-reconstruct", tuple(keep), tuple(want)))
    return bad


@pytest.mark.parametrize("ec_type", EC_TYPES)
@pytest.mark.parametrize("chksum", CHKSUMS)
def test_every_missing_pattern_small(ec_type, chksum, rng):
    for k, m in [(2, 2), (4, 2), (3, 3), (6, 3)]:
        peer, ours = _pair(k, m, ec_type, chksum)
        data = rng.integers(0, 256, int(rng.integers(0, 3000)), dtype=np.uint8).tobytes()
        n = k + m
        subsets = [sorted(set(range(n)) - set(gone)) for e in range(m + 1)
                   for gone in itertools.combinations(range(n), e)]
        assert _check(peer, ours, data, subsets) == [], (k, m)


def test_isa_l_rs_vand_singular_patterns_fail_on_both_sides(rng):
    # k=10, m=5 has dependent 10-fragment subsets (ISA-L's RS matrix is not MDS)
    peer, ours = _pair(10, 5, "isa_l_rs_vand", "none")
    data = rng.integers(0, 256, 5000, dtype=np.uint8).tobytes()
    frags = peer.encode(data)
    keep = [0, 1, 2, 3, 5, 6, 8, 10, 11, 14]
    given = [frags[i] for i in keep]
    with pytest.raises(ec_iface.ECDriverError):
        peer.decode(given)
    with pytest.raises(ec_iface.ECDriverError):
        ours.decode(given)
    assert ours.decode(given + [frags[12]]) == data == peer.decode(given + [frags[12]])


@pytest.mark.parametrize("ec_type", EC_TYPES)
def test_random_parameters(ec_type, rng):
    sizes = [0, 1, 999, 65536, 300_001, 4 << 20]
    for trial, size in enumerate(sizes):
        k, m = int(rng.integers(1, 21)), int(rng.integers(1, 7))
        chksum = CHKSUMS[trial % 2]
        peer, ours = _pair(k, m, ec_type, chksum)
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        n = k + m
        subsets = [sorted(rng.permutation(n)[:int(rng.integers(k, n + 1))].tolist())
                   for _ in range(2 if size > 100_000 else 6)]
        assert _check(peer, ours, data, subsets) == [], (k, m, size, chksum)


@pytest.mark.parametrize("ec_type", EC_TYPES)
def test_metadata_and_verification_agree(ec_type, rng):
    peer, ours = _pair(5, 3, ec_type, "inline_crc32")
    data = rng.integers(0, 256, 10_000, dtype=np.uint8).tobytes()
    frags = peer.encode(data)
    corrupt = list(frags)
    for i in (1, 6):
        b = bytearray(frags[i])
        b[100] ^= 0x5A
        corrupt[i] = bytes(b)
    for f in corrupt:
        assert ours.get_metadata(f) == peer.get_metadata(f)
        assert ours.get_metadata(f, 1) == peer.get_metadata(f, 1)
    md_peer = [peer.get_metadata(f) for f in corrupt]
    md_ours = [ours.get_metadata(f) for f in corrupt]
    expected = {"status": -205, "reason": "Bad checksum", "bad_fragments": [1, 6]}
    assert ours.verify_stripe_metadata(md_peer) == expected == peer.verify_stripe_metadata(md_ours)
    assert ours.verify_stripe_metadata([peer.get_metadata(f) for f in frags]) == {"status": 0}


@pytest.mark.parametrize("ec_type", EC_TYPES)
def test_segment_info_and_ranges_agree(ec_type, rng):
    peer, ours = _pair(7, 3, ec_type, "none")
    for data_len, seg in [(1, 1), (10, 3), (1000, 300), (1050, 1000), (2001, 1000),
                          (0, 100), (10 << 20, 1 << 20), ((10 << 20) + 7, 3 << 10)]:
        assert ours.get_segment_info(data_len, seg) == peer.get_segment_info(data_len, seg)
    data = rng.integers(0, 256, 5000, dtype=np.uint8).tobytes()
    frags = peer.encode(data)
    ranges = [(0, 0), (3, 99), (4000, 4999)]
    assert ours.decode(frags[3:], ranges=ranges) == peer.decode(frags[3:], ranges=ranges)
    assert ours.fragments_needed([1, 4], [0]) == peer.fragments_needed([1, 4], [0])


def test_bad_headers_raise_the_same_errors(rng):
    peer, ours = _pair(4, 2, "isa_l_rs_cauchy", "none")
    frags = peer.encode(rng.integers(0, 256, 1000, dtype=np.uint8).tobytes())
    garbage = b"0" * len(frags[0])
    for given, force in [([garbage] + frags[1:], False), ([garbage] + frags[1:], True),
                         ([f[:79] for f in frags], False)]:
        with pytest.raises(ec_iface.ECInvalidFragmentMetadata):
            peer.decode(given, force_metadata_checks=force)
        with pytest.raises(ec_iface.ECInvalidFragmentMetadata):
            ours.decode(given, force_metadata_checks=force)
    for drv in (peer, ours):
        with pytest.raises(ec_iface.ECInsufficientFragments):
            drv.reconstruct(frags[1:3], [0])
        with pytest.raises(ec_iface.ECInvalidParameter):
            drv.encode("text")
