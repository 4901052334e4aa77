"""Figure 3.1: KAN vs MLP scaling on five toy functions (paper Section 3.1).

The five targets (``minikan.datasets.make_toy``, inputs uniform on [-1, 1]^d, 1000 training and
1000 test points, the pykan default, since the paper gives no data size) and their KANs (k = 3):

1. J_0(20 x), d = 1, KAN [1, 1];
2. exp(sin(pi x) + y^2), d = 2, KAN [2, 1, 1];
3. x y, d = 2, KAN [2, 2, 1];
4. exp((1/100) sum_i sin^2(pi x_i / 2)), d = 100, KAN [100, 1, 1];
5. exp(1/2 (sin(pi (x1^2 + x2^2)) + sin(pi (x3^2 + x4^2)))), d = 4, KAN [4, 4, 2, 1], plus the
   2-layer [4, 9, 1] and the 3-layer [4, 2, 2, 1] that the paper's text compares.

KANs start at G = 3 and are refined (Eq. 2.16, least squares on the training inputs) after every
``KAN_STEPS`` L-BFGS iterations through the grids of ``FULL_GRIDS``. MLPs (``minikan.MLP``) of
depths ``MLP_DEPTHS`` x widths ``MLP_WIDTHS`` are trained with L-BFGS for ``MLP_STEPS`` iterations.
Measured: test RMSE vs parameter count. Parameter counts: KAN ``#edges x G`` (the paper's
convention, "a [2, 5, 1] KAN has 15 G parameters"); MLP weights + biases.

Derived numbers, per example:

* KAN slope "before saturation" (main shape): least-squares slope of log test RMSE against
  log #params over the grids from ``G_start`` to ``G*``. ``G*`` is the grid of minimum test RMSE
  (saturation: beyond it the test error stops falling). ``G_start`` is the first grid with
  G >= 5 (G = 3 is the initial fit) whose test RMSE is below ``RESOLVED_FRACTION`` = 10 % of the
  standard deviation of the test targets: the power law of Theorem 2.1 is asymptotic and only
  holds once the grid resolves the function (J_0(20 x) has six oscillations on [-1, 1] and is not
  resolved below G = 20). With fewer than two grids in that band the slope is not defined (null).
* MLP slope: the Pareto front is the lower envelope of test RMSE vs #params over all MLPs (each
  MLP on it has a lower test RMSE than every MLP with fewer parameters); the slope is the
  least-squares log-log slope through the front's points, 0 when the front is a single point.
* Gap: ``log10(best MLP test RMSE / best KAN test RMSE)`` (decades between the curves' lowest
  points; best KAN over the example's KAN shapes), and the slope difference MLP - KAN.

Theory lines: N^-4 (red dashed, alpha = k + 1) and N^-(4/d) (black dashed, Sharma & Kaplan).

Choices where the paper is silent (all "chosen"):

* MLP activation ``tanh`` (smooth, the usual choice for regressing smooth targets); depth is the
  number of affine maps (Eq. 2.9's L), so depth 3 is [d, w, w, 1]; Glorot initialisation.
* ``KAN_RESTARTS``: example 5's KANs can stall near RMSE 0.1 from an unlucky start ([4, 4, 2, 1]
  from seed 0 does), so each of them is started from 3 seeds, trained ``KAN_STEPS`` iterations at
  G = 3, and the one with the lowest *training* RMSE is continued (test data play no part in the
  choice). The 1-, 2- and 100-D KANs are trained from the one seed ``--seed``; no stall was seen.
* ``update_grid`` left at ``fit``'s default (the grids move to the samples during the first 50
  iterations of every stage), as in Figure 2.3.

Reduced scale (a CPU budget of 25 CPU-minutes on a shared, heavily loaded 2-core machine):

* KANs: the paper's 200 steps per grid are pykan outer steps of up to 20 L-BFGS iterations; here
  one step is one iteration and ``KAN_STEPS`` = 200 per grid. Grids stop at G = 500 for example 1,
  G = 200 for examples 2 and 3, G = 20 for example 4 and G = 50 for example 5 (the paper: G = 1000
  for all). In trial runs every example had passed its minimum test RMSE by then (example 4 at
  G = 10-20: test RMSE 1.4e-3 at G = 20, 2.1e-2 at G = 50; example 5 at G = 20; examples 2 and 3
  by G = 100-200); the larger grids are the costliest and only show the rise after saturation.
* MLPs: depths {2, 3} x widths {5, 10, 20, 50, 100} minus the depth-3 width-100 net, the costliest
  (the reference notes suggest depths up to 6), ``MLP_STEPS`` = 1000 L-BFGS iterations (the
  paper: 1800 steps in total).
* ``--quick`` runs examples 1, 2 and 5 only (main shapes), G up to 100 / 20 / 20, 100 iterations
  per grid, 2 restarts for example 5, and two depth-3 MLPs of widths 10 and 50 at
  ``QUICK_MLP_STEPS`` = 100 iterations.
"""
import json
import os
import sys
import time

