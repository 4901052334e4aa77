"""Continual learning (Section 3.5, Figure 3.4): a KAN keeps earlier peaks, an MLP forgets them."""
import numpy as np
import pytest

from minikan import KAN, MLP, fit
from minikan.applications.continual import (LOCAL_ONLY, ContinualRun, continual_kan, continual_mlp, peak_cells,
                               train_continual)
from minikan.datasets import continual_peaks


def test_continual_kan_trains_only_the_coefficients():
    model = continual_kan()
    assert model.width == [1, 1] and model.G == 200 and model.k == 3
    assert model.layers[0].base == "zero"
    counts = model.n_params()
    assert counts["coef"] == 203 and counts["total"] == 203
    assert LOCAL_ONLY["coef"] and not any(v for key, v in LOCAL_ONLY.items() if key != "coef")


def test_one_phase_changes_only_the_coefficients_whose_support_meets_the_window():
    data = continual_peaks()
    model = continual_kan()
    before = model.layers[0].coef.copy()
    fit(model, data.inputs[0], data.labels[0], steps=20, update_grid=False)
    after = model.layers[0].coef
    t = model.layers[0].grid[0]  # B_m is non-zero on (t_m, t_{m+k+1}) only
    k = model.k
    far = t[:before.shape[2]] >= data.inputs[0].max()  # support starts right of every sample
    far |= t[k + 1: k + 1 + before.shape[2]] <= data.inputs[0].min()
    assert far.sum() > 150  # the window holds ~40 of the 200 intervals
    assert np.array_equal(after[0, 0, far], before[0, 0, far])
    assert not np.allclose(after[0, 0, ~far], before[0, 0, ~far])


def test_peak_cells_split_the_grid_evenly():
    data = continual_peaks()
    cells = peak_cells(data.grid, data.centers)
    assert cells.shape == (500,)
    assert np.array_equal(np.bincount(cells), [100] * 5)
    assert np.all(np.diff(cells) >= 0)


def test_kan_remembers_every_peak_quick():
    run = train_continual(continual_kan(), steps=30)
    assert isinstance(run, ContinualRun)
    assert run.predictions.shape == (5, 500) and run.errors.shape == (5, 5)
    assert len(run.histories) == 5
    assert run.errors[-1].max() <= 0.05  # after phase 5, every peak still fitted
    for p in range(5):
        # what phase p learned is not changed by the later phases
        assert np.allclose(run.errors[p:, p], run.errors[p, p], atol=1e-3)
    # regions never trained stay near the flat initial spline: the peak there is missing
    assert run.errors[0, 1:].min() > 0.5


def test_mlp_forgets_the_first_peak_quick():
    run = train_continual(continual_mlp(), steps=40)
    assert run.errors[-1, 0] >= 0.3  # peak 1 is overwritten by phase 5 ...
    assert run.errors[-1, 0] > 2 * run.errors[0, 0]  # ... and worse than right after phase 1


def test_train_continual_rejects_bad_setups():
    with pytest.raises(ValueError, match="update_grid"):
        train_continual(continual_kan(grid=10), steps=1, update_grid=True)
    with pytest.raises(ValueError, match="1 input to 1 output"):
        train_continual(KAN([2, 1], grid=5), steps=1)
    with pytest.raises(ValueError, match="1 input to 1 output"):
        train_continual(MLP([1, 4, 2]), steps=1)
    with pytest.raises(TypeError, match="ContinualPhases"):
        train_continual(continual_kan(grid=10), data={"inputs": []}, steps=1)
    with pytest.raises(ValueError, match="steps"):
        train_continual(continual_kan(grid=10), steps=0)
