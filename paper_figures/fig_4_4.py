"""Figure 4.4: relations among knot invariants found without labels (Section 4.3, unsupervised).

Data: SnapPy census knots, regenerated (``paper_figures/data/knots.csv``), not DeepMind's CSV.
The variables are the 15 inputs of ``fig_4_3`` plus the signature sigma (16, against the paper's
18: the two torsion degrees need Sage), z-scored. Every row is a positive sample; permuting each
column independently gives the negatives (``minikan.applications.unsupervised``).

Setup: a [16, 1, 1] KAN whose last activation is the fixed Gaussian exp(-z^2), trained with the MSE
to the 1/0 labels and the sparsity penalty (Eq. 2.20, the paper-era code's metric, mu_2 = 10), with
lambda in {1e-2, 1e-3} and a range of seeds (the scales, below). A run's active set is the inputs
whose first-layer |phi|_1 exceeds 0.1 of the largest. Each run draws the KAN and the permutation
of the negatives from its seed.

The paper finds three clusters of active sets:
1. {sigma, mu_r, lambda} (the signature and the slope lambda mu_r / |mu|^2),
2. {V, mu_r, lambda}, the cusp volume as a product of translations (here V = lambda Im(mu) / 2, so
   in SnapPy's naming the cluster is {V, mu_i, lambda}; see ``paper_figures/data/README.md``),
3. {g_r, r}: the short geodesic length and the injectivity radius. In this file r is g_r / 2 by
   construction, so the relation is exact and the cluster is trivial.
The six one-hot symmetry columns are dependent among themselves (at most one is 1), a relation a
run can find instead of the paper's; the full run therefore repeats the scan on the 10 continuous
variables alone ("continuous", a [10, 1, 1] KAN). Claims, per variable set: in how many runs each
cluster appears, as a rate "k/n" over the runs and per lambda over its seeds (``cluster_rate``,
``by_lambda``).

Scales. The paper (Section 4.3, unsupervised part): all 18 variables, lambda in {1e-2, 1e-3} x
seeds 0-99 = 200 networks [18, 1, 1], trained on the whole data set (DeepMind's knots; its number
of training steps is not stated).

``PAPER`` (``--paper``) is that protocol on our data: lambda in {1e-2, 1e-3} x seeds ``--seed`` ..
``--seed`` + 99 = 200 runs of the [16, 1, 1] KAN on all 9,139 knots of our file that have every
variable (as in ``fig_4_3``; 18,278 training rows with the permuted copies), up to ``STEPS_PAPER`` = 1000 L-BFGS iterations (50 pykan steps of up
to 20, the paper-era example's budget that the library takes as its default,
:data:`minikan.applications.unsupervised.STEPS`; chosen, as the paper does not state it), each run
stopped earlier by ``fit``'s tolerance. Its summary and figure are written as ``fig_4_4_paper.json``
and ``fig_4_4_paper.png`` (its committed folder is ``results/fig_4_4_paper/``), so a slice run with
``--jobs`` resumes there. Its jobs are named with two-digit seeds and run seed by seed, so that
``--jobs 'lamb*_seed[0-2]?'`` is the slice of seeds 0-29 at both lambdas. What remains different
from the paper: 16 variables, not 18 (the two torsion degrees need Sage), the SnapPy census rather
than DeepMind's table, and our choice of the iteration budget. The committed run
(``results/fig_4_4_paper/``) is the whole sweep, 200 runs. Measured cost (one core, ``process_time``,
on its 120 runs of seeds 0-59, which ran with one BLAS thread; seeds 60-99 ran with two beside other
processes, and their CPU record includes the threads' idle spinning): 75 ms per L-BFGS iteration on
all knots (grid updates included; 56-94 ms for the middle 80 % of the runs, as line searches vary);
the runs stop on the tolerance after 20-469 iterations (median 111 over all 200), 3-26 s each
(median 8 s), 1,063 CPU-seconds for the 120: about 0.5 CPU-hours for the 200; at most 4.2 if every
run used its whole budget (200 x 1000 x 75 ms).

``FULL`` (the default, committed in ``results/fig_4_4/``): seeds 0-9 x lambda in {1e-2, 1e-3} on the
first 3,000 knots, 400 iterations, for both variable sets (40 runs; reductions: 20 of the 200
networks, a third of the knots, 40 % of the budget).

``--quick`` (CI): seeds 0-9 x lambda in {1e-2, 1e-3} on the first 1,000 knots, 150 iterations, all
16 variables (20 runs, about 12 ms per iteration, 1-2 s per run); tests/test_fig_4_4.py states
the rates it asserts.
"""
import json
import os
import sys
import time
from collections import Counter

