"""The rule sets and model specs shipped with allocator, by name.

A request names one (``baseline``, ``variants/...``); only names in this
catalogue resolve to files, so no request can point at another path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from allocator.app.defaults import PROJECT_ROOT


@dataclass(frozen=True)
class Catalogue:
    rulesets: dict[str, Path]
    specs: dict[str, Path]


def _named(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.rglob("*.yaml")):
        relative = path.relative_to(folder)
        if path.name.endswith(".test.yaml") or relative.parts[0] == "tests":
            continue
        found[relative.with_suffix("").as_posix()] = path
    return found


def shipped(root: Path = PROJECT_ROOT) -> Catalogue:
    return Catalogue(_named(root / "rules"), _named(root / "models"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