import numpy as np

from minikan import KAN, MLP
from minikan.datasets import make_toy

from ._common import loglog_slope, parse_args, provenance, run_jobs, save_figure, save_json

ALL_GRIDS = (3, 5, 10, 20, 50, 100, 200, 500, 1000)
# example number -> (toy name, input dimension d, main KAN shape, extra KAN shapes, largest grid)
EXAMPLES = {
    1: ("j0_20x", 1, [1, 1], [], 500),
    2: ("exp_sin_pi_x_plus_y2", 2, [2, 1, 1], [], 200),
    3: ("xy", 2, [2, 2, 1], [], 200),
    4: ("exp_mean_sin2_100d", 100, [100, 1, 1], [], 20),
    5: ("exp_sin_sum_4d", 4, [4, 4, 2, 1], [[4, 9, 1], [4, 2, 2, 1]], 50),
}
KAN_STEPS = 200           # L-BFGS iterations per grid
KAN_RESTARTS = {5: 3}     # example -> seeds tried at G = 3 (the lowest training RMSE is continued)
MLP_ACTIVATION = "tanh"
MLP_DEPTHS = (2, 3)       # number of affine maps
MLP_WIDTHS = (5, 10, 20, 50, 100)
MLP_SKIP = ((3, 100),)    # (depth, width) left out for CPU time
MLP_STEPS = 1000
RESOLVED_FRACTION = 0.1   # the slope band starts once test RMSE < 10 % of std(test targets)
MUCH_WORSE = 10.0         # "[4, 9, 1] much worse": best test RMSE at least 10 x the 3-layer KAN's

QUICK_EXAMPLES = {1: (3, 5, 10, 20, 50, 100), 2: (3, 5, 10, 20), 5: (3, 5, 10, 20)}
QUICK_KAN_STEPS = 100
QUICK_KAN_RESTARTS = {5: 2}
QUICK_MLP_WIDTHS = (10, 50)
QUICK_MLP_DEPTH = 3
QUICK_MLP_STEPS = 100


def n_edges(width):
    """Number of activation edges of a KAN of shape ``width``."""
    return int(sum(a * b for a, b in zip(width[:-1], width[1:])))


def _data(config):
    d = make_toy(config["toy"], seed=config["seed"])
    return d.train_input, d.train_label, d.test_input, d.test_label


def _errors(model, X, y, Xt, yt):
    err2 = (model.predict(Xt) - yt) ** 2
    train = float(np.sqrt(((model.predict(X) - y) ** 2).mean()))
    return {"train_rmse": train, "test_rmse": float(np.sqrt(err2.mean())),
            "test_root_median_se": float(np.sqrt(np.median(err2)))}


def job(config):
    """Train one KAN through its grid schedule, or one MLP; a JSON-able dict of what was measured."""
    X, y, Xt, yt = _data(config)
    t0 = time.perf_counter()
    out = {"config": config, "y_test_std": float(yt.std())}
    if config["kind"] == "mlp":
        model = MLP(config["width"], activation=config["activation"], seed=config["seed"])
        h = model.fit(X, y, Xt, yt, steps=config["steps"])
        out.update(_errors(model, X, y, Xt, yt), n_params=model.n_params()["total"],
                   iterations=len(h["train_rmse"]), seconds=time.perf_counter() - t0)
        return out
    grids, steps = config["grids"], config["steps"]
    # restarts at the first grid, chosen by training RMSE only
    best, tried = None, []
    for r in range(config["restarts"]):
        model = KAN(config["width"], grid=grids[0], k=3, seed=config["seed"] + r)
        h = model.fit(X, y, Xt, yt, steps=steps)
        tried.append(float(h["train_rmse"][-1]))
        if best is None or tried[-1] < tried[best[0]]:
            best = (r, model, h)
    chosen, model, h = best
    stages = []
    for n, G in enumerate(grids):
        t = time.perf_counter()
        if n:
            model = model.refine(G, X)
            h = model.fit(X, y, Xt, yt, steps=steps)
        stages.append({"G": G, "n_params": n_edges(config["width"]) * G, **_errors(model, X, y, Xt, yt),
                       "iterations": len(h["train_rmse"]), "seconds": time.perf_counter() - t})
    out.update(restart_train_rmse=tried, restart_chosen=chosen, stages=stages,
               seconds=time.perf_counter() - t0)
    return out


