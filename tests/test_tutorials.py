"""Every tutorial and every worked solution runs to the end in quick mode, writing no files.

Quick mode (``MINIKAN_TUTORIAL_QUICK=1``) shrinks data sizes and step counts so that each script
takes at most about a minute on two cores; without it the tutorials run at the sizes their text
discusses. Figures are written only when ``MINIKAN_TUTORIAL_FIGURES`` names a folder.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
SOLUTIONS = sorted((ROOT / "tutorials" / "solutions").glob("[0-9][0-9]_*.py"))


def _run(script, cwd, **env_extra):
    env = dict(os.environ, MINIKAN_TUTORIAL_QUICK="1", MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    env.pop("MINIKAN_TUTORIAL_FIGURES", None)  # figures only where a test asks for them
    env.update(env_extra)
    return subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_there_are_seven_tutorials_each_with_solutions():
    assert len(TUTORIALS) == 7, [p.name for p in TUTORIALS]
    for tutorial in TUTORIALS:
        solution = ROOT / "tutorials" / "solutions" / tutorial.name.replace(".py", "_solutions.py")
        assert solution.exists(), f"{tutorial.name} has no worked solutions at {solution}"


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_layout(script):
    text = script.read_text()
    n_lines = len(text.splitlines())
    assert 150 <= n_lines <= 400, f"{script.name}: {n_lines} lines, expected 150-400"
    cells = re.split(r"^# %%", text, flags=re.M)
    assert len(cells) >= 6, "percent-format cells (# %%) expected"
    first = text.split("# %%", 2)[1]
    assert "[markdown]" in first.splitlines()[0], "the first cell says what the tutorial teaches"
    assert re.search(r"[Ss]ection \d", first), "the first cell names the paper section it follows"
    assert re.search(r"^# %% \[markdown\]\n# #+ Exercises", text, flags=re.M), "an Exercises cell"


@pytest.mark.slow
@pytest.mark.parametrize("script", TUTORIALS + SOLUTIONS, ids=lambda p: p.stem)
def test_runs_in_quick_mode_without_writing_files(script, tmp_path):
    result = _run(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(tmp_path.iterdir()) == [], "files were written without being asked for"


@pytest.mark.slow
def test_figures_are_written_when_asked(tmp_path):
    figures = tmp_path / "figures"
    result = _run(TUTORIALS[0], tmp_path, MINIKAN_TUTORIAL_FIGURES=str(figures))
    assert result.returncode == 0, result.stderr[-3000:]
    assert any(figures.glob("*.png"))
