"""Table 2 special functions: finite on their domains, and the right SciPy functions and arguments."""
import numpy as np
import pytest
from scipy import special

from minikan.datasets import SPECIAL_FUNCTIONS, make_special, special_function


def test_fifteen_functions():
    assert len(SPECIAL_FUNCTIONS) == 15


@pytest.mark.parametrize("name", list(SPECIAL_FUNCTIONS))
def test_finite_and_nonconstant_on_domain(name):
    ds = make_special(name, n_train=4000, n_test=10, seed=0)
    y = ds.train_label
    assert y.shape == (4000, 1) and np.all(np.isfinite(y))
    assert 1e-3 < y.std() < 2.0  # a real target, not heavy-tailed
    lo, hi = np.array(SPECIAL_FUNCTIONS[name].ranges).T
    assert np.all(ds.train_input >= lo) and np.all(ds.train_input <= hi)


def test_domain_corners_finite():
    for name, s in SPECIAL_FUNCTIONS.items():
        (a, b), (c, d) = s.ranges
        corners = np.array([[a, c], [a, d], [b, c], [b, d]], dtype=float)
        assert np.all(np.isfinite(s.f(corners))), name


def test_values_against_scipy_at_a_point():
    X = np.array([[0.3, 0.7]])
    x, y = 0.3, 0.7
    get = lambda n: special_function(n).f(X)[0, 0]  # noqa: E731
    assert get("ellipj") == special.ellipj(x, y)[0]
    assert get("jv") == special.jv(x, y)
    assert get("lpmv_m2") == special.lpmv(2, x, y)
    # m = 0 harmonics depend on the polar angle (y) only: Y_1^0 = sqrt(3/4pi) cos(polar)
    np.testing.assert_allclose(get("sph_harm_m0_n1"), np.sqrt(3 / (4 * np.pi)) * np.cos(y),
                               rtol=1e-13)
    # Re Y_1^1 = -sqrt(3/8pi) sin(polar) cos(azimuth) (Condon-Shortley phase)
    np.testing.assert_allclose(get("sph_harm_m1_n1"),
                               -np.sqrt(3 / (8 * np.pi)) * np.sin(y) * np.cos(x), rtol=1e-13)
    # Re Y_2^2 = sqrt(15/32pi) sin^2(polar) cos(2 azimuth)
    np.testing.assert_allclose(get("sph_harm_m2_n2"),
                               np.sqrt(15 / (32 * np.pi)) * np.sin(y) ** 2 * np.cos(2 * x),
                               rtol=1e-13)


def test_m0_harmonics_ignore_azimuth():
    X = np.array([[0.1, 0.4], [0.9, 0.4]])
    for name in ("sph_harm_m0_n1", "sph_harm_m0_n2"):
        v = special_function(name).f(X)
        assert v[0, 0] == pytest.approx(v[1, 0], rel=1e-14)


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown special"):
        special_function("gamma")
