"""`quizkit doctor`: what quizkit finds here, and the problems, named."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from ..i18n import _, ngettext
from .console import error, out


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _banks_text(banks: int, questions: int) -> str:
    """Counts like "3 banks, 120 questions", in the interface's language."""
    return (
        ngettext("{n} bank", "{n} banks", banks).format(n=banks)
        + ", "
        + ngettext("{n} question", "{n} questions", questions).format(n=questions)
    )


def doctor(d: dict[str, Any]) -> None:
    """One screen: what quizkit finds here, and the problems, named."""
    table = Table(title="quizkit doctor", title_justify="left", show_header=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("found", overflow="fold")
    for what, found in _rows(d):
        table.add_row(what, found)
    out.print(table)
    for problem in d["problems"]:
        error(problem)
    if d["ok"]:
        out.print("[green]{}[/]".format(_("all fine")))


def _torch(t: dict[str, Any]) -> str:
    if "error" in t:
        return f"[red]{escape(t['error'])}[/]"
    n = t["device_count"]
    gpu = (
        ngettext("CUDA seen: {n} device: {names}", "CUDA seen: {n} devices: {names}", n).format(
            n=n, names=", ".join(t["devices"])
        )
        if t["cuda_available"]
        else _("no CUDA device seen")
    )
    return _("{version} ({build} build); {gpu}").format(
        version=escape(t["version"]), build=escape(t["build"]), gpu=escape(gpu)
    )


def _store(s: dict[str, Any]) -> str:
    if not s["exists"]:
        return f"{escape(s['path'])}: {escape(s['integrity'])}"
    style = "green" if s["ok"] else "bold red"
    return _("{path} ({size}); integrity: {integrity}").format(
        path=escape(s["path"]), size=_bytes(s["bytes"]), integrity=f"[{style}]{escape(s['integrity'])}[/]"
    )


def _cache(c: dict[str, Any]) -> str:
    cache_text = (
        ngettext("{path} ({n} bank cached", "{path} ({n} banks cached", c["banks"]).format(
            path=escape(c["path"]), n=c["banks"]
        )
        + ngettext("; {n} verify pass remembered)", "; {n} verify passes remembered)", c["verified"]).format(
            n=c["verified"]
        )
        if c["enabled"]
        else _("off (QUIZKIT_CACHE=off)")
    )
    if c.get("damaged_now"):
        cache_text += " [bold red]{}[/]".format(
            ngettext("{n} entry damaged now", "{n} entries damaged now", c["damaged_now"]).format(n=c["damaged_now"])
        )
    if c.get("damaged_found"):
        cache_text += " [yellow]{}[/]".format(
            ngettext(
                "{n} damaged entry found and read again from its bank",
                "{n} damaged entries found and read again from their banks",
                c["damaged_found"],
            ).format(n=c["damaged_found"])
        )
    return cache_text


def _rows(d: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, found) for each line of the screen."""
    iso = d["isolation"]
    iso_text = "; ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in iso.items()) or "–"
    sh = d["shipped"]
    rows = [
        ("quizkit", f"{escape(d['quizkit']['version'])} ({escape(d['quizkit']['path'])})"),
        ("python", f"{escape(d['python']['version'])} ({escape(d['python']['executable'])})"),
        ("torch", _torch(d["torch"])),
        (_("data folder"), escape(d["data_dir"])),
        (_("store"), _store(d["store"])),
        (_("bank cache"), _cache(d["cache"])),
        (_("isolation"), iso_text),
        (
            _("schema"),
            escape(d["schema"]["path"]) + ("" if d["schema"]["exists"] else " [bold red]{}[/]".format(_("(missing)"))),
        ),
        (_("shipped banks"), _banks_text(sh["banks"], sh["questions"]) + f" ({escape(sh['path'])})"),
    ]
    for p in d["packages"]:
        errors = len(p["errors"])
        state = (
            "[bold red]{}[/]".format(ngettext("{n} error", "{n} errors", errors).format(n=errors))
            if errors
            else _("ok")
        )
        rows.append(
            (
                _("bank package"),
                f"{escape(p['name'])} {escape(p['version'])}: {_banks_text(p['banks'], p['questions'])}; {state}",
            )
        )
    if not d["packages"]:
        rows.append((_("bank packages"), _("none installed (entry point group quizkit.banks)")))
    return rows
