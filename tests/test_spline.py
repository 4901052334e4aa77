"""B-spline bases: SciPy and naive Cox–de Boor oracles, invariants, derivatives, least squares."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.interpolate import BSpline

from minikan.core import spline
from oracles import naive_bspline


@st.composite
def knots_and_points(draw, max_G=200):
    """Random strictly increasing knots (non-uniform) and points inside [t_k, t_{G+k}]."""
    k = draw(st.integers(0, 5))
    G = draw(st.integers(1, max_G))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    gaps = rng.uniform(0.05, 1.0, size=G + 2 * k)
    t = np.concatenate([[rng.uniform(-3, 3)], rng.uniform(-3, 3) * 0 + gaps]).cumsum()
    x = rng.uniform(t[k], t[G + k], size=64)
    x[:2] = t[k], t[G + k]  # both ends of the base interval
    return t, k, G, x


@given(knots_and_points())
def test_basis_equals_scipy_design_matrix(case):
    t, k, G, x = case
    ours = spline.basis(x, t, k)  # (N, G+k)
    ref = BSpline.design_matrix(x, t, k, extrapolate=False).toarray()
    assert ours.shape == (x.size, G + k)
    err = np.abs(ours - ref).max()
    assert err <= 1e-13, f"max |minikan - scipy| = {err:.2e} for G={G}, k={k}"


@given(knots_and_points())
def test_dense_equals_local(case):
    t, k, G, x = case
    x = np.concatenate([x, np.linspace(t[0] - 1, t[-1] + 1, 50), t])  # outer intervals, outside, knots
    values, start = spline.basis_local(x[:, None], t[None, :], k, nderiv=2)
    assert start.min() >= 0 and start.max() <= G - 1
    for d in range(3):
        dense = spline.basis(x, t, k, deriv=d)
        local = spline.local_to_dense(values[d], start, G + k)[:, 0, :]
        scale = max(1.0, np.abs(dense).max())
        assert np.abs(dense - local).max() <= 1e-12 * scale, f"derivative {d}"


@pytest.mark.parametrize("k", range(0, 6))
@pytest.mark.parametrize("G", [1, 2, 7])
def test_basis_equals_naive_cox_de_boor(G, k):
    rng = np.random.default_rng(G * 10 + k)
    t = np.sort(rng.uniform(-2, 2, size=G + 2 * k + 1))
    x = np.concatenate([rng.uniform(t[0] - 0.5, t[-1] + 0.5, size=40), t])
    ours = spline.basis(x, t, k)
    ref = np.array([[naive_bspline(xi, t, j, k) for j in range(G + k)] for xi in x])
    assert np.abs(ours - ref).max() <= 1e-13


def test_repeated_knots_match_naive_and_scipy():
    k = 3
    t = np.array([-1.0, -1.0, -1.0, -1.0, -0.3, -0.3, 0.2, 0.7, 1.0, 1.0, 1.0, 1.0])
    x = np.linspace(-1, 1, 101)
    ours = spline.basis(x, t, k)
    ref = np.array([[naive_bspline(xi, t, j, k) for j in range(t.size - k - 1)] for xi in x])
    assert np.abs(ours - ref).max() <= 1e-13
    scipy_ref = BSpline.design_matrix(x, t, k).toarray()
    assert np.abs(ours - scipy_ref).max() <= 1e-13
    values, start = spline.basis_local(x[:, None], t[None], k)
    assert np.abs(spline.local_to_dense(values[0], start, t.size - k - 1)[:, 0] - ours).max() <= 1e-13


@given(st.integers(1, 200), st.integers(0, 5), st.integers(0, 2**32 - 1))
def test_partition_of_unity_and_support_count(G, k, seed):
    rng = np.random.default_rng(seed)
    t = spline.uniform_grid(G, k, -1.0, 1.0)
    x = np.concatenate([rng.uniform(-1, 1, size=100), [-1.0, 1.0]])
    B = spline.basis(x, t, k)
    assert np.abs(B.sum(axis=1) - 1.0).max() <= 1e-13
    assert B.min() >= 0.0
    # strictly inside a knot interval exactly k+1 functions are non-zero
    off_knots = x[np.min(np.abs(x[:, None] - t[None, :]), axis=1) > 1e-9]
    counts = np.count_nonzero(spline.basis(off_knots, t, k) > 0, axis=1)
    assert np.all(counts == k + 1), np.unique(counts)


def test_zero_outside_extended_knots_and_decay_on_outer_intervals():
    G, k = 5, 3
    t = spline.uniform_grid(G, k)
    assert np.allclose(t, [-2.2, -1.8, -1.4, -1.0, -0.6, -0.2, 0.2, 0.6, 1.0, 1.4, 1.8, 2.2])
    outside = np.array([-5.0, -2.3, -2.2 - 1e-12, 2.2, 2.3, 5.0])
    assert np.all(spline.basis(outside, t, k) == 0.0)
    values, _ = spline.basis_local(outside[:, None], t[None], k, nderiv=1)
    assert np.all(values == 0.0)
    outer = np.array([-2.0, -1.5, 1.5, 2.0])
    sums = spline.basis(outer, t, k).sum(axis=1)
    assert np.all((sums > 0) & (sums < 1))


@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_derivatives_match_central_differences(G, k, seed):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(-1, 1, size=G + 2 * k + 1)) + np.arange(G + 2 * k + 1) * 0.05
    x = rng.uniform(t[0], t[-1], size=40)
    x = x[np.min(np.abs(x[:, None] - t[None, :]), axis=1) > 1e-4]  # kinks sit on knots
    eps = 1e-6
    for d in (1, 2):
        if d > k - 1 and d > 1:
            continue  # the (d-1)-th derivative is not differentiable for d > k - 1 ... at knots only
        lower = lambda z: spline.basis(z, t, k, deriv=d - 1)
        fd = (lower(x + eps) - lower(x - eps)) / (2 * eps)
        exact = spline.basis(x, t, k, deriv=d)
        scale = max(1.0, np.abs(exact).max())
        assert np.abs(fd - exact).max() <= 1e-6 * scale, f"derivative {d}"


def test_uniform_grid_and_extend_grid_agree():
    t = spline.uniform_grid(4, 2, -1.0, 3.0)
    assert t.shape == (4 + 2 * 2 + 1,)
    assert np.allclose(np.diff(t), 1.0)
    assert np.allclose(spline.extend_grid(t[2:-2], 2), t)


class TestFitCoef:
    def test_recovers_spline_coefficients(self):
        rng = np.random.default_rng(0)
        G, k = 8, 3
        grid = np.tile(spline.uniform_grid(G, k), (2, 1))
        coef = rng.normal(size=(2, 3, G + k))
        x = rng.uniform(-1, 1, size=(200, 2))
        y = spline.curve(x, grid, coef, k)
        fitted = spline.fit_coef(x, y, grid, k)
        assert np.abs(fitted - coef).max() <= 1e-10

    @pytest.mark.parametrize("kind", ["duplicated", "fewer_samples", "clustered", "single"])
    def test_rank_deficient_is_finite_and_minimum_norm(self, kind):
        rng = np.random.default_rng(1)
        G, k = 10, 3
        grid = spline.uniform_grid(G, k)[None, :]
        x = {
            "duplicated": np.repeat(rng.uniform(-1, 1, size=4), 50),
            "fewer_samples": rng.uniform(-1, 1, size=5),
            "clustered": 0.3 + 1e-6 * rng.normal(size=40),
            "single": np.array([0.1]),
        }[kind][:, None]
        y = np.sin(3 * x)[:, :, None]  # (N, 1, 1)
        coef = spline.fit_coef(x, y, grid, k)
        assert np.all(np.isfinite(coef))
        A = spline.basis(x[:, 0], grid[0], k)
        # the pseudo-inverse with the same singular-value cut-off gives the minimum-norm solution
        reference = np.linalg.pinv(A, rcond=np.finfo(float).eps * max(A.shape)) @ y[:, 0, 0]
        c = coef[0, 0]
        residual, best = np.abs(A @ c - y[:, 0, 0]).max(), np.abs(A @ reference - y[:, 0, 0]).max()
        assert residual <= best + 1e-9, f"residual {residual:.2e} vs pseudo-inverse {best:.2e}"
        norm, best_norm = np.linalg.norm(c), np.linalg.norm(reference)
        assert norm <= best_norm * (1 + 1e-5), f"|c| = {norm} vs minimum norm {best_norm}"
        untouched = ~np.any(A != 0, axis=0)  # basis functions no sample sees get no weight
        assert np.abs(c[untouched]).max(initial=0.0) <= 1e-6 * max(1.0, np.abs(c).max())

    def test_rejects_non_finite(self):
        grid = spline.uniform_grid(3, 3)[None]
        with pytest.raises(ValueError, match="finite"):
            spline.fit_coef(np.array([[np.nan]]), np.zeros((1, 1, 1)), grid, 3)


@pytest.mark.parametrize("G, k, error", [(0, 3, ValueError), (-2, 3, ValueError), (3, -1, ValueError),
                                         (2.5, 3, TypeError), (3, True, TypeError)])
def test_bad_grid_size_and_degree(G, k, error):
    with pytest.raises(error, match="G|k"):
        spline.uniform_grid(G, k)


def test_bad_knots():
    with pytest.raises(ValueError, match="non-decreasing"):
        spline.basis(np.zeros(3), np.array([0.0, 1.0, 0.5, 2.0, 3.0]), 1)
    with pytest.raises(ValueError, match="at least 2k\\+2"):
        spline.basis(np.zeros(3), np.arange(5.0), 2)
    with pytest.raises(ValueError, match="shape \\(N, n_in\\)"):
        spline.basis(np.zeros((3, 2)), np.tile(np.arange(8.0), (3, 1)), 3)
