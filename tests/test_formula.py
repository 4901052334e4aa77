"""Formulas of fully symbolic models: a callable that equals predict, bounded readable rounding,
and edge removal that no later call undoes."""
import time

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from minikan import KAN, load
from minikan.interpret.plot import edge_colors

# every kind of library function: poles (tan, 1/x, 1/x^2), domains (log, sqrt, x^1.5, arcsin,
# arctanh), fast growth (exp, cosh, x^5) and the smooth ones
FUNCTIONS = ["exp", "cosh", "tan", "log", "sqrt", "1/x", "1/x^2", "x", "x^2", "x^3", "x^5", "sin", "tanh",
             "gaussian", "sigmoid", "x^1.5", "1/sqrt(x)", "arcsin", "arctanh", "abs", "0"]


def _random_symbolic_model(width, seed, log_scale):
    """Every edge snapped to a random library function with affine parameters of random sign and
    magnitude 10^U(-2, log_scale) (b and d sometimes exactly 0), random biases of the same size."""
    rng = np.random.default_rng(seed)
    model = KAN(width, grid=3, seed=0, bias=True)

    def draw(size):
        return rng.choice([-1.0, 1.0], size) * 10.0 ** rng.uniform(-2, log_scale, size)

    for l, layer in enumerate(model.layers):
        for i in range(layer.n_in):
            for j in range(layer.n_out):
                model.fix_symbolic(l, i, j, FUNCTIONS[rng.integers(len(FUNCTIONS))])
                a, b, c, d = draw(4)
                model.symbolic[l].affine[i, j] = [a, b * (rng.uniform() < 0.8), c, d * (rng.uniform() < 0.8)]
        layer.bias[:] = draw(layer.n_out)
    return model


@given(st.lists(st.integers(1, 3), min_size=3, max_size=4), st.integers(0, 2**32 - 1),
       st.sampled_from([0.5, 1.0, 3.0]))
def test_formula_callable_equals_predict_wherever_predict_is_finite(width, seed, log_scale):
    model = _random_symbolic_model(width, seed, log_scale)
    X = np.random.default_rng(seed + 1).uniform(-2, 2, size=(64, width[0]))
    exprs, func, _ = model.symbolic_formula()
    with np.errstate(all="ignore"):
        pred = model.predict(X)
        out = func(X)
    finite = np.isfinite(pred)
    assert out.shape == pred.shape
    assert np.all(np.abs(out[finite] - pred[finite]) <= 1e-10 * np.maximum(1.0, np.abs(pred[finite])))
    # the expressions hold only numbers that float64 can hold (nothing like e^K pulled out of exp)
    numbers = [abs(float(f)) for e in exprs for f in e.atoms(sympy.Float)]
    assert all(v < 1e300 for v in numbers), max(numbers)


def _exp_of_logs_model():
    """[3, 2, 1], biases on: hidden node 0 is h_0 = log(x_1 + 2) + 1000 (x_2 + x_3) + 1052, node 1
    is h_1 = x_1 + x_2 + x_3 + 1.5; the output is exp(h_0) + 0.5 exp(h_1) - 0.25."""
    model = KAN([3, 2, 1], grid=3, seed=0, bias=True)
    first, second = model.symbolic
    for i in range(3):
        for j in range(2):
            name = "log" if (i, j) == (0, 0) else "x"
            model.fix_symbolic(0, i, j, name)
            first.affine[i, j] = [1.0, 2.0, 1.0, 0.0] if name == "log" else [1.0, 0.0, 1000.0 if j == 0 else 1.0, 0.0]
    model.layers[0].bias[:] = [1052.0, 1.5]
    for i in range(2):
        model.fix_symbolic(1, i, 0, "exp")
    second.affine[0, 0] = [1.0, 0.0, 1.0, 0.0]
    second.affine[1, 0] = [1.0, 0.0, 0.5, 0.0]
    model.layers[1].bias[:] = [-0.25]
    return model


