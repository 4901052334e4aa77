"""Quick variant of Figure 3.3: a KAN solves the Poisson problem better than an MLP."""
import json

import numpy as np

from paper_figures import fig_3_3


def test_fig_3_3_quick_kan_beats_the_mlp_on_the_poisson_problem(tmp_path, capsys):
    summary = fig_3_3.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    kan, mlp = claims["kan"], claims["mlp"]
    assert kan["width"] == [2, 5, 1] and mlp["width"] == [2, 20, 20, 1]
    assert kan["steps"] == mlp["steps"] == 200  # equal L-BFGS iterations
    # figures-and-data.md, Fig 3.3 quick: KAN L2^2 < 1e-4 and below the MLP's
    assert kan["l2sq"] < 1e-4, kan
    assert kan["l2sq"] < mlp["l2sq"], claims
    assert kan["h1sq"] < mlp["h1sq"], claims
    # grid extension G = 5 -> 10 lowers the error, with fewer parameters than the MLP
    stages = summary["stages"]["kan_2x5x1_ni2500"]
    assert [s["G"] for s in stages] == [5, 10]
    assert stages[1]["l2sq"] < stages[0]["l2sq"]
    assert stages[-1]["n_params"] < mlp["n_params"]
    # the KAN reaches the MLP's final error in fewer iterations
    assert claims["kan_steps_to_mlp_final_l2sq"] is not None
    assert claims["kan_steps_to_mlp_final_l2sq"] < claims["mlp_steps_to_mlp_final_l2sq"]
    assert np.isfinite(claims["scaling_vs_params"]["kan_2x5x1"]["slope_l2sq"])
    assert (tmp_path / "fig_3_3.png").stat().st_size > 0
    saved = json.loads((tmp_path / "fig_3_3.json").read_text())
    assert saved["quick"] is True and saved["claims"]["kan"]["l2sq"] == kan["l2sq"]
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == ["kan_2x5x1_ni2500.json",
                                                                     "mlp_2x20x20x1_ni2500.json"]
    assert "mlp_over_kan_l2sq" in capsys.readouterr().out
