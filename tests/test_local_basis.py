"""The local B-spline operator (Eq. 2.12): adjoint identity, agreement with the dense basis, the
knot cache of a layer, and the three places that use its adjoint (layer, LAN, input derivatives)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minikan import KAN, LAN
from minikan.applications import derivatives
from minikan.core import spline


@st.composite
def operators(draw):
    """Random non-uniform knots, points inside, on the outer intervals, outside and on knots."""
    k = draw(st.integers(0, 4))
    G = draw(st.integers(1, 12))
    n_in = draw(st.integers(1, 3))
    n_out = draw(st.integers(1, 4))  # 1 takes the bincount scatter, more the compressed columns
    N = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    gaps = rng.uniform(0.05, 1.0, size=(n_in, G + 2 * k))
    grid = rng.uniform(-2, 0, size=(n_in, 1)) + np.concatenate([np.zeros((n_in, 1)), gaps.cumsum(1)], axis=1)
    lo, hi = grid[:, :1].T, grid[:, -1:].T
    x = lo - 0.5 + (hi - lo + 1.0) * rng.uniform(size=(N, n_in))  # some outside [t_0, t_M]
    on_knot = rng.uniform(size=(N, n_in)) < 0.25
    x[on_knot] = grid[np.nonzero(on_knot)[1], rng.integers(0, grid.shape[1], size=on_knot.sum())]
    return x, grid, k, n_out, rng


@settings(max_examples=60)
@given(operators())
def test_dot_product_identity_and_dense_reference(case):
    """<A^(d) c, g> = <c, A^(d)T g> to 1e-12 relative, and both maps equal the dense basis's."""
    x, grid, k, n_out, rng = case
    op = spline.LocalBasis(x, grid, k, nderiv=2)
    dense = spline.DenseBasis(x, grid, k, nderiv=2)
    n_in, N = grid.shape[0], x.shape[0]
    coef = rng.normal(size=(n_in, n_out, op.n_basis))
    g = rng.normal(size=(N, n_in, n_out))
    for d in range(3):
        Ac, ATg = op.apply(coef, d), op.adjoint(g, d)
        assert Ac.shape == (N, n_in, n_out) and ATg.shape == coef.shape
        lhs, rhs = np.sum(Ac * g), np.sum(coef * ATg)
        scale = np.abs(Ac * g).sum() + np.abs(coef * ATg).sum()  # the size of the summed terms
        assert abs(lhs - rhs) <= 1e-12 * scale, f"d={d}: {lhs} vs {rhs}"
        size = max(1.0, np.abs(dense.B[d]).max())
        assert np.abs(Ac - dense.apply(coef, d)).max() <= 1e-12 * size * np.abs(coef).max() * (k + 1)
        assert np.abs(ATg - dense.adjoint(g, d)).max() <= 1e-12 * size * np.abs(g).sum(0).max()
        assert np.abs(op.dense(d) - dense.dense(d)).max() <= 1e-12 * size
    # several orders at once: the sum of the single adjoints, and apply_all stacks apply
    G3 = rng.normal(size=(3, N, n_in, n_out))
    together = op.adjoint(G3, range(3))
    apart = sum(op.adjoint(G3[d], d) for d in range(3))
    assert np.abs(together - apart).max() <= 1e-12 * max(1.0, np.abs(apart).max())
    assert np.array_equal(op.apply_all(coef)[1], op.apply(coef, 1))


def test_values_are_those_of_basis_local_and_errors_are_clear():
    grid = np.tile(spline.uniform_grid(5, 3), (2, 1))
    x = np.random.default_rng(0).uniform(-1.5, 1.5, size=(30, 2))
    op = spline.LocalBasis(x, grid, 3, nderiv=1)
    values, start = spline.basis_local(x, grid, 3, nderiv=1)
    assert np.array_equal(op.values, values) and np.array_equal(op.start, start)
    assert op.values.shape == (2, 30, 2, 4)
    with pytest.raises(ValueError, match=r"derivative order d must be in \[0, 1\]"):
        op.apply(np.zeros((2, 1, 8)), d=2)
    with pytest.raises(ValueError, match=r"coef must have shape \(n_in, n_out, n_basis\) = \(2, n_out, 8\)"):
        op.apply(np.zeros((2, 1, 9)))
    with pytest.raises(ValueError, match=r"g must have shape \(30, 2\) \+ \(n_out,\)"):
        op.adjoint(np.zeros((30, 3, 1)))
    with pytest.raises(ValueError, match="prepared for degree 3, not k=2"):
        spline.LocalBasis(x, spline.Knots(grid, 3), 2)
    with pytest.raises(ValueError, match="non-decreasing"):
        spline.LocalBasis(x, grid[:, ::-1], 3)


