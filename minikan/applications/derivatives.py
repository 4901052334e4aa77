"""Exact input derivatives of a KAN or an MLP, and the parameter gradient of losses built on them.

A physics-informed loss (Section 3.4, Eq. 3.2) reads the network output ``u(X)`` *and* its
derivatives with respect to the inputs ``X``. This module computes them exactly, by forward mode
through the layers, and then differentiates a loss ``L(u, du, d2u)`` with respect to every
parameter by running that forward mode backwards (reverse mode over forward mode).

Jets
----
Every intermediate quantity ``h`` (a layer input, a pre-activation) travels as a *jet*: one array
``J`` of shape ``(1 + D + P, N, n)`` holding ``J[0] = h``, ``J[1 + d] = dh/dX_d`` (``D`` = number of
network inputs) and ``J[1 + D + p] = d^2 h / dX_a dX_b`` for a list of pairs ``p = (a, b)``: the
``D`` pure pairs ``(d, d)`` by default (enough for a Laplacian), all pairs ``a <= b`` for the full
Hessian (``P = D (D + 1) / 2``; cheap for the 2-D problems of the paper). A linear map acts on
every slot alike. A scalar function ``g`` applied elementwise gives, by the chain rule,

.. math::
    g(h)_d = g'(h)\\, h_d                                            \\qquad (J1)

    g(h)_p = g''(h)\\, h_a h_b + g'(h)\\, h_p                         \\qquad (J2)

A KAN layer (Eq. 2.5) applies ``g = phi_ij`` to ``x_i`` on every edge and sums over ``i``, with
``phi_ij = m_ij (w_b b + w_s sum_m c_ijm B_m)`` (Eq. 2.10–2.12); the spline derivatives come from
:class:`minikan.core.spline.LocalBasis`. An MLP layer (Eq. 2.9) is ``z = h W + b`` then ``sigma(z)``,
with the derivatives of :func:`minikan.core.activations.activation_derivatives`.

Reverse pass
------------
Let ``G = dL/dJ_out`` be the loss gradient with respect to the output jet of ``g`` (same layout).
Only ``g, g', g''`` enter (J1)–(J2), so the loss sees ``g`` through three *adjoint weights*

.. math::
    r_0 = G_0, \\quad r_1 = \\sum_{t \\ge 1} G_t J_t, \\quad r_2 = \\sum_p G_p h_a h_b    \\qquad (R1)

(``t`` runs over all first- and second-derivative slots). Any parameter ``theta`` of ``g`` gets

.. math::
    dL/d\\theta = \\sum_n r_0 \\partial g/\\partial\\theta + r_1 \\partial g'/\\partial\\theta
                 + r_2 \\partial g''/\\partial\\theta                                   \\qquad (R2)

and the input jet gets

.. math::
    dL/dh = r_0 g' + r_1 g'' + r_2 g''', \\quad dL/dh_t = g' G_t \\;(t \\ge 1),
    \\quad dL/dh_d \\mathrel{+}= g'' \\sum_p G_p\\, \\partial(h_a h_b)/\\partial h_d     \\qquad (R3)

which is why third derivatives of splines and activations are needed.

Smoothness: a degree-``k`` spline has ``k - 1`` continuous derivatives, so ``k >= 3`` (the
default) gives continuous second derivatives. With ``k = 2`` a spline's second derivative is
piecewise constant, so ``d2u`` jumps where a spline input crosses a knot; with ``k <= 1`` the
splines contribute nothing to ``d2u`` (their second derivative is a sum of Dirac masses at the
knots, which a pointwise jet cannot see). At a knot the right-hand derivative is returned, as
everywhere in minikan. Splines are always evaluated in the local form (the dense one gives the
same numbers).

Symbolic edges ``psi = c f(a x + b) + d`` (Section 2.5.1) are supported: the library
(:mod:`minikan.interpret.symbolic`) gives ``f`` and ``f'``, and ``f''``, ``f'''`` are derived once per
function from its sympy form. The Dirac masses in the derivatives of ``abs`` and ``sgn`` are taken
as 0 (they live on a null set); a function whose sympy form cannot be differentiated and
evaluated raises ``NotImplementedError``.
"""
import functools
from collections import namedtuple

import numpy as np
import sympy

