"""quizkit: PyTorch interview drills whose code answers are run for real."""

__version__ = "0.1.0"


def main():
    """The `quizkit` command. Ctrl-C while the CLI is still importing exits 130 quietly, as it does later."""
    import sys

    try:
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.exit(130)
