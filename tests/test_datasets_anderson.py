"""Section 4.4: Hamiltonians, fractal dimension, and D-labels against the closed-form mobility edges."""
import numpy as np
import pytest

from minikan.datasets import anderson as A


@pytest.mark.parametrize("model, n_draws", [("mosaic", 3), ("gaam", 3), ("maam", 2)])
def test_labels_agree_with_mobility_edge(model, n_draws):
    """At the documented system size the D < 0.5 labels match the exact rule on >= 99% of states."""
    s = A.anderson_samples(model, n_draws, seed=0)
    N = A.SYSTEM_SIZE[model]
    assert s.inputs.shape == (n_draws * N, len(A.FEATURES[model]))
    assert s.label.shape == s.theory.shape == (n_draws * N, 1)
    agreement = np.mean(s.label == s.theory)
    assert agreement >= 0.99, f"{model}: {agreement:.4f}"
    # both phases present, so the agreement is not trivial
    assert 0.1 < s.label.mean() < 0.9


def test_fractal_dimension_limits():
    N = 256
    localized = np.zeros((N, 1))
    localized[7] = 1.0
    extended = np.full((N, 1), N ** -0.5)
    D = A.fractal_dimension(np.hstack([localized, extended]))
    np.testing.assert_allclose(D, [0.0, 1.0], atol=1e-14)


def test_tridiagonal_path_matches_dense_hamiltonians():
    q = {"lam": 1.7, "phi": 0.4, "alpha": 0.3}
    for model, H in (("mosaic", A.mosaic_hamiltonian(60, 1.7, 0.4)),
                     ("gaam", A.gaam_hamiltonian(60, 0.3, 1.7, 0.4))):
        E, psi = A._eigenpairs(model, 60, q)
        np.testing.assert_allclose(E, np.linalg.eigvalsh(H), atol=1e-12)
        np.testing.assert_allclose(H @ psi, psi * E, atol=1e-10)


def test_hamiltonian_structure():
    H = A.mosaic_hamiltonian(10, 2.0, 0.0)
    n = np.arange(1, 11)
    np.testing.assert_array_equal(np.diag(H)[n % 2 == 1], 0.0)  # potential only on even sites
    np.testing.assert_allclose(np.diag(H)[1], 2.0 * np.cos(2 * np.pi * A.GOLDEN_RATIO * 2))
    M = A.maam_hamiltonian(6, 1.0, 1.3, 0.0)
    np.testing.assert_allclose(M, M.T)
    np.testing.assert_allclose([M[0, 1], M[0, 2], M[0, 5]], [1.0, np.exp(-1.3), np.exp(-5.2)])
    with pytest.raises(ValueError, match="alpha"):
        A.gaam_hamiltonian(10, 1.0, 1.0, 0.0)


def test_closed_form_rules():
    # MM kappa = 2: lambda_c(E) = 2/|E|
    assert A.mosaic_localized(1.0, 2.1) and not A.mosaic_localized(1.0, 1.9)
    assert A.mosaic_localized(-0.5, 4.1) and not A.mosaic_localized(-0.5, 3.9)
    # kappa = 3: a_3 = E^2 - 1
    assert A.mosaic_localized(2.0, 0.7, kappa=3) and not A.mosaic_localized(2.0, 0.6, kappa=3)
    # GAAM: alpha E + 2(lambda - 1) > 0; MAAM: lambda cosh p > E + e^p (flipped sign in Table 6)
    assert A.gaam_localized(1.0, 0.5, 0.8) and not A.gaam_localized(-1.0, 0.5, 0.8)
    assert A.maam_localized(0.0, 3.0, 1.0) and not A.maam_localized(0.0, 1.5, 1.0)


def test_make_anderson_split_by_draw_and_seeded():
    a = A.make_anderson("gaam", n_train_draws=2, n_test_draws=1, N=89, seed=3)
    b = A.make_anderson("gaam", n_train_draws=2, n_test_draws=1, N=89, seed=3)
    assert a.train_input.shape == (178, 4) and a.test_input.shape == (89, 4)
    assert np.array_equal(a.train_input, b.train_input)
    assert set(np.unique(a.train_label)) <= {0.0, 1.0}
    # the test draw's parameters (alpha, lambda, phi) are not any train draw's
    assert not np.isin(a.test_input[0, 0], a.train_input[:, 0])


def test_bad_model_and_ranges():
    with pytest.raises(ValueError, match="unknown model"):
        A.anderson_samples("aubry", 1)
    with pytest.raises(ValueError, match="missing"):
        A.anderson_samples("maam", 1, N=10, ranges={"lam": (1, 2)})
