"""fastcode.codes.MDSCode: encode / decode / reconstruct / verify / update,
decoder cache, config and pickling, errors, golden parity, ISA-L equality."""
import itertools
import json
import os
import pickle
import threading

import numpy as np
import pytest

from _toy_fields import ToyPrimeField
import fastcode
from fastcode import GF256, MDSCode, PrimeField, matrices
from fastcode.bench.comparators import ISAL
from fastcode.errors import (
    FastcodeError,
    FieldTypeError,
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
    SingularMatrixError,
)

KINDS = ["cauchy", "vandermonde"]
# (kind, setup): both ways of solving the e x e system, tested alike
SETUPS = [("cauchy", "gauss_jordan"), ("cauchy", "closed_form"), ("vandermonde", "gauss_jordan")]
SETUP_IDS = ["cauchy", "cauchy-closed", "vandermonde"]
DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def codeword(code, length, rng):
    data = code.field.random((code.k, length), rng)
    return np.concatenate([data, code.encode(data)])


def expected_rows(code, rows, data):
    """Independent check: codeword rows = G[rows] @ data with the field's matmul."""
    return code.field.matmul(code.G[list(rows)], data)


# ---- exhaustive erasure patterns -----------------------------------------------------

def _all_patterns(code, cw, which=None):
    """Decode every present set of size >= k; return the number of decodes."""
    n, k = code.n, code.k
    data = cw[:k]
    count = 0
    for size in range(k, n + 1):
        for present in itertools.combinations(range(n), size):
            pres = np.array(present)
            got = code.decode(cw[pres], pres)
            if not np.array_equal(got, data):
                raise AssertionError(f"{code} present={present}: wrong data")
            if which is not None:
                # indexed layout (n rows) and bool mask, full codeword back
                mask = np.zeros(n, dtype=bool)
                mask[pres] = True
                garbage = cw.copy()
                garbage[~mask] = 0xA5
                if not np.array_equal(code.reconstruct(garbage, mask, which="all"), cw):
                    raise AssertionError(f"{code} present={present}: wrong reconstruct")
            count += 1
    return count


@pytest.mark.parametrize("kind,setup", SETUPS, ids=SETUP_IDS)
@pytest.mark.parametrize("n", range(1, 13))
def test_every_pattern_small_n(kind, setup, n, rng):
    total = 0
    for k in range(1, n + 1):
        code = MDSCode(n, k, kind=kind, cache_size=0, setup=setup)
        cw = codeword(code, 3, rng)
        total += _all_patterns(code, cw, which="all" if n <= 8 else None)
    assert total == sum(sum(1 for _ in itertools.combinations(range(n), s)) * (s - 0 >= 0)
                        for k in range(1, n + 1) for s in range(k, n + 1))


@pytest.mark.parametrize("kind,setup", SETUPS, ids=SETUP_IDS)
def test_every_pattern_16_12(kind, setup, rng):
    code = MDSCode(16, 12, kind=kind, cache_size=0, setup=setup)
    assert _all_patterns(code, codeword(code, 5, rng)) == sum(
        len(list(itertools.combinations(range(16), s))) for s in range(12, 17))


@pytest.mark.parametrize("kind,setup", SETUPS, ids=SETUP_IDS)
def test_every_pattern_prime_field(kind, setup, rng):
    # odd characteristic: signs in the decode formulas matter
    field = ToyPrimeField(257)
    for n, k in [(7, 4), (8, 3), (6, 6), (5, 1)]:
        code = MDSCode(n, k, field, kind=kind, cache_size=0, setup=setup)
        assert _all_patterns(code, codeword(code, 4, rng), which="all") > 0


# ---- random patterns, large codes ------------------------------------------------------

@pytest.mark.parametrize("kind,setup", SETUPS, ids=SETUP_IDS)
@pytest.mark.parametrize("n,k,trials", [(255, 223, 800), (256, 200, 550), (100, 80, 1000),
                                        (20, 10, 1000)])
