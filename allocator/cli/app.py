"""The ``allocator`` command line: the only package that prints or exits.

Imports are lazy: ``allocator --help``, ``check``, ``verify``, ``explain`` and
``test`` never load the solver stack (Pyomo, SciPy, highspy).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from allocator.errors import AllocatorError, InfeasibleError, InputError, PlanCheckError

if TYPE_CHECKING:
    from rich.console import Console

    from allocator.app.run import RunResult
    from allocator.i18n import Language
    from allocator.plan import Progress

app = typer.Typer(
    name="allocator",
    help="Split integrated public funds across villages and projects: rules, optimization, "
    "exact and explained plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cache
def out_console() -> Console:
    from rich.console import Console

    # Piped output (files, CI logs) gets a wide fixed width instead of rich's 80 columns.
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


@cache
def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _json_text(data: Any) -> str:
    from allocator.report.output import json_text

    return json_text(data)


CaseArg = Annotated[
    Path,
    typer.Argument(
        help="Case folder (case.yaml and CSV tables) or case workbook (.xlsx).",
        show_default=False,
    ),
]
RulesOpt = Annotated[
    Path | None, typer.Option("--rules", help="Rule set file [default: rules/baseline.yaml].")
]
ModelOpt = Annotated[
    Path | None, typer.Option("--model", help="Model spec file [default: models/default.yaml].")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")]


class Lang(StrEnum):
    """Languages of what people read (allocator.i18n)."""

    en = "en"
    zh = "zh"


class Engine(StrEnum):
    """Where a region's counties are solved."""

    local = "local"
    dask = "dask"


TokensOpt = Annotated[
    Path | None, typer.Option("--tokens", help="Token file [default: DATA/tokens.json].")
]
LangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Language of what people read [default: the case's 'language', else en].",
    ),
]


def _say_error(text: str) -> None:
    # Plain text, never wrapped: error lines are read by people and grepped by scripts.
    typer.echo(text, err=True)


@contextmanager
def failures(debug: bool, lang: Language = "en") -> Iterator[None]:
    """The one error handler of every command: a message, an exit code, no traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except (AllocatorError, KeyboardInterrupt, Exception) as exc:
        _fail(exc, debug, lang)


def _fail(exc: BaseException, debug: bool, lang: Language) -> None:
    from allocator.i18n import say, t

    if debug:
        _say_error(traceback.format_exc())
    if isinstance(exc, KeyboardInterrupt):
        _say_error(t("interrupted", lang))
        raise typer.Exit(130)
    if isinstance(exc, AllocatorError):
        _say_error(t("error", lang, text=exc.say(lang)))
        if isinstance(exc, PlanCheckError):
            for violation in exc.violations[:20]:
                _say_error(f"  - {say(violation, lang)}")
        if isinstance(exc, InfeasibleError) and exc.conflicts:
            for conflict in exc.conflicts:
                _say_error(f"  - {say(conflict, lang)}")
        raise typer.Exit(exc.exit_code)
    _say_error(t("internal", lang, text=f"{type(exc).__name__}: {exc}"))
    raise typer.Exit(1)


def _language(lang: Lang | None, case: Path | None = None) -> Language:
    """The language people read: --lang, else the case's ``language:``, else English."""
    if lang is not None:
        return lang.value
    if case is not None:
        from allocator.io.case import case_language

        return case_language(case)
    return "en"


@contextmanager
def _progress(quiet: bool, lang: Language = "en") -> Iterator[Callable[[Progress], None]]:
    if quiet or not err_console().is_terminal:
        yield lambda _: None
        return
    from rich.status import Status

    from allocator.i18n import TEXT, t

    started = time.perf_counter()
    with Status(t("phase.starting", lang), console=err_console()) as status:

        def update(event: Progress) -> None:
            elapsed = time.perf_counter() - started
            known = f"phase.{event.phase}" in TEXT
            phase = t(f"phase.{event.phase}", lang) if known else event.phase
            text = f"{phase}  [{elapsed:5.1f} s]"
            if event.incumbent is not None:
                text += t(
                    "phase.search",
                    lang,
                    incumbent=f"{event.incumbent:,.1f}",
                    bound="-" if event.bound is None else f"{event.bound:,.1f}",
                    gap="-" if event.gap is None else f"{event.gap:.2%}",
                )
            status.update(text)

        yield update


