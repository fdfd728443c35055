"""Bad command lines end in one argparse-style error line naming the option, never a
traceback: exit status 2 for a bad invocation, 1 for a fastcode error during a run.

The table holds every bad invocation of issues 19 and 24 (each once ended in a
traceback or was silently replaced) and an out-of-range value of every option that
takes a value; ``test_every_option_is_in_the_table`` keeps it complete as options
are added.  The options share the argparse ``type=`` validators of fastcode.repro.cli."""
import argparse
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fastcode
from fastcode.cli import build_parser, main
from fastcode.errors import FastcodeError
from fastcode.repro import cli as repro_cli

RUN = [f"run {s}" for s in ("uncoded", "replication", "mds", "mds-prime", "polynomial", "gradient")]

# (argv, the option the error line must name, exit status)
BAD = [
    # issue 19, "What we saw"
    ("run mds --n 3 --k 5", "--n", 2),                        # --n is no option (and no prefix)
    ("run mds --keep", "--keep", 2),                          # no abbreviation of --keep-going
    ("run mds --straggler bogus", "--straggler", 2),
    ("run mds --straggler shifted-exp:1", "--straggler", 2),
    ("run mds --workers -2", "--workers", 2),
    ("run mds --workers 0", "--workers", 2),
    ("run mds --timeout 0", "--timeout", 2),
    ("run mds --time-scale -1", "--time-scale", 2),
    ("demo --workers 1", "--workers", 2),
    ("demo --k 9", "--k", 2),                                 # above the 8 workers
    ("bench --threads 0", "--threads", 2),
    ("simulate dmtl --prime 10", "--prime", 2),
    # fastcode run: every option, and every scheme's parameters
    ("run mds --straggler weird", "--straggler", 2),
    ("run mds --straggler shifted-exp:0,0", "--straggler", 2),
    ("run mds --straggler shifted-exp:nan,1", "--straggler", 2),
    ("run mds --straggler shifted-exp:-1,1", "--straggler", 2),
    ("run mds --time-scale nan", "--time-scale", 2),
    ("run mds --rounds 0", "--rounds", 2),
    ("run mds --rows x", "--rows", 2),
    ("run mds --rows 0", "--rows", 2),
    ("run mds --cols -4", "--cols", 2),
    ("run mds --seed -1", "--seed", 2),
    ("run mds --backend fork", "--backend", 2),
    ("run mds --set k", "--set", 2),
    ("run mds --set q=1", "--set", 2),
    ("run mds --set k=0", "--set", 2),
    ("run uncoded --set k=2", "--set", 2),
    ("run mds --k 0", "--k", 2),
    ("run mds --workers 3 --k 5", "--k", 2),                  # k <= workers, checked by the job
    ("run mds-prime --k 0", "--k", 2),
    ("run mds-prime --p 10", "--p", 2),
    ("run mds-prime --workers 2 --k 3", "--k", 2),
    ("run replication --r 0", "--r", 2),
    ("run replication --workers 4 --r 3", "--r", 2),          # r must divide the workers
    ("run polynomial --k-a 0", "--k-a", 2),
    ("run polynomial --k-b 0", "--k-b", 2),
    ("run polynomial --p 4", "--p", 2),
    ("run polynomial --workers 4 --k-a 3 --k-b 2", "--k-a", 2),
    ("run gradient --code xyz", "--code", 2),
    ("run gradient --s -1", "--s", 2),
    ("run gradient --workers 4 --s 4", "--s", 2),
    ("run gradient --lr 0", "--lr", 2),
    # fastcode demo
    ("demo --workers x", "--workers", 2),
    ("demo --rows 0", "--rows", 2),
    ("demo --cols 0", "--cols", 2),
    ("demo --rounds 0", "--rounds", 2),
    ("demo --straggler none", "--straggler", 2),               # the demo needs stragglers
    ("demo --straggler shifted-exp:1,0", "--straggler", 2),
    ("demo --time-scale inf", "--time-scale", 2),
    ("demo --k 0", "--k", 2),
    ("demo --workers 4 --k 5", "--k", 2),
    ("demo --backend mpi", "--backend", 2),
    ("demo --seed -3", "--seed", 2),
    ("demo --mu 1", "--mu", 2),                                # one name per thing: --straggler
    # fastcode simulate
    ("simulate lee --trials -1", "--trials", 2),
    ("simulate lee --seed -1", "--seed", 2),
    ("simulate lee --n 0", "--n", 2),
    ("simulate lee --n 10,x", "--n", 2),
    ("simulate lee --mu 1,nan", "--mu", 2),
    ("simulate lee --mu 1 0", "--mu", 2),
    ("simulate lee --curve-n 0", "--curve-n", 2),
    ("simulate lee --curve-mu 0", "--curve-mu", 2),
    ("simulate lee --speedup-n 10,-5", "--speedup-n", 2),
    ("simulate lee --level 1", "--level", 2),
    ("simulate stream --jobs 0", "--jobs", 2),
    ("simulate stream --seed -1", "--seed", 2),
    ("simulate stream --omegas 1,0.5", "--omegas", 2),
    ("simulate stream --hetero 1,0", "--hetero", 2),
    ("simulate stream --gamma -1", "--gamma", 2),
    ("simulate stream --real-jobs -1", "--real-jobs", 2),
    ("simulate stream --local-jobs -1", "--local-jobs", 2),
    ("simulate stream --local-backend mpi", "--local-backend", 2),
    ("simulate gradient --trials 0", "--trials", 2),
    ("simulate gradient --iters -1", "--iters", 2),
    ("simulate gradient --p-train nan", "--p-train", 2),
    ("simulate gradient --p-train 1", "--p-train", 2),
    ("simulate gradient --seed -1", "--seed", 2),
    ("simulate dmtl --seed -1", "--seed", 2),
    ("simulate dmtl --prime 4", "--prime", 2),
    (f"simulate dmtl --prime {2**31 + 11}", "--prime", 2),
    ("simulate dmtl --B 0", "--B", 2),
    ("simulate dmtl --random -1", "--random", 2),
    ("simulate dmtl --iterations 0", "--iterations", 2),
    ("simulate dmtl --backend mpi", "--backend", 2),
    ("run lagrange --byzantine -1", "--byzantine", 2),
    ("run lagrange --workers 4 --byzantine 2", "--byzantine", 2),    # needs >= 5 workers
    ("run lagrange --private -1", "--private", 2),
    ("run lagrange --K 0", "--K", 2),
    ("run lagrange --p 12", "--p", 2),
    ("run lagrange-regression --byzantine x", "--byzantine", 2),
    ("run lagrange-regression --private 1.5", "--private", 2),
    ("run lagrange-regression --K -3", "--K", 2),
    ("run lagrange-regression --p 1", "--p", 2),
    ("simulate lagrange --workers 0", "--workers", 2),
    ("simulate lagrange --degree 0", "--degree", 2),
    ("simulate lagrange --blocks 0", "--blocks", 2),
    ("simulate lagrange --adversaries 1,-1", "--adversaries", 2),
    ("simulate lagrange --private -1", "--private", 2),
    ("simulate lagrange --mu 0", "--mu", 2),
    ("simulate lagrange --shift -1", "--shift", 2),
    ("simulate lagrange --trials 0", "--trials", 2),
    ("simulate lagrange --seed -1", "--seed", 2),
    ("simulate shuffle --rows-per-block 0", "--rows-per-block", 2),
    ("simulate shuffle --trials 0", "--trials", 2),
    ("simulate shuffle --seed -1", "--seed", 2),
    ("simulate bcgc --N 1", "--N", 2),
    ("simulate bcgc --L 0", "--L", 2),
    ("simulate bcgc --shift -1", "--shift", 2),
    ("simulate bcgc --mus 1,0", "--mus", 2),
    ("simulate bcgc --Ns 5,0", "--Ns", 2),
    ("simulate bcgc --deadlines -5", "--deadlines", 2),
    ("simulate bcgc --deadline-mu nan", "--deadline-mu", 2),
    ("simulate bcgc --sweep-Ns 0", "--sweep-Ns", 2),
    ("simulate bcgc --sweep-mus x", "--sweep-mus", 2),
    ("simulate bcgc --iters 0", "--iters", 2),
    ("simulate bcgc --batch 0", "--batch", 2),
    ("simulate bcgc --mc 1", "--mc", 2),
    ("simulate bcgc --rounds -1", "--rounds", 2),
    ("simulate bcgc --local-rounds -1", "--local-rounds", 2),
    ("simulate bcgc --local-backend mpi", "--local-backend", 2),
    ("simulate bcgc --seed -1", "--seed", 2),
]

