"""The baselines the paper compares KANs with: MLPs and LANs (learnable-activation networks,
Appendix B). Built on :mod:`minikan.core` (the same flat parameters, objective and optimizers)."""
