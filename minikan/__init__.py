"""minikan: a NumPy/SciPy reference implementation of Kolmogorov–Arnold Networks (Liu et al., arXiv:2404.19756v1)."""
from ._version import __version__
from .core import losses
from .core import regularize
from .core import spline
from .tools.gradcheck import gradcheck, numerical_gradient
from .tools.io import load
from .core.layer import KANLayer
from .baselines.lan import LAN
from .baselines.mlp import MLP
from .core.model import KAN
from .core.train import fit

__all__ = ["KAN", "KANLayer", "LAN", "MLP", "fit", "load", "losses", "gradcheck", "numerical_gradient", "regularize", "spline", "__version__"]
