"""quizkit: PyTorch interview drills whose code answers are run for real."""

from .version import __version__

__all__ = ["__version__", "main"]


def main() -> None:
    """The `quizkit` command. Ctrl-C while the CLI is still importing exits 130 quietly, as it does later."""
    import sys

    try:
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.exit(130)
