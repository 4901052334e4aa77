"""minikan: a NumPy/SciPy reference implementation of Kolmogorov–Arnold Networks (arXiv 2404.19756)."""
from . import losses, regularize, spline
from .gradcheck import gradcheck, numerical_gradient
from .io import load
from .layer import KANLayer
from .lan import LAN
from .mlp import MLP
from .model import KAN
from .train import fit

__version__ = "0.1.0"

__all__ = ["KAN", "KANLayer", "LAN", "MLP", "fit", "load", "losses", "gradcheck", "numerical_gradient", "regularize", "spline", "__version__"]
