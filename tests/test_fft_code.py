"""FFTCode: byte compatibility with reed-solomon-simd (through its Python
wrapper reed-solomon-leopard), every erasure pattern for small n, random
patterns up to 65535 shards, the boundaries, and the public API's errors."""
import itertools

import numpy as np
import pytest

from fastcode import _config
from fastcode.codes import FFTCode
from fastcode.errors import (FieldTypeError, InvalidArgumentError, NotEnoughShardsError,
                             ShardSizeError)
from fastcode.reference import gf65536 as ref

native = pytest.importorskip("fastcode.fields._gf65536", reason="native GF(2^16) module not built")

RNG = np.random.default_rng(22)


def _wrapper():
    return pytest.importorskip(
        "reed_solomon_leopard",
        reason="reed-solomon-leopard (test extra) is not installed: no interop check")


def _data(k, length):
    return RNG.integers(0, 256, (k, length), dtype=np.uint8)


def _wrapper_parity(rsl, data, m):
    return np.array([np.frombuffer(p, dtype=np.uint8) for p in rsl.encode([bytes(r) for r in data], m)])


# ---- byte compatibility ------------------------------------------------------------

INTEROP = [(1, 1, 64), (3, 5, 64), (5, 3, 128), (3, 3, 64), (3, 4, 64), (2, 1, 2), (10, 2, 66),
           (7, 20, 130), (40, 9, 190), (100, 30, 64), (1000, 100, 128), (300, 700, 96),
           (4096, 4096, 64), (33, 31, 62)]


@pytest.mark.parametrize("k,m,length", INTEROP)
def test_parity_equals_reed_solomon_simd(k, m, length):
    rsl = _wrapper()
    data = _data(k, length)
    assert np.array_equal(FFTCode(k + m, k).encode(data), _wrapper_parity(rsl, data, m))


def test_parity_equals_reed_solomon_simd_random_shapes():
    rsl = _wrapper()
    for _ in range(12):
        k, m = (int(v) for v in RNG.integers(1, 300, 2))
        length = 2 * int(RNG.integers(1, 200))
        data = _data(k, length)
        assert np.array_equal(FFTCode(k + m, k).encode(data), _wrapper_parity(rsl, data, m)), (k, m, length)


@pytest.mark.parametrize("k,m,length", [(3, 5, 64), (5, 3, 130), (100, 30, 64), (64, 64, 128),
                                        (200, 800, 66)])
def test_cross_decoding(k, m, length):
    rsl = _wrapper()
    data = _data(k, length)
    code = FFTCode(k + m, k)
    theirs = _wrapper_parity(rsl, data, m)
    ours = code.encode(data)
    lost = sorted(RNG.choice(k, min(k, m), replace=False).tolist())
    kept = [i for i in range(k) if i not in lost]
    rec = sorted(RNG.choice(m, len(lost), replace=False).tolist())
    # fastcode decodes the wrapper's recovery shards
    idx = kept + [k + r for r in rec]
    shards = np.concatenate([data[kept], theirs[rec]])
    assert np.array_equal(code.decode(shards, idx), data)
    # and the wrapper decodes ours
    restored = rsl.decode(k, m, {i: bytes(data[i]) for i in kept},
                          {r: bytes(ours[r]) for r in rec})
    assert sorted(restored) == lost
    for i in lost:
        assert restored[i] == bytes(data[i])


# ---- erasure patterns ------------------------------------------------------------------

def _check_all_patterns(n, k, length=64):
    code = FFTCode(n, k)
    data = _data(k, length)
    stripe = np.concatenate([data, code.encode(data)])
    for lost_count in range(n - k + 1):
        for lost in itertools.combinations(range(n), lost_count):
            idx = [i for i in range(n) if i not in lost]
            assert np.array_equal(code.decode(stripe[idx], idx), data), (n, k, lost)