def test_random_patterns(kind, setup, n, k, trials, rng):
    # 3 setups x 3350 > 10^4 decodes, each with a fresh pattern (cold decoder)
    code = MDSCode(n, k, kind=kind, cache_size=0, setup=setup)
    cw = codeword(code, 4, rng)
    data = cw[:k]
    for t in range(trials):
        size = int(rng.integers(k, n + 1)) if t % 2 else k
        pres = rng.choice(n, size, replace=False)
        if t % 4:     # mostly sorted (kernel reads a 2-D slice); every 4th unsorted (row lists)
            pres.sort()
        got = code.decode(cw[pres], pres)
        if not np.array_equal(got, data):
            raise AssertionError(f"{code} present={sorted(pres.tolist())}")


# ---- block lengths, buffers, out= -------------------------------------------------------

@pytest.mark.parametrize("length", [0, 1, 31, 33, 4097])
@pytest.mark.parametrize("kind", KINDS)
def test_block_lengths(length, kind, rng):
    code = MDSCode(10, 6, kind=kind)
    data = GF256.random((6, length), rng)
    parity = code.encode(data)
    assert parity.shape == (4, length) and parity.dtype == np.uint8
    np.testing.assert_array_equal(parity, expected_rows(code, range(6, 10), data))
    cw = np.concatenate([data, parity])
    assert code.verify(cw)
    pres = np.array([9, 1, 7, 3, 8, 5])
    np.testing.assert_array_equal(code.decode(cw[pres], pres), data)
    np.testing.assert_array_equal(code.reconstruct(cw[pres], pres, which="all"), cw)


def test_list_of_buffers(rng):
    code = MDSCode(9, 5)
    data = GF256.random((5, 100), rng)
    parity = code.encode(data)
    # list input: arrays, bytes, bytearray, memoryview
    mixed = [data[0], bytes(data[1]), bytearray(data[2]), memoryview(data[3].copy()), data[4].copy()]
    np.testing.assert_array_equal(code.encode(mixed), parity)
    cw = np.concatenate([data, parity])
    # indexed layout with None for absent shards
    shards = [bytes(r) for r in cw]
    for lost in (0, 2, 4, 6):
        shards[lost] = None
    present = [1, 3, 5, 7, 8]
    mask = np.zeros(9, dtype=bool)
    mask[present] = True
    np.testing.assert_array_equal(code.decode(shards, mask), data)
    with pytest.raises(ShardSizeError, match="boolean mask"):
        code.decode(shards, present)     # indices pair with rows positionally, never by number
    # positional list
    np.testing.assert_array_equal(code.decode([cw[i] for i in present], present), data)
    # list out
    outs = [np.zeros(100, dtype=np.uint8) for _ in range(5)]
    res = code.decode(shards, mask, out=outs)
    assert res is outs
    for i in range(5):
        np.testing.assert_array_equal(outs[i], data[i])
    pouts = [bytearray(100) for _ in range(4)]
    code.encode(data, out=pouts)
    for i in range(4):
        assert bytes(pouts[i]) == parity[i].tobytes()
    # a needed shard is None
    shards[1] = None
    with pytest.raises(NotEnoughShardsError):
        code.decode(shards, mask)


@pytest.mark.parametrize("kind", KINDS)
def test_out_with_guard_bytes(kind, rng):
    code = MDSCode(12, 8, kind=kind)
    L, G = 77, 16
    data = GF256.random((8, L), rng)
    parity = code.encode(data)
    cw = np.concatenate([data, parity])
    # out is a window of a larger buffer: the guards around it must stay intact
    big = np.full((4 + 2, L + 2 * G), 0xEE, dtype=np.uint8)
    res = code.encode(data, out=big[1:5, G:G + L])
    np.testing.assert_array_equal(big[1:5, G:G + L], parity)
    assert res.base is not None
    assert (big[0] == 0xEE).all() and (big[5] == 0xEE).all()
    assert (big[:, :G] == 0xEE).all() and (big[:, G + L:] == 0xEE).all()
    big = np.full((8 + 2, L + 2 * G), 0xEE, dtype=np.uint8)
    pres = np.array([11, 0, 9, 2, 10, 4, 8, 6])
    code.decode(cw[pres], pres, out=big[1:9, G:G + L])
    np.testing.assert_array_equal(big[1:9, G:G + L], data)
    assert (big[0] == 0xEE).all() and (big[9] == 0xEE).all()
    assert (big[:, :G] == 0xEE).all() and (big[:, G + L:] == 0xEE).all()


