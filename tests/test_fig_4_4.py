"""Quick variant of Figure 4.4 (unsupervised relations among knot invariants)."""
from paper_figures import fig_4_4


def test_fig_4_4_quick_finds_the_signature_and_geodesic_relations(tmp_path):
    summary = fig_4_4.main(["--quick", "--out", str(tmp_path)])
    runs = summary["claims"]["all"]["cluster_runs"]
    # seeds 0-2 at lambda = 1e-3: sigma with the slope's inputs (mu_r, lambda), and g_r with r
    assert runs["signature"] >= 1 and runs["geodesic"] >= 1, summary["claims"]
    for run in summary["runs"]:  # sparsity leaves a handful of the 16 variables, never all
        assert 2 <= len(run["active"]) <= 6, run
    assert (tmp_path / "fig_4_4.png").stat().st_size > 0
