"""Quick variants of the paper-figure scripts: each asserts its figure's qualitative claim."""
import json

import numpy as np
import pytest

from paper_figures import _common, fig_2_3


def test_run_jobs_resumes_and_keeps_order(tmp_path):
    calls = []

    def job(c):
        calls.append(c["job"])
        return {"value": c["x"] ** 2}

    configs = [{"job": "a", "x": 2}, {"job": "b", "x": 3}]
    assert [r["value"] for r in _common.run_jobs(job, configs, str(tmp_path))] == [4, 9]
    assert calls == ["a", "b"]
    (tmp_path / "jobs" / "b.json").unlink()
    assert [r["value"] for r in _common.run_jobs(job, configs, str(tmp_path))] == [4, 9]
    assert calls == ["a", "b", "b"]  # only the missing job ran again
    with pytest.raises(ValueError, match="unique"):
        _common.run_jobs(job, [{"job": "a"}, {"job": "a"}], str(tmp_path))


def test_loglog_slope():
    G = np.array([5.0, 10.0, 20.0])
    assert _common.loglog_slope(G, 3 * G ** -3) == pytest.approx(-3.0)


@pytest.mark.slow
def test_fig_2_3_quick_grid_extension_converges_like_a_power_law(tmp_path, capsys):
    summary = fig_2_3.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]["2x1x1"]
    # the paper: test RMSE ~ G^-3 (RMS) for [2, 1, 1]; quick mode fits G in [5, 20]
    assert claims["slope_rms"] < -2.5, claims
    rmse = [s["test_rmse"] for s in summary["stages"]["2x1x1"]]
    assert all(b < a for a, b in zip(rmse, rmse[1:]))  # every refinement lowers the test error
    assert (tmp_path / "fig_2_3.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_2_3.json").read_text())["quick"] is True
    assert "slope_rms" in capsys.readouterr().out


def _square(c):
    return {"value": c["x"] ** 2}


def test_run_jobs_through_an_executor_keeps_config_order(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    configs = [{"job": f"j{x}", "x": x} for x in range(5)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = _common.run_jobs(_square, configs, str(tmp_path), executor=pool)
    assert [r["value"] for r in results] == [0, 1, 4, 9, 16]
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == [f"j{x}.json" for x in range(5)]


def test_fig_2_3_smoke_runs_the_script_end_to_end(tmp_path, capsys, shrink_jobs):
    """Grids 3, 5, 10 at 3 iterations each: the job list, stages, claims and files of the script."""
    shrink_jobs(fig_2_3, grids=[3, 5, 10], steps=3)
    summary = fig_2_3.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["fig_2_3.json", "fig_2_3.png", "jobs/2x1x1.json"]
    stages = summary["stages"]["2x1x1"]
    assert [s["G"] for s in stages] == [3, 5, 10]
    # 3 edges, each with G + k spline coefficients, w_b and w_s
    assert [s["n_params"] for s in stages] == [3 * (G + 3 + 2) for G in (3, 5, 10)]
    assert all(np.isfinite(s["test_rmse"]) for s in stages)
    claims = summary["claims"]["2x1x1"]
    assert claims["slope_range"] == [5, 10] and np.isfinite(claims["slope_rms"])
    saved = json.loads((tmp_path / "fig_2_3.json").read_text())
    assert json.loads(capsys.readouterr().out) == saved["claims"]  # the claims are printed