# options that take no value, or whose every value is valid
NOTHING_TO_REFUSE = {"--help", "--version", "--debug", "--json", "--csv", "--quick", "--mpi",
                     "--keep-going", "--quiet", "--fine", "--gamma-table", "--plot", "--fft"}


def _status_and_stderr(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    return status, capsys.readouterr().err


@pytest.mark.parametrize("line, option, status", BAD, ids=[line for line, _, _ in BAD])
def test_bad_invocation_is_one_error_line(line, option, status, capsys):
    got, err = _status_and_stderr(line.split(), capsys)
    assert got == status, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("fastcode") and "error: " in last
    assert option in last.partition("error: ")[2]


def _leaves(parser, path=()):
    """(command path, parser) of every parser that runs something."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield " ".join(path), parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaves(child, path + (name,))


def test_every_option_is_in_the_table():
    covered = {(line.split(" --")[0], option) for line, option, _ in BAD}
    missing = []
    for path, parser in _leaves(build_parser()):
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option not in NOTHING_TO_REFUSE:
                    # run's common options are covered once, on run mds
                    key = ("run mds" if path.startswith("run ") and
                           option not in _scheme_flags(parser) else path, option)
                    if key not in covered:
                        missing.append(f"{path} {option}")
    assert not missing, f"no bad value in BAD for: {missing}"


def _scheme_flags(parser):
    groups = [g for g in parser._action_groups if g.title.startswith("parameters of")]
    return {o for g in groups for a in g._group_actions for o in a.option_strings}


def test_plot_without_matplotlib_is_refused_before_any_work(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)      # import matplotlib -> ImportError
    for argv in (["demo"], ["simulate", "lee"], ["simulate", "gradient"], ["simulate", "shuffle"],
                 ["simulate", "dmtl"], ["simulate", "lagrange"], ["simulate", "bcgc"],
                 ["simulate", "stream"]):
        status, err = _status_and_stderr(argv + ["--plot", str(tmp_path / "x.png")], capsys)
        assert status == 2 and "Traceback" not in err
        assert err.strip().splitlines() == [
            f"fastcode {' '.join(argv)}: error: argument --plot: needs matplotlib, which is not "
            "installed (pip install 'fastcode[plot]')"]


def test_a_fastcode_error_during_a_run_is_one_line_and_status_one(capsys):
    # every round times out (delays of >= 1 s, a 0.05 s timeout): RoundTimeoutError
    argv = ["run", "mds", "--workers", "2", "--rows", "8", "--cols", "8", "--backend", "thread",
            "--straggler", "shifted-exp:1,1", "--time-scale", "1", "--timeout", "0.05"]
    status, err = _status_and_stderr(argv, capsys)
    assert status == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("fastcode run mds: error: RoundTimeoutError: ")
    with pytest.raises(FastcodeError):                        # --debug: the exception itself
        main(["--debug"] + argv)
    with pytest.raises(FastcodeError):
        main(argv + ["--debug"])


@pytest.mark.parametrize("argv", [["demo", "--rounds", "0"], ["run", "mds", "--straggler", "weird"],
                                  ["simulate", "gradient", "--p-train", "nan"]])
def test_command_line_exit_status(argv, tmp_path):
    """`python -m fastcode`, end to end: status 2, no traceback.  It imports the very
    fastcode this test imports; cwd elsewhere, as `-m` puts it on sys.path."""
    env = dict(os.environ, PYTHONPATH=str(Path(fastcode.__file__).resolve().parent.parent))
    proc = subprocess.run([sys.executable, "-m", "fastcode", *argv], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error: argument" in proc.stderr.strip().splitlines()[-1]


def test_good_values_still_parse():
    parse = build_parser().parse_args
    assert parse(["run", "mds", "--workers", "1"]).workers == 1
    assert parse(["run", "mds"]).workers is None
    args = parse(["run", "mds", "--straggler", "shifted-exp:0,2", "--timeout", "0.5"])
    assert args.straggler.mu == 2 and args.straggler.shift == 0 and args.timeout == 0.5
    assert parse(["run", "mds"]).straggler is None
    assert parse(["run", "mds", "--workers", "8", "--k", "6"]).k == 6
    assert parse(["run", "polynomial", "--k-a", "2", "--k-b", "3"]).k_b == 3
    assert parse(["run", "gradient", "--set", "s=2", "--set", "code=frc"]).set == [("s", 2),
                                                                                ("code", "frc")]
    assert parse(["simulate", "lee", "--trials", "0"]).trials == 0          # 0 = exact only
    assert parse(["simulate", "lee", "--n", "5,10", "20"]).n == (5, 10, 20)  # commas (and spaces)
    assert parse(["simulate", "bcgc", "--Ns", "5,10"]).Ns == (5, 10)
    assert parse(["simulate", "stream", "--hetero", ""]).hetero == ()       # "" skips the sweep
    assert parse(["simulate", "gradient", "--p-train", "0"]).p_train == 0.0
    assert parse(["simulate", "gradient", "--iters", "0"]).iters == 0
    assert parse(["simulate", "stream", "--local-jobs", "0"]).local_jobs == 0
    demo = parse(["demo", "--straggler", "shifted-exp:0,3"])
    assert demo.straggler.shift == 0 and demo.straggler.mu == 3
    assert parse(["demo"]).straggler.mu == 1


def test_version_and_plain_text_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out == f"fastcode {fastcode.__version__}\n"
    for argv in (["--help"], ["demo", "--help"], ["run", "--help"], ["run", "gradient", "--help"],
                 ["simulate", "--help"], ["simulate", "lee", "--help"], ["bench", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "``" not in out and ":func:" not in out and "spec" not in out, argv
    with pytest.raises(SystemExit):
        main(["run", "mds-prime", "--help"])
    out = capsys.readouterr().out
    assert "--k K" in out and "--p P" in out and "--set KEY=VALUE: k, p." in out
    assert "(default 1024)" in out                           # --rows and --cols say theirs


@pytest.mark.parametrize("parse, good, bad", [
    (repro_cli.count, {"1": 1, "12": 12}, ["0", "-1", "1.5", "x", ""]),
    (repro_cli.optional_count, {"0": 0, "3": 3}, ["-1", "nan"]),
    (repro_cli.random_seed, {"0": 0, "2024": 2024}, ["-1"]),
    (repro_cli.positive_float, {"0.5": 0.5, "3": 3.0}, ["0", "-1", "nan", "inf", "x"]),
    (repro_cli.nonnegative_float, {"0": 0.0, "2.5": 2.5}, ["-0.1", "nan", "-inf"]),
    (repro_cli.probability, {"0": 0.0, "0.999": 0.999}, ["1", "-0.1", "nan"]),
    (repro_cli.open_unit_interval, {"0.95": 0.95}, ["0", "1", "nan"]),
    (repro_cli.float_at_least(1), {"1": 1.0, "1.5": 1.5}, ["0.999", "nan", "inf", "x"]),
    (repro_cli.prime_at_least(11), {"11": 11, "65537": 65537, str(2**31 - 1): 2**31 - 1},
     ["7", "12", "1", "-5", str(2**31 + 11), "x"]),
    (repro_cli.comma_list(repro_cli.count), {"5,10": (5, 10), " 3 , 4 ": (3, 4), "": ()},
     ["5,0", "x", "1.5,2"]),
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
