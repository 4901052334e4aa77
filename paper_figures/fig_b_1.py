"""Figures B.1 and B.2: learnable activation networks (LANs, paper Appendix B).

A LAN (:class:`minikan.LAN`) is an MLP whose hidden nodes carry learnable activations
``phi(z) = w_b silu(z) + w_s spline(z)`` (k = 3) after ordinary weight matrices. For width N, depth L
and G grid intervals it has about ``N^2 L + N L G`` parameters (the paper's count; the exact count,
with the input and output dimensions, biases and the two scales per node, is recorded too).

B.1: a LAN trained on f(x, y) = exp(sin(pi x) + y^2) on [-1, 1]^2 (1000 train / 1000 test points),
with snapshots of every hidden node's activation during training. B.2: LANs of the same shape on
the six Figure 4.1 tasks (same datasets as ``paper_figures.fig_4_1``; the digit task (c) is a
classifier trained with softmax cross-entropy, reported by test accuracy).

Choices (the paper gives no LAN shape, grid or steps): width [n_in, 10, 10, n_out], G = 5. In the
sizing runs a [2, 5, 1] or [2, 5, 5, 1] LAN stayed above 1e-2 test RMSE on exp(sin(pi x) + y^2)
after 400-1000 L-BFGS iterations (1.5e-2 to 1.4e-1), the [2, 10, 10, 1] LAN reached 3.5e-3 and
8.1e-3 (seeds 0, 1) after 600. Training is plain L-BFGS (one step = one iteration), with the grid
updates of ``fit`` (every 5 iterations in the first 50). The snapshots split training into
segments (each a fresh ``fit`` call, so L-BFGS restarts at each snapshot; the grid updates keep the
every-5-before-50 schedule across segments):
full run 1000 iterations, snapshots at 0, 20, 100, 300, 1000, seeds 0-2 for B.1 and seed 0 for the
six B.2 tasks. ``--quick``: B.1 with seed 0, 600 iterations, snapshots 0, 50, 600, and B.2 on x y
only with 200 iterations.

The claims: the LAN fits (B.1 test RMSE well below 1e-2), while its node activations are not clean
symbolic shapes. The second half is qualitative (the figures); what is computed is the fit.
"""
import json
import os
import sys
import time

import numpy as np

from minikan import LAN
from minikan.datasets import make_toy
from minikan.datasets.categorical import first_digit

from ._common import parse_args, provenance, run_jobs, save_figure, save_json

HIDDEN = [10, 10]
G = 5
FULL_SNAPSHOTS = (0, 20, 100, 300, 1000)
QUICK_SNAPSHOTS = (0, 50, 600)
FULL_B1_SEEDS = (0, 1, 2)
B2_FULL_STEPS, B2_QUICK_STEPS = 1000, 200
CURVE_POINTS = 60
GRID_STOP, GRID_EVERY = 50, 5  # fit's default schedule: 10 grid updates in the first 50 steps
B1_TASK = "exp_sin_pi_x_plus_y2"
# the Figure 4.1 tasks, panel letters as there
B2_TASKS = {"xy": "a", "x_over_y": "b", "first_decimal_digit": "c", "exp_j0_plus_y2": "d",
            "tanh_quartic": "e", "sqrt_distance": "f"}
B2_QUICK_TASKS = ("xy",)


def paper_param_count(N, L, G):
    """The paper's LAN parameter count ``N^2 L + N L G`` (weights plus splines, leading order)."""
    return N * N * L + N * L * G


def _short(values):
    """Nested lists of floats at 5 significant digits (plenty for plotting; keeps the JSON small)."""
    return [_short(v) for v in values] if isinstance(values, list) else float(f"{values:.5g}")


