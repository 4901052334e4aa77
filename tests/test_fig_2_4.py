"""Figure 2.4 (quick): the five-step symbolic workflow recovers exp(sin(pi x) + y^2)."""
import json

from paper_figures import fig_2_4


def test_fig_2_4_quick_symbolic_regression_recovers_the_formula(tmp_path, capsys):
    summary = fig_2_4.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    seed = claims["per_seed"]["0"]
    # the paper: pruning leaves exactly [2, 1, 1]
    assert seed["pruned_width"] == [2, 1, 1], seed
    # snapping picks the true functions on the three edges (library of ten functions)
    assert seed["functions"] == {"0,0,0": "sin", "0,1,0": "x^2", "1,0,0": "exp"}, seed
    # the final loss is at machine precision (measured: test RMSE 3e-16 in this quick run)
    assert seed["final_test_rmse"] < 1e-10, seed
    # the rounded formula is 1.0 exp(1.0 y^2 + 1.0 sin(3.14 x)), checked by sympy
    assert seed["formula_matches"], seed["formula"]
    assert (tmp_path / "fig_2_4.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_2_4.json").read_text())["quick"] is True
    assert "all_prune_to_2_1_1" in capsys.readouterr().out
