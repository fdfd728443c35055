"""`--json` of every command: one strict JSON document with the parameters, the figures
(units in the key names), the fastcode version and the machine; nothing else on stdout."""
import json

import pytest

import fastcode
from fastcode.bench import gf256 as bench
from fastcode.cli import main

SIMULATE = {
    "lee": ["--trials", "0", "--n", "10", "--mu", "1", "--speedup-n", "10"],
    "stream": ["--jobs", "50", "--omegas", "1.1", "--hetero=", "--real-jobs", "0",
               "--local-jobs", "0", "--quiet"],
    "gradient": ["--trials", "1", "--iters", "1", "--quiet"],
    "dmtl": ["--random", "0", "--iterations", "1", "--backend", "none"],
    "shuffle": ["--rows-per-block", "20", "--trials", "1"],
    "bcgc": ["--N", "4", "--L", "120", "--Ns", "4", "--mus", "1", "--deadlines", "400",
             "--sweep-Ns", "3", "--sweep-mus", "1", "--iters", "200", "--mc", "2000",
             "--rounds", "1", "--local-rounds", "0", "--quiet"],
}


def _document(argv, capsys, status=0):
    assert main(argv + ["--json"]) == status
    out = capsys.readouterr().out
    assert out.count("\n") == 1                          # one line: the document
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert list(doc) == ["command", "fastcode_version", "machine", "parameters", "results"]
    assert doc["fastcode_version"] == fastcode.__version__
    machine = doc["machine"]
    assert machine["cpu_count"] >= 1 and machine["cpu_model"] and machine["simd_level"]
    assert machine["python"] and machine["numpy"]
    return doc


def test_run_json(capsys):
    doc = _document(["run", "mds", "--k", "3", "--rows", "16", "--cols", "8", "--rounds", "2",
                     "--backend", "thread", "--straggler", "shifted-exp:0,5", "--time-scale",
                     "0.001"], capsys)
    assert doc["command"] == "run mds"
    assert doc["parameters"] == {"scheme": "mds", "workers": 4, "rounds": 2, "rows": 16, "cols": 8,
                                 "runtime": "local-thread", "straggler": "shifted-exp:0,5",
                                 "time_scale_s": 0.001, "timeout_s": 30.0, "seed": 0,
                                 "keep_going": False, "k": 3}
    [result] = doc["results"]
    assert result["scheme"] == "MDS (4,3)" and result["workers"] == 4     # default: 4 workers
    assert result["rounds"] == 2 and result["wrong_rounds"] == result["failed_rounds"] == 0
    for key in ("mean_s", "median_s", "p95_s", "mean_decode_s", "mean_ideal_s", "mean_overhead_s"):
        assert 0 <= result[key] < 30, key                 # seconds, as the name says
    assert 0 <= result["decode_share"] <= 1


def test_demo_json(capsys):
    doc = _document(["demo", "--workers", "4", "--rows", "32", "--cols", "16", "--rounds", "2",
                     "--time-scale", "0.001", "--backend", "thread"], capsys)
    assert doc["command"] == "demo"
    params = doc["parameters"]
    assert params["workers"] == 4 and params["k"] == 3 and params["straggler"] == "shifted-exp:1,1"
    assert [r["scheme"] for r in doc["results"]] == ["uncoded", "2-replication", "MDS (4,3)"]
    for r in doc["results"]:
        assert r["wrong_rounds"] == 0 and r["mean_s"] > 0 and r["predicted_s"] > 0
        assert set(r) >= {"p95_s", "draws_s", "decode_share"}


@pytest.mark.parametrize("name", list(SIMULATE))
def test_simulate_json(name, capsys):
    doc = _document(["simulate", name] + SIMULATE[name], capsys)
    assert doc["command"] == f"simulate {name}"
    assert "seed" in doc["parameters"]
    assert doc["results"]
    for table in doc["results"]:
        assert set(table) == {"name", "title", "columns", "rows", "notes", "failures"}
        assert table["failures"] == 0
        for row in table["rows"]:
            assert list(row) == table["columns"]


def test_simulate_json_settings_are_the_parsed_values(capsys):
    doc = _document(["simulate", "lee", "--trials", "0", "--n", "10,20", "--mu", "1",
                     "--speedup-n", "10"], capsys)
    assert doc["parameters"]["n"] == [10, 20] and doc["parameters"]["trials"] == 0
    # infinite cells become the string "inf": JSON has no such number
    assert all(json.dumps(t) for t in doc["results"])


def test_bench_json(capsys, monkeypatch):
    monkeypatch.setattr(bench, "QUICK_SHAPES", ((4, 2),))
    monkeypatch.setattr(bench, "QUICK_SIZES", (4096,))
    doc = _document(["bench", "--quick", "--threads", "1"], capsys)
    assert doc["command"] == "bench" and doc["parameters"]["threads"] == 1
    [row] = doc["results"]
    assert row["k"] == 4 and row["block_bytes"] == 4096 and row["fastcode_GBps"] > 0


def test_info_json_is_strict(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["version"] == fastcode.__version__


def test_progress_only_on_a_terminal(capsys):
    # without --quiet: stderr is not a terminal here, so it stays empty
    assert main(["simulate", "gradient", "--trials", "1", "--iters", "1"]) == 0
    assert capsys.readouterr().err == ""


def test_the_mpi_launch_line_is_the_tested_one(capsys):
    """README and `fastcode demo --mpi` give the form tests/test_source_tree.py runs from a
    clone's root (the `fastcode` command), never `python -m ... fastcode`."""
    from pathlib import Path
    assert main(["demo", "--mpi"]) == 0
    hint = capsys.readouterr().out
    assert "mpiexec -n 9 fastcode run mds" in hint and "python -m" not in hint
    readme = Path(__file__).resolve().parents[1] / "README.md"
    if not readme.exists():
        pytest.skip("README.md not beside the tests")
    text = readme.read_text()
    assert "mpiexec -n N+1 fastcode run SCHEME" in text and "-m mpi4py -m fastcode" not in text


def test_documents_are_strict_json():
    from fractions import Fraction

    import numpy as np

    from fastcode._document import dumps, jsonable
    value = {"a": float("inf"), "b": -np.inf, "c": np.float64("nan"), "d": Fraction(1, 4),
             "e": np.int64(3), "f": (1, np.bool_(True)), "g": np.arange(2)}
    assert jsonable(value) == {"a": "inf", "b": "-inf", "c": "nan", "d": 0.25, "e": 3,
                               "f": [1, True], "g": [0, 1]}
    assert json.loads(dumps(value))["a"] == "inf"
