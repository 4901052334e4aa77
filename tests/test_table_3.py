"""Quick variant of Table 3 / Figs D.1-D.3: KANs and MLPs on Feynman equations."""
import json

import numpy as np
import pytest

from paper_figures import table_3


@pytest.mark.slow
def test_table_3_quick_human_kans_reach_the_papers_accuracy_on_most_seeds(tmp_path, capsys):
    """The quick run on cases fixed by a rule: the first three equations of Table 3 in the paper's
    order (I.6.2, I.6.2b, I.9.18), seeds 0, 1, 2; the human-constructed KAN with its recipe (5
    restarts on the first grid, 100 iterations per grid, G = 3..20), [n, 5, 1] unpruned and pruned
    (lambda = 1e-2) at 50 iterations per grid, the [n, 20, 1] tanh MLP trained by the convergence
    rule with a cap of 3000 iterations. About 60 s of CPU. It asserts:

    * every family has a finite test RMSE on every equation and seed;
    * the human-constructed KAN is within 3x of the paper's human-constructed RMSE (3x: the factor
      of issue 21's target) on at least 2 of the 3 seeds, on every equation (measured, ours / the
      paper's: I.6.2 2.5, 0.54, 3.1; I.6.2b 0.47, 0.98, 45; I.9.18 0.52, 0.70, 0.49. With the
      earlier recipe, no restarts, the committed run had I.6.2 at 2.4e-2 against 7.7e-5);
    * each MLP stopped by the rule or at the cap, and says which.

    It does not assert which family wins or the pruned shapes: at this budget the MLPs mostly reach
    the cap (8 of 9 runs, still falling) and lambda = 1e-2 after 100 sparsifying iterations leaves
    [n, 5, 1] on 8 of 9 runs (measured; [2, 3, 1] on I.6.2 seed 2), so neither comparison would
    be the paper's.
    """
    summary = table_3.main(["--quick", "--out", str(tmp_path), "--quiet"])
    rows, c = summary["table"], summary["claims"]
    equations = list(table_3.EQUATIONS[:3])
    assert equations == ["I.6.2", "I.6.2b", "I.9.18"] and list(rows) == equations
    assert summary["scale"]["seeds"] == [0, 1, 2]
    assert c["all_four_families_finite"], rows
    for eq in equations:
        per_seed = rows[eq]["per_seed"]
        assert sorted(per_seed) == ["0", "1", "2"]
        for seed, v in per_seed.items():
            for key in ("human_rmse", "pruned_rmse", "unpruned_rmse", "mlp_rmse"):
                assert v[key] is not None and np.isfinite(v[key]), (eq, seed, key, v)
        paper_human = table_3.PAPER_TABLE_3[eq][3]
        ok = [v["human_rmse"] <= 3 * paper_human for v in per_seed.values()]
        assert sum(ok) >= 2, (eq, [v["human_rmse"] for v in per_seed.values()], paper_human)
    jobs = json.loads((tmp_path / "jobs.json").read_text())
    for name, r in jobs.items():
        if r["config"]["family"] == "mlp":
            rec = r["converged"]
            assert rec["steps"] <= 3000 and (rec["converged"] or rec["steps"] == 3000), (name, rec)
        if r["config"]["family"] == "human":
            assert r["config"]["restarts"] == 5 and [s["G"] for s in r["stages"]] == [3, 5, 10, 20]
    for name in ("fig_d_1.png", "fig_d_2.png", "fig_d_3.png"):
        assert (tmp_path / name).stat().st_size > 0
    saved = json.loads((tmp_path / "table_3.json").read_text())
    assert saved["quick"] is True and saved["scale_name"] == "quick"
    assert all(f"| {eq} |" in (tmp_path / "table_3.md").read_text() for eq in equations)
    assert "n_kan_best_within_3x_of_paper" in capsys.readouterr().out


