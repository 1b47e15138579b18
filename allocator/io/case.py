"""Loading a case folder (``case.yaml`` + CSV tables) and cross-checking it.

Rows are sorted by id after loading, so the order of rows in the files never
changes the plan.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from allocator.errors import AllocatorError, InputError, Location
from allocator.i18n import Language, msg, validation_text
from allocator.io.csvtable import read_table
from allocator.io.files import read_bytes
from allocator.io.yamlsafe import LocatedYaml, parse_yaml_text
from allocator.schemas import (
    Budget,
    CaseMeta,
    Fund,
    Measure,
    Need,
    PastAmount,
    Project,
    Score,
    Village,
)

if TYPE_CHECKING:
    from allocator.io.horizon import Commitment, Timing
    from allocator.io.households import Households

CASE_FILE = "case.yaml"
#: Projects one listed need may have: its households are counted once over every set of
#: them (allocator.need_overlap), 2^n sets; a need list has two or three at most.
MAX_PROJECTS_PER_NEED = 8
R = TypeVar("R")


@dataclass(frozen=True)
class Case:
    """A validated case: entities sorted by id, with where each row came from."""

    folder: Path
    meta: CaseMeta
    villages: tuple[Village, ...]
    needs: tuple[Need, ...]
    projects: tuple[Project, ...]
    funds: tuple[Fund, ...]
    scores: tuple[Score, ...]
    file_hashes: dict[str, str] = field(default_factory=dict)
    #: the household register (``households.csv``), when the case has one
    households: Households | None = None
    #: household measures the county offers (``measures.csv``), sorted by id
    measures: tuple[Measure, ...] = ()
    #: a multi-year case's money per fund and year (``budgets.csv``), sorted
    budgets: tuple[Budget, ...] = ()
    #: money villages received in past years (``history.csv``), sorted
    history: tuple[PastAmount, ...] = ()
    #: set only on a case unrolled over its horizon (``allocator.io.horizon.unroll``)
    timing: Timing | None = None
    #: money an earlier plan committed to projects it started (``run --previous``)
    commitments: tuple[Commitment, ...] = ()

    def village_index(self) -> dict[str, int]:
        return {v.village_id: i for i, v in enumerate(self.villages)}

    @cached_property
    def project_villages(self) -> tuple[int, ...]:
        """Each project's village, as an index into ``villages`` (computed once: policies
        group projects by village several times a run)."""
        village_of = self.village_index()
        return tuple(village_of[project.village_id] for project in self.projects)

    def fund_index(self) -> dict[str, int]:
        return {f.fund_id: i for i, f in enumerate(self.funds)}

    def project_index(self) -> dict[str, int]:
        return {p.project_id: i for i, p in enumerate(self.projects)}


def validation_error_to_input_error(exc: ValidationError, doc: LocatedYaml) -> InputError:
    """Map a pydantic error on YAML data to a message at the offending line:column."""
    first = exc.errors()[0]
    loc = tuple(first["loc"])
    where = ".".join(str(p) for p in loc) or "(document)"
    if first["type"] == "extra_forbidden":
        return InputError(msg("unknown key '{loc}'", loc=loc[-1]), doc.key_location(loc))
    if first["type"] == "missing":
        return InputError(msg("missing key '{where}'", where=where), doc.location(loc[:-1]))
    found = first.get("input")
    return InputError(
        msg(
            "'{where}': {msg}; found {found!r}",
            where=where,
            msg=validation_text(first),
            found=found,
        ),
        doc.location(loc),
    )


def load_meta(folder: Path) -> tuple[CaseMeta, bytes]:
    path = folder / CASE_FILE
    raw = read_bytes(path)
    text = raw.decode("utf-8-sig", errors="strict") if _is_utf8(raw) else None
    if text is None:
        raise InputError(msg("case.yaml is not valid UTF-8 (re-save it as UTF-8)"), Location(path))
    doc = parse_yaml_text(text, path)
    if not isinstance(doc.data, dict):
        raise InputError(msg("case.yaml must be a mapping of keys"), doc.location(()))
    try:
        return CaseMeta.model_validate(doc.data), raw
    except ValidationError as exc:
        raise validation_error_to_input_error(exc, doc) from None


def case_language(case: Path) -> Language:
    """The language a case folder asks for (``language:`` in case.yaml); English when
    there is none or case.yaml cannot be read (its error is then reported in English)."""
    if not case.is_dir():
        return "en"
    try:
        meta, _ = load_meta(case)
    except AllocatorError:
        return "en"
    return meta.language


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _inside(folder: Path, path: Path) -> None:
    """Refuse a table reached through a link that leaves the case folder."""
    if path.exists() and not path.resolve().is_relative_to(folder.resolve()):
        raise InputError(
            msg("file is a link to a place outside the case folder; copy it into the case"),
            Location(path),
        )


def load_case(folder: Path | str) -> Case:
    """Load and cross-check a case folder (or a case workbook, ``.xlsx``).

    Raises :class:`InputError` naming the file and row and column (or the sheet
    and cell) of the first problem.
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(msg("case folder does not exist"), Location(folder))
    if folder.is_file() and folder.suffix.lower() in (".xlsx", ".xlsm"):
        from allocator.io.workbook import load_workbook_case  # a case as one workbook

        return load_workbook_case(folder)
    if not folder.is_dir():
        raise InputError(
            msg("expected a case folder (or a .xlsx workbook) but found a file"), Location(folder)
        )
    meta, meta_raw = load_meta(folder)
    hashes = {CASE_FILE: hashlib.sha256(meta_raw).hexdigest()}
    extras = meta.extra_columns

    def table(
        name: str, model: type[Any], extra: dict[str, Any] | None, allow_empty: bool
    ) -> list[tuple[int, Any]]:
        path = folder / name
        _inside(folder, path)
        raw = read_bytes(path)
        hashes[name] = hashlib.sha256(raw).hexdigest()
        return read_table(
            path,
            model,
            encoding=meta.encoding,
            extra_columns=extra,
            allow_empty=allow_empty,
            raw=raw,
        )

    villages = table("villages.csv", Village, extras.villages, False)
    needs = table("needs.csv", Need, None, True)
    projects = table("projects.csv", Project, extras.projects, False)
    funds = table("funds.csv", Fund, extras.funds, False)
    scores = table("scores.csv", Score, None, True)

    unique_keys(folder / "villages.csv", villages, lambda v: v.village_id, "village_id")
    unique_keys(folder / "projects.csv", projects, lambda p: p.project_id, "project_id")
    unique_keys(folder / "funds.csv", funds, lambda f: f.fund_id, "fund_id")
    unique_keys(folder / "scores.csv", scores, lambda s: s.village_id, "village_id")
    unique_keys(folder / "needs.csv", needs, lambda n: f"{n.village_id}/{n.need}", "need")

    village_ids = {v.village_id for _, v in villages}
    vocabulary = set(meta.category_vocabulary())
    vocab_hint = (
        "declare it under 'categories' in case.yaml"
        if meta.categories
        else ("add a 'categories' list to case.yaml to use your own vocabulary")
    )
    # Each table's path once (a Path per row and check cost a second at province size).
    paths = {t: folder / f"{t}.csv" for t in ("projects", "needs", "scores", "funds", "villages")}
    for row, project in projects:
        _refers(paths["projects"], row, "village_id", project.village_id, village_ids)
        _category(paths["projects"], row, "category", project.category, vocabulary, vocab_hint)
        if project.poor_households > project.households:
            raise InputError(
                msg(
                    "poor_households ({poor_households}) exceeds households ({households})",
                    poor_households=project.poor_households,
                    households=project.households,
                ),
                Location(paths["projects"], row, None, "poor_households"),
            )
    for row, need in needs:
        _refers(paths["needs"], row, "village_id", need.village_id, village_ids)
        _category(paths["needs"], row, "need", need.need, vocabulary, vocab_hint)
    listed = {(need.village_id, need.need) for _, need in needs}
    per_need: dict[tuple[str, str], int] = defaultdict(int)
    for row, project in projects:
        key = (project.village_id, project.category)
        if key in listed:
            per_need[key] += 1
            if per_need[key] > MAX_PROJECTS_PER_NEED:
                raise InputError(
                    msg(
                        "more than {most} projects address need '{need}' of village "
                        "{village} (a need's households are counted once over every set "
                        "of its projects: 2^n sets)",
                        most=MAX_PROJECTS_PER_NEED,
                        need=project.category,
                        village=project.village_id,
                    ),
                    Location(paths["projects"], row, None, "category"),
                )
    for row, score in scores:
        _refers(paths["scores"], row, "village_id", score.village_id, village_ids)
    for row, fund in funds:
        if not fund.categories:
            raise InputError(
                msg(
                    "fund has an empty earmark: list the categories it may pay for, "
                    "separated by ';'"
                ),
                Location(paths["funds"], row, None, "categories"),
            )
        for category in fund.categories:
            _category(paths["funds"], row, "categories", category, vocabulary, vocab_hint)
    for row, village in villages:
        check_village_columns(paths["villages"], row, village)

    households: Households | None = None
    if (folder / "households.csv").exists():
        from allocator.io.households import load_households  # polars: only for a register

        path = folder / "households.csv"
        _inside(folder, path)
        raw = read_bytes(path)
        hashes[path.name] = hashlib.sha256(raw).hexdigest()
        households = load_households(path, raw, meta.encoding, villages)
    measures: list[tuple[int, Measure]] = []
    if (folder / "measures.csv").exists():
        measures = table("measures.csv", Measure, None, False)
        unique_keys(folder / "measures.csv", measures, lambda m: m.measure_id, "measure_id")
        for row, measure in measures:
            _category(
                folder / "measures.csv", row, "category", measure.category, vocabulary, vocab_hint
            )

    budgets: list[tuple[int, Budget]] = []
    history: list[tuple[int, PastAmount]] = []
    if (
        meta.horizon is not None
        or (folder / "budgets.csv").exists()
        or (folder / "history.csv").exists()
        or any(
            p.duration > 1 or p.earliest_year or p.latest_year or p.continuing for _, p in projects
        )
    ):
        from allocator.io import horizon as multi_year

        years = meta.years()
        multi_year.check_projects(paths["projects"], projects, years)
        for name in ("budgets.csv", "history.csv"):
            if (folder / name).exists() and meta.horizon is None:
                raise InputError(
                    msg(
                        "{name} belongs to a multi-year case: add 'horizon' to case.yaml", name=name
                    ),
                    Location(folder / name),
                )
        if (folder / "budgets.csv").exists():
            budgets = table("budgets.csv", Budget, None, True)
            multi_year.check_budgets(
                folder / "budgets.csv", budgets, {f.fund_id for _, f in funds}, years
            )
        if (folder / "history.csv").exists():
            history = table("history.csv", PastAmount, None, True)
            multi_year.check_history(folder / "history.csv", history, village_ids, years[0])

    return Case(
        folder=folder,
        meta=meta,
        villages=tuple(sorted((v for _, v in villages), key=lambda v: v.village_id)),
        needs=tuple(sorted((n for _, n in needs), key=lambda n: (n.village_id, n.need))),
        projects=tuple(sorted((p for _, p in projects), key=lambda p: p.project_id)),
        funds=tuple(sorted((f for _, f in funds), key=lambda f: f.fund_id)),
        scores=tuple(sorted((s for _, s in scores), key=lambda s: s.village_id)),
        file_hashes=dict(sorted(hashes.items())),
        households=households,
        measures=tuple(sorted((m for _, m in measures), key=lambda m: m.measure_id)),
        budgets=tuple(sorted((b for _, b in budgets), key=lambda b: (b.fund_id, b.year))),
        history=tuple(sorted((h for _, h in history), key=lambda h: (h.village_id, h.year))),
    )


