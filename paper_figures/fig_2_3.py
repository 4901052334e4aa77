"""Figure 2.3: grid extension on f(x, y) = exp(sin(pi x) + y^2) (paper Section 2.4).

KANs [2, 5, 1] and [2, 1, 1] (k = 3) start at G = 3 and are refined (Eq. 2.16, least squares on
the training inputs) every ``steps`` L-BFGS iterations through G = 3, 5, 10, 20, 50, 100, 200, 500,
1000, on 1000 training and 1000 test points (drawn with ``--seed``), for model seeds 0-4 and for
two placements of the knots when a grid is updated from the samples: uniform over the samples'
range (the rule of the code the paper's experiments ran on, minikan's default) and at the samples'
quantiles (pykan 0.2.8's default). Measured per G: train and test RMSE, the square root of the
median squared test error, the parameter count and the wall time. Claims are medians over the
seeds, with their range.

The paper's claims checked here: the loss drops at every refinement; the [2, 1, 1] test error
falls like G^-3 (RMS) or G^-4 (root median squared error) for G in [5, 100]; the [2, 5, 1] test
error is U-shaped with its minimum near the interpolation threshold (15 G ~ 1000 samples, G ~ 67).

Steps: one step here is one L-BFGS iteration; the paper's 200 steps per grid are pykan outer steps
of up to 20 iterations. The full run uses 200 iterations per grid (the same count as
``python -m minikan``); ``--quick`` trains both widths through G = 3, 5, 10, 20, 50, 100 only,
still 200 iterations per grid (50, a fortieth of pykan's, would leave G >= 10 far from converged),
with uniform knots only, for model seeds 0-2: far enough for the [2, 5, 1] minimum near G = 50 and the slopes over G in
[5, 100].

What the knot placement does (measured, seed 0 with the trainer's defaults): with uniform knots the
[2, 5, 1] test RMSE levels off near 2e-4 from G = 50 and stays there up to G = 1000 while its
training RMSE falls to 1e-15 (the refined spline barely moves between samples); with quantile knots
it rises from 2e-4 at G = 50 to about 0.1 at G = 1000, the paper's U. The paper's U-shape is
therefore checked per placement (``n_u_shaped``: runs whose last test RMSE is over ten times their
lowest).
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
QUICK_GRIDS = (3, 5, 10, 20, 50, 100)  # through the [2, 5, 1] minimum (G ~ 50) and the slope range
WIDTHS = ([2, 5, 1], [2, 1, 1])
# How a grid is placed when it is updated from the samples (Section 2.4's "update of spline grids"):
# "uniform" spaces the knots evenly over the samples' range (grid_eps = 1, margin 0.01: the rule of
# the code the paper's experiments ran on and minikan's default); "quantile" puts them at the
# samples' quantiles (grid_eps = 0.02, margin 0: pykan 0.2.8's default).
PLACEMENTS = {"uniform": {"grid_eps": 1.0, "grid_margin": 0.01},
              "quantile": {"grid_eps": 0.02, "grid_margin": 0.0}}
FULL_SEEDS = (0, 1, 2, 3, 4)
QUICK_SEEDS = (0, 1, 2)


def job_name(width, placement, seed):
    return f"{'x'.join(map(str, width))}_{placement}_seed{seed}"


def job(config):
    """Train one width through the grid schedule; a JSON-able dict of per-G and per-step numbers."""
    data = make_toy("exp_sin_pi_x_plus_y2", seed=config["data_seed"])
    X, y, Xt, yt = data.train_input, data.train_label, data.test_input, data.test_label
    model = KAN(config["width"], grid=config["grids"][0], k=3, seed=config["seed"],
                **PLACEMENTS[config["placement"]])
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


def _spread(values):
    """Median and range of a per-seed statistic, with the values in seed order."""
    v = np.asarray(values, float)
    return {"median": float(np.median(v)), "min": float(v.min()), "max": float(v.max()), "per_seed": v.tolist()}


def claims(results):
    """The numbers behind the paper's claims, per knot placement and width, over the model seeds.

    Per run: the log-log slopes of the test RMSE and of the root median squared error against G
    over G in [5, 100] (the paper's range; [5, 20] for schedules that stop before 100), the G of
    the lowest test RMSE, and whether the run is U-shaped: its test RMSE at the last grid is more
    than ten times its lowest. Each statistic is given as median, min, max and per seed.
    """
    groups = {}
    for r in results:
        c = r["config"]
        groups.setdefault(c["placement"], {}).setdefault("x".join(map(str, c["width"])), []).append(r)
    out = {}
    for placement, by_width in groups.items():
        out[placement] = {}
        for name, runs in by_width.items():
            runs = sorted(runs, key=lambda r: r["config"]["seed"])
            per = []
            for r in runs:
                st = r["stages"]
                G = np.array([s["G"] for s in st])
                rms = np.array([s["test_rmse"] for s in st])
                med = np.array([s["test_root_median_se"] for s in st])
                band = (G >= 5) & (G <= (100 if G.max() >= 100 else 20))
                per.append({"slope_rms": loglog_slope(G[band], rms[band]),
                            "slope_median": loglog_slope(G[band], med[band]),
                            "slope_range": [int(G[band].min()), int(G[band].max())],
                            "best_G": int(G[np.argmin(rms)]), "best_test_rmse": float(rms.min()),
                            "last_test_rmse": float(rms[-1]), "u_shaped": bool(rms[-1] > 10 * rms.min())})
            out[placement][name] = {
                "seeds": [r["config"]["seed"] for r in runs],
                "slope_range": per[0]["slope_range"],
                "slope_rms": _spread([p["slope_rms"] for p in per]),
                "slope_median": _spread([p["slope_median"] for p in per]),
                "best_test_rmse": _spread([p["best_test_rmse"] for p in per]),
                "last_test_rmse": _spread([p["last_test_rmse"] for p in per]),
                "best_G": [p["best_G"] for p in per],
                "n_u_shaped": sum(p["u_shaped"] for p in per),
            }
    return out


def median_curve(results, key):
    """The per-G median over seeds of a stage statistic, for runs sharing width and placement."""
    G = [s["G"] for s in results[0]["stages"]]
    return np.array(G, float), np.median([[s[key] for s in r["stages"]] for r in results], axis=0)


def _log_ticks(axis, values=None):
    """Readable ticks on a log axis: at ``values`` (the grid sizes) or at 1, 2, 5 x 10^n, as plain numbers."""
    from matplotlib import ticker

    locator = ticker.FixedLocator(values) if values is not None else ticker.LogLocator(subs=(1.0, 2.0, 5.0))
    axis.set_major_locator(locator)
    axis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    axis.set_minor_formatter(ticker.NullFormatter())  # unlabelled minor ticks: no overlapping 6x10^0


def figure(results):
    """Figure 2.3 as a matplotlib Figure, in the paper's layout.

    Top: one panel per width (the paper's [2, 5, 1] left, [2, 1, 1] right), train and test RMSE
    against the L-BFGS iteration for the lowest model seed with uniform knots, the staircases.
    Bottom left: median over seeds of the test error against G, as RMSE (solid) and as the square
    root of the median squared error (dashed) with uniform knots, and the RMSE with quantile knots
    (dotted, open markers), with G^-3 and G^-4 drawn through the uniform [2, 1, 1] medians at the
    start of the slope fit range. Bottom right: median training time per grid against G.
    """
    import matplotlib.figure

    groups = {}
    for r in results:
        c = r["config"]
        groups.setdefault((c["placement"], "x".join(map(str, c["width"]))), []).append(r)
    names = sorted({name for _, name in groups}, key=lambda n: -int(n.split("x")[1]))  # [2,5,1] first
    fitted = claims(results)
    fig = matplotlib.figure.Figure(figsize=(10, 8), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    for name, ax in zip(names, np.atleast_1d(top.subplots(1, len(names)))):
        placement = "uniform" if ("uniform", name) in groups else "quantile"
        r = min(groups[(placement, name)], key=lambda r: r["config"]["seed"])
        ax.semilogy(r["train_curve"], label="train")
        ax.semilogy(r["test_curve"], "--", label="test")
        G = [s["G"] for s in r["stages"]]
        ax.set(title=f"KAN {r['config']['width']}: G = {G[0]} to {G[-1]} in {len(G)} grids",
               xlabel=f"step (L-BFGS iteration); seed {r['config']['seed']}, {placement} knots",
               ylabel="RMSE")
        ax.legend()
    ax_err, ax_time = bottom.subplots(1, 2)
    all_G = sorted({s["G"] for r in results for s in r["stages"]})
    n_seeds = max(len(v) for v in groups.values())
    for n, name in enumerate(names):
        colour = f"C{n + 2}"
        width = groups[next(k for k in groups if k[1] == name)][0]["config"]["width"]
        if ("uniform", name) in groups:
            runs, f = groups[("uniform", name)], fitted["uniform"][name]
            G, rms = median_curve(runs, "test_rmse")
            ax_err.loglog(G, rms, "o-", color=colour,
                          label=f"{width} RMSE (slope {f['slope_rms']['median']:.2f})")
            G, med = median_curve(runs, "test_root_median_se")
            ax_err.loglog(G, med, "s--", color=colour, mfc="none",
                          label=f"{width} root median (slope {f['slope_median']['median']:.2f})")
            G, sec = median_curve(runs, "seconds")
            ax_time.loglog(G, sec, "o-", color=colour, label=f"{width}")
        if ("quantile", name) in groups:
            G, rms = median_curve(groups[("quantile", name)], "test_rmse")
            ax_err.loglog(G, rms, "^:", color=colour, mfc="none", label=f"{width} RMSE, quantile knots")
    if ("uniform", "2x1x1") in groups:  # the theory lines through the [2, 1, 1] medians
        runs = groups[("uniform", "2x1x1")]
        lo, hi = fitted["uniform"]["2x1x1"]["slope_range"]
        G_all, rms = median_curve(runs, "test_rmse")
        _, med = median_curve(runs, "test_root_median_se")
        first = list(G_all).index(lo)
        G = np.array([lo, hi], float)  # shifted by a factor of 3 to lie beside the curves, not on them
        ax_err.loglog(G, 3 * rms[first] * (G / lo) ** -3.0, "k:", label="$G^{-3}$")
        ax_err.loglog(G, med[first] / 3 * (G / lo) ** -4.0, "k-.", label="$G^{-4}$")
    ax_err.set(xlabel="grid size G", ylabel=f"test error (median of {n_seeds} seeds)")
    ax_time.set(xlabel="grid size G", ylabel="training time per grid (s, median)")
    for ax in (ax_err, ax_time):
        _log_ticks(ax.xaxis, all_G)
    # under the panels: inside, the legend would hide the low end of the curves it names
    lo, hi = next(iter(next(iter(fitted.values())).values()))["slope_range"]
    bottom.legend(*ax_err.get_legend_handles_labels(), loc="outside lower left", ncol=3, fontsize=8,
                  title=f"test error (left): uniform knots unless marked; median slopes fitted over "
                        f"G = {lo} to {hi}", title_fontsize=8)
    ax_time.legend(fontsize=8)
    _log_ticks(ax_time.yaxis)
    return fig


def main(argv=None):
    args = parse_args("fig_2_3", __doc__.splitlines()[0], argv)
    grids = QUICK_GRIDS if args.quick else FULL_GRIDS
    seeds = QUICK_SEEDS if args.quick else FULL_SEEDS
    # the data are drawn with --seed (default 0); the model seeds are their own range
    placements = ("uniform",) if args.quick else tuple(PLACEMENTS)
    configs = [{"job": job_name(w, placement, s), "width": w, "placement": placement,
                "grids": list(grids), "steps": 200, "seed": s, "data_seed": args.seed}
               for placement in placements for w in WIDTHS for s in seeds]
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