#: statuses with a note for people (allocator.i18n: note.<status>), and all with names
STATUS_NOTES = ("time_limit", "heuristic")
STATUS_NAMES = ("optimal", "time_limit", "heuristic")


def _rule_count(ruleset: Any, lang: Language = "en") -> str:
    """``10 rules: 7 for projects, 7 for household measures``."""
    from allocator.i18n import t

    total = len(ruleset.rules)
    projects, households = len(ruleset.project_rules), len(ruleset.household_rules)
    if households == projects == total:
        return t("check.rules", lang, total=total)
    return t("check.rules_split", lang, total=total, projects=projects, households=households)


def _case_name(case: Path) -> str:
    """A case's name for its default output folder: the folder's, or the workbook's stem."""
    resolved = case.resolve()
    return resolved.stem if resolved.suffix.lower() in (".xlsx", ".xlsm") else resolved.name


def _amount(x: float) -> str:
    """One decimal with thousands separators; never "-0.0" (solver noise around zero)."""
    text = f"{x:,.1f}"
    return "0.0" if text == "-0.0" else text


def _yuan(n: int) -> str:
    return f"{n:,}"


def _summary_tables(result: RunResult) -> None:
    from rich.table import Table

    from allocator.i18n import column as title
    from allocator.i18n import say, t

    lang = result.language
    plan, report, out = result.plan, result.report, result.out
    summary = report.summary
    totals = summary["totals"]
    status = summary["status"]
    style = "green" if status == "optimal" else "yellow"
    gap = summary["gap"]
    bound = summary["bound"]
    shown_status = t(f"status.{status}", lang) if status in STATUS_NAMES else status
    out_console().print(
        t(
            "headline",
            lang,
            name=f"[bold]{plan.case.meta.name}[/bold]",
            year="-".join(
                map(str, sorted({plan.case.meta.years()[0], plan.case.meta.years()[-1]}))
            ),
            status=f"[{style}]{shown_status}[/{style}]",
            value=_amount(summary["value"]),
            bound="-" if bound is None else _amount(bound),
            gap="-" if gap is None else f"{gap:.4%}",
        )
    )
    if plan.violated:
        out_console().print(f"[bold red]{t('relaxed', lang, n=len(plan.violated))}[/bold red]")
        for conflict in plan.violated:
            out_console().print(
                f"  [red]- {say(conflict.text(), lang)}[/red]", markup=True, highlight=False
            )
    if status in STATUS_NOTES:
        out_console().print(f"[yellow]{t(f'note.{status}', lang)}[/yellow]")
    for warning in plan.warnings:
        out_console().print(f"[yellow]{t('warning', lang, text=say(warning, lang))}[/yellow]")
    funds = Table(title=t("funds.title", lang), show_lines=False)
    for name, justify in (
        ("fund", "left"),
        ("kind", "left"),
        ("budget", "right"),
        ("allocated", "right"),
        ("unused", "right"),
        ("used", "right"),
    ):
        funds.add_column(title(name, lang), justify=justify)  # type: ignore[arg-type]
    used = plan.fund_totals()
    for f, fund in enumerate(plan.case.funds):
        allocated = used.get(f, 0)
        share = allocated / fund.budget if fund.budget else 0.0
        funds.add_row(
            fund.fund_id,
            fund.kind,
            _yuan(fund.budget),
            _yuan(allocated),
            _yuan(fund.budget - allocated),
            f"{share:.1%}",
        )
    funds.add_row(
        t("total", lang),
        "",
        _yuan(totals["budget"]),
        _yuan(totals["allocated"]),
        _yuan(totals["unused"]),
        f"{totals['allocated'] / totals['budget']:.1%}" if totals["budget"] else "-",
        style="bold",
    )
    out_console().print(funds)
    if "years" in summary:
        by_year = Table(title=t("years.title", lang), show_lines=False)
        names = ("year", "budget", "carried_in", "spent", "carried_out", "lapsed", "projects_paid")
        for name in names:
            by_year.add_column(title(name, lang), justify="left" if name == "year" else "right")
        for row in summary["years"]:
            by_year.add_row(str(row["year"]), *(_yuan(row[name]) for name in names[1:]))
        out_console().print(by_year)
    case = summary["case"]
    out_console().print(
        t(
            "projects.line",
            lang,
            full=totals["projects_funded"],
            partial=totals["projects_partial"],
            unfunded=totals["projects_unfunded"],
            none=totals["projects_not_eligible"],
            projects=case["projects"],
            villages=totals["villages_funded"],
            all_villages=case["villages"],
            poor=_yuan(totals["poor_households_reached"]),
        )
    )
    households = summary.get("households")
    if households is not None:
        figures = summary["policies"].get("exit_standards")
        standards = (
            t(
                "standards.line",
                lang,
                meeting=figures["exit_villages_meeting_standards"],
                all=figures["exit_villages"],
            )
            if figures
            else ""
        )
        out_console().print(
            t(
                "households.line",
                lang,
                reached=_yuan(households["registered_poor_reached"]),
                poor=_yuan(households["registered_poor"]),
                money=_yuan(households["to_households"]),
                exiting_reached=_yuan(households["exiting_reached"]),
                exiting_eligible=_yuan(households["exiting_eligible"]),
                exiting=_yuan(households["exiting"]),
                standards=standards,
            )
        )
    unmet = sorted(report.unmet, key=lambda u: (u.covered - u.households, u.village_id, u.need))
    if unmet:
        table = Table(title=t("unmet.title", lang, n=len(unmet)))
        for name in ("village", "need", "households", "reason"):
            table.add_column(title(name, lang), justify="right" if name == "households" else "left")
        for u in unmet[:10]:
            table.add_row(u.village_id, u.need, _yuan(u.households - u.covered), u.reason)
        out_console().print(table)
    files = (
        "report.html, allocations.csv, funds.csv, projects.csv, villages.csv, unmet_needs.csv, "
        + ("household_measures.csv, households.csv, " if households is not None else "")
        + "summary.json, timings.json"
    )
    out_console().print(t("written", lang, out=out, files=files))


