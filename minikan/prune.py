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

from ._checks import as_choice, as_float, as_int, as_matrix


SCORE_METRICS = ("paper", "pykan-0.0", "pykan")


def edge_l1(model, X, metric="paper"):
    """``|phi_{l,i,j}|_1`` (Eq. 2.17) for every layer on inputs ``X``: a list of (n_l, n_{l+1}) arrays.

    With ``metric="pykan-0.0"`` each norm is divided by the width of its input's grid plus 1e-4, as
    the paper-era code did (see :func:`minikan.regularize.layer_penalty_pykan00`).
    """
    from .regularize import grid_range

    metric = as_choice(metric, "metric", SCORE_METRICS)
    scores = []
    for layer, x in zip(model.layers, model.layer_inputs(X)):
        A = np.mean(np.abs(layer.edge_functions(x)), axis=0)
        scores.append(A / grid_range(layer)[:, None] if metric == "pykan-0.0" else A)
    return scores


def attribution_scores(model, X):
    """pykan 0.2.8's backward attribution scores (KAN 2.0, not the paper) on inputs ``X``.

    Each output node has score 1 for itself; going backwards, edge ``i -> j`` of layer ``l`` gets
    ``std(phi_lij) / (std(sum_i phi_lij) + 1e-4)`` times the score of ``j``, and node ``i`` the sum of
    its outgoing edge scores; the scores are averaged over the output nodes. So a node scores the
    share of the output's variation that passes through it, whatever the scale of its own values.

    Returns
    -------
    nodes : list of ndarray
        One per layer ``0..L``, shape (n_l,).
    edges : list of ndarray
        One per layer ``0..L-1``, shape (n_l, n_{l+1}).
    """
    n_out = model.width[-1]
    score = np.eye(n_out)  # (queries, n_L): one query per output node
    nodes, edges = [score.mean(axis=0)], []
    for layer, x in reversed(list(zip(model.layers, model.layer_inputs(X)))):
        phi = layer.edge_functions(x)  # (N, n_in, n_out)
        std_edge = phi.std(axis=0, ddof=1) if phi.shape[0] > 1 else np.zeros(phi.shape[1:])
        total = phi.sum(axis=1)
        std_node = total.std(axis=0, ddof=1) if phi.shape[0] > 1 else np.zeros(phi.shape[2])
        edge = std_edge[None] * (score / (std_node + 1e-4))[:, None, :]  # (queries, n_in, n_out)
        score = edge.sum(axis=2)
        edges.insert(0, edge.mean(axis=0))
        nodes.insert(0, score.mean(axis=0))
    return nodes, edges


def node_scores(model, X, metric="paper"):
    """Scores of every hidden node: a list (one per hidden layer) of ``(I, O)`` arrays.

    ``"paper"`` and ``"pykan-0.0"``: Eq. 2.21's largest incoming and outgoing edge norm.
    ``"pykan"``: the attribution score of :func:`attribution_scores`, returned as both ``I`` and
    ``O`` so that the same rule (both above the threshold) applies.
    """
    if as_choice(metric, "metric", SCORE_METRICS) == "pykan":
        nodes = attribution_scores(model, X)[0]
        return [(nodes[l], nodes[l]) for l in range(1, len(model.layers))]
    A = edge_l1(model, X, metric)
    return [(A[l - 1].max(axis=0), A[l].max(axis=1)) for l in range(1, len(model.layers))]


def prune_nodes(model, X, threshold=1e-2, metric="paper"):
    """A new, smaller KAN keeping the hidden nodes whose scores (Eq. 2.21) exceed ``threshold``.

    Parameters
    ----------
    model : KAN
    X : ndarray, shape (N, n_0)
        Samples on which the edge norms are measured.
    threshold : float
    metric : {"paper", "pykan-0.0", "pykan"}
        The scores: Eq. 2.21 with the norm of Eq. 2.17, the same with the paper-era code's norm
        divided by the grid width, or pykan 0.2.8's attribution scores (:func:`attribution_scores`).

    Returns
    -------
    pruned : KAN
        A new model; ``model`` is not modified. A hidden layer keeps at least its best node so the
        network stays connected.
    """
    threshold = as_float(threshold, "threshold", 0.0)
    X = as_matrix(X, "X", model.width[0])
    keep = [np.arange(model.width[0])]
    for I, O in node_scores(model, X, metric):
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
    """A copy of ``model`` without edge ``i -> j`` of layer ``l``; ``model`` is not modified.

    Both branches of the edge are switched off (``mask`` and ``sym_mask`` set to 0), whether it
    was numeric or symbolic, so it is gone from ``predict``, the formula
    (:func:`minikan.snapping.symbolic_formula`) and the diagram. A removed edge stays removed:
    ``fix_symbolic`` and ``unfix_symbolic`` refuse it (``ValueError``).
    """
    l, i, j = model.check_edge(l, i, j)
    new = model.copy()
    new.layers[l].mask[i, j] = 0.0
    new.layers[l].sym_mask[i, j] = 0.0
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
