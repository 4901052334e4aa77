"""Figure 4.1: six interpretable toy tasks, sparsified, pruned and read off (paper Section 4.1).

Every task trains a KAN (k = 3, ``init="pykan"``) with the sparsity penalty of Eq. 2.20 in
pykan 0.2.8's form (``reg_metric="pykan"``, entropy weight ``lamb_entropy = 10``), prunes it with
pykan's attribution scores at threshold 1e-2, retrains the pruned KAN without the penalty, and ranks
library functions for every remaining edge with ``suggest_symbolic`` (on a subsample of the training
inputs, to keep the search cheap). 1000 training and 1000 test points (pykan's default).

Tasks (unpruned width -> the paper's pruned width):

(a) ``xy``              x y on [-1, 1]^2, [2, 5, 1] -> [2, 2, 1], G = 5, lamb = 1e-3.
(b) ``x_over_y``        x / y on [0.5, 2]^2 (the dataset's domain; the paper only says "positive"),
                        [2, 5, 1] -> [2, 1, 1], G = 5, lamb = 1e-2.
(c) ``first_decimal_digit``  x in [0, 1] -> first decimal digit, a [1, 10] KAN (no hidden layer, so
                        nothing to prune), G = 10, softmax cross-entropy on the integer classes, no
                        penalty. Reported: test accuracy, and for how many classes the spike of
                        the class's activation (its maximum over x) lies inside the class's interval.
(d) ``exp_j0_plus_y2``  exp(J0(20x) + y^2) on [-1, 1]^2, [2, 5, 1], G = 20, lamb = 1e-2 (the values
                        of the paper-era special-function tutorial). The paper gives no pruned
                        shape in the text; the ideal one is [2, 1, 1]. J0 is not in the symbolic
                        library, so it is added as a user function (``minikan.interpret.symbolic.library(
                        extra=[J0])``) and the x edge is searched with a = (-40, 40).
(e) ``tanh_quartic``    tanh(5 (x1^4 + x2^4 + x3^4 - 1)) on [-1, 1]^3, [3, 5, 1] -> [3, 1, 1], G = 5,
                        lamb = 3e-3. The unpruned width is not in the paper ([3, 5, 1] chosen, as (a)).
(f) ``sqrt_distance``   sqrt((x1-x2)^2 + (x3-x4)^2) on [-1, 1]^4, [4, 3, 3, 1] -> [4, 2, 1, 1], G = 5,
                        lamb = 1e-3.

Choices (the paper is silent on steps and on lamb per task): the library's tested recipe for
exp(sin(pi x) + y^2) is lamb = 1e-2 with 400 L-BFGS iterations. With that lamb the fits of (a), (e)
and (f) collapse (test RMSE ~0.3-0.7, about the target's own spread, often with a too-small pruned
graph), so lamb was set per task from a small scan (lamb in {1e-3, 3e-3, 1e-2}, 400 iterations,
seeds 0-3): 1e-2 kept where it fits ((b), and (d) as in the tutorial); otherwise the value that gave
the paper's width in most seeds, the lower test RMSE breaking ties ((a): 1e-3 and 3e-3 both 4/4;
(e): 3e-3, 3/4; (f): 1e-3, 4/4). The scan used the same seeds as the full run, so the seed counts
below are not an independent test of the lamb choice. One "step" is one L-BFGS iteration: 400 with
the penalty, then 200 without it on the pruned KAN. The full run trains seeds 0-3 of every task
(data and model seeds together); the symbolic search, about 1.7 s of CPU per edge with the whole
library, runs on the first seed of each task only, on the first 200 training inputs. ``--quick``
runs (a), (b) and (f) with the same 400 + 200 iterations on seeds 0-4, without the symbolic search.
Pruning with pykan's attribution scores removes a node whose output is nearly constant however
large that constant is, so the pruned network can start far from the sparsified one (on (f), seeds
0-4 of a 200-iteration sparsification: output shifted by 0.5-1.9, against a target spread of 0.5)
and its retraining, with grid updates from a shifted state, does not always recover (measured
with 200 + 50 iterations: the pruned (f) fits below half the target's spread on 1/5 seeds with one
BLAS thread, 4/5 with two; with 400 + 200: 4/5 and 3/5).

Measured per run: the pruned width, the test RMSE before and after pruning (accuracy for (c)), and
the three best library functions (name, r^2) for every edge of the pruned KAN, ranked by r^2 alone
(the paper's rule) and, from the same fits, by pykan 0.2.8's score (complexity weight 0.8; under
that score the constant "0", complexity 0, can rank first on an edge with a poor fit, as in
pykan). The claims: how many seeds give the paper's pruned width per task, and whether the
functions the paper names (linear and quadratic for (a), log and exp for (b), quartic and tanh for
(e), linear, square and sqrt for (f), J0, square and exp for (d)) are each among the top three of
some edge.
"""
import json
import os
import sys
import time

