"""The app layer: the use cases every front end calls (the CLI today, the MCP server and the room next).

A front end reads input and renders; everything it decides, it asks here:

- `App` (context): the data folder, the clock, settings, the store, a runner; one per process.
- `study`: what a session asks (drill, a path, review, a mock) and the session itself (`engine.Session`:
  next, answer, hint, skip, reveal, rate, undo, after, finish).
- `desk`: questions asked by id, one at a time, as an interviewer does (check an answer, a hint, reveal),
  and a mock driven step by step; what the MCP server and the room's `--id` use.
- `questions`: loading banks, finding, listing and searching questions, and a question's public view (what
  a learner may see before answering: never the solution, tests, wrong answers or accepted patterns).
- `check`: a file's code against a question, once (the workspace and `check --watch` call it per save).
- `progress`: stats, the review plan's numbers, paths' progress.

Nothing here prints or reads input.
"""

from __future__ import annotations

from .context import App

__all__ = ["App"]
