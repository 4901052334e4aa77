"""Figure 3.3 (Poisson PDE): the quick check, smoke runs of the scales, and the analysis."""
import json

import numpy as np
import pytest

from paper_figures import fig_3_3


@pytest.mark.slow
def test_fig_3_3_quick_grid_extension_and_the_converged_mlp_on_the_poisson_problem(tmp_path, capsys):
    """The quick run on the cases fixed by a rule: seeds 0, 1, 2 (the first three), n_i = 1,600
    (a 40 x 40 mesh), the KAN [2, 5, 1] through G = 5 -> 10 (100 iterations each) and the MLP
    [2, 20, 20, 1] trained until the convergence rule stops it (|dL| < 1 % over the last 10 %,
    after at least 200; cap 2000). Asserted: grid extension G = 5 -> 10 lowers the KAN's L2^2 on a
    majority of the seeds (>= 2 of 3), with fewer parameters than the MLP (225 against 501); every
    MLP's record says whether the rule stopped it or the cap did, and the summary counts them.

    Not asserted: "the KAN's L2^2 is below the MLP's". Against the MLP trained this long it is not,
    at this budget: measured, the KAN below on 1 of the 3 seeds (seed 0: KAN 2.1e-5 against MLP
    1.2e-3; seeds 1, 2: KAN 2.2e-4, 1.8e-4 against MLP 3.2e-5, 3.2e-5), and every MLP reached the
    cap (2000) with its loss still changing, i.e. not converged by the rule; so the quick run does
    not support the paper's gap. The full run (the [2, 10, 1] KAN through G = 20 against the
    4 x 100 MLP) reports it with the seeds' medians. Grid extension lowered L2^2 on 3/3 seeds.
    103 s of CPU."""
    summary = fig_3_3.main(["--quick", "--out", str(tmp_path), "--quiet"])
    claims = summary["claims"]
    assert summary["seeds"] == [0, 1, 2] and claims["n_seeds"] == 3 and claims["n_i"] == 1600
    assert claims["kan"]["width"] == [2, 5, 1] and claims["mlp"]["width"] == [2, 20, 20, 1]
    assert claims["kan"]["n_params"] < claims["mlp"]["n_params"]
    majority = 2
    refined = [st[1]["l2sq"] < st[0]["l2sq"] for job, st in summary["stages"].items() if job.startswith("kan_")]
    assert len(refined) == 3 and sum(refined) >= majority, summary["stages"]
    for job, record in summary["converged"].items():
        assert record["converged"] or record["steps"] == 2000, (job, record)
        assert summary["stages"][job][-1]["steps"] == record["steps"]
    assert claims["mlp"]["n_converged"] == sum(r["converged"] for r in summary["converged"].values())
    assert claims["n_kan_below_mlp_l2sq"] == sum(v["kan"]["l2sq"] < v["mlp"]["l2sq"]
                                                 for v in claims["per_seed"].values())
    assert (tmp_path / "fig_3_3.png").stat().st_size > 0
    out = json.loads(capsys.readouterr().out)
    assert out["mlp_over_kan_l2sq"] == claims["mlp_over_kan_l2sq"]


def _smoke_scale(scale, **changes):
    return dict(scale, n_i=100, n_b=40, n_eval=50, grids=[5, 10], steps_per_grid=3,
                mlp_converged={"rel": 0.01, "fraction": 0.1, "min_steps": 2}, **changes)


def test_fig_3_3_smoke_runs_the_script_end_to_end(tmp_path, capsys, monkeypatch):
    """A 10 x 10 interior mesh, grids 5 and 10 at 3 iterations, the MLP capped at 6, two seeds:
    jobs, per-seed claims, medians, convergence records, files."""
    monkeypatch.setattr(fig_3_3, "QUICK", _smoke_scale(fig_3_3.QUICK, mlp_caps=[6], seeds=2))
    summary = fig_3_3.main(["--quick", "--out", str(tmp_path), "--quiet"])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    jobs = [f"{kind}_ni100__s{s}" for s in (0, 1) for kind in ("kan_2x5x1", "mlp_2x20x20x1")]
    assert written == sorted(["fig_3_3.json", "fig_3_3.png", "jobs.json"] + [f"jobs/{j}.json" for j in jobs])
    claims = summary["claims"]
    assert claims["n_i"] == 100 and claims["n_seeds"] == 2 and set(claims["per_seed"]) == {"0", "1"}
    assert [s["G"] for s in summary["stages"]["kan_2x5x1_ni100__s1"]] == [5, 10]
    ratios = [v["mlp_over_kan_l2sq"] for v in claims["per_seed"].values()]
    assert claims["mlp_over_kan_l2sq"]["median"] == pytest.approx(np.median(ratios))
    assert claims["mlp_over_kan_l2sq"]["range"] == [min(ratios), max(ratios)]
    for s in (0, 1):
        record = summary["converged"][f"mlp_2x20x20x1_ni100__s{s}"]
        assert record["steps"] <= 6 and summary["stages"][f"mlp_2x20x20x1_ni100__s{s}"][-1]["steps"] == record["steps"]
    saved = json.loads((tmp_path / "fig_3_3.json").read_text())
    assert json.loads(capsys.readouterr().out) == {k: v for k, v in saved["claims"].items() if k != "per_seed"}


