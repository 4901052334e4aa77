"""Figure 2.3: grid extension on f(x, y) = exp(sin(pi x) + y^2) (paper Section 2.4).

KANs [2, 5, 1] and [2, 1, 1] (k = 3) start at G = 3 and are refined (Eq. 2.16, least squares on
the training inputs) every ``steps`` L-BFGS iterations through G = 3, 5, 10, 20, 50, 100, 200, 500,
1000, on 1000 training and 1000 test points. Measured per G: train and test RMSE, the square root
of the median squared test error, the parameter count and the wall time.

The paper's claims checked here: the loss drops at every refinement; the [2, 1, 1] test error
falls like G^-3 (RMS) or G^-4 (root median squared error) for G in [5, 100]; the [2, 5, 1] test
error is U-shaped with its minimum near the interpolation threshold (15 G ~ 1000 samples, G ~ 67).

Steps: one step here is one L-BFGS iteration; the paper's 200 steps per grid are pykan outer steps
of up to 20 iterations. The full run uses 200 iterations per grid (the same count as
``python -m minikan``); ``--quick`` runs [2, 1, 1] only, G = 3, 5, 10, 20, 200 iterations per grid
(50 iterations per grid, a fortieth of pykan's, leave G >= 10 far from converged).
"""
import json
import os
import sys
import time

import numpy as np

from minikan import KAN
from minikan.datasets import make_toy

from ._common import loglog_slope, parse_args, provenance, run_jobs, save_figure, save_json

FULL_GRIDS = (3, 5, 10, 20, 50, 100, 200, 500, 1000)
QUICK_GRIDS = (3, 5, 10, 20)


def job(config):
    """Train one width through the grid schedule; a JSON-able dict of per-G and per-step numbers."""
    data = make_toy("exp_sin_pi_x_plus_y2", seed=config["seed"])
    X, y, Xt, yt = data.train_input, data.train_label, data.test_input, data.test_label
    model = KAN(config["width"], grid=config["grids"][0], k=3, seed=config["seed"])
    stages, curve_train, curve_test = [], [], []
    for n, G in enumerate(config["grids"]):
        if n:
            model = model.refine(G, X)
        t0 = time.perf_counter()
        h = model.fit(X, y, Xt, yt, steps=config["steps"])
        seconds = time.perf_counter() - t0
        err2 = (model.predict(Xt) - yt) ** 2
        stages.append({"G": G, "n_params": model.n_params()["total"],
                       "train_rmse": float(h["train_rmse"][-1]), "test_rmse": float(np.sqrt(err2.mean())),
                       "test_root_median_se": float(np.sqrt(np.median(err2))), "seconds": seconds})
        curve_train += h["train_rmse"].tolist()
        curve_test += h["test_rmse"].tolist()
    return {"config": config, "stages": stages, "train_curve": curve_train, "test_curve": curve_test}


def claims(results):
    """The numbers behind the paper's claims, from the job results."""
    out = {}
    for r in results:
        name = "x".join(map(str, r["config"]["width"]))
        st = r["stages"]
        G = np.array([s["G"] for s in st])
        rms = np.array([s["test_rmse"] for s in st])
        med = np.array([s["test_root_median_se"] for s in st])
        band = (G >= 5) & (G <= (100 if G.max() >= 100 else 20))
        out[name] = {"slope_rms": loglog_slope(G[band], rms[band]),
                     "slope_median": loglog_slope(G[band], med[band]),
                     "slope_range": [int(G[band].min()), int(G[band].max())],
                     "best_G": int(G[np.argmin(rms)]), "best_test_rmse": float(rms.min())}
    return out


def figure(results):
    """The four panels of Figure 2.3 as a matplotlib Figure."""
    import matplotlib.figure

    fig = matplotlib.figure.Figure(figsize=(10, 8))
    axes = fig.subplots(2, 2)
    for r, ax in zip(results, axes[0]):
        ax.semilogy(r["train_curve"], label="train")
        ax.semilogy(r["test_curve"], "--", label="test")
        ax.set(title=f"KAN {r['config']['width']}", xlabel="step (L-BFGS iteration)", ylabel="RMSE")
        ax.legend()
    for r in results:
        st = r["stages"]
        G = [s["G"] for s in st]
        axes[1, 0].loglog(G, [s["test_rmse"] for s in st], "o-", label=f"{r['config']['width']}")
        axes[1, 1].loglog(G, [s["seconds"] for s in st], "o-", label=f"{r['config']['width']}")
    G = np.array([5.0, 100.0])
    axes[1, 0].loglog(G, 1e-1 * (G / 5) ** -3.0, "k:", label="G^-3")
    axes[1, 0].set(xlabel="grid size G", ylabel="test RMSE")
    axes[1, 1].set(xlabel="grid size G", ylabel="training time per grid (s)")
    for ax in axes[1]:
        ax.legend()
    return fig


def main(argv=None):
    args = parse_args("fig_2_3", __doc__.splitlines()[0], argv)
    if args.quick:
        configs = [{"job": "2x1x1", "width": [2, 1, 1], "grids": list(QUICK_GRIDS), "steps": 200,
                    "seed": args.seed}]
    else:
        configs = [{"job": "x".join(map(str, w)), "width": w, "grids": list(FULL_GRIDS), "steps": 200,
                    "seed": args.seed} for w in ([2, 5, 1], [2, 1, 1])]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    summary = {"quick": args.quick, "claims": claims(results), "seconds": time.perf_counter() - t0,
               "stages": {c["job"]: r["stages"] for c, r in zip(configs, results)}}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_2_3.json"))
    save_figure(figure(results), os.path.join(args.out, "fig_2_3.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
