"""Every tutorial and every worked solution runs to the end in quick mode.

Quick mode (``MINIKAN_TUTORIAL_QUICK=1``) shrinks data sizes and step counts so that each script
takes well under a minute on two cores; without it the tutorials run at the sizes their text
discusses. Run as a script, a tutorial saves its figures as PNG files into
``MINIKAN_TUTORIAL_FIGURES`` (here always a temporary folder) or else into ``out/`` beside the
tutorials, and prints each path; executed as a notebook it shows them inline and writes nothing.
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
    """Run ``script`` in quick mode from ``cwd``; the figures go where ``env_extra`` says."""
    env = dict(os.environ, MINIKAN_TUTORIAL_QUICK="1", MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    env.pop("MINIKAN_TUTORIAL_FIGURES", None)
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


def _saved(stdout):
    """The paths a script reports as saved figures."""
    return [pathlib.Path(line.split("figure saved to ", 1)[1]) for line in stdout.splitlines()
            if line.startswith("figure saved to ")]


@pytest.mark.slow
@pytest.mark.parametrize("script", TUTORIALS + SOLUTIONS, ids=lambda p: p.stem)
def test_runs_in_quick_mode_writing_only_the_figures_it_reports(script, tmp_path):
    cwd, figures = tmp_path / "cwd", tmp_path / "figures"
    cwd.mkdir()
    result = _run(script, cwd, MINIKAN_TUTORIAL_FIGURES=str(figures))
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(cwd.iterdir()) == [], "files were written outside the figure folder"
    written = sorted(figures.iterdir()) if figures.exists() else []
    assert sorted(_saved(result.stdout)) == written  # every file written is announced with its path
    assert all(p.suffix == ".png" and p.stat().st_size > 0 for p in written)
    n_figures = len(re.findall(r"^ *show\(", script.read_text(), flags=re.M))
    assert len(written) == n_figures, f"{n_figures} figures shown, {len(written)} saved"


@pytest.mark.slow
def test_a_script_saves_its_figures_beside_the_tutorials_by_default(tmp_path):
    """Without MINIKAN_TUTORIAL_FIGURES, figures go to tutorials/out/ (here a copy of the folder)."""
    copy = tmp_path / "tutorials" / TUTORIALS[0].name
    copy.parent.mkdir()
    copy.write_text(TUTORIALS[0].read_text())
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    result = _run(copy, cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "tutorials" / "out"
    assert sorted(_saved(result.stdout)) == sorted(out.glob("*.png")) != []
    assert list(cwd.iterdir()) == []


@pytest.mark.slow
def test_a_tutorial_executed_as_a_notebook_shows_its_figures_and_writes_nothing(tmp_path, monkeypatch):
    """jupytext turns the percent script into a notebook (``# %matplotlib inline`` becomes the magic)
    and nbconvert's ExecutePreprocessor runs it in a kernel, as ``jupyter nbconvert --execute`` does."""
    jupytext = pytest.importorskip("jupytext", reason="the notebook test needs jupytext")
    pytest.importorskip("nbconvert", reason="the notebook test needs nbconvert")
    pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel")
    from nbconvert.preprocessors import ExecutePreprocessor

    script = TUTORIALS[0]
    notebook = jupytext.read(script)
    assert any("%matplotlib inline" in cell.source.splitlines() for cell in notebook.cells)
    monkeypatch.setenv("MINIKAN_TUTORIAL_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("MINIKAN_TUTORIAL_FIGURES", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebook chooses its own backend
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
        notebook, {"metadata": {"path": str(tmp_path)}})  # the kernel starts in tmp_path
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    n_figures = len(re.findall(r"^ *show\(", script.read_text(), flags=re.M))
    assert len(images) == n_figures >= 1
    text = " ".join(out.get("text", "") + out.get("data", {}).get("text/plain", "") for out in outputs)
    assert "figure saved to" not in text
    assert list(tmp_path.iterdir()) == [], "a notebook run wrote files"
