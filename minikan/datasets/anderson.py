"""Quasiperiodic tight-binding models of Section 4.4: Mosaic (MM), GAAM and MAAM.

For one draw of model parameters the pipeline is: build the real symmetric Hamiltonian H (N, N)
with open boundaries and b = golden ratio; diagonalise it (``numpy.linalg.eigh``); compute each
eigenstate's inverse participation ratio (Eq. 4.2) and fractal dimension D_k = -log(IPR_k)/log N
(Eq. 4.3); label the state localized when D_k < 0.5 (D ~ 0 localized, D ~ 1 extended). Every
eigenstate is one sample whose features are the model parameters and its energy E_k.

The closed-form mobility edges used as ground truth:

* MM (Eqs. 4.4-4.5, t = 1): localized iff lambda |a_kappa(E)| > 2, with a_kappa(E) = U_{kappa-1}(E/2)
  the Chebyshev polynomial of the second kind; kappa = 2 gives lambda > 2/|E|. This is the paper's
  g = lambda - |f_kappa(E)| > 0 with f_kappa = 2/a_kappa. (The paper's "j = m kappa" in Eq. 4.5
  means site index n = m kappa.)
* GAAM (Eqs. 4.6-4.8, t = 1): localized iff g = alpha E + 2(lambda - 1) > 0.
* MAAM (Eqs. 4.9-4.11, nearest-neighbour hopping t1 = 1, i.e. t = e^p): localized iff
  lambda cosh(p) > E + e^p. Table 6 writes the order parameter as E + exp(p) - lambda cosh(p),
  which is positive on the *extended* side, the opposite sign to MM and GAAM.

System size and parameter ranges are not in the paper; the defaults below (``SYSTEM_SIZE`` and
``PARAMETER_RANGES``) are ours, chosen so the D-labels agree with these rules on >= 99% of states.
"""
from typing import NamedTuple

import numpy as np
from scipy.linalg import eigh_tridiagonal

from .sampling import Dataset, check_count, check_seed

GOLDEN_RATIO = (1.0 + np.sqrt(5.0)) / 2.0
LOCALIZED_THRESHOLD = 0.5  # D_k below this is "localized"
# Sites per chain (open boundaries). The D-labels converge slowly to the exact edge as N grows
# (states within a finite-size band around it have intermediate D); these sizes give >= 99% mean
# agreement with the closed-form rules over random draws (measured values in docs/datasets.md).
SYSTEM_SIZE = {"mosaic": 2000, "gaam": 1000, "maam": 1000}

# Sampled uniformly, one draw per Hamiltonian (inferred; the paper gives none).
PARAMETER_RANGES = {
    "mosaic": {"lam": (0.5, 4.0), "phi": (0.0, 2 * np.pi)},
    # |alpha| < 1 keeps V_n finite (Eq. 4.7); 0.9 keeps it away from the pole
    "gaam": {"alpha": (-0.9, 0.9), "lam": (0.2, 1.8), "phi": (0.0, 2 * np.pi)},
    "maam": {"lam": (0.5, 3.0), "p": (0.5, 2.5), "phi": (0.0, 2 * np.pi)},
}
# Input columns, in the order used by the paper's KANs: MM [2, 1] on (lambda, E); GAAM
# [4, 2, 1, 1] on (alpha, E, lambda, phi); MAAM on (E, lambda, p, phi).
FEATURES = {
    "mosaic": ("lam", "E"),
    "gaam": ("alpha", "E", "lam", "phi"),
    "maam": ("E", "lam", "p", "phi"),
}


def _phases(N, phi):
    n = np.arange(1, N + 1)
    return n, 2.0 * np.pi * GOLDEN_RATIO * n + phi


def _onsite(model, N, q):
    """On-site energies V_n (shape (N,)) of the nearest-neighbour models."""
    n, theta = _phases(N, q["phi"])
    if model == "mosaic":
        return np.where(n % 2 == 0, q["lam"] * np.cos(theta), 0.0)
    c = np.cos(theta)
    return 2.0 * q["lam"] * c / (1.0 - q["alpha"] * c)


