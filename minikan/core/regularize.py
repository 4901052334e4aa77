"""Sparsity regularisation (paper Section 2.5.1, Eq. 2.17–2.20) and its hand-derived gradient.

The penalty is computed from the edge activations of the same forward pass as the loss, so its
gradient flows into every parameter, including through the earlier layers:

.. math::
    |\\phi|_1 = \\frac{1}{N} \\sum_s |\\phi(x^{(s)})| \\quad (2.17), \\qquad
    |\\Phi|_1 = \\sum_{ij} |\\phi_{ij}|_1 \\quad (2.18),

    S(\\Phi) = -\\sum_{ij} p_{ij} \\log p_{ij}, \\; p_{ij} = |\\phi_{ij}|_1 / |\\Phi|_1 \\quad (2.19),

    \\ell_{total} = \\ell_{pred} + \\lambda \\Big( \\mu_1 \\sum_l |\\Phi_l|_1 + \\mu_2 \\sum_l S(\\Phi_l) \\Big) \\quad (2.20).

The entropy uses the natural logarithm and ``0 log 0 = 0``. ``|x|`` is not differentiable at 0;
the subgradient 0 is used there (an edge that is exactly zero on a sample gets no push).
"""
from dataclasses import dataclass

import numpy as np

from .._checks import as_choice, as_float

METRICS = ("paper", "pykan", "pykan-0.0")


@dataclass(frozen=True)
class Sparsity:
    """Weights of the penalty: ``lamb`` (λ), ``lamb_l1`` (the paper's μ₁, L1), ``lamb_entropy`` (μ₂,
    entropy), and the metric. (pykan's ``fit`` names μ₁ and μ₂ ``lamb_l1`` and ``lamb_entropy``;
    minikan uses those names everywhere.)

    ``metric="paper"`` is Eq. 2.17–2.20. ``metric="pykan"`` is pykan 0.2.8's default
    ``reg_metric='edge_forward_spline_n'`` (see :func:`layer_penalty_pykan`). ``metric="pykan-0.0"``
    is the code the paper's experiments ran with (see :func:`layer_penalty_pykan00`). ``lamb_coef`` and
    ``lamb_coefdiff`` add pykan's L1 penalties on the coefficients and on their differences along
    the basis axis (smoothness); like pykan, ``lamb`` multiplies them too.
    """

    lamb: float = 0.0
    lamb_l1: float = 1.0
    lamb_entropy: float = 1.0
    metric: str = "paper"
    lamb_coef: float = 0.0
    lamb_coefdiff: float = 0.0

    def __post_init__(self):
        for name in ("lamb", "lamb_l1", "lamb_entropy", "lamb_coef", "lamb_coefdiff"):
            as_float(getattr(self, name), name, 0.0)
        as_choice(self.metric, "reg_metric", METRICS)


def layer_penalty(phi, lamb_l1=1.0, lamb_entropy=1.0):
    """``lamb_l1 |Phi|_1 + lamb_entropy S(Phi)`` for one layer and its gradient with respect to ``phi``.

    Parameters
    ----------
    phi : ndarray, shape (N, n_in, n_out)
        Edge activations ``phi_ij(x_si)`` on the samples.

    Returns
    -------
    value : float
    dphi : ndarray, shape (N, n_in, n_out)

    Notes
    -----
    With ``A_ij = |phi_ij|_1`` and ``T = sum A``: ``dT/dA_ij = 1`` and
    ``dS/dA_ij = (-log p_ij - S) / T`` (because ``sum p = 1``); then
    ``dA_ij / dphi_sij = sign(phi_sij) / N``.
    """
    N = phi.shape[0]
    A = np.mean(np.abs(phi), axis=0)  # (n_in, n_out), Eq. 2.17
    T = A.sum()  # Eq. 2.18
    if T > 0:
        p = A / T
        log_p = np.log(np.where(p > 0, p, 1.0))  # 0 log 0 = 0
        S = -np.sum(p * log_p)  # Eq. 2.19
        dS_dA = np.where(p > 0, (-log_p - S) / T, 0.0)
    else:
        S, dS_dA = 0.0, np.zeros_like(A)
    value = lamb_l1 * T + lamb_entropy * S
    dA = lamb_l1 + lamb_entropy * dS_dA  # (n_in, n_out)
    return float(value), dA[None] * np.sign(phi) / N


