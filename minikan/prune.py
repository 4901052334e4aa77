"""Pruning (paper Section 2.5.1, Eq. 2.21): node scores from data, and smaller networks.

A hidden node ``(l, i)`` is important when both its largest incoming and its largest outgoing
edge are, measured by the L1 norm of Eq. 2.17 on the samples ``X``:

.. math::
    I_{l,i} = \\max_k |\\phi_{l-1,k,i}|_1, \\qquad O_{l,i} = \\max_j |\\phi_{l+1,j,i}|_1 \\qquad (2.21)

and it is kept iff ``I > threshold`` and ``O > threshold`` (the paper uses 1e-2). Inputs and
outputs are never removed by node pruning.

Removing a node deletes its incoming edges, its bias and its outgoing edges. The smaller network
computes exactly what the original computes with those edges masked, on every input.
"""
import numpy as np

from ._checks import as_float, as_int, as_matrix


def edge_l1(model, X):
    """``|phi_{l,i,j}|_1`` (Eq. 2.17) for every layer on inputs ``X``: a list of (n_l, n_{l+1}) arrays."""
    return [np.mean(np.abs(layer.edge_functions(x)), axis=0)
            for layer, x in zip(model.layers, model.layer_inputs(X))]


def node_scores(model, X):
    """Eq. 2.21 for every hidden layer: a list (one per hidden layer) of ``(I, O)`` arrays."""
    A = edge_l1(model, X)
    return [(A[l - 1].max(axis=0), A[l].max(axis=1)) for l in range(1, len(model.layers))]


def prune_nodes(model, X, threshold=1e-2):
    """A new, smaller KAN keeping the hidden nodes whose scores (Eq. 2.21) exceed ``threshold``.

    Parameters
    ----------
    model : KAN
    X : ndarray, shape (N, n_0)
        Samples on which the edge norms are measured.
    threshold : float

    Returns
    -------
    pruned : KAN
        A new model; ``model`` is not modified. A hidden layer keeps at least its best node so the
        network stays connected.
    """
    threshold = as_float(threshold, "threshold", 0.0)
    X = as_matrix(X, "X", model.width[0])
    keep = [np.arange(model.width[0])]
    for I, O in node_scores(model, X):
        alive = np.flatnonzero((I > threshold) & (O > threshold))
        if alive.size == 0:
            alive = np.array([int(np.argmax(np.minimum(I, O)))])
        keep.append(alive)
    keep.append(np.arange(model.width[-1]))
    return subnetwork(model, keep)


def subnetwork(model, keep):
    """The network restricted to the nodes ``keep[l]`` (sorted indices) of every layer ``l``."""
    from .model import KAN

    layers = [layer.subset(keep[l], keep[l + 1]) for l, layer in enumerate(model.layers)]
    return KAN.from_layers(layers, model.grid_eps, model.grid_margin, model.trainable)


def prune_edges(model, X, threshold=3e-2):
    """A copy of ``model`` with every edge whose ``|phi|_1`` on ``X`` is below ``threshold`` masked.

    (Edge pruning is not in the paper; pykan 0.2.8 prunes edges at 3e-2 with its attribution
    scores, here the paper's Eq. 2.17 norm is used.)
    """
    threshold = as_float(threshold, "threshold", 0.0)
    new = model.copy()
    for layer, A in zip(new.layers, edge_l1(model, as_matrix(X, "X", model.width[0]))):
        layer.mask[A < threshold] = 0.0
        layer.sym_mask[A < threshold] = 0.0
    return new


def prune_inputs(model, X, threshold=1e-2):
    """Drop the inputs whose largest outgoing ``|phi|_1`` on ``X`` is below ``threshold``.

    Returns
    -------
    pruned : KAN
        A new model that takes only the kept input columns.
    kept : ndarray of int
        Indices of the kept columns of ``X`` (call ``pruned.predict(X[:, kept])``).
    """
    threshold = as_float(threshold, "threshold", 0.0)
    A = edge_l1(model, as_matrix(X, "X", model.width[0]))[0]
    kept = np.flatnonzero(A.max(axis=1) > threshold)
    if kept.size == 0:
        kept = np.array([int(np.argmax(A.max(axis=1)))])
    keep = [kept] + [np.arange(n) for n in model.width[1:]]
    return subnetwork(model, keep), kept


def prune_node(model, l, i):
    """A new model without hidden node ``i`` of layer ``l`` (1 <= l <= L-1)."""
    l, i = as_int(l, "l", 1), as_int(i, "i", 0)
    if l >= len(model.layers):
        raise ValueError(f"only hidden layers 1..{len(model.layers) - 1} have removable nodes, got l={l}")
    if i >= model.width[l] or model.width[l] == 1:
        raise ValueError(f"layer {l} has {model.width[l]} nodes; cannot remove node {i}")
    keep = [np.arange(n) for n in model.width]
    keep[l] = np.delete(keep[l], i)
    return subnetwork(model, keep)


def remove_edge(model, l, i, j):
    """A copy of ``model`` with edge ``i -> j`` of layer ``l`` masked out."""
    l, i, j = model.check_edge(l, i, j)
    new = model.copy()
    new.layers[l].mask[i, j] = 0.0
    return new


def mask_nodes(model, removed):
    """A copy of ``model`` where the hidden nodes ``removed[l]`` (per hidden layer ``l >= 1``) are
    switched off by masking their incoming and outgoing edges; the reference for pruning."""
    new = model.copy()
    for l, nodes in removed.items():
        nodes = np.asarray(nodes, dtype=int)
        new.layers[l - 1].mask[:, nodes] = 0.0
        new.layers[l].mask[nodes, :] = 0.0
        if new.layers[l - 1].bias is not None:
            new.layers[l - 1].bias[nodes] = 0.0
    return new
