"""Every message a person reads can be said in Chinese: the catalog is complete and exact.

The library makes messages with ``msg(TEMPLATE, **fields)``; the Chinese
templates live in ``allocator/messages_zh.py`` keyed by the English one.
These tests read the source: every ``msg`` call has a literal template with a
Chinese entry using the same fields, no error or person-facing list gets a raw
string, and the catalog holds nothing stale.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from allocator.errors import InputError, Location
from allocator.i18n import _PYDANTIC, msg, say, validation_text
from allocator.messages_zh import ZH
from tests.conftest import ROOT

PACKAGE = ROOT / "allocator"
#: lists whose items people read (appending a raw string to one is a miss)
READ_LISTS = {"warnings", "violations", "conflicts", "lines", "problems"}
#: exceptions whose messages people read
ERRORS = re.compile(r"(Error|Rejected)$")
#: code that answers machines, or builds HTML from i18n.t() words, is exempt
EXEMPT = {
    "allocator/service",
    "allocator/messages_zh.py",
    "allocator/report/html.py",
}
WORDS = re.compile(r"[A-Za-z]{2,}")


def _wordless(template: str) -> bool:
    """Only fields and punctuation: said the same in every language."""
    return not WORDS.search(re.sub(r"\{[^{}]*\}", "", template))


def _sources() -> list[tuple[str, ast.AST]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if any(name == e or name.startswith(e + "/") for e in EXEMPT):
            continue
        found.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _templates() -> list[tuple[str, int, str]]:
    """Every message template: each msg() call's, and pydantic's wordings (i18n._PYDANTIC)."""
    found = [("allocator/i18n.py", 0, template) for template in _PYDANTIC.values()]
    for name, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "msg"
            ):
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{name}:{node.lineno}: msg() needs a literal template"
                )
                found.append((name, node.lineno, first.value))
    return found


def _raw(node: ast.expr | None) -> bool:
    """A string made on the spot (not a msg(), a variable or a call)."""
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return not _wordless(text)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return not _wordless(node.value)
    return isinstance(node, ast.BinOp) and (_raw(node.left) or _raw(node.right))


def test_every_message_has_its_chinese_with_the_same_fields() -> None:
    missing, fields = [], []
    for name, line, template in _templates():
        if template not in ZH and _wordless(template):
            continue
        if template not in ZH:
            missing.append(f"{name}:{line}: {template!r}")
        elif _fields(ZH[template]) != _fields(template):
            fields.append(f"{name}:{line}: {template!r}")
    assert not missing, "no Chinese for:\n" + "\n".join(missing)
    assert not fields, "fields differ:\n" + "\n".join(fields)


def test_no_error_or_list_people_read_gets_a_raw_string() -> None:
    raw = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.List):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in READ_LISTS for t in targets):
                    raw += [
                        f"{name}:{item.lineno}: a list item"
                        for item in node.value.elts
                        if _raw(item)
                    ]
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if ERRORS.search(callee) and _raw(node.args[0]):
                raw.append(f"{name}:{node.lineno}: {callee}(...)")
            target = func.value if isinstance(func, ast.Attribute) else None
            if (
                callee in ("append", "insert")
                and isinstance(target, ast.Name)
                and target.id in READ_LISTS
                and _raw(node.args[-1])
            ):
                raw.append(f"{name}:{node.lineno}: {target.id}.{callee}(...)")
    assert not raw, "raw strings where a msg() belongs:\n" + "\n".join(raw)


def test_the_catalog_holds_nothing_stale_and_is_chinese() -> None:
    used = {template for _, _, template in _templates()}
    assert set(ZH) <= used, f"unused: {sorted(set(ZH) - used)}"
    not_chinese = [k for k, v in ZH.items() if not re.search(r"[\u4e00-\u9fff]", v)]
    assert not not_chinese, f"not translated: {not_chinese}"


def test_an_error_reads_in_english_and_is_said_in_chinese() -> None:
    error = InputError(
        msg("expected a whole number (integer yuan, no decimals), found '{text}'", text="12.5"),
        Location(Path("projects.csv"), 4, None, "cost"),
    )
    assert str(error) == (
        "projects.csv, row 4, column 'cost': "
        "expected a whole number (integer yuan, no decimals), found '12.5'"
    )
    assert (
        error.say("zh")
        == "projects.csv，第 4 行，列“cost”：应为整数（以元为单位，不含小数），实为“12.5”"
    )
    assert say(error.message, "en") == error.message


def test_pydantic_errors_read_as_pydantic_wrote_them_and_are_said_in_chinese() -> None:
    from pydantic import BaseModel, Field, ValidationError

    class Row(BaseModel):
        households: int = Field(ge=0)

    for value, chinese in ((-1, "应大于或等于 0"), ("x", "应为有效的整数")):
        try:
            Row(households=value)
        except ValidationError as exc:
            error = exc.errors()[0]
        text = validation_text(error)
        assert str(text) == error["msg"]
        assert chinese in text.say("zh")