def test_present_data_rows_are_copied_not_recomputed(rng):
    code = MDSCode(8, 5)
    cw = codeword(code, 20, rng)
    tampered = cw.copy()
    tampered[1] ^= 0xFF            # present data row, inconsistent with parity on purpose
    pres = np.array([1, 2, 3, 5, 6, 7])
    got = code.decode(tampered[pres], pres)
    np.testing.assert_array_equal(got[[1, 2, 3]], tampered[[1, 2, 3]])


def test_reconstruct_which(rng):
    code = MDSCode(10, 6)
    cw = codeword(code, 16, rng)
    pres = np.array([0, 2, 3, 6, 8, 9])
    np.testing.assert_array_equal(code.reconstruct(cw[pres], pres, which="parity"), cw[6:])
    np.testing.assert_array_equal(code.reconstruct(cw[pres], pres, which=[7, 1, 0]), cw[[7, 1, 0]])
    np.testing.assert_array_equal(code.reconstruct(cw[pres], pres, which=[4]), cw[[4]])
    dec = code.decoder(pres, which=[7, 1, 0])
    # only the missing targets are computed: 7 and 1 (0 is present)
    assert sorted(dec.lost.tolist()) == [1, 7] and dec.matrix.shape == (2, 6)
    assert code.decoder(pres).matrix.shape == (3, 6)   # lost data rows 1, 4, 5
    with pytest.raises(InvalidArgumentError, match="which"):
        code.reconstruct(cw[pres], pres, which="everything")
    with pytest.raises(InvalidArgumentError, match="duplicate"):
        code.reconstruct(cw[pres], pres, which=[1, 1])
    with pytest.raises(InvalidArgumentError, match=r"\[0, 10\)"):
        code.reconstruct(cw[pres], pres, which=[10])


# ---- verify / update / incremental ------------------------------------------------------

@pytest.mark.parametrize("field", [GF256, ToyPrimeField(257)], ids=str)
def test_verify_update_incremental(field, rng):
    code = MDSCode(9, 6, field)
    data = field.random((6, 40), rng)
    parity = code.encode(data)
    cw = np.concatenate([data, parity])
    assert code.verify(cw)
    bad = cw.copy()
    bad[7, 3] = field.add(bad[7, 3], field.asarray(1))
    assert not code.verify(bad)
    bad = cw.copy()
    bad[2, 0] = field.add(bad[2, 0], field.asarray(1))
    assert not code.verify(bad)
    # update one data block
    new = field.random(40, rng)
    p2 = parity.copy()
    assert code.update(p2, 2, data[2], new) is p2
    data2 = data.copy()
    data2[2] = new
    np.testing.assert_array_equal(p2, code.encode(data2))
    # streaming encode from zero parity, blocks in any order
    acc = field.zeros((3, 40))
    for idx in (5, 0, 3, 1, 4, 2):
        code.encode_incremental(data[idx], idx, acc)
    np.testing.assert_array_equal(acc, parity)
    with pytest.raises(InvalidArgumentError, match="idx"):
        code.update(p2, 6, data[0], new)
    with pytest.raises(ShardSizeError):
        code.update(p2, 1, data[0], new[:5])


# ---- decoder cache -----------------------------------------------------------------------

def test_decoder_cache(rng):
    code = MDSCode(10, 6, cache_size=4)
    pres = np.array([0, 1, 2, 7, 8, 9])
    d1 = code.decoder(pres)
    assert code.decoder(pres) is d1
    assert code.decoder(pres.copy()) is d1
    # same pattern, other spelling: shares the prepared matrix
    mask = np.zeros(10, dtype=bool)
    mask[pres] = True
    assert code.decoder(mask)._core is d1._core
    # a list [1, 0, ...] must not alias a bool mask [True, False, ...]
    lst = [int(v) for v in mask]
    with pytest.raises(InvalidArgumentError, match="duplicate"):
        code.decoder(lst)
    for i in range(10):
        code.decoder(np.array([i, (i + 1) % 10, (i + 2) % 10, (i + 3) % 10, (i + 4) % 10,
                               (i + 5) % 10]))
    assert len(code._cache) <= 4
    nocache = MDSCode(10, 6, cache_size=0)
    assert nocache.decoder(pres) is not nocache.decoder(pres)
    assert nocache.cache_info[2] == 0
    with pytest.raises(ValueError):
        MDSCode(10, 6, cache_size=-1)
    cw = codeword(code, 8, rng)
    np.testing.assert_array_equal(d1(cw[pres]), cw[:6])
    np.testing.assert_array_equal(code.decoder(mask)(cw), cw[:6])     # indexed layout
    with pytest.raises(ShardSizeError, match="positionally"):
        d1(cw)                      # an index list never takes the indexed reading
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(d1)


