"""Quick variant of Figures B.1 and B.2: a LAN fits exp(sin(pi x) + y^2) and x y."""
import json

import pytest

from paper_figures import fig_b_1


@pytest.mark.slow
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


def test_fig_b_1_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch):
    """Snapshots at 0 and 3 iterations (B.1) and 3 iterations (B.2): claims, both figures, files."""
    monkeypatch.setattr(fig_b_1, "QUICK_SNAPSHOTS", (0, 3))
    monkeypatch.setattr(fig_b_1, "B2_QUICK_STEPS", 3)
    summary = fig_b_1.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["fig_b_1.json", "fig_b_1.png", "fig_b_2.png", "jobs.json", "jobs/b1_s0.json", "jobs/b2_xy.json"]
    b1 = summary["claims"]["B.1"]
    assert b1["seeds"] == [0] and b1["n_params"] == 351 and b1["width"] == [2, 10, 10, 1]
    assert list(summary["claims"]["B.2"]) == list(fig_b_1.B2_QUICK_TASKS)
    job = json.loads((tmp_path / "jobs" / "b1_s0.json").read_text())
    assert [s["step"] for s in job["snapshots"]] == [0, 3]
    assert len(job["snapshots"][0]["nodes"]) == len(job["snapshots"][1]["nodes"]) > 0
