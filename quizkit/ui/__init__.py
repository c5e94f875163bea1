"""The command line's screens, rendered with rich: the only package that prints. It decides nothing.

A module per screen (or a few related ones), each rendering the values it is given; reading input is the
CLI's input loop's, writing files is outfile's. Callers keep `from quizkit import ui` and `ui.NAME`:

    console        the consoles; one-line errors, warnings, notes; the prompt; plain text and JSON
    blocks         a question's panel, Markdown, code and choices (shared by study, questions)
    study          a drill or review session: score, question, hint, verdict, summary
    review         the review plan and each rating's next due time
    check          `check`'s verdict and a failed run (also a drill's)
    verify         `verify`: progress bar, table, streamed JSON
    banks          `list`: banks and topics, or JSON
    questions      `list --search`, `path`, `show`
    export         what `export` wrote
    stats_screen   `stats`
    doctor_screen  `doctor`
    mock           a mock interview's rules, report, and history
    worker         `worker status|stop`: the warm worker
    optimize       `optimize`: held-out figures, the retention trade-off; the FSRS parameters in force
"""

from __future__ import annotations

from .banks import list_json, list_tables
from .check import check_result, run_failure, watching
from .console import aside, echo, err, error, info, note, out, plain, print_json, prompt, stdout, warn
from .doctor_screen import doctor
from .export import anki_written, exported
from .mock import mock_history, mock_report, mock_start
from .optimize import fsrs_in_force, optimize_report, optimize_reset, optimize_suggestion
from .questions import path_list, path_view, question_list, show
from .review import review_plan, scheduled
from .stats_screen import stats
from .study import explain, hint, question, reveal, score_bar, skipped, summary, verdict
from .verify import isolation, verify_json, verify_progress, verify_table
from .worker import worker_refused, worker_status, worker_stopped

__all__ = [
    "anki_written", "aside", "check_result", "doctor", "echo", "err", "error", "explain", "exported", "fsrs_in_force", "hint",
    "info", "isolation", "list_json", "list_tables", "mock_history", "mock_report", "mock_start", "note", "optimize_report", "optimize_reset", "optimize_suggestion", "out",
    "path_list", "path_view", "plain", "print_json", "prompt", "question", "question_list", "reveal",
    "review_plan", "run_failure", "scheduled", "score_bar", "show", "skipped", "stats", "stdout", "summary",
    "verdict", "verify_json", "verify_progress", "verify_table", "warn", "watching", "worker_refused",
    "worker_status", "worker_stopped",
]  # fmt: skip
