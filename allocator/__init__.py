"""allocator: split integrated public funds across villages and projects.

Library use mirrors the CLI, step by step, with no printing::

    from allocator import load_case, load_ruleset, load_spec, rule_schema, allocate, write_plan

    case = load_case("cases/tiny")
    rules = load_ruleset("rules/baseline.yaml", rule_schema(case.meta))
    spec = load_spec("models/default.yaml")
    plan = allocate(case, rules, spec)        # solved, rounded to yuan, checked
    write_plan(plan, "out/tiny")              # atomic: all files or none

or in one call: ``allocator.run("cases/tiny", "out/tiny")``.

Names are imported on first use, so ``import allocator`` stays light and the
solver stack (Pyomo, SciPy, highspy) loads only when something solves.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from allocator.i18n import msg

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Allocation": "allocator.ledger",
    "AllocatorError": "allocator.errors",
    "Binding": "allocator.plan",
    "Case": "allocator.io.case",
    "CaseOutcome": "allocator.app.batch",
    "CheckResult": "allocator.app.run",
    "Conflict": "allocator.policies.base",
    "Eligibility": "allocator.rules.eligibility",
    "InfeasibleError": "allocator.errors",
    "InputError": "allocator.errors",
    "Inputs": "allocator.app.run",
    "LoadedSpec": "allocator.spec",
    "Location": "allocator.errors",
    "ModelSpec": "allocator.spec",
    "OutputError": "allocator.errors",
    "Plan": "allocator.plan",
    "PlanCheckError": "allocator.errors",
    "Progress": "allocator.plan",
    "Report": "allocator.report.tables",
    "RuleError": "allocator.errors",
    "RuleSet": "allocator.rules.ruleset",
    "RunResult": "allocator.app.run",
    "Scenario": "allocator.app.compare",
    "SolveStatus": "allocator.status",
    "SolverError": "allocator.errors",
    "SpecError": "allocator.errors",
    "Verification": "allocator.audit.verify",
    "allocate": "allocator.optimize.pipeline",
    "build_report": "allocator.report.tables",
    "check_inputs": "allocator.app.run",
    "check_plan": "allocator.audit.check",
    "compare": "allocator.app.compare",
    "evaluate_eligibility": "allocator.rules.eligibility",
    "explain_fund": "allocator.report.explain",
    "explain_project": "allocator.report.explain",
    "explain_village": "allocator.report.explain",
    "load_case": "allocator.io.case",
    "load_inputs": "allocator.app.run",
    "load_ruleset": "allocator.rules.ruleset",
    "load_run": "allocator.report.explain",
    "load_spec": "allocator.spec",
    "rule_schema": "allocator.rules.ruleset",
    "run": "allocator.app.run",
    "run_many": "allocator.app.batch",
    "verify_plan": "allocator.audit.verify",
    "write_plan": "allocator.report.output",
}

__all__ = [
    "Allocation",
    "AllocatorError",
    "Binding",
    "Case",
    "CaseOutcome",
    "CheckResult",
    "Conflict",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(msg("module 'allocator' has no attribute {name!r}", name=name))
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from allocator.app.batch import CaseOutcome, run_many
    from allocator.app.compare import Scenario, compare
    from allocator.app.run import CheckResult, Inputs, RunResult, check_inputs, load_inputs, run
    from allocator.audit.check import check_plan
    from allocator.audit.verify import Verification, verify_plan
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
    from allocator.io.case import Case, load_case
    from allocator.ledger import Allocation
    from allocator.optimize.pipeline import allocate
    from allocator.plan import Binding, Plan, Progress
    from allocator.policies.base import Conflict
    from allocator.report.explain import explain_fund, explain_project, explain_village, load_run
    from allocator.report.output import write_plan
    from allocator.report.tables import Report, build_report
    from allocator.rules.eligibility import Eligibility, evaluate_eligibility
    from allocator.rules.ruleset import RuleSet, load_ruleset, rule_schema
    from allocator.spec import LoadedSpec, ModelSpec, load_spec
    from allocator.status import SolveStatus
