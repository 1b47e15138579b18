"""Chinese for every message the library makes, keyed by its English template.

Fields keep their names and formats; ``tests/test_messages.py`` checks every
``msg(...)`` in the code has an entry here with the same fields. Terms follow
docs/glossary.md.
"""

from __future__ import annotations

ZH: dict[str, str] = {}
