"""One job in its own process: ``python -m allocator.service.worker JOB_DIR ATTEMPT_DIR``.

The job is described by ``JOB_DIR/job.json`` (written by the API before the
job was queued). The worker makes the same library calls as the CLI, writes
the job's files atomically into ``ATTEMPT_DIR/out`` and then its outcome into
``ATTEMPT_DIR/outcome.json``; progress goes to stdout as JSON lines. It exits
by itself if the server that started it dies.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from allocator.app.collection import rare_full_collections
from allocator.errors import AllocatorError
from allocator.plan import Progress
from allocator.service.errors import error_body

Emit = Callable[[Progress], None]


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _time_limit(job: dict[str, Any], model: Path | None) -> float:
    """The requested limit, else the spec's own; never above the server's cap."""
    from allocator.app.defaults import DEFAULT_MODEL
    from allocator.spec import load_spec

    requested = job.get("time_limit")
    own = load_spec(model or DEFAULT_MODEL).spec.solver.time_limit
    return float(min(requested or own, job["time_limit_cap"]))


def _run(job: dict[str, Any], out: Path, emit: Emit) -> None:
    from allocator.app.run import run

    model = _path(job.get("model"))
    options = job.get("options", {})
    run(
        job["case"],
        out,
        rules=_path(job.get("rules")),
        model=model,
        progress=emit,
        relax=bool(options.get("relax", False)),
        excel_csv=bool(options.get("excel_csv", False)),
        xlsx=bool(options.get("xlsx", False)),
        notice=bool(options.get("notice", False)),
        language=options.get("lang"),
        time_limit=_time_limit(job, model),
    )


def _check(job: dict[str, Any], out: Path, emit: Emit) -> None:
    from allocator.app.run import check_inputs, load_inputs
    from allocator.report.output import write_files

    emit(Progress("load"))
    inputs = load_inputs(job["case"], _path(job.get("rules")), _path(job.get("model")))
    emit(Progress("rules"))
    checked = check_inputs(inputs)
    eligible = checked.eligibility.eligible
    case = inputs.case
    result = {
        "valid": True,
        "case": case.meta.name,
        "villages": len(case.villages),
        "projects": len(case.projects),
        "funds": len(case.funds),
        "needs": len(case.needs),
        "ruleset": inputs.ruleset.id,
        "model_spec": inputs.spec.spec.spec,
        "eligible_pairs": int(eligible.sum()),
        "pairs": int(eligible.size),
        "fundable_projects": int(eligible.any(axis=0).sum()),
        "warnings": checked.warnings,
    }
    write_files({"check.json": _json(result)}, out, "check.json")


def _compare(job: dict[str, Any], out: Path, emit: Emit) -> None:
    from allocator.app.compare import Scenario, compare

    scenarios = [
        Scenario(
            s["name"],
            _path(s.get("rules")),
            _path(s.get("model")),
            _time_limit(job, _path(s.get("model"))),
        )
        for s in job["scenarios"]
    ]
    compare(
        Path(job["case"]),
        scenarios,
        out,
        jobs=1,
        on_done=lambda name: emit(Progress(f"scenario {name} solved")),
    )


def _explain(job: dict[str, Any], out: Path, emit: Emit) -> None:
    from allocator.app.run import load_inputs
    from allocator.report import explain
    from allocator.report.output import write_files

    emit(Progress("load"))
    inputs = load_inputs(job["case"], _path(job.get("rules")), _path(job.get("model")))
    folder = explain.load_run(Path(job["plan"]), inputs.case, inputs.ruleset, inputs.spec)
    subject, key = job["subject"], job["key"]
    explainer = {
        "project": explain.explain_project,
        "village": explain.explain_village,
        "fund": explain.explain_fund,
        "household": explain.explain_household,
    }[subject]
    explanation = explainer(inputs.case, inputs.ruleset, folder, key)
    files = {
        "explanation.json": _json(explanation.data),
        "explanation.txt": "\n".join(explanation.lines) + "\n",
    }
    write_files(files, out, "explanation.json")


def _verify(job: dict[str, Any], out: Path, emit: Emit) -> None:
    from allocator.app.run import load_inputs
    from allocator.audit.verify import verify_plan
    from allocator.report.output import write_files

    emit(Progress("load"))
    inputs = load_inputs(job["case"], _path(job.get("rules")), _path(job.get("model")))
    emit(Progress("verify"))
    outcome = verify_plan(inputs.case, inputs.ruleset, inputs.spec.spec, Path(job["plan"]))
    result = {
        "valid": outcome.ok,
        "rows": outcome.rows,
        "allocated": outcome.allocated,
        "violations": outcome.violations,
    }
    write_files({"verify.json": _json(result)}, out, "verify.json")


KINDS: dict[str, Callable[[dict[str, Any], Path, Emit], None]] = {
    "run": _run,
    "check": _check,
    "compare": _compare,
    "explain": _explain,
    "verify": _verify,
}


def _emitter() -> Emit:
    last: dict[str, Any] = {"at": 0.0, "phase": ""}

    def emit(event: Progress) -> None:
        now = time.monotonic()
        if event.phase == last["phase"] and now - last["at"] < 0.5:
            return  # incumbents arrive many times a second; the store needs a few
        last["at"], last["phase"] = now, event.phase
        line = {
            "phase": event.phase,
            "incumbent": event.incumbent,
            "bound": event.bound,
            "gap": event.gap,
        }
        try:
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
        except OSError:  # the pipe to the server broke: it is gone, and re-runs this job
            os._exit(70)

    return emit


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(70)  # the server is gone: its successor re-runs this job

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _write_outcome(attempt: Path, outcome: dict[str, Any]) -> None:
    staging = attempt / "outcome.json.tmp"
    with open(staging, "w", encoding="utf-8") as handle:
        handle.write(_json(outcome))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, attempt / "outcome.json")


def main(argv: list[str]) -> int:
    job_dir, attempt = Path(argv[0]), Path(argv[1])
    _exit_with_parent()
    job = json.loads((job_dir / "job.json").read_text("utf-8"))
    roots = [Path(r) for r in job.get("roots", [])]
    try:
        with rare_full_collections() if job["kind"] == "run" else nullcontext():
            KINDS[job["kind"]](job, attempt / "out", _emitter())
    except AllocatorError as exc:
        _write_outcome(attempt, {"ok": False, "error": error_body(exc, roots)})
        return 0
    except Exception as exc:  # a bug: reported as one, never as the user's fault
        _write_outcome(
            attempt,
            {
                "ok": False,
                "error": {
                    "code": "internal",
                    "message": f"internal error: {type(exc).__name__}: {exc}",
                    "location": None,
                    "exit_code": 1,
                    "details": [],
                },
            },
        )
        raise
    _write_outcome(attempt, {"ok": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
