"""The run jobs mds-prime, polynomial and gradient: real distributed rounds, every one checked."""

import numpy as np
import pytest

from fastcode.cli import RUN_SCHEMES, main
from fastcode.runtime import LocalCluster
from fastcode.runtime.jobs import run_job
from fastcode.schemes.jobs import gradient_job, mds_prime_matvec_job, polynomial_job
from fastcode.sim import ShiftedExponential

# a hung runtime dumps every thread's stack and fails the run (conftest's watchdog)
pytestmark = pytest.mark.usefixtures("watchdog")


def run(job, n, rounds=3, backend="thread", seed=1):
    model = ShiftedExponential(2.0, shift=1.0)
    with LocalCluster(n, straggler_model=model, backend=backend, rng=seed,
                      time_scale=0.002, timeout=20.0) as cluster:
        return run_job(cluster, job, rounds, rng=seed)


def assert_clean(report, rounds=3):
    assert report.rounds == rounds
    assert report.failed_rounds == 0
    assert report.wrong_rounds == 0


def test_registered():
    for name in ("mds-prime", "polynomial", "gradient"):
        assert name in RUN_SCHEMES


def test_mds_prime_exact():
    job = mds_prime_matvec_job(6, 0, rows=60, cols=20, p=257)
    assert job.rtol == 0 and job.atol == 0
    assert job.data.dtype == np.uint32 and job.data.max() < 257
    assert_clean(run(job, 6))


def test_polynomial_exact():
    job = polynomial_job(8, 0, rows=24, cols=30, k_a=3, k_b=2)
    assert job.scheme.recovery_threshold == 6
    A, B = job.data
    assert A.shape == (24, 30) and B.shape == (24, 30)
    assert_clean(run(job, 8))


def test_polynomial_defaults_are_powers_of_two():
    job = polynomial_job(8, 0, rows=8, cols=16)
    assert (job.scheme.code.k_a, job.scheme.code.k_b) == (2, 2)
    assert_clean(run(job, 8, rounds=2), rounds=2)


@pytest.mark.parametrize("code,s", [("crc", 2), ("frc", 1)])
def test_gradient_rounds_checked(code, s):
    job = gradient_job(6, 0, rows=120, cols=7, code=code, s=s)
    report = run(job, 6)
    assert_clean(report)
    # the job trains: after 3 steps theta has moved and the gradient has shrunk
    theta = job.make_input(None)
    assert np.linalg.norm(theta) > 0
    assert np.linalg.norm(job.reference(theta)) < np.linalg.norm(job.reference(np.zeros(7)))


def test_gradient_process_backend():
    assert_clean(run(gradient_job(4, 0, rows=64, cols=5), 4, backend="process"))


def test_checks_can_fail():
    """A wrong reference is reported as wrong rounds (the check is not vacuous)."""
    job = gradient_job(4, 0, rows=64, cols=5)
    ref = job.reference
    job.reference = lambda theta: ref(theta) + 1e-6
    assert run(job, 4).wrong_rounds == 3
    job = polynomial_job(4, 0, rows=8, cols=8)
    C = job.reference(None).copy()
    C[0, 0] = (C[0, 0] + 1) % 65537
    job.reference = lambda _tag: C
    assert run(job, 4).wrong_rounds == 3


def test_gradient_decodes_with_stragglers():
    """s stragglers silenced: the master still decodes the full gradient."""
    job = gradient_job(5, 0, rows=50, cols=4, s=2)
    sch = job.scheme
    tasks = sch.setup_tasks(None)
    theta = np.linspace(-1, 1, 4)
    results = {i: sch.worker_fn(tasks[i], theta) for i in (4, 1, 2)}
    assert sch.can_decode(list(results)) and not sch.can_decode([4, 1])
    np.testing.assert_allclose(sch.decode(results, theta), job.reference(theta), rtol=1e-9,
                               atol=1e-12)


def test_cli_smoke(capsys):
    assert main(["run", "gradient", "--workers", "4", "--rounds", "2", "--backend", "thread",
                 "--rows", "64", "--cols", "8"]) == 0
    out = capsys.readouterr().out
    assert "rounds      2 done, 0 failed, 0 wrong" in out


@pytest.mark.parametrize("factory,kwargs,match", [
    (gradient_job, dict(code="xyz"), "crc"),
    (gradient_job, dict(s=4), "s < n"),
    (gradient_job, dict(code="frc", s=2), "divide"),
    (gradient_job, dict(rows=2), "rows"),
    (gradient_job, dict(bogus=1), "unknown"),
    (polynomial_job, dict(k_a=3, k_b=2), "k_a \\* k_b"),
    (polynomial_job, dict(k_a=0), "k_a"),
    (polynomial_job, dict(cols=1, k_a=2, k_b=2), "cols"),
    (mds_prime_matvec_job, dict(p=12), "not prime"),
    (mds_prime_matvec_job, dict(k=5), "k <= n"),
    (mds_prime_matvec_job, dict(q=1), "unknown"),
])
def test_bad_params(factory, kwargs, match):
    kwargs = {"rows": 16, "cols": 8, **kwargs}
    with pytest.raises(ValueError, match=match):
        factory(4, 0, **kwargs)


def test_cli_bad_param_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "gradient", "--workers", "4", "--rounds", "1", "--backend", "thread",
              "--rows", "64", "--cols", "8", "--set", "code=xyz"])
    assert exc.value.code == 2
    assert "argument --set: code: expected one of crc, frc" in capsys.readouterr().err