def kan_band(stages, y_std):
    """Indices of the stages in the "before saturation" band (see the module docstring)."""
    rmse = np.array([s["test_rmse"] for s in stages])
    G = np.array([s["G"] for s in stages])
    best = int(np.argmin(rmse))
    ok = np.flatnonzero((G >= 5) & (rmse < RESOLVED_FRACTION * y_std) & (np.arange(len(G)) <= best))
    return list(range(int(ok[0]), best + 1)) if ok.size else []


def pareto_front(points):
    """Indices of the (n_params, rmse) points on the lower envelope, by increasing n_params."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1]))
    front, low = [], np.inf
    for i in order:
        if points[i][1] < low:
            front.append(i)
            low = points[i][1]
    return front


def claims(results):
    """Per example: KAN and MLP slopes, the gap; then the paper's targets checked."""
    out = {"examples": {}}
    for ex in sorted({r["config"]["example"] for r in results}):
        rs = [r for r in results if r["config"]["example"] == ex]
        kans = {"x".join(map(str, r["config"]["width"])): r for r in rs if r["config"]["kind"] == "kan"}
        mlps = [r for r in rs if r["config"]["kind"] == "mlp"]
        main = next(r for r in rs if r["config"]["kind"] == "kan" and r["config"]["main"])
        st = main["stages"]
        band = kan_band(st, main["y_test_std"])
        kan_slope = (loglog_slope([st[i]["n_params"] for i in band], [st[i]["test_rmse"] for i in band])
                     if len(band) >= 2 else None)
        pts = [(m["n_params"], m["test_rmse"]) for m in mlps]
        front = pareto_front(pts)
        mlp_slope = (loglog_slope([pts[i][0] for i in front], [pts[i][1] for i in front])
                     if len(front) >= 2 else 0.0)
        best_kan = {k: min(s["test_rmse"] for s in r["stages"]) for k, r in kans.items()}
        best_mlp = min(p[1] for p in pts)
        e = {"kan_shape": main["config"]["width"], "d": main["config"]["d"],
             "kan_slope": kan_slope, "kan_band_G": [st[i]["G"] for i in band],
             "kan_band_params": [st[i]["n_params"] for i in band],
             "kan_best_test_rmse": best_kan, "kan_best_G": {k: r["stages"][int(np.argmin(
                 [s["test_rmse"] for s in r["stages"]]))]["G"] for k, r in kans.items()},
             "mlp_slope": mlp_slope,
             "mlp_front": [{"width": mlps[i]["config"]["width"], "n_params": pts[i][0], "test_rmse": pts[i][1]}
                           for i in front],
             "mlp_best_test_rmse": best_mlp,
             "gap_decades": float(np.log10(best_mlp / min(best_kan.values()))),
             "slope_gap": None if kan_slope is None else mlp_slope - kan_slope}
        if ex == 5 and "4x9x1" in best_kan:
            three = {k: v for k, v in best_kan.items() if k in ("4x4x2x1", "4x2x2x1")}
            e["ratio_4x9x1_over_3layer"] = {k: best_kan["4x9x1"] / v for k, v in three.items()}
        out["examples"][str(ex)] = e
    exs = out["examples"]
    targets = {}
    for ex in ("1", "2", "3", "5"):
        if ex in exs:
            s = exs[ex]["kan_slope"]
            targets[f"kan_slope_le_-3_ex{ex}"] = s is not None and s <= -3.0
    targets["mlp_shallower_everywhere"] = all(e["kan_slope"] is not None and e["mlp_slope"] > e["kan_slope"]
                                              for e in exs.values())
    if "4" in exs:
        targets["gap_largest_on_100d"] = max(exs, key=lambda k: exs[k]["gap_decades"]) == "4"
        targets["slope_gap_largest_on_100d"] = (
            all(e["slope_gap"] is not None for e in exs.values())
            and max(exs, key=lambda k: exs[k]["slope_gap"]) == "4")
    if "ratio_4x9x1_over_3layer" in exs.get("5", {}):
        ratios = exs["5"]["ratio_4x9x1_over_3layer"].values()
        targets["4x9x1_much_worse"] = all(v >= MUCH_WORSE for v in ratios)
    out["targets"] = targets
    return out