def test_layer_knot_cache_follows_replaced_and_edited_grids():
    """The padded knots are prepared once per grid; a grid replaced or edited in place is seen."""
    model = KAN([2, 1], grid=5, seed=0)
    layer = model.layers[0]
    x = np.random.default_rng(1).uniform(-1, 1, size=(50, 2))
    first = layer.prepared_knots()
    assert layer.prepared_knots() is first  # reused while the grid is unchanged
    before = layer.spline_part(x)
    layer.grid[...] = layer.grid * 1.3  # in place
    assert layer.prepared_knots() is not first
    fresh = spline.curve(x, layer.grid.copy(), layer.coef, layer.k)
    assert np.array_equal(layer.spline_part(x), fresh) and not np.allclose(fresh, before)
    layer.grid = spline.check_grid(np.tile(spline.uniform_grid(5, 3, -2.0, 2.0), (2, 1)), 3)  # replaced
    assert np.array_equal(layer.spline_part(x), spline.curve(x, layer.grid.copy(), layer.coef, layer.k))


def _old_sparse_adjoint(B, start, g, n_basis):
    """The layer's former coefficient gradient: a compressed-column matrix built per call."""
    from scipy.sparse import csc_matrix

    N, n_in, kp1 = B.shape
    rows = (np.arange(n_in)[:, None] * n_basis + start[:, :, None] + np.arange(kp1)).ravel()
    At = csc_matrix((B.ravel(), rows, np.arange(N * n_in + 1) * kp1), shape=(n_in * n_basis, N * n_in))
    return (At @ g.reshape(N * n_in, -1)).reshape(n_in, n_basis, -1).transpose(0, 2, 1)


def _old_bincount_adjoint(B, start, g, n_basis):
    """The LAN's former one: a bincount over (input, basis) slots, one output per node."""
    N, n, kp1 = B.shape
    slots = np.arange(n)[:, None] * n_basis + start[..., None] + np.arange(kp1)
    return np.bincount(slots.ravel(), weights=(B * g[..., None]).ravel(), minlength=n * n_basis).reshape(n, n_basis)


def _old_jet_scatter(B, r, start, shape):
    """The input-derivative code's former one: sum over derivative orders, then a bincount."""
    n_in, n_out, n_basis = shape
    contrib = B.transpose(1, 2, 3, 0) @ r.transpose(1, 2, 0, 3)
    slot = np.arange(n_in)[:, None] * n_basis + start[..., None] + np.arange(B.shape[-1])
    idx = slot[..., None] * n_out + np.arange(n_out)
    out = np.bincount(idx.ravel(), weights=contrib.ravel(), minlength=n_in * n_basis * n_out)
    return out.reshape(n_in, n_basis, n_out).transpose(0, 2, 1)


def test_the_three_former_adjoints_agree_with_the_operator():
    """Layer, LAN and input derivatives each had their own coefficient gradient; the operator's
    adjoint gives their numbers (to rounding), on a model and a LAN with inputs off the grid."""
    rng = np.random.default_rng(5)
    model = KAN([3, 4, 2], grid=6, seed=0)
    X = rng.uniform(-1.4, 1.4, size=(200, 3))  # some inputs on the outer intervals
    _, caches = model.forward(X)
    dy = rng.normal(size=(200, 2))
    _, grads = model.backward(dy, caches)
    layer, cache = model.layers[1], caches[1]
    op = cache["basis"]
    g = np.broadcast_to(dy[:, None, :], (200, 4, 2))
    old = _old_sparse_adjoint(op.values[0], op.start, g, op.n_basis) * (layer.mask * layer.w_s)[..., None]
    assert np.abs(grads[1]["coef"] - old).max() <= 1e-13 * np.abs(old).max()

    lan = LAN([2, 5, 1], grid=4, seed=0)
    z = rng.uniform(-1.3, 1.3, size=(150, 5))
    _, lcache = lan._activate(0, z, True)
    da = rng.normal(size=(150, 5))
    _, lgrads = lan._activate_backward(0, da, lcache)
    lop = lcache["basis"]
    old = _old_bincount_adjoint(lop.values[0], lop.start, da * lan.w_s[0], lop.n_basis)
    assert np.abs(lgrads["coef"] - old).max() <= 1e-13 * np.abs(old).max()

    lay = derivatives._layout(3, False, 2)
    J = np.zeros((1 + 3 + 3, 200, 3))
    J[0] = X
    J[1 + np.arange(3), :, np.arange(3)] = 1.0
    Y, tape = derivatives._kan_layer_forward(model.layers[0], model.symbolic[0], J, lay, 3)
    Gy = rng.normal(size=Y.shape)
    r, _ = derivatives._pull(tape["phi"], tape["J"][..., None], Gy[:, :, None, :], lay)
    _, jgrads = derivatives._kan_layer_backward(model.layers[0], model.symbolic[0], tape, Gy, lay)
    jop, first = tape["basis"], model.layers[0]
    old = _old_jet_scatter(jop.values[:3], r, jop.start, first.coef.shape) * (first.mask * first.w_s)[..., None]
    assert np.abs(jgrads["coef"] - old).max() <= 1e-12 * np.abs(old).max()