import numpy as np

from minikan.datasets import load_knots
from minikan.datasets.knots import FEATURES
from minikan.applications.unsupervised import discover

from ._common import parse_args, provenance, run_jobs, save_figure, save_json, select_jobs

KNOTS_CSV = os.path.join(os.path.dirname(__file__), "data", "knots.csv")
VARIABLES = tuple(FEATURES) + ("signature",)
SHORT = {"signature": "σ", "meridinal_translation_real": "μ_r=Re μ", "meridinal_translation_imag": "μ_i=Im μ",
         "longitudinal_translation": "λ", "cusp_volume": "V", "short_geodesic_real_part": "g_r",
         "short_geodesic_imag_part": "g_i", "injectivity_radius": "r", "chern_simons": "CS",
         "volume": "vol"}
CLUSTERS = {
    "signature": {"signature", "meridinal_translation_real", "longitudinal_translation"},
    "cusp volume": {"cusp_volume", "meridinal_translation_imag", "longitudinal_translation"},
    "geodesic": {"short_geodesic_real_part", "injectivity_radius"},
}
CONTINUOUS = tuple(v for v in VARIABLES if not v.startswith("Symmetry_"))
LAMBS = (1e-2, 1e-3)  # the paper's
SEEDS, ROWS, STEPS = 10, 3000, 400  # the full scale
STEPS_PAPER = 1000  # 50 pykan steps of up to 20 iterations (the library's default; the paper is silent)

# The scales (module docstring). "seeds": how many, from --seed on; "rows": the first knots of the
# file (None: all 9,139); "variable_sets": "all" (16 variables) and/or "continuous" (10)
FULL = {"lambs": LAMBS, "seeds": SEEDS, "rows": ROWS, "steps": STEPS, "variable_sets": ("all", "continuous")}
# seed-major with two-digit seed names, so that a slice --jobs 'lamb*_seed[0-2]?' is seeds 0-29 at both
# lambdas and a sweep stopped early has run a whole lambda x seed grid up to its last seed
PAPER = {"lambs": LAMBS, "seeds": 100, "rows": None, "steps": STEPS_PAPER, "variable_sets": ("all",),
         "seed_digits": 2, "seed_major": True}
QUICK = {"lambs": LAMBS, "seeds": 10, "rows": 1000, "steps": 150, "variable_sets": ("all",)}


def variables(rows, names=VARIABLES):
    """The z-scored table (rows, len(names)) of the chosen inputs and the signature."""
    d = load_knots(KNOTS_CSV, drop_nan=True)
    X = np.column_stack([d.inputs, d.signature])[:rows]
    X = X[:, [VARIABLES.index(v) for v in names]]
    std = X.std(axis=0)
    std[std == 0] = 1.0
    return (X - X.mean(axis=0)) / std


def job(config):
    names = CONTINUOUS if config.get("variables") == "continuous" else VARIABLES
    X = variables(config["rows"], names)
    t0, c0 = time.perf_counter(), time.process_time()
    found = discover(X, seed=config["seed"], data_seed=config["seed"], steps=config["steps"],
                     lamb=config["lamb"])
    active = sorted(names[i] for i in found.groups[0]) if found.groups else []
    return {"config": config, "active": active, "scores": found.scores[:, 0].tolist(),
            "final_train_loss": float(found.history["train_loss"][-1]),
            "iterations": len(found.history["train_loss"]),
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}


def configs_for(scale, seed):
    """The job list of one scale (``QUICK``, ``FULL`` or ``PAPER``): every lambda x seeds ``seed`` ..
    ``seed + scale["seeds"] - 1`` x variable set; names ``lamb<lambda>_seed<s>``, prefixed by
    ``continuous_`` for the 10-variable set (the names and configs of the committed full run).
    ``"seed_digits": n`` writes the seed with at least n digits (``seed07``); ``"seed_major"``
    orders the jobs by seed first (else by lambda first)."""
    configs = []
    for variant in scale["variable_sets"]:
        if variant not in ("all", "continuous"):
            raise ValueError(f"unknown variable set {variant!r}: 'all' or 'continuous'")
        pairs = [(lamb, s) for lamb in scale["lambs"] for s in range(seed, seed + scale["seeds"])]
        if scale.get("seed_major"):
            pairs.sort(key=lambda pair: pair[1])  # stable: the lambdas keep their order within a seed
        for lamb, s in pairs:
            config = {"job": f"lamb{lamb:g}_seed{s:0{scale.get('seed_digits', 1)}d}", "lamb": lamb, "seed": s,
                      "rows": scale["rows"], "steps": scale["steps"]}
            if variant == "continuous":
                config.update(job="continuous_" + config["job"], variables="continuous")
            configs.append(config)
    return configs