@pytest.mark.parametrize("n", range(2, 13))
def test_every_erasure_pattern_small_n(n):
    for k in {1, n // 3 or 1, n // 2, n - 2 if n > 2 else 1, n - 1}:
        _check_all_patterns(n, k)


@pytest.mark.parametrize("n,k,length", [(300, 200, 64), (1000, 900, 128), (2000, 100, 64),
                                        (5000, 4000, 66)])
def test_random_patterns_large_n(n, k, length):
    code = FFTCode(n, k)
    data = _data(k, length)
    stripe = np.concatenate([data, code.encode(data)])
    for lost_count in (1, (n - k) // 2, n - k):
        lost = set(RNG.choice(n, lost_count, replace=False).tolist())
        idx = RNG.permutation([i for i in range(n) if i not in lost])
        assert np.array_equal(code.decode(stripe[idx], idx), data)


@pytest.mark.slow
@pytest.mark.parametrize("n,k", [(65535, 32768), (65535, 61439), (36864, 4096)])
def test_random_patterns_at_the_limits(n, k):
    code = FFTCode(n, k)
    data = _data(k, 64)
    stripe = np.concatenate([data, code.encode(data)])
    lost = set(RNG.choice(n, n - k, replace=False).tolist())
    idx = np.array([i for i in range(n) if i not in lost])
    assert np.array_equal(code.decode(stripe[idx], idx), data)


@pytest.mark.slow
def test_parity_equals_reed_solomon_simd_at_the_limits():
    rsl = _wrapper()
    for k, m in ((32768, 32768), (61440, 4096), (4096, 61440)):
        data = _data(k, 64)
        assert np.array_equal(FFTCode(k + m, k).encode(data), _wrapper_parity(rsl, data, m))


# ---- boundaries ------------------------------------------------------------------------

def test_boundaries_no_loss_exactly_m_lost_and_one_more():
    n, k = 40, 25
    code = FFTCode(n, k)
    data = _data(k, 128)
    stripe = np.concatenate([data, code.encode(data)])
    assert np.array_equal(code.decode(stripe, np.arange(n)), data)
    assert np.array_equal(code.decode(stripe[:k], np.arange(k)), data)
    idx = np.arange(n - k, n)  # exactly m lost: the first m shards
    assert code.can_decode(idx)
    assert np.array_equal(code.decode(stripe[idx], idx), data)
    idx = idx[1:]
    assert not code.can_decode(idx)
    with pytest.raises(NotEnoughShardsError, match="at least k=25"):
        code.decode(stripe[idx], idx)


def test_reconstruct_verify_and_out():
    n, k = 20, 12
    code = FFTCode(n, k)
    data = _data(k, 66)
    stripe = np.concatenate([data, code.encode(data)])
    assert code.verify(stripe)
    bad = stripe.copy()
    bad[k + 3, 5] ^= 1
    assert not code.verify(bad)
    mask = np.ones(n, dtype=bool)
    mask[[0, 4, 13, 19]] = False
    # a whole stripe with a mask, every row back
    assert np.array_equal(code.reconstruct(stripe, mask, "all"), stripe)
    assert np.array_equal(code.reconstruct(stripe[mask], mask, "parity"), stripe[k:])
    assert np.array_equal(code.reconstruct(stripe[mask], mask, [19, 0, 4]), stripe[[19, 0, 4]])
    out = np.zeros((k, 66), dtype=np.uint8)
    assert code.decode(stripe[mask], mask, out=out) is out
    assert np.array_equal(out, data)
    # in place: out overlaps the shards
    work = stripe.copy()
    code.reconstruct(work, mask, "all", out=work)
    assert np.array_equal(work, stripe)
    # lists of buffers in and out
    bufs = [bytearray(66) for _ in range(n - k)]
    code.encode([bytes(r) for r in data], out=bufs)
    assert all(bytes(b) == bytes(p) for b, p in zip(bufs, stripe[k:]))
    parity = np.empty((n - k, 66), dtype=np.uint8)
    code.encode(data, out=parity)
    assert np.array_equal(parity, stripe[k:])
    # out overlapping the data it is computed from: staged, still right
    both = np.concatenate([data, np.zeros((n - k, 66), dtype=np.uint8)])
    code.encode(both[:k], out=both[k - 3:n - 3])
    assert np.array_equal(both[k - 3:n - 3], stripe[k:])


def test_simd_levels_threads_and_numpy_backend_agree():
    # whole 64-byte chunks (the first and last transform passes read and write
    # the shards directly) and a partial last chunk (gathered into scratch);
    # high rate with two data chunks and low rate with three recovery chunks
    before = native.active_level()
    try:
        for k, m in ((100, 60), (30, 70)):
            for length in (64 * 40, 64 * 40 + 34):
                data = _data(k, length)
                code = FFTCode(k + m, k)
                want = ref.symbols_to_shards(ref.encode_symbols(ref.shards_to_symbols(data), m))
                lost = set(RNG.choice(k, min(k, m), replace=False).tolist())
                idx = np.array([i for i in range(k + m) if i not in lost])
                stripe = np.concatenate([data, want])
                for level in native.available_levels():
                    native.set_level(level)
                    for threads in (1, 2):
                        assert np.array_equal(code.encode(data, n_threads=threads), want), level
                        assert np.array_equal(code.decode(stripe[idx], idx, n_threads=threads),
                                              data), level
    finally:
        native.set_level(before)
    small = FFTCode(12, 7)
    d = _data(7, 130)
    fast = small.encode(d)
    prev = _config.get_backend()
    try:
        _config.set_backend("numpy")
        assert np.array_equal(small.encode(d), fast)
        st = np.concatenate([d, fast])
        assert np.array_equal(small.decode(st[5:], np.arange(5, 12)), d)
    finally:
        _config.set_backend(prev)


def test_bad_arguments():
    with pytest.raises(InvalidArgumentError):
        FFTCode(5, 5)
    with pytest.raises(InvalidArgumentError):
        FFTCode(5, 0)
    with pytest.raises(InvalidArgumentError, match="not supported"):
        FFTCode(65536, 10)
    with pytest.raises(InvalidArgumentError, match="not supported"):
        FFTCode(65535, 60000)  # high rate would need pow2(5535) + 60000 <= 65536
    with pytest.raises(InvalidArgumentError):
        FFTCode(10, 2.5)
    code = FFTCode(10, 6)
    with pytest.raises(ShardSizeError, match="even length"):
        code.encode(_data(6, 63))
    with pytest.raises(ShardSizeError):
        code.encode(_data(5, 64))
    with pytest.raises(FieldTypeError):
        code.encode(np.zeros((6, 64), dtype=np.uint16))
    with pytest.raises(ShardSizeError):
        code.encode(_data(6, 64), out=np.zeros((4, 62), dtype=np.uint8))
    stripe = np.concatenate([d := _data(6, 64), code.encode(d)])
    with pytest.raises(InvalidArgumentError, match="duplicates"):
        code.decode(stripe[[0, 0, 1, 2, 3, 4]], [0, 0, 1, 2, 3, 4])
    with pytest.raises(InvalidArgumentError):
        code.decode(stripe[:6], [0, 1, 2, 3, 4, 10])
    with pytest.raises(ShardSizeError):
        code.decode(stripe[:5], [0, 1, 2, 3, 4, 5])
    with pytest.raises(InvalidArgumentError):
        code.reconstruct(stripe, np.arange(10), which="nonsense")
    out = np.zeros((6, 64), dtype=np.uint8)
    rows_alias = np.lib.stride_tricks.as_strided(out, (6, 64), (8, 1))
    with pytest.raises(InvalidArgumentError, match="overlap"):
        code.decode(stripe, np.arange(10), out=rows_alias)


def test_repr_and_contract_attributes():
    code = FFTCode(1000, 900)
    assert (code.n, code.k, code.m) == (1000, 900, 100)
    assert code.field.name == "GF65536"
    assert code.rate == "high" and "rate='high'" in repr(code)
    assert FFTCode(1000, 100).rate == "low"
    assert code == FFTCode(1000, 900) and hash(code) == hash(FFTCode(1000, 900))


def test_large_outputs_streamed_to_memory():
    # outputs of 16 MiB and more are written with non-temporal stores (aligned
    # rows) or plain copies (misaligned rows): both must give the same bytes
    k, m, length = 300, 300, 65536 + 64
    code = FFTCode(k + m, k)
    data = _data(k, length)
    aligned = code.encode(data)
    backing = np.empty(m * length + 2, dtype=np.uint8)
    shifted = backing[2:].reshape(m, length)  # rows 2 bytes off alignment
    code.encode(data, out=shifted)
    assert np.array_equal(shifted, aligned)
    small = FFTCode(k + m, k).encode(np.ascontiguousarray(data[:, :128]))
    assert np.array_equal(small, aligned[:, :128])  # symbol columns are independent
    stripe = np.concatenate([data, aligned])
    idx = np.arange(m, k + m)  # every data shard lost: 300 rows of output
    assert np.array_equal(code.decode(stripe[idx], idx), data)


# ---- MDSCode chooses the FFT code above 256 shards ------------------------------------------

def test_mdscode_above_256_shards_is_the_fft_code():
    from fastcode import MDSCode
    rng = np.random.default_rng(11)
    code = MDSCode(1000, 900)
    assert isinstance(code, FFTCode) and "FFTCode" in repr(code)
    data = rng.integers(0, 256, (900, 64), dtype=np.uint8)
    cw = np.concatenate([data, code.encode(data)])
    idx = rng.choice(1000, 900, replace=False)
    assert np.array_equal(code.decode(cw[idx], idx), data)
    assert isinstance(MDSCode(20, 10, kind="fft"), FFTCode)
    assert not isinstance(MDSCode(256, 200), FFTCode)             # GF(2^8) up to 256 shards
    with pytest.raises(ValueError, match="fft"):
        MDSCode(300, 200, kind="fft", G=np.zeros((100, 200), np.uint8))


@pytest.mark.slow
def test_mdscode_largest_pair_through_the_public_api():
    from fastcode import MDSCode
    rng = np.random.default_rng(12)
    code = MDSCode(65535, 32768)
    data = rng.integers(0, 256, (32768, 64), dtype=np.uint8)
    parity = code.encode(data)
    idx = np.sort(rng.choice(65535, 32768, replace=False))
    cw = np.concatenate([data, parity])
    assert np.array_equal(code.decode(cw[idx], idx), data)


def test_fastcode_bench_fft_runs(capsys):
    """`fastcode bench --fft --quick --json`: FFTCode figures (and the wrapper's beside them
    when installed), as one JSON document."""
    import json

    from fastcode.cli import main
    assert main(["bench", "--fft", "--quick", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["results"]
    assert {r["workload"] for r in rows} == {"encode", "decode 1% of m lost",
                                              "decode 100% of m lost"}
    assert all(r["fastcode_GBps"] > 0 for r in rows)


def test_bad_out_raises_the_fastcode_errors_mdscode_raises():
    """A read-only ``out`` is an InvalidArgumentError and non-contiguous ``out`` rows a
    ShardSizeError, as in MDSCode (both were plain ValueErrors; still ValueErrors)."""
    code = FFTCode(6, 4)
    data = _data(4, 8)
    frozen = np.zeros((2, 8), np.uint8)
    frozen.setflags(write=False)
    with pytest.raises(InvalidArgumentError, match="read-only"):
        code.encode(data, out=frozen)
    with pytest.raises(InvalidArgumentError, match="read-only"):
        code.encode(data, out=list(frozen))
    with pytest.raises(ShardSizeError, match="contiguous"):
        code.encode(data, out=np.zeros((2, 16), np.uint8)[:, ::2])
    with pytest.raises(ShardSizeError, match="contiguous"):
        code.encode(data, out=list(np.zeros((2, 16), np.uint8)[:, ::2]))
