"""`fastcode info` and the benchmark plumbing behind `fastcode bench` (speed itself is
measured in benchmarks/, never asserted here)."""
import json

from fastcode.bench.comparators import ISAL
from fastcode.bench.gf256 import format_table, measure
from fastcode.cli import main


def test_info_json(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["native_built"] and info["simd_level"] in info["simd_available"]


def test_bench_measure_verifies_its_output():
    # measure() compares the kernel's bytes with ISA-L's (or the NumPy reference) after timing
    isal = ISAL.load()
    row = measure(4, 2, 4099, threads=1, isal=isal, repeats=1)
    assert row["fastcode_GBps"] > 0
    assert ("ratio" in row) == (isal is not None)
    assert "4 KiB" in format_table([row])