from .._checks import as_choice, as_matrix
from ..baselines.mlp import MLP
from ..core.activations import BASE_FUNCTIONS, activation_derivatives
from ..core.model import KAN
from ..core.multiply import refuse_mult
from ..interpret.symbolic import get_function

Layout = namedtuple("Layout", "D pairs")  # pairs: int array (P, 2) of second-derivative slots


def _layout(D, hessian, order):
    """Second-derivative slots: the pure pairs, all pairs a <= b (Hessian), or none (order 1)."""
    if order == 1:
        pairs = []
    elif hessian:
        pairs = [(a, b) for a in range(D) for b in range(a, D)]
    else:
        pairs = [(d, d) for d in range(D)]
    return Layout(D, np.array(pairs, dtype=np.int64).reshape(-1, 2))


def _quad(first, pairs):
    """``h_a h_b`` for every pair: first derivatives (D, ...) -> (P, ...)."""
    return first[pairs[:, 0]] * first[pairs[:, 1]]


def _quad_pullback(w, first, pairs):
    """``sum_p w_p d(h_a h_b)/dh_d``: weights (P, ...) and first derivatives (D, ...) -> (D, ...)."""
    out = np.zeros(first.shape[:1] + np.broadcast_shapes(w.shape[1:], first.shape[1:]))
    for p, (a, b) in enumerate(pairs):
        out[a] += w[p] * first[b]
        out[b] += w[p] * first[a]
    return out


def _push(f, J, lay):
    """Jet of ``g(h)`` (Eq. J1–J2) from ``f = (g, g', g'', ...)`` at ``h`` (each broadcastable
    against ``J[0]``) and the jet ``J`` of ``h``; the result has the broadcast shape."""
    first = J[1:1 + lay.D]
    g1 = f[1] * J[1:]  # g' h_t for every derivative slot t
    g1[lay.D:] += f[2] * _quad(first, lay.pairs)
    return np.concatenate([np.broadcast_to(f[0], g1.shape[1:])[None], g1])


def _pull(f, J, G, lay):
    """Reverse of :func:`_push`: adjoint weights ``r`` (3, ...) of Eq. R1 and ``dL/dJ`` of Eq. R3.

    ``f`` holds ``g .. g'''``; ``J`` and ``G`` broadcast to the edge shape."""
    first = J[1:1 + lay.D]
    r = np.stack(np.broadcast_arrays(G[0], (G[1:] * J[1:]).sum(0),
                                     (G[1 + lay.D:] * _quad(first, lay.pairs)).sum(0)))
    gJ = f[1] * G[1:]
    gJ[:lay.D] += _quad_pullback(f[2] * G[1 + lay.D:], first, lay.pairs)
    g0 = r[0] * f[1] + r[1] * f[2]
    if len(lay.pairs):  # without second-derivative slots r_2 = 0 and g''' is not computed
        g0 = g0 + r[2] * f[3]
    return r, np.concatenate([g0[None], gJ])


# ---------------------------------------------------------------------------------- KAN layers
def base_derivatives(name, x):
    """``b, b', b'', b'''`` of a KAN base function (Eq. 2.11) at ``x``, shape (4, *x.shape)."""
    as_choice(name, "base", BASE_FUNCTIONS)
    return np.stack(activation_derivatives(name, x, 3))


@functools.lru_cache(maxsize=None)
def _higher_derivatives(fun):
    """NumPy callables for ``f''`` and ``f'''`` of a :class:`minikan.interpret.symbolic.SymbolicFunction`."""
    z = sympy.Symbol("z", real=True)
    modules = [{"DiracDelta": lambda x, *order: np.zeros_like(x)}, "scipy", "numpy"]
    try:
        expr = fun.sympy(z)
        return tuple(sympy.lambdify(z, sympy.diff(expr, z, m), modules=modules) for m in (2, 3))
    except Exception as err:  # sympy raises many kinds; all mean "no usable derivative"
        raise NotImplementedError(f"cannot derive f'' and f''' of symbolic function {fun.name!r}: {err}") from err