@pytest.mark.parametrize("kind,setup", SETUPS, ids=SETUP_IDS)
def test_decode_matrix_structure(kind, setup):
    # the prepared matrix applied to the chosen shards' generator rows gives G[lost]
    code = MDSCode(14, 10, kind=kind, setup=setup)
    for lost in [(0,), (1, 5), (0, 3, 8, 9), (2, 4, 11), (10, 11, 12, 13)]:
        pres = np.setdiff1d(np.arange(14), lost)
        dec = code.decoder(pres)
        M = dec.matrix
        assert M.shape == (len(dec.lost), 10)
        np.testing.assert_array_equal(GF256.matmul(M, code.G[dec.chosen]), code.G[dec.lost])


@pytest.mark.parametrize("field", [GF256, ToyPrimeField(257)], ids=str)
def test_closed_form_equals_gauss_jordan(field, rng):
    for n, k in [(60, 50), (30, 10), (12, 11)]:
        if n > field.order:
            continue
        cf = MDSCode(n, k, field, setup="closed_form", cache_size=0)
        gj = MDSCode(n, k, field, setup="gauss_jordan", cache_size=0)
        for _ in range(20):
            pres = np.sort(rng.choice(n, int(rng.integers(k, n + 1)), replace=False))
            np.testing.assert_array_equal(cf.decoder(pres).matrix, gj.decoder(pres).matrix)
    with pytest.raises(InvalidArgumentError, match="closed_form"):
        MDSCode(6, 3, kind="vandermonde", setup="closed_form")
    with pytest.raises(InvalidArgumentError, match="setup"):
        MDSCode(6, 3, setup="lu")


def test_concurrent_decodes_match_sequential(rng):
    code = MDSCode(20, 12, cache_size=16)
    cw = codeword(code, 257, rng)
    patterns = [rng.choice(20, int(rng.integers(12, 21)), replace=False) for _ in range(64)]
    expect = [code.decode(cw[p], p) for p in patterns]
    code2 = MDSCode(20, 12, cache_size=16)    # fresh cache: threads race on misses and evictions
    results = {}
    errors = []

    def work(tid):
        try:
            for rep in range(5):
                for j in range(tid, len(patterns), 8):
                    p = patterns[j]
                    got = code2.decode(cw[p], p)
                    if not np.array_equal(got, expect[j]):
                        errors.append((tid, j))
                    results[j] = got
        except Exception as exc:       # surface thread exceptions in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == len(patterns)
    for j in range(len(patterns)):
        np.testing.assert_array_equal(results[j], cw[:12])


# ---- config, pickle, custom --------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [dict(kind="cauchy"), dict(kind="vandermonde"),
                                    dict(kind="cauchy", setup="closed_form"),
                                    dict(kind="cauchy", x=[100, 101, 102], y=list(range(7))),
                                    dict(kind="vandermonde", points=list(range(50, 60))),
                                    dict(kind="custom", G=matrices.cauchy(10, 7, x=[40, 41, 42]))])
def test_config_and_pickle(kwargs, rng):
    code = MDSCode(10, 7, cache_size=9, **kwargs)
    cfg = code.get_config()
    cfg2 = json.loads(json.dumps(cfg))
    back = MDSCode.from_config(cfg2)
    assert back == code and back.kind == code.kind and back.cache_info[3] == 9
    assert back.setup == code.setup
    data = GF256.random((7, 30), rng)
    np.testing.assert_array_equal(back.encode(data), code.encode(data))
    code.decoder(np.arange(3, 10))             # fill the cache; it must not be pickled
    blob = pickle.dumps(code)
    assert len(blob) < 2000
    again = pickle.loads(blob)
    assert again == code and again.cache_info[2] == 0
    np.testing.assert_array_equal(again.encode(data), code.encode(data))