import numpy as np
import scipy.special
import sympy

from minikan import KAN
from minikan.datasets import make_toy
from minikan.datasets.categorical import first_digit
from minikan.interpret.symbolic import SymbolicFunction, library

from ._common import encode_model, job_models, parse_args, provenance, run_jobs, save_figure, save_json

FULL_SEEDS = (0, 1, 2, 3)
FULL_STEPS, FULL_RETRAIN_STEPS, FULL_SYMBOLIC_POINTS = 400, 200, 200
# the quick check: the full run's budget on seeds --seed .. --seed + 4 of three tasks, no symbolic
# search (0 points)
QUICK_SEEDS = (0, 1, 2, 3, 4)
QUICK_STEPS, QUICK_RETRAIN_STEPS, QUICK_SYMBOLIC_POINTS = FULL_STEPS, FULL_RETRAIN_STEPS, 0
LAMB_ENTROPY = 10.0
PRUNE_THRESHOLD = 1e-2
TOPK = 3
WEIGHT_SIMPLE = 0.8  # pykan 0.2.8's default complexity weight, reported next to the paper's r^2 ranking

# name -> (panel, unpruned width, G, lamb, the paper's pruned width or None, functions the paper names)
TASKS = {
    "xy": ("a", [2, 5, 1], 5, 1e-3, [2, 2, 1], ["x", "x^2"]),
    "x_over_y": ("b", [2, 5, 1], 5, 1e-2, [2, 1, 1], ["log", "exp"]),
    "first_decimal_digit": ("c", [1, 10], 10, 0.0, [1, 10], []),
    "exp_j0_plus_y2": ("d", [2, 5, 1], 20, 1e-2, None, ["J0", "x^2", "exp"]),
    "tanh_quartic": ("e", [3, 5, 1], 5, 3e-3, [3, 1, 1], ["x^4", "tanh"]),
    "sqrt_distance": ("f", [4, 3, 3, 1], 5, 1e-3, [4, 2, 1, 1], ["x", "x^2", "sqrt"]),
}
QUICK_TASKS = ("xy", "x_over_y", "sqrt_distance")
J0_A_RANGE = (-40.0, 40.0)  # J0(20x) needs a = 20 in c*J0(a x + b) + d, outside the default (-10, 10)

J0 = SymbolicFunction("J0", scipy.special.j0, lambda z: -scipy.special.j1(z),
                      lambda z: sympy.besselj(0, z), complexity=2)


