"""Figure 0.1: MLP vs KAN, shallow and deep (a pure diagram; paper Section 1 and Eq. 2.1, 2.7, 2.9).

Four panels, MLPs on the left and KANs on the right, shallow on top and deep below:

(a) shallow MLP, the universal approximation theorem: ``f(x) ~ sum_i a_i sigma(w_i . x + b_i)``;
    the activation sigma is *fixed* and sits on the hidden *nodes*, the weights on the edges are
    learnable;
(b) shallow KAN, the Kolmogorov-Arnold representation (Eq. 2.1) with n = 2 inputs, i.e. a
    [2, 5, 1] graph (width 2n + 1 in the middle): every *edge* carries its own *learnable*
    univariate function, the nodes only sum;
(c) deep MLP ``(W_3 o sigma_2 o W_2 o sigma_1 o W_1)(x)`` (Eq. 2.9 with three layers): linear
    learnable maps interleaved with fixed nonlinearities;
(d) deep KAN ``(Phi_3 o Phi_2 o Phi_1)(x)`` (Eq. 2.7 with three layers): every layer is a matrix of
    learnable univariate functions.

Nothing is trained. The curves drawn on the KAN edges are arbitrary smooth shapes (a few sines
with random coefficients from a fixed seed) that stand for "some learned function"; the same
tanh-shaped glyph on every MLP hidden node stands for the one fixed activation. The colours and
thicknesses of the MLP edges stand for learned weights of different signs and sizes.

Choices (the paper shows the graphs without stating their sizes): both shallow panels use
[2, 5, 1] (the paper's n = 2 for (b); the same graph for (a) so the two differ only in where the
functions sit), both deep panels use ``DEEP_WIDTH = [2, 3, 3, 1]``. The JSON lists every panel's
formula, width, the number of nodes and edges and where its activations were drawn, counted from
the figure's own artists (each carries a ``gid``), so the file says what is in the picture.
"""

import numpy as np

from ._common import diagram_main

SHALLOW_WIDTH = [2, 5, 1]  # Eq. 2.1 with n = 2: n inputs, 2n + 1 hidden, 1 output (chosen for (a) too)
DEEP_WIDTH = [2, 3, 3, 1]  # chosen: three layers, small enough to read every edge
DRAWING_SEED = 0  # for the shapes of the KAN edge curves and the MLP weight colours

THEOREMS = {"MLP": "Universal Approximation Theorem",
            "KAN": "Kolmogorov-Arnold Representation Theorem"}
FORMULAS = {
    "a": r"$f(\mathbf{x}) \approx \sum_{i=1}^{N(\epsilon)} a_i\,\sigma(\mathbf{w}_i \cdot \mathbf{x} + b_i)$",
    "b": r"$f(\mathbf{x}) = \sum_{q=1}^{2n+1} \Phi_q\left(\sum_{p=1}^{n} \phi_{q,p}(x_p)\right)$",
    "c": r"$\mathrm{MLP}(\mathbf{x}) = (\mathbf{W}_3 \circ \sigma_2 \circ \mathbf{W}_2 \circ \sigma_1"
         r" \circ \mathbf{W}_1)(\mathbf{x})$",
    "d": r"$\mathrm{KAN}(\mathbf{x}) = (\Phi_3 \circ \Phi_2 \circ \Phi_1)(\mathbf{x})$",
}
PANELS = {  # panel -> (model, depth, width)
    "a": ("MLP", "shallow", SHALLOW_WIDTH),
    "b": ("KAN", "shallow", SHALLOW_WIDTH),
    "c": ("MLP", "deep", DEEP_WIDTH),
    "d": ("KAN", "deep", DEEP_WIDTH),
}

# Layout of one panel in data units (equal aspect): node rows ROW apart, PANEL_W wide.
PANEL_W, ROW = 4.0, 1.3
NODE_R = 0.17  # radius of an MLP hidden node (holds the sigma glyph)
DOT = 0.05  # radius of an input/output/KAN node
GLYPH = 0.28  # side of the box that holds a KAN edge's curve


def node_xy(width, l):
    """Centres of the n_l nodes of row l, an (n_l, 2) array; inputs are row 0, at the bottom."""
    n = width[l]
    x = PANEL_W * (np.arange(n) + 0.5) / n
    return np.column_stack([x, np.full(n, l * ROW)])


def _edge_curve(rng, n=40):
    """A smooth arbitrary shape on [-1, 1], scaled into [-1, 1]: stands for a learned phi."""
    t = np.linspace(-1.0, 1.0, n)
    y = sum(rng.normal() * np.sin(m * np.pi * t / 2 + rng.uniform(0, 2 * np.pi)) for m in (1, 2, 3))
    y = y - y.mean()
    return t, y / max(np.abs(y).max(), 1e-12)


def _sigma_glyph(ax, center, r):
    """The fixed activation drawn inside a node: the same tanh shape every time."""
    t = np.linspace(-1.0, 1.0, 30)
    ax.plot(center[0] + 0.65 * r * t, center[1] + 0.55 * r * np.tanh(3 * t), color="tab:red", lw=1.2,
            zorder=5, gid="fixed-activation")


