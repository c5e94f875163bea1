"""The YAML side of loading a bank: a loader that keeps every plain scalar a string, remembers lines, refuses
duplicate keys and alias bombs, and cleans text that reaches the terminal. Imported only when a bank is
parsed: a start that reads every bank from the cache never imports yaml."""

from __future__ import annotations

from typing import cast

import yaml

from .fields import Located as _Located
from .fields import Map as _Map
from .text import needs_cleaning, safe

MAX_NODES = 200_000  # YAML nodes after aliases are expanded: a bank is thousands, a bomb billions
MAX_ALIASES = 10_000

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc]  # PyYAML ships no types (no stubs installed): its classes are Any
    """Every plain scalar stays a string: `expected: 0.10` must not become 0.1.
    Typed fields (difficulty, answer, ...) are converted by the validator.
    libyaml's parser where PyYAML has it: the shipped banks load in 0.04 s instead of 0.32 s."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:merge"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_map(loader: Loader, node: yaml.MappingNode) -> _Map:
    # Keys written in this mapping override keys merged in with `<<: *base`; a key written twice is an error.
    own = {id(k) for k, _ in node.value if k.tag != MERGE_TAG}
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.lines, out.starts = {}, {}
    mine: set[str] = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise _Located(line, "keys must be plain words")
        is_own = id(key_node) in own
        if key in mine and is_own:
            raise _Located(line, f"duplicate key '{key}' (first at line {out.lines[key]})")
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
        # A block scalar (| or >) starts its text on the line after the indicator.
        block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
        out.starts[key] = value_node.start_mark.line + 1 + (1 if block else 0)
        if is_own:
            mine.add(key)
    return out


def check_size(node: yaml.Node) -> None:
    """Refuse alias bombs before anything expands them: count the nodes as if every alias were a copy."""
    sizes: dict[int, int | None] = {}
    aliases = 0

    def size(n: yaml.Node) -> int:
        nonlocal aliases
        key = id(n)
        if key in sizes:
            if sizes[key] is None:
                raise _Located(n.start_mark.line + 1, "YAML alias refers to itself")
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _Located(n.start_mark.line + 1, f"more than {MAX_ALIASES} YAML aliases")
            return cast(int, sizes[key])  # a number: None was refused above
        sizes[key] = None
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(c) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        if total > MAX_NODES:
            if aliases:
                raise _Located(n.start_mark.line + 1, f"YAML aliases expand this to more than {MAX_NODES} values")
            raise _Located(n.start_mark.line + 1, f"this holds more than {MAX_NODES} values")
        sizes[key] = total
        return total

    size(node)


Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _construct_str(loader: Loader, node: yaml.ScalarNode) -> str:
    # Bank text reaches the terminal: no escape sequences or control characters ("\e[2J" in a prompt).
    value = loader.construct_scalar(node)
    return safe(value, line_limit=0) if needs_cleaning(value) else value


Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
