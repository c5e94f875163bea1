"""The one version source: a module of its own, so every module can read it without importing the package root."""

__version__ = "0.1.0"