#: how far poverty_rate may be from 100 x poor_population / population (percentage points):
#: a rate rounded to a whole percent is fine, a rate of households or a slipped unit is not
RATE_TOLERANCE = 0.5


def check_village_columns(path: Path, row: int, village: Village) -> None:
    """Columns that can be checked against each other must agree (unit slips, swapped columns)."""

    def refuse(column: str, message: str) -> None:
        raise InputError(message, Location(path, row, None, column))

    if village.poor_households > village.households:
        refuse(
            "poor_households",
            msg(
                "poor_households ({poor_households}) exceeds households ({households})",
                poor_households=village.poor_households,
                households=village.households,
            ),
        )
    if village.households > village.population:
        refuse(
            "households",
            msg(
                "households ({households}) exceeds population ({population})",
                households=village.households,
                population=village.population,
            ),
        )
    if village.poor_population > village.population:
        refuse(
            "poor_population",
            msg(
                "poor_population ({poor_population}) exceeds population ({population})",
                poor_population=village.poor_population,
                population=village.population,
            ),
        )
    if village.poor_population < village.poor_households:
        refuse(
            "poor_population",
            msg(
                (
                    "poor_population ({poor_population}) is below poor_households "
                    "({poor_households}): every poor household has at least one member"
                ),
                poor_population=village.poor_population,
                poor_households=village.poor_households,
            ),
        )
    expected = 100 * village.poor_population / village.population if village.population else 0.0
    if abs(village.poverty_rate - expected) > RATE_TOLERANCE + 1e-9:
        refuse(
            "poverty_rate",
            msg(
                (
                    "poverty_rate {poverty_rate:g} disagrees with 100 x poor_population / "
                    "population = 100 x {poor_population} / {population} = {expected:.1f} "
                    "(percent of people; fix one of the three columns)"
                ),
                poverty_rate=village.poverty_rate,
                poor_population=village.poor_population,
                population=village.population,
                expected=expected,
            ),
        )


