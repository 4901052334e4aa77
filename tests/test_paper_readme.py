"""The measured cells of paper_figures/README.md agree with the committed summary JSONs.

The cells between ``<!-- gen:<name>:<cell> -->`` and ``<!-- /gen -->`` are rendered by
``paper_figures/render_readme.py``; this reads the JSONs only (no training), so it is fast.
"""

import json
import shutil

import pytest

from paper_figures import render_readme as rr


def test_committed_readme_matches_the_jsons():
    text = rr.README.read_text(encoding="utf-8")
    diffs = rr.cell_diffs(text)
    assert diffs == "", "run `python -m paper_figures.render_readme`:\n" + diffs


def test_check_command_exits_zero_on_the_committed_readme():
    assert rr.main(["--check"]) == 0


def test_the_audited_rows_are_generated():
    # Figures 3.2 and 4.1 had CPU times that drifted from their JSONs; both rows are generated.
    text = rr.README.read_text(encoding="utf-8")
    for name in ("fig_3_2", "fig_4_1"):
        for cell in ("numbers", "scale"):
            assert text.count(f"<!-- gen:{name}:{cell} -->") == 1
    # the CPU seconds the provenance blocks record: Fig 3.2, 111.0 s over its 137 jobs, 427.5 s
    # wall; Fig 4.1, 101.2 s over its 24 jobs, 504.3 s wall
    assert "137 runs, 111 s of CPU, 428 s wall" in text
    assert "then up to 200 iterations; 101 s of CPU, 504 s wall" in text


def test_a_changed_json_number_is_caught(tmp_path):
    # Copy one summary, change a recorded CPU time, and render against the copy.
    results = tmp_path / "results"
    (results / "fig_3_2").mkdir(parents=True)
    summary = rr.load_summary("fig_3_2")
    summary["provenance"]["total"]["cpu_seconds"] = 450.2
    (results / "fig_3_2" / "fig_3_2.json").write_text(json.dumps(summary), encoding="utf-8")
    shutil.copy(rr.RESULTS / "fig_3_2" / "jobs.json", results / "fig_3_2" / "jobs.json")  # Table 2's cells
    for name in {n for n, _ in rr.TEMPLATES} - {"fig_3_2"}:
        shutil.copytree(rr.RESULTS / name, results / name,
                        ignore=shutil.ignore_patterns("models", "*.png", "*.npz", "*.md"))
    text = rr.README.read_text(encoding="utf-8")
    diffs = rr.cell_diffs(text, results)
    assert "gen:fig_3_2:scale" in diffs
    assert "- " in diffs and "111 s of CPU" in diffs and "450 s of CPU" in diffs
    assert "gen:fig_3_2:numbers" not in diffs and "gen:fig_3_2:table_two" not in diffs


def test_markers_without_templates_and_missing_markers_are_errors():
    text = rr.README.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="has no template"):
        rr.render(text + "\n<!-- gen:fig_3_2:nonsense -->x<!-- /gen -->\n")
    removed = text.replace("<!-- gen:fig_4_1:scale -->", "", 1)
    with pytest.raises(ValueError, match="missing"):
        rr.render(removed)
    with pytest.raises(ValueError, match="repeated"):
        rr.render(text + "\n<!-- gen:fig_4_1:scale -->x<!-- /gen -->\n")


def test_a_statement_in_a_template_that_stops_holding_fails():
    # Fig 4.1's text says seed 1 is the one (e) run off the paper's width; if a JSON said otherwise
    # the template must refuse rather than print the old words.
    summary = rr.load_summary("fig_4_1")
    summary["claims"]["tanh_quartic"]["pruned_widths"][1] = [3, 1, 1]
    with pytest.raises(ValueError, match="out of date"):
        rr.TEMPLATES[("fig_4_1", "numbers")](summary)


def test_number_formats():
    assert rr.sci(3.2e-7) == "3.2e-7"
    assert rr.sci(0.00030114) == "3.0e-4"
    assert rr.sci(0.00067202, 1) == "7e-4"
    assert rr.fixed(-3.344, 2) == "−3.34"
    assert rr.percent(0.994) == "99.4"
    assert rr.seconds(392.72) == "393 s"


