"""The rule expression language: parsed with ``ast``, allow-listed, type-checked.

An expression such as ``village.poor_village or case.year - default(village.exit_year, 0) <= 3``
is parsed by Python's parser (never evaluated), every node is checked against an
allow-list, every attribute against the input schemas, and every operator
against the types of its operands. The result is a small typed tree (``Node``)
that the vectorized evaluator and the scalar reference evaluator both run.
Errors point at file:line:column of the offending token.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from allocator.errors import Location, RuleError
from allocator.i18n import msg

MAX_EXPRESSION_CHARS = 2000
MAX_DEPTH = 30


class Type(Enum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STR = "str"

    @property
    def numeric(self) -> bool:
        return self in (Type.INT, Type.FLOAT)


@dataclass(frozen=True)
class AttrType:
    """Type of one attribute visible to rules; ``optional`` values may be empty."""

    type: Type
    optional: bool = False


#: entity name ("fund", "project", "village", "household", "measure", "case") -> attribute
#: -> type
Schema = dict[str, dict[str, AttrType]]


@dataclass(frozen=True)
class Node:
    type: Type
    optional: bool


@dataclass(frozen=True)
class Attr(Node):
    entity: str
    name: str


@dataclass(frozen=True)
class Const(Node):
    value: int | float | bool | str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" | "neg"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / %
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str  # == != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class Logical(Node):
    op: str  # and | or
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class InList(Node):
    operand: Node
    values: tuple[int | float | bool | str, ...]
    negate: bool


@dataclass(frozen=True)
class Call(Node):
    func: str  # min max abs default is_set
    args: tuple[Node, ...]


FUNCTIONS = ("min", "max", "abs", "default", "is_set")
_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Mod: "%",
}
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_BOOL_NAMES = {"true": True, "True": True, "false": False, "False": False}

#: Maps a 0-based character offset inside the expression to a file location.
Locator = Callable[[int], Location]


def _type_of_value(value: object) -> Type:
    if isinstance(value, bool):
        return Type.BOOL
    if isinstance(value, int):
        return Type.INT
    if isinstance(value, float):
        return Type.FLOAT
    return Type.STR


def _describe(node: Node) -> str:
    return node.type.value + (" (may be empty)" if node.optional else "")


class _Checker:
    def __init__(self, text: str, schema: Schema, locate: Locator) -> None:
        self.text = text
        self.schema = schema
        self.locate = locate
        self.lead = 0  # characters of leading blank stripped before parsing

    def offset(self, lineno: int, col_offset: int) -> int:
        """ast columns count UTF-8 bytes of the (single, stripped) line; return chars."""
        del lineno  # the parsed text is always one line
        line = self.text.strip()
        return len(line.encode("utf-8")[:col_offset].decode("utf-8", errors="ignore"))

    def error(self, node: ast.AST, message: str) -> RuleError:
        col = getattr(node, "col_offset", 0)
        return RuleError(message, self.locate(self.lead + self.offset(1, col)))

    def check(self, node: ast.AST, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise self.error(
                node,
                msg("expression is nested deeper than {MAX_DEPTH} levels", MAX_DEPTH=MAX_DEPTH),
            )
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.error(
                node,
                msg(
                    (
                        "'{value}' is not allowed in rule expressions (allowed: comparisons, "
                        "and/or/not, + - * / %, 'in [...]', attributes like "
                        "village.poverty_rate, and {FUNCTIONS})"
                    ),
                    value=ast.unparse(node),
                    FUNCTIONS=", ".join(FUNCTIONS),
                ),
            )
        result: Node = method(node, depth + 1)
        return result

    def _Constant(self, node: ast.Constant, depth: int) -> Node:
        if node.value is None or not isinstance(node.value, int | float | str):
            raise self.error(node, msg("constant {value!r} is not allowed", value=node.value))
        return Const(_type_of_value(node.value), False, node.value)

    def _Name(self, node: ast.Name, depth: int) -> Node:
        if node.id in _BOOL_NAMES:
            return Const(Type.BOOL, False, _BOOL_NAMES[node.id])
        if node.id in self.schema:
            raise self.error(
                node,
                msg(
                    "'{id}' needs an attribute, e.g. {id}.{value}",
                    id=node.id,
                    value=next(iter(self.schema[node.id]), "id"),
                ),
            )
        raise self.error(
            node,
            msg(
                "unknown name '{id}' (use one of {schema})",
                id=node.id,
                schema=", ".join(e + ".<attribute>" for e in self.schema),
            ),
        )

    def _Attribute(self, node: ast.Attribute, depth: int) -> Node:
        if not isinstance(node.value, ast.Name):
            raise self.error(node, "attributes are written entity.attribute, e.g. fund.kind")
        entity = node.value.id
        if entity not in self.schema:
            raise self.error(
                node,
                msg(
                    "unknown entity '{entity}' (known: {schema})",
                    entity=entity,
                    schema=", ".join(self.schema),
                ),
            )
        attrs = self.schema[entity]
        if node.attr not in attrs:
            close = difflib.get_close_matches(node.attr, list(attrs), n=1)
            hint = (
                msg("; did you mean {entity}.{close}?", entity=entity, close=close[0])
                if close
                else ""
            )
            raise self.error(
                node,
                msg(
                    "unknown attribute '{entity}.{attr}'{hint}",
                    entity=entity,
                    attr=node.attr,
                    hint=hint,
                ),
            )
        info = attrs[node.attr]
        return Attr(info.type, info.optional, entity, node.attr)

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> Node:
        operands = tuple(self.check(v, depth) for v in node.values)
        op = "and" if isinstance(node.op, ast.And) else "or"
        for raw, operand in zip(node.values, operands, strict=True):
            self.require(raw, operand, {Type.BOOL}, msg("'{op}' needs true/false operands", op=op))
        return Logical(Type.BOOL, False, op, operands)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> Node:
        operand = self.check(node.operand, depth)
        if isinstance(node.op, ast.Not):
            self.require(node.operand, operand, {Type.BOOL}, "'not' needs a true/false operand")
            return Unary(Type.BOOL, False, "not", operand)
        if isinstance(node.op, ast.USub | ast.UAdd):
            self.require(node.operand, operand, {Type.INT, Type.FLOAT}, "'-' needs a number")
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, Const):
                return Const(operand.type, False, -operand.value)  # type: ignore[operator]
            return Unary(operand.type, False, "neg", operand)
        raise self.error(node, msg("operator in '{value}' is not allowed", value=ast.unparse(node)))

    def _BinOp(self, node: ast.BinOp, depth: int) -> Node:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.error(
                node,
                msg(
                    "operator in '{value}' is not allowed (allowed: + - * / %)",
                    value=ast.unparse(node),
                ),
            )
        left = self.check(node.left, depth)
        right = self.check(node.right, depth)
        numbers = {Type.INT, Type.FLOAT}
        self.require(node.left, left, numbers, msg("'{op}' needs numbers", op=op))
        self.require(node.right, right, numbers, msg("'{op}' needs numbers", op=op))
        kind = Type.INT if left.type == right.type == Type.INT and op != "/" else Type.FLOAT
        return Binary(kind, False, op, left, right)

    def _Compare(self, node: ast.Compare, depth: int) -> Node:
        parts: list[Node] = []
        left_raw: ast.expr = node.left
        left = self.check(left_raw, depth)
        for op_node, right_raw in zip(node.ops, node.comparators, strict=True):
            if isinstance(op_node, ast.In | ast.NotIn):
                parts.append(self._in(left_raw, left, right_raw, isinstance(op_node, ast.NotIn)))
                left_raw = right_raw
                left = Const(Type.BOOL, False, True)  # 'x in [...] < y' makes no sense
                continue
            op = _CMPOPS.get(type(op_node))
            if op is None:
                raise self.error(node, "'is' comparisons are not allowed; use == or is_set()")
            right = self.check(right_raw, depth)
            self.not_optional(left_raw, left)
            self.not_optional(right_raw, right)
            if op in ("<", "<=", ">", ">="):
                self.require(
                    left_raw, left, {Type.INT, Type.FLOAT}, msg("'{op}' compares numbers", op=op)
                )
                self.require(
                    right_raw, right, {Type.INT, Type.FLOAT}, msg("'{op}' compares numbers", op=op)
                )
            elif not (left.type == right.type or (left.type.numeric and right.type.numeric)):
                raise self.error(
                    node,
                    msg(
                        "cannot compare {value} with {value2} using '{op}'",
                        value=_describe(left),
                        value2=_describe(right),
                        op=op,
                    ),
                )
            parts.append(Compare(Type.BOOL, False, op, left, right))
            left_raw, left = right_raw, right
        return parts[0] if len(parts) == 1 else Logical(Type.BOOL, False, "and", tuple(parts))

    def _in(self, left_raw: ast.expr, left: Node, right_raw: ast.expr, negate: bool) -> Node:
        self.not_optional(left_raw, left)
        if not isinstance(right_raw, ast.List | ast.Tuple | ast.Set):
            raise self.error(
                right_raw,
                "'in' needs a literal list on the right, "
                'e.g. village.terrain in ["mountain", "gully"]',
            )
        values: list[int | float | bool | str] = []
        for element in right_raw.elts:
            const = self.check(element)
            if not isinstance(const, Const):
                raise self.error(element, "list items after 'in' must be constants")
            compatible = const.type == left.type or (const.type.numeric and left.type.numeric)
            if not compatible:
                raise self.error(
                    element,
                    msg(
                        "list item {value!r} is {value2} but the value tested is {value3}",
                        value=const.value,
                        value2=const.type.value,
                        value3=left.type.value,
                    ),
                )
            values.append(const.value)
        if not values:
            raise self.error(right_raw, "the list after 'in' is empty")
        return InList(Type.BOOL, False, left, tuple(values), negate)

    def _Call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = ast.unparse(node.func)
            raise self.error(
                node,
                msg(
                    "unknown function '{name}' (available: {FUNCTIONS})",
                    name=name,
                    FUNCTIONS=", ".join(FUNCTIONS),
                ),
            )
        if node.keywords:
            raise self.error(node, "functions take no keyword arguments")
        func = node.func.id
        args = tuple(self.check(a, depth) for a in node.args)
        if func == "is_set":
            if len(args) != 1 or not isinstance(args[0], Attr):
                raise self.error(
                    node, "is_set() takes one attribute, e.g. is_set(village.exit_year)"
                )
            return Call(Type.BOOL, False, func, args)
        if func == "default":
            if len(args) != 2 or not isinstance(args[1], Const):
                raise self.error(
                    node,
                    "default() takes an attribute and a constant, e.g. "
                    "default(village.exit_year, 0)",
                )
            value, fallback = args
            if not (value.type == fallback.type or (value.type.numeric and fallback.type.numeric)):
                raise self.error(
                    node.args[1],
                    msg(
                        "default value is {value} but the attribute is {value2}",
                        value=fallback.type.value,
                        value2=value.type.value,
                    ),
                )
            kind = value.type if value.type == fallback.type else Type.FLOAT
            return Call(kind, False, func, args)
        for raw, arg in zip(node.args, args, strict=True):
            self.require(raw, arg, {Type.INT, Type.FLOAT}, msg("{func}() takes numbers", func=func))
        if func == "abs":
            if len(args) != 1:
                raise self.error(node, "abs() takes one argument")
            return Call(args[0].type, False, func, args)
        if len(args) < 2:
            raise self.error(node, msg("{func}() takes two or more arguments", func=func))
        kind = Type.INT if all(a.type == Type.INT for a in args) else Type.FLOAT
        return Call(kind, False, func, args)

    def not_optional(self, raw: ast.AST, node: Node) -> None:
        if node.optional:
            name = ast.unparse(raw)
            raise self.error(
                raw,
                msg(
                    (
                        "{name} may be empty; write default({name}, <value>) or test "
                        "is_set({name}) first"
                    ),
                    name=name,
                ),
            )

    def require(self, raw: ast.AST, node: Node, allowed: set[Type], message: str) -> None:
        self.not_optional(raw, node)
        if node.type not in allowed:
            raise self.error(raw, f"{message}, but '{ast.unparse(raw)}' is {node.type.value}")


def parse_expression(text: str, schema: Schema, locate: Locator, *, want: Type = Type.BOOL) -> Node:
    """Parse and type-check one rule expression; raise :class:`RuleError` at its position."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise RuleError(
            msg(
                "expression is longer than {MAX_EXPRESSION_CHARS} characters",
                MAX_EXPRESSION_CHARS=MAX_EXPRESSION_CHARS,
            ),
            locate(0),
        )
    if not text.strip():
        raise RuleError(msg("expression is empty"), locate(0))
    # Line breaks (from YAML block scalars) become spaces: same length, so every
    # character offset still maps to the same place in the file.
    flat = text.replace("\r", " ").replace("\n", " ")
    checker = _Checker(flat, schema, locate)
    try:
        tree = ast.parse(flat.strip(), mode="eval")
    except SyntaxError as exc:
        lead = len(flat) - len(flat.lstrip())
        detail = exc.msg
        if "=" in flat and "==" not in flat:
            detail += " (use == to compare)"
        offset = lead + checker.offset(1, max((exc.offset or 1) - 1, 0))
        raise RuleError(
            msg("syntax error in expression: {detail}", detail=detail), locate(offset)
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise RuleError(msg("expression is too deeply nested or malformed"), locate(0)) from None
    checker.lead = len(flat) - len(flat.lstrip())
    try:
        node = checker.check(tree.body)
    except RecursionError:
        raise RuleError(msg("expression is too deeply nested"), locate(0)) from None
    if node.type != want:
        raise RuleError(
            msg("expression must be true/false, but it is {value}", value=node.type.value),
            locate(0),
        )
    return node


def first_uses(text: str) -> dict[str, int]:
    """Character offset (in ``text``) of the first attribute of each entity it reads.

    For a text that already parsed: used to point at an attribute a rule may not
    read (e.g. ``household.poor`` in a rule that also reads ``project.*``).
    """
    flat = text.replace("\r", " ").replace("\n", " ")
    lead = len(flat) - len(flat.lstrip())
    line = flat.strip()
    encoded = line.encode("utf-8")
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(line, mode="eval")):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            offset = lead + len(encoded[: node.col_offset].decode("utf-8", errors="ignore"))
            entity = node.value.id
            found[entity] = min(found.get(entity, offset), offset)
    return found