def _chain(N, diagonal):
    """Nearest-neighbour chain with hopping 1 and the given on-site energies; shape (N, N)."""
    H = np.diag(np.asarray(diagonal, dtype=np.float64))
    i = np.arange(N - 1)
    H[i, i + 1] = H[i + 1, i] = 1.0
    return H


def mosaic_hamiltonian(N, lam, phi, kappa=2):
    """Mosaic model, Eqs. 4.4-4.5 with t = 1: V_n = lam cos(2 pi b n + phi) on every kappa-th site."""
    n, theta = _phases(N, phi)
    return _chain(N, np.where(n % kappa == 0, lam * np.cos(theta), 0.0))


def gaam_hamiltonian(N, alpha, lam, phi):
    """Generalized Aubry-Andre model, Eqs. 4.6-4.7 with t = 1; requires |alpha| < 1."""
    if not -1.0 < alpha < 1.0:
        raise ValueError(f"GAAM needs |alpha| < 1 (Eq. 4.7), got alpha = {alpha}")
    return _chain(N, _onsite("gaam", N, {"alpha": alpha, "lam": lam, "phi": phi}))


def maam_hamiltonian(N, lam, p, phi):
    """Modified Aubry-Andre model, Eqs. 4.9-4.10, dense: H_nm = e^p e^{-p|n-m|} (n != m), t1 = 1."""
    if p <= 0:
        raise ValueError(f"MAAM needs a decay p > 0, got p = {p}")
    _, theta = _phases(N, phi)
    n = np.arange(N)
    dist = np.abs(n[:, None] - n[None, :])
    H = np.exp(-p * (dist - 1.0))  # t e^{-p|n-m|} with t = e^p, so nearest neighbours get 1
    np.fill_diagonal(H, lam * np.cos(theta))
    return H


def fractal_dimension(psi):
    """D_k = -log(IPR_k)/log N (Eqs. 4.2-4.3) for the columns of psi, shape (N, K) -> (K,)."""
    psi = np.asarray(psi, dtype=np.float64)
    p2 = psi ** 2
    ipr = np.sum(p2 ** 2, axis=0) / np.sum(p2, axis=0) ** 2
    return -np.log(ipr) / np.log(psi.shape[0])


def mosaic_localized(E, lam, kappa=2):
    """Closed-form MM rule: lam |U_{kappa-1}(E/2)| > 2; arrays broadcast, returns bool."""
    a = _cheb_u(kappa - 1, np.asarray(E, dtype=np.float64) / 2.0)
    return np.asarray(lam) * np.abs(a) > 2.0


def _cheb_u(k, x):
    """Chebyshev polynomial of the second kind U_k(x) by its three-term recurrence."""
    u_prev, u = np.ones_like(x), 2.0 * x
    if k == 0:
        return u_prev
    for _ in range(k - 1):
        u_prev, u = u, 2.0 * x * u - u_prev
    return u


def gaam_localized(E, alpha, lam):
    """Closed-form GAAM rule (Eq. 4.8): alpha E + 2(lam - 1) > 0; returns bool."""
    return np.asarray(alpha) * np.asarray(E) + 2.0 * (np.asarray(lam) - 1.0) > 0


def maam_localized(E, lam, p):
    """Closed-form MAAM rule (Eq. 4.11, t1 = 1): lam cosh p > E + e^p; returns bool."""
    p = np.asarray(p)
    return np.asarray(lam) * np.cosh(p) > np.asarray(E) + np.exp(p)


_RULES = {
    "mosaic": lambda c: mosaic_localized(c["E"], c["lam"]),
    "gaam": lambda c: gaam_localized(c["E"], c["alpha"], c["lam"]),
    "maam": lambda c: maam_localized(c["E"], c["lam"], c["p"]),
}


