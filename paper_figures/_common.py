"""What every figure script shares: the command line, job sweeps, provenance, saving.

Each script is run as ``python -m paper_figures.<name> [--quick] [--out DIR] [--workers N |
--scheduler ADDRESS] [--seed S] [--quiet]``. Its jobs are pure functions of a JSON-able config.

The job store. Each job's result is written to ``OUT/jobs/<job>.json`` as soon as it finishes,
with one added key, ``"job_record"``: the SHA-256 of the job's configuration (its canonical JSON:
sorted keys, no spaces), the CPU seconds (``time.process_time`` in the process that ran it) and
wall seconds of the job, the host and the BLAS thread settings there. A rerun reuses a file only
when its recorded hash is the hash of the job's configuration now, so an interrupted sweep resumes
and a changed configuration is never served from an old result: such a file is moved to
``OUT/jobs/stale/<job>__<hash8>.json`` (kept, not deleted), reported on standard error, and the
job runs again. When the sweep ends, every job file is also gathered into one ``OUT/jobs.json``
(job name -> the file's content), the form committed under ``results/``. A run on a folder with
``jobs.json`` and no ``jobs/`` first unpacks it into the files, so such a folder resumes like one
holding the files (and, as there, deleting one job's file runs that job again). Files written before hashes were recorded (the committed ``results/``) carry no
record; one is reused only when the ``"config"`` stored in it equals the configuration now, and its
times read as "not recorded". The hash covers the configuration, not the code: a run with changed
job code belongs in a fresh ``--out``.

Where the jobs run: in this process (``--workers 1``, the default), in a local process pool
(``--workers N``), or on a Dask cluster (``--scheduler ADDRESS``, an existing scheduler such as
``tcp://host:8786``, or ``--scheduler local:N``, a ``LocalCluster`` of N single-threaded worker
processes started here and closed after). Dask is the optional extra ``pip install -e
".[cluster]"``, imported only when ``--scheduler`` is given; it reaches :func:`run_jobs` through the
same ``concurrent.futures.Executor`` seam (``Client.get_executor``) as any other executor, one task
per job, each result written as it arrives. Workers of ``local:N`` are spawned with
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to 1 (Dask's
``distributed.nanny.pre-spawn-environ``, applied before the worker imports NumPy), so their results
are bit-identical to an in-process run under the same one-thread BLAS setting.

Models: a job may return its trained models under the key ``"models"`` (name -> the text of
:func:`encode_model`). They are never written into the job's JSON: the results returned by
:func:`run_jobs` carry them in memory for the rest of that run, and with ``--save-models`` each is
also written to ``OUT/models/<job>__<name>.npz`` and its path recorded under ``"model_files"``.
:func:`job_models` gives a stage of a script the models of a job: from memory, from those files, or
(a result read back from an earlier run) by running the job again, which is deterministic.

Provenance: :func:`provenance` builds the block that every summary JSON stores under
``"provenance"``: versions, git commit and dirtiness, platform, command line, configuration,
per-job CPU and wall seconds and their totals.

Progress: each finished job prints ``[done/total] job-name  elapsed 12.3s, ETA 45.6s`` on standard
error (standard output carries the script's claims as JSON, so it can be piped); ``--quiet``
turns these lines off.
"""
import argparse
import base64
import contextlib
import datetime
import hashlib
import importlib
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

DEFAULT_OUT = os.path.join(os.path.dirname(__file__), "out")  # git-ignored
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD = "job_record"  # the key added to each job's file; a job's own result may not use it
MODELS = "models"  # a job's trained models (name -> encode_model text): kept in memory, never in its JSON
MODEL_FILES = "model_files"  # name -> path (relative to OUT) of a model written under --save-models
PACKED = "jobs.json"  # every job's result in one file: the committed form of a results folder
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NOT_RECORDED = "not recorded"
_LOCAL = re.compile(r"local:(\d+)")
# a scheduler address: protocol://host:port or host:port (Dask's default protocol is tcp); an IPv6
# host goes in brackets
_ADDRESS = re.compile(r"([a-z][a-z0-9+.-]*://)?(\[[0-9a-fA-F:]+\]|[^\s:/\[\]]+)(:\d+)?")


