"""`fastcode demo`: the README's main job, end to end at a small size."""
from fastcode.cli import main
from fastcode.demo import predictions, run_demo


def test_demo_cli_small(capsys):
    code = main(["demo", "--rows", "256", "--cols", "200", "--rounds", "4", "--time-scale", "0.005",
                 "--backend", "thread", "--seed", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "A 256 x 200 float64" in out
    for name in ("uncoded", "2-replication", "MDS (8,6)"):
        assert name in out
    assert "all exact to 1e-9" in out
    # the legend says what the less obvious columns mean
    assert "decode: share of the round spent decoding" in out and "draws: the mean" in out


def test_demo_rows_are_checked_and_predicted():
    rows = run_demo(workers=4, rows=64, cols=64, rounds=3, time_scale=0.002, backend="thread", seed=1)
    assert [r["scheme"] for r in rows] == ["uncoded", "2-replication", "MDS (4,3)"]
    for r in rows:
        assert r["wrong_rounds"] == 0
        assert len(r["wall_times"]) == 3 and r["mean_s"] > 0 and 0 <= r["decode_share"] <= 1
        assert r["predicted_s"] > 0


def test_predictions_match_the_analytic_model():
    p = predictions(8, 6, 1.0, 1.0)
    # uncoded E[T] = (1 + H_8)/8 for mu = shift = 1; MDS is faster at the optimal k
    assert abs(p["uncoded"] - (1 + sum(1 / i for i in range(1, 9))) / 8) < 1e-12
    assert p["MDS (8,6)"] < p["uncoded"]


def test_demo_mpi_hint(capsys):
    assert main(["demo", "--mpi"]) == 0
    assert "mpiexec -n 9 fastcode run mds" in capsys.readouterr().out
