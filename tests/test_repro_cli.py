"""The one reproduction shape (fastcode.repro registry) and its shared command-line tail
(fastcode.repro.cli.run_command)."""
import argparse
import inspect
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import fastcode
from fastcode._util.tables import Table
from fastcode.cli import build_parser
from fastcode.repro import REPRODUCTIONS, reproduction
from fastcode.repro.cli import Output, add_command, run_command


@pytest.mark.parametrize("name", list(REPRODUCTIONS))
def test_every_reproduction_has_the_one_shape(name):
    module = reproduction(name)
    assert module.NAME == name and module.__name__ == REPRODUCTIONS[name]
    assert module.SUMMARY and "\n" not in module.SUMMARY
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    # every option is a keyword of run() (but --plot, which the tail hands to plot())
    dests = {a.dest for a in parser._actions if a.dest not in ("help", "plot")}
    assert dests <= set(inspect.signature(module.run).parameters), dests
    assert list(inspect.signature(module.plot).parameters) == ["tables", "path"]
    assert isinstance(getattr(module, "OUTPUT", Output()), Output)


def test_simulate_lists_the_registry_in_order(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate", "--help"])
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("    ") and line[4] != " "]
    assert listed == list(REPRODUCTIONS)
    with pytest.raises(KeyError, match="no reproduction 'nope'"):
        reproduction("nope")


def _fake(tables=None, error=None, plot_problem=None, output=None):
    """A reproduction module made up for the test: run() returns ``tables`` or raises ``error``."""
    module = types.SimpleNamespace(NAME="fake", SUMMARY="a fake reproduction")
    module.add_arguments = lambda p: (p.add_argument("--seed", type=int, default=3),
                                      p.add_argument("--plot"))

    def run(seed):
        if error is not None:
            raise error
        return tables

    module.run = run
    module.drawn = []

    def plot(tabs, path):
        module.drawn.append(path)
        return plot_problem
    module.plot = plot
    if output is not None:
        module.OUTPUT = output
    return module


def _command(module, argv, capsys):
    parser = argparse.ArgumentParser()
    add_command(parser, module)
    args = parser.parse_args(argv)
    status = args.func(args)
    out, err = capsys.readouterr()
    return status, out, err


TWO = [Table("A", ["x"], [(1,)]), Table("B", (), notes=["b"])]


def test_tables_are_joined_by_blank_lines_then_the_footer(capsys):
    module = _fake(TWO, output=Output(footer="(seed {seed}, checks {checks})"))
    status, out, err = _command(module, [], capsys)
    assert status == 0 and err == ""
    assert out == "A\nx\n-\n1\n\nB\nb\n\n(seed 3, checks yes)\n"


def test_a_failed_check_is_status_one_and_said_on_stderr(capsys):
    module = _fake([Table("A", (), failures=1)], output=Output(footer="checks {checks}"))
    status, out, err = _command(module, [], capsys)
    assert status == 1 and out.endswith("\nchecks NO\n")
    assert err == "fastcode simulate fake: some check failed\n"


@pytest.mark.parametrize("prefix", ["error: ", ""])
def test_a_refused_setting_is_status_two_and_one_line(prefix, capsys):
    module = _fake(error=ValueError("seed is odd"), output=Output(error_prefix=prefix))
    status, out, err = _command(module, [], capsys)
    assert status == 2 and out == ""
    assert err == f"fastcode simulate fake: {prefix}seed is odd\n"


def test_plot_after_the_footer_by_default(capsys, tmp_path):
    module = _fake(TWO, output=Output(footer="end"))
    status, out, _ = _command(module, ["--plot", str(tmp_path / "f.png")], capsys)
    assert status == 0 and module.drawn == [str(tmp_path / "f.png")]
    assert out.endswith(f"\nend\nplot written to {tmp_path / 'f.png'}\n")


def test_plot_before_the_footer_and_its_failure_status(capsys):
    module = _fake(TWO, plot_problem="no matplotlib",
                   output=Output(footer="end", plot_before_footer=True, plot_failure_status=0))
    status, out, err = _command(module, ["--plot", "f.png"], capsys)
    assert status == 0 and err == "no matplotlib\n" and out.endswith("\n\nend\n")
    module = _fake(TWO, plot_problem="no matplotlib")
    status, out, err = _command(module, ["--plot", "f.png"], capsys)
    assert status == 1 and err == "no matplotlib\n"


def test_no_plot_without_the_option(capsys):
    module = _fake(TWO)
    assert _command(module, [], capsys)[0] == 0 and module.drawn == []


@pytest.mark.parametrize("name, settings", [
    ("shuffle", dict(rows_per_block=20, trials=1)),
    ("dmtl", dict(n_random=0, iterations=1, backend="none")),
])
def test_python_only_plots(name, settings, tmp_path, monkeypatch):
    module = reproduction(name)
    tables = module.run(**settings)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert "matplotlib is not installed" in module.plot(tables, str(tmp_path / "x.png"))
    monkeypatch.undo()
    pytest.importorskip("matplotlib")
    path = tmp_path / f"{name}.png"
    assert module.plot(tables, str(path)) is None
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_python_dash_m_runs_a_reproduction(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(fastcode.__file__).resolve().parent.parent))
    proc = subprocess.run([sys.executable, "-m", "fastcode.repro", "shuffle", "--rows-per-block", "20",
                           "--trials", "1"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=env)
    assert proc.returncode == 0 and "Coded shuffling" in proc.stdout and proc.stderr == ""
    proc = subprocess.run([sys.executable, "-m", "fastcode.repro"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 1 and "usage: python -m fastcode.repro {lee," in proc.stderr
