"""Cost of one grid update: the banded least-squares refit against the dense SVD one, and its growth with G.

    python benchmarks/bench_grid_update.py [--repeats 3] [--quick]

For a [10, 10, 10, 1] KAN on N = 10,000 samples it times one ``KAN.update_grid`` (new knots from
the samples, then the spline refit of every layer, layer by layer) at G = 5, 100 and 1000 with
the default banded solver, and prints ratios measured in this one run: G=1000 against G=5 (the
design target is a cost flat in G, the refit being O(N k^2 + G k^2) per input), and dense against
banded at the same G. The dense solver builds an (N, n_in, G+k) design matrix and runs an SVD per
input, O(N G^2); at G = 1000 that is about 1 GB and minutes per update, so it is skipped there
and its cost is timed only at G = 5 and 100. ``--quick`` uses N = 1000 and one repeat.
"""
import argparse
import time

import numpy as np

from minikan import KAN
from minikan.core import grid_update

WIDTH = [10, 10, 10, 1]
GRIDS = [5, 100, 1000]
DENSE_GRIDS = (5, 100)  # at G = 1000 the dense refit needs ~1 GB and minutes per update


def update_dense(model, X):
    """``KAN.update_grid`` with the dense solver: the same layer-by-layer walk."""
    x = X
    for l, layer in enumerate(model.layers):
        grid, coef = grid_update.update_grid(layer.grid, layer.coef, x, layer.k, model.grid_eps, model.grid_margin,
                                         method="dense")
        model.layers[l] = layer.subset(grid=grid, coef=coef)
        x = model.layers[l].forward(x, with_cache=False)[0]
    return model


def time_update(G, X, repeats, dense):
    times = []
    for _ in range(repeats):
        model = KAN(WIDTH, grid=G, seed=0)  # a fresh model each time: an update moves the knots
        t0 = time.perf_counter()
        update_dense(model, X) if dense else model.update_grid(X)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="N = 1000 and one repeat, for a smoke run")
    args = parser.parse_args(argv)
    N, repeats = (1000, 1) if args.quick else (10_000, args.repeats)
    X = np.random.default_rng(0).uniform(-1, 1, (N, WIDTH[0]))
    print(f"one update_grid of a {WIDTH} KAN on N = {N} samples (median of {repeats})")
    print(f"{'G':>5} {'banded s':>9} {'banded/banded(G=5)':>19} {'dense s':>9} {'dense/banded':>13}")
    base = None
    rows = []
    for G in GRIDS:
        banded = time_update(G, X, repeats, dense=False)
        base = banded if base is None else base
        if G in DENSE_GRIDS:
            dense = time_update(G, X, repeats, dense=True)
            dense_txt, ratio_txt = f"{dense:9.2f}", f"{dense / banded:13.1f}"
        else:
            dense, dense_txt, ratio_txt = None, f"{'skipped':>9}", f"{'(~1 GB)':>13}"
        rows.append((G, banded, dense))
        print(f"{G:>5} {banded:9.2f} {banded / base:19.2f} {dense_txt} {ratio_txt}", flush=True)
    return rows


if __name__ == "__main__":
    main()
