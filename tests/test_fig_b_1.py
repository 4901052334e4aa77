"""Quick variant of Figures B.1 and B.2: a LAN fits exp(sin(pi x) + y^2) and x y."""
import json

from paper_figures import fig_b_1


def test_fig_b_1_quick_lan_fits(tmp_path):
    """B.1 at seed 0 (the script's default, not picked; seed 1 reached 8.1e-3 in the sizing runs):
    600 L-BFGS iterations of a [2, 10, 10, 1] LAN; B.2 on x y only, 200 iterations."""
    summary = fig_b_1.main(["--quick", "--out", str(tmp_path)])
    b1 = summary["claims"]["B.1"]
    assert b1["test_rmse"][0] < 1e-2, b1  # the paper: the LAN fits
    assert b1["n_params"] == 351 and b1["paper_param_count"] == 10 * 10 * 2 + 10 * 2 * 5
    assert summary["claims"]["B.2"]["xy"]["test_rmse"] < 1e-2, summary["claims"]["B.2"]
    for name in ("fig_b_1.png", "fig_b_2.png"):
        assert (tmp_path / name).stat().st_size > 0
    saved = json.loads((tmp_path / "fig_b_1.json").read_text())
    assert saved["quick"] is True
