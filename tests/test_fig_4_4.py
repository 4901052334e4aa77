"""Quick variant of Figure 4.4 (unsupervised relations among knot invariants)."""
import pytest

from paper_figures import fig_4_4


@pytest.mark.slow
def test_fig_4_4_quick_finds_the_signature_and_geodesic_relations(tmp_path):
    summary = fig_4_4.main(["--quick", "--out", str(tmp_path)])
    runs = summary["claims"]["all"]["cluster_runs"]
    # seeds 0-2 at lambda = 1e-3: sigma with the slope's inputs (mu_r, lambda), and g_r with r
    assert runs["signature"] >= 1 and runs["geodesic"] >= 1, summary["claims"]
    for run in summary["runs"]:  # sparsity leaves a handful of the 16 variables, never all
        assert 2 <= len(run["active"]) <= 6, run
    assert (tmp_path / "fig_4_4.png").stat().st_size > 0


def test_fig_4_4_smoke_runs_the_script_end_to_end(tmp_path, shrink_jobs):
    """200 knots, 5 iterations, the three quick seeds: the runs, the cluster counts and the figure."""
    shrink_jobs(fig_4_4, rows=200, steps=5)
    summary = fig_4_4.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["fig_4_4.json", "fig_4_4.png", "jobs.json"] + [f"jobs/lamb0.001_seed{s}.json" for s in range(3)]
    claims = summary["claims"]["all"]
    assert claims["n_runs"] == 3 and set(claims["cluster_runs"]) == set(fig_4_4.CLUSTERS)
    for run in summary["runs"]:
        assert set(run["active"]) <= set(fig_4_4.VARIABLES) and run["config"]["rows"] == 200