def test_config_toy_field_roundtrip():
    field = ToyPrimeField(257)
    code = MDSCode(6, 4, field, kind="vandermonde")
    back = pickle.loads(pickle.dumps(code))
    assert back == code and back.field == field


def test_custom_generator(rng):
    k, n = 5, 8
    G = matrices.vandermonde(n, k, systematic=False)          # non-systematic top
    code = MDSCode(n, k, kind="custom", G=G)
    np.testing.assert_array_equal(code.G, matrices.vandermonde(n, k))
    cw = codeword(code, 9, rng)
    assert _all_patterns(code, cw) > 0
    # parity block only
    code2 = MDSCode(n, k, kind="custom", G=matrices.cauchy(n, k)[k:])
    assert code2 == MDSCode(n, k)
    # not MDS: rejected unless the caller opts out
    bad = matrices.cauchy(n, k).copy()
    bad[6, 1] = 0
    with pytest.raises(SingularMatrixError, match="not MDS"):
        MDSCode(n, k, kind="custom", G=bad)
    unchecked = MDSCode(n, k, kind="custom", G=bad, check=False)
    cw = codeword(unchecked, 4, rng)
    with pytest.raises(SingularMatrixError):
        # data row 1 lost, parity row 6 (whose coefficient on data row 1 is 0) present
        pres = np.array([0, 2, 3, 4, 6])
        unchecked.decode(cw[pres], pres)
    singular_top = np.zeros((n, k), dtype=np.uint8)
    with pytest.raises(SingularMatrixError):
        MDSCode(n, k, kind="custom", G=singular_top)


# ---- golden fixtures and ISA-L --------------------------------------------------------------

def test_golden_parity():
    golden = np.load(os.path.join(DATA_DIR, "mds_golden.npz"))
    keys = sorted(k[:-5] for k in golden.files if k.endswith("_data"))
    assert len(keys) >= 6
    for key in keys:
        kind, n, k = key.split("_")
        code = MDSCode(int(n), int(k), kind=kind)
        data = golden[key + "_data"]
        np.testing.assert_array_equal(code.encode(data), golden[key + "_parity"], err_msg=key)


@pytest.fixture(scope="module")
def isal():
    lib = ISAL.load()
    if lib is None:
        pytest.skip(ISAL.unavailable_reason())
    return lib


def _isal_encode(isal, parity_matrix, data):
    """ISA-L's ec_encode_data of (k, L) data with the (rows, k) parity matrix."""
    rows, k = parity_matrix.shape
    out = np.empty((rows, data.shape[1]), dtype=np.uint8)
    isal.encode(isal.init_tables(k, rows, parity_matrix), np.ascontiguousarray(data), out)
    return out


def test_cauchy_parity_equals_isal(isal, rng):
    cases = [(14, 10), (6, 4), (256, 200), (255, 223), (3, 1), (2, 2)]
    cases += [(int(n), int(rng.integers(1, n + 1))) for n in rng.integers(2, 257, 20)]
    for n, k in cases:
        code = MDSCode(n, k)
        a = isal.cauchy_matrix(n, k)
        np.testing.assert_array_equal(code.G, a, err_msg=f"({n},{k}) matrix")
        if n == k:
            continue
        data = GF256.random((k, int(rng.integers(1, 300))), rng)
        np.testing.assert_array_equal(code.encode(data), _isal_encode(isal, a[k:], data),
                                      err_msg=f"({n},{k}) parity")


def test_golden_cauchy_equals_isal(isal):
    golden = np.load(os.path.join(DATA_DIR, "mds_golden.npz"))
    for key in golden.files:
        if key.startswith("cauchy_") and key.endswith("_data"):
            _, n, k, _ = key.split("_")
            a = isal.cauchy_matrix(int(n), int(k))
            np.testing.assert_array_equal(_isal_encode(isal, a[int(k):], golden[key]),
                                          golden[key[:-5] + "_parity"])


# ---- errors ---------------------------------------------------------------------------------

