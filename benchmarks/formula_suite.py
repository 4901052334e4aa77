"""Does the symbolic workflow find the formula? (paper Section 2.5.2 on formulas it has not seen)

    python benchmarks/formula_suite.py [--seeds 3 --first-seed 3] [--data-seed 2718281]
                                       [--only NAME,...] [--paper-seeds 10] [--workers 2] [--quick]

Runs :func:`minikan.interpret.simplify.simplify` (sparsify, prune nodes and edges, refine to G = 10, snap one
edge at a time, train the affine parameters) from a KAN with G = 5 and ``init="pykan"`` (see
:func:`start_model`: four sum nodes and one multiplication node in the hidden row) on

* a suite of twelve formulas that appear nowhere in the paper, the tests or the figure scripts
  (``SUITE``): separable sums with a dead input, products, compositions with sqrt, exp, log, tan,
  arctan and 1/x, and a two-layer nesting with two hidden nodes; inputs uniform on [-1, 1]^n,
  1000 training and 1000 test points;
* the paper's Section 2.5.2 example exp(sin(pi x) + y^2) (``--paper-seeds`` model seeds).

and prints one row per (formula, model seed): the pruned width, the functions snapped (per layer),
the test RMSE of the final model relative to the standard deviation of y, and whether it is
*right*:

* the pruned width is one of the formula's (``shape``; a product may be found as a multiplication
  node or through exp and log), and no live edge leaves an input the formula does not use;
* every edge is snapped (none refused) and the snapped functions are those of that width, as a
  multiset (``functions``; sin and cos count as one, since ``sin(z) = cos(z - pi/2)``);
* the test RMSE is at most ``RMSE_TARGET`` (1e-6) times the standard deviation of y.

A formula counts as found when it is right on at least 2 of its seeds. The Section 2.5.2 target is
stricter: width [2, 1, 1], functions sin, x^2, exp and test RMSE <= 1e-8 (absolute).

Data are drawn with ``--data-seed`` plus the formula's index (the paper example uses ``data_seed +
100``). The recipe's defaults were tuned on data seeds 1000 + index with model seeds 0-2; the
default report uses data seed 2718281 and model seeds 3-5, which no tuning used.
BLAS is pinned to one thread; runs go through a process pool (``--workers``).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402

from minikan import KAN  # noqa: E402
from minikan.interpret.simplify import simplify  # noqa: E402

RMSE_TARGET = 1e-6
PAPER_RMSE = 1e-8
SAME = {"cos": "sin"}  # sin(z) = cos(z - pi/2): the same function up to the affine parameters

# name: (number of inputs, f, inputs used, right answers). A right answer is a pruned width (pykan's
# notation: [n_sum, n_mult] for a row with multiplication nodes) and the functions of its edges.
SUITE = {
    "sin(2x1) + x2^2, x3 unused": (3, lambda x: np.sin(2 * x[0]) + x[1] ** 2, {0, 1},
                                   [([3, 1, 1], ["sin", "x^2", "x"])]),
    "exp(x1) - x3^3, x2 unused": (3, lambda x: np.exp(x[0]) - x[2] ** 3, {0, 2},
                                  [([3, 1, 1], ["exp", "x^3", "x"])]),
    "(x1 - 0.5)(x2 + 0.3)": (2, lambda x: (x[0] - 0.5) * (x[1] + 0.3), {0, 1},
                             [([2, [0, 1], 1], ["x", "x", "x"])]),
    "(1.5 + x1) exp(x2)": (2, lambda x: (1.5 + x[0]) * np.exp(x[1]), {0, 1},
                           [([2, 1, 1], ["log", "x", "exp"]), ([2, [0, 1], 1], ["x", "exp", "x"])]),
    "sqrt(2 + x1 + x2^2)": (2, lambda x: np.sqrt(2 + x[0] + x[1] ** 2), {0, 1},
                            [([2, 1, 1], ["x", "x^2", "sqrt"])]),
    "log(3 + sin(2x1) + x2)": (2, lambda x: np.log(3 + np.sin(2 * x[0]) + x[1]), {0, 1},
                               [([2, 1, 1], ["sin", "x", "log"])]),
    "tan((x1 + x2) / 2)": (2, lambda x: np.tan((x[0] + x[1]) / 2), {0, 1},
                           [([2, 1, 1], ["x", "x", "tan"])]),
    "arctan(2x1 + x2^3)": (2, lambda x: np.arctan(2 * x[0] + x[1] ** 3), {0, 1},
                           [([2, 1, 1], ["x", "x^3", "arctan"])]),
    "1 / (2 + x1 + x2^2)": (2, lambda x: 1 / (2 + x[0] + x[1] ** 2), {0, 1},
                            [([2, 1, 1], ["x", "x^2", "1/x"])]),
    "exp(-(x1^2 + x2^2))": (2, lambda x: np.exp(-(x[0] ** 2 + x[1] ** 2)), {0, 1},
                            [([2, 1, 1], ["x^2", "x^2", "exp"]), ([2, [0, 1], 1], ["gaussian", "gaussian", "x"])]),
    "sin(x1 + exp(x2 / 2))": (2, lambda x: np.sin(x[0] + np.exp(x[1] / 2)), {0, 1},
                              [([2, 1, 1], ["x", "exp", "sin"])]),
    "sin(x1 + x2) + (x2 - x3)^2": (3, lambda x: np.sin(x[0] + x[1]) + (x[1] - x[2]) ** 2, {0, 1, 2},
                                   [([3, 2, 1], ["x", "x", "x", "x", "sin", "x^2"])]),
}
PAPER = ("exp(sin(pi x1) + x2^2) (Section 2.5.2)",
         (2, lambda x: np.exp(np.sin(np.pi * x[0]) + x[1] ** 2), {0, 1}, [([2, 1, 1], ["sin", "x^2", "exp"])]))


def start_model(name, n_in, seed):
    """The network every run starts from: [n, 5, 1] sums for the paper's example (its recipe),
    [n, [4, 1], 1] (four sum nodes and one multiplication node) for the suite."""
    width = [n_in, 5, 1] if name == PAPER[0] else [n_in, [4, 1], 1]
    return KAN(width, grid=5, seed=seed, init="pykan")


def data(n_in, f, seed, n=1000):
    rng = np.random.default_rng(seed)
    X, Xt = rng.uniform(-1, 1, (n, n_in)), rng.uniform(-1, 1, (n, n_in))
    return X, f(X.T)[:, None], Xt, f(Xt.T)[:, None]


def manual(model, X, y):
    """The step-by-step recipe of the README (the paper's workflow with the settings minikan
    documented before :func:`minikan.interpret.simplify.simplify`): sparsify 400 iterations, prune nodes at
    1e-2 with attribution scores, 200 iterations, refine to G = 10, 400 iterations,
    ``auto_symbolic`` (best r² of the whole library, snapping every edge), 200 iterations."""
    model.fit(X, y, steps=400, lamb=0.01, lamb_entropy=10.0, reg_metric="pykan")
    model = model.prune(X, threshold=1e-2, metric="pykan")
    pruned = model.width_spec
    model.fit(X, y, steps=200)
    model = model.refine(10, X)
    model.fit(X, y, steps=400)
    # near=1: the best r2 (up to fits below 1e-10 of unexplained variance), as before
    edges = model.auto_symbolic(X, r2_threshold=0.0, near=1.0)
    model.fit(X, y, steps=200, update_grid=False)
    return SimpleNamespace(model=model, widths={"pruned": pruned}, edges=edges, refused={})


def run_one(name, seed, data_seed, options, recipe="simplify"):
    """One formula, one model seed: the recipe's result judged against the formula."""
    n_in, f, used, answers = PAPER[1] if name == PAPER[0] else SUITE[name]
    X, y, Xt, yt = data(n_in, f, data_seed)
    t0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # out-of-grid notices while sparsifying; judged below
        if recipe == "manual":
            res = manual(KAN([n_in, 5, 1], grid=5, seed=seed, init="pykan"), X, y)
        else:
            res = simplify(start_model(name, n_in, seed), X, y, **options)
    seconds = time.process_time() - t0
    model = res.model
    with np.errstate(all="ignore"):
        rmse = float(np.sqrt(np.mean((model.predict(Xt) - yt) ** 2)))
    rel = rmse / float(np.std(yt))
    live_inputs = {int(i) for i in np.flatnonzero((model.layers[0].mask != 0).any(axis=1)
                                                  | (model.symbolic[0].mask != 0).any(axis=1))}
    snapped = [SAME.get(n, n) for n, _ in res.edges.values()]
    by_layer = [sorted(n for (l, _, _), (n, _) in res.edges.items() if l == layer)
                for layer in range(len(model.layers))]
    match = [(shape, functions) for shape, functions in answers if res.widths["pruned"] == shape]
    right = {
        "shape": bool(match) and live_inputs == used,
        "functions": bool(match) and not res.refused
        and Counter(snapped) == Counter(SAME.get(n, n) for n in match[0][1]),
        "rmse": bool(np.isfinite(rel) and rel <= RMSE_TARGET),
    }
    return {"name": name, "seed": seed, "width": res.widths["pruned"], "functions": by_layer,
            "refused": {e: n for e, (n, _) in res.refused.items()}, "rmse": rmse, "rel_rmse": rel,
            "right": right, "seconds": seconds}


