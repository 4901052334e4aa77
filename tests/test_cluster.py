"""Figure sweeps on a Dask cluster (``--scheduler``): the command line, and a ``LocalCluster`` of two
worker processes giving the in-process numbers bit for bit.

The cluster test needs the optional extra (``pip install -e ".[cluster]"``, installed by
``.ci/run``); without it that test is skipped with the reason. The checks of the command line run
everywhere.
"""
import ast
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

import paper_figures
from paper_figures import _common

REPO = pathlib.Path(paper_figures.__file__).resolve().parent.parent
needs_distributed = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="dask.distributed is the optional extra: pip install -e \".[cluster]\"")
# measured times, which differ between any two runs; everything else must match to the bit
TIMINGS = {"seconds", "cpu_seconds", "wall_seconds", "provenance", "job_record"}


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _run_script(out, *options):
    """``python -m paper_figures.fig_3_4 --quick`` in a fresh process with one BLAS thread, as the
    cluster's workers have, so that both runs do their arithmetic the same way."""
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "paper_figures.fig_3_4", "--quick", "--quiet", "--out",
                           str(out), *options], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.slow
@needs_distributed
def test_a_sweep_on_a_local_cluster_is_bit_identical_to_the_in_process_run(tmp_path):
    """Figure 3.4's quick variant (a KAN and an MLP job, continual learning), once in one process and
    once on ``--scheduler local:2``: every job's result and the summary are the same to the last
    bit; only the measured times differ."""
    _run_script(tmp_path / "here")
    _run_script(tmp_path / "cluster", "--scheduler", "local:2")
    for name in ("kan", "mlp"):
        here, cluster = (json.loads((tmp_path / run / "jobs" / f"{name}.json").read_text())
                         for run in ("here", "cluster"))
        # the numbers compared include the 5 x 1000 predictions of the continual-learning phases
        assert len(here["predictions"]) == 5 and len(here["predictions"][0]) > 100
        # repr of every float, so that even 0.0 against -0.0 would show
        assert (json.dumps(_without_timings(here), sort_keys=True)
                == json.dumps(_without_timings(cluster), sort_keys=True)), name
        assert here["job_record"]["config_sha256"] == cluster["job_record"]["config_sha256"]
        # the workers were spawned with one BLAS thread (pre-spawn environment), like this run
        assert set(cluster["job_record"]["blas_threads"].values()) == {"1"}
        assert here["job_record"]["blas_threads"]["OPENBLAS_NUM_THREADS"] == "1"
        assert cluster["job_record"]["cpu_seconds"] > 0 and cluster["job_record"]["wall_seconds"] > 0
    here, cluster = (json.loads((tmp_path / run / "fig_3_4.json").read_text()) for run in ("here", "cluster"))
    assert json.dumps(_without_timings(here), sort_keys=True) == json.dumps(_without_timings(cluster),
                                                                            sort_keys=True)
    assert cluster["provenance"]["configuration"]["options"]["scheduler"] == "local:2"
    assert cluster["provenance"]["command_line"].endswith("--scheduler local:2")
    assert here["provenance"]["configuration"]["jobs"] == cluster["provenance"]["configuration"]["jobs"]
    # a finished sweep resumes with nothing to run: no cluster is started and the files stay
    before = (tmp_path / "cluster" / "jobs" / "kan.json").read_text()
    _run_script(tmp_path / "cluster", "--scheduler", "local:2")
    assert (tmp_path / "cluster" / "jobs" / "kan.json").read_text() == before


@pytest.mark.parametrize("argv, message", [
    (["--scheduler", "local:0"], "N >= 1"),
    (["--scheduler", "local:two"], "scheduler address"),
    (["--scheduler", "tcp://host name:8786"], "scheduler address"),
    (["--scheduler", ""], "scheduler address"),
    (["--workers", "2", "--scheduler", "local:2"], "exclude each other"),
])
def test_scheduler_option_rejects_what_it_cannot_use(argv, message, capsys, monkeypatch):
    monkeypatch.setattr(_common, "_have_distributed", lambda: True)
    with pytest.raises(SystemExit):
        _common.parse_args("fig_x", "", argv)
    assert message in capsys.readouterr().err


def test_scheduler_option_accepts_addresses_and_local_clusters(monkeypatch):
    monkeypatch.setattr(_common, "_have_distributed", lambda: True)
    for address in ("tcp://10.0.0.5:8786", "tls://scheduler.example.org:8786", "host:8786", "tcp://[::1]:8786",
                    "local:4"):
        assert _common.parse_args("fig_x", "", ["--scheduler", address]).scheduler == address
    assert _common.parse_args("fig_x", "", []).scheduler is None


def test_without_dask_the_scheduler_option_says_which_extra_to_install(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(_common, "_have_distributed", lambda: False)
    with pytest.raises(SystemExit):
        _common.parse_args("fig_x", "", ["--scheduler", "local:2"])
    assert 'pip install -e ".[cluster]"' in capsys.readouterr().err
    # the runner itself, called directly: an ImportError with the same advice, and nothing written
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"\.\[cluster\]"):
        _common.run_jobs(_square, [{"job": "a", "x": 2}], str(tmp_path), scheduler="local:2")
    assert list((tmp_path / "jobs").iterdir()) == []


def test_runner_takes_one_place_to_run_the_jobs(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="at most one"):
        _common.run_jobs(_square, [{"job": "a", "x": 2}], str(tmp_path), executor=pool, scheduler="local:2")
    with pytest.raises(ValueError, match="at most one"):
        _common.run_jobs(_square, [{"job": "a", "x": 2}], str(tmp_path), workers=2, scheduler="local:2")


def _square(c):
    return {"value": c["x"] ** 2}


def test_every_figure_script_passes_the_scheduler_to_the_runner():
    folder = pathlib.Path(paper_figures.__file__).parent
    scripts = sorted(folder.glob("fig_*.py")) + sorted(folder.glob("table_*.py"))
    calls = 0
    for path in scripts:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run_jobs":
                calls += 1
                scheduler = [kw for kw in node.keywords if kw.arg == "scheduler"]
                assert scheduler and ast.unparse(scheduler[0].value) == "args.scheduler", path.name
    assert calls >= 18


def test_minikan_never_imports_dask():
    """The extra serves the figure scripts only: no module of the package names dask or distributed."""
    package = REPO / "minikan"
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in ("dask", "distributed") for n in names), path
