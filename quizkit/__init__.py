"""quizkit: PyTorch interview drills whose code answers are run for real."""

__version__ = "0.1.0"
