"""What every figure script shares: the command line, job sweeps through an Executor, saving.

Each script is run as ``python -m paper_figures.<name> [--quick] [--out DIR] [--workers N]
[--seed S] [--quiet]``. Its jobs are pure functions of a JSON-able config; each job's result is written to
``OUT/jobs/<job>.json`` as soon as it finishes, and a rerun skips the jobs whose file exists, so
an interrupted sweep resumes. The jobs go through any ``concurrent.futures.Executor`` (a local
process pool by default); pass a cluster's executor to :func:`run_jobs` to spread a sweep out.

Progress: each finished job prints ``[done/total] job-name  elapsed 12.3s, ETA 45.6s`` on standard
error (standard output carries the script's claims as JSON, so it can be piped); ``--quiet``
turns these lines off.
"""
import argparse
import base64
import io
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

DEFAULT_OUT = os.path.join(os.path.dirname(__file__), "out")  # git-ignored


def parse_args(name, description, argv=None):
    """The shared command line; ``--out`` defaults to ``paper_figures/out/<name>``."""
    parser = argparse.ArgumentParser(prog=f"python -m paper_figures.{name}", description=description)
    parser.add_argument("--quick", action="store_true", help="the small variant run in CI")
    parser.add_argument("--out", default=os.path.join(DEFAULT_OUT, name), help="output folder")
    parser.add_argument("--workers", type=int, default=1, help="processes for the job sweep")
    parser.add_argument("--seed", type=int, default=0, help="seed of data and models")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line per finished job (on standard error)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be >= 1, got {args.workers}")
    return args


def run_jobs(job, configs, out_dir, workers=1, executor=None, quiet=False):
    """Run ``job(config)`` for every config not yet done; return the results in config order.

    Parameters
    ----------
    job : callable
        A module-level function (so a process pool can pickle it) of one dict, returning a
        JSON-able dict.
    configs : list of dict
        Each with a unique ``"job"`` name, used as the file name of its result.
    out_dir : str
        Results go to ``out_dir/jobs/<job>.json``.
    workers : int
        Size of the local process pool when no ``executor`` is given (1 runs in this process).
    executor : concurrent.futures.Executor, optional
    quiet : bool
        False prints one line per finished job on standard error (see :class:`Progress`).
    """
    jobs_dir = os.path.join(out_dir, "jobs")
    os.makedirs(jobs_dir, exist_ok=True)
    path = {c["job"]: os.path.join(jobs_dir, c["job"] + ".json") for c in configs}
    if len(path) != len(configs):
        raise ValueError("job names must be unique")
    todo = [c for c in configs if not os.path.exists(path[c["job"]])]
    progress = Progress(len(configs), len(configs) - len(todo), quiet=quiet)
    if executor is None and workers == 1:
        for c in todo:
            save_json(job(c), path[c["job"]])
            progress.done(c["job"])
    else:
        own = executor is None
        executor = executor or ProcessPoolExecutor(max_workers=workers)
        try:
            futures = {executor.submit(job, c): c for c in todo}
            # written as each finishes, so an interruption loses only the jobs still running
            for future in as_completed(futures):
                save_json(future.result(), path[futures[future]["job"]])
                progress.done(futures[future]["job"])
        finally:
            if own:
                executor.shutdown()
    results = []
    for c in configs:
        with open(path[c["job"]]) as fh:
            results.append(json.load(fh))
    return results


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
    save_json(summary, os.path.join(args.out, name + ".json"))
    save_figure(fig, os.path.join(args.out, name + ".png"))
    json.dump(summary["claims"], sys.stdout, indent=1)
    print()
    return summary


def save_json(obj, path):
    """Write ``obj`` as indented JSON (NumPy scalars and arrays converted)."""
    def convert(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1, default=convert)
    os.replace(tmp, path)  # a crash never leaves a half-written result that a rerun would trust


def save_figure(fig, path):
    """Save a matplotlib Figure as PNG (150 dpi), creating the folder."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")


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
