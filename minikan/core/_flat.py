"""The flat parameter vector shared by every model (KAN, MLP, LAN), and the interface the training
code relies on.

A model lists its trainable arrays with ``param_groups() -> [(l, name, array), ...]`` and names its
groups in ``GROUPS``; this base class turns that list into the one vector the optimizers work on.
The layout rule: layers in order, groups in ``GROUPS`` order within a layer, each array raveled in C
order, frozen groups left out.

What a model declares for the objective (:mod:`minikan.core.objective`) and the trainer
(:mod:`minikan.core.train`):

* ``forward(X, safe=False, *, checked=False) -> (pred, caches)`` and
  ``backward(dpred, caches, extra=None) -> (dX, grads)`` (``grads`` per layer, keyed by group);
* ``has_edges``: the sparsity penalty applies (``backward`` accepts its ``extra`` gradients);
* ``has_grid``: the trainer moves grids, through ``update_grid(X)``, ``out_of_grid(X)`` (samples
  outside each layer's grid) and ``grid_shift(X)`` (how far an update would move the knots);
* ``can_reinitialize``: ``reinitialized(seed)`` draws a fresh start (multi-start training).
"""
import numpy as np

from .._checks import as_bool, as_choice


class FlatParameters:
    """``n_params``, ``get_flat``, ``set_flat``, ``flat_group_names`` and ``flatten_grads``."""

    GROUPS = ()
    has_edges = False
    has_grid = False
    can_reinitialize = False

    def _set_trainable(self, trainable):
        """``self.trainable``: every group of ``GROUPS`` trained unless ``trainable`` (a dict such as
        ``{"w_s": False}``) says otherwise."""
        if trainable is not None and not isinstance(trainable, dict):
            example = f"{{{self.GROUPS[-1]!r}: False}}" if self.GROUPS else "{}"
            raise TypeError(f"trainable must be a dict like {example}, got {type(trainable).__name__}")
        self.trainable = dict.fromkeys(self.GROUPS, True)
        for name, flag in (trainable or {}).items():
            as_choice(name, "trainable key", self.GROUPS)
            self.trainable[name] = as_bool(flag, f"trainable[{name!r}]")

    def grid_shift(self, X):
        """How far a grid update on ``X`` would move each layer's knots, in knot spacings, or None
        when the model cannot tell (the trainer then makes every scheduled update)."""
        return None

    def n_params(self):
        """Number of trainable parameters by group, and their total (a frozen group counts 0)."""
        counts = dict.fromkeys(self.GROUPS, 0)
        for _, name, arr in self.param_groups():
            counts[name] += arr.size
        counts["total"] = sum(counts.values())
        return counts

    def get_flat(self):
        """The trainable parameters as one vector (a copy), shape (n_params()['total'],)."""
        groups = self.param_groups()
        return np.concatenate([arr.ravel() for _, _, arr in groups]) if groups else np.zeros(0)

    def set_flat(self, theta):
        """Write a flat vector back into the parameter arrays (in place, values copied)."""
        theta = np.asarray(theta, dtype=np.float64)
        n = self.n_params()["total"]
        if theta.shape != (n,):
            raise ValueError(f"flat parameter vector must have shape ({n},), got {theta.shape}")
        offset = 0
        for _, _, arr in self.param_groups():
            arr[...] = theta[offset: offset + arr.size].reshape(arr.shape)
            offset += arr.size

    def flat_group_names(self):
        """For every entry of the flat vector, ``"layer l: name"`` (used in failure reports)."""
        names = []
        for l, name, arr in self.param_groups():
            names += [f"layer {l}: {name}"] * arr.size
        return np.array(names)

    def flatten_grads(self, grads):
        """Concatenate per-layer gradient dicts in flat-vector order."""
        parts = [grads[l][name].ravel() for l, name, _ in self.param_groups()]
        return np.concatenate(parts) if parts else np.zeros(0)
