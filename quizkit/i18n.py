"""The interface's language: one choice for the labels, prompts and messages (gettext catalogs in
quizkit/locale) and for the language of question texts.

The order: an explicit `--lang` > QUIZKIT_LANG > the locale (LC_ALL, LC_MESSAGES, LANG: the first one set
decides, as in POSIX) > English. Cheap at import (gettext itself is imported on first use), and imports
nothing of quizkit but errors, so every module may use `_()`; only ui prints.

Extraction (Babel, a dev dependency only) finds `_()`, `ngettext()` and `N_()`: see README, Translating.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import QuizkitError
from .model import Text, pick

if TYPE_CHECKING:
    from gettext import NullTranslations

LANGS = ("en", "zh")
LOCALEDIR = Path(__file__).parent / "locale"
DOMAIN = "quizkit"

_translation: NullTranslations | None = None  # a gettext.NullTranslations or GNUTranslations once chosen
_lang = "en"


def _code(value: str) -> str | None:
    """en or zh for a language name like zh, zh_CN.UTF-8, zh-Hans, en_US; None for anything else."""
    head = value.strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    return head if head in LANGS else None


def resolve(explicit: str | None = None) -> str:
    """The language to use: `explicit` (a --lang value; None or "auto" defer) > QUIZKIT_LANG > locale > en.
    A bad --lang or QUIZKIT_LANG value is the user's error (one line)."""
    for name, value in (("--lang", explicit), ("QUIZKIT_LANG", os.environ.get("QUIZKIT_LANG"))):
        if value is None or value.strip().lower() in ("", "auto"):
            continue
        code = _code(value)
        if code is None:
            raise QuizkitError(f"{name} must be en, zh or auto, not '{value}'")
        return code
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def use(explicit: str | None = None) -> str:
    """Choose the language (see resolve) and install its catalog; returns en or zh."""
    import gettext

    global _translation, _lang
    _lang = resolve(explicit)
    _translation = gettext.translation(DOMAIN, localedir=str(LOCALEDIR), languages=[_lang], fallback=True)
    return _lang


def language() -> str:
    """en or zh: what `_()` translates to (chosen from the environment on first use if not yet)."""
    _catalog()
    return _lang


def _catalog() -> NullTranslations:
    if _translation is None:
        try:
            use(None)
        except QuizkitError:  # a bad QUIZKIT_LANG is reported by the CLI; a library user gets English
            use("en")
    assert _translation is not None  # use() set it
    return _translation


def _(message: str) -> str:
    """`message` in the interface's language (itself where there is no translation)."""
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; `_()` translates it where it is shown."""
    return message


# The system's own words for the errors a user meets (a missing file, a locked or full disk): in English
# whatever the locale, so they are said here in the interface's language; any other keeps the system's text.
_OS_ERRORS = {
    "ENOENT": N_("no such file or folder"),
    "EACCES": N_("permission denied"),
    "EPERM": N_("operation not permitted"),
    "EISDIR": N_("it is a folder"),
    "ENOTDIR": N_("a part of the path is not a folder"),
    "ENOSPC": N_("no space left on the disk"),
    "EROFS": N_("the disk is read-only"),
    "EEXIST": N_("it exists already"),
    "EBUSY": N_("it is busy"),
    "ENAMETOOLONG": N_("the name is too long"),
}


def os_error(e: BaseException) -> str:
    """An OSError's reason in the interface's language: the system's words (its strerror) in English or where
    there is no message for it."""
    import errno

    system = str(getattr(e, "strerror", None) or e)
    name = errno.errorcode.get(getattr(e, "errno", None) or -1, "")
    if name not in _OS_ERRORS or language() == "en":  # in English the system's own words (searchable)
        return system
    return _(_OS_ERRORS[name])


def shown(text: str | Text) -> str:
    """A label declared outside the catalog's reach: a msgid of quizkit's catalog (translated), or a
    package's own {en, zh} (picked in the interface's language), as a question type's LABEL is."""
    return _(text) if isinstance(text, str) else pick(text, language())