def test_bad_code_parameters():
    for args, kw, exc, msg in [
        ((257, 10), {"kind": "cauchy"}, InvalidArgumentError, "field size 256"),
        ((257, 10), {"kind": "vandermonde"}, InvalidArgumentError, "field size 256"),
        ((5, 6), {}, InvalidArgumentError, "k must be <= n"),
        ((5, 0), {}, InvalidArgumentError, "k must be >= 1"),
        ((5, 3), {"kind": "rs"}, InvalidArgumentError, "kind must be one of"),
        ((5, 3), {"kind": "custom"}, InvalidArgumentError, "needs a generator"),
        ((5, 3), {"G": np.eye(3, dtype=np.uint8)}, InvalidArgumentError, "only used with"),
        ((5, 3), {"kind": "custom", "G": np.eye(3, dtype=np.uint8)}, ShardSizeError, "shape"),
        ((5, 3), {"kind": "vandermonde", "x": [1, 2]}, InvalidArgumentError, "x and y"),
        ((5, 3), {"points": [1, 2, 3, 4, 5]}, InvalidArgumentError, "points"),
    ]:
        with pytest.raises(exc, match=msg):
            MDSCode(*args, **kw)
    assert issubclass(InvalidArgumentError, FastcodeError) and issubclass(InvalidArgumentError, ValueError)
    MDSCode(256, 200)
    MDSCode(1, 1)


def test_bad_decode_inputs(rng):
    code = MDSCode(10, 6)
    cw = codeword(code, 16, rng)
    pres = np.array([0, 2, 4, 6, 8, 9])
    with pytest.raises(NotEnoughShardsError, match="k=6"):
        code.decode(cw[pres[:5]], pres[:5])
    with pytest.raises(InvalidArgumentError, match="duplicate"):
        code.decode(cw[:6], np.array([0, 1, 2, 3, 3, 5]))
    with pytest.raises(InvalidArgumentError, match=r"\[0, 10\)"):
        code.decode(cw[:6], np.array([0, 1, 2, 3, 4, 10]))
    with pytest.raises(InvalidArgumentError, match=r"\[0, 10\)"):
        code.decode(cw[:6], [-1, 1, 2, 3, 4, 5])
    with pytest.raises(InvalidArgumentError, match="float64"):
        code.decode(cw[:6], np.arange(6, dtype=float))
    with pytest.raises(ShardSizeError, match="shape \\(10,\\)"):
        code.decode(cw[:6], np.ones(9, dtype=bool))
    with pytest.raises(ShardSizeError, match="6 present shards"):
        code.decode(cw[:7], pres)
    with pytest.raises(FieldTypeError, match="uint8"):
        code.decode(cw[pres].astype(np.uint16), pres)
    with pytest.raises(ShardSizeError, match="different lengths"):
        code.decode([cw[i] if i else cw[i][:5] for i in pres], pres)
    with pytest.raises(ShardSizeError, match=r"\(6, 16\)"):
        code.decode(cw[pres], pres, out=np.zeros((6, 15), dtype=np.uint8))
    with pytest.raises(ShardSizeError, match=r"\(6, 16\)"):
        code.decode(cw[pres], pres, out=np.zeros((5, 16), dtype=np.uint8))
    with pytest.raises(FieldTypeError):
        code.decode(cw[pres], pres, out=np.zeros((6, 16), dtype=np.int8))
    with pytest.raises(ShardSizeError, match="6 buffers"):
        code.decode(cw[pres], pres, out=[np.zeros(16, np.uint8)] * 5)
    with pytest.raises(FieldTypeError):
        code.decode("abcdef", pres)
    with pytest.raises(ShardSizeError, match="2-D"):
        code.decode(cw[pres].reshape(-1), pres)


def test_bad_encode_inputs(rng):
    code = MDSCode(10, 6)
    data = GF256.random((6, 16), rng)
    with pytest.raises(ShardSizeError, match="6 shards, got 5"):
        code.encode(data[:5])
    with pytest.raises(FieldTypeError, match="uint8"):
        code.encode(data.astype(np.int32))
    with pytest.raises(ShardSizeError, match="different lengths"):
        code.encode([data[0][:3]] + list(data[1:]))
    with pytest.raises(ShardSizeError, match=r"\(4, 16\)"):
        code.encode(data, out=np.zeros((4, 17), dtype=np.uint8))
    with pytest.raises(ShardSizeError, match=r"\(4, 16\)"):
        code.encode(data, out=np.zeros((3, 16), dtype=np.uint8))
    with pytest.raises(ShardSizeError, match="10 shards"):
        code.verify(data)


