"""Figure 2.4: interactive symbolic regression of f(x, y) = exp(sin(pi x) + y^2) (paper Section 2.5.2).

The five steps of the paper, with a KAN diagram (``model.plot``) after each of the first four:

1. train a [2, 5, 1] KAN (G = 5, k = 3) with sparsity regularisation;
2. prune it (the paper: to [2, 1, 1]), train, extend the grid to G = 10 and train again;
3. snap every edge to a symbolic function (``auto_symbolic``; the paper fixes sin, x^2, exp);
4. train further: with every edge symbolic only the affine parameters ``(a, b, c, d)`` of
   ``c f(a x + b) + d`` (Section 2.5.1) still act;
5. print the formula (numbers rounded to two decimals).

Recipe: the one minikan documents and tests for this workflow (``tests/test_snapping.py``,
README): pykan 0.2.8's initialisation (``init="pykan"``); 400 L-BFGS iterations with
``lamb = 0.01``, ``lamb_entropy = 10`` and pykan 0.2.8's scale-free penalty
(``reg_metric="pykan"``); ``prune(X, 1e-2, metric="pykan")`` (attribution scores); 200
iterations; ``refine(10)`` and 400 iterations; ``auto_symbolic`` with the whole library (29
functions); 200 iterations with ``update_grid=False``. The paper used pykan's paper-era code: 20
outer steps (up to 400 iterations) with the same lamb and lamb_entropy, then 50 and 50 steps. The
pykan metrics are chosen because with the paper's Eq. 2.17-2.19 penalty and Eq. 2.21 pruning a
hidden node can dodge the L1 penalty by being small while its outgoing edge is steep, and most
seeds then do not prune to [2, 1, 1] (README, "Interpretability"). Data: 1000 training and 1000
test points on [-1, 1]^2 (pykan's default), drawn with the job's seed.

Measured per seed: the pruned width, the function picked on every edge with its r^2 (and the
top-3 suggestions), the train/test RMSE after each step, the rounded formula and whether it is
sympy-equivalent to exp(y^2 + sin(3.14 x)), and the test RMSE of that rounded formula. The
paper's claims: pruning leaves exactly [2, 1, 1]; the final RMSE is at machine precision (below
``RMSE_TARGET`` = 1e-10 in float64); the formula is 1.0 exp(1.0 y^2 + 1.0 sin(3.14 x)).

The full run is seeds 0-4, one job per seed. ``--quick`` runs one seed with fewer iterations
after the sparsification (``QUICK_STEPS``; the sparsification keeps the full run's 400, with 200
three of seeds 0-4 kept two hidden nodes), the symbolic search on ``QUICK_N_SYMBOLIC`` of the training points and the
paper's smaller library ``QUICK_LIB`` (Section 2.5.2's example).

Each job returns its four models under ``"models"``; they are kept in memory, not in the job's
JSON (``--save-models`` also writes them to ``OUT/models/``). Redrawing from results read back
without them retrains the drawn seed from its config (deterministic: the same models).
"""
import json
import os
import sys
import time

import numpy as np
import sympy

from minikan import KAN
from minikan.datasets import make_toy

from ._common import encode_model, job_models, parse_args, provenance, run_jobs, save_figure, save_json

FULL_SEEDS = (0, 1, 2, 3, 4)
FULL_STEPS = {"sparsify": 400, "pruned": 200, "refined": 400, "affine": 200}
QUICK_STEPS = {"sparsify": 400, "pruned": 100, "refined": 200, "affine": 100}
G_COARSE, G_FINE = 5, 10
LAMB, LAMB_ENTROPY, METRIC = 0.01, 10.0, "pykan"
PRUNE_THRESHOLD = 1e-2
QUICK_LIB = ["x", "x^2", "x^3", "x^4", "exp", "log", "sqrt", "tanh", "sin", "abs"]  # paper's example
QUICK_N_SYMBOLIC = 200
RMSE_TARGET = 1e-10
TRUE_FUNCTIONS = {(0, 0, 0): "sin", (0, 1, 0): "x^2", (1, 0, 0): "exp"}
STAGES = ("sparsify", "pruned", "symbolic", "affine")  # the models drawn, after steps 1-4


def _rmse(model, X, y):
    return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


