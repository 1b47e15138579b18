"""Strict YAML loading that remembers where every value came from.

PyYAML's ``safe_load`` keeps the last of duplicate keys, expands aliases (alias
bombs) and applies YAML 1.1 typing (``no`` -> False, ``0101`` -> 65). Here the
document is composed to nodes, aliases and anchors are refused, duplicate keys
are refused with both lines, and scalars are typed by the YAML 1.2 core schema.
The result is plain Python data plus a map from each value's path to its node,
so schema errors can point at file:line:column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.io.files import read_bytes

MAX_YAML_BYTES = 2_000_000
MAX_DEPTH = 40

PathKey = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


_DEFAULT_TAGS = {
    BaseResolver.DEFAULT_SCALAR_TAG,
    BaseResolver.DEFAULT_SEQUENCE_TAG,
    BaseResolver.DEFAULT_MAPPING_TAG,
}


class _StrictLoader(Reader, Scanner, Parser, Composer, BaseResolver):
    """Composer only: no constructor, no implicit YAML 1.1 resolvers."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _YamlRefusal(
                "aliases (*name) are not allowed in allocator files", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _YamlRefusal(
                "anchors (&name) are not allowed in allocator files", event.start_mark
            )
        return super().compose_node(parent, index)


class _YamlRefusal(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


@dataclass
class LocatedYaml:
    """A loaded YAML document: its data and where each part of it stands."""

    path: Path
    data: Any
    nodes: dict[PathKey, Node] = field(default_factory=dict)
    text: str = ""

    def location(self, key: PathKey) -> Location:
        """Location of the value at ``key``, or of its nearest located parent."""
        probe = tuple(key)
        while probe and probe not in self.nodes:
            probe = probe[:-1]
        node = self.nodes.get(probe)
        if node is None:
            return Location(self.path, 1, 1)
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def key_location(self, key: PathKey) -> Location:
        """Location of the mapping key itself (for 'unknown key' messages)."""
        node = self.nodes.get((*key, "__key__"))
        return (
            self.location(key)
            if node is None
            else Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)
        )


def _scalar_value(node: ScalarNode) -> Any:
    text = node.value
    if node.style is not None and node.style != "":  # quoted or block: always a string
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text, 0) if text.startswith(("0o", "0x")) else int(text)
    if _FLOAT.match(text):
        lowered = text.lower()
        if lowered.endswith("inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered.endswith("nan"):
            return float("nan")
        return float(text)
    return text


def _convert(node: Node, key: PathKey, nodes: dict[PathKey, Node], path: Path, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise InputError(
            msg("YAML nested deeper than {MAX_DEPTH} levels", MAX_DEPTH=MAX_DEPTH),
            Location(path, node.start_mark.line + 1, node.start_mark.column + 1),
        )
    nodes[key] = node
    if node.tag not in _DEFAULT_TAGS:
        raise InputError(
            msg("explicit YAML tag {tag!r} is not allowed", tag=node.tag),
            Location(path, node.start_mark.line + 1, node.start_mark.column + 1),
        )
    if isinstance(node, ScalarNode):
        return _scalar_value(node)
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*key, i), nodes, path, depth + 1) for i, item in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise InputError(
                    msg("mapping keys must be plain text"),
                    Location(path, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                )
            name = key_node.value
            if name == "<<":
                raise InputError(
                    msg("merge keys (<<) are not allowed in allocator files"),
                    Location(path, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                )
            if name in seen:
                first = seen[name].start_mark.line + 1
                raise InputError(
                    msg(
                        "duplicate key '{name}' (first defined on line {first})",
                        name=name,
                        first=first,
                    ),
                    Location(path, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                )
            seen[name] = key_node
            nodes[(*key, name, "__key__")] = key_node
            result[name] = _convert(value_node, (*key, name), nodes, path, depth + 1)
        return result
    raise InputError(msg("unsupported YAML node"), Location(path, 1, 1))


def parse_yaml_text(text: str, path: Path) -> LocatedYaml:
    """Parse YAML text strictly; raise :class:`InputError` pointing into ``path``."""
    if len(text) > MAX_YAML_BYTES:
        raise InputError(
            msg("file is larger than {MAX_YAML_BYTES} bytes", MAX_YAML_BYTES=MAX_YAML_BYTES),
            Location(path),
        )
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
    except _YamlRefusal as exc:
        raise InputError(
            exc.message, Location(path, exc.mark.line + 1, exc.mark.column + 1)
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or msg("invalid YAML")
        if "\t" in problem or "'\\t'" in problem:
            problem += " (tabs are not allowed for indentation; use spaces)"
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise InputError(msg("YAML syntax error: {problem}", problem=problem), loc) from None
    except yaml.YAMLError as exc:
        raise InputError(msg("YAML error: {exc}", exc=exc), Location(path)) from None
    finally:
        loader.dispose()
    if root is None:
        raise InputError(msg("file is empty"), Location(path, 1, 1))
    nodes: dict[PathKey, Node] = {}
    data = _convert(root, (), nodes, path, 0)
    return LocatedYaml(path=path, data=data, nodes=nodes, text=text)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is accepted), refusing other encodings clearly."""
    raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            msg("file is not valid UTF-8 (re-save it as UTF-8)"), Location(path, line)
        ) from None


def load_yaml(path: Path) -> LocatedYaml:
    """Read and strictly parse a YAML file."""
    return parse_yaml_text(read_text(path), path)