def test_systematic_n_equals_k_and_k_1(rng):
    code = MDSCode(5, 5)
    data = GF256.random((5, 7), rng)
    assert code.encode(data).shape == (0, 7)
    np.testing.assert_array_equal(code.decode(data, np.arange(5)), data)
    rep = MDSCode(4, 1, kind="vandermonde")        # repetition-like code
    d = GF256.random((1, 9), rng)
    cw = np.concatenate([d, rep.encode(d)])
    for i in range(4):
        np.testing.assert_array_equal(rep.decode(cw[[i]], [i]), d)


# ---- one reading of shards: positional with indices, by shard number only with a mask -----

@pytest.mark.parametrize("n", range(1, 7))
def test_every_permutation_and_subset_decodes_positionally(n, rng):
    """Rows pair with the index list positionally, for every ordered subset of size
    >= k (the whole stripe in any order included); a bool mask takes the rows in
    increasing shard order or the whole stripe indexed by shard number."""
    for k in range(1, n + 1):
        code = MDSCode(n, k)
        cw = codeword(code, 5, rng)
        data = cw[:k]
        for size in range(k, n + 1):
            for subset in itertools.combinations(range(n), size):
                mask = np.zeros(n, dtype=bool)
                mask[list(subset)] = True
                assert np.array_equal(code.decode(cw[mask], mask), data)
                stripe = cw.copy()
                stripe[~mask] = 0x5A                 # absent rows hold garbage
                assert np.array_equal(code.decode(stripe, mask), data)
                assert np.array_equal(code.reconstruct(list(stripe), mask, "all"), cw)
                for order in itertools.permutations(subset):
                    idx = list(order)
                    if not np.array_equal(code.decode(cw[idx], idx), data):
                        raise AssertionError(f"MDSCode({n}, {k}) indices {idx}: wrong data")
                    if size < n:
                        # a whole stripe with fewer indices than rows has two readings
                        with pytest.raises(ShardSizeError, match="positionally"):
                            code.decode(stripe, idx)


def test_full_stripe_in_reverse_order_issue_reproducer():
    c = MDSCode(6, 4)
    D = np.arange(24, dtype=np.uint8).reshape(4, 6)
    cw = np.concatenate([D, c.encode(D)])
    order = [5, 4, 3, 2, 1, 0]
    assert np.array_equal(c.decode(cw[order], order), D)
    assert not np.array_equal(c.decode(cw, order), D)      # the rows really are read as given


def test_reconstruct_repairs_a_stripe_in_place_with_a_mask(rng):
    code = MDSCode(10, 6)
    cw = codeword(code, 100, rng)
    mask = np.ones(10, dtype=bool)
    mask[[0, 3, 7, 9]] = False
    stripe = cw.copy()
    stripe[~mask] = 0
    assert code.reconstruct(stripe, mask, "all", out=stripe) is stripe
    assert np.array_equal(stripe, cw)


# ---- batches of stripes: (stripes, rows, L) arrays or lists of stripes, one kernel call ----

BATCH_FIELDS = [GF256, PrimeField(257)]


@pytest.mark.parametrize("field", BATCH_FIELDS, ids=str)
@pytest.mark.parametrize("n,k", [(14, 10), (6, 4), (5, 5), (9, 1)])
def test_batch_encode_equals_stripe_by_stripe(field, n, k):
    rng = np.random.default_rng(n * 100 + k)
    code = MDSCode(n, k, field)
    data = field.random((4, k, 77), rng)
    parity = code.encode(data)
    assert parity.shape == (4, n - k, 77)
    for s in range(4):
        assert np.array_equal(parity[s], code.encode(data[s]))
    assert np.array_equal(code.encode(list(data)), parity)
    out = np.empty_like(parity)
    assert code.encode(data, out=out) is out and np.array_equal(out, parity)


