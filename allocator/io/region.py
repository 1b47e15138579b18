"""A region folder: ``region.yaml``, the region's own ``funds.csv``, one case folder per county.

The region's funds are the money to split into county envelopes; each county
keeps its own local funds. A county case sees a region fund as one of its own
funds (same columns, same rules), with the envelope as its budget.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.io.case import Case, unique_keys, validation_error_to_input_error
from allocator.io.csvtable import read_table
from allocator.io.files import read_bytes
from allocator.io.yamlsafe import load_yaml
from allocator.schemas import CountyScore, Fund, RegionMeta

REGION_FILE = "region.yaml"


@dataclass(frozen=True)
class Region:
    """A validated region: its funds (sorted by id) and its member county folders."""

    folder: Path
    meta: RegionMeta
    funds: tuple[Fund, ...]
    counties: tuple[tuple[str, Path], ...]  # (folder name, folder), sorted by name
    file_hashes: dict[str, str]
    #: performance score per county (the region's optional scores.csv)
    scores: dict[str, float] = field(default_factory=dict)


def is_region(path: Path | str) -> bool:
    """Whether ``path`` is a region folder (it holds region.yaml)."""
    return (Path(path) / REGION_FILE).is_file()


def load_region(folder: Path | str) -> Region:
    """Load region.yaml and the region's funds.csv, and find the member counties."""
    folder = Path(folder)
    doc = load_yaml(folder / REGION_FILE)
    if not isinstance(doc.data, dict):
        raise InputError(msg("region.yaml must be a mapping of keys"), doc.location(()))
    try:
        meta = RegionMeta.model_validate(doc.data)
    except ValidationError as exc:
        raise validation_error_to_input_error(exc, doc) from None
    path = folder / "funds.csv"
    raw = read_bytes(path)
    rows = read_table(path, Fund, raw=raw)
    unique_keys(path, rows, lambda f: f.fund_id, "fund_id")
    if meta.members is not None:
        names = list(meta.members)
        for name in names:
            member = folder / name
            if not (member / "case.yaml").is_file() or member.resolve().parent != folder.resolve():
                raise InputError(
                    msg(
                        "member '{name}' is not a case folder inside the region (no case.yaml)",
                        name=name,
                    ),
                    doc.location(("members",)),
                )
    else:
        names = [p.name for p in folder.iterdir() if (p / "case.yaml").is_file()]
    if not names:
        raise InputError(msg("the region has no county case folders"), Location(folder))
    hashes = {
        REGION_FILE: hashlib.sha256(read_bytes(folder / REGION_FILE)).hexdigest(),
        "funds.csv": hashlib.sha256(raw).hexdigest(),
    }
    scores: dict[str, float] = {}
    scores_path = folder / "scores.csv"
    if scores_path.is_file():
        scores_raw = read_bytes(scores_path)
        hashes["scores.csv"] = hashlib.sha256(scores_raw).hexdigest()
        rated = read_table(scores_path, CountyScore, raw=scores_raw, allow_empty=True)
        unique_keys(scores_path, rated, lambda s: s.county, "county")
        for row, score in rated:
            if score.county not in names:
                raise InputError(
                    msg(
                        "unknown county '{county}' (not a member of the region)",
                        county=score.county,
                    ),
                    Location(scores_path, row, None, "county"),
                )
            scores[score.county] = score.score
    return Region(
        folder=folder,
        meta=meta,
        funds=tuple(sorted((f for _, f in rows), key=lambda f: f.fund_id)),
        counties=tuple(sorted((name, folder / name) for name in names)),
        file_hashes=hashes,
        scores=scores,
    )


def with_region_funds(case: Case, region: Region, budgets: dict[str, int] | None = None) -> Case:
    """``case`` with the region's funds among its own, each with its envelope as budget
    (``budgets``; default: the region fund's whole budget)."""
    own = {f.fund_id for f in case.funds}
    for fund in region.funds:
        if fund.fund_id in own:
            raise InputError(
                msg(
                    "region fund '{fund_id}' is also a fund of county {county}: "
                    "give region funds their own ids",
                    fund_id=fund.fund_id,
                    county=case.folder.name,
                ),
                Location(region.folder / "funds.csv", None, None, "fund_id"),
            )
    added = [
        fund if budgets is None else fund.model_copy(update={"budget": budgets[fund.fund_id]})
        for fund in region.funds
    ]
    funds = tuple(sorted((*case.funds, *added), key=lambda f: f.fund_id))
    return replace(case, funds=funds)