def _symbolic_edges(sym, x):
    """``F[m] = f^(m)(a x_i + b)``, m = 0..3, on the symbolic edges of ``sym`` (a layer's
    :class:`~minikan.interpret.symbolic_edges.SymbolicEdges`; 0 elsewhere), (4, N, n_in, n_out)."""
    F = np.zeros((4,) + x.shape + (sym.shape[1],))
    for i, j in zip(*np.nonzero(sym.mask)):
        fun = get_function(sym.funs[i, j])
        z = sym.affine[i, j, 0] * x[:, i] + sym.affine[i, j, 1]
        for m, g in enumerate((fun.f, fun.df) + _higher_derivatives(fun)):
            F[m, :, i, j] = g(z)  # a constant derivative comes back as a scalar and broadcasts
    return F


def _symbolic_psi(sym, F):
    """``psi^(m) = s (c a^m f^(m) + d [m = 0])`` for m = 0..3, s the symbolic mask, from ``F``."""
    a, c, d = sym.affine[..., 0], sym.affine[..., 2], sym.affine[..., 3]
    powers = np.stack([a ** m for m in range(4)])[:, None]  # (4, 1, n_in, n_out)
    psi = sym.mask * c * powers * F
    psi[0] += sym.mask * d
    return psi


def _symbolic_grad(sym, F, x, r):
    """``dL/d(a, b, c, d)`` of the symbolic edges by Eq. R2, shape (n_in, n_out, 4), from
    ``d psi^(m)/da = s c (m a^(m-1) f^(m) + a^m x f^(m+1))``, ``d psi^(m)/db = s c a^m f^(m+1)``,
    ``d psi^(m)/dc = s a^m f^(m)`` and ``d psi^(m)/dd = s [m = 0]``."""
    a, c = sym.affine[..., 0], sym.affine[..., 2]
    xe = x[:, :, None]
    ga = gb = gc = 0.0
    for m in range(3):
        am = a ** m
        ga = ga + r[m] * c * ((m * a ** (m - 1) * F[m] if m else 0.0) + am * xe * F[m + 1])
        gb = gb + r[m] * c * am * F[m + 1]
        gc = gc + r[m] * am * F[m]
    return sym.mask[..., None] * np.stack([ga.sum(0), gb.sum(0), gc.sum(0), r[0].sum(0)], axis=-1)


def _kan_layer_forward(layer, sym, J, lay, nderiv):
    """Output jet (T, N, n_out) of one KAN layer and its tape.

    ``phi^(m)_ij = m_ij (w_b b^(m)(x_i) + w_s s^(m)_ij(x_i))`` for m = 0..nderiv (Eq. 2.10–2.12;
    ``nderiv`` is one above the jet's order, as the reverse pass needs it), then Eq. J1–J2 per
    edge and the node sum ``y_j = sum_i phi_ij + bias_j`` (Eq. 2.5)."""
    x = J[0]
    base, s, basis = layer.branches(x, nderiv, basis="local")  # b^(m) and s^(m) = sum_q c_q B^(m)_q, m < M = nderiv + 1
    b = np.stack(base)  # (M, N, n_in); s: (M, N, n_in, n_out)
    phi = layer.mask * (layer.w_b * b[..., None] + layer.w_s * s)  # (M, N, n_in, n_out)
    F = None
    if sym.active():  # the symbolic branch adds psi_ij on the same edges
        F = _symbolic_edges(sym, x)
        phi = phi + _symbolic_psi(sym, F)[:nderiv + 1]
    Y = _push(phi, J[..., None], lay).sum(axis=2)  # sum over the incoming edges i
    if layer.bias is not None:
        Y[0] += layer.bias
    return Y, {"J": J, "phi": phi, "b": b, "s": s, "basis": basis, "F": F}


def _kan_layer_backward(layer, sym, tape, G, lay, need_input=True):
    """``dL/dJ_in`` and the parameter gradients of one KAN layer, from ``G = dL/dY`` (T, N, n_out).

    With ``r_m`` the adjoint weights of Eq. R1 per edge, Eq. R2 gives
    ``dL/dw_b = m sum_n sum_m r_m b^(m)``, ``dL/dw_s = m sum_n sum_m r_m s^(m)`` and
    ``dL/dc_ijq = m w_s sum_n sum_m r_m B^(m)_q``; the bias sees ``G_0`` only."""
    phi, J = tape["phi"], tape["J"]
    r, gJ = _pull(phi, J[..., None], G[:, :, None, :], lay)  # (3, N, n_in, n_out), (T, N, n_in, n_out)
    grads = {
        "w_b": layer.mask * np.einsum("mni,mnij->ij", tape["b"][:3], r),
        "w_s": layer.mask * np.einsum("mnij,mnij->ij", tape["s"][:3], r),
        # sum_m A^(m)T r_m: the adjoints of the value and derivative maps of the basis
        "coef": (layer.mask * layer.w_s)[..., None] * tape["basis"].adjoint(r, range(len(r))),
    }
    if layer.bias is not None:
        grads["bias"] = G[0].sum(axis=0)
    if tape["F"] is not None:
        grads["affine"] = _symbolic_grad(sym, tape["F"], J[0], r)
    return (gJ.sum(axis=3) if need_input else None), grads