def test_table_3_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch):
    """One equation, grids 3 and 5 at 3 iterations, a converged-rule MLP capped at 5 iterations: the
    four families, the table, the three figures and the files."""
    monkeypatch.setattr(table_3, "QUICK", dict(table_3.QUICK, equations=("I.12.11",), seeds=1, grids=(3, 5),
                                               steps=3, sparsify_steps=3, human=dict(restarts=1, steps=3),
                                               mlp_steps=5,
                                               mlp_converged={"rel": 0.01, "fraction": 0.1, "min_steps": 2}))
    summary = table_3.main(["--quick", "--out", str(tmp_path), "--quiet"])
    jobs = ["I.12.11_human.json", "I.12.11_mlp_d2_tanh.json", "I.12.11_pruned_2x5x1_lamb0.01.json",
            "I.12.11_unpruned_2x5x1.json"]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(["fig_d_1.png", "fig_d_2.png", "fig_d_3.png", "table_3.json", "table_3.md", "jobs.json"]
                             + [f"jobs/{j}" for j in jobs])
    (row,) = summary["table"].values()
    for key in ("human_rmse", "pruned_rmse", "unpruned_rmse", "mlp_rmse"):
        assert np.isfinite(row[key]), (key, row)
    assert row["kan_best_rmse"] == min(row["human_rmse"], row["pruned_rmse"], row["unpruned_rmse"])
    assert summary["scale"]["grids"] == [3, 5] and summary["scale"]["n_runs"] == 4
    packed = json.loads((tmp_path / "jobs.json").read_text())
    human, mlp = packed["I.12.11_human"], packed["I.12.11_mlp_d2_tanh"]
    assert human["config"]["restarts"] == 1 and [s["iterations"] for s in human["stages"]] == [3, 3]
    assert mlp["converged"]["steps"] <= 5 and mlp["config"]["converged"]["min_steps"] == 2
    assert row["mlp_best"]["converged"] == mlp["converged"]
    assert "| I.12.11 |" in (tmp_path / "table_3.md").read_text()


def test_the_analysis_reproduces_the_committed_summary_from_the_committed_jobs():
    """table() and claims() on the committed jobs give the committed summary, including the
    comparison with the paper (best KAN within 3x of the paper's, the per-equation winners)."""
    from pathlib import Path

    folder = Path(table_3.__file__).parent / "results" / "table_3"
    results = list(json.loads((folder / "jobs.json").read_text()).values())
    committed = json.loads((folder / "table_3.json").read_text())
    rows = table_3.table(results)
    claims = table_3.claims(rows)
    assert list(rows) == list(committed["table"])  # the paper's order
    for key, value in committed["claims"].items():
        assert claims[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), key
    for eq, old in committed["table"].items():
        assert {k: rows[eq][k] for k in old} == old, eq
    # the counts are what the per-equation records say
    vs, win = claims["kan_best_vs_paper"], claims["winners"]
    assert claims["n_kan_best_within_3x_of_paper"] == sum(
        rows[e]["kan_best_rmse"] <= 3 * min(table_3.PAPER_TABLE_3[e][3:6]) for e in rows) == sum(v["within_3x"] for v in vs.values())
    assert claims["n_winner_agrees_with_paper"] == sum(w["ours"] == w["paper"] for w in win.values())


def test_paper_comparison_counts_within_3x_and_winners():
    """Two hand-made rows: one within 3x (and below the paper: counts), one 4x above; winners."""
    def row(h, p, u, m, paper):
        return {"human_rmse": h, "pruned_rmse": p, "unpruned_rmse": u, "mlp_rmse": m,
                "kan_best_rmse": min(h, p, u),
                "paper": dict(zip(("human_rmse", "pruned_rmse", "unpruned_rmse", "mlp_rmse"), paper))}
    rows = {"a": row(1e-4, 2e-4, 3e-4, 5e-4, (1e-3, 2e-3, 3e-3, 5e-4)),   # ours 1e-4 vs paper 1e-3
            "b": row(4e-3, 5e-3, 6e-3, 1e-3, (1e-3, 2e-3, 3e-3, 5e-4))}   # ours 4e-3 vs 1e-3: 4x
    c = table_3.paper_comparison(rows)
    assert c["n_kan_best_within_3x_of_paper"] == 1 and c["kan_best_vs_paper"]["b"]["ratio"] == pytest.approx(4)
    assert c["winners"]["a"] == {"ours": "human", "paper": "mlp", "agree": False, "kan_beats_mlp": True,
                                 "paper_kan_beats_mlp": False}
    assert c["winners"]["b"]["ours"] == "mlp" == c["winners"]["b"]["paper"] and c["n_winner_agrees_with_paper"] == 1
    assert c["n_kan_vs_mlp_agrees_with_paper"] == 1