def _suggestions(model, X, name):
    """For every live edge ``"l,i,j"``: the top-``TOPK`` library functions as ``[[name, r2], ...]``,
    ranked by r^2 alone (the paper) and, from the same fits, with pykan 0.2.8's complexity weight."""
    lib = library(extra=[J0]) if name == "exp_j0_plus_y2" else library()
    by_r2, by_simple = {}, {}
    for l, layer in enumerate(model.layers):
        for i, j in zip(*np.nonzero(layer.mask)):
            # only the J0 search needs the wide a range (x enters as J0(20 x)); elsewhere the default
            a_range = J0_A_RANGE if (name == "exp_j0_plus_y2" and l == 0 and i == 0) else (-10, 10)
            ranking = model.suggest_symbolic(l, int(i), int(j), X, topk=len(lib), lib=lib, a_range=a_range)
            key = f"{l},{i},{j}"
            by_r2[key] = [[r[0], float(r[2])] for r in ranking[:TOPK]]
            simple = sorted(ranking, key=lambda r: (1 - WEIGHT_SIMPLE) * np.log2(1 + 1e-5 - r[2])
                            + WEIGHT_SIMPLE * r[3])
            by_simple[key] = [[r[0], float(r[2])] for r in simple[:TOPK]]
    return by_r2, by_simple


def job(config):
    """Train, prune, retrain and read one task at one seed; a JSON-able dict."""
    name, seed = config["task"], config["seed"]
    _, width, G, lamb, _, _ = TASKS[name]
    data = make_toy(name, seed=seed)
    X, y, Xt, yt = data.train_input, data.train_label, data.test_input, data.test_label
    t0 = time.process_time()
    model = KAN(width, grid=G, k=3, seed=seed, init="pykan")
    result = {"config": config}
    if name == "first_decimal_digit":
        # a [1, 10] classifier: logits per class, cross-entropy on the integer digit
        h = model.fit(X, first_digit(X), Xt, first_digit(Xt), loss="cross_entropy", steps=config["steps"])
        xs = np.linspace(0.0, 1.0, 1001)[:, None]
        phi = model.layers[0].edge_functions(xs)[:, 0, :]  # (1001, 10): phi_{0,0,j}(x)
        peaks = xs[np.argmax(phi, axis=0), 0]
        result.update(pruned_width=model.width, test_acc=float(h["test_acc"][-1]),
                      train_acc=float(h["train_acc"][-1]), spike_at=peaks.tolist(),
                      spikes_in_own_interval=int(np.sum(np.floor(10 * peaks).clip(0, 9) == np.arange(10))),
                      suggestions={}, suggestions_simple={})
        pruned = model
    else:
        h = model.fit(X, y, Xt, yt, steps=config["steps"], lamb=lamb, lamb_entropy=LAMB_ENTROPY,
                      reg_metric="pykan")
        pruned = model.prune(X, PRUNE_THRESHOLD, metric="pykan")
        h2 = pruned.fit(X, y, Xt, yt, steps=config["retrain_steps"])
        n_sym = config["symbolic_points"]
        result.update(pruned_width=pruned.width, test_rmse_sparse=float(h["test_rmse"][-1]),
                      test_rmse_pruned=float(h2["test_rmse"][-1]),
                      suggestions={}, suggestions_simple={})
        if n_sym:
            result["suggestions"], result["suggestions_simple"] = _suggestions(pruned, X[:n_sym], name)
    result["cpu_seconds"] = time.process_time() - t0
    result["models"] = {"pruned": encode_model(pruned)}  # kept in memory, not in the job's JSON
    return result