def test_exp_of_a_sum_with_logs_keeps_its_constant_inside():
    model = _exp_of_logs_model()
    X = np.random.default_rng(0).uniform(-1, 1, size=(40, 3))
    X[:, 1:] = np.random.default_rng(1).uniform(-0.528, -0.524, size=(40, 2))  # h_0 = log(x_1 + 2) + [-4, 4]
    pred = model.predict(X)
    assert np.all(np.isfinite(pred)) and np.abs(pred).max() > 1.0
    exprs, func, _ = model.symbolic_formula()
    assert np.array_equal(func(X), pred)
    # the expression itself, evaluated by sympy.lambdify, is finite and right: e^1052 was not
    # taken out of exp (sympy's automatic evaluation writes 1.5e457 (x_1 + 2) exp(1000 x_2 + ...))
    assert max(abs(float(f)) for f in exprs[0].atoms(sympy.Float)) < 1e4
    direct = sympy.lambdify(sympy.symbols("x_1:4"), exprs[0], "numpy")(*X.T)
    assert np.abs(direct - pred[:, 0]).max() <= 1e-6 * np.abs(pred).max()


def test_constants_stay_inside_functions_unless_rounding_folds_a_small_one():
    model = KAN([1, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "exp")
    model.symbolic[0].affine[0, 0] = [1.0, 3.0, 2.0, 0.0]
    x = sympy.Symbol("x")
    # as composed: exp(1.0 x + 3.0), not sympy's 40.17 exp(x)
    assert str(model.symbolic_formula(variables=[x])[0][0]) == "2.0*exp(1.0*x + 3.0)"
    # rounded: a shift |K| <= 20 becomes the factor e^K; a larger one stays where it cannot overflow
    assert str(model.symbolic_formula(variables=[x], n_digits=2)[0][0]) == "40.17*exp(1.0*x)"
    model.symbolic[0].affine[0, 0] = [1.0, 800.0, 2.0, 0.0]
    assert str(model.symbolic_formula(variables=[x], n_digits=2)[0][0]) == "2.0*exp(1.0*x + 800.0)"


def _paper_example(sin=(3.14159265, 1.3e-6, 0.9999991, -0.3000021), square=(1.0, -2.4e-6, 1.0000012, -0.3999967),
                   exp=(0.99999972, 0.0, 2.0137534, -1.1e-6)):
    """The [2, 1, 1] model of Section 2.5.2 after training its affine parameters: near
    sin(pi x), y^2 and exp, with small offsets such a run leaves, and a shift along exp's
    symmetry c exp(u + K) = c e^K exp(u) (K = -0.7, c = e^0.7)."""
    model = KAN([2, 1, 1], grid=3, seed=0)
    for (l, i, j), name, params in (((0, 0, 0), "sin", sin), ((0, 1, 0), "x^2", square), ((1, 0, 0), "exp", exp)):
        model.fix_symbolic(l, i, j, name)
        model.symbolic[l].affine[i, j] = params
    return model


def test_rounding_gives_the_papers_formula():
    model = _paper_example()
    exprs, func, latex = model.symbolic_formula(variables=["x", "y"], n_digits=2)
    x, y = sympy.symbols("x y")
    assert str(exprs[0]) == "1.0*exp(1.0*y**2 + 1.0*sin(3.14*x))"
    assert sympy.nsimplify(exprs[0]) == sympy.exp(sympy.sin(sympy.Rational(157, 50) * x) + y ** 2)
    assert latex[0] == sympy.latex(exprs[0])
    X = np.random.default_rng(0).uniform(-1, 1, size=(20, 2))
    # the rounded callable evaluates the rounded formula: pi -> 3.14 moves it by about 2e-3 * |x| f
    rounded = np.exp(np.sin(3.14 * X[:, :1]) + X[:, 1:] ** 2)
    assert np.abs(func(X) - rounded).max() <= 1e-12 * np.abs(rounded).max()
    assert np.abs(func(X) - model.predict(X)).max() > 1e-4


def test_rounding_is_relative_to_each_sum_and_never_zeroes_a_small_formula():
    model = _paper_example(sin=(1e-3, 2e-5, 3e-4, 1e-6), square=(1e-2, 1e-4, 2e-5, 3e-7), exp=(2e-3, 1e-5, 4e-5, 1e-7))
    exprs, func, _ = model.symbolic_formula(variables=["x", "y"], n_digits=2)
    expr = exprs[0]
    assert expr != 0 and expr.free_symbols == set(sympy.symbols("x y")) - {sympy.Symbol("y")} | {sympy.Symbol("x")}
    # 4e-5 exp(6e-7 sin(1e-3 x + 2e-5) + ...) keeps its scale: two significant digits of each
    # sum's largest coefficient; the 4e-12 y^2 term is negligible inside exp's argument
    X = np.random.default_rng(0).uniform(-1, 1, size=(20, 2))
    pred = model.predict(X)
    assert np.abs(func(X) - pred).max() <= 0.01 * np.abs(pred).max()
    assert np.abs(pred).min() > 3e-5


def test_rounding_drops_only_terms_negligible_in_their_sum():
    model = KAN([1, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "sin")
    model.symbolic[0].affine[0, 0] = [3.14159, 2e-6, 0.5, 0.0012]
    x = sympy.Symbol("x")
    assert model.symbolic_formula([x], n_digits=2)[0][0] == sympy.Float(0.5) * sympy.sin(sympy.Float(3.14) * x)
    model.symbolic[0].affine[0, 0, 3] = 0.012
    out = model.symbolic_formula([x], n_digits=2)[0][0]
    assert out == sympy.Float(0.5) * sympy.sin(sympy.Float(3.14) * x) + sympy.Float(0.01)


def test_affine_powers_are_multiplied_out_and_nothing_else():
    model = KAN([1, 1], grid=3, seed=0)
    model.fix_symbolic(0, 0, 0, "x^2")
    model.symbolic[0].affine[0, 0] = [-9.788, 0.0, 0.010437874687336, 0.0]
    x = sympy.Symbol("x")
    assert model.symbolic_formula([x], n_digits=2)[0][0] == sympy.Float(1.0) * x ** 2
    model.symbolic[0].affine[0, 0] = [1.0, 0.5, 2.0, 0.0]  # 2 (x + 0.5)^2 = 2 x^2 + 2 x + 0.5
    assert sympy.expand(model.symbolic_formula([x], n_digits=2)[0][0] - (2 * x ** 2 + 2 * x + 0.5)) == 0


def _nested_powers(width):
    """Every hidden node a sum of a sine and shifted fourth powers, the output a sum of fifth
    powers of them: multiplying such powers out grows with the product of the exponents."""
    model = KAN(width, grid=3, seed=0)
    L = len(model.layers)
    for l, layer in enumerate(model.layers):
        for i in range(layer.n_in):
            for j in range(layer.n_out):
                name = "sin" if (l == 0 and i == j) else "x^4" if l < L - 1 else "x^5"
                model.fix_symbolic(l, i, j, name)
                model.symbolic[l].affine[i, j] = [3.1, 0.02, 0.9, 0.1] if name == "sin" else [1.0, 0.3 - 0.5 * i, 0.7, -0.2]
    return model


@pytest.mark.parametrize("width", [[2, 2, 1], [2, 2, 2, 1]])
def test_rounding_time_and_size_are_bounded(width):
    """Expanding every power of a sum (the earlier rule) took 2.2 s and grew the [2, 2, 1]
    formula from 26 to 774 operations; on [2, 2, 2, 1] it held 18 GB after four minutes."""
    model = _nested_powers(width)
    exact = model.symbolic_formula(variables=["x", "y"])[0][0]
    start = time.perf_counter()
    rounded = model.symbolic_formula(variables=["x", "y"], n_digits=2)[0][0]
    assert time.perf_counter() - start < 2.0
    assert sympy.count_ops(rounded) <= 6 * sympy.count_ops(exact)


def test_formula_of_a_sparsified_two_node_network_is_small():
    """[2, 2, 1] with the functions and affine parameters that auto_symbolic gave after pykan's
    sparsification of exp(sin(pi x) + y^2) kept two hidden nodes (one run, rounded to 3 digits)."""
    model = KAN([2, 2, 1], grid=3, seed=0)
    hidden = {(0, 0): ("sin", [3.148, 0.004, -0.063, 0.037]), (0, 1): ("gaussian", [0.816, 0.409, 1.185, -0.85]),
              (1, 0): ("gaussian", [0.76, -7.4e-5, 0.224, -0.131]), (1, 1): ("cosh", [2.392, 0.001, 0.001, 0.01])}
    for (i, j), (name, params) in hidden.items():
        model.fix_symbolic(0, i, j, name)
        model.symbolic[0].affine[i, j] = params
    for i, (name, params) in enumerate([("exp", [-15.672, 0.0, 3.52, -0.033]),
                                        ("gaussian", [-2.823, -0.616, 1.361, 0.133])]):
        model.fix_symbolic(1, i, 0, name)
        model.symbolic[1].affine[i, 0] = params
    exact = model.symbolic_formula(variables=["x", "y"])[0][0]
    start = time.perf_counter()
    rounded, func, _ = model.symbolic_formula(variables=["x", "y"], n_digits=2)
    assert time.perf_counter() - start < 2.0
    assert sympy.count_ops(rounded[0]) <= 2 * sympy.count_ops(exact)
    # the gaussian's constant stays inside it: 1.36 exp(-(... + 1.75)^2), not 0.06 exp(...)
    X = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    pred = model.predict(X)
    assert np.abs(func(X) - pred).max() <= 0.05 * np.abs(pred).max()


def test_n_digits_is_an_int_within_int64():
    model = _paper_example()
    exact = model.symbolic_formula(variables=["x", "y"])
    every_digit = model.symbolic_formula(variables=["x", "y"], n_digits=2**63 - 1)
    X = np.random.default_rng(0).uniform(-1, 1, size=(20, 2))
    # the numbers are kept; only (y + b)^2 is multiplied out, which moves the last bits
    assert np.abs(every_digit[1](X) - exact[1](X)).max() <= 1e-14 * np.abs(exact[1](X)).max()
    for bad, error in ((2**63, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)):
        with pytest.raises(error, match="n_digits"):
            model.symbolic_formula(n_digits=bad)


# ------------------------------------------------------------------------------ removing edges
def _symbolic_pair():
    """[2, 1] with sin on input 0 and x^2 on input 1."""
    model = KAN([2, 1], grid=3, seed=0, bias=True)
    model.fix_symbolic(0, 0, 0, "sin")
    model.fix_symbolic(0, 1, 0, "x^2")
    model.symbolic[0].affine[0, 0] = [2.0, 0.1, 1.5, 0.2]
    model.symbolic[0].affine[1, 0] = [1.0, -0.3, 0.7, 0.0]
    model.layers[0].bias[:] = [0.25]
    return model


def test_remove_edge_removes_a_symbolic_edge_from_predict_and_formula():
    model = _symbolic_pair()
    X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
    cut = model.remove_edge(0, 1, 0)
    layer = cut.layers[0]
    assert layer.mask[1, 0] == 0 and cut.symbolic[0].mask[1, 0] == 0
    assert model.symbolic[0].mask[1, 0] == 1  # the original is untouched
    expected = 1.5 * np.sin(2.0 * X[:, :1] + 0.1) + 0.2 + 0.25
    assert np.abs(cut.predict(X) - expected).max() <= 1e-15
    x1, x2 = sympy.symbols("x_1 x_2")
    exprs, func, _ = cut.symbolic_formula()
    assert exprs[0].free_symbols == {x1}
    assert np.array_equal(func(X), cut.predict(X))
    assert edge_colors(layer, cut.symbolic[0])[1, 0] is None  # not drawn


def test_removing_an_edge_whose_value_is_zero_changes_nothing():
    model = _symbolic_pair()
    model.symbolic[0].affine[1, 0, 2:] = 0.0  # c = d = 0: the x^2 edge adds nothing
    X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
    cut = model.remove_edge(0, 1, 0)
    assert np.array_equal(cut.predict(X), model.predict(X))
    assert cut.symbolic_formula()[0] == model.symbolic_formula()[0]
    numeric = KAN([2, 1], grid=3, seed=0)
    numeric.layers[0].w_b[1, 0] = numeric.layers[0].w_s[1, 0] = 0.0
    assert np.array_equal(numeric.remove_edge(0, 1, 0).predict(X), numeric.predict(X))


@pytest.mark.parametrize("kind", ["numeric", "symbolic"])
def test_a_removed_edge_never_comes_back(kind, tmp_path):
    model = _symbolic_pair() if kind == "symbolic" else KAN([2, 1], grid=3, seed=0)
    cut = model.remove_edge(0, 1, 0)
    with pytest.raises(ValueError, match=r"edge \(0, 1, 0\) was removed"):
        cut.unfix_symbolic(0, 1, 0)
    with pytest.raises(ValueError, match=r"edge \(0, 1, 0\) was removed"):
        cut.fix_symbolic(0, 1, 0, "x")
    X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
    if kind == "numeric":
        fixed = cut.auto_symbolic(X, lib=["x", "sin"])
        assert (0, 1, 0) not in fixed
    layer = cut.layers[0]
    assert layer.mask[1, 0] == 0 and cut.symbolic[0].mask[1, 0] == 0
    cut.save(tmp_path / "cut.npz")
    again = load(tmp_path / "cut.npz")
    assert again.layers[0].mask[1, 0] == 0 and again.symbolic[0].mask[1, 0] == 0
    assert np.array_equal(again.predict(X), cut.predict(X))
    with pytest.raises(ValueError, match="was removed"):
        again.unfix_symbolic(0, 1, 0)


def test_prune_edges_removes_by_the_same_rule():
    model = _symbolic_pair()
    model.symbolic[0].affine[1, 0, 2:] = [1e-4, 0.0]  # |phi|_1 below the threshold
    X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
    pruned = model.prune_edges(X, threshold=1e-2)
    with pytest.raises(ValueError, match="was removed"):
        pruned.unfix_symbolic(0, 1, 0)
    assert pruned.symbolic_formula()[0][0].free_symbols == {sympy.Symbol("x_1")}


def test_unfix_and_fix_still_work_on_live_edges():
    model = _symbolic_pair()
    model.unfix_symbolic(0, 1, 0)
    assert model.layers[0].mask[1, 0] == 1 and model.symbolic[0].mask[1, 0] == 0
    model.unfix_symbolic(0, 1, 0)  # a numeric edge stays numeric
    assert model.layers[0].mask[1, 0] == 1
    model.fix_symbolic(0, 1, 0, "x^3")
    assert model.symbolic[0].mask[1, 0] == 1 and model.layers[0].mask[1, 0] == 0


def test_rounding_keeps_a_small_coefficient_of_a_large_compound_term():
    """0.00066 (1.17 y^2 + 1.15 sin(3.13 x) + 4.03)^5 + 0.27 (a formula simplify produced): the
    first term is about 0.7 on the data, not negligible next to 0.27, whatever its coefficient."""
    from minikan.interpret.snapping import _round

    x, y = sympy.symbols("x y")
    F = sympy.Float
    expr = F(0.00065683650532291) * (F(1.17312978424824) * y ** 2 + F(1.15201802508836) * sympy.sin(F(3.13414822508148) * x)
                                    + F(4.03172382208229)) ** 5 + F(0.26945392470153)
    rounded = _round(expr, 2)
    assert rounded.free_symbols == {x, y}
    f, g = sympy.lambdify((x, y), expr), sympy.lambdify((x, y), rounded)
    pts = np.random.default_rng(0).uniform(-1, 1, (100, 2))
    assert np.max(np.abs(f(*pts.T) - g(*pts.T))) < 0.05 * np.std(f(*pts.T))
