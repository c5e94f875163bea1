"""export --format anki: the package opened again as Anki would (a zip holding a SQLite collection)."""
import html
import json
import re
import sqlite3
import zipfile

import pytest
from typer.testing import CliRunner

from quizkit.cli import app

from conftest import BANKS, write_bank

pytestmark = pytest.mark.torch_free  # runs without the torch worker: pytest -m torch_free

cli = CliRunner()


def export(tmp_path, *args, name="q.apkg", bank=BANKS):
    out = tmp_path / name
    r = cli.invoke(app, ["export", "--format", "anki", "-o", str(out), "--bank", str(bank), *args])
    assert r.exit_code == 0, r.output
    return out, r


def read(apkg, tmp_path):
    """{quizkit id: note}, {deck name: id}, {model name: id} from the package's collection."""
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist()
        db = tmp_path / "collection.anki2"
        db.write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        notes = {}
        for guid, mid, tags, flds in con.execute("select guid, mid, tags, flds from notes"):
            fields = flds.split("\x1f")
            notes[fields[-1]] = {"guid": guid, "mid": mid, "tags": tags.split(), "fields": fields}
        decks_json, models_json = con.execute("select decks, models from col").fetchone()
        cards = con.execute("select count(*) from cards").fetchone()[0]
    finally:
        con.close()
    db.unlink()
    decks = {d["name"]: d["id"] for d in json.loads(decks_json).values()}
    models = {m["name"]: int(m["id"]) for m in json.loads(models_json).values()}
    return notes, decks, models, cards


def plain(field: str) -> str:
    """What the card shows, as text."""
    return html.unescape(re.sub(r"<[^>]+>", "", field))


def test_every_question_of_the_bank_is_a_note_in_its_deck(tmp_path):
    apkg, r = export(tmp_path)
    assert "wrote 6 notes in 1 deck to" in r.output
    notes, decks, models, cards = read(apkg, tmp_path)
    assert len(notes) == 6 and cards == 6
    assert "quizkit::mini" in decks
    assert {"quizkit question v1", "quizkit code v1"} <= set(models)

    card = notes["mini/card"]["fields"]
    assert "requires_grad" in plain(card[0]) and plain(card[1]) == "Records operations for autograd."
    assert plain(card[2]) == "Only tensors that require grad are tracked."

    assert plain(notes["mini/dtype-short"]["fields"][1]) == "torch.int64"  # the display answer, not a regex

    mcq = notes["mini/view-mcq"]["fields"]
    assert "a) x.view(4)" in plain(mcq[0]) and "c) x.t()" in plain(mcq[0])
    assert plain(mcq[1]) == "b) x[[0, 1]]"
    assert plain(notes["mini/pick-two"]["fields"][1]) == "a) x.add_(1); c) x.mul_(2)"

    out = notes["mini/grad-output"]["fields"]
    assert "(3 * x).sum().backward()" in plain(out[0]) and "tensor([6., 6.])" in plain(out[1])
    assert "<pre style=" in out[0] and "class=" not in out[0]  # inline styles: no CSS file needed

    code = notes["mini/softmax"]
    front, back = plain(code["fields"][0]), plain(code["fields"][1])
    assert code["mid"] == models["quizkit code v1"]
    assert "numerically stable softmax(x, dim)" in front and "return x" in front  # prompt and starter
    assert "may not use: torch.softmax, F.softmax" in front  # the rules, as every front end shows them
    assert "reference solution" in back and "quizkit check mini/softmax" in back
    assert "z = x - x.amax(dim=dim, keepdim=True)" in back and "tests" not in plain(code["fields"][0])
    assert {"fixture", "nn", "bank::mini", "type::code"} <= set(code["tags"])


def test_bank_text_cannot_put_html_on_a_card(tmp_path):
    bank = write_bank(
        tmp_path,
        """
bank: evil
questions:
  - id: x
    type: mcq
    prompt: "<script>alert(1)</script> [go](javascript:alert(1)) ![t](http://tracker.example/p.png)"
    choices: ["<img src=x onerror=alert(1)>", "fine"]
    answer: 0
    code: "print('</pre><script>alert(2)</script>')"
    explanation: "<b onmouseover=alert(3)>hi</b>"
    source: "javascript:alert(4)"
  - id: y
    type: flashcard
    prompt: "a\\x1fb"
    answer: "<iframe src=//evil>"
""",
    )
    apkg, _ = export(tmp_path, bank=bank)
    notes, _, _, _ = read(apkg, tmp_path)
    assert len(notes) == 2  # a 0x1f in the text did not split the note's fields
    everything = " ".join(f for n in notes.values() for f in n["fields"])
    for bad in ("<script", "<img", "<iframe", "<b ", 'href="javascript', 'src="http'):
        assert bad not in everything, bad
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notes["evil/x"]["fields"][0]
    assert "<script>alert(2)</script>" in plain(notes["evil/x"]["fields"][0])  # the code, shown as text
    assert plain(notes["evil/y"]["fields"][0]) == "ab"


