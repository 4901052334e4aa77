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
``python -m minikan``); ``--quick`` trains both widths through G = 3, 5, 10, 20, 50, 100 only,
still 200 iterations per grid (50, a fortieth of pykan's, would leave G >= 10 far from converged):
far enough for the [2, 5, 1] minimum near G = 50 and the slopes over G in [5, 100].
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
QUICK_GRIDS = (3, 5, 10, 20, 50, 100)  # through the [2, 5, 1] minimum (G ~ 50) and up its U


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


def _log_ticks(axis, values=None):
    """Readable ticks on a log axis: at ``values`` (the grid sizes) or at 1, 2, 5 x 10^n, as plain numbers."""
    from matplotlib import ticker

    locator = ticker.FixedLocator(values) if values is not None else ticker.LogLocator(subs=(1.0, 2.0, 5.0))
    axis.set_major_locator(locator)
    axis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    axis.set_minor_formatter(ticker.NullFormatter())  # unlabelled minor ticks: no overlapping 6x10^0


def figure(results):
    """Figure 2.3 as a matplotlib Figure, in the paper's layout.

    Top: one panel per trained width (the paper's [2, 5, 1] left, [2, 1, 1] right), train and test
    RMSE against the L-BFGS iteration, the staircases. Bottom left: test error against G, as RMSE
    (root mean squared error, solid) and as the square root of the median squared error (dashed),
    with G^-3 and G^-4 drawn through the [2, 1, 1] curves at the start of the slope fit range.
    Bottom right: training time per grid against G.
    """
    import matplotlib.figure

    by_width = sorted(results, key=lambda r: -r["config"]["width"][1])  # [2, 5, 1] before [2, 1, 1]
    fig = matplotlib.figure.Figure(figsize=(10, 8), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    for r, ax in zip(by_width, np.atleast_1d(top.subplots(1, len(by_width)))):
        ax.semilogy(r["train_curve"], label="train")
        ax.semilogy(r["test_curve"], "--", label="test")
        G = [s["G"] for s in r["stages"]]
        ax.set(title=f"KAN {r['config']['width']}: G = {G[0]} to {G[-1]} in {len(G)} grids",
               xlabel="step (L-BFGS iteration)", ylabel="RMSE")
        ax.legend()
    ax_err, ax_time = bottom.subplots(1, 2)
    all_G = sorted({s["G"] for r in by_width for s in r["stages"]})
    fitted = claims(by_width)
    for n, r in enumerate(by_width):
        name = "x".join(map(str, r["config"]["width"]))
        st = r["stages"]
        G = np.array([s["G"] for s in st], float)
        colour = f"C{n + 2}"
        ax_err.loglog(G, [s["test_rmse"] for s in st], "o-", color=colour,
                      label=f"{r['config']['width']} RMSE (slope {fitted[name]['slope_rms']:.2f})")
        ax_err.loglog(G, [s["test_root_median_se"] for s in st], "s--", color=colour, mfc="none",
                      label=f"{r['config']['width']} root median (slope {fitted[name]['slope_median']:.2f})")
        ax_time.loglog(G, [s["seconds"] for s in st], "o-", color=colour, label=f"{r['config']['width']}")
    small = [r for r in by_width if r["config"]["width"] == [2, 1, 1]]
    if small:  # the theory lines through the [2, 1, 1] curves, over the range of the fitted slopes
        st = small[0]["stages"]
        lo, hi = fitted["2x1x1"]["slope_range"]
        first = next(s for s in st if s["G"] == lo)
        G = np.array([lo, hi], float)  # shifted by a factor of 3 to lie beside the curves, not on them
        ax_err.loglog(G, 3 * first["test_rmse"] * (G / lo) ** -3.0, "k:", label="$G^{-3}$")
        ax_err.loglog(G, first["test_root_median_se"] / 3 * (G / lo) ** -4.0, "k-.", label="$G^{-4}$")
    ax_err.set(xlabel="grid size G", ylabel="test error")
    ax_time.set(xlabel="grid size G", ylabel="training time per grid (s)")
    for ax in (ax_err, ax_time):
        _log_ticks(ax.xaxis, all_G)
    # under the panels: inside, the legend would hide the low end of the curves it names
    lo, hi = next(iter(fitted.values()))["slope_range"]
    bottom.legend(*ax_err.get_legend_handles_labels(), loc="outside lower left", ncol=3, fontsize=8,
                  title=f"test error (left); slopes fitted over G = {lo} to {hi}", title_fontsize=8)
    ax_time.legend(fontsize=8)
    _log_ticks(ax_time.yaxis)
    return fig


def main(argv=None):
    args = parse_args("fig_2_3", __doc__.splitlines()[0], argv)
    grids = QUICK_GRIDS if args.quick else FULL_GRIDS
    configs = [{"job": "x".join(map(str, w)), "width": w, "grids": list(grids), "steps": 200,
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
