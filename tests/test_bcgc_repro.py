"""``fastcode simulate bcgc`` (fastcode.repro.bcgc): tables, CLI registration, plotting."""
import builtins

import pytest

import fastcode.repro
from fastcode import cli
from fastcode.repro import bcgc as repro

SMALL = dict(N=5, L=200, mus=(1.0, 0.2), Ns=(5,), deadlines=(700.0,), sweep_Ns=(4,),
             sweep_mus=(0.5, 2.0), iters=500, mc=5000, rounds=2, quiet=True)


def by_name(tables):
    """run() returns a list of Tables; pick them by name."""
    return {t.name: t for t in tables}


def test_run_tables_are_consistent():
    tables = by_name(repro.run(**SMALL))
    rt = tables["runtime"]
    for row in rt.rows:
        r = dict(zip(rt.columns, row))
        # lower bound <= SPSG <= approximation A; SPSG beats the best plain code
        assert r["lower_bd"] <= r["SPSG"] <= r["approx_A"] * 1.001
        assert r["SPSG"] < r["best_GC"] <= r["uncoded"]
        assert r["gain"] == pytest.approx(r["best_GC"] / r["SPSG"])
    dl = dict(zip(tables["deadline"].columns, tables["deadline"].rows[0]))
    assert dl["uncoded"] <= dl["best_GC"] and dl["ascent"] >= dl["approx_A"] - 1e-3
    for row in tables["blocks"].rows:
        assert sum(row[1:]) == SMALL["L"]
    for row in tables["gain"].rows:
        r = dict(zip(tables["gain"].columns, row))
        assert 1.0 <= r["gain_A"] <= r["gain_max"]
    for row in tables["virtual"].rows:
        r = dict(zip(tables["virtual"].columns, row))
        assert r["max_rel_err"] < 1e-9


def test_cli_registration_and_output(capsys):
    assert fastcode.repro.REPRODUCTIONS["bcgc"] == "fastcode.repro.bcgc"
    assert fastcode.repro.reproduction("bcgc") is repro
    rc = cli.main(["simulate", "bcgc", "--N", "4", "--L", "120", "--Ns", "4", "--mus", "1",
                   "--deadlines", "400", "--sweep-Ns", "3", "--sweep-mus", "1", "--iters", "200",
                   "--mc", "2000", "--rounds", "1", "--local-rounds", "1", "--local-backend", "thread",
                   "--quiet"])
    out = capsys.readouterr()
    assert rc == 0
    assert "Expected runtime" in out.out and "Completion probability" in out.out
    assert "Real run on LocalCluster (thread workers)" in out.out
    assert out.err == ""                       # no progress when not a terminal / --quiet


def test_cli_bad_argument(capsys):
    # --N 1 is refused by argparse (tests/test_cli_errors.py); N >= 2 is also run()'s own check
    with pytest.raises(SystemExit) as exc:
        cli.main(["simulate", "bcgc", "--N", "1", "--quiet"])
    assert exc.value.code == 2
    assert "argument --N: expected an integer >= 2" in capsys.readouterr().err
    with pytest.raises(ValueError, match="N must be an integer >= 2"):
        repro.run(**dict(SMALL, N=1))


def test_plot_without_matplotlib(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    msg = repro.plot([], str(tmp_path / "x.png"))
    assert "matplotlib is not installed" in msg


def test_plot_written(tmp_path):
    pytest.importorskip("matplotlib")
    tables = repro.run(**SMALL)
    path = tmp_path / "bcgc.png"
    assert repro.plot(tables, str(path)) is None
    assert path.stat().st_size > 10_000


def test_real_run_on_the_local_runtime_is_exact_and_on_model_time():
    import numpy as np

    from fastcode.repro.bcgc import _local_table
    from fastcode.schemes.bcgc import plain_gc_blocks

    N, L = 4, 40
    table = _local_table(N, L, 1.0, 1.0, plain_gc_blocks(N, L, 1), rounds=2, seed=3,
                         backend="thread")
    assert [row[0] for row in table.rows] == ["uncoded", "plain GC s=" + table.rows[1][0][11:],
                                              "block-coordinate (SPSG)"]
    for name, measured, draws, expected, err in table.rows:
        assert err < 1e-9                           # the decoded gradient is exact
        assert np.isfinite(draws) and draws > 0 and expected > 0
        # the wall clock cannot beat the injected delays (small timer slack allowed)
        assert measured >= 0.98 * draws
