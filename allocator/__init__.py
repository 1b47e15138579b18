"""allocator: split integrated public funds across villages and projects.

Library use mirrors the CLI, step by step, with no printing::

    from allocator import load_case, load_ruleset, load_spec, rule_schema, allocate, write_plan

    case = load_case("cases/tiny")
    rules = load_ruleset("rules/baseline.yaml", rule_schema(case.meta))
    spec = load_spec("models/default.yaml")
    plan = allocate(case, rules, spec)        # solved, rounded to yuan, checked
    write_plan(plan, "out/tiny")              # atomic: all files or none

or in one call: ``allocator.run("cases/tiny", "out/tiny")``.
"""

from __future__ import annotations

from allocator.batch import CaseOutcome, run_many
from allocator.case import Case, load_case
from allocator.check import check_plan
from allocator.compare import Scenario, compare
from allocator.errors import (
    AllocatorError,
    InfeasibleError,
    InputError,
    Location,
    OutputError,
    PlanCheckError,
    RuleError,
    SolverError,
    SpecError,
)
from allocator.explain import explain_fund, explain_project, explain_village, load_run
from allocator.output import write_plan
from allocator.pipeline import Plan, allocate
from allocator.report import Report, build_report
from allocator.rounding import Allocation
from allocator.rules.eligibility import Eligibility, evaluate_eligibility
from allocator.rules.ruleset import RuleSet, load_ruleset, rule_schema
from allocator.runner import Inputs, RunResult, check_inputs, load_inputs, run
from allocator.solve import Progress
from allocator.spec import LoadedSpec, ModelSpec, load_spec
from allocator.status import SolveStatus
from allocator.verify import Verification, verify_plan

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "AllocatorError",
    "Case",
    "CaseOutcome",
    "Eligibility",
    "InfeasibleError",
    "InputError",
    "Inputs",
    "LoadedSpec",
    "Location",
    "ModelSpec",
    "OutputError",
    "Plan",
    "PlanCheckError",
    "Progress",
    "Report",
    "RuleError",
    "RuleSet",
    "RunResult",
    "Scenario",
    "SolveStatus",
    "SolverError",
    "SpecError",
    "Verification",
    "allocate",
    "build_report",
    "check_inputs",
    "check_plan",
    "compare",
    "evaluate_eligibility",
    "explain_fund",
    "explain_project",
    "explain_village",
    "load_case",
    "load_inputs",
    "load_ruleset",
    "load_run",
    "load_spec",
    "rule_schema",
    "run",
    "run_many",
    "verify_plan",
    "write_plan",
]
