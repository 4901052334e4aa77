"""Quick variant of Table 3 / Figs D.1-D.3: KANs and MLPs on Feynman equations."""
import json

import numpy as np
import pytest

from paper_figures import table_3


@pytest.mark.slow
def test_table_3_quick_kans_comparable_to_mlps(tmp_path, capsys):
    summary = table_3.main(["--quick", "--out", str(tmp_path)])
    rows, c = summary["table"], summary["claims"]
    assert list(rows) == list(table_3.QUICK_EQUATIONS)
    # every family has a finite test RMSE on every equation
    assert c["all_four_families_finite"], rows
    for eq, r in rows.items():
        for key in ("human_rmse", "pruned_rmse", "unpruned_rmse", "mlp_rmse"):
            assert np.isfinite(r[key]), (eq, key, r[key])
        # "comparable": the best KAN is within 10x of the MLP on each equation ...
        assert r["kan_best_rmse"] < 10 * r["mlp_rmse"], (eq, r)
    # ... beats it on at least half of them, and is better on average (geometric mean ratio < 1)
    assert c["beats_mlp"]["kan_best"]["n_beats_mlp"] >= 1, c["beats_mlp"]
    assert c["kan_best_beats_mlp_on_at_least_half"], c["beats_mlp"]
    assert c["kan_best_over_mlp_geometric_mean"] < 1.0, c
    # I.16.6 (relativistic velocity addition) prunes to a 2-layer KAN at lambda = 1e-2
    assert c["I.16.6_prunes_to_two_layers"], c["I.16.6_pruned_shapes"]
    for name in ("fig_d_1.png", "fig_d_2.png", "fig_d_3.png"):
        assert (tmp_path / name).stat().st_size > 0
    saved = json.loads((tmp_path / "table_3.json").read_text())
    assert saved["quick"] is True and set(saved["table"]) == set(rows)
    md = (tmp_path / "table_3.md").read_text()
    assert all(f"| {eq} |" in md for eq in rows)
    assert "beats_mlp" in capsys.readouterr().out


def test_table_3_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch):
    """One equation, grids 3 and 5 at 3 iterations, a 5-iteration MLP: the four families, the table,
    the three figures and the files."""
    monkeypatch.setattr(table_3, "QUICK_EQUATIONS", ("I.12.11",))
    monkeypatch.setattr(table_3, "QUICK_GRIDS", (3, 5))
    for name, value in (("QUICK_KAN_STEPS", 3), ("QUICK_SPARSIFY_STEPS", 3), ("QUICK_MLP_STEPS", 5)):
        monkeypatch.setattr(table_3, name, value)
    summary = table_3.main(["--quick", "--out", str(tmp_path)])
    jobs = ["I.12.11_human.json", "I.12.11_mlp_d3_tanh_it5.json", "I.12.11_pruned_2x5x1_lamb0.01.json",
            "I.12.11_unpruned_2x5x1.json"]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(["fig_d_1.png", "fig_d_2.png", "fig_d_3.png", "table_3.json", "table_3.md", "jobs.json"]
                             + [f"jobs/{j}" for j in jobs])
    (row,) = summary["table"].values()
    for key in ("human_rmse", "pruned_rmse", "unpruned_rmse", "mlp_rmse"):
        assert np.isfinite(row[key]), (key, row)
    assert row["kan_best_rmse"] == min(row["human_rmse"], row["pruned_rmse"], row["unpruned_rmse"])
    assert summary["scale"]["grids"] == [3, 5] and summary["scale"]["n_runs"] == 4
    assert "| I.12.11 |" in (tmp_path / "table_3.md").read_text()
