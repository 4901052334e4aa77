"""Grid refits: the banded least-squares solver against the dense SVD one, its rank-deficiency rule,
and exact refinement on nested grids (Section 2.4, Eq. 2.16)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.interpolate import BSpline

from minikan.core import grid_update
from minikan.core import knot_insertion
from minikan.core import spline
from minikan.core import spline_fit
from minikan import KAN
from minikan.core.layer import KANLayer


def _random_base(rng, n_in, G, low=0.2):
    """(n_in, G+1) increasing base knots with random spacings in [low, 1] (ratio up to 1/low)."""
    steps = rng.uniform(low, 1.0, size=(n_in, G))
    start = rng.uniform(-2.0, 0.0, size=(n_in, 1))
    return start + np.concatenate([np.zeros((n_in, 1)), np.cumsum(steps, axis=1)], axis=1)


def _samples_per_interval(rng, base, per):
    """(per * G, n_in) samples with exactly ``per`` of them uniform in every base interval."""
    lo, hi = base[:, :-1], base[:, 1:]  # (n_in, G)
    x = lo + (hi - lo) * rng.uniform(size=(per, *lo.shape))  # (per, n_in, G)
    return x.transpose(0, 2, 1).reshape(-1, base.shape[0])


# ------------------------------------------------------------------ banded = dense on full rank
@settings(max_examples=40)
@given(st.integers(0, 3), st.integers(1, 15), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_banded_fit_equals_dense_least_squares(k, G, n_in, n_out, seed):
    """On random non-uniform knots with ``2(k+1)`` samples in every interval the system has full
    rank, and the banded normal equations with two refinement steps give the SVD solution to
    1e-10 of the coefficient scale (measured: below 1e-13)."""
    rng = np.random.default_rng(seed)
    base = _random_base(rng, n_in, G)
    grid = spline.extend_grid(base, k)
    x = _samples_per_interval(rng, base, 2 * (k + 1))
    y = rng.normal(size=(x.shape[0], n_in, n_out)) + np.sin(3 * x)[:, :, None]
    banded, info = spline_fit.fit_coef(x, y, grid, k, return_info=True)
    dense = spline.fit_coef(x, y, grid, k)
    assert not info.rank_deficient.any() and set(info.penalty) == {"none"}
    assert np.all(info.min_pivot > spline_fit.PIVOT_RTOL) and np.all(info.rcond > spline_fit.PIVOT_RTOL)
    err = np.abs(banded - dense).max() / max(1.0, np.abs(dense).max())
    assert err <= 1e-10, f"k={k} G={G}: banded vs dense {err:.2e}"


def test_method_dense_is_the_svd_reference_and_methods_are_checked():
    rng = np.random.default_rng(0)
    grid = np.tile(spline.uniform_grid(6, 3), (2, 1))
    x = rng.uniform(-1, 1, size=(100, 2))
    y = rng.normal(size=(100, 2, 3))
    dense = spline_fit.fit_coef(x, y, grid, 3, method="dense")
    assert np.array_equal(dense, spline.fit_coef(x, y, grid, 3))
    _, info = spline_fit.fit_coef(x, y, grid, 3, method="dense", return_info=True)
    assert not info.rank_deficient.any()
    with pytest.raises(ValueError, match="method"):
        spline_fit.fit_coef(x, y, grid, 3, method="qr")
    with pytest.raises(ValueError, match="finite"):
        spline_fit.fit_coef(np.full((2, 2), np.nan), y[:2], grid, 3)
    with pytest.raises(ValueError, match="shape"):
        spline_fit.fit_coef(x, y[:, :1], grid, 3)


# ------------------------------------------------------------------ rank deficiency
def _deficient_samples(kind, rng, G, k):
    h = 2.0 / G
    if kind == "empty intervals":  # k+1 neighbouring intervals without samples: B_m unseen
        x = rng.uniform(-1, 1, size=40 * G)
        return x[(x < -1 + 2 * h) | (x >= -1 + (k + 3) * h)]
    if kind == "fewer samples than coefficients":
        return rng.uniform(-1, 1, size=G + k - 2)
    return np.repeat(rng.uniform(-1, 1, size=(G + k) // 2), 25)  # duplicated samples


@pytest.mark.parametrize("kind", ["empty intervals", "fewer samples than coefficients", "duplicated"])
@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_rank_deficiency_is_detected_reported_and_fits_the_data(kind, k):
    """Deficient inputs are flagged and smoothed; the coefficients are finite and fit the samples
    nearly as well as the minimum-norm solution c*. The penalised fit minimises
    |A c - y|^2 + lam |D c|^2, so its squared residual exceeds the least-squares one by at most
    lam |D c*|^2 (lam = 1e-10 max diag A^T A; measured: the max residual moves by at most 8e-8
    here, against data of size 1)."""
    rng = np.random.default_rng(k)
    G = 10
    grid = spline.uniform_grid(G, k)[None, :]
    x = _deficient_samples(kind, rng, G, k)[:, None]
    # a second input with well-spread samples stays plain least squares
    x = np.column_stack([x[:, 0], np.linspace(-1, 1, x.shape[0])]) if x.shape[0] >= 4 * (G + k) else x
    grids = np.tile(grid, (x.shape[1], 1))
    y = np.stack([np.sin(3 * x), np.cos(2 * x)], axis=-1)  # (N, n_in, 2)
    coef, info = spline_fit.fit_coef(x, y, grids, k, return_info=True)
    assert info.rank_deficient[0] and info.penalty[0] in ("d2", "d2+d1") and info.lam[0] > 0
    if x.shape[1] == 2:
        assert not info.rank_deficient[1] and info.penalty[1] == "none" and info.lam[1] == 0
    assert np.all(np.isfinite(coef))
    dense = spline.fit_coef(x, y, grids, k)
    res = ((spline.curve(x, grids, coef, k) - y) ** 2).sum(axis=(0, 2))  # (n_in,)
    best = ((spline.curve(x, grids, dense, k) - y) ** 2).sum(axis=(0, 2))
    orders = {"none": [], "d2": [2], "d2+d1": [2, 1]}
    allowance = np.array([info.lam[i] * sum((np.diff(dense[i], n, axis=-1) ** 2).sum() for n in orders[p])
                          for i, p in enumerate(info.penalty)])
    assert np.all(res <= best * (1 + 1e-9) + allowance + 1e-24), (res, best, allowance)  # + rounding
    assert np.abs(spline.curve(x, grids, coef, k) - y).max() <= 1e-6 + np.abs(
        spline.curve(x, grids, dense, k) - y).max()


def _tail_samples(G, k, n_lone, delta, n_dense=200):
    """Samples on [0, 1] (G uniform intervals): ``n_dense`` evenly spaced over intervals
    ``n_lone .. G-1`` and one in each of the first ``n_lone`` intervals, ``delta`` of a knot spacing
    before its right end, where the first basis functions have only their far tails (of order
    ``delta^k``). Returns ``x`` (N, 1) and the number of lone samples first in it."""
    h = 1.0 / G
    lone = (np.arange(n_lone) + 1.0 - delta) * h
    return np.concatenate([lone, np.linspace(n_lone * h, 1.0, n_dense)])[:, None]


def _penalised_reference(x, y, grid, k, info):
    """min |A c - y|^2 + lam (|D2 c|^2 [+ |D1 c|^2]) by dense least squares on the stacked system."""
    A = spline.basis(x[:, 0], grid[0], k)  # (N, n_basis)
    rows = [A] + [np.sqrt(info.lam[0]) * np.diff(np.eye(A.shape[1]), n, axis=0)
                  for n in {"d2": [2], "d2+d1": [2, 1]}[info.penalty[0]]]
    target = np.concatenate([y[:, 0, :]] + [np.zeros((r.shape[0], y.shape[2])) for r in rows[1:]])
    return np.linalg.lstsq(np.concatenate(rows), target, rcond=None)[0].T  # (n_out, n_basis)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(0, 10), st.integers(1, 3), st.floats(-4.0, -0.3))
def test_rank_is_judged_by_the_eigenvalues_of_the_normal_matrix(k, extra, n_lone, log_delta):
    """Samples that see the first basis functions only at their far tails: every Cholesky pivot of
    ``A^T A`` may stay above ``PIVOT_RTOL`` (relative) while its smallest eigenvalue is 1e-20 of the
    largest; the exact least-squares coefficients are then of order 1e10 for data of order 1. The
    rank verdict must follow the eigenvalue ratio (computed here with a dense eigensolver; a
    factor 10 either side of the threshold is left undecided), and a deficient input is the
    penalised least-squares fit of the module docstring."""
    n_lone = min(n_lone, k)
    G = n_lone + 2 + extra
    grid = spline.uniform_grid(G, k, 0.0, 1.0)[None, :]
    x = _tail_samples(G, k, n_lone, 10.0 ** log_delta)
    y = np.sin(3 * x)[:, :, None]
    y[:n_lone] += 1.0  # the lone samples off the smooth curve: a residual the tails must absorb
    coef, info = spline_fit.fit_coef(x, y, grid, k, return_info=True)
    A = spline.basis(x[:, 0], grid[0], k)
    eig = np.linalg.eigvalsh(A.T @ A)
    ratio = max(eig[0], 0.0) / eig[-1]
    if ratio < spline_fit.PIVOT_RTOL / 10:
        assert info.rank_deficient[0] and info.penalty[0] in ("d2", "d2+d1"), (ratio, info)
        reference = _penalised_reference(x, y, grid, k, info)
        assert np.abs(coef[0] - reference).max() <= 1e-6 * np.abs(reference).max(), (coef[0], reference)
    elif ratio > 10 * spline_fit.PIVOT_RTOL:
        assert not info.rank_deficient[0] and info.penalty[0] == "none", (ratio, info)
        assert info.rcond[0] > spline_fit.PIVOT_RTOL


def test_far_tail_samples_no_longer_give_huge_coefficients():
    """The case behind the rule (G = 10, k = 3, one sample a tenth of a spacing before the right
    end of each of the first three intervals): pivots down to 2e-9 of the largest diagonal entry,
    eigenvalue ratio 2e-22. Solved as full rank the coefficients reached 1e10 and the spline 1.7e9
    between the samples, for data in [-1, 2]; flagged and smoothed they stay below 40 (measured
    35.3). The price: the smoothed tail no longer interpolates the lone samples' jump of 1 off
    the curve (largest residual 0.57 there, 0.27 on the evenly spaced samples next to it, against
    1.2e-5 for the exact solution)."""
    k, G = 3, 10
    grid = spline.uniform_grid(G, k, 0.0, 1.0)[None, :]
    x = _tail_samples(G, k, 3, 0.1)
    y = np.sin(3 * x)[:, :, None]
    y[:3] += 1.0
    coef, info = spline_fit.fit_coef(x, y, grid, k, return_info=True)
    assert info.rank_deficient[0] and info.penalty[0] == "d2"
    assert info.min_pivot[0] > spline_fit.PIVOT_RTOL and info.rcond[0] <= spline_fit.PIVOT_RTOL
    assert np.abs(coef).max() < 40
    dense = spline.fit_coef(x, y, grid, k)  # the exact least-squares solution
    assert np.abs(dense).max() > 1e8


@pytest.mark.parametrize("k", [1, 2, 3])
def test_empty_intervals_are_bridged_by_the_smoothing_not_dropped_to_zero(k):
    """A straight line is a straight line of coefficients on uniform knots, which the
    second-difference penalty does not see: the smoothed fit reproduces it across a gap of k+2
    empty intervals, where the minimum-norm solution sags towards 0."""
    rng = np.random.default_rng(5)
    G = 12
    grid = spline.uniform_grid(G, k)[None, :]
    x = rng.uniform(-1, 1, size=2000)
    x = x[(x < -0.5) | (x > -0.5 + (k + 2) * 2.0 / G)][:, None]
    line = lambda z: 2.0 * z + 3.0  # noqa: E731
    coef, info = spline_fit.fit_coef(x, line(x)[:, :, None], grid, k, return_info=True)
    assert info.rank_deficient[0] and info.penalty[0] == "d2"
    xs = np.linspace(-1, 1, 801)[:, None]
    assert np.abs(spline.curve(xs, grid, coef, k)[:, 0, 0] - line(xs[:, 0])).max() <= 1e-8
    dense = spline.fit_coef(x, line(x)[:, :, None], grid, k)
    assert np.abs(spline.curve(xs, grid, dense, k)[:, 0, 0] - line(xs[:, 0])).max() > 0.1


def test_degenerate_samples_one_point_and_none_inside():
    grid = spline.uniform_grid(8, 3)[None, :]
    one = np.full((30, 1), 0.3)
    coef, info = spline_fit.fit_coef(one, np.full((30, 1, 1), 2.0), grid, 3, return_info=True)
    assert info.penalty[0] == "d2+d1"  # a line of coefficients is not fixed by one point
    assert np.allclose(coef, 2.0, atol=1e-8)  # first differences prefer the constant fit
    outside = np.array([[5.0], [7.0]])
    coef, info = spline_fit.fit_coef(outside, np.ones((2, 1, 1)), grid, 3, return_info=True)
    assert info.penalty[0] == "zero" and info.rank_deficient[0] and np.array_equal(coef, np.zeros_like(coef))


# ------------------------------------------------------------------ exact refinement on nested grids
@settings(max_examples=40)
@given(st.integers(0, 3), st.integers(1, 8), st.integers(2, 6), st.booleans(), st.integers(0, 2**32 - 1))
def test_nested_refine_preserves_every_edge_on_the_whole_base_interval(k, G, m, uniform, seed):
    """G -> m G keeps each spline to 1e-12 on a dense grid over [t_k, t_{G+k}], also on the middle
    of the interval where the samples leave a gap, and equals SciPy's evaluation of the coarse
    spline there."""
    rng = np.random.default_rng(seed)
    n_in, n_out = 2, 2
    base = np.tile(np.linspace(-1.0, 1.0, G + 1), (n_in, 1)) if uniform else _random_base(rng, n_in, G)
    grid = spline.extend_grid(base, k)
    coef = rng.normal(size=(n_in, n_out, G + k))
    a, b = base[:, 0], base[:, -1]
    u = rng.uniform(size=(60, 1))
    x = a + (b - a) * np.where(u < 0.5, 0.6 * u, 0.4 + 0.6 * u)  # no samples in the middle 30 %
    fine_grid, fine_coef = grid_update.refine(grid, coef, x, m * G, k)
    assert fine_grid.shape == (n_in, m * G + 2 * k + 1) and fine_coef.shape == (n_in, n_out, m * G + k)
    fine_base = fine_grid[:, k : fine_grid.shape[1] - k]
    assert np.array_equal(fine_base[:, ::m], base)  # every coarse knot is a fine knot, exactly
    xs = a + (b - a) * np.linspace(0.0, 1.0, 1201)[:, None]  # (1201, n_in), both ends included
    old, new = spline.curve(xs, grid, coef, k), spline.curve(xs, fine_grid, fine_coef, k)
    assert np.abs(new - old).max() <= 1e-12
    for i in range(n_in):
        reference = BSpline(grid[i], coef[i].T, k, extrapolate=False)(xs[:, i])  # (1201, n_out)
        assert np.abs(new[:, i, :] - reference).max() <= 1e-12


def test_nested_refine_ignores_the_samples_and_leaves_its_arguments_alone():
    rng = np.random.default_rng(3)
    grid = np.tile(spline.uniform_grid(4, 3), (2, 1))
    coef = rng.normal(size=(2, 3, 7))
    grid_before, coef_before = grid.copy(), coef.copy()
    one = grid_update.refine(grid, coef, rng.uniform(-1, 1, size=(5, 2)), 12, 3)
    other = grid_update.refine(grid, coef, rng.uniform(-1, 1, size=(500, 2)), 12, 3)
    assert np.array_equal(one[1], other[1]) and np.array_equal(one[0], other[0])
    assert np.array_equal(grid, grid_before) and np.array_equal(coef, coef_before)
    same_grid, same_coef = grid_update.refine(grid, coef, rng.uniform(-1, 1, size=(5, 2)), 4, 3)  # G -> G
    assert np.abs(same_coef - coef).max() <= 1e-14 and np.array_equal(same_grid, grid)


def test_model_refine_keeps_the_weights_and_masks():
    rng = np.random.default_rng(4)
    model = KAN([2, 3, 1], grid=4, seed=0)
    for layer in model.layers:
        layer.w_b[...] = rng.normal(size=layer.w_b.shape)
        layer.mask[0, 0] = 0.0
    fine = model.refine(8, rng.uniform(-1, 1, size=(50, 2)))
    for old, new in zip(model.layers, fine.layers):
        assert new.G == 8 and np.array_equal(new.w_b, old.w_b) and np.array_equal(new.w_s, old.w_s)
        assert np.array_equal(new.mask, old.mask)


def test_grid_functions_check_their_arrays():
    grid = np.tile(spline.uniform_grid(4, 3), (2, 1))
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"coef must have shape \(n_in, n_out, G\+k\) = \(2, n_out, 7\)"):
        grid_update.update_grid(grid, np.zeros((2, 3, 8)), x, 3)
    with pytest.raises(ValueError, match=r"samples x must have shape \(N >= 1, n_in=2\)"):
        grid_update.refine(grid, np.zeros((2, 3, 7)), np.zeros((5, 3)), 8, 3)
    with pytest.raises(grid_update.NonFiniteSamples):
        grid_update.update_grid(grid, np.zeros((2, 3, 7)), np.full((5, 2), np.nan), 3)


def test_knot_insertion_checks_its_grids():
    grid = spline.uniform_grid(4, 2)[None, :]
    coef = np.zeros((1, 1, 6))
    with pytest.raises(ValueError, match="base interval"):
        knot_insertion.insert_knots(grid, coef, spline.uniform_grid(8, 2, -1.0, 2.0)[None, :], 2)
    with pytest.raises(ValueError, match="same n_in"):
        knot_insertion.insert_knots(grid, coef[:, :, :5], spline.uniform_grid(8, 2)[None, :], 2)
    nested, _ = knot_insertion.nested_base(np.linspace(0, 1, 5)[None], np.linspace(0, 1, 7)[None])
    assert not nested.any()  # 6 intervals do not contain the 4


# ------------------------------------------------------------------ non-nested refine stays least squares
@pytest.mark.parametrize("G, G_new", [(5, 8), (6, 4), (3, 17)])
def test_non_nested_refine_is_the_least_squares_transfer(G, G_new):
    rng = np.random.default_rng(G_new)
    k, n_in, n_out = 3, 2, 3
    grid = spline.extend_grid(_random_base(rng, n_in, G), k)
    coef = rng.normal(size=(n_in, n_out, G + k))
    a, b = grid[:, k], grid[:, -k - 1]
    x = a + (b - a) * rng.uniform(size=(400, 1))
    fine_grid, fine_coef = grid_update.refine(grid, coef, x, G_new, k)
    reference = np.empty_like(fine_coef)
    for i in range(n_in):
        A = spline.basis(x[:, i], fine_grid[i], k)  # (N, G_new+k), the dense design matrix
        target = spline.curve(x, grid, coef, k)[:, i, :]
        reference[i] = np.linalg.lstsq(A, target, rcond=None)[0].T
    assert np.abs(fine_coef - reference).max() <= 1e-10 * max(1.0, np.abs(reference).max())
    _, dense = grid_update.refine(grid, coef, x, G_new, k, method="dense")
    assert np.abs(fine_coef - dense).max() <= 1e-10 * max(1.0, np.abs(reference).max())


# ------------------------------------------------------------------ initialisation keeps min-norm semantics
@pytest.mark.parametrize("init", ["pykan-0.0", "pykan"])
@pytest.mark.parametrize("G, k", [(5, 3), (3, 1), (10, 2)])
def test_pykan_style_init_is_the_dense_minimum_norm_fit_bit_for_bit(init, G, k):
    """G+1 noise points cannot fix G+k coefficients; the layer keeps pykan's minimum-norm solution
    (the banded solver would smooth it and report the deficiency)."""
    n_in, n_out, seed = 3, 2, 11
    layer = KANLayer.create(n_in, n_out, G, k, rng=seed, init=init)
    rng = np.random.default_rng(seed)  # the noise is the recipe's first draw
    scale = 0.1 if init == "pykan-0.0" else 0.3
    noise = (rng.uniform(size=(G + 1, n_in, n_out)) - 0.5) * scale / G
    grid = np.tile(spline.uniform_grid(G, k), (n_in, 1))
    knots = grid[:, k : grid.shape[1] - k].T  # (G+1, n_in)
    assert np.array_equal(layer.coef, spline.fit_coef(knots, noise, grid, k))
    assert np.array_equal(layer.coef, spline_fit.fit_coef(knots, noise, grid, k, method="dense"))
    minimum_norm = np.stack([np.linalg.pinv(spline.basis(knots[:, i], grid[i], k)) @ noise[:, i, :]
                             for i in range(n_in)]).transpose(0, 2, 1)
    assert np.abs(layer.coef - minimum_norm).max() <= 1e-14
    _, info = spline_fit.fit_coef(knots, noise, grid, k, return_info=True)
    assert info.rank_deficient.all() == (k > 1)  # G+1 points fix all G+k only for k <= 1
