"""Shared fixtures.  Refuses to run on an unbuilt source tree by accident."""
import faulthandler
import os
import zlib

import numpy as np
import pytest

import fastcode


def pytest_report_header(config):
    info = fastcode.info()
    return (f"fastcode {info['version']}: backend={info['backend']} simd={info['simd_level']} "
            f"available={info['simd_available']} threads={info['num_threads']}")


def pytest_sessionstart(session):
    if os.environ.get("FASTCODE_BACKEND", "native") == "native" and not fastcode.info()["native_built"]:
        raise pytest.UsageError(
            "fastcode's native kernels are not importable: install the package (pip install .) "
            "and run `pytest` (not `python -m pytest`) so the source tree does not shadow it")


@pytest.fixture
def rng(request):
    """A seeded Generator; the seed is derived from the test id and printed on failure."""
    seed = zlib.crc32(request.node.nodeid.encode())
    print(f"rng seed for {request.node.nodeid}: {seed}")
    return np.random.default_rng(seed)


@pytest.fixture
def watchdog():
    """Dump every thread's stack and exit if the test takes over 60 s: a hang in the
    runtime (a lost message, a dead worker) then fails loudly instead of stalling CI."""
    faulthandler.dump_traceback_later(60, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
