"""Continual-learning data of Section 3.5 (Figure 3.4): five Gaussian peaks seen one at a time.

The target is f(x) = sum_c exp(-300 (x - c)^2) on [-1, 1], with the five centres
c in {-0.8, -0.4, 0, 0.4, 0.8}. The samples are deterministic: 100 evenly spaced points in a window
of half-width 0.2 around each centre. Training phase i uses only the points of peak i, so the model
never sees the earlier peaks again. (Paper-era pykan's continual-learning example builds the same
data; the paper itself says only "5 Gaussian peaks".)
"""
from typing import NamedTuple

import numpy as np

from .sampling import check_count

N_PEAKS = 5
PEAK_WIDTH = 300.0  # exp(-300 (x - c)^2): standard deviation 1/sqrt(600), about 0.041


def peak_centers(n_peaks=N_PEAKS):
    """Centres of n_peaks equal cells of [-1, 1]; shape (n_peaks,). For 5: -0.8, -0.4, 0, 0.4, 0.8."""
    n_peaks = check_count(n_peaks, "n_peaks")
    return -1.0 + (2.0 * np.arange(n_peaks) + 1.0) / n_peaks


def peaks(X, n_peaks=N_PEAKS):
    """f(x) = sum_c exp(-300 (x - c)^2); X (N, 1) -> (N, 1)."""
    c = peak_centers(n_peaks)
    return np.sum(np.exp(-PEAK_WIDTH * (X[:, [0]] - c[None, :]) ** 2), axis=1, keepdims=True)


class ContinualPhases(NamedTuple):
    """The phase-by-phase data of Figure 3.4.

    inputs : list of ndarray, each shape (n_per_peak, 1), the points of phase i (peak i)
    labels : list of ndarray, each shape (n_per_peak, 1)
    grid : ndarray, shape (n_grid, 1), evenly spaced on [-1, 1], for plotting the truth and models
    grid_label : ndarray, shape (n_grid, 1)
    centers : ndarray, shape (n_peaks,)
    """

    inputs: list
    labels: list
    grid: np.ndarray
    grid_label: np.ndarray
    centers: np.ndarray


def continual_peaks(n_peaks=N_PEAKS, n_per_peak=100, n_grid=500):
    """Build the Figure 3.4 data (deterministic, no seed). Each phase covers one cell of width 2/n_peaks."""
    n_per_peak = check_count(n_per_peak, "n_per_peak")
    n_grid = check_count(n_grid, "n_grid", minimum=2)
    c = peak_centers(n_peaks)
    half = 1.0 / len(c)
    xs = [np.linspace(ci - half, ci + half, n_per_peak)[:, None] for ci in c]
    grid = np.linspace(-1.0, 1.0, n_grid)[:, None]
    return ContinualPhases(xs, [peaks(x, len(c)) for x in xs], grid, peaks(grid, len(c)), c)
