"""The torch worker, a process of its own (`python -m quizkit.worker`, started by runner.py): it imports
torch once, then forks one fresh child per run. The only package that imports torch. By job:

- supervise: the process (the protocol loop, warm-up, forking the next child, collecting a run's output,
  memory watch), with procs (the process table: reaping, escapees, memory) and warmup (torch's lazy imports);
- child: a run's child (its fds, confinement, seed, the judged thread and the main thread's epilogue);
- snapshot: what the judge relies on, as imported, and its restore; judge: the answer as the tests see it
  (guarded calls, the state before the tests, the verdict); hook: the audit hook of every run.
- state: what they share (set before any child is forked).

Every module of this package is in the judge's snapshot and strict (snapshot.take): an answer can reach any
of them through sys.modules and rebind its names; the restore puts them back. Messages: quizkit/wire.py.
"""
