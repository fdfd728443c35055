"""The GF(2^8) tables are built once, race-free, however many threads touch the library
first at the same moment: a C program (tests/c/init_race.c) starts 16 threads that call
fc_gf256_init together, built with ThreadSanitizer so a data race fails the test."""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
@pytest.mark.skipif(not (CSRC / "gf256_tables.c").exists(), reason="csrc/ not beside the tests")
def test_sixteen_threads_initialise_the_tables_at_once(tmp_path):
    exe = tmp_path / "init_race"
    build = subprocess.run(
        ["gcc", "-std=c99", "-O1", "-g", "-fsanitize=thread", "-pthread", f"-I{CSRC}",
         str(ROOT / "tests" / "c" / "init_race.c"), str(CSRC / "gf256_tables.c"), "-o", str(exe)],
        capture_output=True, text=True)
    if build.returncode != 0:
        if "tsan" in build.stderr.lower() or "sanitize" in build.stderr.lower():
            pytest.skip(f"ThreadSanitizer unavailable: {build.stderr.strip()[:200]}")
        raise AssertionError(build.stderr)
    env = dict(os.environ, TSAN_OPTIONS="halt_on_error=1")
    for _ in range(5):
        run = subprocess.run([str(exe)], capture_output=True, text=True, env=env, timeout=120)
        if "FATAL: ThreadSanitizer: unexpected memory mapping" in run.stderr:
            pytest.skip("ThreadSanitizer cannot run under this kernel's address-space layout")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "ThreadSanitizer" not in run.stderr, run.stderr
        assert "16 threads, 0 wrong products" in run.stdout
