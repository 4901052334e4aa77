"""No side effects: importing and using minikan writes no files, prints nothing (unless ``verbose``)
and leaves the global state of NumPy, ``random``, ``warnings`` and matplotlib as it found it."""
import json
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from minikan import KAN, LAN, MLP, load
from minikan.interpret.symbolic import library

REPO = Path(__file__).resolve().parents[1]


def global_state():
    """Everything a library could change behind its caller's back, in a comparable form."""
    rng_state = np.random.get_state()
    return {
        "np.random": (rng_state[0], rng_state[1].tolist(), *rng_state[2:]),
        "np.seterr": np.geterr(),
        "np.printoptions": {k: repr(v) for k, v in np.get_printoptions().items()},
        "random": random.getstate(),
        "warnings.filters": [repr(f) for f in warnings.filters],
        # read the raw mapping: rcParams["backend"] would itself resolve (and fix) the backend
        "matplotlib.rcParams": {k: repr(v) for k, v in dict.items(matplotlib.rcParams)},
    }


def assert_same_state(before, after):
    for key in before:
        assert before[key] == after[key], f"{key} was changed"


# The dependencies are imported before the first snapshot: scipy and sympy add warning filters of
# their own when imported, which is their business; what is checked is what minikan adds.
IMPORT_SCRIPT = r"""
import contextlib, io, json, os, random, sys, warnings
import numpy as np
import matplotlib, matplotlib.axes, matplotlib.figure
import scipy.linalg, scipy.optimize, scipy.sparse, scipy.special, sympy
sys.path.insert(0, sys.argv[1])
from test_side_effects_state import global_state
before = global_state()
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    import minikan
    import minikan.tools.io, minikan.interpret.plot, minikan.interpret.snapping, minikan.interpret.prune, minikan.core.train, minikan.datasets
after = global_state()
changed = [key for key in before if before[key] != after[key]]
print(json.dumps({"changed": changed, "stdout": out.getvalue(), "stderr": err.getvalue(),
                  "pyplot": "matplotlib.pyplot" in sys.modules, "files": sorted(os.listdir("."))}))
"""


def test_import_changes_no_global_state_prints_nothing_and_writes_nothing(tmp_path):
    # the state snapshot is shared with the child through a tiny module in a temporary folder
    helper = tmp_path / "helper"
    helper.mkdir()
    source = Path(__file__).read_text()
    start, end = source.index("def global_state"), source.index("def assert_same_state")
    (helper / "test_side_effects_state.py").write_text(
        "import random, warnings\nimport matplotlib\nimport numpy as np\n\n\n" + source[start:end])
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", IMPORT_SCRIPT, str(helper)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    result = json.loads(proc.stdout)
    assert result == {"changed": [], "stdout": "", "stderr": "", "pyplot": False, "files": []}
    assert list(cwd.iterdir()) == []


@pytest.fixture
def in_empty_cwd(tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_training_symbolics_and_formulas_leave_no_trace(in_empty_cwd, capsys):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (50, 2))
    y = np.exp(np.sin(np.pi * X[:, :1]) + X[:, 1:] ** 2)
    before = global_state()

    model = KAN([2, 3, 1], grid=3, seed=0)
    model.fit(X, y, X, y, steps=6, lamb=1e-3)
    model.fit(X, y, opt="adam", steps=4, batch_size=10, lr=0.01)
    model = model.prune(X).refine(5, X)
    model.update_grid(X)
    model.out_of_grid(X)
    model.auto_symbolic(X, lib=library(["x", "x^2", "sin", "exp"]))
    exprs, func, latex = model.symbolic_formula(n_digits=3)
    func(X)
    MLP([2, 4, 1], seed=0).fit(X, y, steps=3)
    LAN([2, 3, 1], grid=3, seed=0).fit(X, y, steps=3)
    with warnings.catch_warnings():  # a failing run warns (its own business) and changes nothing else
        warnings.simplefilter("ignore")
        KAN([2, 1], grid=3, seed=0).fit(X, y, opt="adam", lr=1e300, steps=5)

    assert_same_state(before, global_state())
    assert capsys.readouterr() == ("", "")
    assert list(in_empty_cwd.iterdir()) == []


def test_plotting_uses_no_pyplot_and_writes_only_the_given_path(in_empty_cwd, capsys):
    X = np.random.default_rng(0).uniform(-1, 1, (30, 2))
    model = KAN([2, 2, 1], grid=3, seed=0)
    had_pyplot = "matplotlib.pyplot" in sys.modules
    before = global_state()
    fig = model.plot(X, in_vars=["a", "b"], title="t")
    assert list(in_empty_cwd.iterdir()) == []
    model.plot(X, path=in_empty_cwd / "diagram.png")
    assert [p.name for p in in_empty_cwd.iterdir()] == ["diagram.png"]
    assert_same_state(before, global_state())
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot
    assert capsys.readouterr() == ("", "")
    assert fig.kan_edges


def test_save_and_load_touch_only_the_given_path(in_empty_cwd, capsys):
    model = KAN([2, 2, 1], grid=3, seed=0)
    before = global_state()
    model.save(in_empty_cwd / "m")
    load(in_empty_cwd / "m")
    assert [p.name for p in in_empty_cwd.iterdir()] == ["m"]
    assert_same_state(before, global_state())
    assert capsys.readouterr() == ("", "")


def test_verbose_is_the_only_way_to_print(capsys):
    X = np.random.default_rng(0).uniform(-1, 1, (20, 1))
    KAN([1, 1], grid=3, seed=0).fit(X, X, steps=10, verbose=True)
    out = capsys.readouterr().out
    assert out.count("\n") == 10 and out.startswith("step")