def parse_args(name, description, argv=None, paper=False):
    """The shared command line; ``--out`` defaults to ``paper_figures/out/<name>``.

    ``args.scale`` is ``"quick"`` (``--quick``), ``"paper"`` (``--paper``) or ``"full"`` (the
    committed scale, the default). ``paper=True`` says the script has a paper scale; without it
    ``--paper`` is refused with an error.

    Besides the options, the returned namespace remembers the command line and the moment and
    environment (versions, git state) of the start, for :func:`provenance`.
    """
    parser = argparse.ArgumentParser(prog=f"python -m paper_figures.{name}", description=description)
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="the small variant run in CI")
    scale.add_argument("--paper", action="store_true",
                       help="the paper's protocol, as far as the script implements it (its docstring "
                            "says what is reduced): many CPU-hours; run it with --scheduler or --workers, "
                            "it resumes where it stopped. Scripts without a paper scale refuse it")
    parser.add_argument("--out", default=os.path.join(DEFAULT_OUT, name), help="output folder")
    parser.add_argument("--workers", type=int, default=1, help="processes for the job sweep")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run the jobs on a Dask cluster: the address of a running scheduler "
                             "(tcp://host:8786) or local:N for a LocalCluster of N worker processes; "
                             "needs the extra: pip install -e \".[cluster]\"")
    parser.add_argument("--seed", type=int, default=0, help="seed of data and models")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line per finished job (on standard error)")
    parser.add_argument("--jobs", default=None, metavar="PATTERN",
                        help="run only the jobs whose names match this shell-style pattern (e.g. "
                             "'ellipj__*'; several patterns separated by commas select the jobs that "
                             "match any): a slice of a long sweep, resumed later by the same command "
                             "without --jobs; the summary then covers that slice only and says so")
    parser.add_argument("--save-models", action="store_true",
                        help="also write each job's trained models to OUT/models/<job>__<name>.npz "
                             "(without it the models live only in memory and are retrained when needed)")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.paper and not paper:
        parser.error(f"{name} has no --paper scale: its default run is the scale it reproduces")
    if args.workers < 1:
        parser.error(f"--workers must be >= 1, got {args.workers}")
    if args.scheduler is not None:
        try:
            check_scheduler(args.scheduler)
        except ValueError as exc:
            parser.error(str(exc))
        if args.workers != 1:
            parser.error("--workers and --scheduler exclude each other: with --scheduler the cluster's "
                         "workers run the jobs (local:N sets their number)")
        if not _have_distributed():
            parser.error("--scheduler needs dask.distributed, an optional extra: pip install -e \".[cluster]\"")
    args.scale = "quick" if args.quick else "paper" if args.paper else "full"
    # kept for provenance(); names starting with "_" are not options and are left out of its record
    args._command_line = shlex.join(["python", "-m", f"paper_figures.{name}"] + argv)
    args._started = time.perf_counter()
    args._started_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    args._environment = environment()  # at the start: the outputs this run writes do not count as edits
    return args


def select_jobs(configs, args):
    """The configs of the jobs that ``--jobs PATTERN`` selects (all of them without it), and a
    record for the summary: ``None`` for a whole sweep, else ``{"pattern", "jobs_run",
    "jobs_in_sweep", "provisional": True}``.

    ``PATTERN`` is one shell-style pattern or several separated by commas (job names have no
    commas); a job is chosen when it matches any of them, in the sweep's order. A pattern that
    matches no job is an error, so that a typo cannot shrink a slice silently."""
    import fnmatch

    if args.jobs is None:
        return configs, None
    patterns = args.jobs.split(",")
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(c["job"], pattern) for c in configs):
            raise SystemExit(f"--jobs {pattern!r} matches none of the {len(configs)} jobs "
                             f"(e.g. {configs[0]['job']!r})")
    chosen = [c for c in configs if any(fnmatch.fnmatchcase(c["job"], p) for p in patterns)]
    return chosen, {"pattern": args.jobs, "jobs_run": len(chosen), "jobs_in_sweep": len(configs),
                    "provisional": True}


