"""The package version (one place; the package metadata in pyproject.toml repeats it)."""
__version__ = "0.1.0"
