"""Coded DMTL training demo (runtime-protocol object, in-process loop) and `fastcode simulate dmtl`."""
import pickle

import numpy as np
import pytest

from fastcode.cli import main
from fastcode.errors import InvalidArgumentError
from fastcode.fields import PrimeField
from fastcode.repro.dmtl import MIN_PRIME, dmtl_report
from fastcode.schemes.dmtl.training import (
    DMTLTraining,
    fit_scale,
    make_mtl_job,
    reference_training,
    run_inprocess,
    worker_fn,
)
from fastcode.schemes.dmtl.placement import cyclic_placement, placement_from_sets


@pytest.mark.parametrize("Z", [cyclic_placement(4, 2),
                               placement_from_sets([{0, 1, 2}, {2, 3}, {3, 4, 0}, {4, 1}, {0, 2, 4}])],
                         ids=["cyclic4", "het5"])
def test_training_is_exact_and_moves_fewer_bytes(Z, rng):
    K = Z.shape[0]
    job = make_mtl_job(K, d=60, rng=rng)               # d divisible by P: no padding
    scheme = DMTLTraining(Z, rng=rng)
    res = run_inprocess(scheme, job, iterations=6)
    ref = reference_training(job, 6)
    np.testing.assert_array_equal(res["models"], ref)
    for replica in res["replicas"]:
        np.testing.assert_array_equal(replica, ref)
    assert not np.array_equal(ref, job.W0)             # the models did move
    c = scheme.code
    L = 60 // c.P
    assert res["bytes_up"] == [c.L_u * L * 4] * 6 and res["bytes_down"] == [c.T_d * L * 4] * 6
    R_u, R_d = c.loads()
    assert res["bytes_up"][0] == R_u * 60 * 4 and res["bytes_down"][0] == R_d * 60 * 4
    assert res["bytes_up"][0] <= res["baselines"]["server_mds"][0]
    assert res["bytes_down"][0] == res["baselines"]["server_mds"][1]


def test_protocol_pieces(rng):
    Z = placement_from_sets([{0, 1, 2, 3}, {1, 2}, {3, 0}, {0, 2}])   # LP rates leave some T_j = 0
    scheme = DMTLTraining(Z, rng=rng)
    job = make_mtl_job(4, d=8, rng=rng)
    payloads = scheme.setup_tasks(job)
    pickle.loads(pickle.dumps(payloads))                # the runtime ships payloads to processes
    senders = [j for j in range(4) if scheme.code.T[j] > 0]
    assert scheme.can_decode(senders) and not scheme.can_decode(senders[1:])
    assert scheme.worker_load(0) == 1.0 and scheme.worker_load(1) == 0.5
    out = worker_fn(payloads[1], {"t": 0, "Y": None, "final": False})
    assert out.shape == (scheme.code.T[1], -(-8 // scheme.code.P)) and out.dtype == np.uint32
    with pytest.raises(RuntimeError, match="state is at round 1"):
        worker_fn(payloads[1], {"t": 0, "Y": None, "final": False})


def test_simulate_dmtl_cli(capsys):
    assert main(["simulate", "dmtl", "--random", "1", "--iterations", "2"]) == 0
    out = capsys.readouterr().out
    assert "cyclic K=8 M=4" in out and "32/7" in out and "MAN K=4 r=2" in out
    assert "all 117649 inputs in GF(7)^6 decoded exactly by every worker (direct and two-stage): yes" in out
    assert "total communication 3/2 + 1 = 5/2; server decodes + MDS 4; uncoded 6" in out
    assert "NO" not in out and "WRONG" not in out
    assert "all checks passed: yes" in out


# Issue 24: `--prime 257` died with SingularMatrixError, 101 and 65537 with FieldValueError.
@pytest.mark.parametrize("p", [MIN_PRIME, 19, 101, 257, 65537, 2**31 - 1])
@pytest.mark.parametrize("seed", [0, 1])
def test_report_over_every_prime_from_the_minimum(p, seed):
    text, ok = dmtl_report(seed, p, n_random=2, iterations=3, backend="none")
    assert ok, text
    assert "NO" not in text and "WRONG" not in text


def test_report_on_a_cluster_over_a_small_prime(capsys):
    assert main(["simulate", "dmtl", "--prime", "257", "--random", "1", "--iterations", "2",
                 "--backend", "thread"]) == 0
    out = capsys.readouterr().out
    assert "models equal to the centralised run: yes" in out and "all checks passed: yes" in out


@pytest.mark.parametrize("p", [3, 7, 11, 13])
def test_primes_below_the_minimum_are_refused(p, capsys):
    assert p < MIN_PRIME
    with pytest.raises(InvalidArgumentError, match=f"p >= {MIN_PRIME}"):
        dmtl_report(0, p, backend="none")
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "dmtl", "--prime", str(p)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (f"fastcode simulate dmtl: error: argument --prime: "
                                            f"expected a prime >= {MIN_PRIME}, got '{p}'")


@pytest.mark.parametrize("p", [17, 257, 65537, 2**31 - 1])
def test_fit_scale_fits_the_field_and_training_stays_exact(p, rng):
    field = PrimeField(p)
    job = make_mtl_job(4, d=12, rng=rng)
    default = job.scale
    job.scale = fit_scale(job, 5, field)
    assert job.scale <= default and (job.scale == default) == (p == 2**31 - 1)
    ref = reference_training(job, 5, field)              # raises if a value left the field
    res = run_inprocess(DMTLTraining(cyclic_placement(4, 2), field, rng=rng), job, 5)
    np.testing.assert_array_equal(res["models"], ref)
    # the largest such scale: twice it overflows somewhere in the run
    if job.scale < default:
        with pytest.raises(ValueError, match="beyond"):
            reference_training(job.__class__(job.X, job.y, job.W0, job.lr, job.tau, 2 * job.scale),
                               5, field)
