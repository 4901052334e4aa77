"""Figure 4.5: the mobility edge of the Mosaic model learned by a KAN (paper Section 4.4).

Data (``minikan.datasets.anderson``): Mosaic model with kappa = 2 (Eqs. 4.4-4.5, t = 1, open chain
of N sites, b = golden ratio), lambda ~ U(0.5, 4), phi ~ U(0, 2 pi); every eigenstate of a draw is
one sample with inputs (lambda, E) and label 1 (localized, fractal dimension D < 0.5) or 0
(extended). Train and test states come from different draws. The exact edge is lambda = 2/|E|.

Model, as in the paper's text: a KAN [2, 1, 1] (the paper calls it "[2, 1]" and then fixes "the
activation in the second layer", so the sigmoid sits on a second layer). The lambda edge is fixed
to the linear function ``x`` and the output edge to ``sigmoid`` with ``fix_symbolic`` (their affine
parameters stay trainable); only the E edge is a spline. The hidden node is then
g = w lambda + u(E) and the learned edge is lambda = h(E) = (g* - u(E)) / w, where g* is the value
of g at which the output crosses 1/2 (solved in closed form from the sigmoid's affine parameters).
Loss: MSE to the 0/1 label, as in the paper; no sparsity penalty (the network is already minimal).

Where the edge is defined (chosen): the spectrum has gaps and, for |E| above about 2.3, states exist
only at lambda above the edge, so the data cannot place the edge everywhere. An energy E of the
evaluation grid counts as *constrained* when the training set has at least ``MIN_SIDE`` states with
|E_k - E| < ``E_WINDOW`` on each side of the exact edge, within ``LAMBDA_BAND`` (15%) of it. The
relative error |h(E) - 2/|E|| / (2/|E|) is reported (max, median, 90th percentile) over the
constrained energies; the curve is drawn everywhere.

Scale (chosen, the paper gives none): full run N = 1000 sites, 60 training and 15 test draws
(60 000 / 15 000 states), G = 20, 200 L-BFGS iterations; ``--quick`` N = 233, 50 + 12 draws, G = 20,
100 iterations.

Panels: (top) the phase diagram, mean D of the states binned over (E, lambda), with the exact
edge and the learned one; (middle) learned h(E) against 2/|E|; (bottom) the trained KAN diagram.
"""
import json
import os
import sys
import time

import numpy as np

from minikan import KAN
from minikan.datasets.anderson import PARAMETER_RANGES, anderson_samples

from ._common import encode_model, job_models, parse_args, provenance, run_jobs, save_figure, save_json

KAPPA = 2                      # the only kappa the data module builds; edge lambda = 2/|E|
GRID = 20                      # spline intervals of the E edge (1/|E| needs a fine grid near E = 0)
E_WINDOW = 0.05                # half-width of the energy window of the "constrained" test
LAMBDA_BAND = 0.15             # relative lambda band on each side of the exact edge
MIN_SIDE = 10                  # states needed on each side of the edge inside that window
E_MIN = 0.5                    # 2/|E| <= 4 = the largest sampled lambda
TOLERANCE = 0.05               # the paper-level claim: within about 5 %
FULL = {"N": 1000, "train_draws": 60, "test_draws": 15, "steps": 200}
QUICK = {"N": 233, "train_draws": 50, "test_draws": 12, "steps": 100}
D_BINS = (68, 35)              # phase-diagram bins over (E, lambda)


def exact_edge(E):
    """lambda_c(E) = 2/|E| for kappa = 2 (the paper's amplitude convention)."""
    return 2.0 / np.abs(E)


def build_model(seed):
    """KAN [2, 1, 1] with lambda -> linear and output -> sigmoid fixed; the E edge is a spline."""
    model = KAN([2, 1, 1], grid=GRID, k=3, seed=seed)
    model.fix_symbolic(0, 0, 0, "x")
    model.fix_symbolic(1, 0, 0, "sigmoid")
    return model