def claims(results):
    """Per task: seeds giving the paper's pruned width, and the named functions found."""
    out = {}
    for name in dict.fromkeys(r["config"]["task"] for r in results):
        rs = [r for r in results if r["config"]["task"] == name]
        panel, _, _, _, target, named = TASKS[name]
        c = {"panel": panel, "paper_width": target, "pruned_widths": [r["pruned_width"] for r in rs],
             "seeds": [r["config"]["seed"] for r in rs]}
        if target is not None:
            c["seeds_with_paper_width"] = sum(r["pruned_width"] == target for r in rs)
        if name == "first_decimal_digit":
            c["test_acc"] = [r["test_acc"] for r in rs]
            c["spikes_in_own_interval"] = [r["spikes_in_own_interval"] for r in rs]
        else:
            c["test_rmse_pruned"] = [r["test_rmse_pruned"] for r in rs]
            if not any(r["suggestions"] for r in rs):  # quick mode: no symbolic search
                out[name] = c
                continue
            # a named function counts as found in a run if it is in the top TOPK of some edge
            c["named_functions"] = named
            searched = [r for r in rs if r["suggestions"]]
            c["symbolic_seeds"] = [r["config"]["seed"] for r in searched]
            for key, tag in (("suggestions", "r2"), ("suggestions_simple", "simple")):
                found = [{f for top in r[key].values() for f, _ in top} for r in searched]
                c[f"runs_with_all_named_in_top3_{tag}"] = sum(set(named) <= f for f in found)
                c[f"top1_per_edge_{tag}"] = [{e: top[0][0] for e, top in r[key].items() if top}
                                             for r in searched]
        out[name] = c
    return out


def _representative(rs):
    """The first run with the paper's width (else the first run) of one task."""
    target = TASKS[rs[0]["config"]["task"]][4]
    return next((r for r in rs if r["pruned_width"] == target), rs[0])


def figure(results, out_dir=None):
    """One pruned-KAN diagram per task (the first seed that reaches the paper's width).

    Each model comes from :func:`paper_figures._common.job_models`: in memory after a sweep, from
    ``out_dir/models`` (``--save-models``), or retrained from its config without the symbolic
    search (which only reads the model, so the model is the same)."""
    import matplotlib.figure

    names = list(dict.fromkeys(r["config"]["task"] for r in results))
    cols = 3
    rows = -(-len(names) // cols)
    fig = matplotlib.figure.Figure(figsize=(5 * cols, 4.5 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax in axes[len(names):]:
        ax.set_axis_off()
    for name, ax in zip(names, axes):
        r = _representative([r for r in results if r["config"]["task"] == name])
        X = make_toy(name, seed=r["config"]["seed"]).train_input
        model = job_models(job, dict(r, config=dict(r["config"], symbolic_points=0)), out_dir)["pruned"]
        n_in = model.width[0]
        in_vars = ["$x$", "$y$"] if n_in == 2 else [f"$x_{i + 1}$" for i in range(n_in)]
        score = (f"acc {r['test_acc']:.3f}" if "test_acc" in r else f"RMSE {r['test_rmse_pruned']:.1e}")
        model.plot(X, in_vars=in_vars, ax=ax,
                   title=f"({TASKS[name][0]}) {name}, {model.width}, seed {r['config']['seed']}, {score}")
    return fig


def main(argv=None):
    args = parse_args("fig_4_1", __doc__.splitlines()[0], argv)
    if args.quick:
        tasks, seeds = QUICK_TASKS, tuple(args.seed + s for s in QUICK_SEEDS)
        steps, retrain, points = QUICK_STEPS, QUICK_RETRAIN_STEPS, QUICK_SYMBOLIC_POINTS
    else:
        tasks, seeds = tuple(TASKS), tuple(args.seed + s for s in FULL_SEEDS)
        steps, retrain, points = FULL_STEPS, FULL_RETRAIN_STEPS, FULL_SYMBOLIC_POINTS
    # the symbolic search (the costly part) runs on the first seed of each task only
    configs = [{"job": f"{t}_s{s}", "task": t, "seed": s, "steps": steps, "retrain_steps": retrain,
                "symbolic_points": points if s == seeds[0] else 0} for t in tasks for s in seeds]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet, save_models=args.save_models)
    summary = {"quick": args.quick, "claims": claims(results), "seconds": time.perf_counter() - t0,
               "runs": [{k: v for k, v in r.items() if k != "models"} for r in results]}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_4_1.json"))
    save_figure(figure(results, args.out), os.path.join(args.out, "fig_4_1.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
