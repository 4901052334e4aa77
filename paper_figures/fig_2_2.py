"""Figure 2.2: notation of a KAN's activations (left) and B-splines on a coarse and a fine grid (right).

Left: a [2, 3, 1] KAN drawn with matplotlib boxes and lines, labelled in the paper's notation
(Section 2.2): the node values ``x_{l,i}``, the edge activations ``phi_{l,j,i}`` (edge from node
``i`` of layer ``l`` to node ``j`` of layer ``l + 1``), the post-activations
``x~_{l,j,i} = phi_{l,j,i}(x_{l,i})`` and the node sums ``x_{l+1,j} = sum_i x~_{l,j,i}`` (Eq. 2.5).
The paper draws a [2, 5, 1] network; three hidden nodes (chosen) keep every label legible.

Right: the cubic (k = 3) B-spline bases of ``minikan.core.spline.basis`` on a coarse uniform grid
(G1 = 5, G1 + k = 8 bases) and on a fine one (G2 = 10, 13 bases) over [-1, 1], each extended by
k knots per side, and one spline drawn on both. The coarse spline is the least-squares fit of
sin(pi x) (chosen: a smooth curve with some structure) on the coarse bases; the fine spline is
obtained from it by the library's grid extension, ``minikan.core.grid_update.refine`` (Eq. 2.16: least
squares on samples of the coarse curve), on ``N_SAMPLES`` uniform samples of [-1, 1].

Measured and checked (the figure's claims):

* inside the grid, ``[t_k, t_{G+k}] = [-1, 1]``, the G + k bases sum to 1 (partition of unity):
  the largest deviation over ``N_EVAL`` evenly spaced points is reported for both grids;
* the fine spline lies on the coarse curve: the fine knots contain the coarse ones, so the
  coarse spline belongs to the fine spline space and Eq. 2.16 reproduces it up to rounding;
  the largest difference over the same points is reported (machine precision, ~1e-15).

Nothing is trained; the full run and ``--quick`` are the same computation (it takes well under a
second).
"""
import json
import os
import sys
import time

import numpy as np

from minikan.core import spline
from minikan.core import grid_update

from ._common import parse_args, provenance, run_jobs, save_figure, save_json

K = 3  # cubic splines, as in the paper's figure
G_COARSE, G_FINE = 5, 10  # the paper's example grids G1 and G2
N_SAMPLES = 1000  # samples of [-1, 1] for the least-squares transfer of Eq. 2.16 (pykan's train_num)
N_EVAL = 2001  # evenly spaced points where the claims are measured
TOLERANCE = 1e-12  # "machine precision" for both claims: float64 rounding of sums of ~10 terms is ~1e-15
WIDTH = [2, 3, 1]  # the network drawn on the left


def coarse_target(x):
    """The curve the coarse spline is fitted to (chosen): sin(pi x)."""
    return np.sin(np.pi * x)


def job(config):
    """Bases on both grids, the coarse spline and its grid extension; the measured deviations."""
    k, G1, G2 = config["k"], config["G_coarse"], config["G_fine"]
    rng = np.random.default_rng(config["seed"])
    samples = rng.uniform(-1.0, 1.0, size=(config["n_samples"], 1))
    x = np.linspace(-1.0, 1.0, config["n_eval"])  # inside the grid [t_k, t_{G+k}] = [-1, 1]

    t1, t2 = spline.uniform_grid(G1, k), spline.uniform_grid(G2, k)  # (G+2k+1,)
    B1, B2 = spline.basis(x, t1, k), spline.basis(x, t2, k)  # (n_eval, G+k)
    unity = {f"G={G}": float(np.abs(B.sum(axis=1) - 1.0).max()) for G, B in ((G1, B1), (G2, B2))}

    # the coarse spline: least squares of sin(pi x) on the coarse bases (1 input, 1 output)
    coef1 = spline.fit_coef(samples, coarse_target(samples)[:, :, None], t1[None], k)  # (1, 1, G1+k)
    grid2, coef2 = grid_update.refine(t1[None], coef1, samples, G2, k)  # Eq. 2.16, the library's grid extension
    y1 = spline.curve(x[:, None], t1[None], coef1, k)[:, 0, 0]
    y2 = spline.curve(x[:, None], grid2, coef2, k)[:, 0, 0]
    # the same curve through the dense bases (what the figure draws): sum_m c_m B_m(x)
    y1_dense, y2_dense = B1 @ coef1[0, 0], B2 @ coef2[0, 0]
    return {
        "config": config,
        "n_bases": {f"G={G1}": int(B1.shape[1]), f"G={G2}": int(B2.shape[1])},
        "partition_of_unity_max_dev": unity,
        "fine_minus_coarse_max": float(np.abs(y2 - y1).max()),
        "dense_minus_local_max": float(max(np.abs(y1_dense - y1).max(), np.abs(y2_dense - y2).max())),
        "coarse_fit_max_error": float(np.abs(y1 - coarse_target(x)).max()),
        "knots": {f"G={G1}": t1, f"G={G2}": t2},
        "coef": {f"G={G1}": coef1[0, 0], f"G={G2}": coef2[0, 0]},
    }


