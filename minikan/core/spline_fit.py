"""Least-squares spline coefficients from the banded normal equations (Section 2.4, Eq. 2.16).

Grid updates and grid extension refit every edge's spline by least squares on the samples. Each
row of the design matrix ``A[n, m] = B_m(x_n)`` of one input has only ``k + 1`` non-zeros
(:class:`minikan.core.spline.LocalBasis`), so the normal matrix ``A^T A`` is symmetric and banded with
half-bandwidth ``k``. :func:`fit_coef` assembles it by scatter-adds straight from the local basis,
takes ``A^T y`` from the operator's adjoint and solves with a banded Cholesky factorisation: O(N k^2 + G k^2) time and O(N k)
memory per input, against O(N G^2) time and O(N G) memory for the dense SVD of
:func:`minikan.core.spline.fit_coef`, which stays the readable reference (``method="dense"``).

Accuracy. Normal equations square the condition number, so the solution is polished by
iterative refinement: the residual ``r = y - A c`` is computed on the samples with the local basis
and ``A^T r`` is solved with the same factor. Each step shrinks the error by about
``cond(A)^2 * eps``, so after two steps the result agrees with the SVD solution to about
``cond(A) * eps``, the accuracy of the SVD solution itself.

Rank deficiency. A knot interval without samples, fewer distinct samples than coefficients or
samples clustered inside one interval leave some coefficients undetermined. It is detected on
``A^T A``: its Cholesky factorisation fails, or its smallest eigenvalue falls below ``PIVOT_RTOL``
times its largest (every Cholesky pivot is at least the smallest eigenvalue, but may exceed it by
many orders of magnitude: a sample at the far tail of each of the first few basis functions gave
pivots above 2e-12 with an eigenvalue ratio of 1e-20, and the exact least-squares coefficients
1e7 against data below 1.2). Such an input is solved instead with a small smoothing penalty,

.. math::
    \\min_c \\|A c - y\\|^2 + \\lambda \\|D_2 c\\|^2, \\qquad \\lambda = 10^{-10} \\max_m (A^T A)_{mm},

where ``D_2`` takes second differences of neighbouring coefficients. The system stays banded;
coefficients no sample constrains continue their neighbours linearly (across a gap, the
coefficients follow the smoothest curve joining both sides), where the minimum-norm solution
would drop them to 0. On the samples the fit changes by about ``lambda / (A^T A)_{mm}`` relative
to an exact least-squares solution. If the samples do not even determine a straight line of
coefficients (one distinct sample point, or for ``k = 0`` one occupied interval), first
differences ``D_1`` join the penalty, which then prefers constant coefficients. No sample inside
the knot span at all (``A = 0``) gives coefficients 0. The treatment is reported per input with
``return_info=True`` (:class:`FitInfo`); nothing is printed or warned.
"""
from typing import NamedTuple

import numpy as np
from scipy.linalg import LinAlgError, cho_solve_banded, cholesky_banded, eig_banded

from . import spline

PIVOT_RTOL = 1e-12  # A^T A with min eigenvalue below this times its max counts as rank deficient
PENALTY_RTOL = 1e-10  # lambda relative to max diag(A^T A)
REFINEMENT_STEPS = 2


class FitInfo(NamedTuple):
    """How each input's least-squares problem was solved (``fit_coef(..., return_info=True)``).

    Attributes
    ----------
    rank_deficient : ndarray of bool, shape (n_in,)
        ``A^T A`` was singular or nearly so (see ``rcond``).
    penalty : ndarray of str, shape (n_in,)
        ``"none"`` (plain least squares), ``"d2"`` (second-difference smoothing),
        ``"d2+d1"`` (also first differences), ``"zero"`` (no sample inside the knot span; the
        coefficients are 0) or ``"min-norm"`` (``method="dense"`` on a rank-deficient input).
    lam : ndarray, shape (n_in,)
        The penalty weight ``lambda`` (0 without a penalty).
    min_pivot : ndarray, shape (n_in,)
        Smallest pivot of the Cholesky factorisation of ``A^T A`` divided by its largest diagonal
        entry; 0 when the factorisation failed or ``A = 0``.
    rcond : ndarray, shape (n_in,)
        Smallest eigenvalue of ``A^T A`` divided by its largest (0 when the factorisation failed
        or ``A = 0``); the input is rank deficient when it is at most ``PIVOT_RTOL``.
    """

    rank_deficient: np.ndarray
    penalty: np.ndarray
    lam: np.ndarray
    min_pivot: np.ndarray
    rcond: np.ndarray


