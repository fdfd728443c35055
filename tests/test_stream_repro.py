"""The stream reproduction (fastcode.repro.stream): small, fast runs of its tables and command line."""
import sys

import numpy as np
import pytest

from fastcode.cli import main
from fastcode.repro import stream as repro


def by_name(tables):
    """run() returns a list of Tables; pick them by name."""
    return {t.name: t for t in tables}


def test_spec_rates_and_strong_setting():
    rates, arrivals = repro.spec_rates_and_arrivals()
    np.testing.assert_allclose(rates, [385.95, 650.92, 373.40, 415.75, 373.98], atol=0.01)
    assert arrivals.shape == (10000,) and np.all(np.diff(arrivals) > 0)
    assert arrivals[-1] / 10000 == pytest.approx(100, rel=0.05)      # mean inter-arrival 1/λ
    np.testing.assert_allclose(repro.geometric_rates(2.0),
                               [70.97, 141.94, 283.87, 567.74, 1135.48], atol=0.01)
    np.testing.assert_allclose(repro.geometric_rates(1.0), 440.0)


def test_run_small_tables():
    tables = by_name(repro.run(jobs=1500, omegas=(1.0, 1.2), hetero=(1.0, 2.0), sweep_omegas=(1.0,),
                               real_jobs=20, quiet=True))
    assert set(tables) == {"omega_spec", "omega_strong", "sweep", "real"}
    spec = tables["omega_spec"]
    assert spec.column("Omega") == [1.0, 1.2]
    for opt, uni in zip(spec.column("optimal"), spec.column("uniform")):
        assert opt < uni
    strong = tables["omega_strong"]
    assert strong.column("rho_uni")[0] > 1.3                  # uniform unstable at Ω = 1
    assert "*" in strong.format().splitlines()[3]             # ... and marked so
    sweep = tables["sweep"]
    # h = 1: identical workers, both splits coincide exactly (same roundings, same draws)
    assert float(sweep.rows[0][3]) == float(sweep.rows[0][4])
    # the Ω = 1 floor bounds the uniform split's measured load from below (up to noise)
    for row in sweep.rows:
        assert row[6] >= 0.97 * row[7]
    real = tables["real"]
    (jobs, measured, simulated, rho, used, err), = real.rows
    assert jobs == 20 and used == 20 and err < 1e-9 and measured > 0


def test_main_prints_and_explains_missing_matplotlib(capsys, monkeypatch, tmp_path):
    # Pretend matplotlib is absent: --plot is refused before any work, saying how to get plots.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code = main(["simulate", "stream", "--jobs", "200", "--omegas", "1,1.1", "--hetero", "", "--real-jobs", "0",
                       "--local-jobs", "0", "--quiet", "--plot", str(tmp_path / "x.png")])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "argument --plot: needs matplotlib, which is not installed" in err
    assert "pip install 'fastcode[plot]'" in err
    assert not (tmp_path / "x.png").exists()


def test_main_bad_arguments(capsys):
    assert main(["simulate", "stream", "--jobs", "3", "--real-jobs", "0", "--local-jobs", "0", "--quiet"]) == 2
    assert "jobs" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["simulate", "stream", "--omegas", "1,abc"])
    with pytest.raises(SystemExit):
        main(["simulate", "stream", "--nope"])


def test_main_rejects_omega_below_one(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "stream", "--jobs", "100", "--omegas", "0.9", "--hetero", "", "--real-jobs", "0",
              "--local-jobs", "0", "--quiet"])
    assert exc.value.code == 2
    assert "argument --omegas: in the list '0.9': expected a number >= 1" in capsys.readouterr().err
    with pytest.raises(ValueError, match="Omega"):                # run()'s own check stays
        repro.run(jobs=100, omegas=(0.9,), hetero=(), real_jobs=0, local_jobs=0, quiet=True)


def test_main_writes_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "stream.png"
    code = main(["simulate", "stream", "--jobs", "200", "--omegas", "1,1.1", "--hetero", "1,2", "--real-jobs", "0", "--local-jobs", "0",
                       "--quiet", "--plot", str(path)])
    assert code == 0 and path.stat().st_size > 10000
    assert "plot written" in capsys.readouterr().out


def test_cli_target_runs(capsys):
    assert main(["simulate", "stream", "--jobs", "300", "--omegas", "1,1.1", "--hetero", "",
                 "--real-jobs", "0", "--local-jobs", "0", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Omega" in out and "1.100" in out


def test_real_stream_on_the_local_runtime_decodes_every_job():
    from fastcode.repro.stream import _local_run
    rows = _local_run(6, seed=2, backend="thread", time_scale=0.02)
    assert [r[0] for r in rows] == ["optimal", "uniform"]
    for split, kappa, mean_delay, p95, service, bound, late, err in rows:
        assert sum(int(k) for k in kappa.split(",")) == 10      # K * Omega coded tasks
        assert err < 1e-9                                       # every job's A x exact
        assert mean_delay > 0 and service > 0 and bound > 0