def unique_keys(
    path: Path,
    rows: Sequence[tuple[int, R]],
    key: Callable[[R], str],
    column: str,
) -> None:
    """Refuse a key that two rows share, naming the second row and the first."""
    seen: dict[str, int] = {}
    for row, item in rows:
        k = key(item)
        if k in seen:
            raise InputError(
                msg(
                    "duplicate {column} '{k}' (first on row {seen})",
                    column=column,
                    k=k,
                    seen=seen[k],
                ),
                Location(path, row, None, column),
            )
        seen[k] = row


def _refers(path: Path, row: int, column: str, value: str, known: set[str]) -> None:
    if value not in known:
        raise InputError(
            msg("unknown village '{value}' (not in villages.csv)", value=value),
            Location(path, row, None, column),
        )


def _category(
    path: Path, row: int, column: str, value: str, vocabulary: set[str], hint: str
) -> None:
    if value not in vocabulary:
        close = difflib.get_close_matches(value, sorted(vocabulary), n=1)
        suggestion = msg("did you mean '{name}'? otherwise ", name=close[0]) if close else ""
        raise InputError(
            msg(
                "unknown category '{value}' ({suggestion}{hint})",
                value=value,
                suggestion=suggestion,
                hint=hint,
            ),
            Location(path, row, None, column),
        )
