"""The household register (``households.csv``) as columns, and its cross-checks.

A province registers millions of households: one pydantic object per
household would cost tens of seconds and gigabytes, so the register is read
by the column reader (``frames.py``, validated against the
:class:`~allocator.schemas.Household` schema, with the row reader's messages)
and kept as numpy columns sorted by household_id (row order never changes a
plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import numpy as np
import numpy.typing as npt

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.schemas import Cause, Household, Village

if TYPE_CHECKING:
    from allocator.io.frames import Frame

CAUSES: tuple[str, ...] = get_args(Cause)
NO_YEAR = 0


@dataclass(frozen=True)
class Households:
    """The register as columns, sorted by household_id; ``village`` indexes the case's villages."""

    ids: npt.NDArray[np.str_]
    village: npt.NDArray[np.int32]
    members: npt.NDArray[np.int32]
    poor: npt.NDArray[np.bool_]
    exit_year: npt.NDArray[np.int32]  # NO_YEAR where empty
    cause: npt.NDArray[np.int8]  # index into CAUSES, -1 where empty
    safe_housing: npt.NDArray[np.bool_]
    safe_water: npt.NDArray[np.bool_]
    income: npt.NDArray[np.int64]
    labour: npt.NDArray[np.int32]
    rows: npt.NDArray[np.int32]  # households.csv row of each household

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, household_id: str) -> int:
        """Position of a household (raises KeyError for an unknown id)."""
        i = int(np.searchsorted(self.ids, household_id))
        if i >= len(self.ids) or self.ids[i] != household_id:
            raise KeyError(household_id)
        return i


def load_households(
    path: Path, raw: bytes, encoding: str, villages: Sequence[tuple[int, Village]]
) -> Households:
    """Read, validate and cross-check ``households.csv`` against villages.csv.

    ``villages`` are (villages.csv row, village) pairs in file order.
    """
    import polars as pl  # only a case with a register needs the columnar reader

    from allocator.io.frames import read_frame

    table = read_frame(path, Household, encoding=encoding, raw=raw)
    col = table.columns
    ids = col["household_id"].to_numpy().astype(np.str_)
    _unique(path, table, ids)
    village_index = {v.village_id: i for i, (_, v) in enumerate(sorted(villages, key=_by_id))}
    known = pl.Series(list(village_index), dtype=pl.String)
    listed = col["village_id"]
    unknown = np.flatnonzero(~listed.is_in(known.implode()).to_numpy())
    if len(unknown):
        raise InputError(
            msg("unknown village '{listed}' (not in villages.csv)", listed=listed[int(unknown[0])]),
            Location(path, int(table.rows[unknown[0]]), None, "village_id"),
        )
    village = (
        listed.replace_strict(village_index, return_dtype=pl.Int32).to_numpy().astype(np.int32)
    )
    poor = col["poor"].to_numpy().astype(bool)
    exit_year = col["exit_year"].fill_null(NO_YEAR).to_numpy().astype(np.int32)
    missing_year = poor & (exit_year == NO_YEAR)
    if missing_year.any():
        row = int(table.rows[int(np.flatnonzero(missing_year)[0])])
        raise InputError(
            msg("a registered poor household needs its planned exit_year"),
            Location(path, row, None, "exit_year"),
        )
    cause_code = {c: i for i, c in enumerate(CAUSES)}
    cause = col["cause"].replace_strict(cause_code, default=-1, return_dtype=pl.Int8).to_numpy()
    _counts_agree(path, sorted(villages, key=_by_id), village, poor)
    order = np.argsort(ids, kind="stable")
    return Households(
        ids=ids[order],
        village=village[order],
        members=col["members"].to_numpy().astype(np.int32)[order],
        poor=poor[order],
        exit_year=exit_year[order],
        cause=cause.astype(np.int8)[order],
        safe_housing=col["safe_housing"].to_numpy().astype(bool)[order],
        safe_water=col["safe_water"].to_numpy().astype(bool)[order],
        income=col["income"].to_numpy().astype(np.int64)[order],
        labour=col["labour"].to_numpy().astype(np.int32)[order],
        rows=table.rows.astype(np.int32)[order],
    )


def _by_id(item: tuple[int, Village]) -> str:
    return item[1].village_id