def _std(z):
    """Unbiased standard deviation over axis 0 and its derivative factor ``(z - mean) / ((N-1) std)``.

    With one sample, or a constant column, the std is 0 and its (sub)gradient is taken as 0.
    """
    N = z.shape[0]
    centred = z - z.mean(axis=0)
    std = np.sqrt(np.sum(centred ** 2, axis=0) / max(N - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(std > 0, centred / (max(N - 1, 1) * std), 0.0)
    return std, factor


def _entropy_pykan(v, axis):
    """pykan's entropy of the normalised scores along ``axis`` (sum over it, mean over the other).

    ``p = v / (sum_axis v + 1)``, ``h = -sum_axis p log2(p + 1e-4)``, averaged; returns the value
    and its gradient with respect to ``v``.
    """
    R = v.sum(axis=axis, keepdims=True) + 1.0
    p = v / R
    log_term = np.log2(p + 1e-4)
    h = -np.sum(p * log_term, axis=axis)
    n = h.size
    q = -(log_term + p / ((p + 1e-4) * np.log(2.0)))  # dh/dp
    grad = (q - np.sum(q * p, axis=axis, keepdims=True)) / R / n
    return float(h.mean()), grad


def layer_penalty_pykan(phi, x, lamb_l1=1.0, lamb_entropy=1.0):
    """pykan 0.2.8's per-layer penalty (``reg_metric='edge_forward_spline_n'``) and its gradient.

    With ``v_ij = std(phi_ij) / (std(x_i) + 0.1)`` (unbiased std over the samples),
    ``value = lamb_l1 * sum v + lamb_entropy * (H_out + H_in)`` where ``H_out`` normalises ``v`` over the
    inputs of each output (``p = v / (sum_i v + 1)``) and ``H_in`` over the outputs of each input,
    each ``-sum p log2(p + 1e-4)`` averaged over the other index. Not the paper's Eq. 2.17–2.19:
    it is shift-invariant, uses base-2 logarithms and the "+1" normalisers.

    Parameters
    ----------
    phi : ndarray, shape (N, n_in, n_out)
    x : ndarray, shape (N, n_in)
        The layer's inputs (the gradient also flows through ``std(x)``).

    Returns
    -------
    value : float
    dphi : ndarray, shape (N, n_in, n_out)
    dx : ndarray, shape (N, n_in)
    """
    s_phi, f_phi = _std(phi)  # (n_in, n_out)
    s_x, f_x = _std(x)  # (n_in,)
    denom = (s_x + 0.1)[:, None]
    v = s_phi / denom  # (n_in, n_out)
    h_out, g_out = _entropy_pykan(v, axis=0)  # normalise over inputs, per output
    h_in, g_in = _entropy_pykan(v, axis=1)  # normalise over outputs, per input
    value = lamb_l1 * v.sum() + lamb_entropy * (h_out + h_in)
    dv = lamb_l1 + lamb_entropy * (g_out + g_in)  # (n_in, n_out)
    dphi = (dv / denom)[None] * f_phi
    dx = np.sum(-dv * s_phi / denom ** 2, axis=1)[None, :] * f_x
    return float(value), dphi, dx


def grid_range(layer):
    """Width of each input's non-extended grid, ``t_G - t_0`` (shape (n_in,)), plus pykan's 1e-4."""
    k = layer.k
    return layer.grid[:, -k - 1] - layer.grid[:, k] + 1e-4


def layer_penalty_pykan00(phi, span, lamb_l1=1.0, lamb_entropy=1.0):
    """The penalty of the paper-era code (pykan 0.0.x), and its gradient with respect to ``phi``.

    Eq. 2.17–2.19 applied to ``v_ij = |phi_ij|_1 / span_i``, where ``span_i`` is the width of input
    ``i``'s grid (:func:`grid_range`), with a base-2 entropy over all edges of the layer,
    ``S = -sum p log2(p + 1e-4)``, ``p = v / sum v``. Dividing by the grid width makes the score
    of an edge independent of how its input is scaled: a hidden node cannot escape the L1 penalty
    on its incoming edges by being small while its outgoing edges are steep, because its outgoing
    edges then live on a narrow grid and score high.

    Parameters
    ----------
    phi : ndarray, shape (N, n_in, n_out)
    span : ndarray, shape (n_in,)
        Constants (the grids are not trained by gradient).

    Returns
    -------
    value : float
    dphi : ndarray, shape (N, n_in, n_out)
    """
    N = phi.shape[0]
    v = np.mean(np.abs(phi), axis=0) / span[:, None]
    T = v.sum()
    if T > 0:
        p = v / T
        log_term = np.log2(p + 1e-4)
        S = -np.sum(p * log_term)
        q = -(log_term + p / ((p + 1e-4) * np.log(2.0)))  # dS/dp
        dS_dv = (q - np.sum(q * p)) / T
    else:
        S, dS_dv = 0.0, np.zeros_like(v)
    dv = lamb_l1 + lamb_entropy * dS_dv
    return float(lamb_l1 * T + lamb_entropy * S), (dv / span[:, None])[None] * np.sign(phi) / N


def coef_penalty(coef, lamb_coef=0.0, lamb_coefdiff=0.0):
    """pykan's coefficient penalties and their gradient, for ``coef`` of shape (n_in, n_out, G+k).

    ``lamb_coef * sum_{i,m} mean_j |c_ijm| + lamb_coefdiff * sum_{i,m} mean_j |c_ij,m+1 - c_ijm|``.
    """
    n_out = coef.shape[1]
    diff = np.diff(coef, axis=2)
    value = lamb_coef * np.abs(coef).sum() / n_out + lamb_coefdiff * np.abs(diff).sum() / n_out
    grad = lamb_coef * np.sign(coef) / n_out
    s = lamb_coefdiff * np.sign(diff) / n_out
    grad[:, :, 1:] += s
    grad[:, :, :-1] -= s
    return float(value), grad


def penalty(model, caches, sparsity):
    """λ times the penalty over all layers of ``model`` (Eq. 2.20, or a pykan variant), with its
    gradients, from the caches of ``model.forward``.

    Parameters
    ----------
    model : KAN
    caches : list of dict, from ``model.forward`` (each holds the layer input ``"x"``)
    sparsity : Sparsity

    Returns
    -------
    value : float
        The weighted penalty (already multiplied by ``lamb``).
    raw : float
        The unweighted sum over layers, the number pykan logs as ``reg``.
    extra : list of dict, one per layer
        What ``model.backward(..., extra)`` takes: ``"phi"``, the gradient of ``value`` with
        respect to the layer's edge values (N, n_in, n_out), and with the pykan metric ``"x"``,
        with respect to its input (N, n_in).
    direct : list of dict, one per layer
        Gradients with respect to parameters that the penalty reads directly (``"coef"``, from
        ``lamb_coef`` / ``lamb_coefdiff``); empty dicts otherwise.
    """
    lamb = sparsity.lamb
    raw, extra, direct = 0.0, [], []
    for layer, cache in zip(model.layers, caches):
        phi = layer.edge_values(cache)
        more = {}
        if sparsity.metric == "paper":
            v, d = layer_penalty(phi, sparsity.lamb_l1, sparsity.lamb_entropy)
        elif sparsity.metric == "pykan-0.0":
            v, d = layer_penalty_pykan00(phi, grid_range(layer), sparsity.lamb_l1, sparsity.lamb_entropy)
        else:
            v, d, dx = layer_penalty_pykan(phi, cache["x"], sparsity.lamb_l1, sparsity.lamb_entropy)
            more["x"] = lamb * dx
        more["phi"] = lamb * d
        coef_grad = {}
        if sparsity.lamb_coef > 0 or sparsity.lamb_coefdiff > 0:
            vc, dcoef = coef_penalty(layer.coef, sparsity.lamb_coef, sparsity.lamb_coefdiff)
            v += vc
            coef_grad["coef"] = lamb * dcoef
        raw += v
        extra.append(more)
        direct.append(coef_grad)
    return lamb * raw, raw, extra, direct


def regularization(model, X, lamb_l1=1.0, lamb_entropy=1.0, metric="paper", lamb_coef=0.0, lamb_coefdiff=0.0):
    """The unweighted penalty of ``model`` on inputs ``X`` (N, n_0):
    ``sum_l (lamb_l1 |Phi_l|_1 + lamb_entropy S(Phi_l))`` (Eq. 2.17–2.19) with ``metric="paper"``,
    or pykan's variants (see :class:`Sparsity`)."""
    _, caches = model.forward(X)
    return penalty(model, caches, Sparsity(1.0, lamb_l1, lamb_entropy, metric, lamb_coef, lamb_coefdiff))[1]
