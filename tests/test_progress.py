"""Progress on long runs: fit's live line and callback, the figure scripts' per-job lines.

``fit(verbose=True)`` writes to standard output: about ten plain lines per run (one per tenth of
``steps``, plus the last step when the run ends early), or one carriage-return line on a terminal.
The figure runner writes ``[done/total] job  elapsed .., ETA ..`` to standard error per finished job.
"""
import ast
import json
import io
import pathlib
import re
import sys

import numpy as np
import pytest

import paper_figures
from minikan import KAN, MLP
from paper_figures import _common, fig_3_4

# step, loss, RMSE, test RMSE (only with test data), elapsed, ETA
LINE = re.compile(r"^step +(\d+)/(\d+)  loss (\S+)  rmse (\S+)(  test rmse (\S+))?  (\d+\.\d) s, ETA (\d+\.\d) s$")

# small models on little data: hidden-layer samples often leave the grid, which is not the point here
pytestmark = pytest.mark.filterwarnings("ignore::minikan.core.grid_update.OutOfGridWarning")


def data(n=60, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 2))
    return X, np.sin(np.pi * X[:, [0]]) + X[:, [1]] ** 2


# ---------------------------------------------------------------------------------- fit(verbose)
def test_verbose_prints_ten_lines_with_loss_rmse_test_rmse_elapsed_and_eta(capsys):
    X, y = data()
    history = KAN([2, 3, 1], grid=3, seed=0).fit(X[:40], y[:40], X[40:], y[40:], steps=40, tol=0.0,
                                                   verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [int(m.group(1)) for m in matches] == list(range(4, 41, 4))
    assert all(m.group(2) == "40" for m in matches)
    # the numbers shown are those recorded in the history at that step
    last = matches[-1]
    assert float(last.group(3)) == pytest.approx(history["train_loss"][-1], rel=1e-3)
    assert float(last.group(4)) == pytest.approx(history["train_rmse"][-1], rel=1e-3)
    assert float(last.group(6)) == pytest.approx(history["test_rmse"][-1], rel=1e-3)
    assert float(last.group(8)) == 0.0  # nothing left after the last step
    elapsed = [float(m.group(7)) for m in matches]
    assert elapsed == sorted(elapsed)


def test_verbose_without_test_data_shows_no_test_column_and_never_nan(capsys):
    X, y = data()
    KAN([2, 3, 1], grid=3, seed=0).fit(X, y, steps=20, tol=0.0, verbose=True)
    out = capsys.readouterr().out
    assert "nan" not in out.lower() and "test" not in out
    lines = out.splitlines()
    assert len(lines) == 10 and all(LINE.match(line) and LINE.match(line).group(5) is None for line in lines)


def test_verbose_shows_the_penalty_when_lamb_is_on_and_accuracy_for_cross_entropy(capsys):
    X, _ = data()
    labels = (X[:, 0] > 0).astype(int)
    KAN([2, 2], grid=3, seed=0).fit(X, labels, X, labels, loss="cross_entropy", steps=10, lamb=1e-3,
                                    verbose=True)
    last = capsys.readouterr().out.splitlines()[-1]
    assert re.match(r"^step 10/10  loss \S+  acc \S+  reg \S+  test acc \S+  \d", last), last
    assert "test loss" not in last  # the test accuracy says it; the test loss would only repeat it


def test_an_early_stop_still_shows_its_last_step(capsys):
    X, y = data()
    history = KAN([2, 3, 1], grid=3, seed=0).fit(X, y, steps=40, verbose=True,
                                                   callback=lambda info: info["step"] == 7)
    assert len(history["step"]) == 7
    steps = [int(LINE.match(line).group(1)) for line in capsys.readouterr().out.splitlines()]
    assert steps == [4, 7]


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_line_is_rewritten_in_place(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    X, y = data()
    KAN([2, 3, 1], grid=3, seed=0).fit(X, y, steps=20, tol=0.0, verbose=True)
    out = terminal.getvalue()
    assert out.count("\n") == 1 and out.endswith("\n")  # one line, ended when the run ends
    shown = [s.rstrip() for s in out[:-1].split("\r")[1:]]
    assert 1 <= len(shown) <= 20
    assert all(LINE.match(s) for s in shown), shown
    assert int(LINE.match(shown[0]).group(1)) == 1 and int(LINE.match(shown[-1]).group(1)) == 20


def test_restarts_show_one_line_per_candidate_then_the_run(capsys):
    X, y = data()
    KAN([2, 3, 1], grid=3, seed=0).fit(X, y, steps=30, restarts=2, restart_steps=5, tol=0.0, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines[:3]] == ["candidate 0/2", "candidate 1/2", "candidate 2/2"]
    assert all(" step 5/5 " in f" {line} " for line in lines[:3])
    # the winner's remaining 25 steps, numbered over the whole run: 6..30, shown every 2
    steps = [int(LINE.match(line).group(1)) for line in lines[3:]]
    assert steps[-1] == 30 and steps[0] == 7 and len(steps) == 13


# ---------------------------------------------------------------------------------- fit(callback)
@pytest.mark.parametrize("opt", ["lbfgs", "adam"])
def test_callback_sees_every_step_and_can_stop_the_run(opt):
    X, y = data()
    seen = []

    def callback(info):
        seen.append(info)
        return info["step"] == 6

    model = KAN([2, 3, 1], grid=3, seed=0)
    history = model.fit(X[:40], y[:40], X[40:], y[40:], opt=opt, steps=50, callback=callback)
    assert [info["step"] for info in seen] == [1, 2, 3, 4, 5, 6]
    assert all(info["steps"] == 50 and info["candidate"] is None for info in seen)
    assert [info["elapsed"] for info in seen] == sorted(info["elapsed"] for info in seen)
    for key in ("train_loss", "train_rmse", "test_rmse", "n_evals"):
        assert [info["metrics"][key] for info in seen] == list(history[key])
    assert len(history["step"]) == 6 and history["stopped"] is None
    assert history["message"] == "stopped by callback at step 6"
    # the model keeps the parameters of step 6: the same as a run asked for 6 steps
    reference = KAN([2, 3, 1], grid=3, seed=0)
    reference.fit(X[:40], y[:40], X[40:], y[40:], opt=opt, steps=6)
    np.testing.assert_array_equal(model.get_flat(), reference.get_flat())


def test_callback_returning_none_or_false_runs_to_the_end():
    X, y = data()
    answers = iter([None, False] * 10)
    history = MLP([2, 4, 1], seed=0).fit(X, y, steps=12, tol=0.0, callback=lambda info: next(answers))
    assert len(history["step"]) == 12 and "callback" not in history["message"]


def test_callback_stops_during_the_multistart_trials():
    X, y = data()
    seen = []

    def callback(info):
        seen.append((info["candidate"], info["step"], info["steps"]))
        return info["candidate"] == 1 and info["step"] == 3

    history = KAN([2, 3, 1], grid=3, seed=0).fit(X, y, steps=40, restarts=3, restart_steps=5, callback=callback)
    assert seen == [(0, s, 5) for s in range(1, 6)] + [(1, s, 5) for s in range(1, 4)]
    assert [r["candidate"] for r in history["restarts"]] == [0, 1]  # candidates 2 and 3 never ran
    assert history["message"] == "stopped by callback at step 3 of candidate 1's trial"
    chosen = history["restart_chosen"]
    assert len(history["step"]) == (5 if chosen == 0 else 3)  # no training after the trials


def test_callback_errors():
    X, y = data()
    model = KAN([2, 1], grid=3, seed=0)
    with pytest.raises(TypeError, match="callback must be a function"):
        model.fit(X, y, steps=2, callback="print")
    with pytest.raises(TypeError, match="callback must return True .* got str"):
        model.fit(X, y, steps=2, callback=lambda info: "stop")
    with pytest.raises(TypeError, match="verbose must be True or False"):
        model.fit(X, y, steps=2, verbose=1)


# ---------------------------------------------------------------------------------- figure scripts
def _square(c):
    return {"value": c["x"] ** 2}


JOB_LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+)  elapsed \d+\.\ds, ETA \d+\.\ds$")


def test_run_jobs_prints_a_line_per_finished_job_and_counts_resumed_ones(tmp_path, capsys):
    configs = [{"job": f"j{x}", "x": x} for x in range(4)]
    _common.run_jobs(_square, configs, str(tmp_path))
    out, err = capsys.readouterr()
    assert out == ""
    matches = [JOB_LINE.match(line) for line in err.splitlines()]
    assert all(matches), err
    assert [(m.group(1), m.group(2), m.group(3)) for m in matches] == [(str(i + 1), "4", f"j{i}") for i in range(4)]
    # resumed: two results on disk, two jobs left
    for name in ("j1", "j3"):
        (tmp_path / "jobs" / f"{name}.json").unlink()
    _common.run_jobs(_square, configs, str(tmp_path))
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "[2/4] already done (results on disk), 2 to run"
    assert [JOB_LINE.match(line).group(1, 3) for line in lines[1:]] == [("3", "j1"), ("4", "j3")]


def test_run_jobs_through_an_executor_counts_every_job_once(tmp_path, capsys):
    from concurrent.futures import ThreadPoolExecutor

    configs = [{"job": f"j{x}", "x": x} for x in range(5)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        _common.run_jobs(_square, configs, str(tmp_path), executor=pool)
    matches = [JOB_LINE.match(line) for line in capsys.readouterr().err.splitlines()]
    assert [int(m.group(1)) for m in matches] == [1, 2, 3, 4, 5]
    assert sorted(m.group(3) for m in matches) == [f"j{x}" for x in range(5)]


def test_run_jobs_quiet_prints_nothing(tmp_path, capsys):
    _common.run_jobs(_square, [{"job": "a", "x": 1}, {"job": "b", "x": 2}], str(tmp_path), quiet=True)
    assert capsys.readouterr() == ("", "")


def test_job_progress_estimates_the_time_left_from_the_pace_so_far():
    stream = io.StringIO()
    progress = _common.Progress(total=10, already=2, stream=stream)
    progress.t0 -= 30.0  # as if the first job of this run took 30 s
    progress.done("x")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[2/10] already done (results on disk), 8 to run"
    m = re.match(r"^\[3/10\] x  elapsed (\d+\.\d)s, ETA (\d+)m(\d\d)s$", lines[1])
    assert m, lines[1]
    assert float(m.group(1)) == pytest.approx(30.0, abs=0.5)
    assert 60 * int(m.group(2)) + int(m.group(3)) == pytest.approx(7 * 30, abs=2)  # 7 jobs left at 30 s


def test_a_figure_script_reports_its_jobs_and_quiet_silences_them(tmp_path, capsys, monkeypatch):
    """fig_3_4 at 3 iterations per phase: two jobs, two lines on stderr; stdout stays the JSON."""
    monkeypatch.setattr(fig_3_4, "QUICK_STEPS_PER_PHASE", 3)
    fig_3_4.main(["--quick", "--out", str(tmp_path / "a")])
    out, err = capsys.readouterr()
    matches = [JOB_LINE.match(line) for line in err.splitlines()]
    assert all(matches) and [m.group(1, 2, 3) for m in matches] == [("1", "2", "kan"), ("2", "2", "mlp")]
    assert "targets" in json.loads(out)
    fig_3_4.main(["--quick", "--quiet", "--out", str(tmp_path / "b")])
    assert capsys.readouterr().err == ""


def test_every_figure_script_passes_quiet_to_the_runner():
    """Each script's run_jobs call forwards --quiet (the diagram scripts have no jobs; they take
    --quiet through the shared parse_args and print no progress)."""
    folder = pathlib.Path(paper_figures.__file__).parent
    scripts = sorted(folder.glob("fig_*.py")) + sorted(folder.glob("table_*.py"))
    assert len(scripts) >= 20
    calls = 0
    for path in scripts:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run_jobs":
                calls += 1
                quiet = [kw for kw in node.keywords if kw.arg == "quiet"]
                assert quiet and ast.unparse(quiet[0].value) == "args.quiet", path.name
    assert calls >= 18
    assert _common.parse_args("x", "", ["--quiet"]).quiet is True
    assert _common.parse_args("x", "", []).quiet is False
