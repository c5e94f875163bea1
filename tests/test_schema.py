"""quizkit/schema.py: the JSON Schema editors complete banks with is built from the loader's own tables."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from quizkit import bank, schema
from quizkit.yamlload import Loader

pytestmark = pytest.mark.torch_free


def test_schema_is_built_from_the_loaders_fields():
    """The JSON Schema for editors must not drift from what the loader accepts: the shipped file is
    what quizkit.schema builds from the loader's tables, one sub-schema per type."""
    from quizkit import schema

    shipped = json.loads((Path(bank.__file__).parent / "bank.schema.json").read_text())
    from quizkit.types import BUILTIN

    assert shipped == schema.build(BUILTIN)
    assert set(shipped["properties"]) == set(bank.TOP_FIELDS)
    per_type = {s["properties"]["type"]["const"]: s for s in shipped["$defs"]["question"]["oneOf"]}
    assert set(per_type) == set(BUILTIN) <= set(bank.TYPE_FIELDS)
    for qtype, s in per_type.items():
        assert set(s["properties"]) == set(bank.COMMON + bank.TYPE_FIELDS[qtype])
        assert s["additionalProperties"] is False
    assert "wrong" in per_type["code"]["properties"] and "wrong" not in per_type["mcq"]["properties"]


def test_a_schema_of_some_types_holds_only_those():
    built = schema.build(("code", "mcq"))
    kinds = [s["properties"]["type"] for s in built["$defs"]["question"]["oneOf"]]
    assert kinds == [{"const": "code"}, {"const": "mcq"}]
    mcq = built["$defs"]["question"]["oneOf"][1]
    assert mcq["required"] == ["id", "type", "prompt", "choices", "answer"]


def test_every_installed_type_is_in_the_default_schema():
    from quizkit import types

    kinds = {s["properties"]["type"]["const"] for s in schema.build()["$defs"]["question"]["oneOf"]}
    assert kinds == set(types.NAMES) >= set(types.BUILTIN)


def test_text_is_the_schema_as_json_with_a_newline():
    out = schema.text(("flashcard",))
    assert out.endswith("}\n") and json.loads(out) == schema.build(("flashcard",))


def _check(data):
    return sorted(e.message for e in jsonschema.Draft202012Validator(schema.build()).iter_errors(data))


def test_the_shipped_banks_are_valid_and_mistakes_are_not():
    for path in sorted(bank.shipped_dir().glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506 (the house safe loader)
        assert _check(data) == [], path.name
    good = {"bank": "s", "questions": [{"id": "q", "type": "mcq", "prompt": "P", "choices": ["a", "b"], "answer": "0"}]}
    assert _check(good) == []
    bad = json.loads(json.dumps(good))
    bad["questions"][0]["starter"] = "x = 1"  # a code field on an mcq
    assert _check(bad) != []
    bad["questions"][0] = {"id": "Q!", "type": "mcq", "prompt": "P"}
    assert _check(bad) != []
