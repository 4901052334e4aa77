"""Figure 6.1: "Should I use KANs or MLPs?" (a pure diagram; paper Section 6, "Final takeaway").

A decision tree. The root question splits into the three concerns the paper weighs, accuracy,
interpretability and efficiency; under each concern a few questions about the problem, each with
two answers ending in a recommendation: "KAN", "MLP", "either is fine", or (for interpretability of
high-dimensional problems) "both are hard". The questions and their answers follow the paper's
tree; the wording is ours, and each question names the section whose results back it:

* accuracy: a compositional target (KANs beat the curse of dimensionality, Sections 2.3, 3.1),
  a complicated function that needs fine resolution (special functions, grid extension, 3.2),
  continual learning without forgetting (3.5);
* interpretability: few input variables (Section 4: the examples are small; with many variables
  neither model reads easily), a quantitative, symbolic answer rather than a qualitative one
  (symbolification, 2.5);
* efficiency: a small model (KANs reach the same accuracy with far fewer parameters, Section 3),
  fast training (KANs train about 10x slower than MLPs of the same size, Section 6: the one case
  for an MLP).

The paper's conclusion reads off the leaves: if interpretability and/or accuracy matter and slow
training does not, try a KAN. The JSON records every box, arrow and leaf as drawn (read back from
the artists' ``gid``), and the claims are computed from those: every leaf reached from the root,
the recommendations per concern, and which questions lead to an MLP.
"""

from ._common import diagram_main
from .fig_2_1 import draw_arrow, draw_box, reachable

ROOT = "Should I use KANs or MLPs?"
# concern -> list of (question, [(answer, recommendation), (answer, recommendation)])
TREE = {
    "Accuracy": [
        ("Does the target have a\ncompositional structure?\n(Sec. 2.3, 3.1)", [("yes", "KAN"), ("no", "either")]),
        ("Is the function complicated,\nneeding fine resolution?\n(Sec. 2.4, 3.2)", [("yes", "KAN"), ("no", "either")]),
        ("Must it learn continually,\nwithout forgetting?\n(Sec. 3.5)", [("yes", "KAN"), ("no", "either")]),
    ],
    "Interpretability": [
        ("How many input variables?\n(Sec. 4)", [("few", "KAN"), ("many", "hard")]),
        ("What kind of answer?\n(Sec. 2.5)", [("quantitative,\na formula", "KAN"), ("qualitative", "either")]),
    ],
    "Efficiency": [
        ("Do you want a small model,\nfew parameters?\n(Sec. 3)", [("yes", "KAN"), ("no", "either")]),
        ("Do you need fast training?\n(Sec. 6: KANs ~10x slower)", [("yes", "MLP"), ("no", "either")]),
    ],
}
LEAF_TEXT = {"KAN": "KAN", "MLP": "MLP", "either": "either is fine", "hard": "both are hard"}
LEAF_COLOR = {"KAN": "#e4d4f4", "MLP": "#cfe2f7", "either": "#eeeeee", "hard": "#f7d4d4"}

# Layout (data units): one column per concern, questions stacked below their concern.
COL_W, Q_W, Q_H, LEAF_W, LEAF_H, ROW_H = 7.8, 3.4, 1.5, 1.7, 0.62, 2.1
TOP = 11.0