def _unique(path: Path, table: Frame, ids: npt.NDArray[np.str_]) -> None:
    order = np.argsort(ids, kind="stable")
    ranked = ids[order]
    repeated = np.flatnonzero(ranked[1:] == ranked[:-1])
    if not len(repeated):
        return
    # Report the repeat that comes first in the file, naming the row it repeats.
    pairs = [(int(order[k + 1]), int(order[k])) for k in repeated]
    later, first = min(pairs, key=lambda pair: int(table.rows[pair[0]]))
    raise InputError(
        msg(
            "duplicate household_id '{ids}' (first on row {rows})",
            ids=ids[later],
            rows=int(table.rows[first]),
        ),
        Location(path, int(table.rows[later]), None, "household_id"),
    )


def _counts_agree(
    path: Path,
    villages: Sequence[tuple[int, Village]],
    village: npt.NDArray[np.int32],
    poor: npt.NDArray[np.bool_],
) -> None:
    """Per village, the register's households and poor households match villages.csv."""
    listed = np.bincount(village, minlength=len(villages))
    listed_poor = np.bincount(village, weights=poor, minlength=len(villages)).astype(np.int64)
    for v, (row, item) in enumerate(villages):
        if listed[v] != item.households or listed_poor[v] != item.poor_households:
            column = "households" if listed[v] != item.households else "poor_households"
            raise InputError(
                msg(
                    (
                        "village {village_id}: {name} lists {listed} households ({listed_poor} "
                        "registered poor) but villages.csv says {households} households "
                        "({poor_households} registered poor)"
                    ),
                    village_id=item.village_id,
                    name=path.name,
                    listed=listed[v],
                    listed_poor=listed_poor[v],
                    households=item.households,
                    poor_households=item.poor_households,
                ),
                Location(path.parent / "villages.csv", row, None, column),
            )


#: What every class distinguishes, whatever the rules read: a household's cost
#: (members), whether it is on the register and when it exits, and the two
#: standards the guarantees check.
CLASS_BASE = ("members", "poor", "exit_year", "safe_housing", "safe_water")
#: household attributes a class can be keyed on (``household_id``: one class each)
CLASS_ATTRIBUTES = (*CLASS_BASE, "cause", "income", "labour", "household_id")


@dataclass(frozen=True)
class HouseholdClasses:
    """Households of one village identical in every attribute rules, costs and values read.

    Classes are sorted by (village, attributes); ``of_household`` maps each
    household of the register to its class, so who in a class gets a measure
    can be decided after solving.
    """

    attributes: tuple[str, ...]
    village: npt.NDArray[np.int32]
    values: dict[str, npt.NDArray[Any]]
    count: npt.NDArray[np.int64]
    of_household: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.count)


def household_classes(
    register: Households,
    read_by_rules: Sequence[str],
    place: npt.NDArray[np.int64] | None = None,
    subset: npt.NDArray[np.bool_] | None = None,
) -> HouseholdClasses:
    """Group the register into classes keyed on the place, CLASS_BASE and what rules read.

    ``place`` (one code per household; by default its village) is what of the
    village a class keys on: households whose villages are alike in everything
    the rules and values read may share a class across villages. ``subset``
    limits the classes to those households (``of_household`` is -1 elsewhere);
    ``village`` is then a representative household's village.
    """
    unknown = [a for a in read_by_rules if a not in CLASS_ATTRIBUTES and a != "village_id"]
    if unknown:
        raise ValueError(msg("household attributes {unknown} cannot key a class", unknown=unknown))
    attributes = tuple(
        dict.fromkeys([*CLASS_BASE, *(a for a in read_by_rules if a in CLASS_ATTRIBUTES)])
    )
    chosen = np.arange(len(register)) if subset is None else np.flatnonzero(subset)
    where = register.village.astype(np.int64) if place is None else place.astype(np.int64)
    if "household_id" in attributes or "village_id" in read_by_rules:
        where = register.village.astype(np.int64)
    if "household_id" in attributes:
        keys = [where[chosen], chosen.astype(np.int64)]
    else:
        keys = [where[chosen]]
        keys += [_column(register, a)[chosen].astype(np.int64) for a in attributes]
    if not len(chosen):
        keys = [np.zeros(0, dtype=np.int64)]
    stacked = np.stack(keys, axis=1)
    _, first, inverse, count = np.unique(
        stacked, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    first = chosen[first]
    of_household = np.full(len(register), -1, dtype=np.int64)
    of_household[chosen] = inverse.reshape(-1)
    values = {a: _column(register, a)[first] for a in attributes}
    return HouseholdClasses(
        attributes=attributes,
        village=register.village[first].astype(np.int32),
        values=values,
        count=count.astype(np.int64),
        of_household=of_household,
    )


def _column(register: Households, attribute: str) -> npt.NDArray[Any]:
    return register.ids if attribute == "household_id" else getattr(register, attribute)
