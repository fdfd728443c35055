"""pytest-benchmark view of the GF(2^8) dot_prod shapes (run explicitly:
``pytest benchmarks/test_bench_gf256.py --benchmark-only``).  Not part of the
test suite: speed is never asserted, outputs are verified after timing."""
import numpy as np
import pytest

import fastcode
from fastcode.bench.comparators import ISAL
from fastcode.bench.gf256 import SHAPES, cauchy_parity_rows
from fastcode.reference import gf256 as reference

SIZES = (4 << 10, 64 << 10, 1 << 20)


def _case(k, rows, length):
    matrix = cauchy_parity_rows(k + rows, k)
    data = fastcode.GF256.random((k, length), 0)
    return matrix, data, np.empty((rows, length), dtype=np.uint8)


def _verify(matrix, data, out):
    expect = np.empty((matrix.shape[0], 97), dtype=np.uint8)
    reference.dot_prod(matrix, np.ascontiguousarray(data[:, -97:]), expect)
    assert np.array_equal(out[:, -97:], expect)


@pytest.mark.parametrize("length", SIZES, ids=lambda n: f"{n >> 10}KiB")
@pytest.mark.parametrize("k,rows", SHAPES, ids=lambda s: str(s))
def test_fastcode_dot_prod(benchmark, k, rows, length):
    matrix, data, out = _case(k, rows, length)
    plan = fastcode.GF256.plan_matmul(matrix)
    benchmark.extra_info["data_bytes"] = k * length
    benchmark(plan, data, out, n_threads=1)
    _verify(matrix, data, out)


@pytest.mark.parametrize("length", SIZES, ids=lambda n: f"{n >> 10}KiB")
@pytest.mark.parametrize("k,rows", SHAPES, ids=lambda s: str(s))
def test_isal_encode(benchmark, k, rows, length):
    isal = ISAL.load()
    if isal is None:
        pytest.skip(f"ISA-L not available: {ISAL.unavailable_reason()}")
    matrix, data, out = _case(k, rows, length)
    call = isal.prepare_encode(isal.init_tables(k, rows, matrix), data, out)
    benchmark.extra_info["data_bytes"] = k * length
    benchmark(call)
    _verify(matrix, data, out)
