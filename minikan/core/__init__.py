"""The KAN itself (paper Section 2): B-spline bases, the layer, the network, grid update and
extension, the sparsity penalty, the objective and the optimizers.

Nothing in this package imports from the other sub-packages at module level; the model's
pykan-style convenience methods (``plot``, ``prune``, ``auto_symbolic``, ...) import their
implementation from :mod:`minikan.interpret` when they are called.
"""