def claims(results):
    """Partition of unity on both grids and the fine curve on the coarse one, with the tolerance."""
    r = results[0]
    unity = max(r["partition_of_unity_max_dev"].values())
    return {
        "n_bases": r["n_bases"],
        "partition_of_unity_max_dev": r["partition_of_unity_max_dev"],
        "fine_minus_coarse_max": r["fine_minus_coarse_max"],
        "tolerance": TOLERANCE,
        "bases_sum_to_one": bool(unity < TOLERANCE),
        "fine_fit_on_coarse_curve": bool(r["fine_minus_coarse_max"] < TOLERANCE),
    }


# ---------------------------------------------------------------------------------- drawing
def _node_positions(width, x_span=(0.0, 1.0), row=1.0):
    """``pos[l][i] = (x, y)`` of node ``i`` of layer ``l``: rows bottom-up, nodes evenly spread."""
    lo, hi = x_span
    return [[(lo + (hi - lo) * (i + 0.5) / n, l * row) for i in range(n)] for l, n in enumerate(width)]


def draw_notation(ax, width=WIDTH):
    """The left panel: a KAN with ``x_{l,i}``, ``phi_{l,j,i}`` and ``x~_{l,j,i}`` labelled.

    Each edge is drawn as a line from its input node to a box (the activation ``phi_{l,j,i}``),
    then an arrow from the box to its output node, labelled with the post-activation.
    Indices are 1-based, as in the paper.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    row = 1.0
    pos = _node_positions(width, row=row)
    n_slots = max(a * b for a, b in zip(width[:-1], width[1:]))
    box_w, box_h = 0.8 / n_slots, 0.16
    for l, (n_in, n_out) in enumerate(zip(width[:-1], width[1:])):
        y_box = l * row + 0.42 * row
        slots = [(0.5 + s) / (n_in * n_out) for s in range(n_in * n_out)]
        for i in range(n_in):
            for j in range(n_out):
                xb = slots[i * n_out + j]  # edge (i, j) takes slot i*n_out + j, as minikan.interpret.plot does
                (x0, y0), (x1, y1) = pos[l][i], pos[l + 1][j]
                ax.plot([x0, xb], [y0, y_box - box_h / 2], color="0.35", lw=0.8, zorder=1)
                ax.add_patch(FancyArrowPatch((xb, y_box + box_h / 2), (x1, y1), arrowstyle="-|>",
                                             mutation_scale=7, color="0.35", lw=0.8, shrinkB=5, zorder=1))
                ax.add_patch(FancyBboxPatch((xb - box_w / 2, y_box - box_h / 2), box_w, box_h,
                                            boxstyle="round,pad=0.005", facecolor="#fff4d6",
                                            edgecolor="#b07d00", lw=0.8, zorder=2))
                ax.text(xb, y_box, rf"$\phi_{{{l},{j + 1},{i + 1}}}$", ha="center", va="center",
                        fontsize=7, zorder=3)
                # post-activation: a third of the way from the box up to the output node
                xt = xb + (x1 - xb) * 0.33
                yt = y_box + box_h / 2 + (y1 - y_box - box_h / 2) * 0.33
                ax.text(xt + 0.012, yt, rf"$\tilde{{x}}_{{{l},{j + 1},{i + 1}}}$", ha="left",
                        va="center", fontsize=6, color="#1f5fa8", zorder=3)
        ax.text(1.03, l * row + 0.42 * row, rf"$\Phi_{{{l}}}$", ha="left", va="center", fontsize=11)
    for l, layer in enumerate(pos):
        for i, (x, y) in enumerate(layer):
            ax.scatter([x], [y], s=60, color="black", zorder=4)
            dy = -0.09 if l == 0 else 0.0
            dx = 0.0 if l == 0 else 0.05
            ax.text(x + dx, y + dy, rf"$x_{{{l},{i + 1}}}$", ha="left" if dx else "center",
                    va="top" if dy else "center", fontsize=9, zorder=5)
    L = len(width) - 1
    ax.text(0.5, L * row + 0.22,
            r"$x_{l+1,j}=\sum_{i}\tilde{x}_{l,j,i}$,  $\tilde{x}_{l,j,i}=\phi_{l,j,i}(x_{l,i})$  (Eq. 2.5)",
            ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.05, 1.12)
    ax.set_ylim(-0.3, L * row + 0.45)
    ax.set_axis_off()
    ax.set_title("notation of activations", fontsize=10)


def figure(results):
    """Left: the notation diagram; right: bases and spline on the coarse (top) and fine (bottom) grid."""
    import matplotlib.figure

    r = results[0]
    k = r["config"]["k"]
    fig = matplotlib.figure.Figure(figsize=(11, 5.2))
    gs = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.15], hspace=0.35, wspace=0.12)
    draw_notation(fig.add_subplot(gs[:, 0]))
    for row, (name, label) in enumerate(((f"G={r['config']['G_coarse']}", "coarse"),
                                         (f"G={r['config']['G_fine']}", "fine"))):
        ax = fig.add_subplot(gs[row, 1])
        t = np.asarray(r["knots"][name])
        coef = np.asarray(r["coef"][name])
        x = np.linspace(t[0], t[-1], 801)  # the whole extended knot range, where the bases live
        B = spline.basis(x, t, k)  # (801, G+k)
        for m in range(B.shape[1]):
            ax.plot(x, B[:, m], lw=1.0)
        inside = (x >= -1.0) & (x <= 1.0)
        ax.plot(x[inside], (B @ coef)[inside], color="black", lw=2.0,
                label=r"spline $\sum_m c_m B_m(x)$" if row == 0 else r"$\sum_m c'_m B'_m(x)$ (Eq. 2.16)")
        if row == 1:  # the coarse curve again, dashed on top: the two coincide
            tc = np.asarray(r["knots"][f"G={r['config']['G_coarse']}"])
            Bc = spline.basis(x[inside], tc, k)
            ax.plot(x[inside], Bc @ np.asarray(r["coef"][f"G={r['config']['G_coarse']}"]), "--",
                    color="red", lw=1.2, label="coarse spline")
        ax.plot(t, np.zeros_like(t), "|", color="black", ms=8)
        ax.axvspan(-1.0, 1.0, color="0.93", zorder=0)
        dev = r["partition_of_unity_max_dev"][name]
        bases = "$B_m$" if row == 0 else "$B'_m$"
        ax.set_title(f"{label} grid {name}, k={k}: {B.shape[1]} bases {bases}; "
                     f"max |sum B - 1| on [-1,1] = {dev:.1e}", fontsize=9)
        ax.set_xlim(t[0], t[-1])
        ax.legend(fontsize=7, loc="lower right")
    fig.text(0.77, 0.01, f"max |fine - coarse| on [-1, 1] = {r['fine_minus_coarse_max']:.1e}",
             ha="center", fontsize=9)
    return fig


def main(argv=None):
    args = parse_args("fig_2_2", __doc__.splitlines()[0], argv)
    # --quick is the same computation: nothing is trained and it takes well under a second
    configs = [{"job": "splines", "k": K, "G_coarse": G_COARSE, "G_fine": G_FINE,
                "n_samples": N_SAMPLES, "n_eval": N_EVAL, "seed": args.seed}]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    summary = {"quick": args.quick, "claims": claims(results), "seconds": time.perf_counter() - t0}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_2_2.json"))
    save_figure(figure(results), os.path.join(args.out, "fig_2_2.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