def check_scheduler(scheduler):
    """Raise ``ValueError`` unless ``scheduler`` is ``local:N`` (N >= 1) or a scheduler address."""
    local = _LOCAL.fullmatch(scheduler)
    if local:
        if int(local.group(1)) < 1:
            raise ValueError(f"--scheduler local:N needs N >= 1 worker processes, got {scheduler!r}")
        return
    if scheduler.startswith("local") or not _ADDRESS.fullmatch(scheduler):
        raise ValueError(f"--scheduler takes a scheduler address such as tcp://host:8786 or local:N "
                         f"(N worker processes on this machine), got {scheduler!r}")


def _have_distributed():
    return importlib.util.find_spec("distributed") is not None


def config_hash(config):
    """SHA-256 (hex) of the canonical JSON of ``config``: sorted keys, no spaces, ASCII.

    Tuples hash as lists and NumPy scalars as Python numbers, as they are written; floats are
    written exactly (shortest round-trip repr), so configs equal after a JSON round trip hash equal.
    """
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_to_json)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def run_jobs(job, configs, out_dir, workers=1, executor=None, quiet=False, scheduler=None,
             save_models=False):
    """Run ``job(config)`` for every config not yet done; return the results in config order.

    Parameters
    ----------
    job : callable
        A module-level function (so a process pool or Dask can send it by reference) of one dict,
        returning a JSON-able dict without the key ``"job_record"``; its models, if any, under
        ``"models"`` (name -> :func:`encode_model` text), which is not written to its JSON.
    configs : list of dict
        Each with a unique ``"job"`` name, used as the file name of its result.
    out_dir : str
        Results go to ``out_dir/jobs/<job>.json`` (see the module docstring for what a rerun
        reuses).
    workers : int
        Size of the local process pool when neither ``executor`` nor ``scheduler`` is given (1 runs
        in this process).
    executor : concurrent.futures.Executor, optional
    quiet : bool
        False prints one line per finished job on standard error (see :class:`Progress`).
    scheduler : str, optional
        ``"local:N"`` or a Dask scheduler's address (see :func:`dask_executor`).
    save_models : bool
        Also write the models a job returns to ``out_dir/models/<job>__<name>.npz`` and record
        their paths (relative to ``out_dir``) under ``"model_files"`` in its JSON.

    Returns
    -------
    list of dict
        Each job's result as read back from its file, without the ``"job_record"``; the jobs run
        now also carry their ``"models"`` (in memory only).
    """
    if sum([executor is not None, scheduler is not None, workers != 1]) > 1:
        raise ValueError("give at most one of workers != 1, executor and scheduler")
    jobs_dir = os.path.join(out_dir, "jobs")
    path = {c["job"]: os.path.join(jobs_dir, c["job"] + ".json") for c in configs}
    if len(path) != len(configs):
        raise ValueError("job names must be unique")
    unpack_jobs(out_dir)
    os.makedirs(jobs_dir, exist_ok=True)
    todo = [c for c in configs if not _reusable(path[c["job"]], c)]
    progress = Progress(len(configs), len(configs) - len(todo), quiet=quiet)
    models = {}  # job name -> its models, for the results returned by this run

    def save(config, outcome):
        result, record = outcome
        if not isinstance(result, dict) or RECORD in result or MODEL_FILES in result:
            raise TypeError(f"job {config['job']!r} must return a dict without the keys {RECORD!r} and "
                            f"{MODEL_FILES!r}, got {type(result).__name__}")
        if MODELS in result:
            models[config["job"]] = _check_models(config["job"], result.pop(MODELS))
            if save_models:
                result[MODEL_FILES] = _write_models(out_dir, config["job"], models[config["job"]])
        save_json({**result, RECORD: record}, path[config["job"]])
        progress.done(config["job"])

    if executor is None and scheduler is None and workers == 1:
        for c in todo:
            save(c, timed_job(job, c))
    elif scheduler is not None:
        if todo:  # a finished sweep starts no cluster
            with dask_executor(scheduler) as cluster:
                _drain(cluster, _importable(job), todo, save)
    else:
        own = executor is None
        executor = executor or ProcessPoolExecutor(max_workers=workers)
        try:
            _drain(executor, job, todo, save)
        finally:
            if own:
                executor.shutdown()
    pack_jobs(out_dir)
    results = [_load_job(path[c["job"]])[0] for c in configs]
    for r, c in zip(results, configs):
        if c["job"] in models:
            r[MODELS] = models[c["job"]]
    return results