# ---------------------------------------------------------------------------------- MLP layers
def _mlp_forward(model, J, lay, nderiv):
    """Output jet of an MLP and per-layer tapes: ``z = h W + b`` on every slot (the bias on the
    value only), then Eq. J1–J2 with ``sigma`` on the hidden layers (Eq. 2.9)."""
    tapes = []
    for l, (W, bias) in enumerate(zip(model.weights, model.biases)):
        Z = (J.reshape(-1, W.shape[0]) @ W).reshape(J.shape[:2] + (W.shape[1],))  # one GEMM
        Z[0] += bias
        tape = {"J": J}
        if l < model.n_layers - 1:
            tape["sigma"] = np.stack(activation_derivatives(model.activation, Z[0], nderiv, model.omega0))
            tape["Z"] = Z
            Z = _push(tape["sigma"], Z, lay)
        tapes.append(tape)
        J = Z
    return J, tapes


def _mlp_backward(model, tapes, G, lay):
    """Per-layer gradients ``dL/dW = sum_t J_t^T dL/dZ_t``, ``dL/db = sum_n dL/dZ_0`` (Eq. R2 for a
    linear map), with Eq. R3 through every hidden activation."""
    grads = [None] * model.n_layers
    for l in reversed(range(model.n_layers)):
        tape, W = tapes[l], model.weights[l]
        if l < model.n_layers - 1:
            G = _pull(tape["sigma"], tape["Z"], G, lay)[1]  # dL/dZ from dL/dsigma(Z)
        J = tape["J"]
        grads[l] = {"W": J.reshape(-1, W.shape[0]).T @ G.reshape(-1, W.shape[1]), "b": G[0].sum(axis=0)}
        if l > 0:
            G = (G.reshape(-1, W.shape[1]) @ W.T).reshape(G.shape[:2] + (W.shape[0],))
    return grads


# ---------------------------------------------------------------------------------- public API
def _check_model(model):
    if isinstance(model, KAN):
        refuse_mult(model, "the derivative propagation of minikan.applications.derivatives")  # no product rule here
        return "kan"
    if isinstance(model, MLP):
        return "mlp"
    raise TypeError(f"model must be a minikan KAN or MLP, got {type(model).__name__}")


def jet_forward(model, X, hessian=False, order=2):
    """Outputs and their input derivatives, plus a tape for :func:`jet_backward`.

    Parameters
    ----------
    model : KAN or MLP
    X : ndarray, shape (N, D) with D = n_0
    hessian : bool
        False: ``d2u`` holds the pure second derivatives; True: the full Hessian.
    order : {1, 2}
        1 skips the second derivatives (``d2u`` is then None), e.g. for an H1 error.

    Returns
    -------
    (u, du, d2u) : ndarrays, shapes (N, n_out), (N, n_out, D) and (N, n_out, D) with
        ``d2u[n, j, d] = d^2 u_j / dX_d^2``, or (N, n_out, D, D) with ``hessian=True``.
    tape : dict
        Everything :func:`jet_backward` needs (arrays only; the parameters are read again from
        the model, so do not change them in between).
    """
    kind = _check_model(model)
    X = as_matrix(X, "X", model.width[0])
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    if not isinstance(hessian, (bool, np.bool_)):
        raise TypeError(f"hessian must be a bool, got {type(hessian).__name__}")
    N, D = X.shape
    lay = _layout(D, hessian, order)
    J = np.zeros((1 + D + len(lay.pairs), N, D))
    J[0] = X
    J[1 + np.arange(D), :, np.arange(D)] = 1.0  # dX_i/dX_d = delta_id; second derivatives 0
    if kind == "kan":
        tapes = []
        for layer, sym in zip(model.layers, model.symbolic):
            J, tape = _kan_layer_forward(layer, sym, J, lay, order + 1)
            tapes.append(tape)
    else:
        J, tapes = _mlp_forward(model, J, lay, order + 1)
    u, du = J[0], np.moveaxis(J[1:1 + D], 0, -1)
    second = np.moveaxis(J[1 + D:], 0, -1)  # (N, n_out, P)
    if order == 1:
        d2u = None
    elif hessian:
        d2u = np.empty(u.shape + (D, D))
        d2u[..., lay.pairs[:, 0], lay.pairs[:, 1]] = second
        d2u[..., lay.pairs[:, 1], lay.pairs[:, 0]] = second
    else:
        d2u = second
    return (u, du, d2u), {"kind": kind, "layout": lay, "layers": tapes, "shape": u.shape,
                             "hessian": hessian, "order": order}


