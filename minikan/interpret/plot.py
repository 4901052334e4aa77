"""The KAN diagram (paper Section 2.5.1, "Visualization"; figures 2.4, 4.1 and onwards).

Nodes sit in rows, inputs at the bottom and outputs at the top. Every live edge ``i -> j`` of layer
``l`` is drawn as a small plot of its activation ``phi_{l,i,j}`` against its input ``x_{l,i}`` over
the data range, joined by straight lines to the two nodes it connects. Both the lines and the curve
get the transparency

.. math::
    \\alpha_{l,i,j} = \\tanh(\\beta\\, A_{l,i,j}), \\qquad \\beta = 3,

so edges that matter little fade out and the important ones stand out. The score ``A`` is chosen
with ``metric`` (see :mod:`minikan.interpret.attribution`):

* ``"pykan"`` (default): the attribution score that ``prune(..., metric="pykan")`` keeps nodes
  by, the share of the output's spread that flows through the edge (pykan 0.2.8's default for
  its diagrams too). A diagram should show what pruning will keep: with it, the edges into and
  out of the nodes that pruning keeps are the dark ones.
* ``"paper"``: ``|phi|_1``, the mean of ``|phi|`` over the samples (Eq. 2.17), as the paper's
  text defines the diagram. It counts a constant offset as strength, so a node that passes on
  only a constant (and that pruning drops) can be drawn darker than the node that carries the
  function.
* ``"pykan-0.0"``: Eq. 2.17 divided by the edge's grid width (the paper-era code).

Colours: black for a numeric (spline) edge, red for a symbolic one, purple for an edge that has
both. A symbolic edge's inset also names its function ("sin", "x^2", ...). An edge with neither a
numeric (the layer's ``mask``) nor a symbolic (``model.symbolic[l].mask``) part is not drawn.

The hidden nodes are drawn in the model's order, or with ``order="auto"`` in an order that
reduces crossings of strong edges (:func:`minikan.interpret.layout.order_nodes`).

A row with multiplication nodes (:mod:`minikan.core.multiply`) draws each product node as a "×" with
its subnodes as small dots just below it; the edges of the layer below end at those dots.

Only the object-oriented matplotlib API is used: the figure is a ``matplotlib.figure.Figure`` made
here (no pyplot, no backend or rcParams change), and a file is written only when ``path`` is given.
"""
import os
import re

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._checks import as_choice, as_float, as_matrix
from .attribution import EDGE_METRICS, edge_scores
from .prune import require_kan

NUMERIC, SYMBOLIC, BOTH = "black", "red", "purple"

# Layout, in inches: the diagram is laid out in inch units so the edge insets come out square.
_MARGIN = 0.5  # left/right
_LABEL_ROOM = 0.6  # below the inputs and above the outputs
_TITLE_ROOM = 0.5
_GAP = 0.6  # between a node row and the insets of the next layer, above and below
_SUB_DROP = 0.25  # subnodes of a row with multiplication nodes sit this far below it (< _GAP)


def edge_activations(model, X):
    """Every edge activation of ``model`` on the inputs ``X``, layer by layer.

    Parameters
    ----------
    model : KAN
    X : array_like, shape (N, n_0)

    Returns
    -------
    list of dict, one per layer ``l`` (with ``n_in = n_l``, ``n_out = n_{l+1}``):
        ``"x"`` : ndarray (N, n_in), the layer's inputs ``x_{l,i}``, rows = samples as given;
        ``"order"`` : ndarray (N, n_in) of int, ``x[order[:, i], i]`` is ascending (for plotting
        a curve; rows of ``x`` and ``phi`` stay aligned with the samples);
        ``"phi"`` : ndarray (N, n_in, n_out), ``phi_{l,i,j}(x_{l,i})`` with the mask applied;
        ``"l1"`` : ndarray (n_in, n_out), ``|phi_{l,i,j}|_1`` = mean over samples of ``|phi|``
        (Eq. 2.17).
    """
    require_kan(model)
    X = as_matrix(X, "X", model.width[0])
    acts = []
    for l, x in enumerate(model.layer_inputs(X)):
        phi = model.edge_functions(l, x)
        acts.append({"x": x, "order": np.argsort(x, axis=0, kind="stable"), "phi": phi,
                     "l1": np.mean(np.abs(phi), axis=0)})
    return acts


