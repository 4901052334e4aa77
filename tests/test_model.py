"""KAN construction, the flat parameter vector, initialisation recipes and input validation."""
import numpy as np
import pytest

from minikan import KAN
from minikan.core.layer import KANLayer


def test_flat_vector_round_trip_and_counts():
    model = KAN([2, 5, 1], grid=5, k=3, seed=0, bias=True)
    counts = model.n_params()
    assert counts == {"coef": 120, "w_b": 15, "w_s": 15, "bias": 6, "affine": 0, "total": 156}
    theta = model.get_flat()
    assert theta.shape == (156,)
    model.set_flat(theta * 2)
    assert np.array_equal(model.get_flat(), theta * 2)
    assert np.array_equal(model.layers[0].coef.ravel(), theta[:80] * 2)  # layer 0 coef (2 x 5 x 8) comes first


def test_trainability_flags_remove_groups_from_the_vector():
    model = KAN([2, 3, 1], grid=4, seed=0, trainable={"w_s": False, "w_b": False})
    assert model.n_params() == {"coef": 6 * 7 + 3 * 7, "w_b": 0, "w_s": 0, "bias": 0, "affine": 0, "total": 63}
    w_s = [layer.w_s.copy() for layer in model.layers]
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (50, 2))
    model.fit(X, np.sin(X[:, :1]), steps=5, update_grid=False)
    assert all(np.array_equal(a, layer.w_s) for a, layer in zip(w_s, model.layers))


def test_same_seed_same_model_and_different_seed_different_model():
    a, b, c = KAN([3, 4, 2], seed=7), KAN([3, 4, 2], seed=7), KAN([3, 4, 2], seed=8)
    assert np.array_equal(a.get_flat(), b.get_flat())
    assert not np.array_equal(a.get_flat(), c.get_flat())


def test_width_list_is_not_mutated():
    width = [2, 3, 1]
    KAN(width)
    assert width == [2, 3, 1]


class TestInitialisation:
    def test_paper_recipe_statistics(self):
        layer = KANLayer.create(20, 30, G=10, k=3, rng=np.random.default_rng(0))
        assert abs(layer.coef.std() - 0.1) < 0.005  # c ~ N(0, 0.1^2), footnote 2
        bound = np.sqrt(6 / 50)
        assert np.abs(layer.w_b).max() <= bound and np.abs(layer.w_b).max() > 0.9 * bound
        assert np.all(layer.w_s == 1.0)

    @pytest.mark.parametrize("init, half_width, w_s", [("pykan-0.0", 0.1 / 2, 1.0), ("pykan", 0.3 / 2, None)])
    def test_pykan_recipes_interpolate_noise_at_base_knots(self, init, half_width, w_s):
        G, k, n_in = 5, 3, 4
        layer = KANLayer.create(n_in, 3, G=G, k=k, rng=np.random.default_rng(1), init=init)
        knots = layer.grid[:, k:-k].T  # (G+1, n_in)
        values = layer.spline_part(knots)  # (G+1, n_in, n_out)
        assert np.abs(values).max() <= half_width / G + 1e-12
        assert np.abs(values).max() > 0.5 * half_width / G
        expected_ws = w_s if w_s is not None else 1 / np.sqrt(n_in)
        assert np.allclose(layer.w_s, expected_ws)
        if init == "pykan":
            assert np.abs(layer.w_b).max() <= 1 / np.sqrt(n_in)


class TestBadInput:
    def setup_method(self):
        self.model = KAN([2, 3, 1], grid=3, seed=0)
        self.X = np.zeros((5, 2))
        self.y = np.zeros((5, 1))

    @pytest.mark.parametrize("X, match", [
        (np.zeros((5, 3)), r"X must have shape \(N, 2\), got shape \(5, 3\)"),
        (np.zeros(5), r"X must be 2-D with shape \(N, 2\)"),
        (np.zeros((0, 2)), r"X is empty"),
        (np.array([[0.0, np.nan]]), r"NaN or inf in rows \[0\]"),
        (np.array([[0.0, np.inf]]), r"NaN or inf"),
    ])
    def test_predict_rejects_bad_X(self, X, match):
        with pytest.raises(ValueError, match=match):
            self.model.predict(X)

    def test_predict_rejects_non_numeric(self):
        for bad in (np.zeros((2, 2), dtype=bool), np.zeros((2, 2), dtype=complex), "abc", None):
            with pytest.raises(TypeError, match="X"):
                self.model.predict(bad)

    def test_fit_rejects_bad_y(self):
        with pytest.raises(ValueError, match=r"y must be 2-D with shape \(N, 1\), got shape \(5,\)"):
            self.model.fit(self.X, np.zeros(5))
        with pytest.raises(ValueError, match="same number of rows, got 5 and 4"):
            self.model.fit(self.X, np.zeros((4, 1)))
        with pytest.raises(ValueError, match=r"y must have shape \(N, 1\), got shape \(5, 2\)"):
            self.model.fit(self.X, np.zeros((5, 2)))
        with pytest.raises(ValueError, match="NaN or inf"):
            self.model.fit(self.X, np.full((5, 1), np.nan))
        with pytest.raises(ValueError, match="X_test and y_test"):
            self.model.fit(self.X, self.y, X_test=self.X)

    @pytest.mark.parametrize("kwargs, error, match", [
        ({"grid": 0}, ValueError, "G .* must be >= 1"),
        ({"k": -1}, ValueError, "k .* must be >= 0"),
        ({"grid": 2.0}, TypeError, "G .* must be an int"),
        ({"init": "xavier"}, ValueError, "init must be one of"),
        ({"base": "relu"}, ValueError, "base must be one of"),
        ({"grid_eps": 1.5}, ValueError, "grid_eps must be <= 1"),
    ])
    def test_constructor_rejects_bad_arguments(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            KAN([2, 3, 1], **kwargs)

    @pytest.mark.parametrize("width, error", [([2], ValueError), ([2, 0, 1], ValueError), ("2,1", TypeError),
                                              ([2, 1.5], TypeError)])
    def test_constructor_rejects_bad_width(self, width, error):
        with pytest.raises(error, match="width"):
            KAN(width)

    def test_refine_and_fit_reject_bad_arguments(self):
        with pytest.raises(ValueError, match="G_new must be >= 1"):
            self.model.refine(0, self.X)
        with pytest.raises(ValueError, match="opt must be one of"):
            self.model.fit(self.X, self.y, opt="sgd")
        with pytest.raises(ValueError, match="steps must be >= 0"):
            self.model.fit(self.X, self.y, steps=-1)
        with pytest.raises(ValueError, match="stop_grid_update_step"):
            self.model.fit(self.X, self.y, grid_update_num=10, stop_grid_update_step=5)
        with pytest.raises(ValueError, match=r"flat parameter vector must have shape"):
            self.model.set_flat(np.zeros(3))

    def test_inputs_are_not_modified(self):
        rng = np.random.default_rng(0)
        X = rng.uniform(-1, 1, (20, 2)).astype(np.float32)
        y = rng.uniform(-1, 1, (20, 1))
        X0, y0 = X.copy(), y.copy()
        self.model.fit(X, y, steps=3)
        self.model.refine(5, X)
        assert np.array_equal(X, X0) and np.array_equal(y, y0) and X.dtype == np.float32
