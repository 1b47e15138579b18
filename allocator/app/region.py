"""``allocator run REGION``: county envelopes of a region's funds, then every county's plan.

The envelopes come from price-directed decomposition (``optimize/envelopes.py``);
each county is then solved exactly, as an ordinary run, with its envelope from
each region fund as that fund's budget, so region budgets hold in whole yuan
by construction (the envelopes sum to at most each budget) and every county
plan passes the usual independent check. docs/scaling.md describes the method.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from allocator.app.counties import FinalPlan
from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES, PROJECT_ROOT, default_path
from allocator.i18n import Language
from allocator.io.case import load_case
from allocator.io.region import Region, load_region
from allocator.ledger import split_yuan
from allocator.plan import Progress
from allocator.report.output import json_text, prepare_target, write_files
from allocator.spec import FactorMethod, load_spec

DEFAULT_GAP = 1e-3
#: the factor formula's weights for the comparison (the spec of the status quo)
FACTOR_SPEC = PROJECT_ROOT / "models" / "factor.yaml"


@dataclass(frozen=True)
class RegionResult:
    """A written region plan: envelopes, county plans and how close to the best it is."""

    region: Region
    envelopes: dict[str, dict[str, int]]  # county -> region fund -> yuan
    plans: dict[str, FinalPlan]
    value: float
    bound: float
    gap: float
    rounds: int
    seconds: float
    out: Path
    summary: dict[str, object]


def run_region(
    region_dir: Path | str,
    out: Path | str,
    *,
    rules: Path | str | None = None,
    model: Path | str | None = None,
    gap: float = DEFAULT_GAP,
    time_limit: float | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[Progress], None] | None = None,
    language: Language = "en",
) -> RegionResult:
    """Find county envelopes for the region's funds and write every county's plan.

    Writes ``out/<county>/`` (the usual plan files), ``out/envelopes.csv``
    (fund_id, county, amount) and ``out/summary.json``, all or nothing. With
    ``jobs`` > 1 the counties are spread over that many worker processes, each
    keeping its counties' models for the whole run; with ``engine="dask"`` over
    a Dask cluster (``scheduler``'s, else a local one of ``jobs`` workers). The
    bytes are the same either way.
    """
    from allocator.app.counties import Counties, CountyPool, DaskCounties
    from allocator.optimize.envelopes import find_envelopes, tighter_bound

    started = time.perf_counter()
    out = Path(out)
    prepare_target(out)
    tell = progress or (lambda _: None)
    tell(Progress("load"))
    region = load_region(region_dir)
    model_path = Path(model) if model else default_path(DEFAULT_MODEL, "model spec", "--model")
    rules_path = Path(rules) if rules else default_path(DEFAULT_RULES, "rule set", "--rules")
    spec = load_spec(model_path)
    limit = time_limit if time_limit is not None else spec.spec.solver.time_limit
    names = [name for name, _ in region.counties]
    fund_ids = [f.fund_id for f in region.funds]
    budgets = [f.budget for f in region.funds]
    tell(Progress("build"))
    counties: Counties | CountyPool | DaskCounties
    if engine == "dask":
        counties = DaskCounties(
            region.folder, rules_path, model_path, names, jobs, scheduler, language
        )
    elif jobs > 1:
        counties = CountyPool(region.folder, rules_path, model_path, names, jobs, language)
    else:
        counties = Counties(region.folder, rules_path, model_path, names, language)
    try:

        def price_all(prices: Any, seconds: float) -> list[Any]:
            tell(Progress("envelopes"))
            return counties.price(prices, seconds)

        found = find_envelopes(
            [_Named(n, counties.unit) for n in names], fund_ids, budgets, gap, limit, price_all
        )
        tell(Progress("solve"))
        finals = counties.final(found.amounts)
        # The status quo beside it: envelopes by the factor formula, counties solved alike.
        by_factor = factor_envelopes(region, load_spec(FACTOR_SPEC).spec.factor)
        factor_finals = counties.final(by_factor)
        weights = {n: spec.spec.objective.performance.factor(region.scores.get(n)) for n in names}
        # The region's value: each county's, times its performance factor (1 without
        # the region's scores.csv), as the envelopes were priced.
        value = sum(weights[n] * finals[n].objective for n in names)
        bound = max(found.bound, value)
        if (bound - value) > gap * max(abs(bound), 1e-12):
            # The relaxations' bound is loose where whole projects matter: price whole
            # plans once at the final prices, for the tighter (still certified) bound.
            tell(Progress("bound"))
            answers = counties.price(found.prices, limit, True)
            tightened = tighter_bound(answers, found.prices, budgets, counties.unit)
            bound = max(min(bound, tightened), value)
    finally:
        if not isinstance(counties, Counties):
            counties.close()
    achieved = (bound - value) / max(abs(bound), 1e-12)
    seconds = time.perf_counter() - started
    files: dict[str, str | bytes] = {}
    for name in names:
        for file, content in finals[name].files.items():
            files[f"{name}/{file}"] = content
    files["envelopes.csv"] = envelopes_csv(found.amounts)
    files["compare_factor.csv"] = factor_comparison_csv(
        names, found.amounts, finals, by_factor, factor_finals
    )
    summary: dict[str, object] = {
        "region": region.meta.name,
        "year": region.meta.year,
        "status": "within_gap" if achieved <= gap else "gap_not_reached",
        "objective": value,
        "bound": bound,
        "gap": achieved,
        "requested_gap": gap,
        "master_value": found.master_value,
        "rounds": found.rounds,
        # The one figure that differs run to run (the contract asks for it here);
        # every other byte of the region's output is the same for the same inputs.
        "seconds": round(time.perf_counter() - started, 3),
        "counties": {
            name: {
                "status": finals[name].status,
                "objective": finals[name].objective,
                "performance_factor": weights[name],
                "envelopes": found.amounts[name],
            }
            for name in names
        },
        "factor_envelopes": {
            "objective": sum(f.objective for f in factor_finals.values()),
            "poor_households_reached": sum(f.poor_households for f in factor_finals.values()),
        },
        "funds": {
            f.fund_id: {
                "budget": f.budget,
                "allocated": sum(found.amounts[n][f.fund_id] for n in names),
            }
            for f in region.funds
        },
        "inputs": {
            "region_files": region.file_hashes,
            "ruleset": {"file": rules_path.name, "sha256": _digest(rules_path)},
            "model_spec": {"id": spec.spec.spec, "sha256": spec.digest},
        },
    }
    files["summary.json"] = json_text(summary)
    files["timings.json"] = json_text(
        {
            "seconds": round(seconds, 3),
            "jobs": jobs,
            "round_seconds": [round(x, 3) for x in found.round_seconds],
        }
    )
    write_files(files, out)
    return RegionResult(
        region,
        found.amounts,
        {n: finals[n] for n in names},
        value,
        bound,
        achieved,
        found.rounds,
        seconds,
        out,
        summary,
    )


@dataclass(frozen=True)
class _Named:
    """What the envelope search needs of a county model: its name and money unit."""

    name: str
    unit: int


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def envelopes_csv(amounts: dict[str, dict[str, int]]) -> str:
    """``fund_id,county,amount``: each county's envelope from each region fund."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["fund_id", "county", "amount"])
    funds = sorted({f for per in amounts.values() for f in per})
    for fund_id in funds:
        for county in sorted(amounts):
            writer.writerow([fund_id, county, amounts[county][fund_id]])
    return buffer.getvalue()


def factor_envelopes(region: Region, method: FactorMethod) -> dict[str, dict[str, int]]:
    """Envelopes by the factor formula: each region fund split among the counties by
    their poor population, poor villages and income gap (the spec's weights)."""
    names = [name for name, _ in region.counties]
    factors = np.zeros((len(names), 3))
    for i, (_, folder) in enumerate(region.counties):
        for v in load_case(folder).villages:
            gap = max(0, method.income_reference - v.per_capita_income) * v.population
            factors[i] += (v.poor_population, 1.0 if v.poor_village else 0.0, gap)
    shares = np.zeros(len(names))
    for k, name in enumerate(("poor_population", "poor_villages", "income_gap")):
        weight = method.weights.get(name, 0.0)  # type: ignore[call-overload]
        if weight > 0 and factors[:, k].sum() > 0:
            shares += weight * factors[:, k] / factors[:, k].sum()
    result: dict[str, dict[str, int]] = {n: {} for n in names}
    for fund in region.funds:
        split = split_yuan(fund.budget, shares.tolist())
        for name, amount in zip(names, split, strict=True):
            result[name][fund.fund_id] = amount
    return result


def factor_comparison_csv(
    names: list[str],
    optimal: dict[str, dict[str, int]],
    finals: dict[str, FinalPlan],
    factor: dict[str, dict[str, int]],
    factor_finals: dict[str, FinalPlan],
) -> str:
    """Per county: envelopes, value and poor households reached, optimal against factor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "county",
            "envelope",
            "envelope_factor",
            "value",
            "value_factor",
            "value_gained",
            "poor_households_reached",
            "poor_households_reached_factor",
            "poor_households_gained",
        ]
    )
    for name in names:
        mine, theirs = finals[name], factor_finals[name]
        writer.writerow(
            [
                name,
                sum(optimal[name].values()),
                sum(factor[name].values()),
                f"{mine.objective:.6g}",
                f"{theirs.objective:.6g}",
                f"{mine.objective - theirs.objective:.6g}",
                mine.poor_households,
                theirs.poor_households,
                mine.poor_households - theirs.poor_households,
            ]
        )
    return buffer.getvalue()