def _eigenpairs(model, N, q):
    """(E (N,), psi (N, N)) for one parameter draw q (a dict).

    MM (kappa = 2) and GAAM are tridiagonal with open boundaries, so LAPACK's tridiagonal solver
    (O(N^2) instead of the dense O(N^3)) gives the same eigenpairs as eigh of the dense matrix;
    MAAM has long-range hopping and goes through numpy.linalg.eigh.
    """
    if model == "maam":
        return np.linalg.eigh(maam_hamiltonian(N, q["lam"], q["p"], q["phi"]))
    if model == "gaam" and not -1.0 < q["alpha"] < 1.0:
        raise ValueError(f"GAAM needs |alpha| < 1 (Eq. 4.7), got alpha = {q['alpha']}")
    return eigh_tridiagonal(_onsite(model, N, q), np.ones(N - 1))


class AndersonSamples(NamedTuple):
    """Eigenstates of several parameter draws of one model, one row per state.

    inputs : ndarray, shape (M, n_features), columns named by ``features`` (``FEATURES[model]``)
    label : ndarray, shape (M, 1), 1.0 localized (D < 0.5), 0.0 extended
    fractal_dim : ndarray, shape (M,), D_k of Eq. 4.3
    theory : ndarray, shape (M, 1), 1.0 where the closed-form mobility edge says localized
    draw : ndarray of int, shape (M,), index of the parameter draw each state comes from
    features : tuple of str
    """

    inputs: np.ndarray
    label: np.ndarray
    fractal_dim: np.ndarray
    theory: np.ndarray
    draw: np.ndarray
    features: tuple


def _check_model(model):
    if model not in FEATURES:
        raise ValueError(f"unknown model {model!r}; choose one of {list(FEATURES)}")


def anderson_samples(model, n_draws, N=None, seed=0, ranges=None):
    """Diagonalise ``n_draws`` random Hamiltonians of ``model`` ("mosaic" (kappa = 2), "gaam", "maam").

    Parameters are drawn uniformly from ``ranges`` (default ``PARAMETER_RANGES[model]``, a dict
    name -> (lo, hi)) with ``numpy.random.default_rng(seed)``, in the order of the dict's keys, one
    draw after another. ``N`` defaults to ``SYSTEM_SIZE[model]``. Returns ``AndersonSamples`` with
    M = n_draws * N rows. Cost: one diagonalisation of an N x N matrix per draw.
    """
    _check_model(model)
    n_draws = check_count(n_draws, "n_draws")
    N = check_count(SYSTEM_SIZE[model] if N is None else N, "N", minimum=2)
    rng = check_seed(seed)
    ranges = dict(PARAMETER_RANGES[model] if ranges is None else ranges)
    missing = set(PARAMETER_RANGES[model]) - set(ranges)
    if missing:
        raise ValueError(f"ranges for {model} must give {sorted(PARAMETER_RANGES[model])}; "
                         f"missing {sorted(missing)}")
    blocks, dims, draws = [], [], []
    for d in range(n_draws):
        q = {k: float(lo + (hi - lo) * rng.random()) for k, (lo, hi) in ranges.items()}
        energies, psi = _eigenpairs(model, N, q)
        cols = dict(q, E=energies)
        blocks.append(np.column_stack([np.broadcast_to(cols[f], energies.shape)
                                       for f in FEATURES[model]]))
        dims.append(fractal_dimension(psi))
        draws.append(np.full(N, d))
    X = np.concatenate(blocks)
    D = np.concatenate(dims)
    cols = {f: X[:, i] for i, f in enumerate(FEATURES[model])}
    theory = _RULES[model](cols).astype(np.float64)[:, None]
    label = (D < LOCALIZED_THRESHOLD).astype(np.float64)[:, None]
    return AndersonSamples(X, label, D, theory, np.concatenate(draws), FEATURES[model])


def make_anderson(model, n_train_draws=20, n_test_draws=5, N=None, seed=0):
    """A ``Dataset`` for the Section 4.4 classifiers: inputs (M, n_features), label (M, 1) in {0, 1}.

    Train and test come from different parameter draws (states of one Hamiltonian are correlated,
    so splitting them would leak). Both use one generator: the train draws first, then the test.
    """
    rng = check_seed(seed)
    train = anderson_samples(model, n_train_draws, N, rng)
    test = anderson_samples(model, n_test_draws, N, rng)
    return Dataset(train.inputs, train.label, test.inputs, test.label)
