"""Quick variant of Figure 3.1: KANs scale faster with parameters than MLPs on toy functions."""
import json

from paper_figures import fig_3_1


def test_fig_3_1_quick_kan_scales_faster_than_mlp(tmp_path, capsys):
    summary = fig_3_1.main(["--quick", "--out", str(tmp_path)])
    examples = summary["claims"]["examples"]
    assert sorted(examples) == ["1", "2", "5"]
    for ex in ("1", "2", "5"):
        e = examples[ex]
        assert e["kan_slope"] is not None, e
        # KAN test RMSE falls faster with parameters than along the MLP Pareto front ...
        assert e["kan_slope"] < e["mlp_slope"], e
        # ... and reaches a lower test RMSE than any MLP
        assert e["gap_decades"] > 0.5, e
    # the paper's alpha = 4 line; at quick scale (100 iterations per grid) a slope below -2.
    # Example 5's [4, 4, 2, 1] does not reach it here (slope about -1: it saturates at G = 20 on
    # 1000 samples), so only its comparison with the MLPs above is asserted.
    for ex in ("1", "2"):
        assert examples[ex]["kan_slope"] < -2.0, examples[ex]
    assert (tmp_path / "fig_3_1.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_3_1.json").read_text())["quick"] is True
    assert "kan_slope" in capsys.readouterr().out
