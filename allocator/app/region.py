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

from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES, default_path
from allocator.i18n import Language
from allocator.io.case import load_case
from allocator.io.region import Region, load_region, with_region_funds
from allocator.plan import Plan, Progress
from allocator.report.output import json_text, plan_files, prepare_target, write_files
from allocator.report.tables import build_report
from allocator.rules.ruleset import load_ruleset, rule_schema
from allocator.spec import check_spec_against_case, load_spec

DEFAULT_GAP = 1e-3


@dataclass(frozen=True)
class RegionResult:
    """A written region plan: envelopes, county plans and how close to the best it is."""

    region: Region
    envelopes: dict[str, dict[str, int]]  # county -> region fund -> yuan
    plans: dict[str, Plan]
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
    progress: Callable[[Progress], None] | None = None,
    language: Language = "en",
) -> RegionResult:
    """Find county envelopes for the region's funds and write every county's plan.

    Writes ``out/<county>/`` (the usual plan files), ``out/envelopes.csv``
    (fund_id, county, amount) and ``out/summary.json``, all or nothing.
    """
    from allocator.optimize.envelopes import (
        Priced,
        Vector,
        county_model,
        find_envelopes,
        price,
        tighter_bound,
    )
    from allocator.optimize.pipeline import allocate

    started = time.perf_counter()
    out = Path(out)
    prepare_target(out)
    tell = progress or (lambda _: None)
    tell(Progress("load"))
    region = load_region(region_dir)
    spec = load_spec(Path(model) if model else default_path(DEFAULT_MODEL, "model spec", "--model"))
    rules_path = Path(rules) if rules else default_path(DEFAULT_RULES, "rule set", "--rules")
    limit = time_limit if time_limit is not None else spec.spec.solver.time_limit
    cases, rulesets = {}, {}
    for name, folder in region.counties:
        case = with_region_funds(load_case(folder), region)
        check_spec_against_case(spec, case.meta.category_vocabulary())
        cases[name] = case
        rulesets[name] = load_ruleset(rules_path, rule_schema(case.meta))
    fund_ids = [f.fund_id for f in region.funds]
    tell(Progress("build"))
    models = [county_model(n, cases[n], rulesets[n], spec, fund_ids) for n, _ in region.counties]

    def price_all(prices: Vector, seconds: float) -> list[Priced]:
        tell(Progress("envelopes"))
        return [price(m, prices, spec, seconds) for m in models]

    found = find_envelopes(
        models, fund_ids, [f.budget for f in region.funds], gap, limit, price_all
    )
    tell(Progress("solve"))
    plans: dict[str, Plan] = {}
    files: dict[str, str | bytes] = {}
    for name, folder in region.counties:
        case = with_region_funds(load_case(folder), region, found.amounts[name])
        plan = allocate(case, rulesets[name], spec)
        plans[name] = plan
        report = build_report(plan)
        for file, content in plan_files(plan, report, language=language).items():
            files[f"{name}/{file}"] = content
    value = sum(p.objective for p in plans.values())
    bound = max(found.bound, value)
    if (bound - value) > gap * max(abs(bound), 1e-12):
        # The relaxations' bound is loose where whole projects matter: price whole
        # plans once at the final prices, for the tighter (still certified) bound.
        tell(Progress("bound"))
        answers = [price(m, found.prices, spec, limit, whole=True) for m in models]
        unit = models[0].unit if models else 1
        tightened = tighter_bound(answers, found.prices, [f.budget for f in region.funds], unit)
        bound = max(min(bound, tightened), value)
    achieved = (bound - value) / max(abs(bound), 1e-12)
    seconds = time.perf_counter() - started
    files["envelopes.csv"] = envelopes_csv(found.amounts)
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
        "seconds": round(seconds, 3),
        "round_seconds": [round(s, 3) for s in found.round_seconds],
        "counties": {
            name: {
                "status": plans[name].status.value,
                "objective": plans[name].objective,
                "envelopes": found.amounts[name],
            }
            for name, _ in region.counties
        },
        "funds": {
            f.fund_id: {
                "budget": f.budget,
                "allocated": sum(found.amounts[n][f.fund_id] for n, _ in region.counties),
            }
            for f in region.funds
        },
        "inputs": {
            "region_files": region.file_hashes,
            "ruleset": {"sha256": next(iter(rulesets.values())).digest} if rulesets else {},
            "model_spec": {"id": spec.spec.spec, "sha256": spec.digest},
        },
    }
    # Seconds differ run to run; everything else is the same bytes for the same inputs.
    deterministic = {k: v for k, v in summary.items() if k not in ("seconds", "round_seconds")}
    files["summary.json"] = json_text(deterministic)
    files["timings.json"] = json_text(
        {"seconds": summary["seconds"], "round_seconds": summary["round_seconds"]}
    )
    write_files(files, out)
    return RegionResult(
        region,
        found.amounts,
        plans,
        value,
        bound,
        achieved,
        found.rounds,
        seconds,
        out,
        deterministic,
    )


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
