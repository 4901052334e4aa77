"""Figure 4.2, quick variant: the seed scan finds both groups of dependent variables."""
import json

import pytest

from paper_figures import fig_4_2


@pytest.mark.slow
def test_fig_4_2_quick_finds_both_dependent_groups(tmp_path, capsys):
    summary = fig_4_2.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]["frozen"]
    # the paper: one seed reveals (x1, x2, x3), another (x4, x5); quick runs seeds 0 and 6 only
    assert claims["both_groups_found"], claims
    assert claims["seeds_by_group"]["x1,x2,x3"] == [0]
    assert claims["seeds_by_group"]["x4,x5"] == [6]
    for run in summary["runs"]:
        scores = run["scores"]
        active = [i for i, s in enumerate(scores) if s > fig_4_2.ACTIVE_FRACTION * max(scores)]
        assert active == run["group"]  # the reading agrees with the stored scores
        assert run["test_mse"] < 0.1  # a relation was learned: a constant f gives 0.25
        assert 6 - 1 not in run["group"]  # x6 is independent: never in a group
    assert (tmp_path / "fig_4_2.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_4_2.json").read_text())["quick"] is True
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == ["frozen_seed0.json", "frozen_seed6.json"]
    assert "both_groups_found" in capsys.readouterr().out


def test_fig_4_2_reading_names_the_groups():
    assert fig_4_2.reading([0, 1, 2]) == "x1,x2,x3"
    assert fig_4_2.reading((3, 4)) == "x4,x5"
    assert fig_4_2.reading([5]) == "none"
    assert fig_4_2.reading([0, 2, 3, 4]) == "other"


def test_fig_4_2_claims_report_a_missing_group():
    runs = [{"config": {"variant": "frozen", "seed": s, "steps": 10}, "reading": r, "test_mse": 0.25}
            for s, r in ((0, "x1,x2,x3"), (1, "none"))]
    claims = fig_4_2.claims(runs)["frozen"]
    assert not claims["both_groups_found"]
    assert claims["seeds_by_group"] == {"x1,x2,x3": [0], "none": [1]}


def test_fig_4_2_smoke_runs_the_script_end_to_end(tmp_path, monkeypatch):
    """100 rows, 5 iterations, seeds 0 and 6: the reading, the claims and the files of the script."""
    monkeypatch.setattr(fig_4_2, "N_TRAIN", 100)
    monkeypatch.setattr(fig_4_2, "QUICK_STEPS", 5)
    summary = fig_4_2.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["fig_4_2.json", "fig_4_2.png", "jobs.json", "jobs/frozen_seed0.json", "jobs/frozen_seed6.json"]
    claims = summary["claims"]["frozen"]
    assert claims["seeds_scanned"] == [0, 6] and claims["steps"] == 5
    assert sorted(s for seeds in claims["seeds_by_group"].values() for s in seeds) == [0, 6]
    for run in summary["runs"]:
        assert len(run["scores"]) == 6 and run["reading"] == fig_4_2.reading(run["group"])
        assert 1 <= run["iterations"] <= 5
