"""Provenance of the figure scripts' outputs and the identity of their jobs.

Every summary JSON carries a ``"provenance"`` block (versions, git state, platform, command line,
configuration, per-job CPU and wall seconds, totals); every job's file records the SHA-256 of its
configuration, and a rerun never serves a changed configuration from an old file.
"""
import json
import shutil
import subprocess

import pytest

from paper_figures import _common, fig_3_4, fig_6_1

ENVIRONMENT_KEYS = {"versions", "python", "git_commit", "git_dirty", "platform", "machine", "cpu_count"}
RUN_KEYS = {"command_line", "started", "configuration", "jobs", "total", "wall_seconds"}


def _square(c):
    return {"value": c["x"] ** 2, "config": c}


class Calls:
    """A job that counts its calls: which configs really ran."""

    def __init__(self):
        self.names = []

    def __call__(self, c):
        self.names.append(c["job"])
        return _square(c)


# ------------------------------------------------------------------------------------- the block
def test_a_figure_summary_records_its_provenance(tmp_path, monkeypatch):
    monkeypatch.setattr(fig_3_4, "QUICK_STEPS_PER_PHASE", 3)
    out = tmp_path / "run"
    summary = fig_3_4.main(["--quick", "--quiet", "--out", str(out), "--seed", "2"])
    block = summary["provenance"]
    assert set(block) == ENVIRONMENT_KEYS | RUN_KEYS
    assert set(block["versions"]) == {"minikan", "numpy", "scipy", "sympy", "matplotlib"}
    assert all(isinstance(v, str) and v for v in block["versions"].values())
    # from a git checkout: its commit and a clean/dirty flag; from an unpacked archive: "not recorded"
    head = shutil.which("git") and subprocess.run(["git", "-C", _common.REPO_ROOT, "rev-parse", "HEAD"],
                                                  capture_output=True, text=True)
    if head and head.returncode == 0:
        assert block["git_commit"] == head.stdout.strip() and isinstance(block["git_dirty"], bool)
    else:
        assert block["git_commit"] == block["git_dirty"] == "not recorded"
    assert block["command_line"] == f"python -m paper_figures.fig_3_4 --quick --quiet --out {out} --seed 2"
    options = block["configuration"]["options"]
    assert options == {"quick": True, "paper": False, "scale": "quick", "jobs": None, "out": str(out), "workers": 1,
                       "scheduler": None, "seed": 2, "quiet": True, "save_models": False}
    configs = block["configuration"]["jobs"]
    assert [c["job"] for c in configs] == ["kan", "mlp"] and all(c["seed"] == 2 for c in configs)
    assert all(c["steps"] == 3 for c in configs)
    for config in configs:
        job = block["jobs"][config["job"]]
        assert job["config_sha256"] == _common.config_hash(config)
        assert job["cpu_seconds"] > 0 and job["wall_seconds"] > 0
    total = block["total"]
    assert total["cpu_seconds"] == pytest.approx(sum(j["cpu_seconds"] for j in block["jobs"].values()))
    assert total["wall_seconds"] == pytest.approx(sum(j["wall_seconds"] for j in block["jobs"].values()))
    assert total["jobs"] == 2 and total["jobs_not_recorded"] == 0
    assert block["wall_seconds"] >= total["wall_seconds"]  # in-process: the jobs ran inside this run
    # the file written is what main returned
    assert json.loads((out / "fig_3_4.json").read_text())["provenance"] == json.loads(json.dumps(block))
    # each job's file carries the same record the block was built from
    record = json.loads((out / "jobs" / "kan.json").read_text())["job_record"]
    assert record["cpu_seconds"] == block["jobs"]["kan"]["cpu_seconds"]


def test_a_diagram_summary_records_its_provenance_too(tmp_path):
    summary = fig_6_1.main(["--out", str(tmp_path)])
    block = json.loads((tmp_path / "fig_6_1.json").read_text())["provenance"]
    assert set(block) == ENVIRONMENT_KEYS | RUN_KEYS and block["jobs"] == {}
    assert block["total"] == {"cpu_seconds": 0, "wall_seconds": 0, "jobs": 0, "jobs_not_recorded": 0}
    assert summary["provenance"]["command_line"].startswith("python -m paper_figures.fig_6_1 --out ")


def test_git_state_reads_not_recorded_outside_a_checkout_and_without_git(tmp_path, monkeypatch):
    monkeypatch.setattr(_common, "REPO_ROOT", str(tmp_path))  # not a git checkout
    env = _common.environment()
    assert env["git_commit"] == "not recorded" and env["git_dirty"] == "not recorded"
    monkeypatch.setenv("PATH", str(tmp_path))  # no git program at all
    env = _common.environment()
    assert env["git_commit"] == "not recorded" and env["git_dirty"] == "not recorded"
    assert env["versions"]["numpy"] != "not recorded"


# ------------------------------------------------------------------------------ the job's identity
def test_config_hash_is_the_sha256_of_the_canonical_json():
    import hashlib

    config = {"job": "a", "width": [2, 5, 1], "lamb": 1e-3}
    assert _common.config_hash(config) == hashlib.sha256(
        b'{"job":"a","lamb":0.001,"width":[2,5,1]}').hexdigest()
    # key order and tuple/list do not matter (both are written the same); any value does
    assert _common.config_hash({"width": (2, 5, 1), "lamb": 1e-3, "job": "a"}) == _common.config_hash(config)
    assert _common.config_hash(dict(config, lamb=1.0000000000000002e-3)) != _common.config_hash(config)
    assert _common.config_hash(dict(config, width=[2, 5, 5, 1])) != _common.config_hash(config)


