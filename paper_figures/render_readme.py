"""Render the measured cells of ``paper_figures/README.md`` from the committed summary JSONs.

The README's tables have, per row, a hand-written verdict ("reproduced") and measured cells ("our
numbers", "scale, wall time"). A measured cell that is generated sits between two markers::

    <!-- gen:fig_3_2:numbers -->...text written here...<!-- /gen -->

where ``fig_3_2`` names the summary ``results/fig_3_2/fig_3_2.json`` and ``numbers`` the cell. The
text between the markers is produced by the template function registered for that pair below: the
words are written in the template, every number is read from the JSON. A template that states a
qualitative fact about the numbers (which seed is the outlier, which function ranks first) checks
that fact on the JSON and raises ``ValueError`` when it no longer holds, so the words cannot drift
either.

Where no JSON records a CPU or wall time, the cell says so ("CPU time not recorded") instead of
carrying a number written by hand.

Usage (from the repository root)::

    python -m paper_figures.render_readme          # rewrite the generated cells in place
    python -m paper_figures.render_readme --check  # exit 1 and print a diff if the README differs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Callable, Dict, Tuple

import numpy as np

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
RESULTS = HERE / "results"
# The top-level README's cost table ("Full-scale runs on a cluster") has generated cells too.
TOP_README = HERE.parent / "README.md"

# One generated cell: its opening marker names the result and the cell; the text runs to ``/gen``.
# The text cannot contain "<!--", so the shortest match is the whole cell.
MARKER = re.compile(r"<!-- gen:(?P<name>[a-z0-9_]+):(?P<cell>[a-z_]+) -->(?P<text>.*?)<!-- /gen -->")

Template = Callable[[dict], str]
TEMPLATES: Dict[Tuple[str, str], Template] = {}
# The cells of the top-level README, kept apart: each registry's markers must all be in its document.
COST_TEMPLATES: Dict[Tuple[str, str], Template] = {}
# The results folder being rendered, for templates that also read per-job JSONs.
RESULTS_IN_USE = [RESULTS]


def template(name: str, cell: str) -> Callable[[Template], Template]:
    """Register ``fn(summary) -> str`` as the generator of cell ``cell`` of result ``name``."""

    def register(fn: Template) -> Template:
        TEMPLATES[(name, cell)] = fn
        return fn

    return register


def load_summary(name: str, results: Path = RESULTS) -> dict:
    """The summary JSON ``results/<name>/<name>.json`` as a dict."""
    path = results / name / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no summary JSON for {name!r}: {path} does not exist")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def require(condition: bool, message: str) -> None:
    """Fail rendering when a statement written in a template no longer matches the JSON."""
    if not condition:
        raise ValueError(f"README template out of date: {message}")


# ----------------------------------------------------------------------------- number formats
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x: float, digits: int = 2) -> str:
    """``x`` in the README's short scientific form with ``digits`` significant digits: 3.2e-7."""
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def fixed(x: float, decimals: int) -> str:
    """``x`` with ``decimals`` decimals and a typographic minus sign (the README writes −3.34)."""
    return f"{x:.{decimals}f}".replace("-", "−")


def percent(fraction: float, decimals: int = 1) -> str:
    """A fraction in [0, 1] as a percentage number without the sign: 0.994 -> '99.4'."""
    return f"{100.0 * fraction:.{decimals}f}"


def seconds(s: float) -> str:
    """Seconds rounded to whole seconds: '393 s'."""
    return f"{round(s)} s"


def count(n: int, total: int) -> str:
    return f"{n}/{total}"


def shape(width) -> str:
    """A KAN width list as the README writes it: [2,1,1]."""
    return "[" + ",".join(str(w) for w in width) + "]"


def series(values) -> str:
    """'a, b and c' is not used: the README separates listed items by commas only."""
    return ", ".join(values)


CPU_NOT_RECORDED = "CPU time not recorded"


def short_seconds(s: float) -> str:
    """Seconds as the README writes a run's time: whole seconds from 10 s up ('393 s'), two
    significant digits below ('6.2 s', '0.08 s'), where rounding to whole seconds would say 0."""
    return seconds(s) if s >= 10 else f"{s:.2g} s"


def provenance_total(s: dict) -> dict:
    """The ``provenance["total"]`` block of a summary, checked to have every job's CPU time.

    A summary written since provenance was recorded sums its jobs' CPU seconds
    (``time.process_time`` where each job ran) and wall seconds there."""
    require("provenance" in s, "the summary carries a provenance block")
    total = s["provenance"]["total"]
    require(total["jobs_not_recorded"] == 0, "every job of the run has a CPU time")
    return total


def run_times(s: dict) -> str:
    """'8.1 s of CPU, 9.9 s wall': the jobs' CPU seconds summed, and the wall time of the invocation
    up to writing its summary (the scripts draw their PNGs after it), both from the provenance block."""
    total = provenance_total(s)
    return f"{short_seconds(total['cpu_seconds'])} of CPU, {short_seconds(s['provenance']['wall_seconds'])} wall"


# ----------------------------------------------------------------------------- Fig 2.3
def _stage(stages: list, G: int) -> dict:
    """The stage of a grid schedule trained at grid size ``G``."""
    found = [st for st in stages if st["G"] == G]
    require(len(found) == 1, f"one stage at G={G}")
    return found[0]


def _spread_text(stat: dict, fmt: Callable[[float], str]) -> str:
    """A per-seed statistic as '<median> (<min>…<max>)'."""
    return f"{fmt(stat['median'])} ({fmt(stat['min'])}…{fmt(stat['max'])})"


def _g_set(values) -> str:
    """Grid sizes taken by a statistic over seeds: 'G=200' or 'G=20–50'."""
    lo, hi = min(values), max(values)
    return f"G={lo}" if lo == hi else f"G={lo}–{hi}"


@template("fig_2_3", "numbers")
def fig_2_3_numbers(s: dict) -> str:
    c, stages = s["claims"], s["stages"]
    uni, qua = c["uniform"], c["quantile"]
    small, wide = uni["2x1x1"], uni["2x5x1"]
    n = len(small["seeds"])
    require(all(g[w]["seeds"] == small["seeds"] for g in (uni, qua) for w in g), "Fig 2.3 one seed set")
    require(small["slope_range"] == wide["slope_range"] == [5, 100], "Fig 2.3 slopes over G = 5…100")
    require(all(a["train_rmse"] > b["train_rmse"] for st in stages.values() for a, b in zip(st, st[1:])),
            "Fig 2.3 train RMSE falls at every refinement, on every run")
    # uniform knots: [2,1,1] below [2,5,1] on every seed, its best at a larger G, then a U on every seed
    require(all(a < b for a, b in zip(small["best_test_rmse"]["per_seed"], wide["best_test_rmse"]["per_seed"]))
            and min(small["best_G"]) > max(wide["best_G"]), "Fig 2.3 uniform [2,1,1] lower, best at a larger G")
    require(small["n_u_shaped"] == n, "Fig 2.3 uniform [2,1,1] U-shaped on every seed")
    # ... while its root median error stays within 3x of its value at the best G: a few test points
    # carry the rise
    runs = {k: v for k, v in stages.items() if k.startswith("2x1x1_uniform")}
    med_ratio = max(max(st["test_root_median_se"] for st in v if st["G"] > _best_g(v))
                    / _stage(v, _best_g(v))["test_root_median_se"] for v in runs.values())
    require(med_ratio < 3, "Fig 2.3 uniform [2,1,1] root median error flat beyond its best G")
    # uniform [2,5,1]: no U on any seed; its last test RMSE within 3x of its best
    ratio = max(l / b for l, b in zip(wide["last_test_rmse"]["per_seed"], wide["best_test_rmse"]["per_seed"]))
    require(wide["n_u_shaped"] == 0 and ratio < 3, "Fig 2.3 uniform [2,5,1] levels off, no U")
    # quantile knots: [2,5,1] U-shaped on every seed, carried by a few test points (root median flat)
    qwide, qsmall = qua["2x5x1"], qua["2x1x1"]
    require(qwide["n_u_shaped"] == n, "Fig 2.3 quantile [2,5,1] U-shaped on every seed")
    qruns = [v for k, v in stages.items() if k.startswith("2x5x1_quantile")]
    qmed = [st["test_root_median_se"] for v in qruns for st in v if st["G"] >= 50]
    require(max(qmed) < 1e-3, "Fig 2.3 quantile [2,5,1] root median stays below 1e-3")
    require(qsmall["slope_rms"]["median"] > -2, "Fig 2.3 quantile [2,1,1] scales slower than G^-2")
    last_G = stages[next(iter(stages))][-1]["G"]
    # time per grid far below proportional to G: from G=5 to the last grid, median over runs
    growth = float(np.median([_stage(v, v[-1]["G"])["seconds"] / _stage(v, 5)["seconds"] for v in stages.values()]))
    require(growth < 0.1 * last_G / 5, "Fig 2.3 time sublinear in G")
    return (
        f"Model seeds {small['seeds'][0]}–{small['seeds'][-1]}, median (range). **Uniform knots** (the paper-era "
        f"rule, minikan's default): [2,1,1] slope {_spread_text(small['slope_rms'], lambda x: fixed(x, 2))} (RMS), "
        f"{_spread_text(small['slope_median'], lambda x: fixed(x, 2))} (root median); best test RMSE "
        f"{_spread_text(small['best_test_rmse'], sci)} at {_g_set(small['best_G'])}, then U-shaped on "
        f"{small['n_u_shaped']}/{n} seeds ({_spread_text(small['last_test_rmse'], sci)} at G={last_G}) while its root "
        f"median error stays within {med_ratio:.1f}× of its best-G value: a few test points near the domain edge "
        f"carry the rise. [2,5,1]: best {_spread_text(wide['best_test_rmse'], sci)} at {_g_set(wide['best_G'])}, "
        f"and **no U** ({wide['n_u_shaped']}/{n}): at G={last_G} its test RMSE is "
        f"{_spread_text(wide['last_test_rmse'], sci)}, at most {ratio:.1f}× its best. **Quantile knots** (pykan 0.2.8): "
        f"[2,5,1] U-shaped on {qwide['n_u_shaped']}/{n} seeds, best {_spread_text(qwide['best_test_rmse'], sci)} at "
        f"{_g_set(qwide['best_G'])}, {_spread_text(qwide['last_test_rmse'], sci)} at G={last_G} (its root median "
        f"error stays below {sci(max(qmed), 1)}); [2,1,1] then scales only as G^{fixed(qsmall['slope_rms']['median'], 2)} "
        f"(RMS). Train RMSE falls at every refinement on all {len(stages)} runs. Time per grid sublinear in G "
        f"(G=5 to {last_G}: ×{growth:.1f}, median; stages stop when L-BFGS converges)"
    )


def _best_g(stages: list) -> int:
    """The grid size of a run's lowest test RMSE."""
    return min(stages, key=lambda st: st["test_rmse"])["G"]


@template("fig_2_3", "scale")
def fig_2_3_scale(s: dict) -> str:
    jobs = load_jobs("fig_2_3", RESULTS_IN_USE[0])
    cfg = {(tuple(j["config"]["grids"]), j["config"]["steps"], j["config"]["data_seed"]) for j in jobs}
    require(len(cfg) == 1, "Fig 2.3 one schedule for every run")
    grids, steps, data_seed = cfg.pop()
    options = s["provenance"]["configuration"]["options"]
    require(options["workers"] == 1 and options["scheduler"] is None, "Fig 2.3 the jobs ran one after the other")
    return (
        f"full scale: 1000/1000 points (data seed {data_seed}), G = {grids[0]}…{grids[-1]}, up to {steps} L-BFGS "
        f"iterations per grid (the paper: 200 pykan steps of up to 20 iterations), {len(jobs)} runs "
        f"(2 widths × 2 knot placements × 5 model seeds); {run_times(s)} (one after the other)"
    )


# ----------------------------------------------------------------------------- Fig 2.4
def _same_exponent_range(values, digits: int = 2) -> str:
    """'1.2–1.4e-3' when both ends share an exponent, else '9.5e-4–1.4e-3'; '1.1e-5' when both
    ends round to the same number."""
    lo, hi = sci(min(values), digits), sci(max(values), digits)
    if lo == hi:
        return lo
    if lo.split("e")[1] == hi.split("e")[1]:
        return f"{lo.split('e')[0]}–{hi}"
    return f"{lo}–{hi}"


_FIG_2_4_PICKS = {"0,0,0": "sin", "0,1,0": "x^2", "1,0,0": "exp"}


def _fig_2_4_outcomes(c: dict) -> Dict[str, list]:
    """The seeds of Fig 2.4 by outcome: 'exact' (pruned to [2,1,1], snapped to sin, x², exp, the
    formula sympy-equal to the target's), 'wider' (pruned to [2,2,1]) and 'no_sin' ([2,1,1] without
    the sin edge). Every seed must fall in one of them."""
    out: Dict[str, list] = {"exact": [], "wider": [], "no_sin": []}
    for sd in sorted(c["per_seed"], key=int):
        p = c["per_seed"][sd]
        if p["pruned_width"] == [2, 1, 1] and p["functions"] == _FIG_2_4_PICKS and p["formula_matches"]:
            out["exact"].append(sd)
        elif p["pruned_width"] == [2, 2, 1]:
            out["wider"].append(sd)
        elif p["pruned_width"] == [2, 1, 1] and "sin" not in p["functions"].values():
            out["no_sin"].append(sd)
        else:
            require(False, f"Fig 2.4 seed {sd} exact, [2,2,1] or without sin")
    return out


