"""Figure 4.4: relations among knot invariants found without labels (Section 4.3, unsupervised).

Data: SnapPy census knots, regenerated (``paper_figures/data/knots.csv``), not DeepMind's CSV.
The variables are the 15 inputs of ``fig_4_3`` plus the signature sigma (16, against the paper's
18: the two torsion degrees need Sage), z-scored. Every row is a positive sample; permuting each
column independently gives the negatives (``minikan.applications.unsupervised``).

Setup: a [16, 1, 1] KAN whose last activation is the fixed Gaussian exp(-z^2), trained with the MSE
to the 1/0 labels and the sparsity penalty (Eq. 2.20, the paper-era code's metric, mu_2 = 10), with
lambda in {1e-2, 1e-3} and several seeds (the paper: seeds 0-99, 200 networks, on all rows;
here ``SEEDS`` seeds on ``ROWS`` rows, ``STEPS`` L-BFGS iterations: chosen to fit a 2-core
machine). A run's active set is the inputs whose first-layer |phi|_1 exceeds 0.1 of the largest.

The paper finds three clusters of active sets:
1. {sigma, mu_r, lambda} (the signature and the slope lambda mu_r / |mu|^2),
2. {V, mu_r, lambda}, the cusp volume as a product of translations (here V = lambda Im(mu) / 2, so
   in SnapPy's naming the cluster is {V, mu_i, lambda}; see ``paper_figures/data/README.md``),
3. {g_r, r}: the short geodesic length and the injectivity radius. In this file r is g_r / 2 by
   construction, so the relation is exact and the cluster is trivial.
The six one-hot symmetry columns are dependent among themselves (at most one is 1), a relation a
run can find instead of the paper's; the full run therefore repeats the scan on the 10 continuous
variables alone ("continuous", a [10, 1, 1] KAN). Claims checked: which clusters appear, in how
many runs, for each variable set.
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

from ._common import parse_args, provenance, run_jobs, save_figure, save_json

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
LAMBS = (1e-2, 1e-3)
SEEDS, ROWS, STEPS = 10, 3000, 400


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
    t0 = time.perf_counter()
    found = discover(X, seed=config["seed"], data_seed=config["seed"], steps=config["steps"],
                     lamb=config["lamb"])
    active = sorted(names[i] for i in found.groups[0]) if found.groups else []
    return {"config": config, "active": active, "scores": found.scores[:, 0].tolist(),
            "final_train_loss": float(found.history["train_loss"][-1]),
            "seconds": time.perf_counter() - t0}


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
    return {"n_runs": len(results), "cluster_runs": {k: len(v) for k, v in hits.items()},
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
    args = parse_args("fig_4_4", __doc__.splitlines()[0], argv)
    seeds = range(args.seed, args.seed + (3 if args.quick else SEEDS))
    rows, steps = (1000, 150) if args.quick else (ROWS, STEPS)
    lambs = LAMBS[1:] if args.quick else LAMBS
    configs = [{"job": f"lamb{lamb:g}_seed{s}", "lamb": lamb, "seed": s, "rows": rows, "steps": steps}
               for lamb in lambs for s in seeds]
    if not args.quick:  # the one-hot columns are dependent among themselves; a run without them
        configs += [{"job": f"continuous_lamb{lamb:g}_seed{s}", "variables": "continuous", "lamb": lamb,
                     "seed": s, "rows": rows, "steps": steps} for lamb in lambs for s in seeds]
    t0 = time.perf_counter()
    results = run_jobs(job, configs, args.out, workers=args.workers, scheduler=args.scheduler,
                       quiet=args.quiet)
    summary = {"quick": args.quick, "data": "SnapPy census knots, regenerated (not DeepMind's CSV)",
               "claims": claims(results), "seconds": time.perf_counter() - t0,
               "runs": [{k: r[k] for k in ("config", "active", "final_train_loss")} for r in results]}
    summary["provenance"] = provenance(args, configs)
    save_json(summary, os.path.join(args.out, "fig_4_4.json"))
    save_figure(figure(results), os.path.join(args.out, "fig_4_4.png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


if __name__ == "__main__":
    main()