@app.command("run")
def run_command(
    case_dirs: Annotated[
        list[Path],
        typer.Argument(
            help="Case folder (case.yaml and CSV tables) or workbook (.xlsx); several for "
            "independent cases "
            "(e.g. counties), each written to OUT/<case name>.",
            show_default=False,
        ),
    ],
    rules: RulesOpt = None,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output folder [default: out/<case folder name>; with several cases, "
            "the parent folder, default out/].",
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, max=64, help="Cases solved at once (several cases)."),
    ] = 1,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors and the output folder.")
    ] = False,
    relax: Annotated[
        bool,
        typer.Option(
            "--relax",
            help="If the policies cannot all hold, write the best plan that violates "
            "the fewest of them (clearly labelled) instead of exiting 3.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json instead of tables.")
    ] = False,
    excel_csv: Annotated[
        bool,
        typer.Option(
            "--excel-csv",
            help="Write CSV files with a UTF-8 byte-order mark (Chinese Excel opens them as is).",
        ),
    ] = False,
    xlsx: Annotated[
        bool,
        typer.Option("--xlsx", help="Also write the plan as one workbook, plan.xlsx."),
    ] = False,
    notice: Annotated[
        bool,
        typer.Option("--notice", help="Also write a printable public notice per township."),
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="A multi-year case: an earlier plan's folder; the projects it started in "
            "its first year keep their money and years, the rest is decided again.",
            show_default=False,
        ),
    ] = None,
    gap: Annotated[
        float,
        typer.Option(
            "--gap",
            min=0,
            max=1,
            help="A region: stop the envelope search within this relative gap.",
        ),
    ] = 1e-3,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="A region: local (worker processes, -j of them) or dask (a Dask cluster).",
        ),
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="A region on Dask: the scheduler's address [default: a local cluster of -j].",
        ),
    ] = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Allocate the funds of a case and write the plan (exit 0 plan written, 2 invalid input,
    3 infeasible, 4 solver failure)."""
    from allocator.io.region import is_region

    if len(case_dirs) == 1 and is_region(case_dirs[0]):
        _run_region(
            case_dirs[0],
            rules,
            model,
            out,
            quiet,
            debug,
            _language(lang),
            jobs,
            gap,
            engine,
            scheduler,
        )
        return
    if len(case_dirs) > 1:
        _run_many(case_dirs, rules, model, out or Path("out"), jobs, relax, debug, _language(lang))
        return
    from allocator.app.collection import rare_full_collections
    from allocator.app.run import run

    case_dir = case_dirs[0]
    target = out if out is not None else Path("out") / _case_name(case_dir)
    language = _language(lang, case_dir)
    # Printed inside the collector settings: restored first, they would start a full
    # collection of the plan's objects (0.6 s at province size) the process has no use for.
    with rare_full_collections():
        with failures(debug, language), _progress(quiet or as_json, language) as progress:
            result = run(
                case_dir,
                target,
                rules=rules,
                model=model,
                progress=progress,
                relax=relax,
                excel_csv=excel_csv,
                xlsx=xlsx,
                notice=notice,
                language=None if lang is None else lang.value,
                previous=previous,
            )
        if as_json:
            sys.stdout.write(_json_text(result.report.summary))
        elif quiet:
            from allocator.i18n import t

            label = t("quiet.relaxed", language) if result.plan.violated else ""
            status = result.plan.status.value
            # English keeps the machine word (scripts grep it); Chinese gets the name
            shown = t(f"status.{status}", language) if language != "en" else status
            out_console().print(t("quiet.written", language, label=label, status=shown, out=target))
        else:
            _summary_tables(result)


def _run_region(
    region_dir: Path,
    rules: Path | None,
    model: Path | None,
    out: Path | None,
    quiet: bool,
    debug: bool,
    lang: Language,
    jobs: int,
    gap: float,
    engine: str,
    scheduler: str | None,
) -> None:
    from rich.table import Table

    from allocator.app.region import run_region

    target = out if out is not None else Path("out") / region_dir.resolve().name
    with failures(debug, lang), _progress(quiet, lang) as progress:
        result = run_region(
            region_dir,
            target,
            rules=rules,
            model=model,
            progress=progress,
            language=lang,
            jobs=jobs,
            gap=gap,
            engine=engine,
            scheduler=scheduler,
        )
    funds = [f.fund_id for f in result.region.funds]
    table = Table(title=f"{result.region.meta.name} ({result.region.meta.year}): county envelopes")
    for column in ("county", *funds, "value", "status"):
        table.add_column(column, justify="left" if column in ("county", "status") else "right")
    for name, plan in result.plans.items():
        table.add_row(
            name,
            *(f"{result.envelopes[name][f]:,}" for f in funds),
            _amount(plan.objective),
            plan.status,
        )
    if not quiet:
        out_console().print(table)
    out_console().print(
        f"value {_amount(result.value)}, bound {_amount(result.bound)}, gap {result.gap:.4%} "
        f"({result.summary['status']}, {result.rounds} price rounds); written to {target}/ "
        "(envelopes.csv, summary.json, <county>/)"
    )


def _run_many(
    case_dirs: list[Path],
    rules: Path | None,
    model: Path | None,
    out: Path,
    jobs: int,
    relax: bool,
    debug: bool,
    lang: Language = "en",
) -> None:
    from rich.table import Table

    from allocator.app.batch import run_many
    from allocator.i18n import column, t
    from allocator.plan import Progress

    with failures(debug, lang), _progress(False, lang) as progress:
        outcomes = run_many(
            case_dirs,
            out,
            rules=rules,
            model=model,
            relax=relax,
            jobs=jobs,
            on_done=lambda o: progress(Progress(t("phase.done", lang, name=o.case.name))),
        )
    table = Table(title=t("batch.title", lang, n=len(outcomes), jobs=jobs))
    for name in ("case", "status", "allocated", "seconds", "output"):
        table.add_column(
            column(name, lang), justify="right" if name in ("allocated", "seconds") else "left"
        )
    for o in outcomes:
        table.add_row(
            o.case.name,
            o.status if o.exit_code == 0 else t("error", lang, text=o.status),
            f"{o.allocated:,}",
            f"{o.seconds:.1f}",
            str(o.out) if o.exit_code == 0 else "-",
        )
    out_console().print(table)
    worst = max(o.exit_code for o in outcomes)
    if worst:
        raise typer.Exit(worst)


@app.command("check")
def check_command(
    case_dir: CaseArg,
    rules: RulesOpt = None,
    model: ModelOpt = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate a case, rule set and model spec without solving (exit 0 valid, 2 invalid,
    3 a policy is impossible)."""
    from allocator.app.run import check_inputs, load_inputs
    from allocator.i18n import say, t

    language = _language(lang, case_dir)
    with failures(debug, language):
        inputs = load_inputs(case_dir, rules, model)
        checked = check_inputs(inputs)
    eligibility = checked.eligibility
    case = inputs.case
    fundable = int(eligibility.eligible.any(axis=0).sum())
    out_console().print(
        t(
            "check.valid",
            language,
            folder=case.folder,
            villages=len(case.villages),
            projects=len(case.projects),
            funds=len(case.funds),
            needs=len(case.needs),
            ruleset=inputs.ruleset.id,
            rules=_rule_count(inputs.ruleset, language),
            spec=inputs.spec.spec.spec,
        )
    )
    out_console().print(
        t(
            "check.pairs",
            language,
            eligible=f"{int(eligibility.eligible.sum()):,}",
            pairs=f"{eligibility.eligible.size:,}",
            fundable=f"{fundable:,}",
            projects=f"{len(case.projects):,}",
        )
    )
    for warning in checked.warnings:
        out_console().print(t("warning", language, text=say(warning, language)))


