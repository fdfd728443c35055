"""MDSCode.correct: error-and-erasure decoding (Cauchy and Vandermonde codes over GF(2^8)
and GF(p)): every pattern of up to t wrong shards plus e erased ones for small n, random
patterns up to n = 255, t + 1 wrong shards always reported, detection-only mode."""
import itertools

import numpy as np
import pytest

from fastcode import GF256, MDSCode, PrimeField
from fastcode.errors import InvalidArgumentError, ShardSizeError, UncorrectableError

F257 = PrimeField(257)
CODES = [(GF256, "cauchy", 10, 6), (GF256, "vandermonde", 10, 6), (GF256, "cauchy", 8, 3),
         (GF256, "cauchy", 9, 7), (F257, "cauchy", 8, 4), (F257, "vandermonde", 7, 3)]
IDS = [f"{'gf256' if f is GF256 else 'gf257'}-{kind}-{n}-{k}" for f, kind, n, k in CODES]


def _stripe(code, length, rng):
    data = code.field.random((code.k, length), rng)
    return data, np.concatenate([data, code.encode(data)])


def _corrupt(field, row, rng, every_byte):
    """A wrong version of ``row``: every byte changed, or one byte."""
    bad = row.copy()
    if every_byte:
        delta = field.random(row.shape, rng)
        delta[delta == 0] = 1
        return field.add(bad, delta)
    j = int(rng.integers(len(row)))
    bad[j] = field.add(bad[j], 1)
    return bad


@pytest.mark.parametrize("field,kind,n,k", CODES, ids=IDS)
def test_every_pattern_of_errors_and_erasures(field, kind, n, k, rng):
    code = MDSCode(n, k, field=field, kind=kind)
    data, cw = _stripe(code, 24, rng)
    r = n - k
    cases = 0
    for e in range(r + 1):
        t = (r - e) // 2
        for erased in itertools.combinations(range(n), e):
            present = [s for s in range(n) if s not in erased]
            for w in range(t + 1):
                for wrong in itertools.combinations(present, w):
                    got = cw[present].copy()
                    for s in wrong:
                        got[present.index(s)] = _corrupt(field, cw[s], rng, every_byte=(s % 2 == 0))
                    before = got.copy()
                    res = code.correct(got, present)
                    assert np.array_equal(res.data, data), (erased, wrong)
                    assert res.corrupted == sorted(wrong), (erased, wrong, res.corrupted)
                    assert np.array_equal(got, before)            # inputs untouched
                    cases += 1
    assert cases > 0


@pytest.mark.parametrize("field,kind,n,k", CODES, ids=IDS)
def test_one_wrong_shard_too_many_is_always_reported(field, kind, n, k, rng):
    code = MDSCode(n, k, field=field, kind=kind)
    data, cw = _stripe(code, 64, rng)
    t = (n - k) // 2
    for wrong in itertools.combinations(range(n), t + 1):
        got = cw.copy()
        for s in wrong:
            got[s] = _corrupt(field, cw[s], rng, every_byte=True)
        try:
            res = code.correct(got)
        except UncorrectableError:
            continue
        # never silently wrong data
        raise AssertionError(f"{wrong} corrupted shards decoded to {res.corrupted}: "
                             f"data right = {np.array_equal(res.data, data)}")


@pytest.mark.parametrize("field,kind,n,k", CODES, ids=IDS)
def test_detection_only_sees_up_to_r_minus_e_wrong_shards(field, kind, n, k, rng):
    code = MDSCode(n, k, field=field, kind=kind)
    data, cw = _stripe(code, 8, rng)
    r = n - k
    assert np.array_equal(code.correct(cw, max_errors=0).data, data)
    for w in range(1, r + 1):
        for wrong in itertools.combinations(range(n), w):
            got = cw.copy()
            for s in wrong:
                got[s] = _corrupt(field, cw[s], rng, every_byte=False)
            with pytest.raises(UncorrectableError, match="max_errors=0"):
                code.correct(got, max_errors=0)


@pytest.mark.parametrize("n,k,L", [(255, 223, 40), (100, 80, 256), (20, 10, 4096)])
def test_random_patterns_large_codes(n, k, L, rng):
    code = MDSCode(n, k)
    data, cw = _stripe(code, L, rng)
    for trial in range(6):
        e = int(rng.integers(0, n - k + 1))
        t = (n - k - e) // 2
        erased = rng.choice(n, e, replace=False)
        present = np.setdiff1d(np.arange(n), erased)
        wrong = rng.choice(present, int(rng.integers(0, t + 1)), replace=False)
        got = cw.copy()
        for s in wrong:
            got[s] = _corrupt(GF256, cw[s], rng, every_byte=bool(trial % 2))
        shuffled = rng.permutation(present)                   # rows in any order
        res = code.correct(got[shuffled], shuffled)
        assert np.array_equal(res.data, data)
        assert res.corrupted == sorted(wrong.tolist())


def test_wrong_shards_in_disjoint_byte_ranges_count_once_each(rng):
    """A shard wrong in a few bytes only, another wrong elsewhere: both found, the union."""
    code = MDSCode(14, 10)
    data, cw = _stripe(code, 5000, rng)
    got = cw.copy()
    got[2, 100:110] ^= 0x5A
    got[11, 4000:4003] ^= 0x33
    res = code.correct(got)
    assert res.corrupted == [2, 11] and np.array_equal(res.data, data)
    got[7, 2500] ^= 1                           # a third wrong shard: t = 2 exceeded
    with pytest.raises(UncorrectableError):
        code.correct(got)


def test_arguments(rng):
    code = MDSCode(10, 6)
    data, cw = _stripe(code, 16, rng)
    out = np.empty((6, 16), np.uint8)
    assert code.correct(cw, out=out).data is out and np.array_equal(out, data)
    with pytest.raises(InvalidArgumentError, match="max_errors"):
        code.correct(cw, max_errors=3)                # t = 2
    with pytest.raises(ShardSizeError):
        code.correct(cw[:9])                          # no indices: all n rows needed
    mask = np.ones(10, bool)
    mask[4] = False
    assert np.array_equal(code.correct(cw, mask).data, data)     # whole stripe with a mask
    G = code.G.copy()
    custom = MDSCode(10, 6, kind="custom", G=G[6:] ^ np.eye(4, 6, dtype=np.uint8), check=False)
    with pytest.raises(InvalidArgumentError, match="Cauchy or Vandermonde"):
        custom.correct(np.concatenate([data, custom.encode(data)]))


@pytest.mark.parametrize("container", [list, tuple])
def test_out_as_buffers_gets_the_corrected_data_shard(container):
    """``out`` given as a list (or tuple) of buffers, every data shard present and one of
    them wrong: the corrected row is written into the caller's buffer (it used to replace
    the list item, leaving the buffer wrong, and a tuple raised TypeError)."""
    code = MDSCode(7, 3)
    data = np.arange(12, dtype=np.uint8).reshape(3, 4)
    stripe = np.concatenate([data, code.encode(data)])
    stripe[1] ^= 0x11
    buffers = [bytearray(4) for _ in range(3)]
    out = container(buffers)
    result = code.correct(stripe, out=out)
    assert result.corrupted == [1] and result.data is out
    assert [list(b) for b in buffers] == data.tolist()
