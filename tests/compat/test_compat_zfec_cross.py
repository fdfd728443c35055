"""Cross-decoding between fastcode.compat.zfec and the real zfec (1.6).

Shares made by either library must be byte-identical and decode with the
other: random 1 <= k <= m <= 256, random share subsets, block sizes 0 to 1 MiB;
every k-subset for small (k, m); easyfec and filefec share files too.  Skips
when zfec is not installed (``pip install 'fastcode[compat]'``).
"""
import io
import itertools
import os

import numpy as np
import pytest

import fastcode.compat.zfec as shim

zfec = pytest.importorskip("zfec", reason="the real zfec is not installed")
if zfec is shim or not hasattr(zfec, "_fec"):
    pytest.skip("'zfec' does not resolve to the real zfec", allow_module_level=True)


def _blocks(rng, k, size):
    return [rng.integers(0, 256, size, dtype=np.uint8).tobytes() for _ in range(k)]


def _cross(k, m, blocks, subsets):
    """Mismatches between the libraries for these blocks and share subsets."""
    ours = shim.Encoder(k, m).encode(blocks)
    theirs = zfec.Encoder(k, m).encode(blocks)
    bad = [i for i in range(m) if bytes(ours[i]) != bytes(theirs[i])]
    dec_ours, dec_theirs = shim.Decoder(k, m), zfec.Decoder(k, m)
    for nums in subsets:
        nums = list(nums)
        got = dec_ours.decode([theirs[i] for i in nums], nums)       # zfec -> fastcode
        back = dec_theirs.decode([ours[i] for i in nums], nums)      # fastcode -> zfec
        if [bytes(b) for b in got] != blocks or [bytes(b) for b in back] != blocks:
            bad.append(tuple(nums))
    return bad


def test_random_parameters_and_subsets(rng):
    sizes = [0, 1, 2, 3, 17, 1000, 4096, 65536 + 3]
    for trial in range(40):
        m = int(rng.integers(1, 257))
        k = int(rng.integers(1, m + 1))
        size = sizes[trial % len(sizes)]
        blocks = _blocks(rng, k, size)
        subsets = [rng.permutation(m)[:k].tolist() for _ in range(3)]
        assert _cross(k, m, blocks, subsets) == [], (k, m, size)


def test_one_mebibyte_blocks(rng):
    for k, m in [(3, 10), (10, 14)]:
        blocks = _blocks(rng, k, 1 << 20)
        subsets = [rng.permutation(m)[:k].tolist() for _ in range(2)] + [list(range(m - k, m))]
        assert _cross(k, m, blocks, subsets) == []


@pytest.mark.parametrize("k, m", [(1, 1), (1, 4), (2, 5), (3, 6), (4, 8), (5, 5)])
def test_every_subset_small(rng, k, m):
    blocks = _blocks(rng, k, 33)
    subsets = [list(p) for s in itertools.combinations(range(m), k)
               for p in (s, s[::-1])]             # in order and reversed
    assert _cross(k, m, blocks, subsets) == []


def test_desired_blocks_match(rng):
    k, m = 5, 12
    blocks = _blocks(rng, k, 100)
    want = [11, 0, 7, 7, 4, 5]
    ours = shim.Encoder(k, m).encode(blocks, want)
    theirs = zfec.Encoder(k, m).encode(blocks, want)
    assert [bytes(b) for b in ours] == [bytes(b) for b in theirs]


def test_easyfec_cross(rng):
    for size in [0, 1, 7, 1000, 12345]:
        k, m = int(rng.integers(1, 9)), 9
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        ours = shim.easyfec.Encoder(k, m).encode(data)
        theirs = zfec.easyfec.Encoder(k, m).encode(data)
        assert ours == theirs
        nums = rng.permutation(m)[:k].tolist()
        pad = k * len(ours[0]) - size
        assert shim.easyfec.Decoder(k, m).decode([theirs[i] for i in nums], nums, pad) == data
        assert zfec.easyfec.Decoder(k, m).decode([ours[i] for i in nums], nums, pad) == data


@pytest.mark.parametrize("size", [0, 5, 4096 * 3, 100_003])
def test_filefec_share_files_identical(tmp_path, rng, size):
    k, m = 3, 7
    data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    for lib, sub in ((shim, "ours"), (zfec, "theirs")):
        os.mkdir(tmp_path / sub)
        assert lib.filefec.encode_to_files(io.BytesIO(data), size, str(tmp_path / sub), "f",
                                           k, m) == 0
    names = sorted(os.listdir(tmp_path / "ours"))
    assert names == sorted(os.listdir(tmp_path / "theirs")) and len(names) == m
    for name in names:
        assert (tmp_path / "ours" / name).read_bytes() == (tmp_path / "theirs" / name).read_bytes()
    chosen = [names[i] for i in rng.permutation(m)[:k]]
    for lib, sub in ((shim, "theirs"), (zfec, "ours")):       # decode the other's files
        out = io.BytesIO()
        files = [open(tmp_path / sub / name, "rb") for name in chosen]
        try:
            lib.filefec.decode_from_files(out, files)
        finally:
            for f in files:
                f.close()
        assert out.getvalue() == data


def test_filefec_headers_identical():
    for m in [1, 2, 3, 5, 9, 17, 100, 255, 256]:
        for k in {1, min(2, m), m // 2 or 1, m}:
            for pad in {0, k - 1}:
                for sh in {0, m - 1}:
                    assert shim.filefec._build_header(m, k, pad, sh) == \
                        zfec.filefec._build_header(m, k, pad, sh)
