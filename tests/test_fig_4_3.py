"""Quick variant of Figure 4.3 / Table 4 (knot signature from hyperbolic invariants)."""
import functools
import json

import pytest

from paper_figures import fig_4_3


# The quick check's cases, fixed by a rule: seeds 0-4 (KAN and MLP initialisations; the data split
# is DeepMind's, fixed).
SEEDS = range(5)


@pytest.mark.slow
def test_fig_4_3_quick_mu_r_leads_the_signature_over_seeds(tmp_path):
    """Section 4.3 / Fig. 4.3 / Table 4 over seeds 0-4, with the full run's KANs (every knot, 400
    iterations) on four input subsets and the MLP capped at 500 Adam steps.

    Asserted on every seed: the [15, 1, 10] KAN (<= 250 parameters) is far above chance (> 60 %;
    the largest class is 26 % of the knots) with >= 100x fewer parameters than the 3 x 300 MLP;
    mu_r alone beats mu_i alone by > 10 points (the paper: 65.0 % against 43.8 %). On >= 4/5 of the
    seeds: mu_r is one of the two inputs with the largest |phi|_1. On a majority (>= 3/5): mu_r
    ranks first (the paper: "mostly dependent on mu_r").

    The ranking on seed 4 depends on the BLAS thread count (the KAN's training differs at rounding
    level and the leading inputs are close there): with one thread mu_i, mu_r, ...; with two
    threads (a default two-core run) mu_i, lambda, mu_r. Hence "top two" is a rate, not a property
    of every seed.

    Not asserted, because the full budget does not support them (measured by the committed run,
    ``python -m paper_figures.fig_4_3``, seeds 0-4, whose KANs are these): mu_r in the top two on every seed (above); mu_r first on every seed (4/5: mu_i leads on
    seed 4, where mu_r's |phi|_1 is 0.83 of mu_i's with one BLAS thread); mu_i second (3/5; seed 3 has lambda second, mu_i outside the top four); lambda third (2/5);
    (mu_r, mu_i, lambda) "close to all inputs" (the paper: 78.2 % against 81.6 %): from 11.6 points
    below (seed 0: 68.9 % against 80.5 %) to 12.8 points above (seed 4: 76.3 % against 63.5 %); the
    KAN at least as accurate as the MLP (Table 4): the full run's MLP reaches 88.7-90.7 % on these
    seeds against the KAN's 63.5-80.5 %, and the quick MLP (500 steps) is not trained to its
    stopping rule. Measured on the five seeds: mu_r alone 68.8-69.4 %, mu_i alone 47.9-48.5 %.
    About 60 s of CPU.
    """
    summary = fig_4_3.main(["--quick", "--seed", str(SEEDS[0]), "--out", str(tmp_path), "--quiet"])
    claims = summary["claims"]
    assert claims["seeds"] == list(SEEDS)
    assert all(j["config"]["rows"] is None for j in summary["jobs"])
    assert {j["config"]["steps"] for j in summary["jobs"] if j["config"]["model"] == "kan"} == {fig_4_3.KAN_STEPS}
    assert summary["jobs"][0]["n_class"] >= 8
    assert claims["kan_params"] <= 250 and claims["param_ratio"] >= 100
    for seed, c in claims["per_seed"].items():
        assert c["kan_test_acc"] > 0.6, (seed, c)
        acc = c["ablation_test_acc"]
        assert acc["mu_r"] > acc["mu_i"] + 0.1, (seed, acc)
    assert claims["mu_r_alone_above_mu_i_alone_by_10_points"] == len(SEEDS)
    assert claims["mu_r_top_two"] >= 4, claims["first_input_per_seed"]
    assert claims["mu_r_first"] >= 3, claims["first_input_per_seed"]
    assert (tmp_path / "fig_4_3.png").stat().st_size > 0
    assert "not DeepMind" in json.loads((tmp_path / "fig_4_3.json").read_text())["data"]


def test_fig_4_3_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch, shrink_jobs):
    """400 knots, 3 KAN iterations per subset, one 100-step MLP check: jobs, claims, model and files."""
    monkeypatch.setattr(fig_4_3, "QUICK_ROWS", 400)
    # every job and the figure read the 2 MB census again (about half a second each): read it once
    monkeypatch.setattr(fig_4_3, "load_knots", functools.lru_cache(maxsize=None)(fig_4_3.load_knots))
    shrink_jobs(fig_4_3, steps=3, max_steps=100)
    monkeypatch.setattr(fig_4_3, "N_SEEDS", 2)
    summary = fig_4_3.main(["--quick", "--out", str(tmp_path)])
    kans = [f"kan_{s}_s{seed}" for s in ("all", "mu_r_mu_i_lambda", "mu_i", "mu_r") for seed in (0, 1)]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    # no model file without --save-models: the diagram's KAN stayed in memory
    assert written == sorted(["fig_4_3.json", "fig_4_3.png", "jobs.json", "jobs/mlp_s0.json", "jobs/mlp_s1.json"]
                             + [f"jobs/{k}.json" for k in kans])
    claims = summary["claims"]
    assert set(claims["ablation_test_acc"]) == {"all", "mu_r,mu_i,lambda", "mu_r", "mu_i"}
    for acc in claims["ablation_test_acc"].values():
        assert acc["min"] <= acc["median"] <= acc["max"]
    assert sorted(claims["input_ranking"]) == sorted(fig_4_3.SUBSETS["all"])
    assert claims["seeds"] == [0, 1] and set(claims["per_seed"]) == {"0", "1"}
    assert claims["mlp_steps"]["median"] == 100 and claims["param_ratio"] > 100
    for job in summary["jobs"]:
        assert job["n_train"] == 300 and 0.0 <= job["test_acc"] <= 1.0  # 75 % of the 400 rows
