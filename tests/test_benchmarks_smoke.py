"""benchmarks/compare_pykan.py: the minikan side runs and the script skips cleanly without pykan.

No timing is asserted; pykan itself is not needed (or used) here.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from minikan import KAN
from minikan.datasets import make_toy

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_pykan.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("compare_pykan", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_minikan_side_of_each_part(bench):
    X, y = bench.data_for([2, 5, 1], 50)
    assert X.shape == (50, 2) and y.shape == (50, 1)
    model = KAN([2, 5, 1], grid=5, seed=0)
    assert bench.minikan_step_time(model, X, y, repeats=1, budget_s=0) > 0
    seconds, evals = bench.minikan_lbfgs(model, X, y, iterations=2)
    assert seconds > 0 and evals >= 1
    data = make_toy("exp_sin_pi_x_plus_y2", n_train=60, n_test=40, seed=0)
    trace = bench.minikan_chain(data, [3, 5], steps=2)
    assert [G for _, _, G in trace] == [3, 3, 5, 5]
    times = [s for s, _, _ in trace]
    assert times == sorted(times)
    assert bench.first_reach(trace, np.inf) == times[0]
    assert bench.first_reach(trace, -1.0) is None


def test_skips_cleanly_without_pykan(bench, monkeypatch, capsys):
    def missing(threads):
        raise ImportError("No module named 'kan'")

    monkeypatch.setattr(bench, "Pykan", missing)
    assert bench.main(["--quick"]) == 0
    assert "pykan comparison skipped" in capsys.readouterr().out