def edge_colors(layer, sym=None):
    """Colour of every edge of ``layer``, an (n_in, n_out) object array; ``None`` = not drawn.

    Numeric part: ``layer.mask != 0``; symbolic part: ``sym.mask != 0`` for the layer's
    :class:`~minikan.interpret.symbolic_edges.SymbolicEdges` ``sym`` (none symbolic without it).
    """
    numeric = np.asarray(layer.mask) != 0
    symbolic = np.zeros_like(numeric) if sym is None else np.asarray(sym.mask).reshape(numeric.shape) != 0
    colors = np.full(numeric.shape, None, dtype=object)
    colors[numeric & ~symbolic] = NUMERIC
    colors[~numeric & symbolic] = SYMBOLIC
    colors[numeric & symbolic] = BOTH
    return colors


def symbolic_name(sym, i, j):
    """The name of the function on symbolic edge ``(i, j)`` of ``sym`` (a layer's
    :class:`~minikan.interpret.symbolic_edges.SymbolicEdges`) as mathtext, or None.

    Powers are typeset (``"x^2"`` -> ``$x^{2}$``, ``"1/sqrt(x)"`` -> ``$1/\\sqrt{x}$``); other
    names are shown as they are, with ``$`` escaped so user names never turn into math mode.
    """
    if not np.asarray(sym.mask)[i, j]:
        return None
    fun = sym.funs[i, j]
    name = fun if isinstance(fun, str) else getattr(fun, "name", str(fun))
    power = re.fullmatch(r"(1/)?x\^([0-9.]+)", name)
    if power:
        return f"${power.group(1) or ''}x^{{{power.group(2)}}}$"
    if name in ("sqrt", "1/sqrt(x)"):
        return r"$\sqrt{x}$" if name == "sqrt" else r"$1/\sqrt{x}$"
    return name.replace("$", r"\$")


def _name_size(name, room, largest):
    """Font size (pt) that fits ``name`` across 90 % of an inset ``room`` points wide, taking
    ~0.6 em per visible character, between 6 pt (still legible) and the diagram's ``largest``."""
    visible = len(re.sub(r"\\sqrt|[${}^\\]", "", name)) + name.count(r"\sqrt")
    return float(np.clip(0.9 * room / (0.6 * max(visible, 3)), 6.0, max(largest, 6.0)))


def _labels(names, n, what):
    """Node labels as strings: sympy expressions become LaTeX, anything else ``str``."""
    if names is None:
        return None
    if isinstance(names, (str, bytes)) or not hasattr(names, "__len__"):
        raise TypeError(f"{what} must be a list of {n} labels, got {type(names).__name__}")
    if len(names) != n:
        raise ValueError(f"{what} must have {n} labels (one per node), got {len(names)}")
    import sympy
    return [f"${sympy.latex(v)}$" if isinstance(v, sympy.Basic) else str(v) for v in names]