def node_curves(model, X):
    """Every hidden node's activation on its own pre-activation range over ``X``.

    Returns one entry per hidden layer: ``{"z": (n, CURVE_POINTS), "phi": (n, CURVE_POINTS)}`` as
    nested lists, ``z`` spanning ``[min, max]`` of that node's pre-activations on ``X``.
    """
    out = []
    for l, zs in enumerate(model.preactivations(X)):
        grid = np.linspace(zs.min(axis=0), zs.max(axis=0), CURVE_POINTS)  # (P, n)
        out.append({"z": _short(grid.T.tolist()), "phi": _short(model.node_values(l, grid).T.tolist())})
    return out


def job(config):
    """Train one LAN; snapshots of its node activations at the configured steps; a JSON-able dict."""
    name, seed = config["task"], config["seed"]
    data = make_toy(name, seed=seed)
    X, y, Xt, yt = data.train_input, data.train_label, data.test_input, data.test_label
    classify = name == "first_decimal_digit"
    if classify:  # integer digits for the cross-entropy; the output layer holds the 10 logits
        y, yt = first_digit(X), first_digit(Xt)
    width = [X.shape[1]] + HIDDEN + [data.train_label.shape[1]]
    model = LAN(width, grid=G, k=3, seed=seed)
    t0 = time.process_time()
    snapshots, train_curve, test_curve, done = [], [], [], 0
    metric = "acc" if classify else "rmse"
    for step in config["snapshots"]:
        if step > done:
            # grids follow the data every GRID_EVERY steps before step GRID_STOP, as one fit call
            # would; a segment's own schedule restarts at its first step
            stop = max(GRID_STOP - done, 0)
            h = model.fit(X, y, Xt, yt, steps=step - done, loss="cross_entropy" if classify else "mse",
                          update_grid=stop > 0, stop_grid_update_step=max(stop, 1),
                          grid_update_num=max(stop // GRID_EVERY, 1))
            train_curve += h[f"train_{metric}"].tolist()
            test_curve += h[f"test_{metric}"].tolist()
            done = step
        pred = model.predict(Xt)
        score = (float(np.mean(pred.argmax(axis=1) == yt)) if classify
                 else float(np.sqrt(np.mean((pred - yt) ** 2))))
        snapshots.append({"step": step, f"test_{metric}": score, "nodes": node_curves(model, X)})
    return {"config": config, "width": width, "n_params": model.n_params()["total"],
            "paper_param_count": paper_param_count(HIDDEN[0], len(HIDDEN), G), "metric": metric,
            f"test_{metric}": snapshots[-1][f"test_{metric}"], "train_curve": _short(train_curve),
            "test_curve": _short(test_curve), "snapshots": snapshots, "cpu_seconds": time.process_time() - t0}


def claims(results):
    """B.1: final test RMSE per seed; B.2: final score per task and the parameter counts."""
    b1 = [r for r in results if r["config"]["figure"] == "B.1"]
    b2 = [r for r in results if r["config"]["figure"] == "B.2"]
    rmse = [r["test_rmse"] for r in b1]
    return {
        "B.1": {"task": B1_TASK, "width": b1[0]["width"], "seeds": [r["config"]["seed"] for r in b1],
                "test_rmse": rmse, "all_below_1e-2": bool(max(rmse) < 1e-2),
                "n_params": b1[0]["n_params"], "paper_param_count": b1[0]["paper_param_count"]},
        "B.2": {r["config"]["task"]: {"panel": B2_TASKS[r["config"]["task"]], "width": r["width"],
                                      f"test_{r['metric']}": r[f"test_{r['metric']}"],
                                      "n_params": r["n_params"]} for r in b2},
    }


def _draw_nodes(ax, layer, title):
    for z, phi in zip(layer["z"], layer["phi"]):
        ax.plot(z, phi, lw=1)
    ax.set_title(title, fontsize=8)
    ax.tick_params(labelsize=6)


def figure_b1(results):
    """Rows: the node activations of hidden layers 1 and 2; columns: the snapshots; last column:
    the RMSE curves (first seed)."""
    import matplotlib.figure

    r = [r for r in results if r["config"]["figure"] == "B.1"][0]
    snaps = r["snapshots"]
    n_layers = len(snaps[0]["nodes"])
    fig = matplotlib.figure.Figure(figsize=(2.6 * (len(snaps) + 1), 2.4 * n_layers), layout="constrained")
    axes = fig.subplots(n_layers, len(snaps) + 1, squeeze=False)
    for c, s in enumerate(snaps):
        for l in range(n_layers):
            head = f"step {s['step']}, test RMSE {s['test_rmse']:.1e}\n" if l == 0 else ""
            _draw_nodes(axes[l, c], s["nodes"][l], f"{head}hidden layer {l + 1} node activations")
    axes[0, -1].semilogy(r["train_curve"], label="train")
    axes[0, -1].semilogy(r["test_curve"], "--", label="test")
    axes[0, -1].set_title(f"LAN {r['width']}, seed {r['config']['seed']}", fontsize=8)
    axes[0, -1].set_xlabel("step (L-BFGS iteration)", fontsize=7)
    axes[0, -1].legend(fontsize=7)
    for ax in axes[1:, -1]:
        ax.set_axis_off()
    fig.suptitle("LAN on exp(sin(pi x) + y^2): node activations during training")
    return fig


def figure_b2(results):
    """For each Figure 4.1 task, the trained LAN's node activations of both hidden layers."""
    import matplotlib.figure

    b2 = [r for r in results if r["config"]["figure"] == "B.2"]
    n_layers = len(b2[0]["snapshots"][-1]["nodes"])
    per_row = min(2, len(b2))  # tasks per row, each taking one axes per hidden layer
    rows = -(-len(b2) // per_row)
    fig = matplotlib.figure.Figure(figsize=(2.6 * per_row * n_layers, 2.6 * rows), layout="constrained")
    axes = np.atleast_2d(fig.subplots(rows, per_row * n_layers, squeeze=False))
    flat = axes.ravel()
    for ax in flat[len(b2) * n_layers:]:
        ax.set_axis_off()
    for t, r in enumerate(b2):
        name, final = r["config"]["task"], r["snapshots"][-1]
        score = f"test {r['metric']} {r['test_' + r['metric']]:.2g}"
        for l in range(n_layers):
            _draw_nodes(flat[t * n_layers + l], final["nodes"][l],
                        f"({B2_TASKS[name]}) {name}, LAN {r['width']}\nlayer {l + 1} nodes, {score}")
    fig.suptitle("LANs on the Figure 4.1 tasks: trained node activations")
    return fig


def main(argv=None):
    args = parse_args("fig_b_1", __doc__.splitlines()[0], argv)
    if args.quick:
        b1_seeds, snapshots = (args.seed,), QUICK_SNAPSHOTS
        b2_tasks, b2_steps = B2_QUICK_TASKS, B2_QUICK_STEPS
    else:
        b1_seeds, snapshots = tuple(args.seed + s for s in FULL_B1_SEEDS), FULL_SNAPSHOTS
        b2_tasks, b2_steps = tuple(B2_TASKS), B2_FULL_STEPS
    configs = [{"job": f"b1_s{s}", "figure": "B.1", "task": B1_TASK, "seed": s,
                "snapshots": list(snapshots)} for s in b1_seeds]
    configs += [{"job": f"b2_{t}", "figure": "B.2", "task": t, "seed": args.seed, "snapshots": [b2_steps]}
                for t in b2_tasks]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    summary = {"quick": args.quick, "claims": claims(results), "seconds": time.perf_counter() - t0,
               "cpu_seconds": {r["config"]["job"]: r["cpu_seconds"] for r in results}}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_b_1.json"))
    save_figure(figure_b1(results), os.path.join(args.out, "fig_b_1.png"))
    save_figure(figure_b2(results), os.path.join(args.out, "fig_b_2.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