def _circle(center, r, face, gid):
    from matplotlib.patches import Circle
    return Circle(center, r, facecolor=face, edgecolor="black", lw=1.0, zorder=4, gid=gid)


def _terminal_nodes(ax, width, labels_in, label_out):
    """Input dots with labels below and the output dot with its label above."""
    for p, text in zip(node_xy(width, 0), labels_in):
        ax.add_patch(_circle(p, DOT, "black", gid="input-node"))
        ax.text(p[0], p[1] - 0.3, text, ha="center", va="top", fontsize=11)
    top = node_xy(width, len(width) - 1)[0]
    ax.add_patch(_circle(top, DOT, "black", gid="output-node"))
    ax.text(top[0], top[1] + 0.25, label_out, ha="center", va="bottom", fontsize=11)


def draw_mlp(ax, width, rng, deep):
    """An MLP graph: learnable weights on edges (coloured lines), fixed sigma on hidden nodes."""
    from matplotlib import colormaps
    cmap = colormaps["coolwarm"]
    for l in range(len(width) - 1):
        src, dst = node_xy(width, l), node_xy(width, l + 1)
        for p in src:
            for q in dst:
                w = float(np.clip(rng.normal(), -2, 2))
                ax.plot([p[0], q[0]], [p[1], q[1]], color=cmap(0.5 + w / 4), lw=0.6 + 0.9 * abs(w),
                        zorder=1, gid="learnable-weight")
    for l in range(1, len(width) - 1):
        for p in node_xy(width, l):
            ax.add_patch(_circle(p, NODE_R, "white", gid="hidden-node"))
            _sigma_glyph(ax, p, NODE_R)
    _terminal_nodes(ax, width, [r"$x_1$", r"$x_2$"], r"$\mathrm{MLP}(\mathbf{x})$" if deep else r"$f(\mathbf{x})$")
    p = node_xy(width, 1)[-1]
    ax.annotate("fixed activation\nfunctions on nodes", xy=(p[0] + NODE_R, p[1]),
                xytext=(PANEL_W + 0.25, p[1] + 0.25), fontsize=9, color="tab:red", va="center",
                arrowprops={"arrowstyle": "->", "color": "tab:red"})
    q = 0.5 * (node_xy(width, 0)[-1] + node_xy(width, 1)[-1])
    ax.annotate("learnable weights\non edges", xy=q, xytext=(PANEL_W + 0.25, q[1] - 0.35), fontsize=9,
                color="tab:blue", va="center", arrowprops={"arrowstyle": "->", "color": "tab:blue"})
    if deep:  # name the pieces of Eq. 2.9 next to the rows they act on
        for l in range(len(width) - 1):
            ax.text(-0.2, (l + 0.5) * ROW, rf"$\mathbf{{W}}_{l + 1}$", ha="right", va="center",
                    fontsize=12, color="tab:blue", gid="layer-label")
        for l in range(1, len(width) - 1):
            ax.text(-0.2, l * ROW, rf"$\sigma_{l}$", ha="right", va="center", fontsize=12,
                    color="tab:red", gid="layer-label")
        ax.text(-0.2, -0.75, r"$\mathbf{W}$: linear, learnable" + "\n" + r"$\sigma$: nonlinear, fixed",
                ha="left", va="top", fontsize=9)


def draw_kan(ax, width, rng, deep):
    """A KAN graph: a learnable curve on every edge, plain summing nodes.

    Each edge i -> j of layer l gets its own slot between the two node rows (as in the KAN plots of
    Section 2.5.1), so no two curves overlap; the lines run node -> curve box -> node.
    """
    from matplotlib.patches import Rectangle
    for l in range(len(width) - 1):
        src, dst = node_xy(width, l), node_xy(width, l + 1)
        n_slots = len(src) * len(dst)
        slot_x = PANEL_W * (np.arange(n_slots) + 0.5) / n_slots
        y_mid = (l + 0.5) * ROW
        side = min(GLYPH, 0.8 * PANEL_W / n_slots)
        for i, p in enumerate(src):
            for j, q in enumerate(dst):
                xe = slot_x[i * len(dst) + j]
                ax.plot([p[0], xe], [p[1], y_mid - side / 2], color="black", lw=0.7, zorder=1, gid="kan-edge-line")
                ax.plot([xe, q[0]], [y_mid + side / 2, q[1]], color="black", lw=0.7, zorder=1, gid="kan-edge-line")
                ax.add_patch(Rectangle((xe - side / 2, y_mid - side / 2), side, side, facecolor="white",
                                       edgecolor="0.5", lw=0.6, zorder=2, gid="kan-edge-box"))
                t, y = _edge_curve(rng)
                ax.plot(xe + 0.42 * side * t, y_mid + 0.4 * side * y, color="tab:purple", lw=1.1, zorder=3,
                        gid="learnable-activation")
    for l in range(1, len(width) - 1):
        for p in node_xy(width, l):
            ax.add_patch(_circle(p, DOT, "black", gid="sum-node"))
    _terminal_nodes(ax, width, [r"$x_1$", r"$x_2$"], r"$\mathrm{KAN}(\mathbf{x})$" if deep else r"$f(\mathbf{x})$")
    slot = PANEL_W * (width[0] * width[1] - 0.5) / (width[0] * width[1])
    ax.annotate("learnable activation\nfunctions on edges", xy=(slot + 0.15, 0.5 * ROW),
                xytext=(PANEL_W + 0.25, 0.5 * ROW + 0.2), fontsize=9, color="tab:purple", va="center",
                arrowprops={"arrowstyle": "->", "color": "tab:purple"})
    p = node_xy(width, 1)[-1]
    ax.annotate("sum operation\non nodes", xy=(p[0] + DOT, p[1]), xytext=(PANEL_W + 0.25, p[1] + 0.35),
                fontsize=9, va="center", arrowprops={"arrowstyle": "->"})
    if deep:
        for l in range(len(width) - 1):
            ax.text(-0.2, (l + 0.5) * ROW, rf"$\Phi_{l + 1}$", ha="right", va="center", fontsize=12,
                    color="tab:purple", gid="layer-label")
        ax.text(-0.2, -0.75, r"$\Phi$: nonlinear, learnable", ha="left", va="top", fontsize=9)


