"""Figure C.1 (quick): stronger sparsity gives fewer active edges; entropy removes duplicates."""
import json

from paper_figures import fig_c_1


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