def plot_model(model, X, in_vars=None, out_vars=None, beta=3.0, path=None, ax=None, title=None,
               metric="pykan", order=None):
    """Draw the KAN diagram of ``model`` with its activations evaluated on ``X``.

    Parameters
    ----------
    model : KAN
    X : array_like, shape (N, n_0)
        Samples that define each edge's input range and its score; usually the training inputs.
    in_vars, out_vars : sequence of length n_0 / n_L, optional
        Labels of the input / output nodes: strings (mathtext like ``"$x_1$"`` works) or sympy
        expressions (rendered through ``sympy.latex``).
    beta : float >= 0
        Transparency scale, ``alpha = tanh(beta * score)`` (Section 2.5.1; the paper and pykan
        use 3). ``beta = 0`` hides every edge. An edge whose score is not finite (its
        activations overflow on ``X``) is drawn opaque (hidden with ``beta = 0``).
    path : str or path-like, optional
        If given, the figure is also saved there (format from the suffix); nothing is written
        otherwise.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (its figure is returned); by default a new figure is made.
    title : str, optional
    metric : {"pykan", "paper", "pykan-0.0"}
        The edge score behind the transparency (module docstring). The default is the score
        that ``prune(..., metric="pykan")`` uses, so the diagram shows what pruning keeps;
        ``"paper"`` is Eq. 2.17's ``|phi|_1``, as in the paper's text.
    order : None or "auto"
        ``None`` draws the hidden nodes in the model's order; ``"auto"`` draws the model
        reordered by :func:`minikan.interpret.layout.order_nodes` (barycentres weighted by the attribution
        scores on ``X``), which has no more weighted crossings and the same predictions.

    Returns
    -------
    matplotlib.figure.Figure
        Its attribute ``kan_edges`` maps ``(l, i, j)`` of every drawn edge (indices of the drawn
        model) to a dict with ``"alpha"``, ``"score"``, ``"color"``, ``"l1"`` (Eq. 2.17),
        ``"lines"`` (the two connecting Line2D), ``"inset"`` (the inset Axes), ``"curve"`` (the
        Line2D of ``phi``) and ``"label"`` (the Text naming a symbolic edge's function, else
        None), for inspection and tests. ``kan_order[l][p]`` is the node of ``model``'s layer
        ``l`` drawn at position ``p``.
    """
    metric = as_choice(metric, "metric", EDGE_METRICS)
    if order is not None and not (isinstance(order, str) and order == "auto"):
        raise ValueError(f"order must be None or 'auto', got {order!r}")
    acts = edge_activations(model, X)  # checks model and X first
    beta = as_float(beta, "beta", 0.0)
    kan_order = [np.arange(n) for n in model.width]
    if order == "auto":
        from .layout import auto_order, reorder
        kan_order = auto_order(model, X)
        model = reorder(model, kan_order)
        acts = edge_activations(model, X)
    scores = edge_scores(model, X, metric)
    width = list(model.width)
    in_labels = _labels(in_vars, width[0], "in_vars")
    out_labels = _labels(out_vars, width[-1], "out_vars")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    # checked before drawing; an int would reach savefig as a file descriptor
    if path is not None and not isinstance(path, (str, os.PathLike)) and not hasattr(path, "write"):
        raise TypeError(f"path must be a str, an os.PathLike or a writable file, got {type(path).__name__}")

    # Size everything from the busiest layer so no two insets of one layer overlap.
    sub = list(getattr(model, "subnode_width", width))  # a layer has n_l * subnode_width[l+1] edges
    n_edges = [a * b for a, b in zip(width[:-1], sub[1:])]
    max_edges = max(n_edges)
    W = float(np.clip(0.9 * max_edges + 2 * _MARGIN, 4.0, 16.0))
    usable = W - 2 * _MARGIN
    size = min(0.8 * usable / max_edges, 0.9)  # inset side
    row = max(size + 2 * _GAP, 0.12 * W)  # distance between two node rows; wide nets stay legible
    bottom = _LABEL_ROOM
    H = bottom + row * len(model.layers) + _LABEL_ROOM + (_TITLE_ROOM if title else 0.0)

    if ax is None:
        fig = Figure(figsize=(W, H))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    else:
        fig = ax.figure
    # Markers, fonts and line widths are in points: shrink them with a caller's smaller axes.
    box = ax.get_position().size * fig.get_size_inches()
    pt = min(box[0] / W, box[1] / H, 1.0)
    ax.set_xlim(0.0, W)
    ax.set_ylim(0.0, H)
    ax.set_aspect("equal")  # keeps the insets square inside a caller's axes too
    ax.set_axis_off()

    def node_x(n):
        return _MARGIN + usable * (np.arange(n) + 0.5) / n

    def node_y(l):
        return bottom + l * row

    fontsize = max(pt * float(np.clip(0.35 * 72 * usable / max(width), 8.0, 16.0)), 7.0)  # stays legible
    dot = max(pt * 72 * float(np.clip(0.3 * size, 0.05, 0.15)), 3.0) ** 2  # marker area, pt^2
    n_mult = list(getattr(model, "n_mult", [0] * len(width)))
    for l, n in enumerate(width):
        is_mult = np.arange(n) >= n - n_mult[l]
        ax.scatter(node_x(n)[~is_mult], np.full(n - n_mult[l], node_y(l)), s=dot, color="black", zorder=3)
        if n_mult[l]:
            _draw_subnodes(ax, node_x, node_y(l), n - n_mult[l], n_mult[l], model.mult_arity, dot, pt)

    edges = {}
    for l, (layer, act) in enumerate(zip(model.layers, acts)):
        colors = edge_colors(layer, model.symbolic[l])
        with np.errstate(invalid="ignore"):  # beta = 0 times an infinite score
            alphas = np.tanh(beta * scores[l])
        alphas = np.where(np.isfinite(scores[l]), alphas, 1.0 if beta > 0 else 0.0)
        x_in, x_out = node_x(layer.n_in), node_x(layer.n_out)
        x_edge = node_x(layer.n_in * layer.n_out)  # edge (i, j) takes slot i*n_out + j
        y_mid = node_y(l) + row / 2
        y_out = node_y(l + 1) - (_SUB_DROP if n_mult[l + 1] else 0.0)  # subnodes sit below their row
        for i in range(layer.n_in):
            xs = act["x"][act["order"][:, i], i]
            for j in range(layer.n_out):
                color = colors[i, j]
                if color is None:
                    continue
                alpha = float(alphas[i, j])
                xe = x_edge[i * layer.n_out + j]
                lines = [
                    ax.plot([x_in[i], xe], [node_y(l), y_mid - size / 2], color=color, alpha=alpha,
                            lw=pt, zorder=1)[0],
                    ax.plot([xe, x_out[j]], [y_mid + size / 2, y_out], color=color,
                            alpha=alpha, lw=pt, zorder=1)[0],
                ]
                inset = ax.inset_axes((xe - size / 2, y_mid - size / 2, size, size), transform=ax.transData)
                curve = inset.plot(xs, act["phi"][act["order"][:, i], i, j], color=color, alpha=alpha, lw=2.0 * pt)[0]
                inset.set_xticks([])
                inset.set_yticks([])
                for spine in inset.spines.values():
                    spine.set_edgecolor(color)
                    spine.set_alpha(alpha)
                    spine.set_linewidth(0.8 * pt)
                inset.patch.set_alpha(0.0)  # faded edges should not leave a white box behind
                name = symbolic_name(model.symbolic[l], i, j)
                ys = curve.get_ydata()
                if name is not None and np.all(np.isfinite(ys)):
                    # headroom: the name sits in a band above the curve instead of across it
                    span = float(np.ptp(ys)) or 1.0
                    inset.set_ylim(ys.min() - 0.05 * span, ys.max() + 0.45 * span)
                label = None if name is None else inset.text(
                    0.5, 0.96, name, transform=inset.transAxes, ha="center", va="top", color=color,
                    alpha=alpha, fontsize=_name_size(name, 72 * pt * size, fontsize), zorder=3, clip_on=False,
                    # a half-opaque box keeps the name readable where the curve runs behind it
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                          "alpha": 0.6 * alpha})
                edges[(l, i, j)] = {"alpha": alpha, "score": float(scores[l][i, j]), "color": color,
                                    "l1": float(act["l1"][i, j]), "lines": lines, "inset": inset,
                                    "curve": curve, "label": label}

    for labels, l, dy, va in ((in_labels, 0, -0.2, "top"), (out_labels, len(model.layers), 0.2, "bottom")):
        if labels is not None:
            for x, text in zip(node_x(width[l]), labels):
                ax.text(x, node_y(l) + dy, text, ha="center", va=va, fontsize=fontsize)
    if title:
        ax.text(W / 2, H - _TITLE_ROOM / 2, title, ha="center", va="center", fontsize=fontsize)

    fig.kan_edges = edges
    fig.kan_order = kan_order
    if path is not None:
        fig.savefig(path)
    return fig


def _draw_subnodes(ax, node_x, y, n_sum, n_mult, arity, dot, pt):
    """Product nodes of a row as "×" marks, their subnodes as small dots ``_SUB_DROP`` below the row
    joined to them; sum nodes get a subnode dot too, so that every edge of the layer below ends
    at a subnode (as :func:`plot_model`'s ``x_out`` expects)."""
    from ..core.multiply import node_of_subnode

    x_nodes = node_x(n_sum + n_mult)
    ax.scatter(x_nodes[n_sum:], np.full(n_mult, y), s=2.5 * dot, marker="x", color="black",
               linewidths=1.5 * pt, zorder=3)
    owner = node_of_subnode(n_sum, n_mult, arity)
    x_sub = node_x(owner.size)
    ax.scatter(x_sub, np.full(owner.size, y - _SUB_DROP), s=0.4 * dot, color="black", zorder=3)
    for xs, j in zip(x_sub, owner):
        ax.plot([xs, x_nodes[j]], [y - _SUB_DROP, y], color="black", lw=0.8 * pt, zorder=2)
