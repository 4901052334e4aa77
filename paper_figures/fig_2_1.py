"""Figure 2.1: how the paper is organised (a pure diagram; paper Section 1, last paragraphs).

A flowchart from the Kolmogorov-Arnold representation theorem (Section 2.1) to the network it
inspires (Sections 2.2-2.3), which branches into accuracy (grid extension, Section 2.4, then the
experiments of Section 3) and interpretability (simplification, Section 2.5, then the toy examples
of Sections 4.1-4.2 and the two scientific applications of Sections 4.3-4.4). The paper's caption
sums it up as "mathematically sound, accurate and interpretable"; those three words label the
three stages. Related work (Section 5) and the discussion (Section 6) sit in a footer box.

The paper's figure also shows portraits of Kolmogorov and Arnold; this one draws boxes only and
names the two mathematicians in the theorem box. The wording of the boxes is ours, taken from the
paper's section titles and its description of its own organisation.

The diagram is also a small graph: every box is a node (``BOXES``), every arrow an edge
(``ARROWS``). The JSON lists both as they were drawn (read back from the artists' ``gid``) and
checks that the drawn arrows lead from the theorem to both branches' applications. The drawing
functions :func:`draw_box` and :func:`draw_arrow` are shared with Figure 6.1.
"""
import re

from ._common import diagram_main

# box id -> (centre x, centre y, width, height, stage, text); data units on a 17 x 8.5 canvas
BOXES = {
    "theorem": (2.1, 4.6, 3.6, 2.3, "mathematically sound",
                "Kolmogorov-Arnold\nrepresentation theorem\n(Sec. 2.1)\n\n"
                "A. N. Kolmogorov (1903-1987)\nV. I. Arnold (1937-2010)"),
    "kan": (6.4, 4.6, 3.4, 2.3, "mathematically sound",
            "Kolmogorov-Arnold\nNetworks (KANs)\nlearnable activations on edges,\nany width and depth (Sec. 2.2)\n"
            "approximation theory,\nscaling laws (Sec. 2.3)"),
    "accuracy": (10.6, 6.6, 3.4, 1.6, "accurate",
                 "For accuracy:\ngrid extension\n(Sec. 2.4)"),
    "interpretability": (10.6, 2.6, 3.4, 1.9, "interpretable",
                         "For interpretability:\nsparsification, pruning,\n"
                         "symbolic snapping,\ninteractivity (Sec. 2.5)"),
    "accurate_results": (15.0, 6.6, 3.9, 2.6, "accurate",
                         "KANs are accurate (Sec. 3)\ntoy functions, scaling laws (3.1)\nspecial functions (3.2)\n"
                         "Feynman equations (3.3)\nsolving PDEs (3.4)\ncontinual learning (3.5)"),
    "interpretable_toys": (15.0, 3.3, 3.9, 1.6, "interpretable",
                           "KANs are interpretable (Sec. 4)\nsupervised toys (4.1)\nunsupervised toy (4.2)"),
    "science": (15.0, 1.0, 3.9, 1.5, "interpretable",
                "AI + Science\nmathematics: knot theory (4.3)\nphysics: Anderson localization (4.4)"),
    "outlook": (6.4, 1.0, 4.4, 1.2, None,
                "Related works (Sec. 5)\nDiscussion: when to use KANs (Sec. 6)"),
}
ARROWS = [("theorem", "kan"), ("kan", "accuracy"), ("kan", "interpretability"),
          ("accuracy", "accurate_results"), ("interpretability", "interpretable_toys"),
          ("interpretable_toys", "science")]
STAGE_COLORS = {"mathematically sound": "#dbe8f6", "accurate": "#fbe3c8", "interpretable": "#d9f0d3", None: "#eeeeee"}


def draw_box(ax, name, x, y, w, h, text, color="#eeeeee", fontsize=10, **text_options):
    """A rounded box centred at (x, y) with centred text; the patch's gid is ``box:<name>``."""
    from matplotlib.patches import FancyBboxPatch
    pad = 0.08
    patch = FancyBboxPatch((x - w / 2 + pad, y - h / 2 + pad), w - 2 * pad, h - 2 * pad,
                           boxstyle=f"round,pad={pad}", facecolor=color, edgecolor="black", lw=1.0,
                           zorder=2, gid=f"box:{name}")
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3, gid=f"text:{name}",
            **text_options)
    return patch


