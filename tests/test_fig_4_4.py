"""Figure 4.4 (unsupervised relations among knot invariants): the quick check, the smoke tests of the
full and paper scales."""
import fnmatch
import json
from pathlib import Path

import pytest

from paper_figures import fig_4_4


# The quick check's cases, fixed by a rule: seeds 0..N_SEEDS-1 at both of the paper's lambdas, all 16
# variables, the quick budget (1,000 knots, 150 iterations).
N_SEEDS = 10
# Required success counts over those 20 runs: half the count that the committed full run's rate
# (results/fig_4_4/, the 20 runs on all 16 variables) predicts for 20 runs, rounded down; beside each,
# the chance of a smaller count under that rate (binomial).
SIGMA_MU_R = {"signature", "meridinal_translation_real"}
FULL_RATES = {"geodesic": 6 / 20,      # {g_r, r}: 20 x 0.30 / 2 = 3; P(< 3) = 3.5 %
              "sigma with mu_r": 7 / 20}  # sigma and mu_r active together: 20 x 0.35 / 2 = 3.5 -> 3; P(< 3) = 1.2 %


@pytest.mark.slow
def test_fig_4_4_quick_rates_of_the_geodesic_and_signature_relations(tmp_path):
    """Section 4.3: over 200 networks (lambda in {1e-2, 1e-3} x seeds 0-99) the active sets fall into
    three clusters, {sigma, mu_r, lambda}, {V, mu_r, lambda} and {g_r, r}. Read as success rates
    over seeds 0-9 (``N_SEEDS``) at both lambdas, 20 runs of the quick budget.

    Asserted: {g_r, r} (here r = g_r / 2 exactly) active in >= 3/20 runs, and sigma active together
    with mu_r (the inputs of the signature's slope) in >= 3/20 (thresholds: ``FULL_RATES``); every
    run's active set is read from its stored scores.

    Not asserted, because the committed full run does not support them: the whole signature
    cluster {sigma, mu_r, lambda} (1/20 runs in the full run; lambda is mostly inactive), the
    cusp-volume cluster (0/20 with all 16 variables, 1/20 without the one-hot columns), and that
    the runs fall into three clusters only (the six one-hot symmetry columns, dependent among
    themselves, are active in 16/20 full runs). Measured on these quick cases before the check
    was written: {g_r, r} 7/20, sigma with mu_r 6/20, {sigma, mu_r, lambda} 2/20, cusp volume
    0/20. About 30 s of CPU.
    """
    assert fig_4_4.QUICK["seeds"] == N_SEEDS and fig_4_4.QUICK["lambs"] == (1e-2, 1e-3)
    summary = fig_4_4.main(["--quick", "--out", str(tmp_path), "--quiet"])
    runs = summary["runs"]
    assert sorted((r["config"]["lamb"], r["config"]["seed"]) for r in runs) == sorted(
        (lamb, s) for lamb in (1e-2, 1e-3) for s in range(N_SEEDS))
    found = {"geodesic": summary["claims"]["all"]["cluster_runs"]["geodesic"],
             "sigma with mu_r": sum(SIGMA_MU_R <= set(r["active"]) for r in runs)}
    assert found["geodesic"] == sum(fig_4_4.CLUSTERS["geodesic"] <= set(r["active"]) for r in runs)
    for name, rate in FULL_RATES.items():
        assert found[name] >= int(len(runs) * rate / 2), (name, found, summary["claims"]["all"]["active_sets"])
    jobs = json.loads((tmp_path / "jobs.json").read_text())
    for run in jobs.values():  # the active set is the inputs above 0.1 x the largest score
        top = max(run["scores"])
        assert run["active"] == sorted(v for v, sc in zip(fig_4_4.VARIABLES, run["scores"]) if sc > 0.1 * top)
    assert (tmp_path / "fig_4_4.png").stat().st_size > 0