def target_formula():
    """exp(y^2 + sin(3.14 x)) with exact rationals, for the equivalence check."""
    x, y = sympy.symbols("x y")
    return sympy.exp(y ** 2 + sympy.sin(sympy.Rational(314, 100) * x))


def job(config):
    """The five steps for one seed; per-step numbers, the formula and the four models."""
    seed, steps = config["seed"], config["steps"]
    data = make_toy("exp_sin_pi_x_plus_y2", seed=seed)
    X, y, Xt, yt = data.train_input, data.train_label, data.test_input, data.test_label
    X_sym = X if config["n_symbolic"] is None else X[: config["n_symbolic"]]
    out = {"config": config, "steps": {}, "models": {}}
    t0 = time.perf_counter()

    def record(name, model):
        out["steps"][name] = {"width": model.width, "train_rmse": _rmse(model, X, y),
                              "test_rmse": _rmse(model, Xt, yt), "seconds": time.perf_counter() - t0}

    # 1. sparsify
    model = KAN([2, 5, 1], grid=G_COARSE, k=3, seed=seed, init="pykan")
    model.fit(X, y, steps=steps["sparsify"], lamb=LAMB, lamb_entropy=LAMB_ENTROPY, reg_metric=METRIC)
    record("sparsify", model)
    out["models"]["sparsify"] = encode_model(model)
    # 2. prune, train, extend the grid, train
    pruned = model.prune(X, threshold=PRUNE_THRESHOLD, metric=METRIC)
    out["pruned_width"] = pruned.width
    pruned.fit(X, y, steps=steps["pruned"])
    model = pruned.refine(G_FINE, X)
    model.fit(X, y, steps=steps["refined"])
    record("pruned", model)
    out["models"]["pruned"] = encode_model(model)
    # 3. snap: suggestions for the record, then auto_symbolic picks the best of each edge
    suggestions = {}
    for l, layer in enumerate(model.layers):
        for i, j in zip(*np.nonzero(layer.mask)):
            ranked = model.suggest_symbolic(l, i, j, X_sym, topk=3, lib=config["lib"])
            suggestions[f"{l},{i},{j}"] = [(name, r2) for name, _, r2, _, _ in ranked]
    fixed = model.auto_symbolic(X_sym, lib=config["lib"])
    out["suggestions"] = suggestions
    out["fixed"] = {f"{l},{i},{j}": {"function": name, "r2": r2} for (l, i, j), (name, r2) in fixed.items()}
    record("symbolic", model)
    out["models"]["symbolic"] = encode_model(model)
    # 4. train the affine parameters (every edge is symbolic; the splines are masked out)
    model.fit(X, y, steps=steps["affine"], update_grid=False)
    record("affine", model)
    out["models"]["affine"] = encode_model(model)
    # 5. the formula: only when auto_symbolic snapped every live edge (an edge whose best fit has
    # r^2 < 0.9 keeps its spline, and then there is no closed form to write)
    numeric = [f"{l},{i},{j}" for l, layer in enumerate(model.layers) for i, j in zip(*np.nonzero(layer.mask))]
    out["numeric_edges"] = numeric
    if numeric:
        out.update(formula=None, formula_latex=None, formula_full_precision=None, formula_matches=False,
                   formula_test_rmse=None)
    else:
        exprs, _, _ = model.symbolic_formula(variables=["x", "y"])
        rounded, func, latex = model.symbolic_formula(variables=["x", "y"], n_digits=2)
        out["formula"] = str(rounded[0])
        out["formula_latex"] = latex[0]
        out["formula_full_precision"] = str(exprs[0])
        difference = sympy.simplify(sympy.nsimplify(rounded[0]) - target_formula())
        out["formula_matches"] = bool(difference == 0)
        out["formula_test_rmse"] = float(np.sqrt(np.mean((func(Xt) - yt) ** 2)))
    out["seconds"] = time.perf_counter() - t0
    return out