def test_lang_zh_uses_chinese_where_there_is_some_and_keeps_the_notes(tmp_path):
    en, _ = export(tmp_path, name="en.apkg")
    zh, _ = export(tmp_path, "--lang", "zh", name="zh.apkg")
    en_notes, en_decks, en_models, _ = read(en, tmp_path)
    zh_notes, zh_decks, zh_models, _ = read(zh, tmp_path)
    card = zh_notes["mini/card"]["fields"]
    assert "有什么作用" in plain(card[0]) and plain(card[1]) == "让 autograd 记录运算。"
    assert "What is the dtype" in plain(zh_notes["mini/dtype-short"]["fields"][0])  # no zh: English
    # the same notes, decks and models: importing one over the other replaces the text, keeps the reviews
    assert {k: n["guid"] for k, n in zh_notes.items()} == {k: n["guid"] for k, n in en_notes.items()}
    assert (zh_decks, zh_models) == (en_decks, en_models)


BANK = """
bank: stable
questions:
  - id: q
    type: flashcard
    prompt: PROMPT
    answer: yes
  - id: gpu
    type: short
    requires: [cuda]
    prompt: Which device?
    accept: [cuda]
"""


def test_ids_are_the_same_in_every_export_and_an_edited_question_keeps_its_guid(tmp_path):
    bank = write_bank(tmp_path, BANK.replace("PROMPT", "Old text?"))
    first, _ = export(tmp_path, bank=bank, name="1.apkg")
    again, _ = export(tmp_path, bank=bank, name="2.apkg")
    bank.write_text(BANK.replace("PROMPT", "New text?"))
    edited, _ = export(tmp_path, bank=bank, name="3.apkg")
    a, b, c = (read(p, tmp_path) for p in (first, again, edited))
    assert set(a[0]) == {"stable/q", "stable/gpu"}  # a question needing a GPU is still a card
    for other in (b, c):
        assert {k: n["guid"] for k, n in other[0].items()} == {k: n["guid"] for k, n in a[0].items()}
        assert other[1] == a[1] and other[2] == a[2]
    assert plain(c[0]["stable/q"]["fields"][0]) == "New text?"
    assert len({n["guid"] for n in a[0].values()}) == 2


def test_filters_choose_the_notes_and_the_decks(tmp_path):
    apkg, r = export(tmp_path, "--type", "code")
    assert "wrote 1 note in 1 deck to" in r.output
    assert set(read(apkg, tmp_path)[0]) == {"mini/softmax"}
    apkg, _ = export(tmp_path, "--tag", "tensors", name="t.apkg")
    assert set(read(apkg, tmp_path)[0]) == {"mini/dtype-short", "mini/view-mcq"}
    r = cli.invoke(app, ["export", "--format", "anki", "-o", str(tmp_path / "n.apkg"), "--bank", str(BANKS),
                         "--tag", "nothing-has-this"])
    assert r.exit_code == 1 and "no questions" in r.output and not (tmp_path / "n.apkg").exists()


def one_line_error(r):
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output


def test_anki_without_a_file_is_one_line(tmp_path):
    r = cli.invoke(app, ["export", "--format", "anki", "--bank", str(BANKS)])
    one_line_error(r)
    assert "-o" in r.output


def test_an_unwritable_path_is_one_line_and_leaves_nothing(tmp_path):
    r = cli.invoke(app, ["export", "--format", "anki", "-o", str(tmp_path / "no" / "dir" / "q.apkg"), "--bank",
                         str(BANKS)])
    one_line_error(r)
    assert "cannot write" in r.output
    r = cli.invoke(app, ["export", "--format", "anki", "-o", str(tmp_path), "--bank", str(BANKS)])
    one_line_error(r)
    assert "cannot write" in r.output


def test_a_failed_export_keeps_the_old_file_whole(tmp_path, monkeypatch):
    import genanki

    old = tmp_path / "q.apkg"
    old.write_bytes(b"the last good export")

    def broken(self, file, timestamp=None):
        with open(file, "wb") as f:
            f.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(genanki.Package, "write_to_file", broken)
    r = cli.invoke(app, ["export", "--format", "anki", "-o", str(old), "--bank", str(BANKS)])
    one_line_error(r)
    assert "No space left on device" in r.output
    assert old.read_bytes() == b"the last good export"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_attempt_exports_refuse_the_anki_filters(tmp_path):
    r = cli.invoke(app, ["export", "--format", "jsonl", "--tag", "tensors"])
    one_line_error(r)
    assert "--tag" in r.output and "anki" in r.output