def _check_models(name, models):
    if not isinstance(models, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in models.items()):
        raise TypeError(f"job {name!r}: {MODELS!r} must map names to encode_model text, "
                        f"got {type(models).__name__}")
    return models


def _write_models(out_dir, name, models):
    """Write each model's archive to ``out_dir/models/<name>__<model>.npz``; name -> relative path."""
    os.makedirs(os.path.join(out_dir, "models"), exist_ok=True)
    files = {}
    for key, text in models.items():
        files[key] = f"models/{name}__{key}.npz"
        with open(os.path.join(out_dir, files[key]), "wb") as fh:
            fh.write(base64.b64decode(text))
    return files


def job_models(job, result, out_dir=None):
    """The trained models of one job's ``result`` (name -> model).

    From memory when the job ran in this process's sweep, else from the files recorded under
    ``"model_files"`` (``--save-models``) when they are all in ``out_dir``, else by running
    ``job(result["config"])`` again: the jobs are deterministic (same config and seed, same model).
    A job that returns no models gives ``{}``; a result without a stored ``"config"`` cannot be
    retrained and raises ``KeyError``.
    """
    from minikan.tools.io import load

    if MODELS in result:
        return {k: decode_model(v) for k, v in result[MODELS].items()}
    files = result.get(MODEL_FILES) or {}
    if files and out_dir is not None and all(os.path.exists(os.path.join(out_dir, f)) for f in files.values()):
        return {k: load(os.path.join(out_dir, f)) for k, f in files.items()}
    if "config" not in result:
        raise KeyError("the result stores no 'config', so its models cannot be retrained")
    fresh = job(dict(result["config"]))
    encoded = _check_models(result["config"].get("job"), fresh.get(MODELS, {}))
    return {k: decode_model(v) for k, v in encoded.items()}


def pack_jobs(out_dir):
    """Gather every ``out_dir/jobs/<job>.json`` into ``out_dir/jobs.json`` (job name -> content,
    sorted by name); return the number of jobs. Files in ``jobs/stale/`` are left out."""
    jobs_dir = os.path.join(out_dir, "jobs")
    names = sorted(f[:-5] for f in os.listdir(jobs_dir) if f.endswith(".json")) if os.path.isdir(jobs_dir) else []
    packed = {}
    for name in names:
        with open(os.path.join(jobs_dir, name + ".json")) as fh:
            packed[name] = json.load(fh)
    if packed:
        # one job per line, without indentation: a third smaller than indented JSON, and a rerun
        # that changes one job changes one line
        path = os.path.join(out_dir, PACKED)
        lines = [json.dumps(name) + ": " + json.dumps(content, separators=(",", ":"), default=_to_json)
                 for name, content in packed.items()]
        with open(path + ".tmp", "w") as fh:
            fh.write("{\n" + ",\n".join(lines) + "\n}\n")
        os.replace(path + ".tmp", path)
    return len(packed)


def unpack_jobs(out_dir):
    """Write each entry of ``out_dir/jobs.json`` as ``out_dir/jobs/<job>.json`` when there is no
    ``jobs/`` folder yet (where there is one, its files are the newer store); return the names
    written."""
    path = os.path.join(out_dir, PACKED)
    if not os.path.exists(path) or os.path.isdir(os.path.join(out_dir, "jobs")):
        return []
    with open(path) as fh:
        packed = json.load(fh)
    if not isinstance(packed, dict):
        raise ValueError(f"{path} must map job names to results, got {type(packed).__name__}")
    written = []
    for name, content in packed.items():
        target = os.path.join(out_dir, "jobs", name + ".json")
        if os.path.basename(name) != name or not name:
            raise ValueError(f"{path}: {name!r} is not a job name")
        save_json(content, target)
        written.append(name)
    return written


def _drain(executor, job, todo, save):
    """Submit one task per job; write each result as it finishes, so an interruption loses only
    the jobs still running."""
    futures = {executor.submit(timed_job, job, c): c for c in todo}
    for future in as_completed(futures):
        save(futures[future], future.result())


