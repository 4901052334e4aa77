"""Interpretability (paper Section 2.5): symbolic edges and snapping, pruning, attribution,
diagrams, node layout, separability tests and the one-call ``simplify`` workflow.

Builds on :mod:`minikan.core`; never imports the model class (new models are made with
``type(model).from_layers``).
"""
