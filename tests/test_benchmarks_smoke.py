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


GRID_UPDATE = SCRIPT.parent / "bench_grid_update.py"


def test_grid_update_benchmark_quick_run(capsys):
    """benchmarks/bench_grid_update.py --quick: every row is timed, dense is skipped at G = 1000,
    and the dense walk gives the knots and coefficients of ``KAN.update_grid`` up to rounding
    (no timing is asserted)."""
    spec = importlib.util.spec_from_file_location("bench_grid_update", GRID_UPDATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.main(["--quick"])
    assert [G for G, _, _ in rows] == module.GRIDS
    assert all(banded > 0 for _, banded, _ in rows)
    assert [dense is None for _, _, dense in rows] == [G not in module.DENSE_GRIDS for G in module.GRIDS]
    assert "skipped" in capsys.readouterr().out
    X = np.random.default_rng(1).uniform(-1, 1, (200, 10))
    banded, dense = KAN(module.WIDTH, grid=5, seed=0), KAN(module.WIDTH, grid=5, seed=0)
    banded.update_grid(X)
    module.update_dense(dense, X)
    for a, b in zip(banded.layers, dense.layers):
        assert np.abs(a.grid - b.grid).max() <= 1e-12 and np.abs(a.coef - b.coef).max() <= 1e-10


SEED_ROBUSTNESS = SCRIPT.parent / "seed_robustness.py"


def test_seed_robustness_benchmark_quick_run():
    """benchmarks/seed_robustness.py --quick (in a subprocess: it pins BLAS threads through the
    environment before NumPy loads): both recipes run on both seeds and the summary is printed
    (no accuracy or timing is asserted at this size)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(SEED_ROBUSTNESS), "--quick", "--workers", "1"],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    summary = out[out.index("recipe "):].splitlines()
    assert [line.split()[0] for line in summary[1:]] == ["default", "previous"]
    assert all(line.split()[1].endswith("/2") and line.split()[2].endswith("/2") for line in summary[1:])
    assert out.count("\n   0 ") == 2 and out.count("\n   1 ") == 2  # a row per seed and recipe


FORMULA_SUITE = SCRIPT.parent / "formula_suite.py"


@pytest.fixture(scope="module")
def formula_suite():
    spec = importlib.util.spec_from_file_location("formula_suite", FORMULA_SUITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_formula_suite_quick_run(formula_suite, capsys):
    """benchmarks/formula_suite.py --quick: one formula, one seed, short training; the row is
    judged by the three checks and printed (the rates are the full run's, see the README)."""
    results = formula_suite.main(["--quick", "--workers", "1"])
    assert len(results) == 1 and set(results[0]["right"]) == {"shape", "functions", "rmse"}
    assert np.isfinite(results[0]["rmse"]) and results[0]["seconds"] > 0
    out = capsys.readouterr().out
    assert "right on" in out and results[0]["name"] in out


def test_formula_suite_formulas_ignore_their_unused_inputs_and_have_kan_answers(formula_suite):
    """Every formula of the suite maps (n_in, N) inputs to N values and does not change when an
    input it declares unused changes; each right answer's width builds a KAN on n_in inputs with
    one output (no training)."""
    rng = np.random.default_rng(0)
    for name, (n_in, f, used, answers) in formula_suite.SUITE.items():
        assert used <= set(range(n_in)) and answers, name
        x = rng.uniform(-1, 1, (n_in, 4))
        moved = x.copy()
        unused = sorted(set(range(n_in)) - used)
        moved[unused] = rng.uniform(-1, 1, (len(unused), 4))
        assert f(x).shape == (4,) and np.array_equal(f(x), f(moved)), name
        for width, _ in answers:
            model = KAN(width, grid=3, seed=0)
            assert model.width_spec == width, (name, width)
            assert model.width[0] == n_in and model.width[-1] == 1, (name, width)
