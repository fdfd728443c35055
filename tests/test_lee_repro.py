"""The Lee et al. reproduction (fastcode.repro.lee) and ``fastcode simulate lee``."""
import sys

import numpy as np
import pytest

from fastcode.cli import main
from fastcode.repro import lee as reproduce
from fastcode.sim import optimal_k

# ----------------------------------------------------------------------------- reproduction

def test_lee_table_exact_values_match_oracle_table_1():
    cells = reproduce.lee_table(ns=[10, 100], mus=[0.5, 1.0], trials=0)
    assert all(c.mc is None for c in cells)
    by = {(c.n, c.mu, c.scheme): c for c in cells}
    assert f"{by[(100, 0.5, 'uncoded')].exact:.5f}" == "0.11375"
    assert f"{by[(100, 0.5, 'replication')].exact:.5f}" == "0.10998"
    assert by[(100, 0.5, "mds")].k == 58 and f"{by[(100, 0.5, 'mds')].exact:.5f}" == "0.04692"
    assert by[(10, 1.0, "mds")].k == 7 and f"{by[(10, 1.0, 'mds')].exact:.5f}" == "0.29938"
    text = reproduce.format_lee_table(cells)
    assert "0.68579" in text and "Exact values only" in text


def test_lee_table_monte_carlo_within_one_percent():
    """The spec's claim: 2e5 draws match the (n=10, mu=1) entries to 3-4 decimals."""
    seen = []
    cells = reproduce.lee_table(ns=[10], mus=[1.0], trials=200_000, seed=0,
                                progress=lambda done, total, label: seen.append((done, total)))
    assert seen[-1] == (3, 3)
    for c in cells:
        assert abs(c.rel_diff) < 0.01
        assert abs(c.mc.mean - c.exact) <= 3 * c.mc.stderr
        assert round(c.mc.mean, 3) == pytest.approx(round(c.exact, 3), abs=1.001e-3)
    # Cells are seeded by identity: the same cell alone gives the same estimate.
    alone = reproduce.lee_table(ns=[10], mus=[1.0], trials=200_000, seed=0)
    assert [c.mc.mean for c in alone] == [c.mc.mean for c in cells]


def test_k_curve_matches_oracle_table_2_and_mc():
    curve = reproduce.lee_k_curve(10, 1.0, trials=20_000, seed=1)
    assert [f"{c.exact:.4f}" for c in curve] == ["1.1000", "0.6056", "0.4454", "0.3697", "0.3291",
                                                 "0.3076", "0.2994", "0.3036", "0.3254", "0.3929"]
    assert sum(abs(c.mc.mean - c.exact) > 3 * c.mc.stderr for c in curve) <= 1
    text = reproduce.format_k_curve(curve)
    assert "<- k*" in text.splitlines()[3 + 6]  # k = 7 row


def test_speedup_grows_like_log_n():
    rows = reproduce.lee_speedup(ns=[10, 100, 1000, 10000], mus=[1.0])
    speed = [r.speedup for r in rows]
    assert speed == sorted(speed)
    assert [r.k_star for r in rows] == [optimal_k(n, 1.0) for n in (10, 100, 1000, 10000)]
    # Increments per decade of n settle at ln(10) / (mu f(alpha*)) = 0.732: Theta(log n) growth.
    steps = np.diff(speed)
    assert np.all(np.abs(steps - 0.732) < 0.08) and abs(steps[-1] - 0.732) < 0.005
    for r in rows:
        assert r.speedup == pytest.approx(r.asymptote, rel=0.06)
    text = reproduce.format_speedup(rows)
    assert "slope" in text and "10000" in text


# ----------------------------------------------------------------------------- CLI

SMALL = ["simulate", "lee", "--trials", "3000", "--n", "10", "20", "--mu", "1", "--speedup-n", "10", "100"]


def test_cli_simulate_lee_smoke(capsys):
    assert main(SMALL) == 0
    out = capsys.readouterr().out
    assert "0.29938" in out and "0.15341" in out  # table 1 (n = 10, 20; mu = 1)
    assert "0.3036" in out.replace("0.30362", "0.3036")  # curve, k = 8
    assert "Monte Carlo: 3000 trials per cell" in out
    assert "speed-up" in out.lower()


def test_cli_rejects_bad_settings(capsys):
    assert main(["simulate", "lee", "--trials", "10", "--n", "15"]) == 2
    assert "n must be a multiple of 2" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["simulate", "nosuchtarget"])


def test_cli_plot_without_matplotlib(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    target = tmp_path / "lee.png"
    assert main(SMALL + ["--plot", str(target)]) == 2
    captured = capsys.readouterr()
    assert "argument --plot" in captured.err and "pip install 'fastcode[plot]'" in captured.err
    assert captured.out == ""  # refused before any work: nothing computed, nothing printed
    assert not target.exists()


def test_cli_plot_with_matplotlib(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "lee.png"
    assert main(SMALL + ["--plot", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_cli_default_reproduction_all_within_one_percent(capsys):
    assert main(["simulate", "lee"]) == 0
    out = capsys.readouterr().out
    assert "(all within 1%)" in out
    for value in ("0.68579", "0.65667", "0.44854", "0.06187", "0.06499", "0.03131", "2.424", "77.80"):
        assert value in out


def test_progress_only_on_a_terminal(monkeypatch, capsys):
    import io

    class FakeTty(io.StringIO):
        def isatty(self):
            return True

    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(SMALL) == 0
    assert "\r" in tty.getvalue() and "6/6 table: n=20 mu=1 mds" in tty.getvalue()
    assert "\r" not in capsys.readouterr().out
    monkeypatch.undo()
    assert main(SMALL) == 0
    assert capsys.readouterr().err == ""  # not a tty: no progress output
