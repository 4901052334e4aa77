"""Figure 2.2 (quick = full): B-spline bases sum to one and grid extension reproduces the coarse spline."""
import json

from paper_figures import fig_2_2


def test_fig_2_2_partition_of_unity_and_grid_extension(tmp_path, capsys):
    summary = fig_2_2.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    assert claims["n_bases"] == {"G=5": 8, "G=10": 13}  # G + k cubic bases per grid
    # the paper: the G + k bases sum to 1 inside the grid; the fine spline lies on the coarse one
    assert max(claims["partition_of_unity_max_dev"].values()) < 1e-12, claims
    assert claims["fine_minus_coarse_max"] < 1e-12, claims
    assert claims["bases_sum_to_one"] and claims["fine_fit_on_coarse_curve"]
    job = json.loads((tmp_path / "jobs" / "splines.json").read_text())
    assert job["dense_minus_local_max"] < 1e-12  # the drawn (dense) curve is the library's (local) one
    assert (tmp_path / "fig_2_2.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_2_2.json").read_text())["quick"] is True
    assert "fine_minus_coarse_max" in capsys.readouterr().out
