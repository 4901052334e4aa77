"""``python -m minikan``: grid extension on the paper's toy function (Section 2.4, Figure 2.3 setting).

Trains a [2, 1, 1] KAN on f(x, y) = exp(sin(pi x) + y^2) (Eq. 2.22) with 1000 training and 1000
test points drawn uniformly on [-1, 1]^2, refining the grid 3 -> 5 -> 10 -> 20 -> 50 and training
at each size, and prints each grid's train and test RMSE as soon as that grid is trained.
"""
import argparse
import time

from .datasets import make_toy
from .core.model import KAN


def grid_extension_demo(grids=(3, 5, 10, 20, 50), steps=500, seed=0, n_train=1000, n_test=1000,
                        width=(2, 1, 1), verbose=False, data_seed=None, restarts=5, on_result=None,
                        **fit_options):
    """Train with grid extension; return a list of per-grid results (dicts) and the final model.

    The recipe of :mod:`minikan.core.train`: the fresh model's first fit tries ``restarts`` fresh
    initialisations as well (multi-start), then each grid is trained for at most ``steps`` L-BFGS
    iterations (fewer when the objective stops falling) and refined to the next one (Eq. 2.16).
    The data are drawn with ``data_seed`` (default: ``seed``), the model with ``seed``;
    ``fit_options`` go to every :meth:`KAN.fit`.

    Each result holds ``G``, ``train_rmse``, ``test_rmse``, ``n_params``, ``iterations`` and
    ``seconds``. ``on_result(result)``, if given, is called with each one as soon as its grid is
    trained (the command line prints the row there, so a long run shows its progress).
    """
    data = make_toy("exp_sin_pi_x_plus_y2", n_train=n_train, n_test=n_test,
                    seed=seed if data_seed is None else data_seed)
    X_train, y_train, X_test, y_test = (data[key] for key in ("train_input", "train_label",
                                                              "test_input", "test_label"))
    model = KAN(list(width), grid=grids[0], k=3, seed=seed)
    results = []
    for i, G in enumerate(grids):
        t0 = time.perf_counter()
        if i > 0:
            model = model.refine(G, X_train)
        history = model.fit(X_train, y_train, X_test, y_test, steps=steps, verbose=verbose,
                            restarts=restarts if i == 0 else 0, **fit_options)
        results.append({
            "G": G,
            "train_rmse": float(history["train_rmse"][-1]),
            "test_rmse": float(history["test_rmse"][-1]),
            "n_params": model.n_params()["total"],
            "iterations": int(len(history["step"])),
            "seconds": time.perf_counter() - t0,
        })
        if on_result is not None:
            on_result(results[-1])
    return results, model


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m minikan", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500,
                        help="at most this many L-BFGS iterations per grid (default 500)")
    parser.add_argument("--restarts", type=int, default=5,
                        help="fresh initialisations tried on the first grid (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grids", type=int, nargs="+", default=[3, 5, 10, 20, 50])
    args = parser.parse_args(argv)
    print("KAN [2, 1, 1] on f(x, y) = exp(sin(pi x) + y^2), 1000 train / 1000 test points on [-1, 1]^2")
    print(f"grid extension {' -> '.join(map(str, args.grids))}, at most {args.steps} L-BFGS iterations per "
          f"grid, {args.restarts} restarts on the first, seed {args.seed}")
    print(f"{'G':>4} {'params':>7} {'train RMSE':>11} {'test RMSE':>11} {'iters':>6} {'seconds':>8}", flush=True)
    t0 = time.perf_counter()

    def print_row(r):  # flushed, so each grid's row appears when it is done, also through a pipe
        print(f"{r['G']:>4} {r['n_params']:>7} {r['train_rmse']:>11.3e} {r['test_rmse']:>11.3e} "
              f"{r['iterations']:>6} {r['seconds']:>8.1f}", flush=True)

    grid_extension_demo(tuple(args.grids), args.steps, args.seed, restarts=args.restarts, on_result=print_row)
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
