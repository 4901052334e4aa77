"""Quick variants of the paper-figure scripts: each asserts its figure's qualitative claim."""
import base64
import json

import numpy as np
import pytest

from paper_figures import _common, fig_2_3


def test_run_jobs_resumes_and_keeps_order(tmp_path):
    calls = []

    def job(c):
        calls.append(c["job"])
        return {"value": c["x"] ** 2}

    configs = [{"job": "a", "x": 2}, {"job": "b", "x": 3}]
    assert [r["value"] for r in _common.run_jobs(job, configs, str(tmp_path))] == [4, 9]
    assert calls == ["a", "b"]
    (tmp_path / "jobs" / "b.json").unlink()
    assert [r["value"] for r in _common.run_jobs(job, configs, str(tmp_path))] == [4, 9]
    assert calls == ["a", "b", "b"]  # only the missing job ran again
    with pytest.raises(ValueError, match="unique"):
        _common.run_jobs(job, [{"job": "a"}, {"job": "a"}], str(tmp_path))


def test_loglog_slope():
    G = np.array([5.0, 10.0, 20.0])
    assert _common.loglog_slope(G, 3 * G ** -3) == pytest.approx(-3.0)


@pytest.mark.slow
def test_fig_2_3_quick_grid_extension_converges_like_a_power_law(tmp_path, capsys):
    """The quick run's cases are fixed by the script: both widths, uniform knots, model seeds 0-2
    (QUICK_SEEDS); every assertion holds for every seed."""
    summary = fig_2_3.main(["--quick", "--out", str(tmp_path)])
    assert fig_2_3.QUICK_SEEDS == (0, 1, 2)
    claims = summary["claims"]
    assert set(claims) == {"uniform"}
    small, wide = claims["uniform"]["2x1x1"], claims["uniform"]["2x5x1"]
    assert small["seeds"] == wide["seeds"] == [0, 1, 2]
    # the paper: [2, 1, 1] test RMSE ~ G^-3, root median squared error closer to G^-4, G in [5, 100]
    assert small["slope_range"] == [5, 100]
    assert small["slope_rms"]["max"] < -2.5, small["slope_rms"]  # measured -3.69, -3.45, -3.68
    for rms, med in zip(small["slope_rms"]["per_seed"], small["slope_median"]["per_seed"]):
        assert -4.7 < med < -3.3 and med < rms, (rms, med)
    stages = summary["stages"]
    for seed in (0, 1, 2):
        small_st = stages[fig_2_3.job_name([2, 1, 1], "uniform", seed)]
        wide_st = stages[fig_2_3.job_name([2, 5, 1], "uniform", seed)]
        rmse = [s["test_rmse"] for s in small_st]
        assert all(b < a for a, b in zip(rmse, rmse[1:])), (seed, rmse)  # every refinement helps
        for st in (small_st, wide_st):  # and lowers the training error, for both widths
            train = [s["train_rmse"] for s in st]
            assert all(b < a for a, b in zip(train, train[1:])), (seed, train)
        # [2, 5, 1] stops gaining from G = 20 on (near its interpolation threshold), while
        # [2, 1, 1] goes on falling and ends far below it
        test = {w: {s["G"]: s["test_rmse"] for s in st} for w, st in (("small", small_st), ("wide", wide_st))}
        assert min(test["wide"][50], test["wide"][100]) > test["wide"][20] / 2, (seed, test)
        # the two-point slope from G = 20 to 100 is steeper than -2.5, the bound of the fitted slopes
        assert test["small"][100] < test["small"][20] * 5.0 ** -2.5, (seed, test)
    for b_small, b_wide in zip(small["best_test_rmse"]["per_seed"], wide["best_test_rmse"]["per_seed"]):
        assert b_small < b_wide / 100
    assert (tmp_path / "fig_2_3.png").stat().st_size > 0
    assert json.loads((tmp_path / "fig_2_3.json").read_text())["quick"] is True
    assert "slope_rms" in capsys.readouterr().out


def _square(c):
    return {"value": c["x"] ** 2}