def test_the_rows_rendered_since_are_generated_with_their_json_times():
    text = rr.README.read_text(encoding="utf-8")
    for name in ("fig_2_3", "fig_2_4", "fig_3_3", "fig_3_4", "fig_4_2", "fig_4_3", "fig_4_4", "fig_4_5", "fig_4_6"):
        for cell in ("numbers", "scale"):
            assert text.count(f"<!-- gen:{name}:{cell} -->") == 1, (name, cell)
    # times the JSONs record (no CPU time for Fig 4.4: its jobs predate it)
    assert "pruning scores); 520 s of CPU, 2032 s wall" in text  # Fig 2.4's provenance: 520.2 s, 2032.2 s
    assert "400 L-BFGS iterations; 5 seeds; 139 s of CPU, 338 s wall, MLPs included" in text  # Fig 4.3: 138.9 s, 337.8 s
    assert "(60k / 15k states); 7.4 s of CPU, 7.4 s wall" in text  # Fig 4.5's provenance: 7.36 s, 7.41 s


@pytest.mark.parametrize("name, cell, change", [
    # Fig 2.3: a uniform-knot [2,5,1] run counted U-shaped, so "no U (0/5)" is false
    ("fig_2_3", "numbers", lambda s: s["claims"]["uniform"]["2x5x1"].update(n_u_shaped=1)),
    # Fig 2.3: a uniform [2,1,1] root median error 10x its best-G value past it: the rise is not a few points
    ("fig_2_3", "numbers", lambda s: s["stages"]["2x1x1_uniform_seed2"][-1].update(test_root_median_se=1e-6)),
    # Fig 2.3: a train RMSE that rose at a refinement
    ("fig_2_3", "numbers", lambda s: s["stages"]["2x5x1_quantile_seed4"][-1].update(train_rmse=1.0)),
    # Fig 2.3: a quantile-knot [2,5,1] seed without the U
    ("fig_2_3", "numbers", lambda s: s["claims"]["quantile"]["2x5x1"].update(n_u_shaped=4)),
    # Fig 4.1: (b)'s y edge no longer ranks log first by r²
    ("fig_4_1", "numbers", lambda s: [r["suggestions"]["0,1,0"].reverse() for r in s["runs"]
                                      if r["config"]["task"] == "x_over_y" and r["config"]["seed"] == 0]),
    # Fig 4.3: the ranking shows a knot column the README has no short name for
    ("fig_4_3", "numbers", lambda s: s["claims"]["input_ranking"].insert(0, "chern_simons_2")),
    # Fig 2.4: a seed that neither reaches the formula, nor prunes to [2,2,1], nor lost only the sin edge
    ("fig_2_4", "numbers", lambda s: s["claims"]["per_seed"]["3"].update(pruned_width=[2, 3, 1])),
    # Fig 2.4: an exact seed whose final test RMSE is not at machine precision
    ("fig_2_4", "numbers", lambda s: s["claims"]["per_seed"]["0"].update(final_test_rmse=1e-6)),
    # Fig 4.2: an "empty" fixed-head run that is not constant
    ("fig_4_2", "numbers", lambda s: s["claims"]["frozen"]["test_mse_by_seed"].update({"4": 0.1})),
    # Fig 4.4: the cusp-volume count no longer matches the runs with V, μ_i, λ active
    ("fig_4_4", "numbers", lambda s: s["claims"]["continuous"]["cluster_runs"].update({"cusp volume": 2})),
    # Fig 4.4 at the paper's scale: the whole sweep read as a slice that is not provisional, or a
    # summary that counts more runs than its jobs
    ("fig_4_4_paper", "numbers", lambda s: s.update(partial={"provisional": False, "jobs_run": 200})),
    ("fig_4_4_paper", "scale", lambda s: s["claims"]["all"].update(n_runs=201)),
    # Fig 3.2 at the paper's scale: a slice no longer marked provisional, or read as the whole sweep
    ("fig_3_2_paper", "numbers", lambda s: s["partial"].update(provisional=False)),
    ("fig_3_2_paper", "scale", lambda s: s.update(partial=None)),
    # Fig 3.2 at the paper's scale: an m=0 harmonic whose median over seeds has no pruned [2,1,1]
    ("fig_3_2_paper", "numbers", lambda s: s["claims"]["sph_harm_m0_pruned_2x1x1"]["sph_harm_m0_n1"].update(median_rmse=None)),
    # Fig 4.6: the GAAM coefficients no longer normalised to λ coefficient 2
    ("fig_4_6", "numbers", lambda s: s["claims"]["gaam"]["coefficients_normalised"].update({"lambda": 1.9})),
])
def test_statements_of_the_new_templates_are_checked(name, cell, change):
    summary = rr.load_summary(name)
    rr.TEMPLATES[(name, cell)](summary)  # renders as committed
    change(summary)
    with pytest.raises(ValueError, match="out of date"):
        rr.TEMPLATES[(name, cell)](summary)


