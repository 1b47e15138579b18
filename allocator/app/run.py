"""One-call entry points used by the CLI and by tools embedding allocator."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from allocator.app.collection import collect_the_solve
from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES, default_path
from allocator.app.years import YearPlan, allocate_years, replan_case
from allocator.audit.prechecks import domain_prechecks, domain_shortfalls
from allocator.errors import InfeasibleError, InputError
from allocator.i18n import Language, msg
from allocator.io.case import Case, load_case
from allocator.plan import Plan, Progress
from allocator.report.output import plan_files, prepare_target, timings_text, write_files
from allocator.report.tables import Report, build_report, village_rows
from allocator.report.years import year_files, years_summary
from allocator.rules.eligibility import Eligibility, evaluate_eligibility
from allocator.rules.ruleset import RuleSet, load_ruleset, rule_schema
from allocator.spec import LoadedSpec, check_spec_against_case, load_spec
from allocator.valuation import plan_households, project_values, value_warnings


@dataclass(frozen=True)
class Inputs:
    """A case with the rule set and model spec to apply to it."""

    case: Case
    ruleset: RuleSet
    spec: LoadedSpec
    load_seconds: float


@dataclass(frozen=True)
class RunResult:
    """A written plan: the plan, its report and the folder it was written to."""

    plan: Plan
    report: Report
    out: Path
    language: Language = "en"
    #: a multi-year plan's money by year (None for a one-year case)
    years: YearPlan | None = None


def load_inputs(
    case_dir: Path | str,
    rules: Path | str | None = None,
    model: Path | str | None = None,
    time_limit: float | None = None,
) -> Inputs:
    """Load and validate a case, a rule set (default: baseline) and a model spec (default).

    ``time_limit`` (seconds) replaces the spec's ``solver.time_limit``; the
    spec file and its digest are unchanged.
    """
    started = time.perf_counter()
    case = load_case(case_dir)
    rules_path = Path(rules) if rules else default_path(DEFAULT_RULES, "rule set", "--rules")
    model_path = Path(model) if model else default_path(DEFAULT_MODEL, "model spec", "--model")
    ruleset = load_ruleset(rules_path, rule_schema(case.meta))
    spec = load_spec(model_path)
    if time_limit is not None:
        spec = with_time_limit(spec, time_limit)
    check_spec_against_case(spec, case.meta.category_vocabulary())
    return Inputs(case, ruleset, spec, time.perf_counter() - started)


def with_time_limit(spec: LoadedSpec, seconds: float) -> LoadedSpec:
    """``spec`` with its solver time limit replaced (bounded as in a spec file)."""
    if not 0 < seconds <= 86400:
        raise InputError(
            msg(
                "time limit must be more than 0 and at most 86400 s, not {seconds}", seconds=seconds
            )
        )
    solver = spec.spec.solver.model_copy(update={"time_limit": float(seconds)})
    return replace(spec, spec=spec.spec.model_copy(update={"solver": solver}))


@dataclass(frozen=True)
class CheckResult:
    """What ``allocator check`` found: eligibility, and warnings for people."""

    eligibility: Eligibility
    warnings: list[str]


def check_inputs(inputs: Inputs) -> CheckResult:
    """Validate without solving: evaluate eligibility and run the cheap policy pre-checks.

    Raises :class:`InfeasibleError` naming the policies arithmetic proves impossible.
    """
    eligibility = evaluate_eligibility(inputs.case, inputs.ruleset)
    policies = inputs.spec.spec.policies
    households = plan_households(inputs.case, inputs.ruleset, inputs.spec.spec)
    conflicts = domain_prechecks(inputs.case, eligibility.eligible, policies, households)
    if conflicts:
        raise InfeasibleError(
            msg(
                "the policies of the model spec cannot all hold ({n_conflicts} conflict(s))",
                n_conflicts=len(conflicts),
            ),
            [c.text() for c in conflicts],
        )
    values = project_values(inputs.case, inputs.spec.spec.objective)
    warnings = value_warnings(inputs.case, values)
    warnings += domain_shortfalls(inputs.case, eligibility.eligible, policies, households)
    return CheckResult(eligibility, warnings)


def run(
    case_dir: Path | str,
    out: Path | str,
    *,
    rules: Path | str | None = None,
    model: Path | str | None = None,
    progress: Callable[[Progress], None] | None = None,
    relax: bool = False,
    excel_csv: bool = False,
    xlsx: bool = False,
    notice: bool = False,
    language: Language | None = None,
    time_limit: float | None = None,
    previous: Path | str | None = None,
) -> RunResult:
    """Load, allocate, check and write a plan to ``out`` (atomically).

    With ``relax``, policies that cannot all hold give the best plan violating
    the fewest of them (listed in the plan and summary.json) instead of an error.
    With ``excel_csv``, CSV files start with a UTF-8 byte-order mark, so Excel
    on Chinese Windows opens them directly; with ``xlsx``, the plan is also
    written as one workbook, ``plan.xlsx``; with ``notice``, a printable public
    notice per township under ``notice/``; ``time_limit`` (seconds) replaces
    the model spec's solver time limit. ``previous`` (a multi-year case only) is
    an earlier plan's folder: the projects it started in its first year keep their
    money and years, and only money not yet committed is decided again.
    """
    out = Path(out)
    prepare_target(out)  # refuse a bad output folder before any solving
    tell = progress or (lambda _: None)
    tell(Progress("load"))
    from allocator.optimize.pipeline import allocate  # the solver stack, only when solving

    inputs = load_inputs(case_dir, rules, model, time_limit)
    years: YearPlan | None = None
    if previous is not None:
        inputs = replace(inputs, case=replan_case(inputs.case, Path(previous)))
    if inputs.case.meta.horizon is not None:
        years = allocate_years(
            inputs.case, inputs.ruleset, inputs.spec, progress=progress, relax=relax
        )
        plan = years.plan
    else:
        plan = allocate(inputs.case, inputs.ruleset, inputs.spec, progress=progress, relax=relax)
    plan.timings = {"load": inputs.load_seconds, **plan.timings}
    tell(Progress("write"))
    started = time.perf_counter()
    collect_the_solve()
    report = build_report(plan)
    lang = language or inputs.case.meta.language
    if years is not None:
        report.summary["years"] = years_summary(years.accounts, years.rows)
    files: dict[str, str | bytes] = dict(
        plan_files(plan, report, excel_csv=excel_csv, language=lang)
    )
    if years is not None:
        files.update(
            year_files(
                inputs.case,
                years.rows,
                years.accounts,
                years.unrolled,
                village_rows(plan, report.unmet),
                excel_csv=excel_csv,
            )
        )
    if xlsx:
        from allocator.report.plan_workbook import plan_workbook

        files["plan.xlsx"] = plan_workbook(plan, report, lang)
    if notice:
        from allocator.report.html import township_notices

        files.update(township_notices(plan, lang))
    plan.timings["write"] = time.perf_counter() - started  # composing; the rename is instant
    files["timings.json"] = timings_text(plan.timings)
    write_files(files, out)
    return RunResult(plan, report, out, lang, years)
