"""GF(2^16) FFT-code throughput (``fastcode bench --fft``), beside reed-solomon-leopard.

The comparator is the Python wrapper of the Rust crate reed-solomon-simd
(``pip install reed-solomon-leopard``, the ``bench`` extra); without it only
fastcode's figures are printed.  Throughput counts data bytes (k x shard) per
second; ratios are medians of interleaved repetitions (``paired_times``).
``benchmarks/bench_fft16.py`` adds thread scaling and the crossover against the
GF(2^8) codes.
"""
from types import ModuleType
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from fastcode.fields import gf65536
from fastcode.bench.comparators import median_time, paired_times
from fastcode.codes.fft import FFTCode

__all__ = ["lost_set", "measure", "run_bench", "load_wrapper"]

#: (k, m, shard bytes) of ``fastcode bench --fft`` (``--quick``: the first two)
SHAPES = [(32, 32, 1024), (1000, 100, 1024), (1000, 100, 65536), (4096, 4096, 1024)]


#: one row of :func:`measure`: (workload, fastcode GB/s, wrapper GB/s, speed-up)
Row = Tuple[str, float, Optional[float], Optional[float]]


def load_wrapper() -> Optional[ModuleType]:
    """The comparator, the ``reed_solomon_leopard`` module, if it is installed.

    Returns
    -------
    module or None
        None when it is not installed.

    Examples
    --------
    >>> from fastcode.bench.fft16 import load_wrapper
    >>> rsl = load_wrapper()
    >>> rsl is None or hasattr(rsl, "encode")
    True
    """
    try:
        import reed_solomon_leopard
    except ImportError:
        return None
    return reed_solomon_leopard


def lost_set(k: int, m: int, fraction: float) -> List[int]:
    """The shard numbers a decode benchmark loses: data shards first.

    Parameters
    ----------
    k, m : int
        Data and parity shards; shards 0..k-1 are data, k..k+m-1 parity.
    fraction : float
        Share of the m parity shards' worth lost: max(1, round(fraction * m)) shards.

    Returns
    -------
    list of int

    Examples
    --------
    >>> from fastcode.bench.fft16 import lost_set
    >>> lost_set(4, 2, 1.0)
    [0, 1]
    >>> lost_set(2, 6, 1.0)         # more than k lost: parity shards next
    [0, 1, 2, 3, 4, 5]
    >>> lost_set(1000, 100, 0.01)
    [0]
    """
    count = max(1, int(round(m * fraction)))
    return list(range(min(count, k))) + list(range(k, k + max(0, count - k)))


def measure(k: int, m: int, length: int, repeats: int, rng: np.random.Generator,
            rsl: Optional[ModuleType] = None) -> List[Row]:
    """Throughput of FFTCode k:m at ``length``-byte shards: encode, and decode with
    1 % and 100 % of m lost.  Results are checked against the wrapper (when given)
    and the data.

    Parameters
    ----------
    k, m : int
        Data and parity shards.
    length : int
        Bytes per shard (even: GF(2^16) symbols).
    repeats : int
        Timed repetitions (interleaved with the wrapper when given).
    rng : numpy.random.Generator
        Draws the data.
    rsl : module, optional
        ``reed_solomon_leopard`` (:func:`load_wrapper`), the comparator.

    Returns
    -------
    list of (workload, fastcode GB/s, wrapper GB/s or None, speed-up or None)
        Three rows: encode, decode 1 % of m lost, decode 100 % of m lost.

    Raises
    ------
    AssertionError
        If fastcode's parity or decode differs from the wrapper's or the data.

    Examples
    --------
    >>> from fastcode.bench.fft16 import measure
    >>> rows = measure(4, 2, 256, repeats=1, rng=np.random.default_rng(0))
    >>> [r[0] for r in rows]
    ['encode', 'decode 1% of m lost', 'decode 100% of m lost']
    >>> all(r[1] > 0 for r in rows)
    True
    """
    code = FFTCode(k + m, k)
    data = rng.integers(0, 256, (k, length), dtype=np.uint8)
    parity = np.empty((m, length), dtype=np.uint8)
    code.encode(data, out=parity)
    nbytes = k * length
    data_bytes: List[bytes] = [bytes(r) for r in data] if rsl is not None else []
    wrapper: Any = rsl        # the comparator's module (untyped); only called when not None

    def timed(ours, theirs):
        if rsl is None:
            t = median_time(ours, repeats=repeats)
            return nbytes / t / 1e9, None, None
        (t_fc, t_w), (_, ratio) = paired_times([ours, theirs], repeats=repeats)
        return nbytes / t_fc / 1e9, nbytes / t_w / 1e9, 1 / ratio

    if rsl is not None:
        theirs = rsl.encode(data_bytes, m)
        assert all(bytes(p) == t for p, t in zip(parity, theirs)), "parity differs from the wrapper"
    rows: List[Row] = [("encode",) + timed(lambda: code.encode(data, out=parity),
                                lambda: wrapper.encode(data_bytes, m))]
    stripe = np.concatenate([data, parity])
    for fraction, label in ((0.01, "decode 1% of m lost"), (1.0, "decode 100% of m lost")):
        lost = lost_set(k, m, fraction)
        lost_data = [s for s in lost if s < k]
        keep = np.array([s for s in range(k + m) if s not in set(lost)])
        shards = np.ascontiguousarray(stripe[keep])
        out = np.empty((len(lost_data), length), dtype=np.uint8)
        code.reconstruct(shards, keep, which=lost_data, out=out)
        assert np.array_equal(out, data[lost_data])
        originals = recovery = None
        if rsl is not None:
            originals = {int(s): data_bytes[s] for s in keep if s < k}
            recovery = {int(s) - k: bytes(stripe[s]) for s in keep if s >= k}
            restored = rsl.decode(k, m, originals, recovery)
            assert all(restored[s] == bytes(r) for s, r in zip(lost_data, out))
        rows.append((label,) + timed(
            lambda: code.reconstruct(shards, keep, which=lost_data, out=out),
            lambda: wrapper.decode(k, m, originals, recovery)))
    return rows


