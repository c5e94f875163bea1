"""The environment the torch worker (and so every run) gets: quizkit's own, less what looks like a secret.

A run is third-party code (banks from installed packages): tokens, keys, passwords, cloud credentials and the
sockets of agents and desktop buses are not passed on. What torch, CUDA, OpenMP, Python and the locale read
stays (none of their names looks like a secret).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# A name is dropped when any part of it (split at _) is one of these, or it starts with one of the prefixes.
_SECRET_WORDS = frozenset(
    "TOKEN TOKENS SECRET SECRETS PASSWORD PASSWD PASS PWD KEY KEYS APIKEY CREDENTIAL CREDENTIALS CRED CREDS "
    "AUTH COOKIE SESSION PRIVATE SIGNING CERT DSN".split()
)
_SECRET_PREFIXES = (
    "AWS_", "AZURE_", "GOOGLE_", "GCLOUD_", "GCP_", "GH_", "GITHUB_", "GITLAB_", "HF_", "HUGGING", "OPENAI",
    "ANTHROPIC", "NPM_", "PYPI_", "TWINE_", "DOCKER_", "VAULT_", "KUBE", "SSH_", "GPG_", "GNUPG", "DBUS_",
    "KRB5", "SLACK_", "STRIPE_", "DATABASE_", "PG", "MYSQL_", "REDIS_", "WANDB_", "NETRC", "XAUTHORITY",
    "DISPLAY", "WAYLAND_",
)  # fmt: skip
_SPLIT = re.compile(r"[^A-Z0-9]+")


def secret(name: str) -> bool:
    """Whether an environment variable's name looks like it holds a secret (or a way to one)."""
    upper = name.upper()
    if upper.startswith(_SECRET_PREFIXES):
        return True
    return any(part in _SECRET_WORDS for part in _SPLIT.split(upper))


def clean(environ: Mapping[str, str]) -> dict[str, str]:
    """A copy of `environ` without the variables that look like secrets."""
    return {k: v for k, v in environ.items() if not secret(k)}
