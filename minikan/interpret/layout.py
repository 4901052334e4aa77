"""The order of the nodes in a KAN diagram (Section 2.5.1, "Visualization").

Summation nodes of a hidden layer can be listed in any order: permuting them (and the rows and
columns of the edges around them) gives a network that computes exactly the same function. The
order only changes how the diagram looks, and a good one has few crossing edges.

Crossings are counted between the straight lines of the diagram: in layer ``l`` the edges
``i -> j`` and ``i' -> j'`` cross when their ends are in opposite orders,
``(p(i) - p(i')) (q(j) - q(j')) < 0`` with ``p``, ``q`` the positions of the nodes in their rows.
(:func:`minikan.interpret.plot.plot_model` places edge ``(i, j)``'s inset at slot ``i * n_out + j``, so its
lines cross exactly for these pairs.) The weighted count adds ``w * w'`` for every crossing pair,
so two strong edges that cross count fully and a faint edge hardly at all.

The automatic order is the barycentre heuristic of layered graph drawing: each hidden node is
moved to the weighted mean of the positions of its neighbours in the rows below and above it,
with the edge scores as weights; the hidden layers are swept bottom-up then top-down, a few
times, and the order with the fewest weighted crossings seen (the given one included) is kept.
So the result never has more weighted crossings than the model it starts from. Inputs and
outputs keep their order: they are the columns of ``X`` and ``y``.
"""
import numpy as np

from .._checks import as_int


def _check_hidden(model, l):
    l = as_int(l, "l", 0)
    if not 1 <= l <= len(model.layers) - 1:
        raise ValueError(f"only hidden layers 1..{len(model.layers) - 1} can be reordered (inputs and "
                         f"outputs are the columns of X and y), got l={l}")
    return l


