"""Exact grid extension on nested grids by knot insertion (Section 2.4, Eq. 2.16 without samples).

When every base knot of a coarse grid is also a base knot of a finer one (``G_new`` a multiple of
``G`` in :func:`minikan.core.grid_update.refine`), each coarse spline lies in the fine spline space on the base
interval ``[t_k, t_{G+k}]``, and its fine coefficients follow from the coarse ones alone, with no
samples and no least squares.

They are computed by blossoming (the Oslo algorithm's triangular scheme). On a knot interval
``[t_mu, t_{mu+1})`` a spline of degree ``k`` is one polynomial ``p``; its blossom
``P(u_1, ..., u_k)`` is the symmetric function, affine in each argument, with
``P(x, ..., x) = p(x)``. The B-spline coefficient of a spline on any knot vector ``tau`` is
``c'_j = P(tau_{j+1}, ..., tau_{j+k})``, with ``p`` the polynomial piece on any non-empty interval
inside the support ``[tau_j, tau_{j+k+1}]`` of ``B'_j`` on which the spline is represented. De
Boor's algorithm evaluates ``P`` when its k stages are fed ``tau_{j+1}, ..., tau_{j+k}`` instead of
``x`` each time:

.. math::
    c^{(r)}_i = (1 - \\alpha) c^{(r-1)}_{i-1} + \\alpha c^{(r-1)}_i, \\qquad
    \\alpha = \\frac{\\tau_{j+r} - t_i}{t_{i+k+1-r} - t_i}, \\quad i = \\mu-k+r, \\dots, \\mu,

starting from ``c^{(0)}_i = c_i`` and ending with ``c'_j = c^{(k)}_\\mu``. Only pieces inside the
base interval are used, so the outer knots of the two extended vectors need not match (with
mean-spaced extension they do not when ``G_new / G > 1``): the fine spline equals the coarse one on
``[t_k, t_{G+k}]``. On the ``k`` outer intervals per side it does not: there the coarse spline is
built on other knots, and both bases lack the functions that would complete the end polynomials.
"""
import numpy as np

from . import spline


def nested_base(coarse_base, fine_base):
    """Whether each coarse base row is contained in the fine one; returns the snapped fine base.

    The fine base must have ``m * G + 1`` knots for ``G + 1`` coarse ones (integer ``m``); knot
    ``m * i`` of a fine row must equal coarse knot ``i`` up to rounding (16 ulps of the row's
    largest magnitude), and is then set to it exactly so that every coarse knot is a fine knot.

    Parameters
    ----------
    coarse_base : ndarray, shape (n_in, G+1)
    fine_base : ndarray, shape (n_in, G_new+1)

    Returns
    -------
    nested : ndarray of bool, shape (n_in,)
    snapped : ndarray, shape (n_in, G_new+1)
        ``fine_base`` with the matching knots replaced by the coarse values in nested rows.
    """
    G, G_new = coarse_base.shape[1] - 1, fine_base.shape[1] - 1
    snapped = np.array(fine_base, dtype=np.float64)
    if G_new % G:
        return np.zeros(len(coarse_base), dtype=bool), snapped
    m = G_new // G
    scale = np.maximum(np.abs(coarse_base).max(axis=1), np.abs(fine_base).max(axis=1))  # (n_in,)
    close = np.abs(fine_base[:, ::m] - coarse_base) <= 16 * np.finfo(np.float64).eps * scale[:, None]
    nested = close.all(axis=1) & (coarse_base[:, -1] > coarse_base[:, 0])
    snapped[nested, ::m] = coarse_base[nested]
    return nested, snapped


def insert_knots(grid, coef, fine_grid, k):
    """Coefficients on ``fine_grid`` of the splines ``(grid, coef)``, exact on the base interval.

    Parameters
    ----------
    grid : ndarray, shape (n_in, G+2k+1)
        Coarse extended knots.
    coef : ndarray, shape (n_in, n_out, G+k)
    fine_grid : ndarray, shape (n_in, G_new+2k+1)
        Fine extended knots whose base knots contain every coarse base knot exactly (with at least
        the same multiplicity), on the same base interval; see :func:`nested_base`.
    k : int

    Returns
    -------
    fine_coef : ndarray, shape (n_in, n_out, G_new+k)
        The fine spline equals the coarse one on ``[t_k, t_{G+k}]`` up to rounding (not on the
        outer intervals, whose knots differ).
    """
    grid, fine_grid = spline.check_grid(grid, k), spline.check_grid(fine_grid, k)
    coef = np.asarray(coef, dtype=np.float64)
    n_in, n_out, n_basis = coef.shape
    if grid.shape != (n_in, n_basis + k + 1) or fine_grid.shape[0] != n_in:
        raise ValueError(f"grid {grid.shape}, coef {coef.shape} and fine_grid {fine_grid.shape} "
                         f"do not describe the same n_in inputs at degree k={k}")
    G, G_new = n_basis - k, fine_grid.shape[1] - 2 * k - 1
    same_ends = (fine_grid[:, k] == grid[:, k]) & (fine_grid[:, G_new + k] == grid[:, G + k])
    if not np.all(same_ends):
        raise ValueError("fine_grid must have the same base interval [t_k, t_{G+k}] as grid")
    out = np.empty((n_in, n_out, G_new + k))
    for i in range(n_in):
        out[i] = _insert_row(grid[i], coef[i], fine_grid[i], k, G, G_new)
    return out


def _insert_row(t, c, tau, k, G, G_new):
    """One input: coarse knots ``t`` (G+2k+1,), coefficients ``c`` (n_out, G+k), fine knots ``tau``."""
    j = np.arange(G_new + k)
    # the fine interval l whose polynomial piece gives c'_j: a non-empty one in the base interval
    # and inside the support of B'_j, l in [max(j, k), min(j + k, G_new + k - 1)]
    base_l = np.arange(k, G_new + k)
    full = tau[base_l + 1] > tau[base_l]
    if not full.any():
        raise ValueError("the base interval is empty: every base knot coincides")
    full_l = base_l[full]
    lo, hi = np.maximum(j, k), np.minimum(j + k, G_new + k - 1)
    after = np.minimum(np.searchsorted(full_l, lo), full_l.size - 1)  # first non-empty >= lo
    before = np.maximum(np.searchsorted(full_l, hi, side="right") - 1, 0)  # last non-empty <= hi
    # a window with no non-empty base interval belongs to a B'_j that is 0 on the base interval,
    # whose coefficient is then free; the nearest piece gives it a continuing value
    l = np.where(full_l[after] <= hi, full_l[after], full_l[before])
    # the coarse interval containing it (coarse knots are fine knots, so it is non-empty)
    mu = np.clip(np.searchsorted(t, tau[l], side="right") - 1, k, G + k - 1)  # (J,)
    b = c[:, mu[:, None] - k + np.arange(k + 1)]  # (n_out, J, k+1): c_{mu-k} .. c_mu
    for r in range(1, k + 1):
        u = tau[j + r]  # (J,) the r-th blossom argument
        for p in range(k, r - 1, -1):  # descending, so that b[..., p-1] still holds stage r-1
            left, right = t[mu - k + p], t[mu + 1 + p - r]
            alpha = (u - left) / (right - left)
            b[..., p] = (1.0 - alpha) * b[..., p - 1] + alpha * b[..., p]
    return b[..., k]