def test_a_changed_config_gets_a_new_hash_and_is_not_served_from_the_old_file(tmp_path, capsys):
    job = Calls()
    old, new = {"job": "a", "x": 2}, {"job": "a", "x": 3}
    assert _common.run_jobs(job, [old], str(tmp_path), quiet=True)[0]["value"] == 4
    stored = json.loads((tmp_path / "jobs" / "a.json").read_text())
    assert stored["job_record"]["config_sha256"] == _common.config_hash(old)
    # same name, another configuration: the job runs again and the old result is kept aside
    assert _common.run_jobs(job, [new], str(tmp_path), quiet=True)[0]["value"] == 9
    assert job.names == ["a", "a"]
    err = capsys.readouterr().err
    assert "not reused" in err and _common.config_hash(old)[:8] in err and _common.config_hash(new)[:8] in err
    stale = tmp_path / "jobs" / "stale" / f"a__{_common.config_hash(old)[:8]}.json"
    assert json.loads(stale.read_text())["value"] == 4
    assert json.loads((tmp_path / "jobs" / "a.json").read_text())["job_record"]["config_sha256"] == \
        _common.config_hash(new)
    # the same configuration again: served from its file, nothing runs, nothing is reported
    assert _common.run_jobs(job, [new], str(tmp_path), quiet=True)[0]["value"] == 9
    assert job.names == ["a", "a"] and capsys.readouterr().err == ""


def test_results_written_before_hashes_are_reused_only_when_their_stored_config_matches(tmp_path, capsys):
    """The committed results carry no record: their stored "config" decides, their times read
    "not recorded", and a file that stores no config is never trusted."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    configs = [{"job": "same", "x": 2}, {"job": "changed", "x": 3}, {"job": "unknown", "x": 4}]
    (jobs / "same.json").write_text(json.dumps({"config": {"x": 2, "job": "same"}, "value": 4}))
    (jobs / "changed.json").write_text(json.dumps({"config": {"job": "changed", "x": 30}, "value": 900}))
    (jobs / "unknown.json").write_text(json.dumps({"value": -1}))
    job = Calls()
    results = _common.run_jobs(job, configs, str(tmp_path), quiet=True)
    assert job.names == ["changed", "unknown"]
    assert [r["value"] for r in results] == [4, 9, 16]
    assert "job_record" not in results[0]  # the results are the jobs' own dicts
    assert sorted(p.name for p in (jobs / "stale").iterdir()) == [
        f"changed__{_common.config_hash({'job': 'changed', 'x': 30})[:8]}.json", "unknown__none.json"]
    assert capsys.readouterr().err.count("not reused") == 2
    args = _common.parse_args("fig_x", "", ["--out", str(tmp_path)])
    block = _common.provenance(args, configs)
    assert block["jobs"]["same"]["cpu_seconds"] == "not recorded"
    assert block["jobs"]["changed"]["cpu_seconds"] >= 0
    assert block["total"]["jobs"] == 3 and block["total"]["jobs_not_recorded"] == 1


def test_a_job_may_not_return_the_record_key_or_a_non_dict(tmp_path):
    with pytest.raises(TypeError, match="job_record"):
        _common.run_jobs(lambda c: {"job_record": 1}, [{"job": "a"}], str(tmp_path))
    with pytest.raises(TypeError, match="list"):
        _common.run_jobs(lambda c: [1], [{"job": "b"}], str(tmp_path))
    assert list((tmp_path / "jobs").iterdir()) == []


def test_committed_job_files_stay_readable(tmp_path):
    """A committed results folder (its jobs packed in jobs.json) read as an output folder: every job
    unpacks and loads with its record, and provenance sums the recorded CPU seconds. The same folder
    with the records taken out, as the results written before records were, loads with none, and
    provenance counts its jobs as not recorded."""
    import pathlib

    import paper_figures

    committed = pathlib.Path(paper_figures.__file__).parent / "results" / "fig_3_4"
    assert not (committed / "jobs").exists()  # the committed form: jobs.json alone
    packed = json.loads((committed / "jobs.json").read_text(encoding="utf-8"))
    old = {name: {k: v for k, v in job.items() if k != _common.RECORD} for name, job in packed.items()}
    for label, jobs in (("recorded", packed), ("before records", old)):
        folder = tmp_path / label / "fig_3_4"
        folder.mkdir(parents=True)
        (folder / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
        assert _common.unpack_jobs(str(folder)) == ["kan", "mlp"]
        files = sorted((folder / "jobs").glob("*.json"))
        assert [p.stem for p in files] == ["kan", "mlp"]
        configs, cpu = [], 0.0
        for path in files:
            result, record = _common._load_job(str(path))
            assert result["config"]["job"] == path.stem
            if label == "recorded":
                assert record["config_sha256"] == _common.config_hash(result["config"]) and record["cpu_seconds"] > 0
                cpu += record["cpu_seconds"]
            else:
                assert record is None
            configs.append(result["config"])
        args = _common.parse_args("fig_3_4", "", ["--out", str(folder)])
        block = _common.provenance(args, configs)
        if label == "recorded":
            assert block["total"]["jobs_not_recorded"] == 0 and block["total"]["cpu_seconds"] == cpu
        else:
            assert block["total"]["jobs_not_recorded"] == 2 and block["total"]["cpu_seconds"] == 0