def claims(results):
    """Per seed: pruned width, functions, final RMSE, formula; and whether each claim holds for all."""
    per_seed = {}
    for r in results:
        fixed = {k: v["function"] for k, v in r["fixed"].items()}
        per_seed[str(r["config"]["seed"])] = {
            "pruned_width": r["pruned_width"], "functions": fixed,
            "final_train_rmse": r["steps"]["affine"]["train_rmse"],
            "final_test_rmse": r["steps"]["affine"]["test_rmse"],
            "formula": r["formula"], "formula_matches": r["formula_matches"],
            "formula_test_rmse": r["formula_test_rmse"], "seconds": r["seconds"]}
    truth = {f"{l},{i},{j}": f for (l, i, j), f in TRUE_FUNCTIONS.items()}
    s = per_seed.values()
    return {
        "per_seed": per_seed,
        "all_prune_to_2_1_1": all(v["pruned_width"] == [2, 1, 1] for v in s),
        "all_pick_sin_x2_exp": all(v["functions"] == truth for v in s),
        "all_final_rmse_below_target": all(v["final_test_rmse"] < RMSE_TARGET for v in s),
        "rmse_target": RMSE_TARGET,
        "max_final_test_rmse": max(v["final_test_rmse"] for v in s),
        "all_formulas_match": all(v["formula_matches"] for v in s),
    }


def figure(results, seed=None, out_dir=None):
    """The KAN after steps 1-4 for one seed (the first job by default) and the formula of step 5.

    The four models come from :func:`paper_figures._common.job_models`: in memory after a sweep,
    from ``out_dir/models`` (``--save-models``), or retrained from the job's config."""
    import matplotlib.figure

    r = next((r for r in results if r["config"]["seed"] == seed), results[0])
    X = make_toy("exp_sin_pi_x_plus_y2", seed=r["config"]["seed"]).train_input
    fig = matplotlib.figure.Figure(figsize=(16, 4.2))
    axes = fig.subplots(1, 5, gridspec_kw={"width_ratios": [1.5, 1, 1, 1, 1.3]})
    titles = {"sparsify": "1. train with sparsity", "pruned": "2. prune (then refine, train)",
              "symbolic": "3. snap to symbolic", "affine": "4. train affine params"}
    models = job_models(job, r, out_dir)
    for ax, stage in zip(axes, STAGES):
        model = models[stage]
        model.plot(X, in_vars=["$x$", "$y$"], out_vars=["$f$"], ax=ax)
        st = r["steps"][stage]
        ax.set_title(f"{titles[stage]}\n{st['width']}, test RMSE {st['test_rmse']:.1e}", fontsize=9)
    ax = axes[4]
    ax.set_axis_off()
    ax.text(0.0, 0.97, f"5. formula (seed {r['config']['seed']}, rounded to 2 decimals):", ha="left",
            va="top", fontsize=9, transform=ax.transAxes)
    shown = (f"${r['formula_latex']}$" if r["formula_latex"] is not None
             else f"no formula: edges {', '.join(r['numeric_edges'])} kept their splines")
    ax.text(0.0, 0.85, shown, ha="left", va="top", fontsize=13, transform=ax.transAxes)
    lines = ["all seeds (pruned width, functions, final test RMSE, formula vs target):"]
    for q in results:
        fixed = ", ".join(v["function"] for v in q["fixed"].values())
        lines.append(f"seed {q['config']['seed']}: {q['pruned_width']}, {fixed}, "
                     f"RMSE {q['steps']['affine']['test_rmse']:.0e}, "
                     f"{'=' if q['formula_matches'] else '!='} target")
    ax.text(0.0, 0.68, "\n".join(lines), ha="left", va="top", fontsize=8, transform=ax.transAxes)
    return fig


def main(argv=None):
    args = parse_args("fig_2_4", __doc__.splitlines()[0], argv)
    if args.quick:
        configs = [{"job": f"seed{args.seed}", "seed": args.seed, "steps": QUICK_STEPS,
                    "n_symbolic": QUICK_N_SYMBOLIC, "lib": QUICK_LIB}]
    else:
        configs = [{"job": f"seed{s}", "seed": s, "steps": FULL_STEPS, "n_symbolic": None, "lib": None}
                   for s in FULL_SEEDS]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet, save_models=args.save_models)
    summary = {"quick": args.quick, "claims": claims(results), "seconds": time.perf_counter() - t0,
               "steps": {c["job"]: r["steps"] for c, r in zip(configs, results)},
               "suggestions": {c["job"]: r["suggestions"] for c, r in zip(configs, results)}}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_2_4.json"))
    save_figure(figure(results, args.seed, args.out), os.path.join(args.out, "fig_2_4.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
