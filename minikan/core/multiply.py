"""Multiplication nodes (KAN 2.0 style): a node row made of sum nodes and product nodes.

A row of ``n = n_sum + n_mult`` nodes is fed by ``n_sub = n_sum + arity * n_mult`` *subnodes*, the
outputs ``y_j = sum_i phi_ij(x_i)`` (Eq. 2.5) of the layer below. The first ``n_sum`` subnodes pass
through as sum nodes; multiplication node ``m`` is the product of the ``arity`` subnodes that follow,

.. math::
    z_{n_{sum} + m} = \\prod_{p=0}^{a-1} y_{n_{sum} + a m + p}, \\qquad m = 0, \\dots, n_{mult} - 1.

The functions work on NumPy arrays ``(N, n_sub)`` and on plain lists of sympy expressions (one
per subnode) alike, so the formula of a symbolic model uses the same step as the forward pass.
A row without multiplication nodes (``n_mult = 0``) is the identity and returns its input itself.
"""
import functools
import operator

import numpy as np

from .._checks import as_int


def parse_width(width):
    """Split a width list whose entries are ints or pairs ``[n_sum, n_mult]``.

    Returns
    -------
    nodes : list of int
        ``n_sum + n_mult`` per row, the inputs of the next layer.
    n_mult : list of int
        Multiplication nodes per row (0 for an int entry); row 0 (the inputs) must have none.
    """
    from .._checks import check_width

    if isinstance(width, (str, bytes)) or not hasattr(width, "__len__"):
        return check_width(width), None  # check_width raises the usual error
    if not any(isinstance(w, (list, tuple, np.ndarray)) for w in width):
        nodes = check_width(width)
        return nodes, [0] * len(nodes)
    nodes, mults = [], []
    for pos, w in enumerate(width):
        if isinstance(w, (list, tuple, np.ndarray)):
            if len(w) != 2:
                raise ValueError(f"width[{pos}] must be an int or a pair [n_sum, n_mult], got {list(w)!r}")
            n_sum, n_mult = as_int(w[0], f"width[{pos}][0] (n_sum)", 0), as_int(w[1], f"width[{pos}][1] (n_mult)", 0)
            if n_sum + n_mult < 1:
                raise ValueError(f"width[{pos}] = [{n_sum}, {n_mult}] has no node; a row needs n_sum + n_mult >= 1")
        else:
            n_sum, n_mult = as_int(w, "each width entry", 1), 0
        nodes.append(n_sum + n_mult)
        mults.append(n_mult)
    if len(nodes) < 2:
        raise ValueError(f"width needs at least an input and an output size, got {nodes}")
    if mults[0]:
        raise ValueError(f"the input row cannot have multiplication nodes, got width[0] = {list(width[0])}")
    return nodes, mults


def check_arity(mult_arity):
    """``mult_arity`` as an int >= 2 (one arity for every multiplication node)."""
    if isinstance(mult_arity, (list, tuple, np.ndarray)):
        raise TypeError("mult_arity must be one int >= 2 shared by all multiplication nodes; per-node arity "
                        f"lists are not supported, got {mult_arity!r}")
    return as_int(mult_arity, "mult_arity", 2)


def n_subnodes(n_nodes, n_mult, arity):
    """Number of subnodes feeding a row of ``n_nodes`` nodes of which ``n_mult`` multiply."""
    return n_nodes + (arity - 1) * n_mult


def node_of_subnode(n_sum, n_mult, arity):
    """Index of the node each subnode feeds, shape (n_sum + arity * n_mult,), int."""
    return np.concatenate([np.arange(n_sum), n_sum + np.repeat(np.arange(n_mult), arity)]).astype(np.intp)


def subnodes_of(nodes, n_sum, arity):
    """The subnode indices of ``nodes`` (in the given order): a sum node ``j < n_sum`` is its own
    subnode, multiplication node ``n_sum + m`` owns ``n_sum + arity*m .. n_sum + arity*m + arity-1``."""
    out = []
    for j in nodes:
        j = int(j)
        out.extend([j] if j < n_sum else range(n_sum + arity * (j - n_sum), n_sum + arity * (j - n_sum) + arity))
    return np.array(out, dtype=np.intp)


def multiply(y, n_sum, arity, mul=operator.mul):
    """Nodes from subnodes: the sum nodes pass, each multiplication node is a product.

    Parameters
    ----------
    y : ndarray, shape (N, n_sub), or list of n_sub values (sympy expressions, 1-D arrays)
    n_sum : int
    arity : int
    mul : callable
        How two values of a list are multiplied (the formula passes one that keeps sympy from
        re-associating); an ndarray ``y`` is multiplied with ``*``.

    Returns
    -------
    ndarray, shape (N, n_sum + n_mult), or a list of that many expressions; ``y`` itself when
    there is no multiplication node. Factors are multiplied left to right, as pykan does.
    """
    n_sub = y.shape[1] if isinstance(y, np.ndarray) else len(y)
    n_mult = _n_mult(n_sub, n_sum, arity)
    if n_mult == 0:
        return y
    if isinstance(y, np.ndarray):
        prod = y[:, n_sum::arity]
        for p in range(1, arity):
            prod = prod * y[:, n_sum + p::arity]
        return np.concatenate([y[:, :n_sum], prod], axis=1)
    return list(y[:n_sum]) + [functools.reduce(mul, y[n_sum + arity * m:n_sum + arity * (m + 1)])
                              for m in range(n_mult)]


def multiply_backward(dz, y, n_sum, arity):
    """Gradient with respect to the subnodes, by the product rule.

    Parameters
    ----------
    dz : ndarray, shape (N, n_sum + n_mult)
        ``dL/dz`` for the nodes.
    y : ndarray, shape (N, n_sub)
        The subnode values of the forward pass.

    Returns
    -------
    dy : ndarray, shape (N, n_sub)
        ``dL/dy_s = dL/dz_s`` for a sum node, and for factor ``p`` of multiplication node ``m``
        ``dL/dz_m * prod_{q != p} y_q`` (the product of the other factors, never a division, so
        a zero factor is handled).
    """
    n_mult = _n_mult(y.shape[1], n_sum, arity)
    if n_mult == 0:
        return dz
    dy = np.empty_like(y)
    dy[:, :n_sum] = dz[:, :n_sum]
    dm = dz[:, n_sum:]
    for p in range(arity):
        others = dm
        for q in range(arity):
            if q != p:
                others = others * y[:, n_sum + q::arity]
        dy[:, n_sum + p::arity] = others
    return dy


def _n_mult(n_sub, n_sum, arity):
    if n_sub < n_sum or (n_sub - n_sum) % arity:
        raise ValueError(f"{n_sub} subnodes cannot feed {n_sum} sum nodes and a whole number of "
                         f"multiplication nodes of arity {arity}")
    return (n_sub - n_sum) // arity


def refuse_mult(model, what):
    """Raise ``ValueError`` when ``model`` has multiplication nodes: ``what`` (a function or module
    that assumes every node sums its incoming edges) cannot handle them."""
    n_mult = list(getattr(model, "n_mult", ()))
    if any(n_mult):
        raise ValueError(f"{what} supports only KANs without multiplication nodes; this model has "
                         f"n_mult={n_mult} (width {model.width})")