def figure():
    """The four panels as a matplotlib Figure (no pyplot)."""
    import matplotlib.figure

    fig = matplotlib.figure.Figure(figsize=(13, 10.5))
    heights = [(len(SHALLOW_WIDTH) - 1) * ROW + 1.4, (len(DEEP_WIDTH) - 1) * ROW + 1.9]  # the ylim spans below
    axes = fig.subplots(2, 2, gridspec_kw={"height_ratios": heights})
    rng = np.random.default_rng(DRAWING_SEED)
    for ax, (panel, (model, depth, width)) in zip(axes.ravel(), PANELS.items()):
        (draw_mlp if model == "MLP" else draw_kan)(ax, width, rng, depth == "deep")
        ax.set_xlim(-1.0, PANEL_W + 1.9)
        ax.set_ylim(-1.2 if depth == "deep" else -0.7, (len(width) - 1) * ROW + 0.7)  # deep: room for the key
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(f"({panel}) {depth} {model}\n{FORMULAS[panel]}", fontsize=12, gid=f"formula-{panel}")
    for col, model in enumerate(("MLP", "KAN")):
        name = "Multi-Layer Perceptron (MLP)" if model == "MLP" else "Kolmogorov-Arnold Network (KAN)"
        fig.text(0.27 + 0.48 * col, 0.99, name, ha="center", va="top", fontsize=15, weight="bold",
                 gid=f"header-{model}")
        fig.text(0.27 + 0.48 * col, 0.962, f"Theorem: {THEOREMS[model]}", ha="center", va="top",
                 fontsize=12, gid=f"theorem-{model}")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.02, hspace=0.2, wspace=0.08)
    return fig


def inventory(fig):
    """What the figure holds, counted from its artists: per panel the formula and the counts of
    nodes, edges and activation glyphs by kind (their ``gid``)."""
    out = {}
    for ax, (panel, (model, depth, width)) in zip(fig.axes, PANELS.items()):
        counts = {}
        for artist in ax.get_children():
            gid = artist.get_gid()
            if gid:
                counts[gid] = counts.get(gid, 0) + 1
        out[panel] = {"model": model, "depth": depth, "width": list(width),
                      "title": ax.get_title(), "formula": FORMULAS[panel], "counts": counts}
    out["texts"] = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]
    return out


def claims(inv):
    """The figure's content as checkable facts (all counted from the drawing)."""
    def n_edges(width):
        return sum(a * b for a, b in zip(width[:-1], width[1:]))

    def hidden(width):
        return sum(width[1:-1])

    out = {"formulas_drawn": sum(any(FORMULAS[p] in t for t in inv["texts"]) for p in PANELS)}
    for panel in PANELS:
        c, w = inv[panel]["counts"], inv[panel]["width"]
        if inv[panel]["model"] == "MLP":
            # fixed activations on nodes: one sigma per hidden node, none on edges
            out[panel] = {"learnable_weights_on_edges": c.get("learnable-weight", 0) == n_edges(w),
                          "fixed_activations_on_nodes": c.get("fixed-activation", 0) == hidden(w)
                          and c.get("learnable-activation", 0) == 0}
        else:
            # learnable activations on edges: one curve per edge, nodes only sum
            out[panel] = {"learnable_activations_on_edges": c.get("learnable-activation", 0) == n_edges(w),
                          "sum_nodes": c.get("sum-node", 0) == hidden(w) and c.get("fixed-activation", 0) == 0}
    out["b"]["width_2n_plus_1"] = inv["b"]["width"][1] == 2 * inv["b"]["width"][0] + 1
    return out


def main(argv=None):
    return diagram_main("fig_0_1", __doc__.splitlines()[0], figure, inventory, claims, argv)


if __name__ == "__main__":
    main()
