"""Review settings (QUIZKIT_HOME/config.yaml) and the clock (QUIZKIT_NOW overrides it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import QuizkitError


def data_dir() -> Path:
    """QUIZKIT_HOME, else the platform's user data folder (as click's get_app_dir names it)."""
    env = os.environ.get("QUIZKIT_HOME")
    if env:
        return Path(env).expanduser()
    import sys

    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or user_home() / "AppData" / "Roaming") / "quizkit"
    if sys.platform == "darwin":
        return user_home() / "Library" / "Application Support" / "quizkit"
    return xdg("XDG_CONFIG_HOME", ".config") / "quizkit"


def user_home() -> Path:
    """The user's home folder: HOME when it names an absolute folder, else the account's own (HOME='' made
    Path.home() '/', and the data folder /.config/quizkit)."""
    env = os.environ.get("HOME", "")
    if os.path.isabs(env):
        return Path(env)
    try:
        import pwd

        return Path(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError):
        return Path.home()


def xdg(variable: str, default: str) -> Path:
    """An XDG base folder: the variable when it is an absolute path (the spec says to ignore a relative
    one), else `default` under the home folder."""
    env = os.environ.get(variable, "")
    return Path(env) if os.path.isabs(env) else user_home() / default


@dataclass
class Settings:
    """Review settings: defaults as Anki's, overridable in QUIZKIT_HOME/config.yaml and by options."""

    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    desired_retention: float = 0.9
    worker_idle_minutes: float = 15  # the warm worker (quizkit/daemon.py) stops after this long unused; 0: none


def load_settings(path: Path) -> Settings:
    """config.yaml in the data folder, if there is one; every key is checked."""
    s = Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return s
    except OSError as e:
        raise QuizkitError(f"{path}: cannot read: {e.strerror}") from None
    import yaml  # only for a file that is there: 11 ms of a one-shot `check` (python -X importtime) otherwise

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise QuizkitError(f"{path}:{mark.line + 1 if mark else 0}: bad YAML") from None
    if not isinstance(data, dict):
        raise QuizkitError(f"{path}: must be a mapping like 'new_per_day: 20'")
    limits = {
        "new_per_day": (int, 0, 9999),
        "reviews_per_day": (int, 0, 99999),
        "rollover_hour": (int, 0, 23),
        "desired_retention": (float, 0.7, 0.99),
        "worker_idle_minutes": (float, 0, 1440),
    }
    for key, value in data.items():
        if key not in limits:
            raise QuizkitError(f"{path}: unknown setting '{key}' (known: {', '.join(limits)})")
        kind, lo, hi = limits[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (kind is int and not float(value).is_integer())
            or not lo <= value <= hi
        ):
            raise QuizkitError(f"{path}: '{key}' must be a number from {lo} to {hi}, not {value!r}")
        setattr(s, key, kind(value))
    return s


def now() -> datetime:
    """The current time, UTC; QUIZKIT_NOW (ISO 8601) overrides it, for tests and trying schedules out."""
    fixed = os.environ.get("QUIZKIT_NOW")
    if fixed:
        try:
            when = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise QuizkitError(
                f"QUIZKIT_NOW must be an ISO 8601 time like 2026-11-26T09:00:00+00:00, not '{fixed}'"
            ) from None
        if when.tzinfo is None:
            when = when.astimezone()  # a local wall-clock time
        return when.astimezone(timezone.utc)
    return datetime.now(timezone.utc)
