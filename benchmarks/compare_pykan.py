"""minikan against pykan 0.2.8, side by side in one run: same machine, shapes, data, parameters, float64.

    python benchmarks/compare_pykan.py [--quick] [--pykan-steps 200] [--minikan-steps 200]
                                       [--threads N] [--verify-out DIR]

Four parts, each printing ratios ``pykan time / minikan time`` (above 1: minikan is faster):

1. agreement: pykan computes every quantity of minikan's golden set (``python -m minikan.tools.verify``)
   from the stored inputs, and minikan checks the results, so both sides compute the same functions;
2. one forward + backward pass of the MSE loss ([2,5,1], [4,4,2,1], [100,1,1] at batch 1000 and
   [10,10,10,1] at batch 10000, G = 5 and 100), pykan in the mode its ``fit`` uses when ``lamb = 0``
   (no symbolic branch, no saved activations); both models hold the same parameters (copied from
   pykan), and the largest difference of their outputs is printed;
3. one L-BFGS iteration, from the same parameters on the same data: scipy's L-BFGS-B through
   ``KAN.fit`` against pykan's own LBFGS with the settings of its ``fit`` (a time per iteration,
   since one pykan "step" runs up to 20 iterations);
4. time to accuracy on the Figure 2.3 schedule: [2,1,1], grids 3 -> 5 -> 10 -> 20 -> 50 on
   f = exp(sin(pi x) + y^2) with 1000 train / 1000 test points (``make_toy``, seed 0); for each G,
   the wall time until each code's test RMSE first reaches pykan's test RMSE at the end of its G
   stage. pykan runs ``fit(steps=S)`` per grid (S outer steps of up to 20 iterations; the paper's S is
   200) and refines on the training inputs (as the paper's tutorials do; ``refine()`` itself fits
   on the last batch it saw, the test set after ``fit``); minikan runs ``fit(steps=...)`` L-BFGS
   iterations per grid. Each uses its own defaults otherwise (grid updates, grid_eps).

Times are medians of repeats (expensive cases are repeated fewer times, at least 3). Both libraries
run on one thread by default: torch through ``torch.set_num_threads`` (``--threads`` changes it),
NumPy's BLAS and OpenMP through ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``,
set to 1 before NumPy is imported unless already set in the environment (and through threadpoolctl
where it is installed). With torch on more threads than one, on a machine busier than its cores,
set ``OMP_WAIT_POLICY=PASSIVE``: torch's waiting threads otherwise spin against the other
processes and its times mean little.
pykan writes nothing: every model has ``auto_save=False``. Without pykan the script says so and
exits with status 0.
"""
import os

# one BLAS / OpenMP thread for NumPy, decided before NumPy loads its BLAS (the environment wins)
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import contextlib
import importlib.metadata
import io
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import scipy

import minikan
from minikan import KAN, KANLayer
from minikan.core.objective import loss_and_grad
from minikan.tools import verify
from minikan.datasets import make_toy

