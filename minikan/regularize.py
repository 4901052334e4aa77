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

from ._checks import as_float


@dataclass(frozen=True)
class Sparsity:
    """The weights of Eq. 2.20: ``lamb`` (λ), ``mu1`` (L1) and ``mu2`` (entropy)."""

    lamb: float = 0.0
    mu1: float = 1.0
    mu2: float = 1.0

    def __post_init__(self):
        for name in ("lamb", "mu1", "mu2"):
            as_float(getattr(self, name), name, 0.0)


def layer_penalty(phi, mu1=1.0, mu2=1.0):
    """``mu1 |Phi|_1 + mu2 S(Phi)`` for one layer and its gradient with respect to ``phi``.

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
    value = mu1 * T + mu2 * S
    dA = mu1 + mu2 * dS_dA  # (n_in, n_out)
    return float(value), dA[None] * np.sign(phi) / N


def penalty(layers, caches, sparsity):
    """λ (μ1 Σ_l |Φ_l|_1 + μ2 Σ_l S(Φ_l)) (Eq. 2.20) over all layers, and per-layer ``dphi``.

    Returns
    -------
    value : float
        The weighted penalty (already multiplied by ``lamb``).
    raw : float
        The unweighted sum ``Σ_l (μ1 |Φ_l|_1 + μ2 S(Φ_l))``, the number pykan logs as ``reg``.
    dphis : list of ndarray, one (N, n_in, n_out) per layer, gradients of ``value``
    """
    raw, dphis = 0.0, []
    for layer, cache in zip(layers, caches):
        v, d = layer_penalty(layer.edge_values(cache), sparsity.mu1, sparsity.mu2)
        raw += v
        dphis.append(sparsity.lamb * d)
    return sparsity.lamb * raw, raw, dphis