def _and(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@template("fig_2_4", "numbers")
def fig_2_4_numbers(s: dict) -> str:
    c = s["claims"]
    per = c["per_seed"]
    seeds = sorted(per, key=int)
    jobs = load_jobs("fig_2_4", RESULTS_IN_USE[0])
    require(all(j["config"]["lib"] is None for j in jobs), "Fig 2.4 the whole default library")
    out = _fig_2_4_outcomes(c)
    exact, wider, no_sin = out["exact"], out["wider"], out["no_sin"]
    require(len(exact) >= 1 and len(wider) >= 1 and len(no_sin) >= 1, "Fig 2.4 all three outcomes occur")
    require(c["all_prune_to_2_1_1"] == (not wider) and c["all_formulas_match"] == (len(exact) == len(seeds)),
            "Fig 2.4 the summary's flags")
    # the exact seeds end at machine precision
    require(max(per[sd]["final_test_rmse"] for sd in exact) < c["rmse_target"], "Fig 2.4 exact seeds below the target")
    formulas = sorted({per[sd]["formula"] for sd in exact}, key=lambda f: [per[sd]["formula"] for sd in exact].index(f))
    require("1.0*exp(1.0*y**2 + 1.0*sin(3.14*x))" == formulas[0], "Fig 2.4 the paper's rounded formula first")
    st = s["steps"][f"seed{exact[0]}"]
    no_sin_rmse = [f"{per[sd]['final_test_rmse']:.2g}" for sd in no_sin]
    written = f"`{formulas[0]}`" + "".join(f", or `{f}`" for f in formulas[1:])
    return (
        f"Seeds {seeds[0]}–{seeds[-1]}: {len(exact)}/{len(seeds)} (seeds {_and(exact)}) prune to [2,1,1], get sin, x², "
        f"exp from `auto_symbolic` (the whole 29-function library) and end at test RMSE "
        f"{series(sci(per[sd]['final_test_rmse']) for sd in exact)}, with the rounded formula {written} "
        f"(sympy-equal to exp(y² + sin(3.14x)); rounded, its test RMSE is "
        f"{_same_exponent_range([per[sd]['formula_test_rmse'] for sd in exact])}, because 3.14 is not π). Seeds "
        f"{_and(wider)} prune to [2,2,1] (test RMSE {series(sci(per[sd]['final_test_rmse']) for sd in wider)}); seed"
        f"{'s' if len(no_sin) > 1 else ''} {_and(no_sin)} prune{'' if len(no_sin) > 1 else 's'} to [2,1,1] without the "
        f"sin edge (test RMSE {series(no_sin_rmse)}). Test RMSE "
        f"after each step (seed {exact[0]}): {sci(st['sparsify']['test_rmse'])} sparse, {sci(st['pruned']['test_rmse'])} "
        f"pruned and refined, {sci(st['symbolic']['test_rmse'])} snapped, {sci(st['affine']['test_rmse'])} after "
        "training the affine parameters"
    )


@template("fig_2_4", "scale")
def fig_2_4_scale(s: dict) -> str:
    jobs = load_jobs("fig_2_4", RESULTS_IN_USE[0])
    steps = {tuple(sorted(j["config"]["steps"].items())) for j in jobs}
    require(len(steps) == 1, "Fig 2.4 one recipe for every seed")
    st = dict(steps.pop())
    return (
        f"full: {len(jobs)} seeds, one job each, the library's recipe (up to {st['sparsify']} / {st['pruned']} / "
        f"refine(10) + {st['refined']} / {st['affine']} L-BFGS iterations, pykan 0.2.8's penalty and pruning "
        f"scores); {run_times(s)}"
    )


# ----------------------------------------------------------------------------- Fig 3.3
def _thousands(n: int) -> str:
    """An integer with the README's thousands separator: 20601 -> '20,601'."""
    return f"{n:,}"


def _mlp_name(width) -> str:
    """[2,100,100,100,1] -> '4×100' (weight layers × hidden width) for deep equal-width MLPs."""
    hidden = set(width[1:-1])
    return f"{len(width) - 1}×{hidden.pop()}" if len(width) > 4 and len(hidden) == 1 else shape(width)


def _sci_stat(x: dict) -> str:
    """A median and its range in the short scientific form: '4.6e-7 (3.1e-7–6.0e-7)'."""
    return f"{sci(x['median'])} ({sci(x['range'][0])}–{sci(x['range'][1])})"


def _fig_3_3_partial(s: dict) -> str:
    p = s.get("partial")
    return "" if p is None else (f"**Provisional: {p['jobs_run']} of {p['jobs_in_sweep']} jobs "
                                 f"(seeds {', '.join(str(x) for x in s['seeds'])}).** ")


@template("fig_3_3", "numbers")
def fig_3_3_numbers(s: dict) -> str:
    c = s["claims"]
    kan, mlp, per = c["kan"], c["mlp"], c["per_seed"]
    seeds = sorted(per, key=int)
    k = len(seeds)
    require(c["n_seeds"] == k, "Fig 3.3 the seeds")
    require(kan["width"] == [2, 10, 1] and mlp["width"] == [2, 100, 100, 100, 1], "Fig 3.3 the reference pair")
    ratios = [per[sd]["mlp_over_kan_l2sq"] for sd in seeds]
    require(round(c["mlp_over_kan_l2sq"]["median"], 6) == round(float(np.median(ratios)), 6), "Fig 3.3 ratio median")
    require(mlp["n_converged"] == sum(per[sd]["mlp"]["converged"] for sd in seeds), "Fig 3.3 converged count")
    mlps = sorted(c["mlps"].items(), key=lambda kv: kv[1]["n_params"])
    require(mlps[-1][1]["n_params"] == mlp["n_params"], "Fig 3.3 the widest MLP is the compared one")
    for name, m in mlps:
        require(m["n_converged"] == sum(per[sd]["mlps"][name]["converged"] for sd in seeds if name in per[sd]["mlps"]),
                f"Fig 3.3 {name} converged")
    grids = [st["G"] for st in s["stages"][f"kan_2x10x1_ni{c['n_i']}__s{seeds[0]}"]]
    slopes = {name: v["slope_l2sq"]["median"] for name, v in c["scaling_vs_params"].items() if name.startswith("kan_")}
    widths = sorted(slopes, key=lambda name: int(name.split("x")[1]))
    plateau = c["mlp_plateau_near_1e-5"]
    require(plateau == (2 * mlp["n_converged"] > k and 1e-6 <= mlp["l2sq"]["median"] <= 1e-4), "Fig 3.3 plateau test")
    falls = mlps[-1][1]["train_loss_fall_last_10pct"]
    big = c.get("kan_paper_scale")
    text = (
        f"{_fig_3_3_partial(s)}Seeds {seeds[0]}–{seeds[-1]}; medians over seeds (range). **n_i={_thousands(c['n_i'])}:** "
        f"KAN [2,10,1], G={'→'.join(str(g) for g in grids)}, {kan['steps']} iterations: L2² {_sci_stat(kan['l2sq'])}, "
        f"H1² {_sci_stat(kan['h1sq'])} ({kan['n_params']} params). MLP 4×100 ({_thousands(mlp['n_params'])} params) "
        f"trained to the convergence rule (cap {_thousands(mlps[-1][1]['cap'])} iterations): stopped by the rule on "
        f"{count(mlp['n_converged'], k)} seeds (training loss still falling {percent(falls['median'], 0)} % over its "
        f"last 10 %, median), L2² {_sci_stat(mlp['l2sq'])}, H1² {_sci_stat(mlp['h1sq'])}: "
        f"**{sci(c['mlp_over_kan_l2sq']['median'])}× the KAN's L2²** ({sci(c['mlp_over_kan_l2sq']['range'][0])}–"
        f"{sci(c['mlp_over_kan_l2sq']['range'][1])}; H1²: {sci(c['mlp_over_kan_h1sq']['median'])}×), the KAN below on "
        f"{count(c['n_kan_below_mlp_l2sq'], k)} seeds; the KAN passes the MLP's final L2² at iteration "
        f"{c['kan_steps_to_mlp_final_l2sq']['median']:g} (median). "
    )
    if big is not None:
        text += (f"**n_i={_thousands(big['n_i'])} (paper), seed{'s' if len(big['seeds']) > 1 else ''} "
                 f"{', '.join(str(x) for x in big['seeds'])}:** KAN L2² {sci(big['l2sq']['median'])}, H1² "
                 f"{sci(big['h1sq']['median'])}. ")
    text += (f"KAN L2² vs params slope {fixed(max(slopes.values()), 1)} to {fixed(min(slopes.values()), 1)} "
             f"({series(shape([2, int(name.split('x')[1]), 1]) for name in widths)} over G, medians). ")
    if "mlp" in c["scaling_vs_params"]:
        sweep = c["scaling_vs_params"]["mlp"]["n_seeds"]
        text += (
            f"MLPs {' / '.join(_mlp_name([int(w) for w in name.split('x')]) for name, _ in mlps)}, caps "
            f"{' / '.join(_thousands(m['cap']) for _, m in mlps)}: L2² {' / '.join(sci(m['l2sq']['median']) for _, m in mlps)}, "
            f"stopped by the rule on {' / '.join(count(m['n_converged'], m['n_seeds']) for _, m in mlps)} seeds, after "
            f"{' / '.join(_thousands(round(m['steps']['median'])) for _, m in mlps)} iterations (median); MLP slope "
            f"{fixed(c['scaling_vs_params']['mlp']['slope_l2sq']['median'], 2)}"
            + (f" (seed {seeds[0]})" if sweep == 1 else "") + ". "
        )
    else:
        text += "The MLP width sweep did not run (no MLP slope). "
    return text + "The paper's MLP plateau near 1e-5: " + ("seen" if plateau else "not seen")


@template("fig_3_3", "scale")
def fig_3_3_scale(s: dict) -> str:
    jobs = load_jobs("fig_3_3", RESULTS_IN_USE[0])
    cfg = [j["config"] for j in jobs]
    shared = {(c["n_b"], c["alpha"]) for c in cfg}
    require(len(shared) == 1, "Fig 3.3 one n_b and α")
    n_b, alpha = shared.pop()
    kan_steps = {c["steps"] for c in cfg if c["kind"] == "kan"}
    require(len(kan_steps) == 1, "Fig 3.3 one KAN budget")
    require({c["activation"] for c in cfg if c["kind"] == "mlp"} == {"tanh"}, "Fig 3.3 tanh MLPs")
    rules = {json.dumps(c["converged"], sort_keys=True) for c in cfg if c["kind"] == "mlp"}
    require(len(rules) == 1, "Fig 3.3 one convergence rule")
    rule = json.loads(rules.pop())
    caps = [c for _, c in sorted({(sum(c["width"]), c["steps"]) for c in cfg if c["kind"] == "mlp"})]
    small = min(c["n_i"] for c in cfg)
    large = [c for c in cfg if c["n_i"] > small]
    require(all(c["width"] == [2, 10, 1] for c in large)
            and all(c["n_i"] == small for c in cfg if c["kind"] == "mlp"), "Fig 3.3 only [2,10,1] at the large n_i")
    side = round(small ** 0.5)
    require(side * side == small, "Fig 3.3 a square mesh")
    total = s["provenance"]["total"]
    require(total["jobs"] == len(jobs) and total["jobs_not_recorded"] == 0, "Fig 3.3 every job's CPU time")
    big = (f", the [2,10,1] KAN also at n_i={_thousands(large[0]['n_i'])} (seed "
           f"{', '.join(str(c['seed']) for c in large)})") if large else ""
    mlp_widths = {tuple(c["width"]) for c in cfg if c["kind"] == "mlp"}
    pair_seeds = sorted({c["seed"] for c in cfg if c["kind"] == "mlp"})
    sweep = sorted({tuple(c["width"]) for c in cfg if c["kind"] == "kan" and c["width"] != [2, 10, 1]})
    sweep_seeds = sorted({c["seed"] for c in cfg if c["kind"] == "kan" and c["width"] != [2, 10, 1]})
    if len(mlp_widths) == 1:
        what = (f"the KAN [2,10,1] and the MLP 4×100 on seeds {', '.join(map(str, pair_seeds))}, the KANs "
                f"{', '.join(shape(w) for w in sweep)} on seed{'s' if len(sweep_seeds) > 1 else ''} "
                f"{', '.join(map(str, sweep_seeds))}, at")
        caps_text = f"cap {_thousands(caps[0])}; no MLP width sweep (it did not fit the time)"
    else:
        mlp_sweep = sorted((w for w in mlp_widths if list(w) != [2, 100, 100, 100, 1]), key=sum)
        mlp_sweep_seeds = sorted({c["seed"] for c in cfg if c["kind"] == "mlp" and c["width"] != [2, 100, 100, 100, 1]})
        require(mlp_sweep_seeds == sweep_seeds, "Fig 3.3 the KAN and MLP sweeps on the same seeds")
        what = (f"the KAN [2,10,1] and the MLP 4×100 on seeds {', '.join(map(str, pair_seeds))}, the KANs "
                f"{', '.join(shape(w) for w in sweep)} and MLPs {', '.join(shape(w) for w in mlp_sweep)} on "
                f"seed{'s' if len(sweep_seeds) > 1 else ''} {', '.join(map(str, sweep_seeds))}, at")
        caps_text = f"caps {' / '.join(_thousands(x) for x in caps)}"
    return (
        f"reduced: {what} n_i={_thousands(small)} ({side}×{side} mesh){big}; n_b={n_b}, "
        f"α={alpha:g}; {kan_steps.pop()} L-BFGS iterations per grid; MLPs (tanh) trained until the loss changes by < "
        f"{percent(rule['rel'], 0)} % over the last {percent(rule['fraction'], 0)} % of the iterations (after ≥ "
        f"{rule['min_steps']}), {caps_text}. {seconds(total['cpu_seconds'])} of CPU "
        f"({round(total['wall_seconds'] / 60)} min wall on a loaded machine)"
    )


# ----------------------------------------------------------------------------- Fig 3.4
@template("fig_3_4", "numbers")
def fig_3_4_numbers(s: dict) -> str:
    c, errors = s["claims"], s["errors"]
    kan, mlp = c["kan"], c["mlp"]
    jobs = {j["config"]["job"]: j for j in load_jobs("fig_3_4", RESULTS_IN_USE[0])}
    grid = jobs["kan"]["config"]["grid"]
    require(jobs["kan"]["n_params"] == grid + 3, "Fig 3.4 the KAN is one cubic edge, [1,1]")
    n = len(errors["kan"])
    require(kan["max_error_all_peaks_after_last_phase"] == max(errors["kan"][-1]), "Fig 3.4 KAN errors after the last phase")
    require(kan["max_error_growth_after_learning"] <= 0.0, "Fig 3.4 no KAN peak's error rises")
    rmse = {sci(x) for x in kan["train_rmse_per_phase"]}
    require(len(rmse) == 1, "Fig 3.4 one KAN train RMSE for every phase")
    middle = errors["mlp"][-1][1:-1]
    return (
        f"KAN [1,1], G={grid}, only spline coefficients trained (`base=\"zero\"`): after phase {n}, max error "
        f"on every peak {sci(kan['max_error_all_peaks_after_last_phase'])}, and no peak's error rises after the "
        f"phase that learned it; train RMSE {rmse.pop()} per phase (the paper-era log: ~4e-6). MLP "
        f"{shape(jobs['mlp']['config']['width'])} {jobs['mlp']['config']['activation']}: peak-1 error "
        f"{sci(mlp['peak1_error_after_phase1'])} after phase 1, {mlp['peak1_error_after_last_phase']:.1f} after "
        f"phase {n}; {min(middle):.0f}–{max(middle):.0f} on peaks 2–{n - 1}"
    )


@template("fig_3_4", "scale")
def fig_3_4_scale(s: dict) -> str:
    jobs = load_jobs("fig_3_4", RESULTS_IN_USE[0])
    steps = {j["config"]["steps"] for j in jobs} | {s["steps_per_phase"]}
    seeds = {j["config"]["seed"] for j in jobs}
    require(len(steps) == 1 and len(seeds) == 1, "Fig 3.4 one iteration limit and seed")
    its = s["claims"]["kan"]["iterations_per_phase"]
    require(sum(j["cpu_seconds"] for j in jobs) <= provenance_total(s)["cpu_seconds"], "Fig 3.4 the jobs' CPU within the record's")
    return (
        f"paper scale: {len(its)} phases × 100 samples, up to {_thousands(steps.pop())} L-BFGS iterations per "
        f"phase (the KAN converges in {min(its)}–{max(its)}), seed {seeds.pop()}; "
        f"{run_times(s)}"
    )


# ----------------------------------------------------------------------------- Fig 4.2
def _seed_list(seeds, sep: str = ",") -> str:
    return sep.join(str(sd) for sd in seeds)


@template("fig_4_2", "numbers")
def fig_4_2_numbers(s: dict) -> str:
    frozen, trainable = s["claims"]["frozen"], s["claims"]["trainable"]
    fg, tg = frozen["seeds_by_group"], trainable["seeds_by_group"]
    seeds = frozen["seeds_scanned"]
    require(seeds == list(range(seeds[0], seeds[-1] + 1)) == trainable["seeds_scanned"],
            "Fig 4.2 consecutive seeds, the same for both heads")
    require("x4,x5" not in fg and "x1,x2,x3" in fg, "Fig 4.2 fixed head: {x1,x2,x3}, never {x4,x5} alone")
    require({"x1,x2,x3", "x4,x5"} <= set(tg), "Fig 4.2 trainable head: both groups")
    runs = {r["job"]: r for r in s["runs"]}
    # a run learned a relation when its test MSE is far below 0.25, the score of answering 1/2 everywhere
    mse = {v: {int(sd): m for sd, m in s["claims"][v]["test_mse_by_seed"].items()} for v in ("frozen", "trainable")}
    learned = {v: [sd for sd in seeds if mse[v][sd] < 0.1] for v in ("frozen", "trainable")}
    blank = [mse["frozen"][sd] for sd in seeds if sd not in learned["frozen"]]
    require(min(blank) >= 0.25, "Fig 4.2 the fixed head's other runs no better than answering 1/2")
    # the fixed head's learned mixed groups: x4 and x5 both active, with part of x1, x2, x3
    mixed = [sd for sd in fg.get("other", []) if sd in learned["frozen"]]
    require(all({3, 4} <= set(runs[f"frozen_seed{sd}"]["group"]) and set(runs[f"frozen_seed{sd}"]["group"]) & {0, 1, 2}
                for sd in mixed), "Fig 4.2 fixed head: x4, x5 only with part of x1–x3")
    require(len(learned["frozen"]) == len(fg["x1,x2,x3"]) + len(mixed), "Fig 4.2 fixed head: what the learned runs found")
    n = len(seeds)
    return (
        f"Success rates over seeds {seeds[0]}–{seeds[-1]}. Gaussian head fixed (default): {{x1,x2,x3}} on "
        f"{len(fg['x1,x2,x3'])}/{n} seeds; {{x4,x5}} alone on 0/{n}, x4 and x5 only together with part of "
        f"{{x1,x2,x3}} ({len(mixed)}/{n}: seeds {_seed_list(mixed, ', ')}); nothing learned on the other "
        f"{len(blank)}/{n} (test MSE {min(blank):.4f}–{max(blank):.4f}, no better than answering 1/2 everywhere). "
        f"Gaussian trainable as in pykan: {{x1,x2,x3}} on {len(tg['x1,x2,x3'])}/{n}, {{x4,x5}} on "
        f"{len(tg['x4,x5'])}/{n}, other groups on {len(tg.get('other', []))}/{n}, a single edge on "
        f"{len(tg.get('none', []))}/{n}; a relation learned (test MSE < 0.1) on {len(learned['trainable'])}/{n}"
    )


@template("fig_4_2", "scale")
def fig_4_2_scale(s: dict) -> str:
    jobs = load_jobs("fig_4_2", RESULTS_IN_USE[0])
    steps = {j["config"]["steps"] for j in jobs}
    variants = sorted({j["config"]["variant"] for j in jobs})
    seeds = {j["config"]["seed"] for j in jobs}
    require(len(steps) == 1 and len(jobs) == len(variants) * len(seeds), "Fig 4.2 a full seed × head grid")
    require(round(sum(j["cpu_seconds"] for j in jobs), 6) == round(s["job_cpu_seconds"], 6), "Fig 4.2 CPU seconds")
    # the provenance record times each job from outside, so it includes the job's own time
    require(s["job_cpu_seconds"] <= provenance_total(s)["cpu_seconds"], "Fig 4.2 the jobs' CPU within the record's")
    iterations = [j["iterations"] for j in jobs]
    return (
        f"500+500 train rows, [6,1,1], G=3, up to {steps.pop()} L-BFGS iterations (the runs stop after "
        f"{min(iterations)}–{max(iterations)}), {len(seeds)} seeds × {len(variants)} head settings = {len(jobs)} "
        f"jobs; {run_times(s)}"
    )


# ----------------------------------------------------------------------------- Fig 4.3
# The knot invariants as the README writes them (the column names of the regenerated table).
_KNOT_NAMES = {
    "meridinal_translation_real": "μ_r", "meridinal_translation_imag": "μ_i",
    "longitudinal_translation": "λ", "short_geodesic_imag_part": "g_i",
    "short_geodesic_real_part": "g_r", "volume": "vol", "cusp_volume": "cusp volume",
}


def _knot_name(column: str) -> str:
    """A knot table column as the README writes it: 'μ_r', or 'symmetry D4' for a one-hot column."""
    if column.startswith("Symmetry_"):
        return "symmetry " + column[len("Symmetry_"):]
    require(column in _KNOT_NAMES, f"Fig 4.3 a short name for {column}")
    return _KNOT_NAMES[column]


_ABLATION_WORDS = {"mu_r,mu_i,lambda": "(μ_r, μ_i, λ)", "mu_r": "μ_r", "mu_i": "μ_i", "lambda": "λ",
                   "all but mu_r,mu_i,lambda": "all but those three"}


def _pct_spread(stat: dict) -> str:
    """A median-and-range accuracy statistic as '80.5 % (63.5…80.6)'."""
    return f"{percent(stat['median'])} % ({percent(stat['min'])}…{percent(stat['max'])})"


@template("fig_4_3", "numbers")
def fig_4_3_numbers(s: dict) -> str:
    c = s["claims"]
    kan_all = [j for j in s["jobs"] if j["config"]["subset_job"] == "kan_all"]
    require(len(kan_all) == c["n_seeds"] >= 3, "Fig 4.3 one KAN on all inputs per seed, at least 3 seeds")
    n_inputs, n_class = len(kan_all[0]["config"]["features"]), kan_all[0]["n_class"]
    top = [_knot_name(name) for name in c["input_ranking"][:5]]
    # the split keeps int(0.75 N) rows for training; only one N gives the recorded count
    n_train = kan_all[0]["n_train"]
    n_knots = [n for n in range(int(n_train / 0.75) - 2, int(n_train / 0.75) + 3) if int(0.75 * n) == n_train]
    require(len(n_knots) == 1, "Fig 4.3 the knot count follows from the training rows")
    abl = c["ablation_test_acc"]
    require(list(abl) == ["all"] + list(_ABLATION_WORDS), "Fig 4.3 the ablation subsets")
    n = c["n_seeds"]
    firsts = [_knot_name(f) for f in c["first_input_per_seed"]]
    return (
        f"{s['data']}: {_thousands(n_knots[0])} knots, {n_inputs} inputs, {n_class} classes; seeds "
        f"{c['seeds'][0]}–{c['seeds'][-1]}. Input ranking by the median relative \|φ\|₁: {series(top)}, …; "
        f"μ_r first on {count(c['mu_r_first'], n)} seeds (first inputs: {series(firsts)}), in the top two on "
        f"{count(c['mu_r_top_two'], n)}. Ablation test accuracy, median (range): all {_pct_spread(abl['all'])}, "
        + ", ".join(f"{_ABLATION_WORDS[k]} {_pct_spread(abl[k])}" for k in _ABLATION_WORDS)
    )


@template("fig_4_3", "scale")
def fig_4_3_scale(s: dict) -> str:
    kans = [j for j in s["jobs"] if j["config"]["model"] == "kan"]
    steps = {j["config"]["steps"] for j in kans}
    n_class = {j["n_class"] for j in s["jobs"]}
    require(len(steps) == 1 and len(n_class) == 1, "Fig 4.3 one KAN recipe")
    require(len(s["jobs"]) == len(kans) + s["claims"]["n_seeds"], "Fig 4.3 one MLP per seed")
    return (
        f"75/12.5/12.5 split (seed 2), z-scored; KANs [d,1,{n_class.pop()}], G=3, up to {steps.pop()} L-BFGS "
        f"iterations; {s['claims']['n_seeds']} seeds; {run_times(s)}, MLPs included"
    )


def _mlp_params(width) -> int:
    """Weights and biases of a fully connected network of layer widths ``width``."""
    return sum(a * b + b for a, b in zip(width, width[1:]))


@template("fig_4_3", "table_four")
def table_4_numbers(s: dict) -> str:
    c = s["claims"]
    n = c["n_seeds"]
    kans = [j for j in s["jobs"] if j["config"]["subset_job"] == "kan_all"]
    mlps = [j for j in s["jobs"] if j["config"]["model"] == "mlp"]
    require(len(kans) == len(mlps) == n, "Table 4 one KAN on all inputs and one MLP per seed")
    n_in, n_class = len(kans[0]["config"]["features"]), kans[0]["n_class"]
    require({j["n_params"] for j in kans} == {c["kan_params"]}, "Table 4 the KAN's parameters")
    require(sorted(j["test_acc"] for j in kans) == sorted(v["kan_test_acc"] for v in c["per_seed"].values()),
            "Table 4 the KANs on all inputs")
    require(mlps[0]["config"]["features"] == kans[0]["config"]["features"], "Table 4 both models on the same inputs")
    # the MLP's width is not stored; its parameter count pins it to three hidden layers of 300
    width = [n_in, 300, 300, 300, n_class]
    require({j["n_params"] for j in mlps} == {c["mlp_params"]} and c["mlp_params"] == _mlp_params(width),
            "Table 4 the MLP is [15,300,300,300,10]")
    curves = load_jobs_by_name("fig_4_3", RESULTS_IN_USE[0])
    best_steps = []
    for j in mlps:
        curve = curves[j["config"]["job"]]["val_curve"]
        best_step, best_val = max(curve, key=lambda point: point[1])
        require(best_val == j["val_acc"] and curve[-1][0] == j["steps"], "Table 4 the MLP keeps its best validation step")
        best_steps.append(best_step)
    require(round(c["param_ratio"], 2) == round(c["mlp_params"] / c["kan_params"], 2), "Table 4 the ratio")
    above = sum(m["test_acc"] > k["test_acc"] for k, m in zip(sorted(kans, key=lambda j: j["config"]["seed"]),
                                                             sorted(mlps, key=lambda j: j["config"]["seed"])))
    require(above == n - c["kan_at_least_mlp_seeds"], "Table 4 the seeds where the MLP is above the KAN")
    return (
        f"KAN {shape([n_in, 1, n_class])}, {c['kan_params']} params: **{_pct_spread(c['kan_test_acc'])}**. MLP "
        f"{shape(width)} (tanh ≡ sigmoid up to affine maps), {_thousands(c['mlp_params'])} params, Adam lr 1e-3 "
        f"batch 64, early-stopped on validation (best at steps {_thousands(min(best_steps))}–"
        f"{_thousands(max(best_steps))}): **{_pct_spread(c['mlp_test_acc'])}**; median (range) over "
        f"{n} seeds, the MLP above the KAN on {count(above, n)}. Ratio of parameters {c['param_ratio']:.0f}"
    )


# ----------------------------------------------------------------------------- Fig 4.4
def _active_runs(claims: dict, keep: Callable[[set], bool]) -> int:
    """How many runs of one variable set ended with an active set for which ``keep`` holds."""
    return sum(n for names, n in claims["active_sets"].items() if keep(set(names.split(", "))))


@template("fig_4_4", "numbers")
def fig_4_4_numbers(s: dict) -> str:
    every, cont = s["claims"]["all"], s["claims"]["continuous"]
    jobs = load_jobs("fig_4_4", RESULTS_IN_USE[0])
    n_all = {len(j["scores"]) for j in jobs if j["config"].get("variables") is None}
    n_cont = {len(j["scores"]) for j in jobs if j["config"].get("variables") == "continuous"}
    require(len(n_all) == 1 and len(n_cont) == 1, "Fig 4.4 one variable count per set")
    n_all, n_cont = n_all.pop(), n_cont.pop()
    for claims in (every, cont):
        require(sum(claims["active_sets"].values()) == claims["n_runs"], "Fig 4.4 every run has an active set")
    sig_no_lam, onehot, onehot_alone = _knot_relation_counts(every, "Fig 4.4")
    mu_r, lam, sig = "meridinal_translation_real", "longitudinal_translation", "signature"
    sig_alone = cont["active_sets"].get(f"{mu_r}, {sig}", 0)
    require(cont["cluster_runs"]["signature"] == 0, "Fig 4.4 no full signature cluster without one-hot columns")
    cusp = {"cusp_volume", "meridinal_translation_imag", lam}
    require(cont["cluster_runs"]["cusp volume"] == _active_runs(cont, lambda a: cusp <= a),
            "Fig 4.4 the cusp-volume cluster is V, μ_i and λ")
    return (
        f"{s['data']}. All {n_all} variables ([{n_all},1,1], {every['n_runs']} runs): {{g_r, r}} in "
        f"{every['cluster_runs']['geodesic']} runs, {{σ, μ_r, λ}} in {every['cluster_runs']['signature']}, σ with "
        f"μ_r but not λ in {sig_no_lam} more; the cusp-volume cluster in "
        f"{every['cluster_runs']['cusp volume'] or 'none'}; one-hot symmetry columns (dependent among themselves) "
        f"are active in {onehot} runs, alone in {onehot_alone}. Without the one-hot columns ([{n_cont},1,1], "
        f"{cont['n_runs']} runs): {{g_r, r}} in {cont['cluster_runs']['geodesic']}, {{σ, μ_r}} alone in "
        f"{sig_alone}, and {{V, μ_i, λ}}, the cusp volume λ·Im(μ)/2 of our file's naming, in "
        f"{cont['cluster_runs']['cusp volume']}"
    )


def _knot_relation_counts(every: dict, what: str) -> Tuple[int, int, int]:
    """Runs of a Fig 4.4 sweep with σ and μ_r active but not λ, with any one-hot symmetry column
    active, and with only those columns; checked first: its signature cluster is σ, μ_r, λ together."""
    sig, mu_r, lam = "signature", "meridinal_translation_real", "longitudinal_translation"
    require(every["cluster_runs"]["signature"] == _active_runs(every, lambda a: {sig, mu_r, lam} <= a),
            f"{what}: the signature cluster is σ, μ_r and λ active together")
    return (_active_runs(every, lambda a: {sig, mu_r} <= a and lam not in a),
            _active_runs(every, lambda a: any(v.startswith("Symmetry_") for v in a)),
            _active_runs(every, lambda a: all(v.startswith("Symmetry_") for v in a)))


def _fig_4_4_paper_jobs(s: dict) -> list:
    """The paper-scale slice's jobs, checked to be what the summary says it ran."""
    jobs = load_jobs("fig_4_4_paper", RESULTS_IN_USE[0])
    require(s["scale_name"] == "paper" and s["scale"]["rows"] is None, "Fig 4.4 paper scale: every knot")
    require(len(jobs) == s["n_jobs"] == s["claims"]["all"]["n_runs"], "Fig 4.4 paper scale: the summary covers its jobs")
    require(all(j["config"].get("variables") is None for j in jobs), "Fig 4.4 paper scale: all variables")
    return jobs


@template("fig_4_4_paper", "numbers")
def fig_4_4_paper_numbers(s: dict) -> str:
    jobs = _fig_4_4_paper_jobs(s)
    partial, every = s["partial"], s["claims"]["all"]
    require(partial is None or (partial["provisional"] and partial["jobs_run"] == len(jobs)),
            "Fig 4.4 paper scale: the whole sweep or a provisional slice")
    n = every["n_runs"]
    sig_no_lam, onehot, onehot_alone = _knot_relation_counts(every, "Fig 4.4 paper scale")
    seeds = sorted({j["config"]["seed"] for j in jobs})
    lambdas = sorted({j["config"]["lamb"] for j in jobs}, reverse=True)
    require(len(jobs) == len(seeds) * len(lambdas), "Fig 4.4 paper scale: a full λ × seed grid")
    c = every["cluster_runs"]
    return (
        (f"**Paper scale, provisional** ({len(jobs)} of the {partial['jobs_in_sweep']} runs: seeds " if partial
         else f"**Paper scale** (all {len(jobs)} runs: seeds ")
        + f"{seeds[0]}–{seeds[-1]} × λ ∈ {{{', '.join(_lambda(x) for x in lambdas)}}}, all 16 variables, every "
        f"knot): {{g_r, r}} in {c['geodesic']}/{n} runs, {{σ, μ_r, λ}} in {c['signature']}/{n}, σ with μ_r but "
        f"not λ in {sig_no_lam}/{n}, the cusp-volume cluster in {c['cusp volume']}/{n}; one-hot symmetry "
        f"columns active in {onehot}/{n}, alone in {onehot_alone}/{n}. Per λ: "
        + "; ".join(f"{_lambda(float(lamb))}: {{g_r, r}} {v['cluster_rate']['geodesic']}, {{σ, μ_r, λ}} "
                    f"{v['cluster_rate']['signature']}" for lamb, v in every["by_lambda"].items())
    )


@template("fig_4_4_paper", "scale")
def fig_4_4_paper_scale(s: dict) -> str:
    jobs = _fig_4_4_paper_jobs(s)
    steps = {j["config"]["steps"] for j in jobs}
    require(len(steps) == 1, "Fig 4.4 paper scale: one iteration budget")
    total = provenance_total(s)
    require(round(total["cpu_seconds"], 6) >= round(sum(j["cpu_seconds"] for j in jobs), 6),
            "Fig 4.4 paper scale: the jobs' CPU within the record's")
    its = [j["iterations"] for j in jobs]
    # CPU per iteration from the runs with one BLAS thread: a run whose BLAS threads shared the
    # two cores with other processes records their idle spinning as CPU time too
    single = [j for j in jobs if j["job_record"]["blas_threads"]["OPENBLAS_NUM_THREADS"] == "1"]
    require(len(single) >= len(jobs) // 2, "Fig 4.4 paper scale: most runs with one BLAS thread")
    cpu = [j["cpu_seconds"] for j in single]
    per_it = [j["cpu_seconds"] / j["iterations"] for j in single]
    others = len(jobs) - len(single)
    done = (f"provisional slice, {s['partial']['jobs_run']}/{s['partial']['jobs_in_sweep']} runs" if s["partial"]
            else f"all {len(jobs)} runs")
    return (
        f"paper scale ({done}): "
        f"[16,1,1] on every knot of the file, up to {steps.pop()} L-BFGS iterations (the runs stop after "
        f"{min(its)}–{max(its)}, median {np.median(its):.0f}); on the {len(single)} runs with one BLAS thread "
        f"{1000 * sum(cpu) / sum(j['iterations'] for j in single):.0f} ms of CPU per iteration "
        f"({1000 * np.percentile(per_it, 10):.0f}–{1000 * np.percentile(per_it, 90):.0f} ms for the middle "
        f"80 % of runs; line searches vary), "
        f"{min(cpu):.0f}–{max(cpu):.0f} s per run (median {np.median(cpu):.0f} s), {short_seconds(sum(cpu))} in all"
        + (f"; the other {others} ran with two BLAS threads beside other processes, which inflates their "
           f"recorded CPU ({short_seconds(total['cpu_seconds'] - sum(cpu))})" if others else "")
        + f"; the runs' wall times sum to {seconds(total['wall_seconds'])} (a sweep resumes from the "
        f"job store, so the invocation's own wall time says nothing)"
    )


@template("fig_4_4", "scale")
def fig_4_4_scale(s: dict) -> str:
    jobs = load_jobs("fig_4_4", RESULTS_IN_USE[0])
    cfg = [j["config"] for j in jobs]
    lambdas = sorted({c["lamb"] for c in cfg}, reverse=True)
    seeds = sorted({c["seed"] for c in cfg})
    sets = {c.get("variables") for c in cfg}
    rows, steps = {c["rows"] for c in cfg}, {c["steps"] for c in cfg}
    require(len(jobs) == len(lambdas) * len(seeds) * len(sets) and len(rows) == 1 and len(steps) == 1,
            "Fig 4.4 a full λ × seed × variable-set grid")
    require(seeds == list(range(seeds[0], seeds[-1] + 1)), "Fig 4.4 consecutive seeds")
    return (
        f"λ ∈ {{{', '.join(_lambda(x) for x in lambdas)}}} × seeds {seeds[0]}–{seeds[-1]} × {len(sets)} variable "
        f"sets = {len(jobs)} runs (the paper: 200) on {rows.pop()} knots, {steps.pop()} L-BFGS iterations, μ₂ = 10, "
        f"the paper-era penalty; {CPU_NOT_RECORDED} (the jobs' wall times sum to "
        f"{seconds(sum(j['seconds'] for j in jobs))} on a loaded machine)"
    )


# ----------------------------------------------------------------------------- Fig 4.5
@template("fig_4_5", "numbers")
def fig_4_5_numbers(s: dict) -> str:
    c = s["claims"]
    require(c["within_5_percent"] == (c["edge_rel_err_max"] <= 0.05), "Fig 4.5 the 5 % flag")
    lo, hi = c["constrained_abs_E"]
    return (
        f"Test accuracy {percent(c['test_acc'])} % (the exact rule scores {percent(c['theory_acc_test'])} % on our "
        f"labels). The learned edge is within {percent(c['edge_rel_err_max'])} % (max) of 2/\\|E\\|, median "
        f"{percent(c['edge_rel_err_median'])} %, over the {c['n_constrained_E']} grid energies with \\|E\\| from "
        f"{lo:.2f} to {hi:.2f} where states lie within 15 % on both sides of the edge; outside that band the data "
        "cannot place the edge"
    )


@template("fig_4_5", "scale")
def fig_4_5_scale(s: dict) -> str:
    sc = s["scale"]
    jobs = load_jobs("fig_4_5", RESULTS_IN_USE[0])
    require(len(jobs) == 1 and all(jobs[0]["config"][k] == v for k, v in sc.items()), "Fig 4.5 one job at this scale")
    job = jobs[0]
    require(job["n_train"] == sc["train_draws"] * sc["N"] and job["n_test"] == sc["test_draws"] * sc["N"],
            "Fig 4.5 N states per draw")
    require(job["n_train"] % 1000 == 0 and job["n_test"] % 1000 == 0, "Fig 4.5 whole thousands of states")
    require(job["optimizer"].startswith("converged") and len(job["train_loss"]) < sc["steps"],
            "Fig 4.5 L-BFGS converged before the iteration limit")
    require(job["cpu_seconds"] == s["cpu_seconds_job"] <= provenance_total(s)["cpu_seconds"], "Fig 4.5 CPU seconds")
    return (
        f"KAN [2,1,1] (the sigmoid on a second layer), G = 20, up to {sc['steps']} L-BFGS iterations (converged "
        f"within {len(job['train_loss'])}), MSE; N = {sc['N']}, {sc['train_draws']} training and {sc['test_draws']} "
        f"test draws ({job['n_train'] // 1000}k / {job['n_test'] // 1000}k states); {run_times(s)}"
    )


# ----------------------------------------------------------------------------- Fig 4.6
_SYMBOLS = {"alpha": "α", "lambda": "λ", "E": "E"}
_SUPER = {"2": "²", "3": "³", "4": "⁴"}


def _monomial(term: str) -> Tuple[str, int]:
    """'*alpha**2*lambda' -> ('α²λ', 3): the README's name of a polynomial term and its degree."""
    name, degree = "", 0
    for factor in re.findall(r"\*([A-Za-z]+)(?:\*\*(\d))?", term):
        symbol, power = factor
        name += _SYMBOLS[symbol] + _SUPER.get(power, "")
        degree += int(power or 1)
    return name, degree


def _polynomial_terms(formula: str) -> Dict[str, Tuple[float, int]]:
    """The terms of 'c1*x**2 - c2*y + c0 = 0' as {monomial: (coefficient, degree)}; the constant is '1'."""
    lhs = formula.split("=")[0].replace(" ", "")
    terms: Dict[str, Tuple[float, int]] = {}
    for sign, coef, term in re.findall(r"([+-]?)(\d+\.?\d*)((?:\*[A-Za-z]+(?:\*\*\d)?)*)", lhs):
        value = float(coef) * (-1.0 if sign == "-" else 1.0)
        name, degree = _monomial(term) if term else ("1", 0)
        require(name not in terms, f"Fig 4.6 term {name} once in the formula")
        terms[name] = (value, degree)
    return terms


@template("fig_4_6", "numbers")
def fig_4_6_numbers(s: dict) -> str:
    g, m = s["claims"]["gaam"], s["claims"]["maam"]
    coef = g["coefficients_normalised"]
    require(coef["lambda"] == 2.0, "Fig 4.6 GAAM formula normalised to λ coefficient 2")
    terms = _polynomial_terms(g["formula"])
    require(abs(terms["Eα"][0] - coef["alpha*E"]) < 1e-3 and abs(terms["1"][0] - coef["1"]) < 1e-3,
            "Fig 4.6 the formula carries the normalised coefficients")
    require(max(d for _, d in terms.values()) == 4, "Fig 4.6 the GAAM formula is quartic")
    # the other terms whose coefficient is at least a quarter of λ's, largest first
    extra = sorted((n for n in terms if n not in ("Eα", "λ", "1") and abs(terms[n][0]) >= 0.5),
                   key=lambda n: -abs(terms[n][0]))
    jobs = {j["config"]["job"]: j for j in load_jobs("fig_4_6", RESULTS_IN_USE[0])}
    require(jobs["maam"]["pruned_width_by_threshold"] == 2, "Fig 4.6 MAAM prunes to [4,2,1,1]")
    require(m["cosh_beats_quadratic"] == (m["step4A_cosh"] > m["step4B_quadratic"]), "Fig 4.6 cosh flag")
    return (
        f"GAAM: φ's strongest edge is {g['phi_relative_strength']:.2g} of the strongest edge; the snapped "
        f"formula's sign agrees with αE + 2λ − 2 on {percent(g['formula_theory_agreement'])} % of test inputs; "
        f"the formula is quartic, normalised to λ coefficient 2: αE {coef['alpha*E']:.2f} (theory 1), constant "
        f"{fixed(coef['1'], 2)} (theory −2), plus {series(extra[:-1])} and {extra[-1]} terms. MAAM: φ's strongest "
        f"edge {m['phi_relative_strength']:.2g}; [4,2,1,1] {percent(m['width_4x2'])} % against [4,3,1,1] "
        f"{percent(m['step1_4x3'])} %; pruning at 1e-2 gives [4,2,1,1]; cosh {percent(m['step4A_cosh'])} % against "
        f"quadratic {percent(m['step4B_quadratic'])} %"
    )


def _thousands_k(n: int) -> str:
    """18000 -> '18k', 3600 -> '3.6k'."""
    return f"{n / 1000:g}k"


@template("fig_4_6", "scale")
def fig_4_6_scale(s: dict) -> str:
    sc = s["scale"]
    jobs = {j["config"]["job"]: j for j in load_jobs("fig_4_6", RESULTS_IN_USE[0])}
    shared = ("train_draws", "test_draws", "states_per_draw", "steps", "snap_steps")
    require(all(j["config"][k] == sc[k] for j in jobs.values() for k in shared), "Fig 4.6 one scale for all jobs")
    n_train = {j["n_train"] for j in jobs.values()}
    n_test = {j["n_test"] for j in jobs.values()}
    require(n_train == {sc["train_draws"] * sc["states_per_draw"]} and n_test == {sc["test_draws"] * sc["states_per_draw"]},
            "Fig 4.6 draws × states")
    e_box = jobs["gaam"]["input_box"]
    require(max(abs(e_box[0][1]), abs(e_box[1][1])) <= 4.0, "Fig 4.6 GAAM states with |E| ≤ 4")
    cpu = s["cpu_seconds_jobs"]
    require(set(cpu) == set(jobs) and all(abs(cpu[k] - jobs[k]["cpu_seconds"]) < 1e-6 for k in jobs),
            "Fig 4.6 CPU seconds per job")
    return (
        f"G = 5, λ = 1e-3, {sc['steps']} + {sc['snap_steps']} L-BFGS iterations, MSE; N = {jobs['gaam']['config']['N']} "
        f"(GAAM) / {jobs['maam']['config']['N']} (MAAM); {sc['train_draws']} training and {sc['test_draws']} test "
        f"draws × {sc['states_per_draw']} random states each ({_thousands_k(n_train.pop())} / "
        f"{_thousands_k(n_test.pop())}); GAAM drops the states with \\|E\\| > 4; {seconds(sum(cpu.values()))} of CPU"
    )


# ----------------------------------------------------------------------------- Fig 3.2
# Names of the special functions as the README writes them.
_FIG_3_2_NAMES = {
    "lpmv_m0": "lpmv m=0",
    "lpmv_m1": "lpmv m=1",
    "lpmv_m2": "lpmv m=2",
}


def _fig_3_2_names(keys) -> str:
    keys = list(keys)
    m0 = ["sph_harm_m0_n1", "sph_harm_m0_n2"]
    words = [_FIG_3_2_NAMES.get(k, k) for k in keys if k not in m0]
    if all(k in keys for k in m0):
        words.append("both m=0 harmonics")
    else:
        words.extend(k for k in keys if k in m0)
    return series(words)


@template("fig_3_2", "numbers")
def fig_3_2_numbers(s: dict) -> str:
    c = s["claims"]
    per = c["per_function"]
    n = c["n_functions"]
    at_size = [k for k, v in per.items() if v["below_at_mlp_best"]]
    require(len(at_size) == c["n_below_at_mlp_best"], "Fig 3.2 count at the MLP's size")
    losers = [k for k, v in per.items() if not v["kan_best_rmse"] < v["mlp_best_rmse"]]
    require(n - len(losers) == c["n_best_kan_below_best_mlp"], "Fig 3.2 best-against-best count")
    against = "; ".join(
        f"{_FIG_3_2_NAMES.get(k, k)}, {sci(per[k]['kan_best_rmse'])} against {sci(per[k]['mlp_best_rmse'])}"
        for k in losers
    )
    return (
        "A KAN with at most the best MLP's parameter count (#edges×G against weights+biases) is at "
        f"least as accurate: {count(len(at_size), n)} ({_fig_3_2_names(at_size)}). Best KAN below best "
        f"MLP: {count(n - len(losers), n)}{f' (not {against})' if losers else ''}. Whole MLP front beaten: "
        f"{count(c['n_mlp_front_fully_dominated'], n)}"
    )


@template("fig_3_2", "scale")
def fig_3_2_scale(s: dict) -> str:
    sc = s["scale"]
    lambdas = ", ".join(sci(x, 1).replace(".0", "") for x in sc["lambdas"])
    grids = sc["grids"]
    depths = sc["mlp_depths"]
    return (
        f"reduced: 1 seed; KANs [2,1,1], [2,5,1], [2,5,5,1] and pruned from [2,5,1] (λ ∈ {{{lambdas}}}); "
        f"G = {grids[0]}…{grids[-1]} at {sc['steps']} L-BFGS iterations per grid (the paper: up to "
        f"G=200, ~80× more iterations); MLPs width 5/100, depth {depths[0]}–{depths[-1]}, "
        f"{sc['mlp_steps']} iterations; {s['n_jobs']} runs, {run_times(s)}"
    )


# ------------------------------------------------------------- Fig 3.2 / Table 2, --paper slices
# ``results/fig_3_2_paper/``: slices (``--jobs``) of the paper-scale sweep, committed as they
# finish; its summary is the script's ``fig_3_2.json`` of the slice, saved as ``fig_3_2_paper.json``.
def _slice(s: dict) -> dict:
    part = s.get("partial")
    require(s["scale_name"] == "paper" and part is not None and part["provisional"],
            "Fig 3.2 paper slice: a provisional slice of the --paper sweep")
    return part


def _seed_span(seeds) -> str:
    """``seed 0`` or ``seeds 0–2`` for a sorted list of seeds."""
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}–{seeds[-1]}"


def _fig_3_2_paper_headline(c: dict) -> str:
    """The headline count so far and what it takes to decide the 12-of-15 target."""
    compared = {fn: v for fn, v in c["per_function"].items() if v["decided"]}
    counted = [fn for fn, v in compared.items() if v["below_at_mlp_best"]]
    failed = [fn for fn in compared if fn not in counted]
    require(len(counted) == c["n_below_at_mlp_best"] and len(compared) == c["n_functions_compared"],
            "Fig 3.2 paper slice: the headline counts")
    n_sweep, target = c["n_functions_in_sweep"], c["target_front_below_12_of_15"]
    left, may_fail = n_sweep - len(compared), n_sweep - 12 - len(failed)
    if target is None and may_fail == 0:
        verdict = f"undecided: all {left} functions not yet compared must count (one more failure misses it)"
    elif target is None:
        verdict = (f"undecided: {12 - len(counted)} more of the {left} functions not yet compared must count, "
                   f"and at most {may_fail} more may fail")
    else:
        verdict = "met" if target else f"missed: {len(failed)} functions fail, where at most {n_sweep - 12} may"
    names = lambda fns: ", ".join(fns) if fns else "none"  # noqa: E731
    return (f"**Headline so far**: the KAN front at or below the best MLP on a majority of seeds for "
            f"{len(counted)} of the {len(compared)} functions compared (every seed run, or enough seeds to settle "
            f"the majority; counts: {names(counted)}; "
            f"fails: {names(failed)}); target ≥ 12 of {n_sweep}: {verdict}")


@template("fig_3_2_paper", "numbers")
def fig_3_2_paper_numbers(s: dict) -> str:
    _slice(s)
    c, table = s["claims"], s["table_2"]
    jobs = load_jobs("fig_3_2_paper", RESULTS_IN_USE[0])
    parts = [_fig_3_2_paper_headline(c)]
    if c.get("n_compared_with_paper"):
        n = c["n_compared_with_paper"]
        parts.append(
            f"Against the paper's own Table 2 (our medians over seeds, on the {n} functions compared): our best "
            f"KAN at or below the paper's best KAN on {c['n_kan_best_at_or_below_paper_kan_best']}/{n} and at or below "
            f"the paper's MLP on {c['n_kan_best_at_or_below_paper_mlp']}/{n}; our best MLP (trained to "
            f"convergence) at or below the paper's MLP on {c['n_mlp_best_at_or_below_paper_mlp']}/{n}")
    m0 = c["sph_harm_m0_pruned_2x1x1"]
    if m0:
        lamb = {j["config"]["lamb"] for j in jobs if j["config"]["function"] in m0}
        start = {shape(j["config"]["width"]) for j in jobs if j["config"]["function"] in m0}
        require(len(lamb) == 1 and len(start) == 1, "Fig 3.2 paper slice: one λ and one start for the m=0 runs")
        found = [f"{m0[f]['n_seeds_found']}/{len(m0[f]['per_seed'])}" for f in m0]
        meds = []
        for f in m0:
            got = [v for v in m0[f]["per_seed"].values() if v is not None]
            require(m0[f]["median_rmse"] is not None, f"Fig 3.2 paper slice: {f} median found")
            meds.append(f"{sci(m0[f]['median_rmse'])} ({sci(min(got))}…{sci(max(got))})")
        met = c["target_sph_harm_m0_pruned_2x1x1_le_1e-6"]
        parts.append(
            f"m=0 harmonics, pruned from {start.pop()} at λ={sci(lamb.pop(), 1).replace('.0', '')}: [2,1,1] on "
            f"{' and '.join(found)} seeds; test RMSE median (range) {' and '.join(meds)} (the paper: [2,1,1] at "
            f"~2e-7; target ≤ 1e-6 {'met' if met else 'missed'})")
    for fn, v in c["per_function"].items():
        if fn in m0 and not v["decided"]:
            continue
        runs = [j for j in jobs if j["config"]["function"] == fn]
        row = table[fn]
        if not v["decided"]:
            seeds = sorted({j["config"]["seed"] for j in runs})
            parts.append(f"{fn} ({_seed_span(seeds)}): {len(runs)} runs done, not yet compared (best KAN so far "
                         f"{row['best_shape']} at G={row['best_G']}, {sci(row['best_rmse'])})")
            continue
        # only the seeds compared are reported (a decided function may have a seed still running)
        compared_seeds = {int(k): x for k, x in v["per_seed"].items() if x["below_at_mlp_best"] is not None}
        runs = [j for j in runs if j["config"]["seed"] in compared_seeds]
        seed_text = _seed_span(sorted(compared_seeds))
        if not v["complete"]:
            seed_text += f" of {c['n_seeds']}, decided without the rest"
        n_mlp = sum(j["config"]["kind"] == "mlp" for j in runs)
        conv = [j["converged"]["converged"] for j in runs if j["config"]["kind"] == "mlp"]
        per_seed = list(compared_seeds.values())
        n = len(per_seed)

        def spread(key):  # one seed: its number; several: median (min…max)
            values = [x[key] for x in per_seed]
            return sci(values[0]) if n == 1 else f"{sci(float(np.median(values)))} ({sci(min(values))}…{sci(max(values))})"

        dominated = sum(x["mlp_front_dominated"] == 1.0 for x in per_seed)
        parts.append(
            f"{fn} ({seed_text}, {len(runs)} runs): best MLP {spread('mlp_best_rmse')} at "
            f"{'/'.join(str(x['mlp_best_params']) for x in per_seed)} parameters ({sum(conv)}/{n_mlp} MLPs "
            f"stopped by the convergence rule); the best KAN with at most that many (#edges×G) "
            f"{spread('kan_best_rmse_within_mlp_best_params')}, at or below the best MLP on "
            f"{v['n_seeds_below_at_mlp_best']}/{n} seeds; best KAN {spread('kan_best_rmse')}, overall "
            f"{row['best_shape']} at G={row['best_G']} (the paper: best KAN {sci(row['paper']['best_rmse'])}, MLP "
            f"{sci(row['paper']['mlp_rmse'])}); the whole MLP front beaten on {dominated}/{n} seeds")
    return ". ".join(parts)


@template("fig_3_2_paper", "scale")
def fig_3_2_paper_scale(s: dict) -> str:
    part = _slice(s)
    sc = s["scale"]
    total = provenance_total(s)
    return (
        f"**provisional**: {part['jobs_run']} of the {part['jobs_in_sweep']:,} runs of `--paper` "
        f"({percent(part['jobs_run'] / part['jobs_in_sweep'])} %); G = {sc['grids'][0]}…{sc['grids'][-1]} at up "
        f"to {sc['steps']} L-BFGS iterations per grid (ended by `tol`), sparsification up to "
        f"{sc['sparsify_steps']}, MLPs to the convergence rule (cap {sc['mlp_steps']:,}); "
        f"{total['cpu_seconds'] / 3600:.2f} CPU-hours for these runs"
    )


# ----------------------------------------------------------------------------- Fig 4.1
def _rmse_range(values, digits: int) -> str:
    return f"{sci(min(values), digits)}–{sci(max(values), digits)}"


def _top(run: dict, edge: str, rank: int) -> str:
    """The name ranked ``rank`` (0 = first, by r²) among the suggestions for ``edge``."""
    return run["suggestions"][edge][rank][0]


def _range2(values) -> str:
    """``a–b`` at two decimals, or one number when there is only one."""
    return f"{values[0]:.2f}" if len(values) == 1 else f"{min(values):.2f}–{max(values):.2f}"


@template("fig_4_1", "numbers")
def fig_4_1_numbers(s: dict) -> str:
    c = s["claims"]
    a, b, cc, d, e, f = (c[k] for k in ("xy", "x_over_y", "first_decimal_digit", "exp_j0_plus_y2",
                                        "tanh_quartic", "sqrt_distance"))
    n = len(a["seeds"])

    def seeds_ok(task):
        return f"{task['seeds_with_paper_width']}/{len(task['seeds'])}"

    # (e): the seed that misses the paper's width, named in the text.
    e_miss = [sd for sd, w in zip(e["seeds"], e["pruned_widths"]) if w != e["paper_width"]]
    require(len(e_miss) == 1, "Fig 4.1 (e) has exactly one seed off the paper's width")
    e_miss_width = e["pruned_widths"][e["seeds"].index(e_miss[0])]
    # (f): every seed fits below 0.1
    f_rmse = f["test_rmse_pruned"]
    require(max(f_rmse) < 0.1, "Fig 4.1 (f) every seed below 0.1")
    # (c) accuracies and spikes.
    require(all(k == 10 for k in cc["spikes_in_own_interval"]), "Fig 4.1 (c) all 10 spikes in place")
    # (d): shapes and the seed that extrapolates badly.
    d_shape_text = ", ".join(f"{sh} on {k}" for sh, k in _shape_counts(d["pruned_widths"]))
    # (d): the seeds that fit below 0.1 and those that do not (both present)
    d_rmse = d["test_rmse_pruned"]
    d_good = [i for i, r in enumerate(d_rmse) if r < 0.1]
    d_rest = [r for i, r in enumerate(d_rmse) if i not in d_good]
    require(d_good and d_rest, "Fig 4.1 (d) some seeds fit below 0.1 and some do not")
    d_good_text = " and ".join(f"{d_rmse[i]:.2g}" for i in d_good)
    d_good_seeds = " and ".join(str(d["seeds"][i]) for i in d_good)

    runs = {r["config"]["task"]: r for r in s["runs"] if r["config"]["seed"] == 0 and r.get("suggestions")}
    # The symbolic statements, checked on seed 0's r²-ranked suggestions.
    e_run, b_run, d_run = runs["tanh_quartic"], runs["x_over_y"], runs["exp_j0_plus_y2"]
    require(all(_top(e_run, k, 0) == "x^4" for k in ("0,0,0", "0,1,0", "0,2,0"))
            and _top(e_run, "1,0,0", 0) == "tanh", "Fig 4.1 (e) x⁴ and tanh rank first")
    require(_top(b_run, "1,0,0", 0) == "exp" and _top(b_run, "0,0,0", 0) == _top(b_run, "0,1,0", 0) == "log",
            "Fig 4.1 (b) log first on both inputs, exp first on the output")
    require(_top(d_run, "0,0,0", 0) == "J0", "Fig 4.1 (d) J0 first on the x edge")
    d_r2 = d_run["suggestions"]["0,0,0"][0][1]
    # with pykan's complexity weight: the tasks whose named functions are all in the top 3 (seed 0)
    tasks = {"a": a, "b": b, "d": d, "e": e, "f": f}
    simple_yes = [k for k, t in tasks.items() if t["runs_with_all_named_in_top3_simple"] == 1]
    simple_no = [k for k in tasks if k not in simple_yes]
    require(simple_yes and simple_no, "Fig 4.1 top 3 with complexity weight: some tasks in, some not")
    # (a), (f): by r² the named functions are not all in the top 3; look-alikes rank first except on
    # the edges listed
    require(a["runs_with_all_named_in_top3_r2"] == f["runs_with_all_named_in_top3_r2"] == 0,
            "Fig 4.1 (a), (f) not named by r²")
    first = {k: t["top1_per_edge_r2"][0] for k, t in (("a", a), ("f", f))}
    named_first = {k: [e for e, fn in first[k].items() if fn in t["named_functions"]] for k, t in (("a", a), ("f", f))}
    require(named_first["a"] == [] and len(named_first["f"]) == 1, "Fig 4.1 (f) one edge with a named function first")
    f_named = first["f"][named_first["f"][0]].replace("^2", "²")
    look_alikes = sorted({fn for k in first for fn in first[k].values() if fn not in (a["named_functions"] + f["named_functions"])})

    return (
        f"The paper's pruned shape: (a) {seeds_ok(a)} seeds (test RMSE {_rmse_range(a['test_rmse_pruned'], 1)}); "
        f"(b) {seeds_ok(b)} ({_rmse_range(b['test_rmse_pruned'], 2)}); (e) {seeds_ok(e)} (seed {e_miss[0]} gave "
        f"{shape(e_miss_width)}); (f) {seeds_ok(f)} ({_rmse_range(f_rmse, 2)}). (c) {shape(cc['paper_width'])}: test accuracy "
        f"{percent(min(cc['test_acc']))}–{percent(max(cc['test_acc']))} %, all 10 spikes inside their own "
        f"digit interval on {len(cc['seeds'])}/{len(cc['seeds'])} seeds. (d) pruned to {d_shape_text} "
        f"seeds; test RMSE {d_good_text} on seed{'s' if len(d_good) > 1 else ''} {d_good_seeds}, "
        f"{_range2(d_rest)} on the other{'s' if len(d_rest) > 1 else ''}. Symbolic suggestions on "
        "seed 0, ranked by r² (the paper's rule): (e) x⁴ first on all 3 inputs and tanh first on the output; (b) "
        "log first on both inputs and exp first on the output; (d) J₀ first on the x edge "
        f"(r² = {d_r2:.3f}, J₀ added as a user function, a ∈ (−40, 40)); (a) and (f): look-alikes "
        f"({series(look_alikes)}) rank first, except {f_named} on one edge of (f). With pykan's complexity "
        f"weight 0.8 the named functions are in the top 3 for {', '.join(f'({k})' for k in simple_yes)}, not "
        f"{', '.join(f'({k})' for k in simple_no)}"
    )


@template("fig_4_1", "scale")
def fig_4_1_scale(s: dict) -> str:
    configs = [r["config"] for r in s["runs"]]
    seeds = sorted({cfg["seed"] for cfg in configs})
    steps = {cfg["steps"] for cfg in configs}
    retrain = {cfg["retrain_steps"] for cfg in configs}
    require(len(steps) == 1 and len(retrain) == 1, "Fig 4.1 one iteration count for every run")
    cpu = sum(r["cpu_seconds"] for r in s["runs"])
    return (
        f"seeds {seeds[0]}–{seeds[-1]} per task, 1000/1000 points, up to {steps.pop()} L-BFGS iterations with λ "
        "chosen per task on those seeds (1e-3 for a, f; 3e-3 for e; 1e-2 for b, d; the recipe's 1e-2 "
        "collapses a, e, f), μ₂=10, pykan's metric, prune at 1e-2, then up to "
        f"{retrain.pop()} iterations; {run_times(s)}"
    )



# ----------------------------------------------------------------------------- Fig C.1
def load_jobs(name: str, results: Path) -> list:
    """The job results of ``results/<name>/``, in job-name order: the committed ``jobs.json`` (job
    name -> result), or the per-job ``jobs/*.json`` of a folder that has not been packed yet."""
    packed = results / name / "jobs.json"
    if packed.exists():
        with open(packed, encoding="utf-8") as f:
            jobs = json.load(f)
        return [jobs[key] for key in sorted(jobs)]
    paths = sorted((results / name / "jobs").glob("*.json"))
    if not paths:
        raise FileNotFoundError(f"no jobs.json and no job JSONs under {results / name}")
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def load_jobs_by_name(name: str, results: Path) -> Dict[str, dict]:
    """:func:`load_jobs` keyed by each job's ``config["job"]``."""
    jobs = {j["config"]["job"]: j for j in load_jobs(name, results)}
    return jobs


def _edges(values) -> str:
    return "[" + ",".join(str(v) for v in values) + "]"


def _c1_rmse_span(values) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


@template("fig_c_1", "numbers")
def fig_c_1_numbers(s: dict) -> str:
    rows, c, collapse = s["row_values"], s["claims"], s["collapse"]
    edges, flags, rmse = c["active_edges"], c["collapsed"], s["train_rmse"]
    seeds = sorted(edges["lambda"], key=int)
    require(s["metric"] == "paper", "Fig C.1 uses the paper's penalty")
    require(rows["mu_2"] == [0.0, 10.0, 100.0] and rows["lambda"] == [0.0, 0.01, 0.1, 1.0]
            and rows["mu_2_lamb0.01"] == [0.0, 10.0] and rows["G"] == [1, 3, 5, 10, 20], "Fig C.1 rows")
    require(rows["k"] == list(range(1, len(rows["k"]) + 1)), "Fig C.1 k row is 1..n")
    require(all(sorted(edges[r], key=int) == seeds for r in ("mu_2", "mu_2_lamb0.01", "G", "k")),
            "Fig C.1 the multi-seed rows share their seeds")
    lam, mu, mu_low, small_g = (c["lambda_monotone"], c["mu2_0_more_than_mu2_10"],
                                c["mu2_0_more_than_mu2_10_at_lamb0.01"], c["small_g_more_edges"])
    # at lambda = 0.1 every mu_2 = 10 run collapsed and no mu_2 = 0 run did; at lambda = 0.01 none did
    require(all(flags["mu_2"][sd][1] and not flags["mu_2"][sd][0] for sd in seeds)
            and mu["without_collapsed"]["n_seeds"] == 0, "Fig C.1 μ₂=10 collapses at λ=0.1")
    require(not any(f for sd in seeds for f in flags["mu_2_lamb0.01"][sd]), "Fig C.1 no collapse at λ=0.01")
    require(all(flags["G"][sd][0] for sd in seeds), "Fig C.1 every G=1 run collapsed")
    require(all(flags["lambda"][sd][-1] and flags["mu_2"][sd][-1] for sd in seeds), "Fig C.1 λ=1, μ₂=100 collapse")
    collapsed_strong = [rmse["lambda"][sd][-1] for sd in seeds] + [rmse["mu_2"][sd][-1] for sd in seeds]
    # collapsed runs of the G row besides G = 1
    others = sum(f for sd in seeds for f in flags["G"][sd][1:])
    med = c["median_active_edges"]

    def rows_of(row):
        return " ".join(_edges(edges[row][sd]) for sd in seeds)

    def rate(x):
        return count(x["n_holds"], x["n_seeds"])

    return (
        "The paper's penalty (Eq. 2.17–2.20) and Eq. 2.21 pruning; active edges after pruning (3 is "
        f"ideal), seeds {seeds[0]}–{seeds[-1]} on every row but the seed row. Collapse rule: train RMSE > "
        f"{collapse['threshold'] / collapse['median_train_rmse']:g}× the median of the sweep "
        f"({collapse['median_train_rmse']:.3f}), {len(collapse['collapsed_jobs'])} of "
        f"{len(s['provenance']['jobs'])} runs. **(3)** λ ∈ {{0, 1e-2, 0.1, 1}} at μ₂=10: {rows_of('lambda')}, "
        f"non-increasing on {rate(lam)} seeds ({rate(lam['without_collapsed'])} without collapsed runs). "
        f"**(1)** μ₂ ∈ {{0, 10, 100}} at λ=0.1: {rows_of('mu_2')}: more edges at μ₂=0 than at 10 on {rate(mu)} "
        f"seeds, but every μ₂=10 run there collapsed (train RMSE {_c1_rmse_span([rmse['mu_2'][sd][1] for sd in seeds])} "
        f"against {_c1_rmse_span([rmse['mu_2'][sd][0] for sd in seeds])} at μ₂=0), so no seed compares two working "
        f"fits; at λ=0.01, where none collapses, μ₂ ∈ {{0, 10}}: {rows_of('mu_2_lamb0.01')}: more at μ₂=0 on "
        f"{rate(mu_low)} seeds (medians {med['mu_2_lamb0.01'][0]:g} and {med['mu_2_lamb0.01'][1]:g}). "
        f"**(4)** G ∈ {{1, 3, 5, 10, 20}}: {rows_of('G')}: the mean over G ∈ {{1, 3}} above the mean over "
        f"G ∈ {{5, 10, 20}} on {rate(small_g)} seeds ({rate(small_g['without_collapsed'])} without collapsed runs: "
        f"every G=1 fit, train RMSE {_c1_rmse_span([rmse['G'][sd][0] for sd in seeds])}"
        + (f", and {others} other run{'s' if others > 1 else ''} of the row" if others else "") + "). "
        f"**(2)** seeds {', '.join(str(v) for v in rows['seed'])} (λ=0.01, μ₂=10): "
        f"{', '.join(str(v) for v in edges['seed']['base'])} edges. **(5)** k ∈ {{1..{len(rows['k'])}}}: "
        f"{rows_of('k')} (medians {', '.join(f'{v:g}' for v in med['k'])}). λ=1 and μ₂=100 collapse the fit "
        f"(train RMSE {_c1_rmse_span(collapsed_strong)})"
    )


@template("fig_c_1", "scale")
def fig_c_1_scale(s: dict) -> str:
    jobs = load_jobs("fig_c_1", RESULTS_IN_USE[0])
    steps = {j["config"]["steps"] for j in jobs}
    n_train = {j["config"]["n_train"] for j in jobs}
    require(len(steps) == 1 and len(n_train) == 1, "Fig C.1 one iteration count and data size")
    total = s["provenance"]["total"]
    require(total["jobs"] == len(jobs) and total["jobs_not_recorded"] == 0, "Fig C.1 every job's CPU time")
    return (
        f"{len(jobs)} runs of at most {steps.pop()} L-BFGS iterations (fit's tolerance ends most earlier; the "
        f"paper: 20 pykan steps), {n_train.pop()} points; {seconds(total['cpu_seconds'])} of CPU, "
        f"{seconds(total['wall_seconds'])} wall"
    )


@template("fig_3_1", "scale")
def fig_3_1_scale(s: dict) -> str:
    sc = s["scale"]
    g_max = "/".join(str(max(sc["grids"][k])) for k in ("1", "2", "3", "4", "5"))
    restarts = {k: v for k, v in sc["kan_restarts"].items() if v > 1}
    require(all(k.startswith("ex5_") for k in restarts) and len(set(restarts.values())) == 1,
            "Fig 3.1 restarts on example 5 only")
    return (
        f"reduced: {sc['n_train']}/{sc['n_test']} points, {sc['kan_steps_per_grid']} L-BFGS iterations per "
        f"grid, G up to {g_max} (the paper: 1000), best of {restarts[next(iter(restarts))]} seeds at G=3 (by "
        "training RMSE) for example 5's KANs; tanh MLPs, depth {2,3} × width {5,10,20,50,100} without "
        f"3×100, {sc['mlp_steps']} iterations (the paper: 1800); seed 0; {CPU_NOT_RECORDED} (the jobs' "
        f"wall times sum to {seconds(s['job_wall_seconds_total'])} on a loaded machine)"
    )


# ----------------------------------------------------------------------------- Table 3
_FAMILIES = ("human", "pruned", "unpruned")


def _lambda(x: float) -> str:
    """λ as the README writes it: 1e-2."""
    return f"{x:.0e}".replace("e-0", "e-")


@template("table_3", "numbers")
def table_3_numbers(s: dict) -> str:
    c, table = s["claims"], s["table"]
    n = c["n_equations"]
    require(c["all_four_families_finite"], "Table 3 all four families finite")
    wins = {fam: c["beats_mlp"][fam]["n_beats_mlp"] for fam in ("kan_best",) + _FAMILIES}
    # the paper's own win counts, from its RMSEs stored beside ours
    paper = {fam: sum(1 for r in table.values() if r["paper"][f"{fam}_rmse"] < r["paper"]["mlp_rmse"])
             for fam in _FAMILIES}
    require(c["paper_kan_best_beats_mlp"] == sum(
        1 for r in table.values()
        if min(r["paper"][f"{fam}_rmse"] for fam in _FAMILIES) < r["paper"]["mlp_rmse"]),
        "Table 3 the paper's best-KAN count")
    med, pmed = c["median_rmse"], c["paper_median_rmse"]
    by_lamb = _pruned_shapes_by_lambda(table["I.16.6"]["pruned_shapes_all"])
    require(sorted(by_lamb) == [1e-3, 1e-2], "Table 3 I.16.6 pruned at two λ")
    row = table["I.16.6"]
    require(_job_lambda(row["pruned_min_job"]) == 1e-2, "Table 3 I.16.6's smallest pruned KAN at λ=1e-2")
    return (
        f"All 4 families have a finite test RMSE on {n}/{n}. The best of the three KAN families beats "
        f"the MLP on **{wins['kan_best']}/{n}** (the paper's own numbers: {c['paper_kan_best_beats_mlp']}/{n}); "
        f"separately human {wins['human']}/{n} (paper {paper['human']}), pruned {wins['pruned']}/{n} "
        f"(paper {paper['pruned']}), unpruned {wins['unpruned']}/{n} (paper {paper['unpruned']}). "
        f"Geometric mean of best-KAN/MLP RMSE {c['kan_best_over_mlp_geometric_mean']:.2f}; within 3× of "
        f"each other on {c['n_within_3x_of_mlp']}/{n}. Median test RMSE: human {sci(med['human'])}, pruned "
        f"{sci(med['pruned'])}, unpruned {sci(med['unpruned'])}, MLP {sci(med['mlp'])} (paper: "
        f"{sci(pmed['human'])}, {sci(pmed['pruned'])}, {sci(pmed['unpruned'])}, {sci(pmed['mlp'])}). "
        f"{percent(c['fraction_rmse_in_1e-5_1e-2'], 0)} % of RMSEs in 1e-5…1e-2. Best pruned shape no "
        f"larger (in edges) than the human one on {c['n_pruned_best_not_larger_than_human']}/{n}. I.16.6 "
        f"prunes to {_shape_tally(by_lamb[1e-2])} at λ=1e-2 (best RMSE {sci(row['pruned_min_rmse'])}, the rapidity "
        f"form) and to {_shape_tally(by_lamb[1e-3])} at λ=1e-3. " + _table_3_against_paper(c, n)
        + " `results/table_3/table_3.md` puts the paper's numbers beside ours, with the per-equation winner table"
    )


def _job_lambda(job: str) -> float:
    """λ of a pruned Table 3 job name: '..._lamb0.01' or, with several seeds, '..._lamb0.01_s2'."""
    match = re.fullmatch(r".*_lamb([0-9.e-]+)(?:_s\d+)?", job)
    require(match is not None, f"Table 3 a pruned job name with its λ: {job}")
    return float(match.group(1))


def _pruned_shapes_by_lambda(shapes: Dict[str, list]) -> Dict[float, list]:
    """{λ: [pruned width of each seed]} from a row's ``pruned_shapes_all`` (job name -> width)."""
    out: Dict[float, list] = {}
    for job in sorted(shapes):
        out.setdefault(_job_lambda(job), []).append(shapes[job])
    return out


def _shape_tally(widths: list) -> str:
    """The pruned widths of the seeds: '[2,1,1]' (one seed), '[2,1,1] on 3/3 seeds', or
    '[2,1,1] on 2, [2,2,1] on 1 of 3 seeds'."""
    counts = _shape_counts(widths)
    if len(widths) == 1:
        return counts[0][0]
    if len(counts) == 1:
        return f"{counts[0][0]} on {counts[0][1]}/{len(widths)} seeds"
    return ", ".join(f"{sh} on {k}" for sh, k in counts) + f" of {len(widths)} seeds"


def _table_3_against_paper(c: dict, n: int) -> str:
    """The comparison with the paper's Table 3: best KAN within 3x, and which family wins."""
    vs, win = c["kan_best_vs_paper"], c["winners"]
    require(c["n_compared_with_paper"] == n == len(vs) == len(win), "Table 3 every equation compared with the paper")
    within = sum(1 for v in vs.values() if v["ratio"] is not None and v["ratio"] <= 3)
    require(within == c["n_kan_best_within_3x_of_paper"], "Table 3 the within-3x count")
    require(sum(w["ours"] == w["paper"] for w in win.values()) == c["n_winner_agrees_with_paper"],
            "Table 3 the winner agreement")
    target = "met" if within >= 20 else "missed"
    per_seed = c.get("n_kan_best_within_3x_of_paper_seed_median")
    seed_text = (f"; the median over seeds of each seed's best KAN within 3× on {per_seed}/{n}"
                 if per_seed is not None else "")
    return (f"Best KAN (over seeds) within 3× of the paper's best KAN (or below it) on **{within}/{n}** (target ≥ 20: "
            f"{target}; median ratio ours/paper {fixed(c['kan_best_over_paper_median'], 2)}){seed_text}; the winning family "
            f"of the four is the paper's on {c['n_winner_agrees_with_paper']}/{n}, the verdict \"best KAN beats "
            f"the MLP\" the paper's on {c['n_kan_vs_mlp_agrees_with_paper']}/{n}.")


@template("table_3", "scale")
def table_3_scale(s: dict) -> str:
    sc, table = s["scale"], s["table"]
    seeds = sc["seeds"]
    require(seeds == list(range(len(seeds))) and len(seeds) >= 3 and sc["name"] == "full" and s["partial"] is None,
            "Table 3 the whole FULL run, seeds 0, 1, 2, ...")
    require(sc["mlp_converged"] is not None and len(sc["mlp_steps"]) == 1, "Table 3 MLPs by the convergence rule")
    human = sc["human_recipe"]
    jobs = load_jobs("table_3", RESULTS_IN_USE[0])
    mlps = [j for j in jobs if j["config"]["family"] == "mlp"]
    n_conv = sum(1 for j in mlps if j["converged"]["converged"])
    require(all(j["converged"]["converged"] or j["converged"]["steps"] == sc["mlp_steps"][0] for j in mlps),
            "Table 3 each MLP stopped by the rule or at the cap")
    lambdas = ", ".join(_lambda(x) for x in sorted(sc["prune_lambdas"], reverse=True))
    rerun, reused = _table_3_recorded(s)
    return (
        f"reduced: {len(seeds)} seeds ({seeds[0]}–{seeds[-1]}), {sc['n_train']}/{sc['n_test']} points, G = {', '.join(str(g) for g in sc['grids'])} "
        f"at {sc['kan_steps_per_grid']} L-BFGS iterations each, `init=\"pykan\"`; human-constructed KANs "
        f"with {human['restarts']} restarts on the first grid and up to {human['steps']} iterations per grid; "
        f"unpruned KAN [n,5,1]; pruned from it with λ ∈ {{{lambdas}}} (μ₂={sc['lamb_entropy']:g}, pykan's metric, "
        f"threshold {_lambda(sc['prune_threshold'])}); MLP width 20, depth 2 and 3, tanh, trained until "
        f"the loss changes by < 1 % over the last 10 % of the iterations (after {sc['mlp_converged']['min_steps']}, cap {sc['mlp_steps'][0]}): "
        f"converged {n_conv}/{len(mlps)}, the rest stopped at the cap; {sc['n_runs']} runs, "
        + (f"{rerun} of them run now ({_hours(s['provenance']['total']['cpu_seconds'])} CPU-hours), {reused} "
           f"reused from an earlier run ({CPU_NOT_RECORDED})" if reused else
           f"{_hours(s['provenance']['total']['cpu_seconds'])} CPU-hours")
    )


def _table_3_recorded(s: dict) -> Tuple[int, int]:
    """(jobs with a CPU record, jobs without) of the Table 3 run; the latter must be KAN jobs
    reused from the first-generation run."""
    total = s["provenance"]["total"]
    jobs = load_jobs("table_3", RESULTS_IN_USE[0])
    unrecorded = [j for j in jobs if "job_record" not in j]
    require(len(unrecorded) == total["jobs_not_recorded"] and total["jobs"] == len(jobs),
            "Table 3 the provenance counts the jobs")
    require(all(j["config"]["family"] in ("pruned", "unpruned") for j in unrecorded),
            "Table 3 only reused KAN jobs lack a record")
    return len(jobs) - len(unrecorded), len(unrecorded)


# ----------------------------------------------------------------------------- Fig 3.1
_FIG_3_1_NAMES = {"1": "J₀(20x)", "2": "exp(sin πx+y²)", "3": "xy", "4": "100-D", "5": ""}


def _slope(x) -> str:
    return "none" if x is None else fixed(x, 2)


def _band(G: list) -> str:
    return f"G {G[0]}–{G[-1]}" if len(G) > 1 else f"G {G[0]} only" if G else "no grid"


@template("fig_3_1", "numbers")
def fig_3_1_numbers(s: dict) -> str:
    ex = s["claims"]["examples"]
    require(s["scale"]["slope_band"] == {"resolved_fraction": 0.1, "floor_factor": 2.0}, "Fig 3.1 the band rule")
    require(s["seeds"] == [0] and all(e["n_seeds"] == 1 for e in ex.values()), "Fig 3.1 committed run: seed 0")
    parts = []
    for k in ("1", "2", "3", "4", "5"):
        e = ex[k]
        name = _FIG_3_1_NAMES[k]
        key = "x".join(str(w) for w in e["kan_shape"])
        band = _band(e["kan_band_G"])
        if k == "4":
            st = s["kan_stages"]["ex4_kan_100x1x1"]
            g5, g10 = _stage(st, 5), _stage(st, 10)
            require(e["kan_slope"] is None and g10["test_rmse"] > g5["test_rmse"] / 2
                    and g10["n_params"] == 1010 and e["n_train"] == 1000, "Fig 3.1 example 4 floors at G=10")
            band += (f": test RMSE {sci(g5['test_rmse'])} at G=5, {sci(g10['test_rmse'])} at G=10, where "
                     "#params ≈ #data")
        if k == "5":
            band += f", best {sci(e['kan_best_test_rmse'][key])}"
        label = f"({k}) {name} {shape(e['kan_shape'])}" if name else f"({k}) {shape(e['kan_shape'])}"
        parts.append(f"{label}: {_slope(e['kan_slope'])} ({band}) / {fixed(e['mlp_slope'], 2)} / {e['gap_decades']:.1f}")
    best5 = ex["5"]["kan_best_test_rmse"]
    ratio_442 = best5["4x9x1"] / best5["4x4x2x1"]
    ratio_422 = best5["4x9x1"] / best5["4x2x2x1"]
    last1 = s["kan_stages"]["ex1_kan_1x1"][-1]
    require(all(st[-1]["train_rmse"] <= min(x["train_rmse"] for x in st) for st in s["kan_stages"].values()),
            "Fig 3.1 training RMSE keeps falling")
    return (
        "Seed 0. KAN slope of test RMSE vs #edges×G over the band (from the first grid below 10 % of the "
        "target's std, on while each next grid divides the test RMSE by ≥ 2) / MLP Pareto-front slope / gap in "
        "decades between the best test RMSEs: " + "; ".join(parts) + ". Example 5's best test RMSE: [4,9,1] "
        f"{sci(best5['4x9x1'])}, {ratio_442:.0f}× worse than [4,4,2,1], {ratio_422:.1f}× worse than "
        f"[4,2,2,1] ({sci(best5['4x2x2x1'])}). Past saturation every KAN's test error jumps "
        f"({last1['test_rmse']:.1f} at G={last1['G']} on example 1) while the training RMSE keeps falling"
    )


@template("fig_3_1_paper", "numbers")
def fig_3_1_paper_numbers(s: dict) -> str:
    c, part = s["claims"], s["partial"]
    require(s["scale_name"] == "paper" and part is not None and part["provisional"], "Fig 3.1 paper slice")
    require(not s["mlps"], "Fig 3.1 paper slice without MLPs")
    ex = c["examples"]
    parts = []
    for k in sorted(ex):
        e = ex[k]
        seeds = sorted(e["per_seed"], key=int)
        per = ", ".join(_slope(e["kan_slope_per_seed"][sd]) for sd in seeds)
        bands = "; ".join(_band(e["per_seed"][sd]["kan_band_G"]) for sd in seeds)
        best = e["kan_best_test_rmse"]["x".join(str(w) for w in e["kan_shape"])]
        text = (f"({k}) {shape(e['kan_shape'])}: **{_slope(e['kan_slope'])}** (seeds {per}; {bands}), "
                f"median best test RMSE {sci(best)}")
        others = {w: v for w, v in e["kan_best_test_rmse"].items() if w != "x".join(str(x) for x in e["kan_shape"])}
        if others:
            text += "; " + ", ".join(f"[{w.replace('x', ',')}] {sci(v)}" for w, v in others.items())
        if "ratio_4x9x1_over_3layer" in e:
            r = e["ratio_4x9x1_over_3layer"]
            text += (f"; [4,9,1] worse by (median over seeds) {r['4x4x2x1']:.1f}× than [4,4,2,1] and "
                     f"{r['4x2x2x1']:.1f}× than [4,2,2,1]")
        parts.append(text)
    seeds = s["seeds"]
    jobs = load_jobs("fig_3_1_paper", RESULTS_IN_USE[0])
    require(len(jobs) == part["jobs_run"] and all(j["config"]["kind"] == "kan" for j in jobs),
            "Fig 3.1 paper slice: its KAN jobs")
    shapes = [shape(w) for _, w in sorted({(j["config"]["example"], tuple(j["config"]["width"])) for j in jobs})]
    return (
        f"{part['jobs_run']} of the {part['jobs_in_sweep']} jobs (`--jobs {part['pattern']}`: the KANs "
        f"{', '.join(shapes)}, seeds {seeds[0]}–{seeds[-1]}; no MLP yet). KAN test-RMSE slope, median over "
        "seeds (an undefined slope counts as a miss), per seed, bands: " + "; ".join(parts)
    )


@template("fig_3_1_paper", "scale")
def fig_3_1_paper_scale(s: dict) -> str:
    sc = s["scale"]
    grids = {tuple(g) for g in sc["grids"].values()}
    require(grids == {(3, 5, 10, 20, 50, 100, 200, 500, 1000)}, "Fig 3.1 paper slice G 3–1000")
    require(set(sc["n_train_per_example"].values()) == {1000}, "Fig 3.1 paper slice 1000 samples")
    total = provenance_total(s)
    return (
        f"paper protocol: {sc['n_train']}/{sc['n_test']} points, G = 3…1000, at most {sc['kan_steps_per_grid']} "
        f"L-BFGS iterations per grid (200 pykan steps), each stage stopped by tol={sc['kan_tol']:g}, "
        f"{sc['kan_fit_restarts']} fresh starts at G=3; {short_seconds(total['cpu_seconds'])} of CPU over the "
        f"{total['jobs']} jobs ({short_seconds(total['wall_seconds'])} wall on a loaded machine)"
    )


# ----------------------------------------------------------------------------- Figs B.1, B.2
def _loose(x: float) -> str:
    """An error as the README writes it in a sequence: two significant digits, plain above 0.1
    (2.3, 0.28) and scientific below (3.0e-2)."""
    return f"{x:.2g}" if x >= 0.1 else sci(x)


def _fig_b_1_jobs(figure: str) -> list:
    jobs = [j for j in load_jobs("fig_b_1", RESULTS_IN_USE[0]) if j["config"]["figure"] == figure]
    require(len(jobs) > 0, f"Fig {figure} has jobs")
    return jobs


@template("fig_b_1", "numbers")
def fig_b_1_numbers(s: dict) -> str:
    c = s["claims"]["B.1"]
    jobs = sorted(_fig_b_1_jobs("B.1"), key=lambda j: j["config"]["seed"])
    require([j["config"]["seed"] for j in jobs] == c["seeds"], "Fig B.1 one job per seed")
    require([j["test_rmse"] for j in jobs] == c["test_rmse"], "Fig B.1 the jobs' test RMSEs")
    require(all(j["width"] == c["width"] and j["n_params"] == c["n_params"] for j in jobs), "Fig B.1 one LAN shape")
    steps = {j["config"]["snapshots"][-1] for j in jobs}
    require(len(steps) == 1, "Fig B.1 one iteration count")
    snaps = jobs[0]["snapshots"]
    require(snaps[-1]["test_rmse"] == c["test_rmse"][0], "Fig B.1 the last snapshot is the final LAN")
    require(all(a["test_rmse"] > b["test_rmse"] for a, b in zip(snaps, snaps[1:])), "Fig B.1 seed 0's error falls")
    seeds = c["seeds"]
    return (
        f"LAN {shape(c['width'])}, G=5, {c['n_params']} parameters (the paper's formula: {c['paper_param_count']}). "
        f"Test RMSE after {steps.pop()} iterations: {series(sci(x) for x in c['test_rmse'])} (seeds "
        f"{seeds[0]}–{seeds[-1]}). Snapshots at steps {'/'.join(str(sn['step']) for sn in snaps)} (seed "
        f"{jobs[0]['config']['seed']}): {' → '.join(_loose(sn['test_rmse']) for sn in snaps)}. The node "
        "activations end as irregular, overlapping curves"
    )


@template("fig_b_1", "scale")
def fig_b_1_scale(s: dict) -> str:
    jobs = _fig_b_1_jobs("B.1")
    steps = {j["config"]["snapshots"][-1] for j in jobs}
    require(len(steps) == 1, "Fig B.1 one iteration count")
    cpu = s["cpu_seconds"]
    require(set(cpu) == {j["config"]["job"] for j in load_jobs("fig_b_1", RESULTS_IN_USE[0])},
            "Fig B.1 a CPU time for every B.1 and B.2 job")
    # each job's own process time sits inside the provenance record's, which times the job from outside
    require(sum(cpu.values()) <= provenance_total(s)["cpu_seconds"], "Fig B.1 the jobs' CPU within the record's")
    return f"{steps.pop()} L-BFGS iterations, {len(jobs)} seeds; B.1 and B.2 together {run_times(s)}"


_FIG_B_2_NAMES = {"xy": "xy", "x_over_y": "x/y", "exp_j0_plus_y2": "exp(J₀+y²)", "tanh_quartic": "tanh-quartic",
                  "sqrt_distance": "sqrt-distance"}


@template("fig_b_1", "tasks")
def fig_b_2_numbers(s: dict) -> str:
    c = s["claims"]["B.2"]
    jobs = _fig_b_1_jobs("B.2")
    seeds = {j["config"]["seed"] for j in jobs}
    steps = {j["config"]["snapshots"][-1] for j in jobs}
    require(len(seeds) == 1 and len(steps) == 1, "Fig B.2 one seed and one iteration count")
    require(set(c) == set(_FIG_B_2_NAMES) | {"first_decimal_digit"}, "Fig B.2 the six Fig 4.1 tasks")
    require(all(v["width"][1:-1] == [10, 10] for v in c.values()), "Fig B.2 two hidden layers of 10")
    by_panel = sorted(_FIG_B_2_NAMES, key=lambda k: c[k]["panel"])
    return (
        f"LAN [n_in,10,10,n_out], G=5, seed {seeds.pop()}, {steps.pop()} iterations. Test RMSE: "
        + ", ".join(f"{_FIG_B_2_NAMES[k]} {sci(c[k]['test_rmse'])}" for k in by_panel)
        + f"; digits {percent(c['first_decimal_digit']['test_acc'])} % accuracy. No node activation is "
        "recognisably linear, log, exp, quartic or a digit spike"
    )


# ----------------------------------------------------------------------------- Fig B.3
def _db(x: float) -> str:
    """A PSNR difference with its sign: '+1.88'."""
    return f"{x:+.2f}".replace("-", "−")


def _pct_signed(fraction: float) -> str:
    """A relative difference as a signed percentage with one decimal: '+2.1'."""
    return f"{100 * fraction:+.1f}".replace("-", "−")


def _db_stat(x: dict) -> str:
    """A PSNR difference's median and range: '+1.88 (+1.2 to +2.4)'."""
    return f"{_db(x['median'])} ({_db(x['range'][0])} to {_db(x['range'][1])})"


@template("fig_b_3", "numbers")
def fig_b_3_numbers(s: dict) -> str:
    c, sc = s["claims"], s["scale"]
    n, per = c["n_params"], c["per_seed"]
    seeds = sorted(per, key=int)
    require(c["n_seeds"] == len(seeds) >= 2, "Fig B.3 at least two seeds")
    # every count and median is recomputed from the per-seed numbers
    for key, claim, test in (("lan_minus_mlp_db", "n_lan_above_mlp", lambda v: v["final_psnr"]["lan"] > v["final_psnr"]["mlp"]),
                             ("finetune_gain_db", "n_finetune_gain_at_least_0.5_db",
                              lambda v: v["final_psnr"]["mlp_to_lan"] - v["final_psnr"]["mlp"] >= 0.5),
                             ("finetune_gain_over_continued_mlp_db", "n_finetune_above_continued_mlp",
                              lambda v: v["final_psnr"]["mlp_to_lan"] > v["final_psnr"]["mlp_continued"])):
        require(c[claim] == sum(test(per[sd]) for sd in seeds), f"Fig B.3 {claim} counts the seeds")
        require(round(c[key]["median"], 9) == round(float(np.median([per[sd][key] for sd in seeds])), 9),
                f"Fig B.3 {key} median")
    require(abs(c["lan_param_gap"]) <= 0.05 and round(c["lan_param_gap"], 12) == round(n["lan"] / n["mlp"] - 1, 12),
            "Fig B.3 the LAN within 5 % of the MLP's parameters")
    jobs = {j["config"]["job"]: j for j in load_jobs("fig_b_3", RESULTS_IN_USE[0])}
    ft = sc["finetune_steps"]
    require(all(j["mlp_to_lan"]["steps"][-1] - j["mlp_to_lan"]["steps"][0] == ft
                and j["mlp_continued"]["steps"][-1] - j["mlp_continued"]["steps"][0] == ft
                for name, j in jobs.items() if name.startswith("mlp__")),
            "Fig B.3 fine-tuning and continued MLP run the same extra steps")
    med, k = c["final_psnr_median"], len(seeds)
    return (
        f"Seeds {seeds[0]}–{seeds[-1]}; medians over seeds (range). Final PSNR: SIREN MLP "
        f"{shape([2] + sc['hidden'] + [1])} {med['mlp']:.2f} dB, LAN {shape([2] + sc['lan_hidden'] + [1])} from "
        f"scratch {med['lan']:.2f} dB: **LAN − MLP {_db_stat(c['lan_minus_mlp_db'])} dB, the LAN above on "
        f"{count(c['n_lan_above_mlp'], k)} seeds**. MLP→LAN after {_thousands(ft)} fine-tuning steps: "
        f"**{_db_stat(c['finetune_gain_db'])} dB over the MLP where it stopped** (≥ 0.5 dB on "
        f"{count(c['n_finetune_gain_at_least_0.5_db'], k)}), {_db_stat(c['finetune_gain_over_continued_mlp_db'])} dB "
        f"over the MLP trained for the same extra steps (above it on {count(c['n_finetune_above_continued_mlp'], k)}). "
        f"Parameters: {_thousands(n['mlp'])} (MLP), {_thousands(n['lan'])} (LAN from scratch, "
        f"{_pct_signed(c['lan_param_gap'])} %; "
        f"the paper: ≈ +4 %), {_thousands(n['mlp_to_lan'])} (MLP→LAN, the MLP's shape, "
        f"+{percent(c['mlp_to_lan_param_gap'], 0)} %). The LANs get one grid update, at their first step: the "
        "default schedule of 10 updates cost the LAN about 5 dB in the quick setting"
    )


@template("fig_b_3", "scale")
def fig_b_3_scale(s: dict) -> str:
    sc = s["scale"]
    jobs = load_jobs("fig_b_3", RESULTS_IN_USE[0])
    shared = ("size", "hidden", "lan_hidden", "steps", "finetune_steps", "record_every")
    require(all(j["config"][key] == sc[key] for j in jobs for key in shared), "Fig B.3 one configuration for all jobs")
    require(all(j["width"] == [2] + sc["lan_hidden" if j["config"]["kind"] == "lan" else "hidden"] + [1] for j in jobs),
            "Fig B.3 the widths")
    require(len(sc["steps"]) == 2, "Fig B.3 two learning-rate phases")
    total = s["provenance"]["total"]
    require(total["jobs"] == len(jobs) == 2 * len(s["seeds"]) and total["jobs_not_recorded"] == 0,
            "Fig B.3 every job's CPU time")
    size = sc["size"]
    return (
        f"reduced: {size}×{size} image, MLP {shape([2] + sc['hidden'] + [1])} and LAN "
        f"{shape([2] + sc['lan_hidden'] + [1])}, ω₀ = 30 with SIREN initialisation, G = 5, full-image Adam "
        f"({_thousands(size * size)} pixels, the paper's batch), {_thousands(sc['steps'][0])} steps at 1e-3 + "
        f"{_thousands(sc['steps'][1])} at 1e-4, fine-tuning {_thousands(sc['finetune_steps'])} at 1e-4, seeds "
        f"{', '.join(str(x) for x in s['seeds'])} (the paper: 256², width 128, 5 layers, 10k steps); "
        f"{seconds(total['cpu_seconds'])} of CPU, {seconds(total['wall_seconds'])} wall"
    )


# ----------------------------------------------------------------------------- Table 5
def _table_5_jobs() -> Dict[str, dict]:
    jobs = {j["config"]["row"]: j for j in load_jobs("table_5", RESULTS_IN_USE[0])}
    require(sorted(jobs) == ["A", "B", "C", "D"], "Table 5 rows A–D")
    return jobs


@template("table_5", "numbers")
def table_5_numbers(s: dict) -> str:
    rows = s["claims"]["rows"]
    jobs = _table_5_jobs()
    require(s["data"] == "SnapPy census knots, regenerated (not DeepMind's CSV)", "Table 5 the data")
    require(sorted(rows) == ["A", "B", "C", "D"], "Table 5 rows A–D")
    require(all(jobs[r]["accuracy"] == rows[r]["accuracy"] for r in rows), "Table 5 the jobs' accuracies")
    # A is the exact formula itself: its r² with A is 1 up to rounding
    require(abs(rows["A"]["r2_A"] - 1.0) < 1e-12, "Table 5 row A's r² with A is 1")
    # B's three 1-D functions, one per input edge in input order (μ_r, μ_i, λ)
    picks = jobs["B"]["picks"]
    require(jobs["B"]["config"]["shape"] == [3, 1] and sorted(picks) == ["0,0,0", "0,1,0", "0,2,0"],
            "Table 5 row B is one layer of three edges")
    b_picks = [picks[f"0,{i},0"][0] for i in range(3)]

    def cells(r: str) -> str:
        v = rows[r]
        return f"{percent(v['accuracy'])} % / {v['r2_sigma']:.3f}"

    return (
        f"SnapPy census knots, regenerated (not DeepMind's CSV), test part: A **{cells('A')}** / 1; "
        f"B {cells('B')} / {rows['B']['r2_A']:.3f} ({series(b_picks)}); C {cells('C')} / {rows['C']['r2_A']:.3f}; "
        f"D **{cells('D')} / {rows['D']['r2_A']:.3f}**; formulas in `results/table_5/table_5.md`"
    )


@template("table_5", "scale")
def table_5_scale(s: dict) -> str:
    jobs = _table_5_jobs()
    kans = [jobs[r]["config"] for r in ("B", "C", "D")]
    cfg = {(c["steps"], c["affine_steps"], c["symbolic_samples"], len(c["library"]), c["rows"]) for c in kans}
    require(len(cfg) == 1, "Table 5 one recipe for the three KANs")
    steps, affine, samples, n_lib, n_rows = cfg.pop()
    require(n_rows is None, "Table 5 every census knot used")
    if "provenance" in s:
        timing = run_times(s)
    else:  # results older than provenance: each job's time.perf_counter, wall and not CPU
        timing = f"{CPU_NOT_RECORDED} (the jobs' wall times sum to {seconds(sum(j['seconds'] for j in jobs.values()))})"
    return (
        f"KANs on the raw (μ_r, μ_i, λ), G=5, {steps} L-BFGS iterations, `auto_symbolic` with {n_lib} functions "
        f"on {samples} rows, {affine} iterations on the affine parameters; σ read as the least-squares line in "
        f"each formula, rounded to even; {timing}"
    )


# ----------------------------------------------------------------------------- Fig 2.2
def _fig_2_2_job() -> dict:
    jobs = load_jobs("fig_2_2", RESULTS_IN_USE[0])
    require(len(jobs) == 1, "Fig 2.2 one job")
    return jobs[0]


@template("fig_2_2", "numbers")
def fig_2_2_numbers(s: dict) -> str:
    c, job = s["claims"], _fig_2_2_job()
    cfg = job["config"]
    grids = (cfg["G_coarse"], cfg["G_fine"])
    n = [c["n_bases"][f"G={G}"] for G in grids]
    require(n == [G + cfg["k"] for G in grids], "Fig 2.2 G + k bases")
    dev = {sci(c["partition_of_unity_max_dev"][f"G={G}"]) for G in grids}
    require(len(dev) == 1 and c["bases_sum_to_one"], "Fig 2.2 one partition-of-unity error on both grids")
    require(c["fine_fit_on_coarse_curve"] and c["fine_minus_coarse_max"] < c["tolerance"],
            "Fig 2.2 the refined spline on the coarse curve")
    return (
        f"[2,3,1] notation diagram with x_{{l,i}}, φ_{{l,j,i}}, x̃_{{l,j,i}} and Eq. 2.5. G={grids[0]} gives {n[0]} "
        f"bases and G={grids[1]} gives {n[1]} (`minikan.core.spline.basis`); max \\|Σ B − 1\\| on [−1,1] is "
        f"{dev.pop()} on both grids. sin(πx) least-squares fitted on G={grids[0]}, moved to G={grids[1]} by "
        f"`minikan.core.grid_update.refine` (Eq. 2.16, {cfg['n_samples']} samples), stays on the coarse curve to "
        f"{sci(c['fine_minus_coarse_max'])}"
    )


@template("fig_2_2", "scale")
def fig_2_2_scale(s: dict) -> str:
    _fig_2_2_job()
    return f"nothing trained; {run_times(s)} (the drawing untimed)"


# ----------------------------------------------------------------------------- Table 2 (the Fig 3.2 run)
_M0 = ("sph_harm_m0_n1", "sph_harm_m0_n2")


def _most_common(values) -> Tuple[str, int]:
    values = list(values)
    top = max(set(values), key=values.count)
    return top, values.count(top)


@template("fig_3_2", "table_two")
def table_2_numbers(s: dict) -> str:
    table, c = s["table_2"], s["claims"]
    n = len(table)
    require(n == c["n_functions"] and all(r["min_rmse"] < 1e-2 for r in table.values()),
            "Table 2 a minimal KAN below 1e-2 for every function")
    min_shape, n_min = _most_common(r["min_shape"] for r in table.values())
    others = [f for f, r in table.items() if r["min_shape"] != min_shape]
    other_shapes = {table[f]["min_shape"] for f in others}
    require(n_min > n / 2 and len(other_shapes) == 1, "Table 2 minimal shapes mostly one shape, one exception shape")
    best_shape, n_best = _most_common(r["best_shape"] for r in table.values())
    require(n_best > n / 2, "Table 2 best shapes mostly one shape")
    best_G = sorted({r["best_G"] for r in table.values()})
    require(best_G == sorted({r["best_G"] for r in table.values() if r["best_shape"] == best_shape}),
            "Table 2 the best shapes' grids")
    rest = [r["best_rmse"] for f, r in table.items() if f not in _M0]
    ratio = sorted(r["best_rmse"] / r["paper"]["best_rmse"] for r in table.values())
    above = sum(1 for x in ratio if x > 1)
    # the m=0 harmonics: the best KAN is [2,1,1]'s longer run (100 iterations per grid)
    jobs = {j["config"]["job"]: j for j in load_jobs("fig_3_2", RESULTS_IN_USE[0])}
    long_steps = s["scale"]["m0_compact_steps"]
    short_rmse = []
    for f in _M0:
        require(table[f]["best_shape"] == "[2,1,1]" and table[f]["best_job"] == f"{f}__kan_2x1x1_long"
                and jobs[table[f]["best_job"]]["config"]["steps"] == long_steps, f"Table 2 {f}: [2,1,1] long run best")
        last = jobs[f"{f}__kan_2x1x1"]["stages"][-1]
        require(last["G"] == table[f]["best_G"], f"Table 2 {f}: the short run at the same G")
        short_rmse.append(last["test_rmse"])
    m0 = [c["sph_harm_m0_2x1x1_rmse"][f] for f in _M0]
    require(c["target_sph_harm_m0_2x1x1_le_1e-6"] and max(m0) <= 1e-6, "Table 2 the m=0 target ≤ 1e-6")
    return (
        f"Minimal shapes (test RMSE < 1e-2) mostly {min_shape} ({', '.join(others)} {other_shapes.pop()}); "
        f"best shapes mostly {best_shape} at G={best_G[0]}–{best_G[-1]}; best RMSEs "
        f"{sci(min(rest))}…{sci(max(rest))} (m=0 aside), above the paper's on {above}/{n} (median ratio "
        f"{ratio[n // 2]:.1f}×, up to {ratio[-1]:.0f}×); m=0: [2,1,1] reaches **{sci(m0[0])} and {sci(m0[1])}** "
        f"({long_steps} iterations per grid; {sci(short_rmse[0])} and {sci(short_rmse[1])} at "
        f"{s['scale']['steps']}); `results/fig_3_2/table_2.md` puts ours beside the paper's"
    )


@template("fig_3_2", "table_two_scale")
def table_2_scale(s: dict) -> str:
    jobs = [j for j in load_jobs("fig_3_2", RESULTS_IN_USE[0]) if j["config"]["job"].endswith("_long")]
    require(sorted(j["config"]["function"] for j in jobs) == list(_M0)
            and all(j["config"]["width"] == [2, 1, 1] for j in jobs), "Table 2 the long runs: [2,1,1] on m=0")
    steps = {j["config"]["steps"] for j in jobs}
    require(steps == {s["scale"]["m0_compact_steps"]}, "Table 2 the long runs' iterations")
    return f"same run, plus {len(jobs)} [2,1,1] runs at {steps.pop()} iterations per grid"


# ----------------------------------------------------------------------------- Figs F.1, F.2 (the Fig 3.2 run)
def _function_label(f: str) -> str:
    """sph_harm_m1_n2 -> 'sph_harm(1,2)'; other SciPy names unchanged."""
    m = re.fullmatch(r"sph_harm_m(\d+)_n(\d+)", f)
    return f"sph_harm({m[1]},{m[2]})" if m else f


@template("fig_3_2", "best_kans")
def fig_f_1_numbers(s: dict) -> str:
    table = s["table_2"]
    common, n_common = _most_common(r["best_shape"] for r in table.values())
    require(n_common > len(table) / 2, "Fig F.1 one shape for most functions")
    require(all(table[f]["best_shape"] == "[2,1,1]" for f in _M0), "Fig F.1 [2,1,1] for m=0")
    others = [(table[f]["best_shape"], f) for f in table if f not in _M0 and table[f]["best_shape"] != common]
    others.sort(key=lambda x: [int(w) for w in x[0].strip("[]").split(",")])
    return (
        f"Drawn with `model.plot`: {common} for most, [2,1,1] for m=0 (x edge faded), "
        + ", ".join(f"{sh} {_function_label(f)}" for sh, f in others)
    )


@template("fig_3_2", "minimal_kans")
def fig_f_2_numbers(s: dict) -> str:
    table = s["table_2"]
    n = len(table)
    require(all(r["min_rmse"] < 1e-2 for r in table.values()), "Fig F.2 a minimal KAN for every function")
    shapes = {}
    for f, r in table.items():
        shapes.setdefault(r["min_shape"], []).append(f)
    require(len(shapes) == 2, "Fig F.2 two minimal shapes")
    common, rare = sorted(shapes, key=lambda sh: -len(shapes[sh]))
    return (
        f"All {n} found: {common} ×{len(shapes[common])}, {rare} ({', '.join(shapes[rare])}); the m=0 harmonics "
        "visibly use only the polar angle"
    )


# ----------------------------------------------------------------------------- Table 6 (the Fig 4.6 run)
def load_result_file(name: str, file: str) -> object:
    """Another JSON of ``results/<name>/`` than the summary (Table 6's rows: ``table_6.json``)."""
    path = RESULTS_IN_USE[0] / name / file
    if not path.is_file():
        raise FileNotFoundError(f"no {file} for {name!r}: {path} does not exist")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# Table 6's rows as the README names them, in the table's order.
_TABLE_6_WORDS = {
    "GAAM": {"step1_train": None, "step2_snap": None, "formula": None, "theory": "theory"},
    "MAAM": {"width_4x2": "[4,2,1,1]", "step1_4x3": "[4,3,1,1]", "auto_formula": "auto", "pruned": "pruned",
             "step3_manual": "manual", "step4A_cosh": "cosh", "step4B_quadratic": "quadratic", "theory": "theory"},
}


@template("fig_4_6", "table_six")
def table_6_numbers(s: dict) -> str:
    rows = load_result_file("fig_4_6", "table_6.json")
    ours = {}
    for r in rows:
        require(r["key"] not in ours.setdefault(r["system"], {}), f"Table 6 one {r['system']} row {r['key']}")
        ours[r["system"]][r["key"]] = r["ours"]
    require({k: list(v) for k, v in ours.items()} == {k: list(v) for k, v in _TABLE_6_WORDS.items()},
            "Table 6 the GAAM and MAAM rows")
    # the table's percentages are the summary's accuracies, rounded to one decimal
    claims = s["claims"]
    for system, key in (("GAAM", "step1_train"), ("GAAM", "step2_snap"), ("GAAM", "theory"), ("MAAM", "width_4x2"),
                        ("MAAM", "step1_4x3"), ("MAAM", "pruned"), ("MAAM", "step3_manual"), ("MAAM", "step4A_cosh"),
                        ("MAAM", "step4B_quadratic"), ("MAAM", "theory")):
        require(f"{ours[system][key]:.1f}" == percent(claims[system.lower()][key]), f"Table 6 {system} {key}")
    formula = [r for r in rows if r["system"] == "GAAM" and r["key"] == "formula"][0]
    require("3 decimals" in formula["step"], "Table 6 the GAAM formula to 3 decimals")
    require(claims["gaam"]["formula_reaches_98"] == (formula["ours"] >= 98.0), "Table 6 the GAAM formula's 98 % flag")
    g, m = ours["GAAM"], ours["MAAM"]
    maam = ", ".join(f"{_TABLE_6_WORDS['MAAM'][k]} {m[k]:.1f}" for k in _TABLE_6_WORDS["MAAM"])
    return (
        f"GAAM {g['step1_train']:.1f} / {g['step2_snap']:.1f} / **{g['formula']:.1f} %** (the formula to 3 "
        f"decimals), theory {g['theory']:.1f} %. MAAM {maam} %"
    )


# ----------------------------------------------------------------------------- Figs D.1–D.3 (the Table 3 run)
@template("table_3", "pareto")
def fig_d_1_numbers(s: dict) -> str:
    n = len(s["table"])
    require(n == s["claims"]["n_equations"], "Fig D.1 one panel per equation")
    require(s["scale"]["param_count"] == "KAN #edges x G; MLP weights + biases", "Fig D.1 the parameter count")
    return (
        f"{n} panels: every run's points per family (each KAN grid one point), the KAN front (all three KAN "
        "families) and the MLP front; x axis \"parameters (KAN: #edges × G; MLP: weights + biases)\""
    )


def _shape_counts(shapes) -> list:
    """[(shape, count)] of a list of widths, most frequent first, ties in increasing edge count."""
    counts: Dict[str, int] = {}
    for w in shapes:
        counts[shape(w)] = counts.get(shape(w), 0) + 1
    edges = {shape(w): sum(a * b for a, b in zip(w, w[1:])) for w in shapes}
    return sorted(counts.items(), key=lambda kv: (-kv[1], edges[kv[0]], kv[0]))


@template("table_3", "best_pruned")
def fig_d_2_numbers(s: dict) -> str:
    table = s["table"]
    best = [r["pruned_best_shape"] for r in table.values()]
    depth = {len(w) - 1 for w in best}
    require(depth == {2}, "Fig D.2 every best pruned KAN has 2 layers")
    counts = _shape_counts(best)
    top, rest = counts[0], counts[1:]
    require(top[1] > rest[0][1], "Fig D.2 one most frequent shape")
    second = [sh for sh, k in rest if k == rest[0][1]]
    return (
        f"{len(table)} diagrams (`model.plot`) of the lowest-RMSE pruned KAN at its best grid, with shape and "
        f"RMSE; all 2-layer, most often {top[0]} ({top[1]} equations), then {series(second)} "
        f"({rest[0][1]}{' each' if len(second) > 1 else ''})"
    )


@template("table_3", "minimal_pruned")
def fig_d_3_numbers(s: dict) -> str:
    table, c = s["table"], s["claims"]
    n = len(table)
    found = [eq for eq, r in table.items() if r["pruned_min_shape"] is not None]
    missing = [eq for eq in table if eq not in found]
    require(len(found) == c["n_with_pruned_rmse_below_1e-2"], "Fig D.3 the count below 1e-2")
    require(all(table[eq]["pruned_min_rmse"] < 1e-2 for eq in found)
            and all(table[eq]["pruned_smallest_rmse"] >= 1e-2 for eq in missing), "Fig D.3 the 1e-2 cut")
    examples = [eq for eq in ("I.6.2", "I.16.6", "III.10.19") if eq in found]
    require(len(examples) == 3, "Fig D.3 the examples have a minimal KAN")
    return (
        f"{len(found)}/{n} have one (e.g. "
        + ", ".join(f"{eq} {shape(table[eq]['pruned_min_shape'])}" for eq in examples)
        + f"); for {series(missing[:-1])} and {missing[-1]} none reaches 1e-2, and the smallest is drawn with its "
        f"RMSE in red ({_same_exponent_range([table[eq]['pruned_smallest_rmse'] for eq in missing])})"
    )


# ----------------------------------------------------------------------------- Figs 0.1, 2.1, 6.1 (diagrams)
def _diagram_time(s: dict) -> str:
    """A diagram's cell: no jobs, only the wall time of drawing it and reading it back (the
    provenance block's wall seconds, taken before the PNG is saved)."""
    total = s["provenance"]["total"]
    require(total["jobs"] == 0, "a diagram has no jobs")
    return f"pure diagram; {short_seconds(s['provenance']['wall_seconds'])} wall to draw and read back"


@template("fig_0_1", "numbers")
def fig_0_1_numbers(s: dict) -> str:
    c, d = s["claims"], s["drawn"]
    require(c["formulas_drawn"] == 4 and all(d[k]["counts"][f"formula-{k}"] == 1 for k in "abcd"),
            "Fig 0.1 four formulas drawn")
    require(all(all(v for v in c[k].values()) for k in "abcd"), "Fig 0.1 every panel's claims hold")
    theorems = [x for x in d["texts"] if x.startswith("Theorem: ")]
    require(theorems == ["Theorem: Universal Approximation Theorem",
                         "Theorem: Kolmogorov-Arnold Representation Theorem"], "Fig 0.1 both theorem names")
    a, b, cc, dd = (d[k]["counts"] for k in "abcd")
    require(a["learnable-weight"] == b["kan-edge-box"] and a["hidden-node"] == b["sum-node"], "Fig 0.1 (a), (b) alike")
    require(d["c"]["width"] == d["d"]["width"] and cc["learnable-weight"] == dd["kan-edge-box"]
            and cc["hidden-node"] == dd["sum-node"], "Fig 0.1 (c), (d) alike")
    labels = [x for x in d["texts"] if re.fullmatch(r"\$(\\mathbf\{W\}|\\sigma|\\Phi)_\d\$", x)]
    require(len(labels) == cc["layer-label"] + dd["layer-label"] == 8, "Fig 0.1 W₁…W₃, σ₁, σ₂, Φ₁…Φ₃ drawn")
    return (
        f"All {c['formulas_drawn']} formulas and both theorem names drawn, counted from the figure's own elements. "
        f"(a) {a['learnable-weight']} weighted edges, {a['fixed-activation']} σ on nodes; (b) {b['kan-edge-box']} "
        f"edge curves, {b['sum-node']} summing nodes; (c), (d) {shape(d['c']['width'])}: {cc['learnable-weight']} "
        f"edges, {cc['hidden-node']} hidden nodes, with W₁…W₃, σ₁, σ₂ and Φ₁…Φ₃ labels"
    )


@template("fig_0_1", "scale")
def fig_0_1_scale(s: dict) -> str:
    return _diagram_time(s)


def _section_ranges(sections) -> str:
    """['2.1', '2.2', '3', '5'] -> '2.1–2.2, 3 and 5': subsections as ranges, chapters alone."""
    by_chapter: Dict[str, list] = {}
    for sec in sections:
        by_chapter.setdefault(sec.split(".")[0], []).append(sec)
    parts = []
    for chapter, secs in by_chapter.items():
        subs = [int(x.split(".")[1]) for x in secs if "." in x]
        require(subs == list(range(1, len(subs) + 1)), f"Fig 2.1 Sections {chapter}.x consecutive from 1")
        parts.append(f"{chapter}.1–{chapter}.{subs[-1]}" if subs else chapter)
    return f"{series(parts[:-1])} and {parts[-1]}"


@template("fig_2_1", "numbers")
def fig_2_1_numbers(s: dict) -> str:
    c, d = s["claims"], s["drawn"]
    require(c["n_boxes"] == len(d["boxes"]) and c["n_arrows"] == len(d["arrows"]), "Fig 2.1 boxes and arrows counted")
    require(c["theorem_leads_to_kan"] and c["kan_branches_into_accuracy_and_interpretability"]
            and c["accuracy_branch_reaches_section_3"] and c["interpretability_branch_reaches_science"],
            "Fig 2.1 paths from the theorem reach both branches")
    require(c["portraits"] == 0 == d["images"], "Fig 2.1 no portraits")
    return (
        f"{c['n_boxes']} boxes, {c['n_arrows']} arrows; paths from the theorem reach both branches' applications "
        f"(checked on the drawn arrows); Sections {_section_ranges(c['sections_named'])} named"
    )


@template("fig_2_1", "scale")
def fig_2_1_scale(s: dict) -> str:
    return _diagram_time(s)


@template("fig_6_1", "numbers")
def fig_6_1_numbers(s: dict) -> str:
    c, d = s["claims"], s["drawn"]
    boxes = d["boxes"]
    questions = [k for k in boxes if k.startswith("q:")]
    require(c["n_boxes"] == len(boxes) and c["n_arrows"] == len(d["arrows"]) and c["n_leaves"] == len(d["leaves"]),
            "Fig 6.1 boxes, arrows and leaves counted")
    require(c["n_boxes"] == 1 + len(c["concerns"]) + len(questions) + c["n_leaves"], "Fig 6.1 root, concerns, questions, leaves")
    require(c["all_boxes_reached_from_root"], "Fig 6.1 every box reached from the root")
    mlp = [leaf for leaf in d["leaves"] if leaf["recommendation"] == "MLP"]
    require(len(mlp) == 1 and c["mlp_when"] == ["Do you need fast training? yes"]
            and mlp[0]["question"].startswith("Do you need fast training?") and mlp[0]["answer"] == "yes",
            "Fig 6.1 the only MLP leaf is fast training")
    require(all("(Sec. " in boxes[q] for q in questions), "Fig 6.1 every question cites a section")
    return (
        f"A tree of {c['n_boxes']} boxes and {c['n_arrows']} arrows: {len(c['concerns'])} concerns "
        f"({series(x.lower() for x in c['concerns'])}), {len(questions)} questions, {c['n_leaves']} leaves, all "
        "reached from the root; the only MLP leaf is \"fast training? yes\". Each question cites the section of "
        "the paper that supports it"
    )


@template("fig_6_1", "scale")
def fig_6_1_scale(s: dict) -> str:
    return _diagram_time(s)


# ----------------------------------------------------------------------------- the cost table (top-level README)
# The sweeps of the table, in its order.
COST_SWEEPS = ("fig_2_2", "fig_2_3", "fig_2_4", "fig_3_1", "fig_3_2", "fig_3_3", "fig_3_4", "fig_4_1", "fig_4_2",
               "fig_4_3", "fig_4_4", "fig_4_5", "fig_4_6", "fig_b_1", "fig_b_3", "fig_c_1", "table_3", "table_5")


def _hours(seconds_: float) -> str:
    """CPU or wall seconds as the cost table writes hours: 0.11, 0.005; '< 0.001' below 3.6 s."""
    h = seconds_ / 3600.0
    if h >= 0.01:
        return f"{h:.2f}"
    return f"{h:.1g}" if h >= 0.001 else "< 0.001"


def committed_cpu_seconds(name: str, s: dict):
    """The CPU seconds of a committed sweep, or None where no record has them.

    In order: the provenance block's total (every job recorded); the jobs' own ``cpu_seconds``
    (the results written before provenance, where the job measured itself); Fig B.3's per-run
    CPU times, which its summary keeps under ``claims["cpu_seconds"]``."""
    total = s.get("provenance", {}).get("total")
    if total is not None and total["jobs"] > 0 and total["jobs_not_recorded"] == 0:
        return total["cpu_seconds"]
    # the provenance written afterwards for a first-generation result keeps what its jobs recorded
    require(total is None or "results_committed_in" in s["provenance"],
            f"{name}: a run's own provenance has every job's CPU time")
    jobs = load_jobs(name, RESULTS_IN_USE[0])
    if all("cpu_seconds" in j for j in jobs):
        return sum(j["cpu_seconds"] for j in jobs)
    if name == "fig_b_3":
        return sum(s["claims"]["cpu_seconds"].values())
    return None


def _cost_jobs(name: str) -> Template:
    def cell(s: dict) -> str:
        jobs = load_jobs(name, RESULTS_IN_USE[0])
        total = s.get("provenance", {}).get("total")
        require(total is None or total["jobs"] == len(jobs), f"{name}: the provenance counts the jobs")
        return str(len(jobs))
    return cell


def _cost_committed(name: str) -> Template:
    def cell(s: dict) -> str:
        cpu = committed_cpu_seconds(name, s)
        if cpu is not None:
            return _hours(cpu) if cpu >= 3.6 else f"< 0.001 ({short_seconds(cpu)})"
        # no CPU time: the jobs' wall seconds, an upper bound on a loaded machine
        jobs = load_jobs(name, RESULTS_IN_USE[0])
        if all("seconds" in j for j in jobs):
            wall = sum(j["seconds"] for j in jobs)
        else:
            wall = s["job_wall_seconds_total"]
        return f"not recorded ({_hours(wall)} h wall)"
    return cell


for _name in COST_SWEEPS:
    COST_TEMPLATES[(_name, "cost_jobs")] = _cost_jobs(_name)
    COST_TEMPLATES[(_name, "cost_committed")] = _cost_committed(_name)


def _table_3_cost_committed(s: dict) -> str:
    """Table 3's rerun records CPU time for the jobs it ran; the KAN jobs it reused have none."""
    if "results_committed_in" in s.get("provenance", {}):  # the first-generation summary
        return _cost_committed("table_3")(s)
    rerun, reused = _table_3_recorded(s)
    cpu = _hours(s["provenance"]["total"]["cpu_seconds"])
    return f"{cpu} for {rerun} jobs ({reused} reused: not recorded)" if reused else cpu


COST_TEMPLATES[("table_3", "cost_committed")] = _table_3_cost_committed


# ----------------------------------------------------------------------------- rendering
def render(text: str, results: Path = RESULTS, templates: Dict[Tuple[str, str], Template] = TEMPLATES) -> str:
    """``text`` with every generated cell rewritten from the JSONs by ``templates`` (:data:`TEMPLATES`
    for ``paper_figures/README.md``, :data:`COST_TEMPLATES` for the top-level README).

    Raises ``ValueError`` for a marker with no template, or a template whose marker is missing or
    repeated (a deleted marker would otherwise leave its numbers unchecked).
    """
    RESULTS_IN_USE[0] = results
    summaries: Dict[str, dict] = {}
    seen: Dict[Tuple[str, str], int] = {}

    def fill(match: re.Match) -> str:
        key = (match["name"], match["cell"])
        if key not in templates:
            raise ValueError(f"README marker gen:{key[0]}:{key[1]} has no template in render_readme.py")
        seen[key] = seen.get(key, 0) + 1
        if key[0] not in summaries:
            summaries[key[0]] = load_summary(key[0], results)
        body = templates[key](summaries[key[0]])
        if "<!--" in body or "\n" in body or re.search(r"(?<!\\)\|", body):
            raise ValueError(f"generated cell {key} must be one line without comments or bare '|'")
        return f"<!-- gen:{key[0]}:{key[1]} -->{body}<!-- /gen -->"

    out = MARKER.sub(fill, text)
    missing = sorted(k for k in templates if seen.get(k, 0) == 0)
    repeated = sorted(k for k, n in seen.items() if n > 1)
    if missing or repeated:
        raise ValueError(f"README markers missing: {missing}; repeated: {repeated}")
    return out


def cell_diffs(text: str, results: Path = RESULTS, templates: Dict[Tuple[str, str], Template] = TEMPLATES) -> str:
    """Each generated cell of ``text`` that differs from its rendering, as '-' / '+' lines.

    A whole-line diff would print entire table rows; naming the cell keeps the report readable.
    Returns '' when every generated cell agrees with the JSONs.
    """
    old = {(m["name"], m["cell"]): m["text"] for m in MARKER.finditer(text)}
    new = {(m["name"], m["cell"]): m["text"] for m in MARKER.finditer(render(text, results, templates))}
    out = []
    for key in old:
        if old[key] != new[key]:
            out.append(f"gen:{key[0]}:{key[1]}\n- {old[key]}\n+ {new[key]}\n")
    return "".join(out)


# (document, its registry): both READMEs are rendered and checked
DOCUMENTS = ((README, TEMPLATES), (TOP_README, COST_TEMPLATES))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 and print a diff if a README differs")
    args = parser.parse_args(argv)
    if args.check:
        failed = False
        for path, templates in DOCUMENTS:
            d = cell_diffs(path.read_text(encoding="utf-8"), RESULTS, templates)
            if d:
                failed = True
                sys.stdout.write(f"{path.relative_to(HERE.parent)}:\n{d}")
        if failed:
            print("\nA README differs from its JSONs; run `python -m paper_figures.render_readme` to update it.",
                  file=sys.stderr)
            return 1
        return 0
    for path, templates in DOCUMENTS:
        old = path.read_text(encoding="utf-8")
        new = render(old, RESULTS, templates)
        if new != old:
            path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
