"""Forward + backward cost per batch: local vs dense B-spline basis, and how it grows with G.

    python benchmarks/bench_forward_backward.py [--repeats 5] [--quick]

For each shape and batch size it times one full forward and backward pass of the MSE loss
(``minikan.core.objective.loss_and_grad``) and prints ratios measured in this one run: G=100 and G=1000 against
G=5 with the local basis (the design target is at most 2x at G=1000), and dense against local at
the same G. The dense basis materialises (N, n_in, G+k) arrays per layer, so its largest cases
are skipped when they would need more than ``--dense-limit-gb`` of memory.
"""
import argparse
import time

import numpy as np

from minikan import KAN
from minikan.core.objective import loss_and_grad

CASES = [([2, 5, 1], 1000), ([10, 10, 10, 1], 10000)]
GRIDS = [5, 100, 1000]


def time_step(model, X, y, repeats):
    theta = model.get_flat()
    loss_and_grad(model, theta, X, y)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss_and_grad(model, theta, X, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def dense_gigabytes(width, N, G, k=3):
    # basis levels of degree 0..k plus value and derivative, for the widest layer input
    return (k + 3) * N * max(width[:-1]) * (G + 2 * k) * 8 / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dense-limit-gb", type=float, default=4.0)
    parser.add_argument("--quick", action="store_true", help="smaller batches, for a smoke run")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{'shape':<16} {'batch':>6} {'G':>5} {'local ms':>9} {'dense ms':>9} "
          f"{'local/local(G=5)':>17} {'dense/local':>12}")
    for width, N in CASES:
        N = N // 10 if args.quick else N
        X = rng.uniform(-1, 1, (N, width[0]))
        y = rng.normal(size=(N, width[-1]))
        base = None
        for G in GRIDS:
            local = time_step(KAN(width, grid=G, seed=0), X, y, args.repeats)
            base = local if base is None else base
            if dense_gigabytes(width, N, G) <= args.dense_limit_gb:
                dense = time_step(KAN(width, grid=G, seed=0, basis="dense"), X, y, args.repeats)
                dense_txt, ratio_txt = f"{dense * 1e3:9.1f}", f"{dense / local:12.1f}"
            else:
                dense_txt, ratio_txt = f"{'skipped':>9}", f"{'(memory)':>12}"
            print(f"{str(width):<16} {N:>6} {G:>5} {local * 1e3:9.1f} {dense_txt} "
                  f"{local / base:17.2f} {ratio_txt}", flush=True)


if __name__ == "__main__":
    main()