def learned_edge(model, E):
    """lambda at which the model's output is 1/2, for each energy in E (shape (M,))."""
    E = np.asarray(E, dtype=np.float64)
    g0 = model.layer_inputs(np.column_stack([np.zeros_like(E), E]))[1][:, 0]   # u(E)
    g1 = model.layer_inputs(np.column_stack([np.ones_like(E), E]))[1][:, 0]    # w + u(E)
    out = model.layers[1]
    a, b, c, d = model.symbolic[1].affine[0, 0]
    bias = 0.0 if out.bias is None else float(out.bias[0])
    y = (0.5 - d - bias) / c                     # sigmoid value at the decision boundary
    if not 0.0 < y < 1.0:
        return np.full_like(E, np.nan)
    g_star = (np.log(y / (1.0 - y)) - b) / a
    return (g_star - g0) / (g1 - g0)


def constrained(E_grid, lam, E):
    """Boolean mask over E_grid: enough training states on both sides of the exact edge."""
    ok = np.zeros(E_grid.shape, dtype=bool)
    for n, e in enumerate(E_grid):
        lc = exact_edge(e)
        near = np.abs(E - e) < E_WINDOW
        below = np.count_nonzero(near & (lam > (1 - LAMBDA_BAND) * lc) & (lam < lc))
        above = np.count_nonzero(near & (lam > lc) & (lam < (1 + LAMBDA_BAND) * lc))
        ok[n] = below >= MIN_SIDE and above >= MIN_SIDE
    return ok


