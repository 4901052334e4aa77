"""Pruning (paper Section 2.5.1, Eq. 2.21): node scores from data, and smaller networks.

A hidden node ``(l, i)`` is important when both its largest incoming and its largest outgoing
edge are, measured by the L1 norm of Eq. 2.17 on the samples ``X``:

.. math::
    I_{l,i} = \\max_k |\\phi_{l-1,k,i}|_1, \\qquad O_{l,i} = \\max_j |\\phi_{l+1,j,i}|_1 \\qquad (2.21)

and it is kept iff ``I > threshold`` and ``O > threshold`` (the paper uses 1e-2). Inputs and
outputs are never removed by node pruning.

Multiplication nodes (:mod:`minikan.core.multiply`): the edges into a product node end at its
subnodes, so ``I`` of a product node is the smallest over its factors of their largest incoming
edge (a product with a vanishing factor vanishes), and a product node is kept or removed together
with all its subnodes.

Removing a node deletes its incoming edges, its bias and its outgoing edges. The smaller network
computes exactly what the original computes with those edges masked, on every input.
"""
import numpy as np

from .._checks import as_choice, as_float, as_int, as_matrix
from ..core.multiply import node_of_subnode, subnodes_of


SCORE_METRICS = ("paper", "pykan-0.0", "pykan")
EDGE_METRICS = ("pykan", "paper", "pykan-0.0")  # the same, pykan's first: the default of edge_scores


def require_kan(model):
    """Refuse anything but a KAN (the scores read its layers) with a ``TypeError``."""
    if not hasattr(model, "layers") or not hasattr(model, "width"):
        raise TypeError(f"model must be a minikan KAN, got {type(model).__name__}")


def edge_l1(model, X, metric="paper"):
    """``|phi_{l,i,j}|_1`` (Eq. 2.17) for every layer on inputs ``X``: a list of (n_l, n_{l+1}) arrays.

    With ``metric="pykan-0.0"`` each norm is divided by the width of its input's grid plus 1e-4, as
    the paper-era code did (see :func:`minikan.core.regularize.layer_penalty_pykan00`).
    """
    from ..core.regularize import grid_range

    metric = as_choice(metric, "metric", SCORE_METRICS)
    scores = []
    for l, (layer, x) in enumerate(zip(model.layers, model.layer_inputs(X))):
        A = np.mean(np.abs(model.edge_functions(l, x)), axis=0)
        scores.append(A / grid_range(layer)[:, None] if metric == "pykan-0.0" else A)
    return scores


def attribution_scores(model, X):
    """pykan 0.2.8's backward attribution scores (KAN 2.0, not the paper) on inputs ``X``.

    Each output node has score 1 for itself; going backwards, edge ``i -> j`` of layer ``l`` gets
    ``std(phi_lij) / (std(sum_i phi_lij) + 1e-4)`` times the score of ``j``, and node ``i`` the sum of
    its outgoing edge scores; the scores are averaged over the output nodes. So a node scores the
    share of the output's variation that passes through it, whatever the scale of its own values.

    A multiplication node's score is copied to each of its subnodes before going further back.

    Returns
    -------
    nodes : list of ndarray
        One per layer ``0..L``, shape (n_l,).
    edges : list of ndarray
        One per layer ``0..L-1``, shape (n_l, subnode_width[l+1]) (= n_{l+1} without
        multiplication nodes).
    """
    n_out = model.width[-1]
    score = np.eye(n_out)  # (queries, n_L): one query per output node
    nodes, edges = [score.mean(axis=0)], []
    for l, x in reversed(list(enumerate(model.layer_inputs(X)))):
        score = score[:, _node_index(model, l + 1)]  # a product node's score reaches every factor
        phi = model.edge_functions(l, x)  # (N, n_in, n_out)
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
    scores = []
    for l in range(1, len(model.layers)):
        I = np.full(model.width[l], np.inf)  # the weakest factor of a product node counts
        np.minimum.at(I, _node_index(model, l), A[l - 1].max(axis=0))
        scores.append((I, A[l].max(axis=1)))
    return scores


def _node_index(model, l):
    """The node of row ``l`` that each of its subnodes feeds, shape (subnode_width[l],)."""
    n_mult = model.n_mult[l]
    return node_of_subnode(model.width[l] - n_mult, n_mult, model.mult_arity)


def _subnodes(model, l, nodes):
    return subnodes_of(nodes, model.width[l] - model.n_mult[l], model.mult_arity)


def prune_nodes(model, X, threshold=1e-2, metric="paper", edge_threshold=None):
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
    edge_threshold : float, optional
        Then also remove the edges of the smaller network whose scores (same metric, recomputed on
        the smaller network, :func:`prune_edges`) are below this, as pykan 0.2.8's
        ``prune(node_th, edge_th)`` does (its default 3e-2), and then the hidden nodes left with
        no incoming or no outgoing edge. Off by default: the paper prunes nodes.

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
    pruned = subnetwork(model, keep)
    if edge_threshold is not None:
        pruned = _drop_disconnected(prune_edges(pruned, X, edge_threshold, metric))
    return pruned


def live_edges(model, l):
    """Boolean (n_l, n_{l+1}): the edges of layer ``l`` with a numeric or a symbolic branch on."""
    return (model.layers[l].mask != 0) | (model.symbolic[l].mask != 0)


