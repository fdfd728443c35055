"""The example scripts of the documentation (docs/examples/) run as written.

Each script asserts its own results (decoded outputs equal the direct
computation); a script that raises or exits non-zero fails here.  The pages
include these files verbatim, so the docs cannot drift from the code.
"""
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="docs/examples not beside the tests")


@pytest.mark.parametrize("name", ["tour_kernels.py", "new_scheme.py"])
def test_example_runs_in_process(name, capsys):
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    assert ": ok" in capsys.readouterr().out


def _run(cmd, timeout=120):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          cwd=EXAMPLES.parent.parent)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_tour_on_local_worker_processes():
    # a subprocess: the process backend starts its workers by forkserver/spawn
    out = _run([sys.executable, str(EXAMPLES / "tour_local.py")])
    assert out.count("responders") == 3


def _mpiexec():
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def test_tour_under_mpi():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py not installed (pip install 'fastcode[mpi]')")
    if not _mpiexec():
        pytest.skip("mpiexec not found (pip install mpich)")
    out = _run([_mpiexec(), "-n", "5", sys.executable, "-m", "mpi4py",
                str(EXAMPLES / "tour_mpi.py")])
    assert out.count("responders") == 3