def test_the_appendix_and_remaining_rows_are_generated_with_their_json_times():
    text = rr.README.read_text(encoding="utf-8")
    for name, cells in {"fig_b_1": ("numbers", "scale", "tasks"),
                        "fig_b_3": ("numbers", "scale"), "table_5": ("numbers", "scale"),
                        "fig_2_2": ("numbers", "scale"), "fig_3_2": ("table_two", "table_two_scale", "best_kans", "minimal_kans")}.items():
        for cell in cells:
            assert text.count(f"<!-- gen:{name}:{cell} -->") == 1, (name, cell)
    assert "B.1 and B.2 together 38 s of CPU, 41 s wall" in text  # the provenance: nine jobs, 37.8 s of CPU
    b3 = rr.load_summary("fig_b_3")["provenance"]["total"]  # Fig B.3: its runs' CPU and wall seconds
    assert f"10k steps); {rr.seconds(b3['cpu_seconds'])} of CPU, {rr.seconds(b3['wall_seconds'])} wall" in text
    # Table 5's rerun: its provenance block sums the four jobs' CPU seconds (58.0 s)
    assert "rounded to even; 58 s of CPU, 60 s wall" in text
    assert "nothing trained; 0.0068 s of CPU, 0.045 s wall" in text  # Fig 2.2's provenance
    # Table 2: the m=0 [2,1,1] runs at 50 iterations per grid end at 7.3e-8 and 4.3e-7 (G=50)
    assert "(100 iterations per grid; 7.3e-8 and 4.3e-7 at 50)" in text


@pytest.mark.parametrize("name, cell, change", [
    # Fig B.1: the summary's test RMSEs no longer those of the jobs whose snapshots are quoted
    ("fig_b_1", "numbers", lambda s: s["claims"]["B.1"]["test_rmse"].__setitem__(1, 0.5)),
    # Fig B.2: a task missing from the six of Fig 4.1
    ("fig_b_1", "tasks", lambda s: s["claims"]["B.2"].pop("xy")),
    # Fig B.3: the count of seeds where fine-tuning beats the continued MLP no longer its seeds' count
    ("fig_b_3", "numbers", lambda s: s["claims"].update(n_finetune_above_continued_mlp=s["claims"]["n_seeds"] + 1)),
    # Table 5: row A is no longer the exact formula (r² with A below 1)
    ("table_5", "numbers", lambda s: s["claims"]["rows"]["A"].update(r2_A=0.99)),
    # Fig 2.2: the two grids' partition-of-unity errors differ, so "on both grids" is false
    ("fig_2_2", "numbers", lambda s: s["claims"]["partition_of_unity_max_dev"].update({"G=10": 6.7e-16})),
    # Table 2: a third minimal shape, so "(jv, iv [2,2,1])" no longer lists every exception
    ("fig_3_2", "table_two", lambda s: s["table_2"]["kv"].update(min_shape="[2,3,1]")),
    # Fig F.1: an m=0 harmonic's best KAN no longer [2,1,1]
    ("fig_3_2", "best_kans", lambda s: s["table_2"]["sph_harm_m0_n1"].update(best_shape="[2,5,1]")),
    # Fig F.2: a function without a KAN below 1e-2, so "All 15 found" is false
    ("fig_3_2", "minimal_kans", lambda s: s["table_2"]["yv"].update(min_rmse=0.02)),
])
def test_statements_of_the_appendix_templates_are_checked(name, cell, change):
    summary = rr.load_summary(name)
    rr.TEMPLATES[(name, cell)](summary)  # renders as committed
    change(summary)
    with pytest.raises(ValueError, match="out of date"):
        rr.TEMPLATES[(name, cell)](summary)


def test_every_row_of_the_tables_has_a_generated_numbers_cell():
    text = rr.README.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    assert len(rows) == 30
    for row in rows:
        assert "<!-- gen:" in row.split(" | ")[3], row[:40]
    for name, cell in (("fig_4_3", "table_four"), ("fig_4_6", "table_six"), ("table_3", "pareto"),
                       ("table_3", "best_pruned"), ("table_3", "minimal_pruned"), ("fig_0_1", "numbers"),
                       ("fig_2_1", "numbers"), ("fig_6_1", "numbers"), ("fig_0_1", "scale")):
        assert text.count(f"<!-- gen:{name}:{cell} -->") == 1, (name, cell)
    # Table 4: the MLPs' best validation steps over the five seeds, and the median and range of their accuracy
    assert "early-stopped on validation (best at steps 2,700–4,900): **89.9 % (88.7…90.7)**" in text
    # Fig 0.1's provenance: 1.45 s to draw and read back the diagram
    assert "pure diagram; 1.5 s wall to draw and read back" in text