def test_fig_4_4_smoke_runs_the_script_end_to_end(tmp_path, shrink_jobs, monkeypatch):
    """200 knots, 5 iterations, two quick seeds per lambda: the runs, the rates and the figure."""
    monkeypatch.setattr(fig_4_4, "QUICK", dict(fig_4_4.QUICK, seeds=2))
    shrink_jobs(fig_4_4, rows=200, steps=5)
    summary = fig_4_4.main(["--quick", "--out", str(tmp_path), "--quiet"])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    jobs = sorted(f"jobs/lamb{lamb}_seed{s}.json" for lamb in ("0.01", "0.001") for s in range(2))
    assert written == ["fig_4_4.json", "fig_4_4.png", "jobs.json"] + jobs
    claims = summary["claims"]["all"]
    assert claims["n_runs"] == 4 and set(claims["cluster_runs"]) == set(fig_4_4.CLUSTERS)
    assert all(rate.endswith("/4") for rate in claims["cluster_rate"].values())
    assert {lamb: v["seeds"] for lamb, v in claims["by_lambda"].items()} == {"0.01": [0, 1], "0.001": [0, 1]}
    assert summary["partial"] is None and summary["scale_name"] == "quick"
    for run in summary["runs"]:
        assert set(run["active"]) <= set(fig_4_4.VARIABLES) and run["config"]["rows"] == 200
        assert 1 <= run["iterations"] <= 5 and run["cpu_seconds"] > 0


def test_fig_4_4_full_jobs_are_the_committed_ones_and_the_paper_scale_is_the_papers_protocol():
    committed = json.loads((Path(fig_4_4.__file__).parent / "results" / "fig_4_4" / "jobs.json").read_text())
    # FULL is unchanged: its configurations are those of the committed run, in full
    assert {c["job"]: c for c in fig_4_4.configs_for(fig_4_4.FULL, 0)} == {
        name: r["config"] for name, r in committed.items()}
    paper = fig_4_4.configs_for(fig_4_4.PAPER, 0)
    # Section 4.3: lambda in {1e-2, 1e-3} x seeds 0-99 = 200 networks, all variables, all knots
    assert len(paper) == 200 == len({c["job"] for c in paper})
    assert [c["job"] for c in paper if c["seed"] < 30] == [c["job"] for c in paper
                                                          if fnmatch.fnmatchcase(c["job"], "lamb*_seed[0-2]?")]
    assert {(c["lamb"], c["seed"]) for c in paper} == {(lamb, s) for lamb in (1e-2, 1e-3) for s in range(100)}
    assert all(c["rows"] is None and c["steps"] == 1000 and "variables" not in c for c in paper)
    assert fig_4_4.variables(None).shape == (9139, 16)  # every knot of the file, 16 variables
    assert {c["seed"] for c in fig_4_4.configs_for(fig_4_4.PAPER, 100)} == set(range(100, 200))
    with pytest.raises(ValueError, match="variable set"):
        fig_4_4.configs_for(dict(fig_4_4.QUICK, variable_sets=("odd",)), 0)


def test_fig_4_4_paper_scale_smoke_and_a_jobs_slice(tmp_path, monkeypatch):
    """--paper's structure on a tiny budget (2 seeds, 200 knots, 3 iterations), then --jobs: a slice
    of it, whose summary says it is partial and provisional, resumed by the whole sweep."""
    monkeypatch.setattr(fig_4_4, "PAPER", dict(fig_4_4.PAPER, seeds=2, rows=200, steps=3))
    assert [c["job"] for c in fig_4_4.configs_for(fig_4_4.PAPER, 0)] == [
        "lamb0.01_seed00", "lamb0.001_seed00", "lamb0.01_seed01", "lamb0.001_seed01"]  # seed by seed
    part = fig_4_4.main(["--paper", "--out", str(tmp_path), "--quiet", "--jobs", "lamb0.001_*"])
    assert part["partial"] == {"pattern": "lamb0.001_*", "jobs_run": 2, "jobs_in_sweep": 4, "provisional": True}
    assert part["claims"]["all"]["n_runs"] == 2 and list(part["claims"]["all"]["by_lambda"]) == ["0.001"]
    saved = json.loads((tmp_path / "fig_4_4_paper.json").read_text())
    assert saved["scale_name"] == "paper" and saved["partial"]["provisional"] is True
    assert not (tmp_path / "fig_4_4.json").exists() and (tmp_path / "fig_4_4_paper.png").stat().st_size > 0

    calls = []
    monkeypatch.setattr(fig_4_4, "job", lambda c, job=fig_4_4.job: calls.append(c["job"]) or job(c))
    whole = fig_4_4.main(["--paper", "--out", str(tmp_path), "--quiet"])
    assert sorted(calls) == ["lamb0.01_seed00", "lamb0.01_seed01"]  # the slice's jobs are reused
    assert whole["partial"] is None and whole["n_jobs"] == 4 and whole["claims"]["all"]["n_runs"] == 4
    assert set(whole["provenance"]["jobs"]) == {f"lamb{lamb}_seed0{s}" for lamb in ("0.01", "0.001") for s in (0, 1)}
    for run in whole["runs"]:
        assert run["config"]["rows"] == 200 and 1 <= run["iterations"] <= 3
