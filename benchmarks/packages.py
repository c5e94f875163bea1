"""Start-up with 10,000 questions in an installed bank package, side by side with the same banks given by
path and with the shipped banks alone (issue 12: the first question within 300 ms when torch is not needed).

Builds a bank package (an entry point in the group quizkit.banks, 10,000 generated questions), installs it
with pip into a temporary folder put on PYTHONPATH, fills the bank cache, then prints the median wall time
and peak memory of `quizkit list`, `list --json` and a flashcard drill to its first question (input: q).
Usage: python benchmarks/packages.py [--repeat N] [-n QUESTIONS]
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from scale import banks, measure, median

ROOT = Path(__file__).resolve().parent.parent

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "quizkit-bank-bench"
version = "0.1.0"

[project.entry-points."quizkit.banks"]
bench = "quizkit_bank_bench"

[tool.setuptools]
packages = ["quizkit_bank_bench"]

[tool.setuptools.package-data]
quizkit_bank_bench = ["*.yaml"]
"""


def package(folder: Path, n: int) -> Path:
    pkg = folder / "quizkit_bank_bench"
    banks(pkg, n)
    (pkg / "__init__.py").write_text("")
    (folder / "pyproject.toml").write_text(PYPROJECT)
    return folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("-n", type=int, default=10_000, help="questions in the package")
    args = ap.parse_args()
    quizkit = [sys.executable, "-m", "quizkit"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = package(tmp / "src", args.n)
        site = tmp / "site"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                        "--target", str(site), str(src)], check=True)
        folder = src / "quizkit_bank_bench"

        def env(with_package):
            path = f"{site}{os.pathsep}{ROOT}" if with_package else str(ROOT)
            return dict(os.environ, PYTHONPATH=path, QUIZKIT_HOME=str(tmp / "home"), QUIZKIT_CACHE=str(tmp / "cache"))

        cases = [
            ("shipped banks only", env(False), []),
            (f"+ a package of {args.n:,} questions", env(True), []),
            (f"the same {args.n:,} by --bank PATH", env(False), ["--bank", str(folder)]),
        ]
        for _name, e, extra in cases:  # warm the cache
            measure(quizkit + ["list", "--json", *extra], e)
        print(f"medians of {args.repeat} runs, warm cache; memory: peak RSS")
        print(f"{'banks':36} {'list':>16} {'list --json':>16} {'drill: 1st question':>20}")
        for name, e, extra in cases:
            figures = []
            for cmd, stdin in (
                (["list", *extra], b""),
                (["list", "--json", *extra], b""),
                (["drill", "--type", "flashcard", "-n", "1", *extra], b"q\n"),
            ):
                s, mib = median(quizkit + cmd, e, args.repeat, stdin)
                figures.append(f"{s * 1000:.0f} ms {mib:.0f} MiB")
            print(f"{name:36} {figures[0]:>16} {figures[1]:>16} {figures[2]:>20}")
        print("goal: the first question within 300 ms when torch is not needed")


if __name__ == "__main__":
    main()