def matches(active):
    """Names of the paper's clusters contained in an active set (a run can show several)."""
    return [name for name, members in CLUSTERS.items() if members <= set(active)]


def claims(results):
    """Per variable set ("all" 16 variables, "continuous" without the one-hot symmetry columns)."""
    out = {}
    for variant in ("all", "continuous"):
        runs = [r for r in results if r["config"].get("variables", "all") == variant]
        if runs:
            out[variant] = _claims(runs)
    return out


def _claims(results):
    sets = Counter(", ".join(r["active"]) for r in results)
    hits = {name: [f"lamb={r['config']['lamb']:g} seed={r['config']['seed']}" for r in results
                   if name in matches(r["active"])] for name in CLUSTERS}
    by_lambda = {}
    for lamb in sorted({r["config"]["lamb"] for r in results}, reverse=True):
        runs = [r for r in results if r["config"]["lamb"] == lamb]
        by_lambda[f"{lamb:g}"] = {"seeds": sorted(r["config"]["seed"] for r in runs),
                                  "cluster_rate": {name: f"{sum(name in matches(r['active']) for r in runs)}/{len(runs)}"
                                                   for name in CLUSTERS}}
    return {"n_runs": len(results), "cluster_runs": {k: len(v) for k, v in hits.items()},
            "cluster_rate": {k: f"{len(v)}/{len(results)}" for k, v in hits.items()},
            "by_lambda": by_lambda,
            "cluster_examples": {k: v[:5] for k, v in hits.items()},
            "active_sets": dict(sets.most_common())}


def figure(results):
    """Left: how often each variable is active; right: the active sets, one row per run."""
    import matplotlib.figure

    fig = matplotlib.figure.Figure(figsize=(15, 4 + 0.17 * len(results)))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6], "wspace": 0.75})
    names = [SHORT.get(v, v.replace("Symmetry_", "sym ")) for v in VARIABLES]
    counts = [sum(v in r["active"] for r in results) for v in VARIABLES]
    left.barh(range(len(VARIABLES)), counts)
    left.set_yticks(range(len(VARIABLES)), names)
    left.invert_yaxis()
    left.set(xlabel=f"runs where the variable is active (of {len(results)})",
             title="SnapPy census knots, not DeepMind's CSV")
    M = np.array([[v in r["active"] for v in VARIABLES] for r in results], float)
    right.imshow(M, aspect="auto", cmap="Greys", interpolation="nearest")
    right.set_xticks(range(len(VARIABLES)), names, rotation=90)
    right.set_yticks(range(len(results)),
                     [f"{'no one-hot, ' if r['config'].get('variables') == 'continuous' else ''}"
                      f"λ={r['config']['lamb']:g}, seed {r['config']['seed']}: "
                      f"{'/'.join(matches(r['active'])) or '-'}" for r in results], fontsize=7)
    right.set_title("active inputs of each [16,1,1] run, or [10,1,1] without the one-hot\n"
                    "symmetry columns (the paper's cluster found)")
    return fig


def main(argv=None):
    args = parse_args("fig_4_4", __doc__.splitlines()[0], argv, paper=True)
    scale = {"quick": QUICK, "full": FULL, "paper": PAPER}[args.scale]
    configs, partial = select_jobs(configs_for(scale, args.seed), args)
    # the paper scale's files carry their own name, so its folder never mixes with the full run's
    stem = "fig_4_4_paper" if args.scale == "paper" else "fig_4_4"
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    summary = {"quick": args.quick, "scale_name": args.scale,
               "scale": {k: list(v) if isinstance(v, tuple) else v for k, v in scale.items()},
               "data": "SnapPy census knots, regenerated (not DeepMind's CSV)",
               "claims": claims(results), "n_jobs": len(configs), "partial": partial,
               "seconds": time.perf_counter() - t0,
               "runs": [{k: r[k] for k in ("config", "active", "final_train_loss") + tuple(
                   k for k in ("iterations", "cpu_seconds") if k in r)} for r in results]}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, stem + ".json"))
    save_figure(figure(results), os.path.join(args.out, stem + ".png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
