from pathlib import Path

import pytest

from allocator.errors import InputError
from allocator.io.yamlsafe import parse_yaml_text

P = Path("x.yaml")


def test_core_schema_typing_not_yaml_1_1() -> None:
    doc = parse_yaml_text("a: no\nb: 0101\nc: 1e6\nd: 1:30\ne: true\nf: ~\n", P)
    assert doc.data == {"a": "no", "b": 101, "c": 1e6, "d": "1:30", "e": True, "f": None}


def test_locations_point_at_values() -> None:
    doc = parse_yaml_text("top:\n  items:\n    - 1\n    - second\n", P)
    loc = doc.location(("top", "items", 1))
    assert (loc.line, loc.column) == (4, 7)
    assert str(loc) == "x.yaml:4:7"


@pytest.mark.parametrize(
    ("text", "fragment", "where"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first defined on line 1)", "x.yaml:3:1"),
        ("a: &anchor 1\nb: *anchor\n", "anchors (&name) are not allowed", "x.yaml:1:4"),
        ("a: [1]\nb: *nothing\n", "aliases", "x.yaml:2:4"),
        ("a:\n\t- 1\n", "tabs are not allowed", "x.yaml:2:1"),
        ("a: [1, 2\n", "YAML syntax error", "x.yaml:2:1"),
        ("<<: {a: 1}\n", "merge keys", "x.yaml:1:1"),
        ("a: !!python/object:os.system x\n", "explicit YAML tag", "x.yaml:1:4"),
        ("", "file is empty", "x.yaml:1:1"),
    ],
)
def test_refusals_name_the_place(text: str, fragment: str, where: str) -> None:
    with pytest.raises(InputError) as info:
        parse_yaml_text(text, P)
    assert fragment in info.value.message
    assert str(info.value.location) == where


def test_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    with pytest.raises(InputError, match="anchors"):
        parse_yaml_text(bomb, P)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(InputError, match="nested deeper"):
        parse_yaml_text("a: " + "[" * 60 + "]" * 60 + "\n", P)