@app.command("compare")
def compare_command(
    case_dir: CaseArg,
    scenario: Annotated[
        list[str],
        typer.Option(
            "--scenario",
            "-s",
            help="NAME=RULES[,MODEL], two or more; the first is the baseline "
            "(empty paths mean the defaults).",
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder [default: out/<case>-compare].")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=64, help="Scenarios solved at once.")
    ] = 1,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run scenarios (rule set, model spec) on one case and compare them with the first."""
    from rich.table import Table

    from allocator.app.compare import compare, parse_scenario
    from allocator.i18n import column as title
    from allocator.i18n import t
    from allocator.plan import Progress

    language = _language(lang, case_dir)
    target = out if out is not None else Path("out") / f"{_case_name(case_dir)}-compare"
    with failures(debug, language):
        scenarios = [parse_scenario(s) for s in scenario]
        with _progress(False, language) as progress:
            overview = compare(
                case_dir,
                scenarios,
                target,
                jobs,
                on_done=lambda name: progress(Progress(t("phase.solved", language, name=name))),
            )
    table = Table(
        title=t("compare.table", language, case=overview["case"], baseline=overview["baseline"])
    )
    for column in (
        "scenario",
        "status",
        "value",
        "poor households",
        "funded",
        "gained",
        "lost",
        "moved (villages)",
        "moved (funds)",
        "inputs changed",
    ):
        table.add_column(
            title(column, language),
            justify="left" if column in ("scenario", "status") else "right",
        )
    for o in overview["scenarios"]:
        moved = o["money_moved"]
        table.add_row(
            o["scenario"],
            o["status"],
            f"{o['objective']:,.1f}",
            f"{o['poor_households_reached']:,}",
            str(o["projects_funded"]),
            str(o["projects_gained"]),
            str(o["projects_lost"]),
            f"{moved.get('village', 0):,}",
            f"{moved.get('fund', 0):,}",
            str(o["rules_changed"] + o["spec_parameters_changed"]),
        )
    out_console().print(table)
    out_console().print(t("compare.written", language, out=target))


@app.command("explain")
def explain_command(
    case_dir: CaseArg,
    plan_dir: Annotated[Path, typer.Argument(help="The run's output folder.", show_default=False)],
    project: Annotated[str | None, typer.Option("--project", help="Explain a project.")] = None,
    village: Annotated[str | None, typer.Option("--village", help="Explain a village.")] = None,
    fund: Annotated[str | None, typer.Option("--fund", help="Explain a fund.")] = None,
    household: Annotated[
        str | None, typer.Option("--household", help="Explain a household.")
    ] = None,
    rules: RulesOpt = None,
    model: ModelOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Why a project, village, fund or household got what it got in a finished run
    (no re-solve)."""
    from allocator.app.run import load_inputs
    from allocator.i18n import msg, say
    from allocator.report.explain import (
        explain_fund,
        explain_household,
        explain_project,
        explain_village,
        load_run,
    )

    language = _language(lang, case_dir)
    with failures(debug, language):
        chosen = [x for x in (project, village, fund, household) if x is not None]
        if len(chosen) != 1:
            raise InputError(msg("give exactly one of --project, --village, --fund or --household"))
        inputs = load_inputs(case_dir, rules, model)
        folder = load_run(plan_dir, inputs.case, inputs.ruleset, inputs.spec)
        if project is not None:
            explanation = explain_project(inputs.case, inputs.ruleset, folder, project)
        elif village is not None:
            explanation = explain_village(inputs.case, inputs.ruleset, folder, village)
        elif household is not None:
            explanation = explain_household(inputs.case, inputs.ruleset, folder, household)
        else:
            explanation = explain_fund(inputs.case, inputs.ruleset, folder, str(fund))
    if as_json:
        sys.stdout.write(_json_text(explanation.data))
    else:
        for line in explanation.lines:
            typer.echo(say(line, language))


@app.command("verify")
def verify_command(
    case_dir: CaseArg,
    plan_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder with allocations.csv, or a plan workbook (plan.xlsx), from any tool "
            "or edited by hand.",
            show_default=False,
        ),
    ],
    rules: RulesOpt = None,
    model: ModelOpt = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="The earlier plan a multi-year plan was re-planned after (run --previous).",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Re-check a plan against the case, rules and spec, independently of the optimizer
    (exit 0 valid, 1 violations found, 2 invalid input)."""
    from allocator.app.run import load_inputs
    from allocator.app.years import replan_case
    from allocator.audit.verify import verify_plan
    from allocator.i18n import say, t

    language = _language(lang, case_dir)
    with failures(debug, language):
        inputs = load_inputs(case_dir, rules, model)
        case = inputs.case if previous is None else replan_case(inputs.case, previous)
        outcome = verify_plan(case, inputs.ruleset, inputs.spec.spec, plan_dir)
    if outcome.ok:
        out_console().print(
            t("verify.valid", language, rows=outcome.rows, allocated=f"{outcome.allocated:,}")
        )
        return
    where: Path = plan_dir
    if plan_dir.is_dir() and not (plan_dir / "household_measures.csv").exists():
        where = plan_dir / "allocations.csv"
    _say_error(t("verify.violations", language, n=len(outcome.violations), where=where))
    for violation in outcome.violations:
        _say_error(f"  - {say(violation, language)}")
    raise typer.Exit(1)


@app.command("test")
def test_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Test files (*.test.yaml) or folders to search [default: rules/]."),
    ] = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run rule-set tests written as data (exit 0 all pass, 1 a test failed, 2 invalid)."""
    from allocator.app.defaults import PROJECT_ROOT
    from allocator.i18n import msg, say, t
    from allocator.rules.ruletests import discover, run_file

    language = _language(lang)
    with failures(debug, language):
        files = discover(paths or [PROJECT_ROOT / "rules"])
        if not files:
            raise InputError(msg("no rule-set tests (*.test.yaml) found"))
        outcomes = [o for f in files for o in run_file(f)]
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        _say_error(
            t("test.failed", language, file=outcome.file, message=say(outcome.message, language))
        )
    typer.echo(
        t(
            "test.summary",
            language,
            passed=len(outcomes) - len(failed),
            failed=len(failed),
            files=len(files),
        )
    )
    if failed:
        raise typer.Exit(1)


@app.command("convert")
def convert_command(
    source: Annotated[Path, typer.Argument(help="A case folder, or a case workbook (.xlsx).")],
    target: Annotated[Path, typer.Argument(help="The .xlsx to write, or the folder to write.")],
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Turn a case folder into one workbook (one sheet per table), or a workbook into a folder."""
    from allocator.app.convert import convert
    from allocator.i18n import t

    language = _language(lang, source)
    with failures(debug, language):
        written = convert(source, target)
    out_console().print(t("written.file", language, path=written))


@app.command("template")
def template_command(
    target: Annotated[Path, typer.Argument(help="The .xlsx to write.")],
    households: Annotated[
        bool, typer.Option("--households", help="Include the household and measure sheets.")
    ] = False,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write an empty case workbook: headers, instructions and drop-down lists."""
    from allocator.app.convert import write_template
    from allocator.i18n import t

    language = _language(lang)
    with failures(debug, language):
        written = write_template(target, households, language)
    out_console().print(t("written.file", language, path=written))


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="Folder to write the generated case into.")],
    size: Annotated[
        str, typer.Option("--size", help="county, city, province, or region (of counties).")
    ] = "county",
    counties: Annotated[
        int, typer.Option("--counties", min=1, max=2000, help="Counties of a region.")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same case).")] = 1,
    households: Annotated[
        bool,
        typer.Option(
            "--households/--no-households",
            help="Write the household register and household measures (the default).",
        ),
    ] = True,
    years: Annotated[
        int,
        typer.Option(
            "--years",
            min=1,
            max=10,
            help="Years of a multi-year case (horizon, budgets.csv, history.csv).",
        ),
    ] = 1,
    debug: DebugOpt = False,
) -> None:
    """Generate a realistic synthetic case or region (seeded, docs/generator.md)."""
    from allocator.app.generate import (
        SIZES,
        generate_case,
        generate_region,
        multi_year_files,
        write_case,
        write_region,
    )
    from allocator.i18n import msg, t

    with failures(debug):
        if size == "region":
            write_region(generate_region(counties, seed, households), out)
            out_console().print(f"Generated a {counties}-county region (seed {seed}) in {out}/")
            return
        if size not in SIZES:
            raise InputError(
                msg(
                    "unknown size '{size}' (choose {sizes})",
                    size=size,
                    sizes=", ".join([*SIZES, "region"]),
                )
            )
        case_files = generate_case(SIZES[size], seed, with_households=households)
        write_case(multi_year_files(case_files, years, seed), out)
    out_console().print(t("generated", "en", size=size, seed=seed, out=out))


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Solver processes run at once.")
    ] = 2,
    data: Annotated[
        Path,
        typer.Option("--data", help="Folder for cases, jobs, their files and the job store."),
    ] = Path("service-data"),
    queue_limit: Annotated[
        int, typer.Option("--queue-limit", min=1, help="Jobs queued or running at once (429).")
    ] = 100,
    time_limit_cap: Annotated[
        float,
        typer.Option("--time-limit-cap", min=1, help="Longest solver time limit a job may ask."),
    ] = 600.0,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Largest upload, in MiB.")
    ] = 50,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow this browser origin (CORS is off without)."),
    ] = None,
    tokens: TokensOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Serve the HTTP API (docs/service.md); logs are JSON lines on stderr."""
    from allocator.service.server import serve
    from allocator.service.settings import ServiceSettings

    with failures(debug):
        settings = ServiceSettings(
            data_dir=data.resolve(),
            workers=workers,
            queue_limit=queue_limit,
            time_limit_cap=time_limit_cap,
            max_upload_bytes=max_upload_mb * 2**20,
            cors_origins=tuple(cors_origin or ()),
            tokens_file=tokens,
        )
        serve(settings, host, port)


token_app = typer.Typer(help="API tokens of the HTTP service.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("add")
def token_add_command(
    tenant: Annotated[str, typer.Argument(help="Who the token is for, e.g. a county code.")],
    data: Annotated[Path, typer.Option("--data", help="The service's data folder.")] = Path(
        "service-data"
    ),
    tokens: TokensOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Make a token for a tenant: printed once, only its hash is stored."""
    from allocator.service.settings import ServiceSettings
    from allocator.service.tokens import add_token

    with failures(debug):
        token = add_token(ServiceSettings(data_dir=data, tokens_file=tokens).token_path, tenant)
    typer.echo(token)


def main() -> None:
    """Console-script entry point."""
    app()
