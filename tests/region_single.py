"""The single model of a region, for checking the decomposition against it.

All counties in one case (ids prefixed by county), the region's funds beside
theirs, and a ``county`` attribute on villages and funds with one more rule:
a county's own fund pays only in its own villages (region funds anywhere).
That is the problem the decomposition solves, as one MIP.
"""

from __future__ import annotations

import csv
from pathlib import Path

from allocator.io.region import load_region
from tests.conftest import BASELINE, read_csv

KEYS = {
    "villages.csv": ("village_id",),
    "projects.csv": ("project_id", "village_id"),
    "needs.csv": ("village_id",),
    "scores.csv": ("village_id",),
    "funds.csv": ("fund_id",),
}


def single_model(region_dir: Path, target: Path) -> tuple[Path, Path]:
    """Write the single-model case and its rule set; returns (case folder, rule set)."""
    region = load_region(region_dir)
    target.mkdir(parents=True)
    first = region.counties[0][1]
    meta = (first / "case.yaml").read_text(encoding="utf-8")
    meta += "extra_columns:\n  villages: {county: str}\n  funds: {county: str}\n"
    (target / "case.yaml").write_text(meta, encoding="utf-8")
    for table, keys in KEYS.items():
        rows: list[dict[str, str]] = []
        for name, folder in region.counties:
            for row in read_csv(folder / table):
                row = {k: f"{name}:{v}" if k in keys else v for k, v in row.items()}
                if table in ("villages.csv", "funds.csv"):
                    row["county"] = name
                rows.append(row)
        if table == "funds.csv":
            rows += [{**row, "county": "region"} for row in read_csv(region_dir / "funds.csv")]
        header = list(rows[0]) if rows else []
        with open(target / table, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    rules = target.parent / "single_rules.yaml"
    rules.write_text(
        "ruleset: single-region\n"
        f"extends: {BASELINE}\n"
        "rules:\n"
        "  - id: OWN-COUNTY\n"
        "    description: A county's own fund pays only in its own villages.\n"
        "    reference: the region's envelope practice\n"
        "    applies_to: projects\n"
        '    require: fund.county == "region" or fund.county == village.county\n',
        encoding="utf-8",
    )
    return target, rules


def same_outputs(one: Path, two: Path) -> None:
    """Two region output folders hold the same bytes, but for the seconds they took."""
    import json

    for path in sorted(one.rglob("*")):
        if not path.is_file() or path.name == "timings.json":
            continue
        twin = two / path.relative_to(one)
        if path == one / "summary.json":
            first, second = json.loads(path.read_text()), json.loads(twin.read_text())
            first.pop("seconds"), second.pop("seconds")
            assert first == second
            continue
        assert path.read_bytes() == twin.read_bytes(), path