def figure(results, summary_claims):
    """One log-log panel per example: test RMSE vs parameters, KANs, MLPs, theory lines."""
    import matplotlib.figure

    examples = sorted({r["config"]["example"] for r in results})
    fig = matplotlib.figure.Figure(figsize=(4.2 * len(examples), 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(examples)))
    for ax, ex in zip(axes, examples):
        rs = [r for r in results if r["config"]["example"] == ex]
        c = summary_claims["examples"][str(ex)]
        for r in rs:
            if r["config"]["kind"] != "kan":
                continue
            st = r["stages"]
            ax.loglog([s["n_params"] for s in st], [s["test_rmse"] for s in st],
                      "o-" if r["config"]["main"] else "s--", ms=4, label=f"KAN {r['config']['width']}")
        for depth in sorted({r["config"]["depth"] for r in rs if r["config"]["kind"] == "mlp"}):
            ms = sorted((r["n_params"], r["test_rmse"]) for r in rs
                        if r["config"]["kind"] == "mlp" and r["config"]["depth"] == depth)
            ax.loglog(*zip(*ms), "^:", ms=4, alpha=0.7, label=f"MLP depth {depth}")
        front = c["mlp_front"]
        ax.loglog([f["n_params"] for f in front], [f["test_rmse"] for f in front], "k-", lw=2, alpha=0.3,
                  label="MLP Pareto front")
        if c["kan_band_params"]:
            N0 = c["kan_band_params"][0]
            r0 = next(s["test_rmse"] for r in rs if r["config"]["kind"] == "kan" and r["config"]["main"]
                      for s in r["stages"] if s["n_params"] == N0)
            N = np.array([N0, N0 * 100.0])
            ax.loglog(N, r0 * (N / N0) ** -4.0, "r--", label="N^-4")
            ax.loglog(N, r0 * (N / N0) ** (-4.0 / c["d"]), "k--", label=f"N^-(4/{c['d']})")
        slope = "n/a" if c["kan_slope"] is None else f"{c['kan_slope']:.2f}"
        ax.set(title=f"({ex}) d={c['d']}: KAN slope {slope}, MLP {c['mlp_slope']:.2f}",
               xlabel="parameters (KAN: #edges x G; MLP: weights + biases)", ylabel="test RMSE")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def configs_for(quick, seed):
    """The job list: one KAN per shape and one MLP per (depth, width), per example."""
    configs = []
    for ex, (toy, d, main_width, extra, g_max) in EXAMPLES.items():
        if quick and ex not in QUICK_EXAMPLES:
            continue
        grids = list(QUICK_EXAMPLES[ex]) if quick else [G for G in ALL_GRIDS if G <= g_max]
        restarts = (QUICK_KAN_RESTARTS if quick else KAN_RESTARTS).get(ex, 1)
        for width in [main_width] + ([] if quick else extra):
            configs.append({"job": f"ex{ex}_kan_" + "x".join(map(str, width)), "kind": "kan", "example": ex,
                            "toy": toy, "d": d, "width": width, "main": width == main_width, "grids": grids,
                            "steps": QUICK_KAN_STEPS if quick else KAN_STEPS,
                            "restarts": restarts, "seed": seed})
        shapes = ([(QUICK_MLP_DEPTH, w) for w in QUICK_MLP_WIDTHS] if quick else
                  [(D, w) for D in MLP_DEPTHS for w in MLP_WIDTHS if (D, w) not in MLP_SKIP])
        for depth, w in shapes:
            configs.append({"job": f"ex{ex}_mlp_d{depth}_w{w}", "kind": "mlp", "example": ex, "toy": toy,
                            "d": d, "depth": depth, "width": [d] + [w] * (depth - 1) + [1],
                            "activation": MLP_ACTIVATION, "steps": QUICK_MLP_STEPS if quick else MLP_STEPS,
                            "seed": seed})
    return configs


def main(argv=None):
    args = parse_args("fig_3_1", __doc__.splitlines()[0], argv)
    configs = configs_for(args.quick, args.seed)
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    c = claims(results)
    summary = {"quick": args.quick, "claims": c, "seconds": time.perf_counter() - t0,
               # sum over jobs of their wall time, each measured when the job ran (the machine was
               # shared, so these are far above CPU time); "seconds" is this invocation only
               "job_wall_seconds_total": float(sum(r["seconds"] for r in results)),
               "scale": {"kan_steps_per_grid": configs[0]["steps"],
                         "grids": {str(ex): next(k["grids"] for k in configs if k["example"] == ex)
                                   for ex in sorted({k["example"] for k in configs})},
                         "kan_restarts": {k["job"]: k["restarts"] for k in configs if k["kind"] == "kan"},
                         "mlp_steps": next(k["steps"] for k in configs if k["kind"] == "mlp"),
                         "mlp_activation": MLP_ACTIVATION, "n_train": 1000, "n_test": 1000,
                         "param_count": "KAN #edges x G; MLP weights + biases"},
               "kan_stages": {k["job"]: r["stages"] for k, r in zip(configs, results) if k["kind"] == "kan"},
               "mlps": {k["job"]: {"width": k["width"], "n_params": r["n_params"],
                                   "test_rmse": r["test_rmse"], "train_rmse": r["train_rmse"]}
                        for k, r in zip(configs, results) if k["kind"] == "mlp"}}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_3_1.json"))
    save_figure(figure(results, c), os.path.join(args.out, "fig_3_1.png"))
    json.dump(c, sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
