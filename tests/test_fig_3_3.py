"""Quick variant of Figure 3.3: a KAN solves the Poisson problem better than an MLP."""
import json

import numpy as np
import pytest

from paper_figures import fig_3_3


@pytest.mark.slow
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


def test_fig_3_3_smoke_runs_the_script_end_to_end(tmp_path, capsys, monkeypatch):
    """A 10 x 10 interior mesh, grids 5 and 10 at 3 iterations, the MLP at 6: jobs, claims, files."""
    monkeypatch.setattr(fig_3_3, "QUICK", dict(fig_3_3.QUICK, n_i=100, n_b=40, n_eval=100, steps_per_grid=3,
                                               mlp_steps=6))
    summary = fig_3_3.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["fig_3_3.json", "fig_3_3.png", "jobs.json", "jobs/kan_2x5x1_ni100.json",
                       "jobs/mlp_2x20x20x1_ni100.json"]
    claims = summary["claims"]
    assert claims["n_i"] == 100
    assert claims["kan"]["width"] == [2, 5, 1] and claims["mlp"]["width"] == [2, 20, 20, 1]
    assert [s["G"] for s in summary["stages"]["kan_2x5x1_ni100"]] == [5, 10]
    assert claims["kan"]["steps"] <= 6 and claims["mlp"]["steps"] <= 6  # L-BFGS may stop early
    assert np.isfinite(claims["kan"]["l2sq"]) and np.isfinite(claims["mlp"]["h1sq"])
    saved = json.loads((tmp_path / "fig_3_3.json").read_text())
    assert json.loads(capsys.readouterr().out) == saved["claims"]  # the claims are printed
