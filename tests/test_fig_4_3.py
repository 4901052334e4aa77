"""Quick variant of Figure 4.3 / Table 4 (knot signature from hyperbolic invariants)."""
import functools
import json

import pytest

from paper_figures import fig_4_3


@pytest.mark.slow
def test_fig_4_3_quick_small_kan_learns_the_signature_from_the_cusp_translations(tmp_path):
    summary = fig_4_3.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    n_class = summary["jobs"][0]["n_class"]
    # a 2e2-parameter KAN is far above chance (the largest class is 26 % of the knots)
    assert claims["kan_params"] <= 250 and claims["kan_test_acc"] > 0.6, claims
    assert claims["param_ratio"] >= 100
    # the signature is carried by the meridian and longitude translations: they are the top three
    # inputs of the KAN's hidden node, and mu_r alone is far more informative than mu_i alone
    top3 = set(claims["input_ranking"][:3])
    assert top3 == {fig_4_3.MU_R, fig_4_3.MU_I, fig_4_3.LAMBDA}, claims["input_ranking"]
    acc = claims["ablation_test_acc"]
    assert acc["mu_r"] > acc["mu_i"] + 0.1, acc
    assert n_class >= 8
    assert (tmp_path / "fig_4_3.png").stat().st_size > 0
    assert "not DeepMind" in json.loads((tmp_path / "fig_4_3.json").read_text())["data"]


def test_fig_4_3_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch, shrink_jobs):
    """400 knots, 3 KAN iterations per subset, one 100-step MLP check: jobs, claims, model and files."""
    monkeypatch.setattr(fig_4_3, "QUICK_ROWS", 400)
    # every job and the figure read the 2 MB census again (about half a second each): read it once
    monkeypatch.setattr(fig_4_3, "load_knots", functools.lru_cache(maxsize=None)(fig_4_3.load_knots))
    shrink_jobs(fig_4_3, steps=3, max_steps=100)
    summary = fig_4_3.main(["--quick", "--out", str(tmp_path)])
    kans = ["kan_all", "kan_mu_r_mu_i_lambda", "kan_mu_i", "kan_mu_r"]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    # no model file without --save-models: the diagram's KAN stayed in memory
    assert written == sorted(["fig_4_3.json", "fig_4_3.png", "jobs.json", "jobs/mlp.json"]
                             + [f"jobs/{k}.json" for k in kans])
    claims = summary["claims"]
    assert set(claims["ablation_test_acc"]) == {"all", "mu_r,mu_i,lambda", "mu_r", "mu_i"}
    assert sorted(claims["input_ranking"]) == sorted(fig_4_3.SUBSETS["all"])
    assert claims["mlp_steps"] == 100 and claims["param_ratio"] > 100
    for job in summary["jobs"]:
        assert job["n_train"] == 300 and 0.0 <= job["test_acc"] <= 1.0  # 75 % of the 400 rows