def test_run_jobs_through_an_executor_keeps_config_order(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    configs = [{"job": f"j{x}", "x": x} for x in range(5)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = _common.run_jobs(_square, configs, str(tmp_path), executor=pool)
    assert [r["value"] for r in results] == [0, 1, 4, 9, 16]
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == [f"j{x}.json" for x in range(5)]


def test_fig_2_3_smoke_runs_the_script_end_to_end(tmp_path, capsys, shrink_jobs):
    """Grids 3, 5, 10 at 3 iterations each: the job list, stages, claims and files of the script."""
    shrink_jobs(fig_2_3, grids=[3, 5, 10], steps=3)
    summary = fig_2_3.main(["--quick", "--out", str(tmp_path)])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    jobs = sorted(f"jobs/{w}_uniform_seed{s}.json" for w in ("2x1x1", "2x5x1") for s in fig_2_3.QUICK_SEEDS)
    assert written == ["fig_2_3.json", "fig_2_3.png", "jobs.json"] + jobs
    # edges times (G + k spline coefficients, w_b and w_s): 3 edges in [2, 1, 1], 15 in [2, 5, 1]
    for width, n_edges in (("2x1x1", 3), ("2x5x1", 15)):
        for seed in fig_2_3.QUICK_SEEDS:
            stages = summary["stages"][f"{width}_uniform_seed{seed}"]
            assert [s["G"] for s in stages] == [3, 5, 10]
            assert [s["n_params"] for s in stages] == [n_edges * (G + 3 + 2) for G in (3, 5, 10)]
            assert all(np.isfinite(s["test_rmse"]) for s in stages)
        claims = summary["claims"]["uniform"][width]
        assert claims["slope_range"] == [5, 10] and np.isfinite(claims["slope_rms"]["per_seed"]).all()
    saved = json.loads((tmp_path / "fig_2_3.json").read_text())
    assert json.loads(capsys.readouterr().out) == saved["claims"]  # the claims are printed


def test_fig_2_3_figure_has_the_papers_panels_median_curves_and_both_slopes(tmp_path, shrink_jobs):
    """Top: one staircase per width, [2, 5, 1] left; bottom left: RMSE and root median per width
    with G^-3 and G^-4; bottom right: time. No panel is empty, and the log ticks are plain numbers."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    shrink_jobs(fig_2_3, grids=[3, 5, 10], steps=3)
    fig_2_3.main(["--quick", "--out", str(tmp_path)])
    results = [json.loads(p.read_text()) for p in sorted((tmp_path / "jobs").glob("*.json"))]
    fig = fig_2_3.figure(results)
    axes = fig.get_axes()
    assert len(axes) == 4 and all(ax.get_lines() for ax in axes)  # no empty panel
    assert [ax.get_title().split(":")[0] for ax in axes[:2]] == ["KAN [2, 5, 1]", "KAN [2, 1, 1]"]
    labels = [line.get_label() for line in axes[2].get_lines()]
    for width in ("[2, 5, 1]", "[2, 1, 1]"):
        assert any(label.startswith(f"{width} RMSE (slope") for label in labels)
        assert any(label.startswith(f"{width} root median") for label in labels)
    # with runs of both knot placements, the quantile RMSE medians are drawn too
    quantile = [dict(r, config=dict(r["config"], placement="quantile")) for r in results]
    both = [line.get_label() for line in fig_2_3.figure(results + quantile).get_axes()[2].get_lines()]
    assert {"[2, 5, 1] RMSE, quantile knots", "[2, 1, 1] RMSE, quantile knots"} <= set(both)
    assert "$G^{-3}$" in labels and "$G^{-4}$" in labels
    # the reference lines run over the slope fit range with exponents -3 and -4
    for label, exponent in (("$G^{-3}$", -3.0), ("$G^{-4}$", -4.0)):
        line = axes[2].get_lines()[labels.index(label)]
        G, err = line.get_data()
        assert list(G) == [5, 10]
        assert np.log(err[1] / err[0]) / np.log(G[1] / G[0]) == pytest.approx(exponent)
    FigureCanvasAgg(fig).draw()  # lays the ticks out as a saved PNG has them
    for ax in axes[2:]:
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert ticks == ["3", "5", "10"]


def _model_job(config):
    """A job returning one tiny model, for the job-store tests."""
    from minikan import KAN

    model = KAN([1, 1], grid=3, k=3, seed=config["seed"])
    return {"config": config, "value": config["seed"], "models": {"kan": _common.encode_model(model)}}


def test_models_stay_out_of_job_files_and_come_back_from_memory_files_or_retraining(tmp_path):
    configs = [{"job": "a", "seed": 1}]
    (r,) = _common.run_jobs(_model_job, configs, str(tmp_path / "plain"), quiet=True)
    stored = json.loads((tmp_path / "plain" / "jobs" / "a.json").read_text())
    assert "models" not in stored and "model_files" not in stored and stored["value"] == 1
    assert not (tmp_path / "plain" / "models").exists()
    packed = json.loads((tmp_path / "plain" / "jobs.json").read_text())
    assert packed == {"a": stored}
    expected = _model_job(configs[0])["models"]["kan"]
    assert r["models"] == {"kan": expected}  # in memory for the rest of the run
    X = np.linspace(-1, 1, 7)[:, None]
    reference = _common.decode_model(expected).predict(X)
    np.testing.assert_array_equal(_common.job_models(_model_job, r)["kan"].predict(X), reference)

    # --save-models: the archive is written and its path recorded
    (s,) = _common.run_jobs(_model_job, configs, str(tmp_path / "saved"), quiet=True, save_models=True)
    assert s["model_files"] == {"kan": "models/a__kan.npz"}
    assert (tmp_path / "saved" / "models" / "a__kan.npz").read_bytes() == base64.b64decode(expected)

    # read back from jobs.json alone: nothing reruns in run_jobs; job_models retrains the same model
    import shutil

    shutil.rmtree(tmp_path / "plain" / "jobs")
    calls = []

    def counted(c):
        calls.append(c["job"])
        return _model_job(c)

    (back,) = _common.run_jobs(counted, configs, str(tmp_path / "plain"), quiet=True)
    assert calls == [] and "models" not in back and back["value"] == 1
    np.testing.assert_array_equal(_common.job_models(counted, back)["kan"].predict(X), reference)
    assert calls == ["a"]
    # from the saved file, without retraining
    (saved,) = _common.run_jobs(counted, configs, str(tmp_path / "saved"), quiet=True)
    np.testing.assert_array_equal(_common.job_models(counted, saved, str(tmp_path / "saved"))["kan"].predict(X),
                                  reference)
    assert calls == ["a"]
    with pytest.raises(TypeError, match="models"):
        _common.run_jobs(lambda c: {"models": [1]}, [{"job": "b"}], str(tmp_path / "bad"))


def test_scale_options_quick_paper_and_the_default(capsys):
    from paper_figures._common import parse_args

    assert parse_args("x", "d", []).scale == "full"
    assert parse_args("x", "d", ["--quick"]).scale == "quick"
    assert parse_args("x", "d", ["--paper"], paper=True).scale == "paper"
    with pytest.raises(SystemExit):  # a script without a paper scale refuses it, by name
        parse_args("fig_x", "d", ["--paper"])
    assert "fig_x has no --paper scale" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args("x", "d", ["--quick", "--paper"], paper=True)


def test_jobs_pattern_selects_a_slice_of_the_sweep_and_marks_it_provisional():
    from paper_figures._common import parse_args, select_jobs

    configs = [{"job": f"{fn}__kan__s{s}"} for fn in ("ellipj", "jv") for s in range(3)]
    chosen, partial = select_jobs(configs, parse_args("x", "d", ["--jobs", "jv__*"]))
    assert [c["job"] for c in chosen] == ["jv__kan__s0", "jv__kan__s1", "jv__kan__s2"]
    assert partial == {"pattern": "jv__*", "jobs_run": 3, "jobs_in_sweep": 6, "provisional": True}
    assert select_jobs(configs, parse_args("x", "d", [])) == (configs, None)
    with pytest.raises(SystemExit, match="matches none of the 6 jobs"):
        select_jobs(configs, parse_args("x", "d", ["--jobs", "kv*"]))
    # several patterns: the union, in the sweep's order; each must match something
    chosen, partial = select_jobs(configs, parse_args("x", "d", ["--jobs", "jv__*__s2,ellipj__*__s0"]))
    assert [c["job"] for c in chosen] == ["ellipj__kan__s0", "jv__kan__s2"]
    assert partial["pattern"] == "jv__*__s2,ellipj__*__s0" and partial["jobs_run"] == 2
    with pytest.raises(SystemExit, match="'kv\\*' matches none"):
        select_jobs(configs, parse_args("x", "d", ["--jobs", "jv__*,kv*"]))