def timed_job(job, config):
    """``(job(config), record)``, run where the job runs: the record holds the config's hash, the
    job's CPU seconds (``time.process_time`` of this process; one job per process at a time with
    Dask's single-threaded workers and a process pool) and wall seconds, the host and the BLAS
    thread variables there."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = job(config)
    record = {"config_sha256": config_hash(config),
              "cpu_seconds": time.process_time() - cpu,
              "wall_seconds": time.perf_counter() - wall,
              "host": socket.gethostname(),
              "blas_threads": {v: os.environ.get(v, "unset") for v in BLAS_THREAD_VARIABLES}}
    return result, record


def _load_job(path):
    """``(result, record)`` of a job's file; ``record`` is None for a file written before records."""
    with open(path) as fh:
        result = json.load(fh)
    record = result.pop(RECORD, None) if isinstance(result, dict) else None
    return result, record


def _reusable(path, config):
    """Whether the file at ``path`` holds this config's result; a file that holds another's is moved
    to ``jobs/stale/`` and reported, so that the job runs again and nothing is lost."""
    if not os.path.exists(path):
        return False
    digest = config_hash(config)
    try:
        result, record = _load_job(path)
    except (OSError, ValueError) as exc:  # unreadable: never trusted
        old, why = "unreadable", f"unreadable ({exc})"
    else:
        if record is not None:
            old = str(record.get("config_sha256", "none"))
        elif isinstance(result, dict) and "config" in result:
            # written before hashes were recorded: the config the job stored stands in for it
            old = config_hash(result["config"])
        else:
            old = "none"
        if old == digest:
            return True
        why = f"its configuration's hash is {old[:8]}, this job's is {digest[:8]}"
    stale = os.path.join(os.path.dirname(path), "stale", f"{config['job']}__{old[:8]}.json")
    os.makedirs(os.path.dirname(stale), exist_ok=True)
    os.replace(path, stale)
    sys.stderr.write(f"not reused: {path} ({why}); moved to {stale}, running the job again\n")
    sys.stderr.flush()
    return False