def jet_backward(model, tape, g_u, g_du=None, g_d2u=None):
    """Flat parameter gradient (``model.get_flat()`` order, trainable groups only) of a scalar
    loss ``L(u, du, d2u)``, given its partial derivatives.

    Parameters
    ----------
    model : the model passed to :func:`jet_forward`, parameters unchanged since
    tape : dict from :func:`jet_forward`
    g_u, g_du, g_d2u : ndarrays shaped like ``u``, ``du`` and ``d2u``
        ``dL/du``, ``dL/d(du)``, ``dL/d(d2u)``; None means zero. With the full Hessian, entry
        ``[a, b]`` and ``[b, a]`` are treated as separate arguments of L (both are counted).

    Returns
    -------
    grad : ndarray, shape (model.n_params()['total'],)
    """
    lay, (N, n_out) = tape["layout"], tape["shape"]
    D, P = lay.D, len(lay.pairs)
    G = np.zeros((1 + D + P, N, n_out))
    expected = {"g_u": (N, n_out), "g_du": (N, n_out, D),
                "g_d2u": (N, n_out, D, D) if tape["hessian"] else (N, n_out, D)}
    if g_d2u is not None and tape["order"] == 1:
        raise ValueError("g_d2u was given, but the jet was computed with order=1 (no d2u)")
    for name, g in (("g_u", g_u), ("g_du", g_du), ("g_d2u", g_d2u)):
        if g is not None and np.shape(g) != expected[name]:
            raise ValueError(f"{name} must have shape {expected[name]}, got {np.shape(g)}")
    if g_u is not None:
        G[0] = g_u
    if g_du is not None:
        G[1:1 + D] = np.moveaxis(g_du, -1, 0)
    if g_d2u is not None:
        g = np.asarray(g_d2u, dtype=np.float64)
        if tape["hessian"]:  # slot (a, b) feeds both d2u[a, b] and d2u[b, a]
            a, b = lay.pairs[:, 0], lay.pairs[:, 1]
            g = np.where(a == b, g[..., a, b], g[..., a, b] + g[..., b, a])
        G[1 + D:] = np.moveaxis(g, -1, 0)
    if tape["kind"] == "mlp":
        return model.flatten_grads(_mlp_backward(model, tape["layers"], G, lay))
    grads = [None] * len(model.layers)
    for l in reversed(range(len(model.layers))):
        G, grads[l] = _kan_layer_backward(model.layers[l], model.symbolic[l], tape["layers"][l], G, lay, need_input=l > 0)
    return model.flatten_grads(grads)


def input_jet(model, X, hessian=False, order=2):
    """``(u, du, d2u)`` of :func:`jet_forward` without the tape.

    Examples
    --------
    >>> model = KAN([2, 3, 1], grid=5, seed=0)
    >>> u, du, d2u = input_jet(model, np.zeros((4, 2)))
    >>> u.shape, du.shape, d2u.shape
    ((4, 1), (4, 1, 2), (4, 1, 2))
    >>> input_jet(model, np.zeros((4, 2)), hessian=True)[2].shape
    (4, 1, 2, 2)
    """
    return jet_forward(model, X, hessian, order)[0]


def laplacian(model, X):
    """``sum_d d^2 u / dX_d^2`` for every output, shape (N, n_out)."""
    return input_jet(model, X)[2].sum(axis=-1)
