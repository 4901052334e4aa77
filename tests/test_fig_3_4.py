"""Quick variant of Figure 3.4: the KAN keeps every peak, the MLP forgets the first ones."""
import json

import numpy as np
import pytest

from paper_figures import fig_3_4


@pytest.mark.slow
def test_fig_3_4_quick_kan_remembers_and_mlp_forgets(tmp_path, capsys):
    summary = fig_3_4.main(["--quick", "--out", str(tmp_path)])
    assert summary["steps_per_phase"] == fig_3_4.QUICK_STEPS_PER_PHASE
    kan, mlp = summary["claims"]["kan"], summary["claims"]["mlp"]
    # figures-and-data.md, Fig 3.4: after phase 5 the KAN still fits the earlier peaks ...
    assert kan["max_error_earlier_peaks_after_last_phase"] < 0.05, kan
    assert kan["max_error_all_peaks_after_last_phase"] < 0.05, kan
    # ... and later phases never change what an earlier phase learned (locality of B-splines)
    assert kan["max_error_growth_after_learning"] < 1e-3, kan
    # ... while the MLP has overwritten peak 1
    assert mlp["peak1_error_after_last_phase"] > 0.3, mlp
    assert mlp["peak1_error_after_last_phase"] > 2 * mlp["peak1_error_after_phase1"], mlp
    errors = np.asarray(summary["errors"]["kan"])
    assert errors.shape == (5, 5)
    assert errors[0, 1:].min() > 0.5  # peaks not yet seen are missing after phase 1
    assert (tmp_path / "fig_3_4.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_3_4.json").read_text())["quick"] is True
    assert "mlp_peak1_above_0.3" in capsys.readouterr().out


def test_fig_3_4_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch):
    """3 iterations per phase: both models go through the five phases; errors, claims and files."""
    monkeypatch.setattr(fig_3_4, "QUICK_STEPS_PER_PHASE", 3)
    summary = fig_3_4.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["fig_3_4.json", "fig_3_4.png", "jobs.json", "jobs/kan.json", "jobs/mlp.json"]
    assert summary["steps_per_phase"] == 3
    for model in ("kan", "mlp"):
        errors = np.asarray(summary["errors"][model])
        assert errors.shape == (5, 5) and np.isfinite(errors).all()
        assert len(summary["claims"][model]["iterations_per_phase"]) == 5
        assert all(1 <= n <= 3 for n in summary["claims"][model]["iterations_per_phase"])
    assert set(summary["claims"]["targets"]) == {"kan_earlier_peaks_below_0.05", "mlp_peak1_above_0.3"}