def fit_coef(x, y, grid, k, *, method="banded", return_info=False):
    """Least-squares spline coefficients for each edge, for all outputs of an input at once.

    Solves, independently for each input ``i``,
    ``min_c sum_n (sum_m c[i, j, m] B_m(x[n, i]) - y[n, i, j])^2`` (the refit of Eq. 2.16 and of
    grid updates). ``method="banded"`` uses the banded normal equations with iterative refinement
    and the smoothing rule for rank-deficient inputs described in the module docstring;
    ``method="dense"`` is :func:`minikan.core.spline.fit_coef` (SVD, minimum-norm solution).

    Parameters
    ----------
    x : ndarray, shape (N, n_in)
    y : ndarray, shape (N, n_in, n_out)
    grid : ndarray, shape (n_in, G+2k+1)
    k : int
    method : {"banded", "dense"}
    return_info : bool
        Also return a :class:`FitInfo` saying which inputs were rank deficient and how they were
        solved.

    Returns
    -------
    coef : ndarray, shape (n_in, n_out, G+k)
    info : FitInfo, only with ``return_info=True``
    """
    if method not in ("banded", "dense"):
        raise ValueError(f"method must be 'banded' or 'dense', got {method!r}")
    if method == "dense":
        coef = spline.fit_coef(x, y, grid, k)  # validates the arguments
        if not return_info:
            return coef
        basis, y = _local_problem(x, y, grid, k)
        band = normal_matrix(basis.values[0], basis.start, basis.n_basis, max(k, 2))
        deficient, min_pivot, rcond = zip(*(_full_rank_factor(b)[1:] for b in band))
        deficient = np.array(deficient)
        info = FitInfo(deficient, np.where(deficient, "min-norm", "none"), np.zeros(len(band)),
                       np.array(min_pivot), np.array(rcond))
        return coef, info
    basis, y = _local_problem(x, y, grid, k)
    coef, info = _solve_banded(basis, y)
    return (coef, info) if return_info else coef


def _local_problem(x, y, grid, k):
    """Validate the arguments; return the local basis operator at ``x`` and ``y`` as float64."""
    x, y, grid = spline.check_fit_args(x, y, grid, k)
    return spline.LocalBasis(x, grid, k, assume_valid=True), y


def normal_matrix(values, start, n_basis, u):
    """``A^T A`` in upper banded storage, assembled by scatter-adds from the local basis.

    Parameters
    ----------
    values : ndarray, shape (N, n_in, k+1)
        Local basis values (:func:`minikan.core.spline.basis_local`, order 0).
    start : ndarray of int, shape (N, n_in)
    n_basis : int
    u : int
        Stored half-bandwidth, ``u >= k`` (extra bands stay 0; a penalty may fill them).

    Returns
    -------
    band : ndarray, shape (n_in, u+1, n_basis)
        ``band[i, u + a - b, b] = (A_i^T A_i)[a, b]`` for ``a <= b`` (SciPy's upper form).
    """
    _, n_in, kp1 = values.shape
    rows = np.arange(n_in)[None, :]  # (1, n_in)
    band = np.zeros(n_in * (u + 1) * n_basis)
    for r in range(kp1):
        for q in range(r, kp1):  # entry (start + r, start + q), diagonal offset q - r
            idx = (rows * (u + 1) + (u - (q - r))) * n_basis + start + q  # (N, n_in)
            band += np.bincount(idx.ravel(), (values[..., r] * values[..., q]).ravel(), band.size)
    return band.reshape(n_in, u + 1, n_basis)


def difference_penalty(n_basis, order, u):
    """``D^T D`` for the ``order``-th difference operator on ``n_basis`` coefficients, upper band.

    Returns an array of shape (u+1, n_basis), ``u >= order``; zero when ``n_basis <= order``.
    """
    stencil = np.array([1.0])
    for _ in range(order):
        stencil = np.convolve(stencil, [1.0, -1.0])  # (order+1,) binomial with alternating signs
    band = np.zeros((u + 1, n_basis))
    n_rows = n_basis - order  # rows of D
    for a in range(order + 1):
        for b in range(a, order + 1):  # row s of D touches columns s..s+order
            band[u - (b - a), b : b + max(n_rows, 0)] += stencil[a] * stencil[b]
    return band


def _band_matvec(band, c):
    """``M c`` for a symmetric ``M`` in upper banded storage ``(u+1, n)`` and ``c`` of shape (n, ...)."""
    u = band.shape[0] - 1
    out = band[u][:, None] * c
    for d in range(1, u + 1):
        upper = band[u - d, d:][:, None]  # M[a, a + d], a = 0..n-d-1
        out[:-d] += upper * c[d:]
        out[d:] += upper * c[:-d]
    return out


