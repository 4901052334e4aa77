"""Figure 3.4: continual learning on five Gaussian peaks, KAN against MLP (paper Section 3.5).

Data (:func:`minikan.datasets.continual_peaks`, the paper-era pykan example's construction):
``f(x) = sum_c exp(-300 (x - c)^2)`` with centres c = -0.8, -0.4, 0, 0.4, 0.8; phase i trains only
on the 100 evenly spaced samples within 0.2 of centre i and never sees earlier phases again.
After each phase the model is evaluated on 500 points of [-1, 1]; ``errors[p, q]`` is the max
|prediction - f| over the points nearest to peak q after phase p.

Models (:mod:`minikan.applications.continual`): the KAN [1, 1] with G = 200, k = 3 on the fixed grid [-1, 1],
only the spline coefficients trained, no base branch and no grid updates (the paper-era code
freezes the base weight, spline scale and bias; the library's ``base="zero"`` variant is used,
see its docstring for why both remember equally well). The MLP baseline [1, 64, 64, 1] with tanh
(chosen: the paper does not give its MLP; this is the library's :func:`continual_mlp` default),
all parameters trained, the same optimizer and steps.

The paper's claim checked here: the KAN learns each new peak without forgetting the earlier ones,
the MLP overwrites them. Accepted (figures-and-data.md): after phase 5 the KAN's max error on the
earlier peaks is below 0.05 and the MLP's error on peak 1 is above 0.3.

Steps: ``STEPS_PER_PHASE`` = 2000 L-BFGS iterations per phase (minikan's conversion of pykan's 100
outer steps of up to 20 iterations, :data:`minikan.applications.continual.STEPS_PER_PHASE`); L-BFGS may stop
earlier when converged (the KAN converges within ~70). ``--quick``: 50 iterations per phase.
"""
import json
import os
import sys
import time

import numpy as np

from minikan.applications.continual import STEPS_PER_PHASE, continual_kan, continual_mlp, train_continual
from minikan.datasets import continual_peaks

from ._common import parse_args, provenance, run_jobs, save_figure, save_json

QUICK_STEPS_PER_PHASE = 50
KAN_GRID = 200
MLP_WIDTH = (1, 64, 64, 1)
MLP_ACTIVATION = "tanh"
Y_LIMITS = (-1.0, 2.0)  # the paper's plot range


def job(config):
    """Train one model phase by phase; predictions and per-peak errors after every phase."""
    if config["model"] == "kan":
        model = continual_kan(grid=config["grid"], k=3, seed=config["seed"])
    else:
        model = continual_mlp(width=config["width"], activation=config["activation"], seed=config["seed"])
    t0, c0 = time.perf_counter(), time.process_time()
    run = train_continual(model, continual_peaks(), steps=config["steps"])
    return {"config": config, "n_params": int(model.n_params()["total"]),
            "predictions": run.predictions, "errors": run.errors,
            "train_rmse": [float(h["train_rmse"][-1]) for h in run.histories],
            "iterations": [len(h["train_rmse"]) for h in run.histories],
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}


def claims(results):
    """The numbers behind the paper's claim, from the job results."""
    out = {}
    for r in results:
        E = np.asarray(r["errors"])
        n = E.shape[0]
        # forgetting: how much the error on peak q grew after the phase that learned it
        growth = max(float(E[p, q] - E[q, q]) for q in range(n) for p in range(q, n))
        out[r["config"]["model"]] = {
            "max_error_earlier_peaks_after_last_phase": float(E[-1, :-1].max()),
            "max_error_all_peaks_after_last_phase": float(E[-1].max()),
            "peak1_error_after_phase1": float(E[0, 0]),
            "peak1_error_after_last_phase": float(E[-1, 0]),
            "max_error_growth_after_learning": growth,
            "train_rmse_per_phase": r["train_rmse"], "iterations_per_phase": r["iterations"]}
    if "kan" in out and "mlp" in out:
        out["targets"] = {"kan_earlier_peaks_below_0.05": out["kan"]["max_error_earlier_peaks_after_last_phase"] < 0.05,
                          "mlp_peak1_above_0.3": out["mlp"]["peak1_error_after_last_phase"] > 0.3}
    return out


def figure(results):
    """Three rows of five panels: the data of each phase, the KAN and the MLP after each phase."""
    import matplotlib.figure

    data = continual_peaks()
    x, truth = data.grid[:, 0], data.grid_label[:, 0]
    n = len(data.centers)
    fig = matplotlib.figure.Figure(figsize=(3 * n, 7.5))
    axes = fig.subplots(3, n, sharex=True, sharey=True)
    by_model = {r["config"]["model"]: r for r in results}
    for p in range(n):
        ax = axes[0, p]
        ax.plot(x, truth, color="lightgray", lw=1)
        ax.plot(data.inputs[p][:, 0], data.labels[p][:, 0], ".", color="black", ms=2)
        ax.set_title(f"phase {p + 1}: data")
        for row, name in ((1, "kan"), (2, "mlp")):
            ax = axes[row, p]
            ax.plot(x, truth, color="lightgray", lw=1)
            if name in by_model:
                ax.plot(x, np.asarray(by_model[name]["predictions"])[p], color="C0" if name == "kan" else "C3", lw=1)
            ax.set_title(f"{name.upper()} after phase {p + 1}", fontsize=9)
    for ax in axes.ravel():
        ax.set_ylim(*Y_LIMITS)
    for row, label in enumerate(("data", "KAN [1,1], G=200", f"MLP {list(MLP_WIDTH)} {MLP_ACTIVATION}")):
        axes[row, 0].set_ylabel(label)
    fig.tight_layout()
    return fig


def main(argv=None):
    args = parse_args("fig_3_4", __doc__.splitlines()[0], argv)
    steps = QUICK_STEPS_PER_PHASE if args.quick else STEPS_PER_PHASE
    configs = [{"job": "kan", "model": "kan", "grid": KAN_GRID, "steps": steps, "seed": args.seed},
               {"job": "mlp", "model": "mlp", "width": list(MLP_WIDTH), "activation": MLP_ACTIVATION,
                "steps": steps, "seed": args.seed}]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    summary = {"quick": args.quick, "steps_per_phase": steps, "claims": claims(results),
               "errors": {r["config"]["model"]: r["errors"] for r in results},
               "seconds": time.perf_counter() - t0}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_3_4.json"))
    save_figure(figure(results), os.path.join(args.out, "fig_3_4.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
