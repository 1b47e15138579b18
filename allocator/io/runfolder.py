"""Reading a run's output folder: one reader for ``compare``, ``explain`` and ``verify``.

A run folder holds allocations.csv and, when allocator wrote it, summary.json,
funds.csv, projects.csv and unmet_needs.csv. ``verify`` needs only
allocations.csv (a plan from any tool, or edited by hand in Excel, which may
add a byte-order mark); the others read the rest.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.io.csvtable import decode_csv
from allocator.io.files import read_bytes

Row = dict[str, str]


class RunFolder:
    """One output folder of ``allocator run`` (or of any tool that wrote allocations.csv)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise InputError(msg("run folder does not exist"), Location(self.folder))

    def path(self, name: str) -> Path:
        return self.folder / name

    def rows(
        self, name: str, encoding: str = "utf-8"
    ) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """A CSV file's header and its non-blank rows (cells) with their spreadsheet row numbers."""
        path = self.path(name)
        raw = read_bytes(path)
        if encoding == "utf-8" and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        text = decode_csv(raw, path, encoding)
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        rows = [
            (reader.line_num, [c.strip() for c in cells])
            for cells in reader
            if any(c.strip() for c in cells)
        ]
        return header, rows

    def table(self, name: str) -> list[Row]:
        """Rows of a file allocator wrote (header names as keys)."""
        header, rows = self.rows(name)
        return [dict(zip(header, cells, strict=False)) for _, cells in rows]

    def summary(self) -> dict[str, Any]:
        path = self.path("summary.json")
        try:
            data: dict[str, Any] = json.loads(read_bytes(path).decode("utf-8"))
        except InputError:
            raise InputError(
                msg("no summary.json: not an allocator output folder"), Location(self.folder)
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                msg("summary.json is not valid JSON: {exc}", exc=exc), Location(path)
            ) from None
        return data

    def payments(self) -> dict[str, list[tuple[str, int]]]:
        """project_id -> [(fund_id, amount)], from allocations.csv (a multi-year plan's
        years added up per fund)."""
        paid: dict[str, dict[str, int]] = defaultdict(dict)
        for row in self.table("allocations.csv"):
            funds = paid[row["project_id"]]
            funds[row["fund_id"]] = funds.get(row["fund_id"], 0) + int(row["amount"])
        return {pid: list(funds.items()) for pid, funds in paid.items()}

    def payments_by_year(self) -> dict[str, list[tuple[str, int, int]]]:
        """A multi-year plan's project_id -> [(fund_id, year, amount)] (empty otherwise)."""
        paid: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for row in self.table("allocations.csv"):
            if "year" in row:
                paid[row["project_id"]].append(
                    (row["fund_id"], int(row["year"]), int(row["amount"]))
                )
        return dict(paid)

    def fund_years(self) -> dict[str, list[Row]]:
        """A multi-year plan's fund_id -> its funds.csv rows, year by year (empty otherwise)."""
        years: dict[str, list[Row]] = defaultdict(list)
        for row in self.table("funds.csv"):
            if "year" in row:
                years[row["fund_id"]].append(row)
        return dict(years)

    def project_amounts(self) -> dict[str, int]:
        return {pid: sum(a for _, a in pays) for pid, pays in self.payments().items()}

    def projects(self) -> dict[str, Row]:
        return {r["project_id"]: r for r in self.table("projects.csv")}

    def funds(self) -> dict[str, Row]:
        """fund_id -> its funds.csv row; for a multi-year plan one row over the horizon:
        budget and allocated added up, unused what lapsed or is left at the end."""
        funds: dict[str, Row] = {}
        for r in self.table("funds.csv"):
            if r["fund_id"] not in funds or "year" not in r:
                funds[r["fund_id"]] = dict(r)
                if "year" in r:
                    funds[r["fund_id"]]["unused"] = str(int(r["carried_out"]) + int(r["lapsed"]))
                continue
            whole = funds[r["fund_id"]]
            whole["budget"] = str(int(whole["budget"]) + int(r["budget"]))
            whole["allocated"] = str(int(whole["allocated"]) + int(r["allocated"]))
            lapsed = int(whole["unused"]) - int(whole["carried_out"]) + int(r["lapsed"])
            whole["unused"] = str(lapsed + int(r["carried_out"]))
            whole["carried_out"] = r["carried_out"]
            if not whole.get("idle_reason"):
                whole["idle_reason"], whole["idle_detail"] = r["idle_reason"], r["idle_detail"]
        return funds

    def unmet(self) -> dict[tuple[str, str], Row]:
        return {(r["village_id"], r["need"]): r for r in self.table("unmet_needs.csv")}

    def require_inputs(
        self, case_files: dict[str, str], ruleset_digest: str, spec_digest: str
    ) -> None:
        """Refuse a folder made from other inputs than those given (summary.json hashes)."""
        inputs = self.summary().get("inputs", {})
        if inputs.get("case_files") != case_files:
            raise InputError(
                msg(
                    "the case files differ from those this plan was made from "
                    "(summary.json hashes); explain needs the same case"
                ),
                Location(self.folder),
            )
        if inputs.get("ruleset", {}).get("sha256") != ruleset_digest:
            raise InputError(
                msg(
                    (
                        "the rule set differs from the one this plan was made from; pass it "
                        "with --rules ({value})"
                    ),
                    value=", ".join(inputs.get("ruleset", {}).get("files", [])),
                ),
                Location(self.folder),
            )
        if inputs.get("model_spec", {}).get("sha256") != spec_digest:
            raise InputError(
                msg(
                    (
                        "the model spec differs from the one this plan was made from; pass it "
                        "with --model ({value})"
                    ),
                    value=inputs.get("model_spec", {}).get("file"),
                ),
                Location(self.folder),
            )
