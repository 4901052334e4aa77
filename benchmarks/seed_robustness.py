"""Does the default training recipe reach the paper's accuracy on every seed? (Figure 2.3 setting)

    python benchmarks/seed_robustness.py [--seeds 10] [--data-seed 314159] [--vary-data]
                                         [--workers 2] [--ablation] [--quick]

Trains a [2, 1, 1] KAN on f(x, y) = exp(sin(pi x) + y^2) (1000 train / 1000 test points uniform on
[-1, 1]^2, drawn with ``--data-seed``, a seed that no test and no tuning of the recipe used) with
grid extension G = 3 -> 5 -> 10 -> 20 -> 50, once per model seed 0 .. seeds-1, and prints

* per seed: the test RMSE at every grid, the L-BFGS iterations, and the CPU seconds;
* how many seeds reach train RMSE <= 1e-5 at G = 50 (what the optimizer controls; the test RMSE
  can also miss through a test point just beyond the training range);
* per recipe: how many seeds reach test RMSE <= 1e-5 at G = 50, the median and the worst seed,
  and the median CPU time, as a ratio to the previous recipe measured in this same run.

Recipes: ``default`` is what ``python -m minikan`` runs (see :mod:`minikan.core.train`);
``previous`` is the recipe the project documented before (200 L-BFGS iterations on every grid,
memory 10, no convergence test, every scheduled grid update made, none after drift, no restarts). ``--ablation`` adds the
default with one of its changes reverted at a time.

``--vary-data`` draws a different data set for every model seed (data seed ``data_seed + seed``),
so that the rate also covers the variation between data sets.

BLAS is pinned to one thread, so that the CPU seconds count work rather than idle threads
spinning (the matrices here are tiny); runs go through a process pool (``--workers``).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: see the docstring
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402

from minikan.__main__ import grid_extension_demo  # noqa: E402

TARGET = 1e-5
PREVIOUS = dict(steps=200, restarts=0, history_size=10, tol=0.0, drift_updates=0, min_grid_shift=0.0)
RECIPES = {"default": {}, "previous": PREVIOUS}
ABLATIONS = {
    "no restarts": dict(restarts=0),
    "memory 10": dict(history_size=10),
    "no drift updates": dict(drift_updates=0),
    "every scheduled update": dict(min_grid_shift=0.0),
    "no tol, 200 per grid": dict(tol=0.0, steps=200),
}


def run_one(recipe, options, seed, data_seed, grids):
    """One staircase on data drawn with ``data_seed``; returns (recipe, seed, per-grid results,
    CPU seconds)."""
    t0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # out-of-grid notices of the previous recipe; counted elsewhere
        results, _ = grid_extension_demo(grids, seed=seed, data_seed=data_seed, **options)
    return recipe, seed, results, time.process_time() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="model seeds 0 .. SEEDS-1 (default 10)")
    parser.add_argument("--data-seed", type=int, default=314159)
    parser.add_argument("--vary-data", action="store_true",
                        help="data seed DATA_SEED + seed for each model seed, instead of one data set")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ablation", action="store_true", help="also revert each change alone")
    parser.add_argument("--quick", action="store_true", help="2 seeds, grids 3 and 5: a smoke run")
    args = parser.parse_args(argv)
    grids = (3, 5) if args.quick else (3, 5, 10, 20, 50)
    seeds = range(2 if args.quick else args.seeds)
    recipes = dict(RECIPES)
    if args.ablation:
        recipes.update(ABLATIONS)
    if args.quick:
        recipes = {name: dict(options, steps=20, restart_steps=5) if name != "previous"
                   else dict(options, steps=20) for name, options in recipes.items()}
    data = (f"data seeds {args.data_seed}+seed" if args.vary_data else f"data seed {args.data_seed}")
    print(f"[2,1,1] KAN on exp(sin(pi x) + y^2), grids {' -> '.join(map(str, grids))}, {data}, model "
          f"seeds 0-{len(seeds) - 1}; target test RMSE <= {TARGET:g} at G = {grids[-1]}")
    jobs = [(name, options, s, args.data_seed + (s if args.vary_data else 0), grids)
            for name, options in recipes.items() for s in seeds]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        done = list(pool.map(run_one, *zip(*jobs)))
    summary = {}
    for name in recipes:
        rows = [(s, res, cpu) for recipe, s, res, cpu in done if recipe == name]
        print(f"\n{name}: {recipes[name] or 'fit defaults, restarts=5 on the first grid, steps=500'}")
        print(f"{'seed':>4} " + " ".join(f"{'G=' + str(G):>8}" for G in grids)
              + f" {'train':>8} {'iters':>6} {'CPU s':>6}")
        for s, res, cpu in rows:
            print(f"{s:>4} " + " ".join(f"{r['test_rmse']:>8.1e}" for r in res)
                  + f" {res[-1]['train_rmse']:>8.1e} {sum(r['iterations'] for r in res):>6} {cpu:>6.1f}")
        final = np.array([res[-1]["test_rmse"] for _, res, _ in rows])
        train = np.array([res[-1]["train_rmse"] for _, res, _ in rows])
        cpu = np.array([c for _, _, c in rows])
        summary[name] = (int((final <= TARGET).sum()), int((train <= TARGET).sum()), len(final),
                         float(np.median(final)), float(final.max()), int(np.argmax(final)),
                         float(np.median(cpu)))
    print(f"\n{'recipe':<22} {'test ok':>8} {'train ok':>8} {'median':>9} {'worst':>9} {'worst seed':>10} "
          f"{'CPU s (median)':>15} {'CPU / previous':>15}")
    base_cpu = summary["previous"][6]
    for name, (ok, ok_train, n, med, worst, arg, cpu) in summary.items():
        print(f"{name:<22} {f'{ok}/{n}':>8} {f'{ok_train}/{n}':>8} {med:>9.1e} {worst:>9.1e} {arg:>10} "
              f"{cpu:>15.1f} {cpu / base_cpu:>15.2f}")
    return summary


if __name__ == "__main__":
    main()