def _drop_disconnected(model):
    """The network without the hidden nodes that edge pruning left with no live incoming edge
    (into any of their subnodes) or no live outgoing edge. Such a node only adds a constant
    (its outgoing edges evaluated at a constant input) or nothing; keeping it would leave an
    edge that symbolic snapping fits to noise. Each hidden row keeps at least one node."""
    keep = [np.arange(n) for n in model.width]
    for l in range(1, len(model.layers)):
        fed = live_edges(model, l - 1).any(axis=0)  # per subnode of row l
        has_in = np.zeros(model.width[l], dtype=bool)
        np.logical_or.at(has_in, _node_index(model, l), fed)
        has_out = live_edges(model, l).any(axis=1)
        alive = np.flatnonzero(has_in & has_out)
        keep[l] = alive if alive.size else np.array([int(np.argmax(has_in | has_out))])
    if all(k.size == n for k, n in zip(keep, model.width)):
        return model
    return subnetwork(model, keep)


def subnetwork(model, keep):
    """The network restricted to the nodes ``keep[l]`` of every row ``l`` (0..L), in that order.

    ``keep[l]`` holds distinct node indices in any order, so a permutation of a row's nodes is a
    subnetwork too; a multiplication node comes with all its subnodes. In every row the kept sum
    nodes must come before the kept multiplication nodes (the layout of a row).
    """
    if isinstance(keep, (str, bytes)) or not hasattr(keep, "__len__") or len(keep) != len(model.width):
        raise ValueError(f"keep must list the kept nodes of each of the {len(model.width)} rows")
    rows, n_mult = [], []
    for l, nodes in enumerate(keep):
        nodes = np.asarray(nodes)
        if nodes.ndim != 1 or nodes.size == 0 or nodes.dtype.kind not in "iu":
            raise ValueError(f"keep[{l}] must be a non-empty 1-D array of node indices, got {nodes!r}")
        if nodes.min() < 0 or nodes.max() >= model.width[l] or np.unique(nodes).size != nodes.size:
            raise ValueError(f"keep[{l}] must hold distinct indices in [0, {model.width[l]}), got {nodes.tolist()}")
        is_mult = nodes >= model.width[l] - model.n_mult[l]
        if np.any(is_mult[:-1] & ~is_mult[1:]):
            raise ValueError(f"keep[{l}] lists a sum node after a multiplication node ({nodes.tolist()}); "
                             "sum nodes come first in a row")
        rows.append(nodes)
        n_mult.append(int(is_mult.sum()))
    layers, symbolic = [], []
    for l, (layer, sym) in enumerate(zip(model.layers, model.symbolic)):
        cols = _subnodes(model, l + 1, rows[l + 1])
        layers.append(layer.subset(rows[l], cols))
        symbolic.append(sym.subset(rows[l], cols))
    # type(model): this module builds models without importing the model class
    return type(model).from_layers(layers, model.grid_eps, model.grid_margin, model.trainable,
                                   model.init, n_mult=n_mult, mult_arity=model.mult_arity, symbolic=symbolic)


def edge_scores(model, X, metric="pykan"):
    """One score per edge for every layer, by ``metric``: pykan 0.2.8's attribution (see
    :mod:`minikan.interpret.attribution`), Eq. 2.17's ``|phi|_1`` or the paper-era code's norm.

    Parameters
    ----------
    model : KAN
    X : array_like, shape (N, n_0)
    metric : {"pykan", "paper", "pykan-0.0"}

    Returns
    -------
    list of ndarray, one per layer, shape (n_l, n_{l+1}), all >= 0 (nan where the activations
    overflow on ``X``).
    """
    metric = as_choice(metric, "metric", EDGE_METRICS)
    require_kan(model)
    X = as_matrix(X, "X", model.width[0])
    with np.errstate(over="ignore", invalid="ignore"):  # overflowing activations give nan scores
        return attribution_scores(model, X)[1] if metric == "pykan" else edge_l1(model, X, metric)


def prune_edges(model, X, threshold=3e-2, metric="paper"):
    """A copy of ``model`` with every edge whose score on ``X`` is below ``threshold`` removed
    (both its numeric and its symbolic branch switched off).

    Edge pruning is not in the paper. pykan 0.2.8 prunes edges at 3e-2 with its attribution
    scores (``metric="pykan"``); ``"paper"`` uses the paper's Eq. 2.17 norm ``|phi|_1`` and
    ``"pykan-0.0"`` that norm divided by the grid width (see
    :func:`minikan.interpret.attribution.edge_scores`).
    """
    threshold = as_float(threshold, "threshold", 0.0)
    new = model.copy()
    for layer, sym, A in zip(new.layers, new.symbolic, edge_scores(model, as_matrix(X, "X", model.width[0]), metric)):
        layer.mask[A < threshold] = 0.0
        sym.mask[A < threshold] = 0.0
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

    Both branches of the edge are switched off (the layer's and the symbolic edges' masks set to 0), whether it
    was numeric or symbolic, so it is gone from ``predict``, the formula
    (:func:`minikan.interpret.snapping.symbolic_formula`) and the diagram. A removed edge stays removed:
    ``fix_symbolic`` and ``unfix_symbolic`` refuse it (``ValueError``).
    """
    l, i, j = model.check_edge(l, i, j)
    new = model.copy()
    new.layers[l].mask[i, j] = 0.0
    new.symbolic[l].mask[i, j] = 0.0
    return new


def mask_nodes(model, removed):
    """A copy of ``model`` where the hidden nodes ``removed[l]`` (per hidden layer ``l >= 1``) are
    switched off by masking their incoming and outgoing edges; the reference for pruning."""
    new = model.copy()
    for l, nodes in removed.items():
        nodes = np.asarray(nodes, dtype=int)
        sub = _subnodes(model, l, nodes)  # a product node is switched off at all its factors
        new.layers[l - 1].mask[:, sub] = 0.0
        new.symbolic[l - 1].mask[:, sub] = 0.0
        new.layers[l].mask[nodes, :] = 0.0
        new.symbolic[l].mask[nodes, :] = 0.0
        if new.layers[l - 1].bias is not None:
            new.layers[l - 1].bias[sub] = 0.0
    return new