def test_fig_3_3_paper_scale_smoke(tmp_path, monkeypatch):
    """--paper's structure (every run at one n_i, three KAN and three MLP widths, seeds, converged
    MLPs with their caps) on a tiny budget, two seeds, and a --jobs slice marked provisional."""
    monkeypatch.setattr(fig_3_3, "PAPER", _smoke_scale(fig_3_3.PAPER, mlp_caps=[4, 4, 4], seeds=2,
                                                       kan_widths=[[2, 3, 1], [2, 10, 1]],
                                                       mlp_widths=[[2, 4, 4, 1], [2, 100, 100, 100, 1], [2, 6, 6, 1]]))
    summary = fig_3_3.main(["--paper", "--out", str(tmp_path), "--quiet"])
    names = sorted(json.loads((tmp_path / "jobs.json").read_text()))
    assert len(names) == 2 * 5 and all(n.endswith(("__s0", "__s1")) and "_ni100_" in n for n in names)
    # the committed scale's shape: the sweep on the first seed, the reference pair on both
    monkeypatch.setattr(fig_3_3, "PAPER", dict(fig_3_3.PAPER, sweep_seeds=1))
    uneven = fig_3_3.main(["--paper", "--out", str(tmp_path / "uneven"), "--quiet"])["claims"]
    assert uneven["mlps"]["2x100x100x100x1"]["n_seeds"] == 2 and uneven["mlps"]["2x4x4x1"]["n_seeds"] == 1
    assert uneven["scaling_vs_params"]["mlp"]["n_seeds"] == 1 and uneven["n_seeds"] == 2
    c = summary["claims"]
    assert summary["scale_name"] == "paper" and summary["partial"] is None and c["n_seeds"] == 2
    assert c["kan"]["width"] == [2, 10, 1] and c["mlp"]["width"] == [2, 100, 100, 100, 1]
    assert set(c["mlps"]) == {"2x4x4x1", "2x100x100x100x1", "2x6x6x1"} and "kan_paper_scale" not in c
    assert all(m["cap"] == 4 and m["steps"]["range"][1] <= 4 for m in c["mlps"].values())
    assert np.isfinite(c["scaling_vs_params"]["mlp"]["slope_l2sq"]["median"])
    sliced = fig_3_3.main(["--paper", "--out", str(tmp_path / "slice"), "--quiet", "--jobs", "*__s1"])
    assert sliced["partial"] == {"pattern": "*__s1", "jobs_run": 2, "jobs_in_sweep": 7, "provisional": True}


def test_full_and_paper_scales():
    """The committed scale: the reference pair on 3 seeds, the other KANs and MLPs (converged by the
    rule, with caps) at n_i = 2,500 and the [2, 10, 1] KAN at n_i = 10^4 on the first seed; the
    paper's: n_i = 10^4 for every run, every width on every seed."""
    full = fig_3_3.configs_for(fig_3_3.FULL, 0)
    assert len(full) == 3 * 2 + 5 and {c["seed"] for c in full} == {0, 1, 2}
    assert sorted(c["job"] for c in full if c["seed"] == 2) == ["kan_2x10x1_ni2500__s2",
                                                                 "mlp_2x100x100x100x1_ni2500__s2"]
    mlps = [c for c in full if c["kind"] == "mlp"]
    assert all(c["converged"] == fig_3_3.MLP_CONVERGED and c["n_i"] == 2500 for c in mlps)
    assert {tuple(c["width"]): c["steps"] for c in mlps} == {(2, 20, 20, 1): 20000, (2, 50, 50, 1): 10000,
                                                            (2, 100, 100, 100, 1): 5000}
    assert [c["job"] for c in full if c["n_i"] == 10000] == ["kan_2x10x1_ni10000__s0"]
    paper = fig_3_3.configs_for(fig_3_3.PAPER, 0)
    assert len(paper) == 3 * 6 and all(c["n_i"] == 10000 and c["n_b"] == 800 and c["alpha"] == 0.01 for c in paper)
    assert all(c["steps"] == 20000 for c in paper if c["kind"] == "mlp")
    assert {c["seed"] for c in fig_3_3.configs_for(fig_3_3.PAPER, 4)} == {4, 5, 6}