def draw_arrow(ax, patch_from, patch_to, name, label=None, color="black"):
    """An arrow between two box patches, clipped to their outlines; gid ``arrow:<name>``."""
    from matplotlib.patches import FancyArrowPatch

    def centre(p):
        b = p.get_bbox()
        return ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)

    a, b = centre(patch_from), centre(patch_to)
    arrow = FancyArrowPatch(a, b, patchA=patch_from, patchB=patch_to, arrowstyle="-|>",
                            mutation_scale=16, lw=1.4, color=color, zorder=1, gid=f"arrow:{name}")
    ax.add_patch(arrow)
    if label:
        ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, label, ha="center", va="center", fontsize=9,
                zorder=4, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
                gid=f"label:{name}")
    return arrow


def figure():
    """The flowchart as a matplotlib Figure (no pyplot)."""
    import matplotlib.figure

    fig = matplotlib.figure.Figure(figsize=(15, 7.6))
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.93))
    ax.set_xlim(0, 17)
    ax.set_ylim(0, 8.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    patches = {}
    for name, (x, y, w, h, stage, text) in BOXES.items():
        patches[name] = draw_box(ax, name, x, y, w, h, text, STAGE_COLORS[stage], fontsize=11.5)
    for a, b in ARROWS:
        draw_arrow(ax, patches[a], patches[b], f"{a}->{b}")
    for stage, x, y in (("mathematically sound", 4.25, 6.15), ("accurate", 10.6, 7.75),
                        ("interpretable", 10.6, 3.9)):
        ax.text(x, y, stage, ha="center", va="center", fontsize=12, style="italic", weight="bold",
                color="0.25", gid=f"stage:{stage}")
    fig.suptitle("Kolmogorov-Arnold Networks: mathematically sound, accurate and interpretable",
                 fontsize=14, y=0.985)
    return fig


def inventory(fig):
    """Boxes (with their text) and arrows as drawn, read back from the artists' gids."""
    ax = fig.axes[0]
    texts = {t.get_gid()[5:]: t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("text:")}
    boxes = [p.get_gid()[4:] for p in ax.patches if (p.get_gid() or "").startswith("box:")]
    arrows = [p.get_gid()[6:].split("->") for p in ax.patches if (p.get_gid() or "").startswith("arrow:")]
    return {"boxes": {b: texts[b] for b in boxes}, "arrows": arrows,
            "images": len(fig.findobj(lambda a: a.__class__.__name__ in ("AxesImage", "FigureImage")))}


def reachable(arrows, start):
    """The boxes reached from ``start`` along the drawn arrows (``[from, to]`` pairs), itself included."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for a, b in arrows:
            if a == node and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def claims(inv):
    """Counts and paths read from the drawing: theorem -> KAN -> both branches -> applications."""
    arrows = [tuple(a) for a in inv["arrows"]]
    from_theorem = reachable(arrows, "theorem")
    sections = sorted({s for text in inv["boxes"].values() for s in re.findall(r"\b([1-6](?:\.\d)?)\)", text)},
                      key=lambda s: tuple(map(int, s.split("."))))
    return {"n_boxes": len(inv["boxes"]), "n_arrows": len(arrows),
            "theorem_leads_to_kan": ("theorem", "kan") in arrows,
            "kan_branches_into_accuracy_and_interpretability":
                {("kan", "accuracy"), ("kan", "interpretability")} <= set(arrows),
            "accuracy_branch_reaches_section_3":
                "accurate_results" in from_theorem and "accurate_results" in reachable(arrows, "accuracy"),
            "interpretability_branch_reaches_science":
                "science" in from_theorem and "science" in reachable(arrows, "interpretability"),
            "sections_named": sections, "portraits": inv["images"]}


def main(argv=None):
    return diagram_main("fig_2_1", __doc__.splitlines()[0], figure, inventory, claims, argv)


if __name__ == "__main__":
    main()