def figure():
    """The decision tree as a matplotlib Figure (no pyplot)."""
    import matplotlib.figure
    from matplotlib.patches import FancyArrowPatch

    fig = matplotlib.figure.Figure(figsize=(17, 8.2))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    width = COL_W * len(TREE)
    ax.set_xlim(0, width)
    n_rows = max(len(q) for q in TREE.values())
    bottom = TOP - 3.6 - (n_rows - 1) * ROW_H - Q_H / 2 - 1.4  # room for the takeaway line
    ax.set_ylim(bottom, TOP + 0.7)
    ax.set_aspect("equal")
    ax.set_axis_off()
    root = draw_box(ax, "root", width / 2, TOP, 5.2, 1.0, ROOT, "#fff2b3", fontsize=15, weight="bold")
    for c, (concern, questions) in enumerate(TREE.items()):
        x0 = c * COL_W + 0.3  # left edge of the column
        cid = f"c:{concern}"
        cbox = draw_box(ax, cid, x0 + 1.4, TOP - 2.0, 2.6, 0.8, concern, "#fbe3c8", fontsize=13, weight="bold")
        draw_arrow(ax, root, cbox, f"root->{cid}")
        for k, (question, answers) in enumerate(questions):
            y = TOP - 3.6 - k * ROW_H
            qid = f"q:{concern}:{k}"
            qbox = draw_box(ax, qid, x0 + 0.9 + Q_W / 2, y, Q_W, Q_H, question, "white", fontsize=10.5)
            # elbow: down a bus line on the column's left, then right into the question box
            ax.add_patch(FancyArrowPatch((x0 + 0.35, TOP - 2.4), (x0 + 0.9, y),
                                         connectionstyle="angle,angleA=-90,angleB=180,rad=0",
                                         arrowstyle="-|>", mutation_scale=14, lw=1.2, color="black",
                                         zorder=1, gid=f"arrow:{cid}->{qid}"))
            for a, (answer, leaf) in enumerate(answers):
                lid = f"l:{concern}:{k}:{a}"
                lbox = draw_box(ax, lid, x0 + 0.9 + Q_W + 1.45 + LEAF_W / 2, y + (0.42 if a == 0 else -0.42),
                                LEAF_W, LEAF_H, LEAF_TEXT[leaf], LEAF_COLOR[leaf], fontsize=11,
                                weight="bold" if leaf in ("KAN", "MLP") else "normal")
                draw_arrow(ax, qbox, lbox, f"{qid}->{lid}")
                ax.text(x0 + 0.9 + Q_W + 0.7, y + (0.5 if a == 0 else -0.5), answer, ha="center",
                        va="bottom" if a == 0 else "top", fontsize=8.5, style="italic",
                        gid=f"answer:{lid}")
    ax.text(width / 2, bottom + 0.6,
            "If accuracy and/or interpretability matter and slow training does not, try a KAN.",
            ha="center", va="center", fontsize=12, style="italic", gid="takeaway")
    return fig


def inventory(fig):
    """Boxes, arrows and leaves as drawn, read back from the artists' gids."""
    ax = fig.axes[0]
    text = {t.get_gid().split(":", 1)[1]: t.get_text() for t in ax.texts
            if (t.get_gid() or "").startswith("text:")}
    answer = {t.get_gid().split(":", 1)[1]: t.get_text() for t in ax.texts
              if (t.get_gid() or "").startswith("answer:")}
    boxes = [p.get_gid()[4:] for p in ax.patches if (p.get_gid() or "").startswith("box:")]
    arrows = [p.get_gid()[6:].split("->") for p in ax.patches if (p.get_gid() or "").startswith("arrow:")]
    parent = {b: a for a, b in arrows}
    leaves = []
    for b in boxes:
        if b.startswith("l:"):
            q = parent.get(b)
            leaves.append({"box": b, "concern": parent.get(q, "")[2:] if q else None,
                           "question": text.get(q), "answer": answer.get(b), "recommendation": text[b]})
    return {"boxes": {b: text[b] for b in boxes}, "arrows": arrows, "leaves": leaves}


def claims(inv):
    """Counts and the recommendations, read from the drawing."""
    arrows = inv["arrows"]
    seen = reachable(arrows, "root")
    per_concern = {}
    for leaf in inv["leaves"]:
        counts = per_concern.setdefault(leaf["concern"], {})
        counts[leaf["recommendation"]] = counts.get(leaf["recommendation"], 0) + 1
    return {"n_boxes": len(inv["boxes"]), "n_arrows": len(arrows), "n_leaves": len(inv["leaves"]),
            "concerns": [b[2:] for b in inv["boxes"] if b.startswith("c:")],
            "all_boxes_reached_from_root": seen == set(inv["boxes"]),
            "leaves_per_concern": per_concern,
            "mlp_when": [" ".join(leaf["question"].split("\n")[:1]) + " " + leaf["answer"]
                         for leaf in inv["leaves"] if leaf["recommendation"] == "MLP"]}


def main(argv=None):
    return diagram_main("fig_6_1", __doc__.splitlines()[0], figure, inventory, claims, argv)


if __name__ == "__main__":
    main()