def run_bench(quick: bool = False, fmt: str = "table",
              shapes: Optional[Sequence[Tuple[int, int, int]]] = None) -> int:
    """Entry point of ``fastcode bench --fft``: measure and print a table.

    Parameters
    ----------
    quick : bool
        The first two shapes and 3 repeats instead of 7.
    fmt : {"table", "csv", "json"}
        Output format on stdout.
    shapes : sequence of (k, m, shard bytes), optional
        The shapes measured instead of :data:`SHAPES`.

    Returns
    -------
    int
        The exit status, 0.

    Examples
    --------
    >>> from fastcode.bench.fft16 import run_bench
    >>> run_bench(fmt="csv", shapes=[(4, 2, 256)])
    k,m,shard_bytes,workload,fastcode_GBps,wrapper_GBps,ratio
    4,2,256,encode,...
    4,2,256,decode 1% of m lost,...
    4,2,256,decode 100% of m lost,...
    0
    """
    rsl = load_wrapper()
    repeats = 3 if quick else 7
    rng = np.random.default_rng(0)
    table = []
    if shapes is None:
        shapes = SHAPES[:2] if quick else SHAPES
    for k, m, length in shapes:
        for workload, ours, theirs, ratio in measure(k, m, length, repeats, rng, rsl):
            table.append({"k": k, "m": m, "shard_bytes": length, "workload": workload,
                          "fastcode_GBps": ours, "wrapper_GBps": theirs, "ratio": ratio})
    note = "" if rsl else ("reed-solomon-leopard skipped: not installed "
                           "(pip install reed-solomon-leopard)")
    if fmt == "json":
        from fastcode._document import document, dumps
        print(dumps(document("bench --fft", {"quick": quick, "repeats": repeats, "note": note,
                                             "throughput": "data bytes (k x shard) per second"},
                             table)))
        return 0
    if fmt == "csv":
        keys = list(table[0])
        print(",".join(keys))
        for r in table:
            print(",".join("" if r[c] is None else f"{r[c]:.4g}" if isinstance(r[c], float)
                           else str(r[c]) for c in keys))
        return 0
    print(f"FFTCode (GF(2^16) additive FFT), simd={gf65536.simd_level()}, 1 thread; "
          "throughput = data bytes (k x shard) per second")
    if note:
        print(note)
    print(f"{'k:m':>10} {'shard':>7}  {'workload':<22} {'fastcode':>10} {'wrapper':>10} {'ratio':>6}")
    for r in table:
        theirs_text = "-" if r["wrapper_GBps"] is None else f"{r['wrapper_GBps']:.2f}"
        ratio_text = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        print(f"{str(r['k']) + ':' + str(r['m']):>10} {r['shard_bytes']:>7}  {r['workload']:<22} "
              f"{r['fastcode_GBps']:>10.2f} {theirs_text:>10} {ratio_text:>6}")
    return 0
