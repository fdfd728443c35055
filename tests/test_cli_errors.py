"""Bad command-line values end in one argparse-style error line and exit status 2.

Every row below once ended in a traceback (issue 24, section 4) or was silently
replaced by a default (``run --workers 0`` ran 4 workers).  The options share
the argparse ``type=`` validators of fastcode.repro.cli."""
import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fastcode
from fastcode.cli import build_parser, main
from fastcode.repro import cli as repro_cli

# (argv, the option the error line must name)
BAD_COMMANDS = [
    (["demo", "--rounds", "0"], "--rounds"),
    (["demo", "--workers", "1"], "--workers"),
    (["demo", "--mu", "0"], "--mu"),
    (["demo", "--shift", "-1"], "--shift"),
    (["demo", "--time-scale", "inf"], "--time-scale"),
    (["demo", "--seed", "-3"], "--seed"),
    (["simulate", "gradient", "--trials", "0"], "--trials"),
    (["simulate", "gradient", "--p-train", "nan"], "--p-train"),
    (["simulate", "gradient", "--p-train", "1"], "--p-train"),
    (["simulate", "gradient", "--iters", "-1"], "--iters"),
    (["simulate", "dmtl", "--iterations", "0"], "--iterations"),
    (["simulate", "dmtl", "--B", "0"], "--B"),
    (["simulate", "dmtl", "--random", "-1"], "--random"),
    (["simulate", "dmtl", "--prime", "4"], "--prime"),
    (["simulate", "dmtl", "--prime", str(2**31 + 11)], "--prime"),
    (["simulate", "shuffle", "--trials", "0"], "--trials"),
    (["simulate", "lee", "--level", "1"], "--level"),
    (["simulate", "lee", "--mu", "1", "nan"], "--mu"),
    (["simulate", "lee", "--trials", "-1"], "--trials"),
    (["simulate", "stream", "--gamma", "-1"], "--gamma"),
    (["simulate", "bcgc", "--iters", "0"], "--iters"),
    (["simulate", "bcgc", "--deadline-mu", "nan"], "--deadline-mu"),
    (["run", "mds", "--straggler", "weird"], "--straggler"),
    (["run", "mds", "--straggler", "shifted-exp:0,0"], "--straggler"),
    (["run", "mds", "--straggler", "shifted-exp:1"], "--straggler"),
    (["run", "mds", "--straggler", "shifted-exp:nan,1"], "--straggler"),
    (["run", "mds", "--timeout", "0"], "--timeout"),
    (["run", "mds", "--time-scale", "nan"], "--time-scale"),
    (["run", "mds", "--workers", "-1"], "--workers"),
    (["run", "mds", "--workers", "0"], "--workers"),
    (["run", "mds", "--rounds", "0"], "--rounds"),
    (["run", "mds", "--rows", "x"], "--rows"),
    (["bench", "--threads", "0"], "--threads"),
]


def _error_line(err):
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    return lines[-1]


@pytest.mark.parametrize("argv, option", BAD_COMMANDS, ids=[" ".join(a) for a, _ in BAD_COMMANDS])
def test_bad_value_is_one_error_line(argv, option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    last = _error_line(capsys.readouterr().err)
    assert last.startswith("fastcode ") and f"error: argument {option}:" in last


def test_demo_k_above_workers_is_an_error(capsys):
    assert main(["demo", "--workers", "4", "--k", "5"]) == 2
    last = _error_line(capsys.readouterr().err)
    assert last.startswith("fastcode demo: error: argument --k:") and "(4)" in last


@pytest.mark.parametrize("argv", [["demo", "--rounds", "0"], ["run", "mds", "--straggler", "weird"],
                                  ["simulate", "gradient", "--p-train", "nan"]])
def test_command_line_exit_status(argv, tmp_path):
    """`python -m fastcode`, end to end: status 2, no traceback.  It imports the very
    fastcode this test imports; cwd elsewhere, as `-m` puts it on sys.path."""
    env = dict(os.environ, PYTHONPATH=str(Path(fastcode.__file__).resolve().parent.parent))
    proc = subprocess.run([sys.executable, "-m", "fastcode", *argv], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert "error: argument" in _error_line(proc.stderr)


def test_good_values_still_parse():
    parse = build_parser().parse_args
    assert parse(["run", "mds", "--workers", "1"]).workers == 1
    assert parse(["run", "mds"]).workers is None
    args = parse(["run", "mds", "--straggler", "shifted-exp:0,2", "--timeout", "0.5"])
    assert args.straggler.mu == 2 and args.straggler.shift == 0 and args.timeout == 0.5
    assert parse(["run", "mds"]).straggler is None
    assert parse(["simulate", "lee", "--trials", "0"]).trials == 0          # 0 = exact only
    assert parse(["simulate", "gradient", "--p-train", "0"]).p_train == 0.0
    assert parse(["simulate", "gradient", "--iters", "0"]).iters == 0
    assert parse(["simulate", "stream", "--local-jobs", "0"]).local_jobs == 0
    assert parse(["demo", "--shift", "0"]).shift == 0.0


def test_run_with_default_workers_uses_four(capsys):
    assert main(["run", "mds", "--rows", "8", "--cols", "8", "--rounds", "1", "--backend", "thread",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["workers"] == 4


@pytest.mark.parametrize("parse, good, bad", [
    (repro_cli.count, {"1": 1, "12": 12}, ["0", "-1", "1.5", "x", ""]),
    (repro_cli.optional_count, {"0": 0, "3": 3}, ["-1", "nan"]),
    (repro_cli.random_seed, {"0": 0, "2024": 2024}, ["-1"]),
    (repro_cli.positive_float, {"0.5": 0.5, "3": 3.0}, ["0", "-1", "nan", "inf", "x"]),
    (repro_cli.nonnegative_float, {"0": 0.0, "2.5": 2.5}, ["-0.1", "nan", "-inf"]),
    (repro_cli.probability, {"0": 0.0, "0.999": 0.999}, ["1", "-0.1", "nan"]),
    (repro_cli.open_unit_interval, {"0.95": 0.95}, ["0", "1", "nan"]),
    (repro_cli.prime_at_least(11), {"11": 11, "65537": 65537, str(2**31 - 1): 2**31 - 1},
     ["7", "12", "1", "-5", str(2**31 + 11), "x"]),
])
def test_validators(parse, good, bad):
    for text, value in good.items():
        assert parse(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_validators_never_pass_non_finite_numbers():
    for parse in (repro_cli.positive_float, repro_cli.nonnegative_float, repro_cli.probability):
        for text in ("nan", "inf", "-inf", "NaN"):
            with pytest.raises(argparse.ArgumentTypeError):
                parse(text)
    assert math.isfinite(repro_cli.positive_float("1e300"))
