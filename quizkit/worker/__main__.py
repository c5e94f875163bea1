"""`python -m quizkit.worker`: the worker's entry (runner.py starts it so). Runs as __main__."""

from quizkit.worker import supervise

if __name__ == "__main__":
    try:
        supervise.main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