FB_CASES = [([2, 5, 1], 1000), ([4, 4, 2, 1], 1000), ([100, 1, 1], 1000), ([10, 10, 10, 1], 10000)]
GRIDS = [5, 100]
SCHEDULE = [3, 5, 10, 20, 50]


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def median_time(fn, repeats, budget_s):
    """Median wall time of ``fn()`` after one warm-up call; fewer repeats (at least 3) when one
    call is expensive, so that a case takes about ``budget_s`` at most."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    n = int(max(3, min(repeats, budget_s // max(first, 1e-9))))
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def data_for(width, N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (N, width[0]))
    y = np.sin(np.pi * X).mean(axis=1, keepdims=True) * np.ones((1, width[-1]))  # a smooth target
    return X, y


# ------------------------------------------------------------------------------------------ minikan side
def minikan_step_time(model, X, y, repeats=7, budget_s=5.0):
    """Median seconds of one forward + backward of the MSE loss (``minikan.core.objective.loss_and_grad``)."""
    theta = model.get_flat()
    return median_time(lambda: loss_and_grad(model, theta, X, y), repeats, budget_s)


def minikan_lbfgs(model, X, y, iterations):
    """Seconds and loss evaluations per L-BFGS iteration of ``KAN.fit`` (no grid updates)."""
    with warnings.catch_warnings():
        # no grid updates here (nor in pykan's timed iterations), so hidden values may leave the
        # grids; fit would say so, which is beside the point of a timing
        warnings.simplefilter("ignore", UserWarning)
        history = model.fit(X, y, steps=iterations, update_grid=False)
    n = len(history["step"])
    return history["seconds"] / n, history["n_evals"][-1] / n


def minikan_chain(data, grids, steps, seed=0):
    """Grid extension with per-step timestamps: a list of (seconds since start, test RMSE, G)."""
    X, y, Xt, yt = (data[key] for key in ("train_input", "train_label", "test_input", "test_label"))
    trace, t0 = [], time.perf_counter()
    model = KAN([2, 1, 1], grid=grids[0], k=3, seed=seed)
    for i, G in enumerate(grids):
        if i > 0:
            model = model.refine(G, X)
        stamps, predict = [], model.predict

        def timed_predict(inputs, predict=predict, stamps=stamps):
            # fit evaluates the test set once per step, right after the step: stamp it
            out = predict(inputs)
            stamps.append(time.perf_counter() - t0)
            return out

        model.predict = timed_predict
        history = model.fit(X, y, Xt, yt, steps=steps)
        del model.predict
        trace += [(s, r, G) for s, r in zip(stamps, history["test_rmse"])]
    return trace


# ------------------------------------------------------------------------------------------ pykan side
class Pykan:
    """pykan 0.2.8 behind one import guard, in float64, with nothing written to disk."""

    def __init__(self, threads):
        import torch
        from kan import KAN as PykanKAN
        from kan.KANLayer import KANLayer as PykanLayer
        from kan.LBFGS import LBFGS
        from kan.spline import B_batch
        from kan.utils import SYMBOLIC_LIB, fit_params

        self.torch, self.KAN, self.Layer, self.LBFGS = torch, PykanKAN, PykanLayer, LBFGS
        self.B_batch, self.lib, self.fit_params = B_batch, SYMBOLIC_LIB, fit_params
        torch.set_default_dtype(torch.float64)
        torch.set_num_threads(threads)
        self.tmp = tempfile.mkdtemp(prefix="pykan-ckpt-")  # ckpt_path, never written with auto_save=False

    def t(self, a):
        return self.torch.tensor(np.asarray(a, dtype=np.float64))

    def model(self, width, G, seed=0, fit_mode=True):
        """A pykan KAN; ``fit_mode`` switches off what ``fit(lamb=0)`` switches off."""
        return self.KAN(width=list(width), grid=G, k=3, seed=seed, auto_save=False, ckpt_path=self.tmp,
                        symbolic_enabled=not fit_mode, save_act=not fit_mode)

    def layer(self, grid, coef, w_b, w_s, k, grid_eps=0.02):
        n_in, n_out, n_basis = coef.shape
        layer = self.Layer(in_dim=n_in, out_dim=n_out, num=n_basis - k, k=k, grid_eps=grid_eps)
        self.load(layer, grid, coef, w_b, w_s)
        return layer

    def load(self, layer, grid, coef, w_b, w_s):
        for name, value in (("grid", grid), ("coef", coef), ("scale_base", w_b), ("scale_sp", w_s)):
            getattr(layer, name).data = self.t(value)

    def to_minikan(self, model):
        """The same network as a minikan KAN (pykan's node affines are the identity at this point)."""
        return KAN.from_layers([KANLayer(*(getattr(f, n).detach().numpy().copy()
                                           for n in ("grid", "coef", "scale_base", "scale_sp")), k=f.k)
                                for f in model.act_fun])

    def step_time(self, model, X, y, repeats=7, budget_s=20.0):
        Xt, yt, params = self.t(X), self.t(y), list(model.parameters())

        def step():
            for p in params:
                p.grad = None
            self.torch.mean((model(Xt) - yt) ** 2).backward()

        return median_time(step, repeats, budget_s)

    def lbfgs(self, model, X, y, iterations):
        """Seconds and loss evaluations per iteration of pykan's LBFGS with ``fit``'s settings."""
        Xt, yt = self.t(X), self.t(y)
        opt = self.LBFGS(model.get_params(), lr=1.0, history_size=10, line_search_fn="strong_wolfe",
                         tolerance_grad=1e-32, tolerance_change=1e-32, tolerance_ys=1e-32,
                         max_iter=iterations)

        def closure():
            opt.zero_grad()
            loss = self.torch.mean((model(Xt) - yt) ** 2)
            loss.backward()
            return loss

        t0 = time.perf_counter()
        opt.step(closure)
        seconds = time.perf_counter() - t0
        state = opt.state[opt._params[0]]
        return seconds / state["n_iter"], state["func_evals"] / state["n_iter"]

    def chain(self, data, grids, steps, seed=0):
        """pykan's grid extension with per-step timestamps: a list of (seconds, test RMSE, G)."""
        keys = ("train_input", "train_label", "test_input", "test_label")
        dataset = {key: self.t(data[key]) for key in keys}
        trace, t0 = [], time.perf_counter()

        def stamp():
            return np.float64(time.perf_counter() - t0)

        model = self.KAN(width=[2, 1, 1], grid=grids[0], k=3, seed=seed, auto_save=False, ckpt_path=self.tmp)
        for i, G in enumerate(grids):
            if i > 0:  # refine(), minus its checkpoint, fitted on the training inputs
                new = self.KAN(width=model.width, grid=G, k=3, mult_arity=model.mult_arity,
                               base_fun=model.base_fun_name, symbolic_enabled=model.symbolic_enabled,
                               affine_trainable=model.affine_trainable, grid_eps=model.grid_eps,
                               grid_range=model.grid_range, sp_trainable=model.sp_trainable,
                               sb_trainable=model.sb_trainable, auto_save=False, ckpt_path=self.tmp,
                               first_init=False)
                model = new.initialize_from_another_model(model, dataset["train_input"])
            with contextlib.redirect_stderr(io.StringIO()):  # its progress bar
                results = model.fit(dataset, opt="LBFGS", steps=steps, metrics=[stamp])
            trace += [(s, float(r), G) for s, r in zip(results["stamp"], results["test_loss"])]
        return trace

    # ---- the golden quantities, computed by pykan from the stored inputs
    def basis(self, d):
        x = self.t(d["x"]).requires_grad_(True)
        B = self.B_batch(x[:, None], self.t(d["knots"])[None, :], k=int(d["k"]))[:, 0, :]  # (N, n_basis)
        d1, d2 = [], []
        for m in range(B.shape[1]):  # B_m(x_n) depends on x_n only, so the gradient of the sum is dB_m/dx_n
            g1, = self.torch.autograd.grad(B[:, m].sum(), x, create_graph=True)
            g2, = self.torch.autograd.grad(g1.sum(), x, retain_graph=True)
            d1.append(g1.detach())
            d2.append(g2.detach())
        return {"B": B.detach(), "dB": self.torch.stack(d1, 1), "d2B": self.torch.stack(d2, 1)}

    def layer_forward(self, d):
        layer = self.layer(d["grid"], d["coef"], d["w_b"], d["w_s"], int(d["k"]))
        y, _, postacts, postspline = layer(self.t(d["x"]))
        return {"y": y, "phi": postacts.permute(0, 2, 1), "spline": postspline.permute(0, 2, 1)}

    def _model_from(self, d):
        width = [int(w) for w in d["width"]]
        model = self.model(width, d["grid_0"].shape[1] - 2 * int(d["k"]) - 1, fit_mode=False)
        for l, f in enumerate(model.act_fun):
            self.load(f, d[f"grid_{l}"], d[f"coef_{l}"], d[f"w_b_{l}"], d[f"w_s_{l}"])
        return model

    def model_forward(self, d):
        model = self._model_from(d)
        y = model(self.t(d["X"]))
        return {"y": y, **{f"hidden_{l}": model.acts[l] for l in range(1, len(model.act_fun))}}

    def model_gradients(self, d):
        model = self._model_from(d)
        X = self.t(d["X"]).requires_grad_(True)
        loss = self.torch.mean((model(X) - self.t(d["y"])) ** 2)
        loss.backward()
        out = {"loss": loss, "grad_X": X.grad}
        for l, f in enumerate(model.act_fun):
            out.update({f"grad_coef_{l}": f.coef.grad, f"grad_w_b_{l}": f.scale_base.grad,
                        f"grad_w_s_{l}": f.scale_sp.grad})
        return out

    def regularizer(self, d):
        model, mu1, mu2 = self._model_from(d), float(d["mu1"]), float(d["mu2"])
        model(self.t(d["X"]))
        scales = model.acts_scale_spline
        out, paper, pyk = {}, [], []
        for l, scale in enumerate(scales):
            model.acts_scale_spline = [scale]  # pykan's own reg(), one layer at a time
            pyk.append(model.get_reg("edge_forward_spline_n", mu1, mu2, 0.0, 0.0).item())
            A = model.spline_postacts[l].abs().mean(0).T.numpy()  # Eq. 2.17 from pykan's activations
            p = A / A.sum()
            paper.append(mu1 * A.sum() - mu2 * np.sum(p * np.log(p)))
            out[f"edge_l1_{l}"] = A
        return {"reg_paper": sum(paper), "reg_pykan": sum(pyk), "reg_paper_layers": paper,
                "reg_pykan_layers": pyk, **out}

    def grid_extension(self, d):
        k = int(d["k"])
        parent = self.layer(d["grid"], d["coef"], d["w_b"], d["w_s"], k)
        child = self.Layer(in_dim=d["coef"].shape[0], out_dim=d["coef"].shape[1], num=int(d["G_new"]), k=k)
        child.initialize_grid_from_parent(parent, self.t(d["x"]))
        return {"grid_new": child.grid, "coef_new": child.coef}

    def grid_update(self, d):
        if float(d["margin"]) != 0.0:
            raise ValueError("pykan 0.2.8 has no grid margin")
        layer = self.layer(d["grid"], d["coef"], d["w_b"], d["w_s"], int(d["k"]), float(d["grid_eps"]))
        layer.update_grid_from_samples(self.t(d["x"]))
        return {"grid_new": layer.grid, "coef_new": layer.coef}

    def symbolic_fit(self, d):
        params, r2 = self.fit_params(self.t(d["x"]), self.t(d["y"]), self.lib[str(d["function"])][0],
                                     tuple(d["a_range"]), tuple(d["b_range"]), int(d["grid_number"]),
                                     int(d["iterations"]), verbose=False)
        return {"params": params, "r2": r2}

    def write_golden_outputs(self, directory):
        """pykan's outputs for every golden quantity, in minikan's verification format."""
        for name in verify.QUANTITIES:
            data = verify.load(verify.GOLDEN_DIR / f"{name}.npz")
            method = getattr(self, "basis" if name.startswith("basis_") else name)
            for key, value in method(data).items():
                value = value.detach().numpy() if hasattr(value, "detach") else value
                data[key] = np.asarray(value, dtype=np.float64)
            data["implementation"] = np.str_(f"pykan {importlib.metadata.version('pykan')}")
            np.savez(Path(directory) / f"{name}.npz", **data)


# ------------------------------------------------------------------------------------------ report
def versions(threads):
    import torch

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    return (f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"torch {torch.__version__}, pykan {importlib.metadata.version('pykan')}, "
            f"minikan {minikan.__version__}\n{cores()} cores available ({os.cpu_count()} CPUs, {cpu}); "
            f"torch threads set to {threads}; NumPy BLAS threads {blas_threads()}; float64 everywhere")


def blas_threads():
    """NumPy's BLAS thread count as threadpoolctl reports it (limited to 1 here when it is
    installed), else the environment variable that limits it."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return f"{os.environ['OPENBLAS_NUM_THREADS']} (OPENBLAS_NUM_THREADS; threadpoolctl not installed)"
    if os.environ["OPENBLAS_NUM_THREADS"] == "1":
        threadpool_limits(1, user_api="blas")
    return ",".join(str(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas")


def first_reach(trace, target):
    """Seconds until the test RMSE is first <= target, or None."""
    return next((s for s, r, _ in trace if r <= target), None)


def agreement(pk, verify_out):
    print("\n1. agreement: pykan's outputs on the golden inputs, checked by minikan.tools.verify")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(verify_out or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        pk.write_golden_outputs(directory)
        results = verify.check(directory)
        worst = max(results, key=lambda r: r.max_rel)
        failed = [r.name for r in results if not r.passed]
        print(f"{len(results) - len(failed)} of {len(results)} outputs within minikan's default "
              f"tolerances; largest relative error {worst.max_rel:.1e} ({worst.name})"
              + (f"; outside: {', '.join(failed)}" if failed else ""), flush=True)


def forward_backward(pk, cases, grids):
    print("\n2. forward + backward of the MSE loss, median seconds per pass")
    print(f"{'shape':<16} {'batch':>6} {'G':>4} {'pykan ms':>10} {'minikan ms':>11} {'ratio':>7} "
          f"{'max |dy|':>9}")
    pass_time = {}
    for width, N in cases:
        X, y = data_for(width, N)
        for G in grids:
            p_model = pk.model(width, G)
            m_model = pk.to_minikan(p_model)
            dy = np.abs(p_model(pk.t(X)).detach().numpy() - m_model.predict(X)).max()
            tp = pass_time[str(width), G] = pk.step_time(p_model, X, y)
            tm = minikan_step_time(m_model, X, y)
            print(f"{str(width):<16} {N:>6} {G:>4} {tp * 1e3:10.1f} {tm * 1e3:11.2f} {tp / tm:7.1f} "
                  f"{dy:9.1e}", flush=True)
    return pass_time


def lbfgs_iterations(pk, cases, grids, pass_time, quick):
    print("\n3. one L-BFGS iteration from the same parameters: seconds per iteration "
          "(loss evaluations per iteration)")
    print(f"{'shape':<16} {'batch':>6} {'G':>4} {'pykan':>14} {'minikan':>14} {'ratio':>7}")
    for width, N in cases:
        X, y = data_for(width, N)
        for G in grids:
            p_model = pk.model(width, G)
            m_model = pk.to_minikan(p_model)
            # about 15 s of pykan per case: up to 20 iterations, at least 2 (~2.5 passes each)
            iterations = 2 if quick else int(np.clip(15.0 / (2.5 * pass_time[str(width), G]), 2, 20))
            tp, ep = pk.lbfgs(p_model, X, y, iterations)
            tm, em = minikan_lbfgs(m_model, X, y, iterations)
            print(f"{str(width):<16} {N:>6} {G:>4} {tp:8.3f} ({ep:3.1f}) {tm:8.4f} ({em:3.1f}) "
                  f"{tp / tm:7.1f}", flush=True)


def time_to_accuracy(pk, schedule, pykan_steps, minikan_steps):
    print(f"\n4. time to accuracy, Figure 2.3 schedule: [2,1,1], grids {' -> '.join(map(str, schedule))},"
          f" exp(sin(pi x) + y^2), 1000/1000 points; pykan fit(steps={pykan_steps}) per grid, "
          f"minikan {minikan_steps} L-BFGS iterations per grid")
    data = make_toy("exp_sin_pi_x_plus_y2", n_train=1000, n_test=1000, seed=0)
    p_trace = pk.chain(data, schedule, pykan_steps)
    m_trace = minikan_chain(data, schedule, minikan_steps)
    print(f"pykan chain {p_trace[-1][0]:.1f} s, minikan chain {m_trace[-1][0]:.1f} s (all stages)")
    print(f"{'G':>4} {'pykan RMSE':>11} {'minikan RMSE':>13} {'pykan s':>8} {'minikan s':>10} {'ratio':>7}"
          "   (s: first time the test RMSE <= pykan's at the end of its G stage)")
    for G in schedule:
        target = [r for _, r, g in p_trace if g == G][-1]
        mine = [r for _, r, g in m_trace if g == G][-1]
        tp, tm = first_reach(p_trace, target), first_reach(m_trace, target)
        if tm is None:
            tm_txt, ratio = f"{'never':>10}", f"{'-':>7}"
        else:
            tm_txt, ratio = f"{tm:10.2f}", f"{tp / tm:7.1f}"
        print(f"{G:>4} {target:11.3e} {mine:13.3e} {tp:8.2f} {tm_txt} {ratio}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (small batches, two grids)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1, as NumPy)")
    parser.add_argument("--pykan-steps", type=int, default=None,
                        help="pykan fit() steps per grid in part 4 (default 200, 3 with --quick)")
    parser.add_argument("--minikan-steps", type=int, default=None,
                        help="minikan L-BFGS iterations per grid in part 4 (default 200, 20 with --quick)")
    parser.add_argument("--verify-out", metavar="DIR", help="keep pykan's golden-format files in DIR")
    parser.add_argument("--parts", default="1234", help="which parts to run, e.g. 23 (default: all)")
    args = parser.parse_args(argv)
    try:
        pk = Pykan(args.threads)
    except ImportError as err:
        # --no-deps must apply to pykan alone: given to the same command it would also strip torch's
        # own dependencies, so the two are installed separately (as .ci/run does)
        print(f"pykan comparison skipped: {err}. Install with `pip install torch`, then "
              "`pip install --no-deps pykan==0.2.8`, then the modules `import kan` asks for: "
              "`pip install tqdm pandas scikit-learn pyyaml`.")
        return 0
    quick = args.quick
    pykan_steps = args.pykan_steps or (3 if quick else 200)
    minikan_steps = args.minikan_steps or (20 if quick else 200)
    print("minikan vs pykan, ratios are pykan time / minikan time (> 1: minikan faster)")
    print(versions(args.threads))
    load = os.getloadavg()
    print("load average at start: " + ", ".join(f"{v:.2f}" for v in load)
          + f"; OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}", flush=True)
    if load[0] > cores() and args.threads > 1 and "OMP_WAIT_POLICY" not in os.environ:
        # torch's OpenMP threads spin while they wait for each other; when other processes hold
        # the cores, every parallel region waits for a descheduled thread (measured: 40x slower)
        print("warning: the machine is busier than its cores; multi-threaded torch timings are then "
              "unreliable. Rerun with OMP_WAIT_POLICY=PASSIVE in the environment, or --threads 1.")
    t_start = time.perf_counter()

    if "1" in args.parts:
        agreement(pk, args.verify_out)
    cases = [(w, N // 10) for w, N in FB_CASES[:2]] if quick else FB_CASES
    grids = [5] if quick else GRIDS
    if "2" in args.parts or "3" in args.parts:
        pass_time = forward_backward(pk, cases, grids)
    if "3" in args.parts:
        lbfgs_iterations(pk, cases, grids, pass_time, quick)
    if "4" in args.parts:
        time_to_accuracy(pk, SCHEDULE[:2] if quick else SCHEDULE, pykan_steps, minikan_steps)
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s; load average at end: "
          + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