def _row(r):
    ok = all(r["right"].values())
    why = ",".join(k for k, v in r["right"].items() if not v)
    fns = " | ".join(" ".join(layer) for layer in r["functions"])
    if r["refused"]:
        fns += f"  (spline kept: {len(r['refused'])})"
    return (f"{r['name']:<38} {r['seed']:>4}  {str(r['width']):<13} {fns:<34} {r['rmse']:9.2e} "
            f"{r['rel_rmse']:9.2e}  {'yes' if ok else 'no (' + why + ')':<14} {r['seconds']:6.1f}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=3, help="model seeds per formula")
    p.add_argument("--first-seed", type=int, default=3)
    p.add_argument("--data-seed", type=int, default=2718281)
    p.add_argument("--paper-seeds", type=int, default=10, help="model seeds of the Section 2.5.2 example")
    p.add_argument("--only", default=None, help="comma-separated formula names (prefixes)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="one formula, one seed, short training")
    p.add_argument("--manual", action="store_true",
                   help="the README's step-by-step recipe from a [n, 5, 1] KAN instead of simplify")
    args = p.parse_args(argv)

    suite = list(SUITE.items())
    options = {}
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    paper_seeds = range(args.first_seed, args.first_seed + args.paper_seeds)
    if args.only:
        prefixes = args.only.split(",")
        suite = [(n, s) for n, s in suite if any(n.startswith(q) for q in prefixes)]
    if args.quick:
        suite, seeds, paper_seeds = suite[:1], seeds[:1], range(0)
        options = dict(sparsify_steps=100, restarts=0, steps=100, retrain_steps=10, polish_steps=50)
    chosen = {name for name, _ in suite}
    recipe = "manual" if args.manual else "simplify"
    jobs = [(name, seed, args.data_seed + k, options, recipe)
            for k, name in enumerate(SUITE) if name in chosen for seed in seeds]
    jobs += [(PAPER[0], seed, args.data_seed + 100, options, recipe) for seed in paper_seeds]

    print(f"{'formula':<38} {'seed':>4}  {'pruned':<13} {'functions (layer 0 | layer 1)':<34} "
          f"{'RMSE':>9} {'RMSE/std':>9}  {'right':<14} {'CPU s':>6}")
    results = []
    if args.workers == 1:  # in this process (no pickling; handy under a debugger)
        rows = map(run_one, *zip(*jobs))
    else:
        ex = ProcessPoolExecutor(args.workers)
        rows = ex.map(run_one, *zip(*jobs))
    for r in rows:
        results.append(r)
        print(_row(r), flush=True)
    if args.workers != 1:
        ex.shutdown()

    print()
    found = 0
    for name, _ in suite:
        rows = [r for r in results if r["name"] == name]
        n_right = sum(all(r["right"].values()) for r in rows)
        found += n_right >= 2 if len(rows) >= 3 else 0
        print(f"{name:<38} right on {n_right} / {len(rows)} seeds")
    if len(seeds) >= 3:
        print(f"\nformulas found (right on >= 2 of 3 seeds): {found} / {len(suite)}")
    paper = [r for r in results if r["name"] == PAPER[0]]
    if paper:
        exact = sum(r["right"]["shape"] and r["right"]["functions"] and r["rmse"] <= PAPER_RMSE
                    for r in paper)
        print(f"Section 2.5.2 exact (width [2, 1, 1], sin, x^2, exp, test RMSE <= {PAPER_RMSE:g}): "
              f"{exact} / {len(paper)} seeds, median test RMSE {np.median([r['rmse'] for r in paper]):.2e}")
    return results


if __name__ == "__main__":
    main()
