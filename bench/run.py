"""Benchmark `allocator run` end to end at county, city and province size.

    python bench/run.py --all                 # everything in docs/benchmarks.md
    python bench/run.py                       # county and city, 3 runs each
    python bench/run.py --sizes province --repeat 1
    python bench/run.py --formulation per_pair --time-limit 120
    python bench/run.py --households --sizes county province   # with the register

``--all`` runs the grouped model at every size 3 times, then the per-pair
comparison at every size once with a 120 s time limit (about 6 minutes).

For each size a case is generated with a fixed seed (the same bytes every
time), then `allocator run` is started as a fresh process N times. Reported:
median wall time of the whole process, median seconds per phase (from
timings.json), HiGHS's own time (relaxation + margin sub-MIP + solve + flow LP),
everything else
as a share of HiGHS's time, status, gap and peak memory. Results are printed as
a Markdown table and saved as JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from allocator.app.generate import SIZES, generate_case, write_case  # noqa: E402

HIGHS_PHASES = ("relaxation", "margin", "households", "solve", "flows")
TARGETS = {"county": (2.0, 300), "city": (6.0, 600), "province": (60.0, 1536)}


def spec_file(folder: Path, formulation: str, time_limit: float | None) -> Path:
    text = (ROOT / "models" / "default.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  money_unit: 10000\n", f"  money_unit: 10000\n  formulation: {formulation}\n"
    )
    if time_limit is not None:
        text = text.replace("  time_limit: 300\n", f"  time_limit: {time_limit:g}\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"spec-{formulation}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_once(case: Path, spec: Path, out: Path, report: Path) -> dict[str, object]:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "child.py"),
            str(report),
            "run",
            str(case),
            "--model",
            str(spec),
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    child = json.loads(report.read_text())
    if child["exit"] != 0:
        raise RuntimeError(f"allocator run exited {child['exit']} on {case}")
    timings = json.loads((out / "timings.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    return {
        "wall": wall,
        "peak_mb": child["peak_mb"],
        "timings": timings,
        "status": summary["status"],
        "gap": summary["gap"],
        "model": summary["model"],
        "case": summary["case"],
        "households": summary.get("households"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["county", "city"], choices=list(TARGETS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formulation", default="grouped", choices=["grouped", "per_pair"])
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument(
        "--households", action="store_true", help="generate the household register too"
    )
    parser.add_argument(
        "--all", action="store_true", help="grouped x3 and per-pair x1 (120 s limit) at every size"
    )
    args = parser.parse_args()
    if args.all:
        for formulation, repeat, limit in (("grouped", 3, None), ("per_pair", 1, 120.0)):
            run_suite(list(TARGETS), repeat, args.seed, formulation, limit)
        return
    run_suite(
        args.sizes, args.repeat, args.seed, args.formulation, args.time_limit, args.households
    )


def run_suite(
    sizes: list[str],
    repeat: int,
    seed: int,
    formulation: str,
    time_limit: float | None,
    households: bool = False,
) -> None:
    """Benchmark one formulation at the given sizes; print tables and save JSON."""

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = spec_file(folder, formulation, time_limit)
        for size in sizes:
            case = write_case(generate_case(SIZES[size], seed, households), folder / size)
            runs = [
                run_once(case, spec, folder / f"out-{size}-{i}", folder / "report.json")
                for i in range(repeat)
            ]
            phases = sorted({k for r in runs for k in r["timings"]})  # type: ignore[attr-defined]
            median = {
                k: statistics.median(r["timings"].get(k, 0.0) for r in runs)  # type: ignore[attr-defined]
                for k in phases
            }
            wall = statistics.median(r["wall"] for r in runs)  # type: ignore[misc]
            highs = sum(median.get(k, 0.0) for k in HIGHS_PHASES)
            results.append(
                {
                    "size": size,
                    "formulation": formulation,
                    "runs": repeat,
                    "seed": seed,
                    "wall": wall,
                    "highs": highs,
                    "outside_share": (wall - highs) / highs if highs else None,
                    "phases": median,
                    "peak_mb": max(r["peak_mb"] for r in runs),  # type: ignore[type-var]
                    "status": [r["status"] for r in runs],
                    "gap": [r["gap"] for r in runs],
                    "model": runs[0]["model"],
                    "case": runs[0]["case"],
                    "households": runs[0]["households"],
                }
            )
            print(f"{size}: {wall:.2f} s wall, HiGHS {highs:.2f} s", file=sys.stderr)

    print(
        "| size | villages / projects / funds | households (poor) | formulation | wall (median) "
        "| HiGHS | outside HiGHS / HiGHS | peak MB | status | gap | target |"
    )
    print("|---|---|---|---|---:|---:|---:|---:|---|---|---|")
    for r in results:
        c = r["case"]
        target = TARGETS[r["size"]]
        share = f"{r['outside_share']:.0%}" if r["outside_share"] is not None else "-"
        h = r["households"]
        register = f"{h['registered_poor']:,} poor" if h else "-"
        print(
            f"| {r['size']} | {c['villages']:,} / {c['projects']:,} / {c['funds']} | "
            f"{register} | {r['formulation']} | {r['wall']:.2f} s | {r['highs']:.2f} s | {share} | "
            f"{r['peak_mb']:.0f} | {', '.join(sorted(set(r['status'])))} | "
            f"{max(g or 0 for g in r['gap']):.2e} | < {target[0]:g} s, < {target[1]} MB |"
        )
    print()
    print("Median seconds per phase:")
    print()
    phases = [
        "load",
        "rules",
        "build",
        "handover",
        "relaxation",
        "start",
        "margin",
        "households",
        "solve",
        "flows",
        "round",
        "check",
        "write",
    ]
    print("| size | " + " | ".join(phases) + " |")
    print("|---|" + "---:|" * len(phases))
    for r in results:
        print(
            f"| {r['size']} ({r['formulation']}) | "
            + " | ".join(f"{r['phases'].get(p, 0.0):.2f}" for p in phases)
            + " |"
        )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"{stamp}-{formulation}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
