"""The JSON Schema of a bank, built from the loader's own field tables so the two cannot drift.

`bank.schema.json` in the package is this, written out (a test keeps it equal); `quizkit schema` prints it.
It is per type: a `code` question completes only code fields, and `answer: a` on an mcq is an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import bank, types

PATH = Path(__file__).parent / "bank.schema.json"

TEXT = {"$ref": "#/$defs/text"}
WORDS = {"type": "array", "items": {"type": "string", "minLength": 1}}
CODE = {"type": "string", "minLength": 1, "description": "Python code; must compile"}
SEEDS = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1, "maximum": 100}

TOPIC = {
    "type": "string",
    "pattern": "^[a-z0-9][a-z0-9-]*$",
    "description": "What scores count the question under (also a tag); default: the bank's topic, else its first known topic tag",
}

COMMON = {
    "id": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9-]*$",
        "maxLength": 200,
        "description": "Unique in the bank; progress is stored under BANK/ID",
    },
    "type": {"type": "string"},  # which types: the oneOf below (a type from a package adds one)
    "prompt": TEXT,
    "tags": WORDS,
    "topic": TOPIC,
    "difficulty": {"type": ["integer", "string"], "enum": [1, 2, 3, 4, 5, "1", "2", "3", "4", "5"]},
    "hint": {"oneOf": [TEXT, {"type": "array", "items": TEXT, "minItems": 1}]},
    "explanation": TEXT,
    "requires": {
        "type": "array",
        "items": {"type": "string", "pattern": r"^([A-Za-z_][A-Za-z0-9_.]*\s*([<>=!~].*)?|network-loopback)$"},
        "description": "cuda, network-loopback (its runs get loopback inside themselves), numpy, a module name, "
        "or a module with a version range (torch>=2.4)",
    },
    "timeout": {"type": ["number", "string"]},
    "source": {"type": "string", "minLength": 1},
    "after": {**WORDS, "description": "Questions to get right first: an id in this bank, or BANK/ID"},
}


def build(names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The schema of banks whose questions are of the types `names` (default: every type installed, a
    package's too; the shipped file holds the built-ins)."""
    questions = []
    for qtype in types.NAMES if names is None else names:
        kind = types.REGISTRY[qtype]
        props = {n: COMMON[n] for n in bank.COMMON}
        props.update({n: kind.SCHEMA[n] for n in kind.FIELDS})
        props["type"] = {"const": qtype}
        questions.append(
            {
                "title": f"{qtype} question",
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "type", "prompt", *bank.REQUIRED[qtype]],
                "properties": props,
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/quizkit/quizkit/bank.schema.json",
        "title": "quizkit question bank",
        "description": "One YAML file of questions; see docs/bank-format.md. Full id of a question: BANK/ID.",
        "type": "object",
        "required": ["questions"],
        "additionalProperties": False,
        "properties": {
            "bank": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                "maxLength": 200,
                "description": "Bank id; defaults to the file's stem.",
            },
            "title": TEXT,
            "tags": WORDS,
            "topic": {**TOPIC, "description": "The default topic of the bank's questions"},
            "setup": CODE,
            "seeds": SEEDS,
            "paths": {
                "type": "array",
                "minItems": 1,
                "description": "Learning paths: questions in the order to learn them (quizkit path)",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "steps"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 200},
                        "title": TEXT,
                        "steps": {**WORDS, "description": "Question ids in order: ID in this bank, or BANK/ID"},
                    },
                },
            },
            "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/question"}},
        },
        "$defs": {
            "text": {
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {
                        "type": "object",
                        "minProperties": 1,
                        "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Za-z0-9]+)?$"},
                        "additionalProperties": {"type": "string", "minLength": 1},
                    },
                ]
            },
            "question": {"oneOf": questions},
        },
    }


def text(names: tuple[str, ...] | None = None) -> str:
    return json.dumps(build(names), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # python -m quizkit.schema rewrites the shipped file: the built-in types
    PATH.write_text(text(types.BUILTIN), encoding="utf-8")