def attributes_used(node: Node) -> list[Attr]:
    """Every attribute an expression reads, in order of first use (for explanations)."""
    seen: dict[tuple[str, str], Attr] = {}

    def walk(n: Node) -> None:
        if isinstance(n, Attr):
            seen.setdefault((n.entity, n.name), n)
        for child in _children(n):
            walk(child)

    walk(node)
    return list(seen.values())


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary | Compare):
        return (node.left, node.right)
    if isinstance(node, Logical):
        return node.operands
    if isinstance(node, InList):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()


def make_locator(source: str, start_index: int, end_index: int, value: str, path: Any) -> Locator:
    """Map offsets in a YAML scalar's value back to file line:column.

    Aligns the value's non-blank characters with the scalar's source text, which
    works for plain, quoted, literal (|) and folded (>) scalars alike.
    """
    segment = source[start_index:end_index]
    mapping: list[int | None] = []
    cursor = 0
    for ch in value:
        if ch.isspace():
            mapping.append(None)
            continue
        found = segment.find(ch, cursor)
        if found == -1:
            mapping.append(None)
            continue
        mapping.append(start_index + found)
        cursor = found + 1

    def locate(offset: int) -> Location:
        index: int | None = None
        for probe in range(max(0, offset), len(mapping)):
            if mapping[probe] is not None:
                index = mapping[probe]
                break
        if index is None:
            index = next((m for m in reversed(mapping) if m is not None), start_index)
        line = source.count("\n", 0, index) + 1
        column = index - (source.rfind("\n", 0, index) + 1) + 1
        return Location(path, line, column)

    return locate