@pytest.mark.parametrize("field", BATCH_FIELDS, ids=str)
def test_batch_decode_one_pattern_for_all_stripes(field):
    rng = np.random.default_rng(3)
    code = MDSCode(14, 10, field)
    data = field.random((6, 10, 130), rng)
    cw = np.concatenate([data, code.encode(data)], axis=1)
    for idx in ([13, 0, 2, 11, 4, 5, 6, 12, 8, 9], list(range(10)), list(range(4, 14)),
                [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]):
        got = code.decode(cw[:, idx], idx)
        assert np.array_equal(got, data), idx
        assert np.array_equal(code.decode([list(cw[s, idx]) for s in range(6)], idx), data)
        for s in range(6):
            assert np.array_equal(got[s], code.decode(cw[s, idx], idx))
    mask = np.ones(14, bool)
    mask[[1, 3, 7, 10]] = False
    assert np.array_equal(code.decode(cw, mask), data)
    stripes = [[row if mask[i] else None for i, row in enumerate(stripe)] for stripe in cw]
    assert np.array_equal(code.decode(stripes, mask), data)
    assert np.array_equal(code.reconstruct(cw[:, mask], mask, "all"), cw)
    assert np.array_equal(code.reconstruct(cw[:, mask], mask, [12, 1, 3]), cw[:, [12, 1, 3]])


@pytest.mark.parametrize("level", fastcode.available_simd_levels())
def test_batch_decode_every_level_same_bytes(level):
    rng = np.random.default_rng(4)
    code = MDSCode(16, 10)
    data = GF256.random((5, 10, 1000), rng)
    cw = np.concatenate([data, code.encode(data)], axis=1)
    idx = [15, 14, 13, 12, 11, 10, 0, 1, 2, 3]
    previous = fastcode.simd_level()
    fastcode.set_simd_level(level)
    try:
        assert np.array_equal(code.encode(data), cw[:, 10:])
        assert np.array_equal(code.decode(cw[:, idx], idx), data)
    finally:
        fastcode.set_simd_level(previous)


def test_batch_decode_in_place_and_errors():
    code = MDSCode(7, 4)
    rng = np.random.default_rng(5)
    data = GF256.random((3, 4, 50), rng)
    cw = np.concatenate([data, code.encode(data)], axis=1)
    idx = [6, 0, 5, 2]
    shards = np.ascontiguousarray(cw[:, idx])
    assert code.decode(shards, idx, out=shards) is shards       # out is the input: staged
    assert np.array_equal(shards, data)
    cw2 = cw.copy()
    code.encode(cw2[:, :4], out=cw2[:, 4:])                       # parity into the codeword
    assert np.array_equal(cw2, cw)
    with pytest.raises(ShardSizeError, match="different row counts"):
        code.decode([cw[0, idx], cw[1, idx[:3]]], idx)
    with pytest.raises(ShardSizeError, match="present shards"):
        code.decode(cw[:, :3], idx)
    with pytest.raises(ShardSizeError, match="positionally"):
        code.decode(cw, idx)
    with pytest.raises(ShardSizeError):
        code.encode(GF256.random((2, 5, 8), rng))
    with pytest.raises(InvalidArgumentError, match="overlap each other"):
        code.decode(cw[:, idx], idx, out=[[np.zeros(50, np.uint8)] * 4] * 3)


def test_repair_in_place_every_pattern():
    """out = the stripe itself (rows by shard number): present rows stay where they
    are, lost rows are rebuilt into it; every erasure pattern of a (7, 4) code."""
    code = MDSCode(7, 4)
    rng = np.random.default_rng(8)
    data = GF256.random((4, 45), rng)
    cw = np.concatenate([data, code.encode(data)])
    for mask_bits in range(1 << 7):
        mask = np.array([(mask_bits >> i) & 1 for i in range(7)], dtype=bool)
        if mask.sum() < 4:
            continue
        stripe = np.where(mask[:, None], cw, 0).astype(np.uint8)
        assert code.decode(stripe, mask, out=stripe[:4]) is not None
        assert np.array_equal(stripe[:4], data), mask
        stripe = np.where(mask[:, None], cw, 0).astype(np.uint8)
        code.reconstruct(stripe, mask, "all", out=stripe)
        assert np.array_equal(stripe, cw), mask
        rows = list(np.where(mask[:, None], cw, 0).astype(np.uint8))
        code.reconstruct(rows, mask, "all", out=rows)
        assert np.array_equal(np.stack(rows), cw), mask
