"""Quick variant of Figure 4.1: sparsified KANs prune to the paper's shapes for (a), (b) and (f)."""
import json

from minikan.datasets import make_toy
from paper_figures import fig_4_1


def test_fig_4_1_quick_prunes_to_the_paper_shapes(tmp_path):
    """(a) x y -> [2, 2, 1], (f) sqrt distance -> [4, 2, 1, 1] at seed 0; (b) x / y -> [2, 1, 1] on
    at least 3 of seeds 0-4.

    200 L-BFGS iterations with the penalty, then pruning. Seed 0 is the script's default. (a) and
    (f) reached their shapes on seeds 0-4 in the sizing runs. (b) is a rate: its second hidden node
    ends just above or below the threshold depending on the seed, and even on the BLAS kernels and
    thread count (seed 0 gave [2, 1, 1] with one OpenBLAS thread and [2, 2, 1] with two on the same
    machine; seeds 0-4 gave 3 or 4 of 5).
    """
    summary = fig_4_1.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    for name, width in (("xy", [2, 2, 1]), ("sqrt_distance", [4, 2, 1, 1])):
        assert claims[name]["pruned_widths"] == [width], (name, claims[name])
    for name in ("xy", "x_over_y", "sqrt_distance"):
        # the pruned KAN still fits: its error is at most half that of the best constant predictor
        spread = make_toy(name, seed=0).test_label.std()
        assert claims[name]["test_rmse_pruned"][0] < 0.5 * spread, (name, spread, claims[name])
    widths = [fig_4_1.job({"task": "x_over_y", "seed": seed, "steps": fig_4_1.QUICK_STEPS,
                           "retrain_steps": fig_4_1.QUICK_RETRAIN_STEPS, "symbolic_points": 0})["pruned_width"]
              for seed in range(5)]
    assert sum(w == [2, 1, 1] for w in widths) >= 3, widths
    assert (tmp_path / "fig_4_1.png").stat().st_size > 0
    saved = json.loads((tmp_path / "fig_4_1.json").read_text())
    assert saved["quick"] is True and len(saved["runs"]) == 3
