"""Quick variant of Figure 3.1: KANs scale faster with parameters than MLPs on toy functions."""
import json

import numpy as np
import pytest

from paper_figures import fig_3_1


@pytest.mark.slow
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


def test_fig_3_1_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch, shrink_jobs):
    """Two grids, a few iterations, one restart, one MLP width: the job list, fronts and files."""
    monkeypatch.setattr(fig_3_1, "QUICK_EXAMPLES", {1: (3, 5), 2: (3, 5), 5: (3, 5)})
    monkeypatch.setattr(fig_3_1, "QUICK_KAN_RESTARTS", {})
    monkeypatch.setattr(fig_3_1, "QUICK_MLP_WIDTHS", (5,))
    shrink_jobs(fig_3_1, steps=3)
    summary = fig_3_1.main(["--quick", "--out", str(tmp_path)])
    jobs = [f"jobs/ex{ex}_{kind}.json" for ex, w in ((1, "1x1"), (2, "2x1x1"), (5, "4x4x2x1"))
            for kind in (f"kan_{w}", "mlp_d3_w5")]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(["fig_3_1.json", "fig_3_1.png", "jobs.json"] + jobs)
    assert sorted(summary["claims"]["examples"]) == ["1", "2", "5"]
    assert summary["scale"]["grids"] == {"1": [3, 5], "2": [3, 5], "5": [3, 5]}
    for job_name, stages in summary["kan_stages"].items():
        assert [s["G"] for s in stages] == [3, 5], job_name
    assert all(np.isfinite(m["test_rmse"]) for m in summary["mlps"].values())
