"""Figure C.1 (quick): stronger sparsity gives fewer active edges; entropy removes duplicates."""
import json

import pytest

from paper_figures import fig_c_1


@pytest.mark.slow
def test_fig_c_1_quick_lambda_and_entropy_rows(tmp_path, capsys):
    summary = fig_c_1.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    assert summary["row_values"] == {"mu_2": [0.0, 10.0], "lambda": [0.0, 0.01, 0.1, 1.0]}
    edges = claims["active_edges"]
    # without any penalty every one of the 15 edges stays active
    assert all(counts[0] == 15 for counts in edges["lambda"].values()), edges
    # the paper: larger lambda, sparser network (active edges after pruning never increase)
    for seed, counts in edges["lambda"].items():
        assert all(b <= a for a, b in zip(counts, counts[1:])), (seed, counts)
        assert counts[-1] < counts[0]
    # the paper: without the entropy penalty more (duplicate) edges survive (quick: 200 iterations)
    for seed, counts in edges["mu_2"].items():
        assert counts[0] > counts[1], (seed, counts)
    assert claims["lambda_monotone_all_seeds"] and claims["mu2_0_more_than_mu2_10_all_seeds"]
    assert (tmp_path / "fig_c_1.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_c_1.json").read_text())["quick"] is True
    assert "lambda_monotone_per_seed" in capsys.readouterr().out


def test_fig_c_1_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch):
    """200 points and 5 iterations per setting: the two quick rows, their edge counts and the files."""
    monkeypatch.setattr(fig_c_1, "QUICK_STEPS", 5)
    monkeypatch.setattr(fig_c_1, "QUICK_N_TRAIN", 200)
    summary = fig_c_1.main(["--quick", "--out", str(tmp_path)])
    jobs = sorted(p.name for p in (tmp_path / "jobs").iterdir())
    # mu_2 = 0, 10 (at lambda = 0.1) and lambda = 0, 0.01, 0.1, 1 (at mu_2 = 10): lambda 0.1 is shared
    assert len(jobs) == 5 and all(name.endswith("_seed0_n200_it5.json") for name in jobs), jobs
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(["fig_c_1.json", "fig_c_1.png", "jobs.json"] + [f"jobs/{j}" for j in jobs])
    edges = summary["claims"]["active_edges"]
    assert [len(edges["mu_2"]["0"]), len(edges["lambda"]["0"])] == [2, 4]
    assert all(0 <= n <= 15 for counts in (edges["mu_2"]["0"], edges["lambda"]["0"]) for n in counts)
    assert summary["pruned_widths"]["lambda"]["0"][0][0] == 2