def _full_rank_factor(band):
    """Cholesky factor of ``A^T A`` if it is numerically of full rank; ``(factor, deficient,
    min_pivot, rcond)`` with ``band`` (u+1, n_basis) in upper banded storage.

    Full rank means that the factorisation succeeds and that the smallest eigenvalue of ``A^T A``
    exceeds ``PIVOT_RTOL`` times its largest (``rcond``). The pivots alone do not tell: each is
    at least the smallest eigenvalue but may be far larger (module docstring).
    """
    u = band.shape[0] - 1
    scale = band[u].max()
    if scale <= 0:
        return None, True, 0.0, 0.0
    try:
        factor = cholesky_banded(band, lower=False)
    except LinAlgError:
        return None, True, 0.0, 0.0
    min_pivot = float((factor[u] ** 2).min() / scale)
    n = band.shape[1]
    low, high = (eig_banded(band, lower=False, eigvals_only=True, select="i", select_range=(m, m))[0]
                 for m in (0, n - 1))
    rcond = float(max(low, 0.0) / high)
    if not (min_pivot > PIVOT_RTOL and rcond > PIVOT_RTOL):
        return None, True, min_pivot, rcond
    return factor, False, min_pivot, rcond


def _determines_a_line(band):
    """Whether the samples fix both coefficients of a straight line ``c_m = alpha + beta m``.

    If not, a second-difference penalty (which is blind to such lines) leaves the system singular.
    """
    n = band.shape[1]
    if n < 2:
        return False
    m = np.arange(n, dtype=np.float64)
    lines = np.stack([np.ones(n), (m - m.mean()) / max(np.abs(m - m.mean()).max(), 1.0)], axis=1)
    gram = lines.T @ _band_matvec(band, lines)  # (2, 2), |A alpha|^2 for the two lines
    low, high = np.linalg.eigvalsh(gram)
    return bool(low > PIVOT_RTOL * high)


def _solve_banded(basis, y):
    """Banded least squares for every input at once, ``basis`` a :class:`LocalBasis` (order 0)
    at the samples and ``y`` (N, n_in, n_out); returns ``coef`` (n_in, n_out, n_basis), FitInfo."""
    n_in, n_out, n_basis, k = basis.n_in, y.shape[2], basis.n_basis, basis.k
    u = max(k, 2)  # room for the second-difference penalty's two off-diagonals
    band = normal_matrix(basis.values[0], basis.start, n_basis, u)
    rhs = basis.adjoint(y).transpose(0, 2, 1)  # A^T y, (n_in, n_basis, n_out)
    coef = np.zeros((n_in, n_out, n_basis))
    deficient, penalty = np.zeros(n_in, dtype=bool), np.full(n_in, "none", dtype="<U8")
    lam, min_pivot, rcond = np.zeros(n_in), np.zeros(n_in), np.zeros(n_in)
    factors, penalties = [None] * n_in, [None] * n_in
    for i in range(n_in):
        factors[i], deficient[i], min_pivot[i], rcond[i] = _full_rank_factor(band[i])
        if not deficient[i]:
            continue
        scale = band[i, u].max()
        if scale <= 0:  # no sample sees any basis function: every coefficient fits equally well
            penalty[i] = "zero"
            continue
        smooth = difference_penalty(n_basis, 2, u)
        penalty[i] = "d2"
        if not _determines_a_line(band[i]):
            smooth = smooth + difference_penalty(n_basis, 1, u)
            penalty[i] = "d2+d1"
        lam[i] = PENALTY_RTOL * scale
        penalties[i] = lam[i] * smooth
        factors[i] = cholesky_banded(band[i] + penalties[i], lower=False)
    for i in range(n_in):
        if factors[i] is not None:
            coef[i] = cho_solve_banded((factors[i], False), rhs[i]).T
    live = np.array([f is not None for f in factors])
    for _ in range(REFINEMENT_STEPS):
        # the residual of the (penalised) normal equations, with A applied through the local basis
        grad = basis.adjoint(y - basis.apply(coef)).transpose(0, 2, 1)  # A^T (y - A c)
        for i in np.flatnonzero(live):
            g = grad[i] if penalties[i] is None else grad[i] - _band_matvec(penalties[i], coef[i].T)
            coef[i] += cho_solve_banded((factors[i], False), g).T
    return coef, FitInfo(deficient, penalty, lam, min_pivot, rcond)