def _importable(job):
    """``job`` as its module's attribute when it was defined in ``__main__`` (``python -m
    paper_figures.fig_3_4``), so that Dask sends it by reference and workers import the module."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if getattr(job, "__module__", None) != "__main__" or spec is None:
        return job
    return getattr(importlib.import_module(spec.name), job.__qualname__, job)


@contextlib.contextmanager
def dask_executor(scheduler):
    """A ``concurrent.futures.Executor`` on a Dask cluster, closed on exit.

    ``scheduler`` is ``"local:N"``, for a ``LocalCluster`` of N worker processes of one thread each,
    started here with one BLAS thread each and closed after; or the address of a running scheduler
    (``tcp://host:8786``), whose workers must import this checkout's ``paper_figures`` and
    ``minikan`` (see the README's "Full-scale runs on a cluster"). Tasks are impure (``pure=False``):
    each job runs once per submission.
    """
    check_scheduler(scheduler)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError("--scheduler needs dask.distributed, an optional extra: "
                          "pip install -e \".[cluster]\"") from exc
    local = _LOCAL.fullmatch(scheduler)
    with contextlib.ExitStack() as stack:
        if local:
            # set in each worker process before it starts, hence before NumPy loads OpenBLAS
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            environ.update({v: 1 for v in BLAS_THREAD_VARIABLES})
            stack.enter_context(dask.config.set({"distributed.nanny.pre-spawn-environ": environ}))
            cluster = stack.enter_context(LocalCluster(n_workers=int(local.group(1)), threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler, timeout="30s"))
        yield client.get_executor(pure=False)


def environment():
    """Versions, git state and platform of this process (the part of :func:`provenance` that does not
    depend on the run). Anything that cannot be found reads ``"not recorded"``."""
    import minikan

    versions = {"minikan": getattr(minikan, "__version__", NOT_RECORDED)}
    for package in ("numpy", "scipy", "sympy", "matplotlib"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = NOT_RECORDED
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain")
    return {"versions": versions,
            "python": platform.python_version(),
            "git_commit": commit.strip() if commit is not None else NOT_RECORDED,
            # uncommitted edits or untracked files (git-ignored outputs do not count)
            "git_dirty": bool(status.strip()) if status is not None else NOT_RECORDED,
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpu_count": os.cpu_count()}


def _git(*command):
    """Standard output of ``git <command>`` in this checkout, or None (no git, not a checkout)."""
    if shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(["git", "-C", REPO_ROOT, *command], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def provenance(args, configs):
    """The ``"provenance"`` block of a summary JSON.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`parse_args` (its command line, options and start).
    configs : list of dict
        The jobs of the sweep (empty for a script without jobs); their files in ``args.out/jobs``
        give each job's hash, CPU and wall seconds.

    Returns
    -------
    dict
        ``versions`` (minikan, numpy, scipy, sympy, matplotlib), ``python``, ``git_commit``,
        ``git_dirty``, ``platform``, ``machine``, ``cpu_count`` (all as at the start),
        ``command_line``, ``started``, ``configuration`` (``options`` and the ``jobs``' configs),
        ``jobs`` (name -> ``config_sha256``, ``cpu_seconds``, ``wall_seconds``, ``host``; times of
        results written before records read "not recorded"), ``total`` (sums over the jobs with a
        record, and how many have none) and ``wall_seconds`` of this invocation (resumed jobs cost
        it nothing).
    """
    jobs = {}
    for config in configs:
        try:
            _, record = _load_job(os.path.join(args.out, "jobs", config["job"] + ".json"))
        except OSError:
            record = None
        record = record or {}
        jobs[config["job"]] = {"config_sha256": config_hash(config),
                               "cpu_seconds": record.get("cpu_seconds", NOT_RECORDED),
                               "wall_seconds": record.get("wall_seconds", NOT_RECORDED),
                               "host": record.get("host", NOT_RECORDED)}
    timed = [j for j in jobs.values() if j["cpu_seconds"] != NOT_RECORDED]
    return {**args._environment,
            "command_line": args._command_line,
            "started": args._started_at,
            "configuration": {"options": {k: v for k, v in vars(args).items() if not k.startswith("_")},
                              "jobs": configs},
            "jobs": jobs,
            "total": {"cpu_seconds": sum(j["cpu_seconds"] for j in timed),
                      "wall_seconds": sum(j["wall_seconds"] for j in timed),
                      "jobs": len(jobs), "jobs_not_recorded": len(jobs) - len(timed)},
            "wall_seconds": time.perf_counter() - args._started}


class Progress:
    """One line per finished job of a sweep: ``[done/total] job-name  elapsed 12.3s, ETA 45.6s``.

    ``total`` counts every job of the sweep and ``done`` starts at ``already`` (results found on
    disk from an earlier, interrupted run; announced in one line). The estimate is the time this
    run spent per finished job times the jobs left, so with a process pool it already reflects
    the jobs running side by side; jobs of very different sizes make it rough. Lines go to
    ``stream`` (standard error by default) and are flushed, so they appear as each job ends.
    """

    def __init__(self, total, already=0, quiet=False, stream=None):
        self.total, self.count, self.already = total, already, already
        self.quiet = quiet
        self.stream = sys.stderr if stream is None else stream
        self.t0 = time.perf_counter()
        if already and not quiet:
            self._write(f"[{already}/{total}] already done (results on disk), {total - already} to run")

    def done(self, name):
        """Count the job ``name`` as finished and print its line."""
        self.count += 1
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.t0
        left = (self.total - self.count) * elapsed / (self.count - self.already)
        self._write(f"[{self.count}/{self.total}] {name}  elapsed {_seconds(elapsed)}, ETA {_seconds(left)}")

    def _write(self, line):
        self.stream.write(line + "\n")
        self.stream.flush()


def _seconds(t):
    """``12.3s`` below a minute, ``4m05s`` below an hour, ``1h02m`` beyond."""
    if t < 60:
        return f"{t:.1f}s"
    minutes = int(round(t)) // 60
    return f"{minutes}m{int(round(t)) % 60:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def diagram_main(name, description, figure, inventory, claims, argv=None):
    """``main`` of a pure diagram: draw it, read back what was drawn, save the PNG and JSON.

    ``figure()`` returns the Figure, ``inventory(fig)`` a JSON-able record of its boxes, arrows and
    text read from the Figure itself, ``claims(inventory)`` the checks on it. No jobs.
    """
    args = parse_args(name, description, argv)
    fig = figure()
    drawn = inventory(fig)
    summary = {"quick": args.quick, "claims": claims(drawn), "drawn": drawn}
    summary["provenance"] = provenance(args, [])
    save_json(summary, os.path.join(args.out, name + ".json"))
    save_figure(fig, os.path.join(args.out, name + ".png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


def save_json(obj, path):
    """Write ``obj`` as indented JSON (NumPy scalars and arrays converted)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1, default=_to_json)
    os.replace(tmp, path)  # a crash never leaves a half-written result that a rerun would trust


def _to_json(value):
    """NumPy arrays and scalars as JSON values; anything else is an error, never a silent str()."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def save_figure(fig, path):
    """Save a matplotlib Figure as a 256-colour PNG (150 dpi), creating the folder.

    The figures are line plots and diagrams with a few dozen distinct colours plus their
    anti-aliasing shades, so a 256-colour palette (no dithering) looks the same as 24-bit RGB and
    makes the committed PNGs about 2.4 times smaller.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    buffer.seek(0)
    compact_png(buffer, path)


def compact_png(source, path):
    """Write the PNG read from ``source`` (a path or a binary file) to ``path`` with a 256-colour
    palette; Pillow comes with matplotlib. Re-encoding a palette PNG leaves its pixels unchanged."""
    from PIL import Image

    with Image.open(source) as image:
        rgb = image.convert("RGB")
    palette = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, format="PNG", optimize=True)


def encode_model(model):
    """A trained model as text for a job's JSON: its ``minikan.tools.io.save`` archive, base64-encoded."""
    buffer = io.BytesIO()
    model.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_model(text):
    """The model stored by :func:`encode_model`."""
    from minikan.tools.io import load

    return load(io.BytesIO(base64.b64decode(text)))


def loglog_slope(x, y):
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


class Converged:
    """A ``fit(callback=...)`` rule that stops training once the loss has levelled off.

    The rule, for every baseline that a figure compares KANs against: after at least
    ``min_steps`` steps, stop at step s when the training loss changed by less than ``rel`` (relative)
    over the last ``fraction`` of the steps so far, i.e. when
    ``|L(s - ceil(fraction * s)) - L(s)| < rel * L(s - ceil(fraction * s))``. With the defaults
    (1 % over the last 10 %) a run stopped by the rule is "trained to convergence" as the figures
    state it; a run that reaches ``fit``'s ``steps`` first is not, and :attr:`converged` says so.
    The loss is ``metrics[key]`` of each step (``"train_loss"`` by default: the data loss
    without the penalty). Give ``fit`` ``tol=0`` with it, so that L-BFGS's own stopping test
    (which looks at the last 10 iterations only) does not end the run first.

    Use one instance per ``fit`` call::

        rule = Converged(min_steps=200)
        history = fit(mlp, X, y, steps=20000, tol=0, callback=rule)
        rule.converged, rule.steps   # True and the step it stopped at, or False and the last step
    """

    def __init__(self, rel=0.01, fraction=0.1, min_steps=100, key="train_loss"):
        if not 0 < rel < 1 or not 0 < fraction < 1:
            raise ValueError(f"rel and fraction must lie in (0, 1), got rel={rel!r}, fraction={fraction!r}")
        if int(min_steps) != min_steps or min_steps < 1:
            raise ValueError(f"min_steps must be a positive integer, got {min_steps!r}")
        self.rel, self.fraction, self.min_steps, self.key = float(rel), float(fraction), int(min_steps), key
        self.losses = []
        self.converged = False

    @property
    def steps(self):
        """Steps seen so far (the step training stopped at, once it has)."""
        return len(self.losses)

    def record(self):
        """The rule and its outcome as JSON for a job's result."""
        return {"rule": f"|dL| < {self.rel:g} L over the last {self.fraction:g} of the steps, "
                        f"after at least {self.min_steps}",
                "converged": self.converged, "steps": self.steps}

    def __call__(self, info):
        if info.get("candidate") is not None:  # multi-start trials: not the run being judged
            return None
        self.losses.append(float(info["metrics"][self.key]))
        s = len(self.losses)
        if s < self.min_steps:
            return None
        back = int(np.ceil(self.fraction * s))
        before, now = self.losses[s - 1 - back], self.losses[-1]
        if np.isfinite(before) and np.isfinite(now) and abs(before - now) < self.rel * abs(before):
            self.converged = True
            return True
        return None