def phase_diagram(samples):
    """Mean fractal dimension binned over (E, lambda): edges and a (n_E, n_lambda) array (NaN empty)."""
    lam, E = samples.inputs.T
    e_edges = np.linspace(-3.4, 3.4, D_BINS[0] + 1)
    l_edges = np.linspace(*PARAMETER_RANGES["mosaic"]["lam"], D_BINS[1] + 1)
    total, _, _ = np.histogram2d(E, lam, [e_edges, l_edges], weights=samples.fractal_dim)
    count, _, _ = np.histogram2d(E, lam, [e_edges, l_edges])
    with np.errstate(invalid="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return e_edges, l_edges, mean


def accuracy(model, X, y):
    return float(np.mean((model.predict(X) > 0.5) == (y > 0.5)))


def job(config):
    """Generate the data, train the constrained KAN, measure its edge; a JSON-able dict."""
    t0 = time.process_time()
    seed = config["seed"]
    train = anderson_samples("mosaic", config["train_draws"], N=config["N"], seed=seed)
    test = anderson_samples("mosaic", config["test_draws"], N=config["N"], seed=seed + 1000)
    data_seconds = time.process_time() - t0
    model = build_model(seed)
    hist = model.fit(train.inputs, train.label, test.inputs, test.label, steps=config["steps"])
    E_max = float(np.abs(train.inputs[:, 1]).max())
    E_grid = np.linspace(-E_max, E_max, 341)
    E_grid = E_grid[np.abs(E_grid) >= E_MIN]
    h = learned_edge(model, E_grid)
    ok = constrained(E_grid, train.inputs[:, 0], train.inputs[:, 1])
    rel = np.abs(h - exact_edge(E_grid)) / exact_edge(E_grid)
    e_edges, l_edges, D_mean = phase_diagram(train)
    return {
        "config": config,
        # the KAN, for the diagram: kept in memory, not in the job's JSON (--save-models writes it)
        "models": {"kan": encode_model(model)},
        "n_train": int(len(train.label)), "n_test": int(len(test.label)),
        "localized_fraction": float(train.label.mean()),
        "train_acc": accuracy(model, train.inputs, train.label),
        "test_acc": accuracy(model, test.inputs, test.label),
        "theory_acc_test": float(np.mean(test.theory == test.label)),
        "E_grid": E_grid.tolist(), "h": h.tolist(), "constrained": ok.tolist(),
        "rel_err_max": float(np.nanmax(rel[ok])) if ok.any() else None,
        "rel_err_median": float(np.nanmedian(rel[ok])) if ok.any() else None,
        "rel_err_p90": float(np.nanquantile(rel[ok], 0.9)) if ok.any() else None,
        "constrained_abs_E": [float(np.abs(E_grid[ok]).min()), float(np.abs(E_grid[ok]).max())] if ok.any() else None,
        "phase": {"E_edges": e_edges.tolist(), "lam_edges": l_edges.tolist(),
                  "D_mean": np.round(D_mean, 3).tolist()},
        "train_loss": hist["train_loss"].tolist(), "optimizer": hist["message"],
        "data_cpu_seconds": data_seconds, "cpu_seconds": time.process_time() - t0,
    }


def claims(results):
    r = results[0]
    return {"test_acc": r["test_acc"], "train_acc": r["train_acc"], "theory_acc_test": r["theory_acc_test"],
            "edge_rel_err_max": r["rel_err_max"], "edge_rel_err_median": r["rel_err_median"],
            "edge_rel_err_p90": r["rel_err_p90"], "constrained_abs_E": r["constrained_abs_E"],
            "n_constrained_E": int(sum(r["constrained"])),
            "within_5_percent": bool(r["rel_err_max"] is not None and r["rel_err_max"] <= TOLERANCE)}


def figure(results, out_dir=None):
    """Three panels: phase diagram, learned vs exact edge, KAN diagram (its model in memory, from
    ``out_dir/models`` or retrained from the config; see :func:`paper_figures._common.job_models`)."""
    import matplotlib.figure

    r = results[0]
    fig = matplotlib.figure.Figure(figsize=(7, 13))
    ax_top, ax_mid, ax_bot = fig.subplots(3, 1, gridspec_kw={"height_ratios": [1.1, 1, 1.1]})
    ph = r["phase"]
    D = np.array(ph["D_mean"], dtype=float)
    mesh = ax_top.pcolormesh(ph["E_edges"], ph["lam_edges"], D.T, cmap="coolwarm_r", vmin=0, vmax=1)
    fig.colorbar(mesh, ax=ax_top, label="fractal dimension D")
    E_line = np.linspace(-3.4, 3.4, 681)
    E_line = E_line[np.abs(E_line) > 0.45]
    for sign in (-1, 1):
        part = E_line[np.sign(E_line) == sign]
        ax_top.plot(part, exact_edge(part), "k-", lw=1.2, label="exact λ = 2/|E|" if sign > 0 else None)
    ax_top.set(xlabel="E", ylabel="λ", ylim=ph["lam_edges"][::len(ph["lam_edges"]) - 1],
               title="Mosaic model (κ = 2): phase diagram")
    ax_top.legend(loc="upper right", fontsize=8)
    E = np.array(r["E_grid"])
    h = np.array(r["h"])
    ok = np.array(r["constrained"])
    for sign in (-1, 1):
        s = np.sign(E) == sign
        ax_mid.plot(E[s], exact_edge(E[s]), "k-", lw=1.2, label="exact 2/|E|" if sign > 0 else None)
        ax_mid.plot(E[s], h[s], "C1--", lw=1, label="KAN h(E), everywhere" if sign > 0 else None)
    ax_mid.plot(E[ok], h[ok], "C3.", ms=4, label="KAN h(E), where data constrain it")
    ax_mid.set(xlabel="E", ylabel="λ on the edge", ylim=(0, 4.5),
               title=(f"learned edge: max rel. error {r['rel_err_max']:.3f}, median {r['rel_err_median']:.3f}"
                      if r["rel_err_max"] is not None  # None: no energy has training states on both sides
                      else "learned edge: no energy constrained on both sides"))
    ax_mid.legend(fontsize=8)
    model = job_models(job, r, out_dir).get("kan")
    if model is not None:
        lam = np.linspace(0.5, 4, 40)
        X = np.column_stack([np.repeat(lam, 40), np.tile(np.linspace(-3.4, 3.4, 40), 40)])
        model.plot(X, in_vars=["λ", "E"], out_vars=["localized"], ax=ax_bot,
                   title=f"KAN [2,1,1], test accuracy {100 * r['test_acc']:.1f}%")
    else:
        ax_bot.set_axis_off()
        ax_bot.set_title("no model")
    fig.tight_layout()
    return fig


def main(argv=None):
    args = parse_args("fig_4_5", __doc__.splitlines()[0], argv)
    scale = QUICK if args.quick else FULL
    configs = [dict(scale, job="mosaic", seed=args.seed)]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet, save_models=args.save_models)
    summary = {"quick": args.quick, "claims": claims(results), "seconds": time.perf_counter() - t0,
               "scale": scale, "cpu_seconds_job": results[0]["cpu_seconds"]}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_4_5.json"))
    save_figure(figure(results, args.out), os.path.join(args.out, "fig_4_5.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