def permute_nodes(model, l, order):
    """A new model whose hidden layer ``l`` lists its nodes in the order ``order``.

    Parameters
    ----------
    model : KAN
    l : int
        A hidden layer, ``1 <= l <= L-1``.
    order : sequence of int, length n_l
        A permutation of ``0..n_l-1``: node ``order[p]`` of ``model`` becomes node ``p``.

    Returns
    -------
    KAN
        Same predictions as ``model`` (only the order of the terms in each sum changes, so
        they agree to rounding); ``model`` is not modified.
    """
    l = _check_hidden(model, l)
    n = model.width[l]
    if isinstance(order, (str, bytes)) or not hasattr(order, "__len__"):
        raise TypeError(f"order must be a sequence of {n} node indices, got {type(order).__name__}")
    order = np.asarray(order)
    if order.shape != (n,) or not np.issubdtype(order.dtype, np.integer):
        raise ValueError(f"order must be {n} integers (a permutation of 0..{n - 1}), got shape "
                         f"{order.shape} of {order.dtype}")
    if not np.array_equal(np.sort(order), np.arange(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1}, got {order.tolist()}")
    orders = [np.arange(m) for m in model.width]
    orders[l] = order.astype(np.intp)
    return reorder(model, orders)


def swap(model, l, i1, i2):
    """A new model with nodes ``i1`` and ``i2`` of hidden layer ``l`` exchanged (see
    :func:`permute_nodes`)."""
    l = _check_hidden(model, l)
    i1, i2 = as_int(i1, "i1", 0), as_int(i2, "i2", 0)
    if max(i1, i2) >= model.width[l]:
        raise ValueError(f"layer {l} has {model.width[l]} nodes; cannot swap {i1} and {i2}")
    order = np.arange(model.width[l])
    order[[i1, i2]] = order[[i2, i1]]
    return permute_nodes(model, l, order)


def reorder(model, orders):
    """The model with the nodes of every layer ``l`` listed as ``orders[l]`` (as returned by
    :func:`auto_order`); inputs and outputs must keep their order. Same predictions."""
    from .prune import subnetwork

    if isinstance(orders, np.ndarray) or not hasattr(orders, "__len__") or len(orders) != len(model.width):
        raise TypeError(f"orders must be a list of {len(model.width)} index arrays, one per layer")
    checked = []
    for l, (order, n) in enumerate(zip(orders, model.width)):
        order = np.asarray(order)
        if order.shape != (n,) or not np.issubdtype(order.dtype, np.integer) \
                or not np.array_equal(np.sort(order), np.arange(n)):
            raise ValueError(f"orders[{l}] must be a permutation of 0..{n - 1}")
        if l in (0, len(model.layers)) and not np.array_equal(order, np.arange(n)):
            raise ValueError(f"orders[{l}] must be the identity: inputs and outputs are the columns of X and y")
        checked.append(order.astype(np.intp))
    new = subnetwork(model, checked)
    return new


def _live_weights(model):
    """1 for every edge that is drawn (numeric or symbolic part present), else 0."""
    from .prune import live_edges

    return [live_edges(model, l).astype(float) for l in range(len(model.layers))]


def _check_weights(model, weights):
    if weights is None:
        return _live_weights(model)
    if isinstance(weights, np.ndarray) or not hasattr(weights, "__len__") or len(weights) != len(model.layers):
        raise TypeError(f"weights must be a list of {len(model.layers)} arrays, one per layer")
    out = []
    for l, (w, layer) in enumerate(zip(weights, model.layers)):
        w = np.asarray(w, dtype=float)
        if w.shape != (layer.n_in, layer.n_out):
            raise ValueError(f"weights[{l}] must have shape {(layer.n_in, layer.n_out)}, got {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"weights[{l}] must be finite and >= 0")
        out.append(w)
    return out


def crossings(model, weights=None):
    """Number of pairs of crossing edges in the diagram of ``model``, per layer.

    Parameters
    ----------
    model : KAN
    weights : list of ndarray, optional
        One (n_l, n_{l+1}) array of non-negative edge weights per layer, e.g.
        :func:`minikan.interpret.attribution.edge_scores`. A crossing of edges with weights ``w`` and
        ``w'`` counts ``w * w'``. By default every drawn edge weighs 1 and masked ones 0, which
        counts the crossings of the drawn lines.

    Returns
    -------
    ndarray, shape (L,)
        The (weighted) count for each layer; ``.sum()`` is the diagram's total.
    """
    weights = _check_weights(model, weights)
    return np.array([_layer_crossings(w, np.arange(w.shape[0]), np.arange(w.shape[1])) for w in weights])


def _layer_crossings(w, p, q):
    """Weighted crossings of the edges ``w`` (n_in, n_out) with nodes at distinct positions ``p``, ``q``.

    With rows and columns sorted by position, edge ``(a, c)`` crosses ``(b, d)`` for ``a < b``
    and ``c > d``; the sum of ``W[a, c] W[b, d]`` over those pairs is taken with prefix sums, in
    O(n_in n_out) rather than over all pairs of edges.
    """
    W = w[np.argsort(p, kind="stable")][:, np.argsort(q, kind="stable")]
    above = np.cumsum(W, axis=0) - W  # above[b, c] = sum over rows a < b of W[a, c]
    right = np.cumsum(above[:, ::-1], axis=1)[:, ::-1] - above  # sum over columns c > d
    return float(np.sum(W * right))


def barycentre_order(model, weights=None, sweeps=4):
    """Node orders of the hidden layers that reduce the weighted crossings (module docstring).

    Parameters
    ----------
    model : KAN
    weights : list of ndarray, optional
        Edge weights as in :func:`crossings` (default: 1 per drawn edge).
    sweeps : int >= 0
        Number of bottom-up + top-down passes.

    Returns
    -------
    list of ndarray
        ``orders[l]`` for every layer ``0..L``, a permutation of ``0..n_l-1`` (the identity for
        inputs and outputs); ``reorder(model, orders)`` is the reordered model.
    """
    weights = _check_weights(model, weights)
    sweeps = as_int(sweeps, "sweeps", 0)
    width = list(model.width)
    L = len(model.layers)
    # pos[l][i]: where original node i of layer l sits, as a fraction of its row (the diagram's x)
    pos = [(np.arange(n) + 0.5) / n for n in width]

    def total(pos):
        return sum(_layer_crossings(w, pos[l], pos[l + 1]) for l, w in enumerate(weights))

    best, best_pos = total(pos), [p.copy() for p in pos]
    hidden = list(range(1, L))
    for _ in range(sweeps):
        for l in hidden + hidden[::-1]:
            w_in, w_out = weights[l - 1], weights[l]  # (n_{l-1}, n_l), (n_l, n_{l+1})
            mass = w_in.sum(axis=0) + w_out.sum(axis=1)
            pull = pos[l - 1] @ w_in + w_out @ pos[l + 1]
            # a node with no weighted edges stays where it is
            bary = np.where(mass > 0, pull / np.where(mass > 0, mass, 1.0), pos[l])
            ranks = np.lexsort((pos[l], bary))  # ties keep the current order
            new = np.empty(width[l])
            new[ranks] = (np.arange(width[l]) + 0.5) / width[l]
            pos[l] = new
            score = total(pos)
            if score < best:
                best, best_pos = score, [p.copy() for p in pos]
    return [np.argsort(p, kind="stable") for p in best_pos]


def auto_order(model, X=None, weights=None, sweeps=4):
    """Node orders of every layer that reduce the crossings of strong edges.

    Parameters
    ----------
    model : KAN
    X : array_like, shape (N, n_0), optional
        When given (and ``weights`` is not), the weights are the attribution scores of the edges
        on ``X`` (:func:`minikan.interpret.attribution.edge_scores`, ``metric="pykan"``), so crossings of
        edges that carry the output's variation are removed first. (An edge whose score is not
        finite, because its activations overflow on ``X``, weighs 0.)
    weights : list of ndarray, optional
        Explicit edge weights (see :func:`crossings`); default 1 per drawn edge.
    sweeps : int >= 0

    Returns
    -------
    list of ndarray
        As :func:`barycentre_order`; pass them to :func:`reorder`.
    """
    if X is not None and weights is None:
        from .attribution import edge_scores
        weights = [np.nan_to_num(w, nan=0.0, posinf=0.0) for w in edge_scores(model, X)]
    return barycentre_order(model, weights, sweeps)


def order_nodes(model, X=None, weights=None, sweeps=4):
    """A new model with the hidden nodes reordered to reduce crossings of strong edges.

    ``reorder(model, auto_order(model, X, weights, sweeps))``: same predictions as ``model``,
    and no more weighted crossings (with the weights used). ``X``, ``weights``, ``sweeps`` as in
    :func:`auto_order`.
    """
    return reorder(model, auto_order(model, X, weights, sweeps))