def test_the_paper_scale_is_the_papers_protocol():
    """Section 3.3: per equation, 3 seeds x (the human shape, width-5 KANs of depth 2..6, KANs pruned
    from each at lambda 1e-2 and 1e-3, MLPs of width 20, depth 2..6, tanh/ReLU/SiLU); G = 3..200
    with 200 pykan steps (4000 L-BFGS iterations) per grid; MLPs to the convergence rule."""
    paper = table_3.configs_for(table_3.PAPER, 0)
    assert len(paper) == 27 * 3 * (1 + 5 + 10 + 15) == len({c["job"] for c in paper}) == 2511
    assert {c["seed"] for c in paper} == {0, 1, 2} and all(c["job"].endswith(f"_s{c['seed']}") for c in paper)
    kans = [c for c in paper if c["family"] != "mlp"]
    assert all(c["grids"] == [3, 5, 10, 20, 50, 100, 200] and c["steps"] == 4000 for c in kans)
    assert {len(c["width"]) - 1 for c in kans if c["family"] == "unpruned"} == {2, 3, 4, 5, 6}
    assert {(len(c["width"]) - 1, c["lamb"]) for c in kans if c["family"] == "pruned"} == {
        (d, lamb) for d in range(2, 7) for lamb in (1e-2, 1e-3)}
    assert all(c["sparsify_steps"] == 4000 for c in kans if c["family"] == "pruned")
    human = [c for c in kans if c["family"] == "human"]
    assert len(human) == 81 and all(c["restarts"] == 5 for c in human)
    mlps = [c for c in paper if c["family"] == "mlp"]
    assert {(c["depth"], c["activation"]) for c in mlps} == {(d, a) for d in range(2, 7)
                                                             for a in ("tanh", "relu", "silu")}
    assert all(c["width"][1:-1] == [20] * (c["depth"] - 1) and c["steps"] == 20000
               and c["converged"] == {"rel": 0.01, "fraction": 0.1, "min_steps": 500} for c in mlps)
    assert {c["seed"] for c in table_3.configs_for(table_3.PAPER, 5)} == {5, 6, 7}


def test_table_3_paper_scale_smoke_two_seeds_end_to_end(tmp_path, monkeypatch):
    """--paper's structure (seeds in the job names, per-seed rows with medians, converged MLPs) on a
    tiny budget."""
    monkeypatch.setattr(table_3, "PAPER", dict(table_3.PAPER, equations=("I.12.11",), seeds=2, grids=(3, 5),
                                               steps=3, sparsify_steps=3, unpruned_depths=(2,),
                                               pruned_depths=(2,), lambdas=(1e-2,),
                                               human=dict(restarts=1, steps=3), mlp_depths=(2,),
                                               mlp_activations=("tanh",), mlp_steps=6,
                                               mlp_converged={"rel": 0.01, "fraction": 0.1, "min_steps": 2}))
    summary = table_3.main(["--paper", "--out", str(tmp_path), "--quiet"])
    names = sorted(json.loads((tmp_path / "jobs.json").read_text()))
    assert names == sorted(f"I.12.11_{j}_s{s}" for s in (0, 1)
                           for j in ("human", "unpruned_2x5x1", "pruned_2x5x1_lamb0.01", "mlp_d2_tanh"))
    assert summary["scale_name"] == "paper" and summary["scale"]["seeds"] == [0, 1] and summary["partial"] is None
    row = summary["table"]["I.12.11"]
    assert sorted(row["per_seed"]) == ["0", "1"]
    best = [v["kan_best_rmse"] for v in row["per_seed"].values()]
    assert row["kan_best_rmse"] == min(best) and row["kan_best_rmse_range"] == [min(best), max(best)]
    assert row["kan_best_rmse_median"] == pytest.approx(np.median(best))
    c = summary["claims"]
    assert c["n_kan_best_within_3x_of_paper_seed_median"] in (0, 1) and c["n_compared_with_paper"] == 1
    for s in (0, 1):
        mlp = json.loads((tmp_path / "jobs" / f"I.12.11_mlp_d2_tanh_s{s}.json").read_text())
        assert mlp["converged"]["steps"] <= 6
    # a slice: --jobs runs the matching jobs only and the summary says so
    part = table_3.main(["--paper", "--out", str(tmp_path / "slice"), "--quiet", "--jobs", "*_s1"])
    assert part["partial"]["jobs_run"] == 4 and part["partial"]["jobs_in_sweep"] == 8
    for name in ("fig_d_1.png", "fig_d_2.png", "fig_d_3.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_full_jobs_are_the_committed_ones():
    """FULL's configurations are those of the committed run, all of them, and every job carries its
    CPU record; each MLP stopped by the convergence rule or at the cap."""
    from pathlib import Path

    committed = json.loads((Path(table_3.__file__).parent / "results" / "table_3" / "jobs.json").read_text())
    assert {c["job"]: c for c in table_3.configs_for(table_3.FULL, 0)} == {
        name: r["config"] for name, r in committed.items()}
    for name, r in committed.items():
        assert r["job_record"]["cpu_seconds"] > 0, name
        if r["config"]["family"] == "mlp":
            rec = r["converged"]
            assert rec["converged"] or rec["steps"] == table_3.FULL["mlp_steps"], (name, rec)