@pytest.mark.parametrize("name, cell, change", [
    # Table 4: the MLP's parameter count no longer that of three hidden layers of 300
    ("fig_4_3", "table_four", lambda s: [j.update(n_params=188411) for j in s["jobs"] if j["config"]["model"] == "mlp"]),
    # Table 6: a summary accuracy that the table's percentage no longer rounds
    ("fig_4_6", "table_six", lambda s: s["claims"]["maam"].update(pruned=0.9)),
    # Fig D.2: a best pruned KAN with three layers, so "all 2-layer" is false
    ("table_3", "best_pruned", lambda s: s["table"]["I.6.2"].update(pruned_best_shape=[2, 2, 2, 1])),
    # Fig D.3: an equation without a KAN below 1e-2 whose smallest one is below it
    ("table_3", "minimal_pruned", lambda s: s["table"]["I.30.3"].update(pruned_smallest_rmse=5e-3)),
    # Fig 0.1: a panel whose claims fail
    ("fig_0_1", "numbers", lambda s: s["claims"]["b"].update(sum_nodes=False)),
    # Fig 2.1: a portrait drawn
    ("fig_2_1", "numbers", lambda s: s["claims"].update(portraits=1)),
    # Fig 6.1: a second MLP leaf
    ("fig_6_1", "numbers", lambda s: s["drawn"]["leaves"][0].update(recommendation="MLP")),
])
def test_statements_of_the_remaining_rows_are_checked(name, cell, change):
    summary = rr.load_summary(name)
    rr.TEMPLATES[(name, cell)](summary)  # renders as committed
    change(summary)
    with pytest.raises(ValueError, match="out of date"):
        rr.TEMPLATES[(name, cell)](summary)


def test_the_cost_table_of_the_top_level_readme_matches_the_jsons():
    text = rr.TOP_README.read_text(encoding="utf-8")
    assert rr.cell_diffs(text, rr.RESULTS, rr.COST_TEMPLATES) == ""
    for name in rr.COST_SWEEPS:
        for cell in ("cost_jobs", "cost_committed"):
            assert text.count(f"<!-- gen:{name}:{cell} -->") == 1, (name, cell)
    # provenance totals (Fig 4.1: 101.2 CPU seconds), Fig 3.2's (111.0 s) and
    # Table 3's rerun, every job recorded (720.9 CPU seconds)
    assert "<!-- gen:fig_4_1:cost_committed -->0.03<!-- /gen -->" in text
    assert "<!-- gen:fig_3_2:cost_committed -->0.03<!-- /gen -->" in text
    assert "<!-- gen:table_3:cost_committed -->0.47<!-- /gen -->" in text
    # the paper-scale estimates stay written by hand
    assert "| `fig_4_4` | <!-- gen:fig_4_4:cost_jobs -->40<!-- /gen --> |" in text and "| ≈ 0.5 (≤ 4.2 at the whole budget) |" in text


def test_a_changed_provenance_total_is_caught_in_the_cost_table(tmp_path):
    results = tmp_path / "results"
    for name in rr.COST_SWEEPS:
        shutil.copytree(rr.RESULTS / name, results / name, ignore=shutil.ignore_patterns("*.png", "*.md"))
    summary = rr.load_summary("fig_4_1")
    summary["provenance"]["total"]["cpu_seconds"] = 7200.0
    (results / "fig_4_1" / "fig_4_1.json").write_text(json.dumps(summary), encoding="utf-8")
    diffs = rr.cell_diffs(rr.TOP_README.read_text(encoding="utf-8"), results, rr.COST_TEMPLATES)
    assert diffs == "gen:fig_4_1:cost_committed\n- 0.03\n+ 2.00\n"
    # a job without a CPU record in the provenance makes the cell refuse rather than undercount
    summary["provenance"]["total"]["jobs_not_recorded"] = 1
    with pytest.raises(ValueError, match="out of date"):
        rr.COST_TEMPLATES[("fig_4_1", "cost_committed")](summary)


def test_the_check_covers_the_cost_table():
    text = rr.TOP_README.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="missing"):
        rr.render(text.replace("<!-- gen:fig_2_3:cost_committed -->", "", 1), rr.RESULTS, rr.COST_TEMPLATES)
    assert [path for path, _ in rr.DOCUMENTS] == [rr.README, rr.TOP_README]
