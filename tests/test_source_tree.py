"""An unbuilt source tree that shadows the installed fastcode (the root of a clone, where
`python -m` and `python -c` put the working directory first on sys.path).

- importing it raises one ImportError naming the directory and what to do;
- FASTCODE_BACKEND=numpy runs it on the NumPy reference;
- the `fastcode` command (a console script: its own directory, not the working one,
  goes on sys.path) works from there, also as the MPI launch line `mpiexec -n N+1
  fastcode run ...` of the README and of `fastcode demo --mpi`.
The clone is a copy of the package these tests import, without its compiled extensions;
the "installed" fastcode is the one these tests import, on PYTHONPATH."""
import importlib.machinery
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _procs import fastcode_env

import fastcode

PACKAGE = Path(fastcode.__file__).resolve().parent
TIMEOUT_S = 120


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A directory holding an unbuilt copy of the fastcode package."""
    root = tmp_path_factory.mktemp("clone")
    compiled = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    shutil.copytree(PACKAGE, root / "fastcode",
                    ignore=lambda _d, names: [n for n in names
                                              if n.endswith(compiled) or n == "__pycache__"])
    return root


def _python(args, cwd, **env):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=TIMEOUT_S, cwd=cwd, env=dict(fastcode_env(), **env))


@pytest.mark.parametrize("args", [["-c", "import fastcode"], ["-m", "fastcode", "info"]])
def test_importing_the_unbuilt_tree_is_one_clear_error(clone, args):
    proc = _python(args, clone)
    assert proc.returncode == 1
    assert proc.stderr.count("Traceback") == 1 and "During handling" not in proc.stderr
    assert "circular import" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"ImportError: fastcode is imported from {clone / 'fastcode'}, "
                           "a source tree whose compiled extensions are not built")
    assert f"It shadows the installed fastcode in {PACKAGE}" in last
    assert "run from another directory" in last and "pip install -e ." in last
    assert "FASTCODE_BACKEND=numpy" in last


def test_numpy_backend_runs_the_unbuilt_tree(clone):
    script = ("import numpy as np, fastcode\n"
              "from fastcode import GF256, MDSCode\n"
              "from fastcode.codes import CyclicRepetition\n"
              "assert fastcode.__file__.startswith(%r)\n"
              "code = MDSCode(6, 4); data = GF256.random((4, 33), rng=1)\n"
              "shards = np.vstack([data, code.encode(data)])\n"
              "assert np.array_equal(code.decode(shards[[0, 2, 4, 5]], [0, 2, 4, 5]), data)\n"
              "g = CyclicRepetition(6, 2, rng=0); parts = np.random.default_rng(0).random((6, 5))\n"
              "coded = {i: g.encode(parts[g.parts(i)], i) for i in (5, 0, 3, 1)}\n"
              "out = g.decode(list(coded.values()), list(coded))\n"
              "assert np.allclose(out, parts.sum(axis=0))\n"
              "print(fastcode.info()['native_built'], fastcode.info()['backend'])\n"
              % str(clone))
    proc = _python(["-c", script], clone, FASTCODE_BACKEND="numpy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "numpy"]


def _console_script(directory):
    """The `fastcode` command as pip writes it (entry point fastcode.cli:main)."""
    script = directory / "fastcode"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom fastcode.cli import main\n"
                      "if __name__ == '__main__':\n    sys.exit(main())\n")
    script.chmod(0o755)
    return script


def test_the_fastcode_command_works_from_the_clone_root(clone, tmp_path):
    command = _console_script(tmp_path)
    proc = subprocess.run([str(command), "run", "mds", "--workers", "3", "--rounds", "2",
                           "--rows", "16", "--cols", "8", "--backend", "thread", "--json"],
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=clone,
                          env=fastcode_env())
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["results"][0]["wrong_rounds"] == 0 and doc["results"][0]["workers"] == 3


def _mpiexec():
    beside = Path(sys.executable).parent / "mpiexec"     # where the mpich wheel puts it
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def test_the_mpi_launch_line_works_from_the_clone_root(clone, tmp_path):
    pytest.importorskip("mpi4py", reason="the mpi extra is not installed")
    if _mpiexec() is None:
        pytest.skip("mpiexec not found (pip install mpich)")
    command = _console_script(tmp_path)
    try:
        proc = subprocess.run([_mpiexec(), "-n", "3", str(command), "run", "mds", "--rounds", "2",
                               "--rows", "16", "--cols", "8", "--json"], capture_output=True,
                              text=True, timeout=TIMEOUT_S, cwd=clone, env=fastcode_env())
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the MPI job hung:\n{exc.stdout}\n{exc.stderr}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    assert doc["parameters"]["runtime"] == "mpi" and doc["results"][0]["workers"] == 2
    assert doc["results"][0]["wrong_rounds"] == 0


def test_one_mpi_rank_explains_itself(clone, tmp_path):
    pytest.importorskip("mpi4py", reason="the mpi extra is not installed")
    if _mpiexec() is None:
        pytest.skip("mpiexec not found (pip install mpich)")
    command = _console_script(tmp_path)
    proc = subprocess.run([_mpiexec(), "-n", "1", str(command), "run", "mds", "--rounds", "1",
                           "--rows", "16", "--cols", "8", "--backend", "thread", "--json"],
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=clone,
                          env=fastcode_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ("fastcode run mds: note: mpiexec started 1 rank, and the MPI runtime needs a master "
            "and at least one worker rank, so the workers run on this machine (--backend thread)")\
        in proc.stderr
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    assert doc["parameters"]["runtime"] == "local-thread" and doc["results"][0]["workers"] == 4
