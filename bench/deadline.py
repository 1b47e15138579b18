"""Does a run with ``solver.time_limit: T`` return within T + 2 s of its first HiGHS call?

    python bench/deadline.py                  # province, T = 5 and 20, 3 runs each
    python bench/deadline.py --limits 5 --repeat 1

Generates the province case (seed 1), then runs ``allocator run`` as a fresh
process with the default spec's time limit replaced by T. Reported per T
(median of the runs): seconds from the first HiGHS call to the end of the
plan (timings.json ``since_first_highs``: relaxation, starts, margin sub-MIP,
final MIP, flow LP, rounding, binding prices, check), the writing after it,
the whole process, the status and the gap.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from allocator.app.generate import SIZES, generate_case, write_case  # noqa: E402
from bench.run import run_once, spec_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", type=float, nargs="+", default=[5.0, 20.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="province", choices=list(SIZES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        case = write_case(generate_case(SIZES[args.size], 1), folder / args.size)
        print(
            "| T | since first HiGHS call (median) | max | write | whole process | status | gap |"
        )
        print("|---:|---:|---:|---:|---:|---|---|")
        for limit in args.limits:
            spec = spec_file(folder / f"limit-{limit:g}", "grouped", limit)
            runs = []
            for i in range(args.repeat):
                result = run_once(case, spec, folder / f"out-{limit:g}-{i}", folder / "report.json")
                timings: dict[str, float] = result["timings"]  # type: ignore[assignment]
                runs.append(
                    (
                        timings["since_first_highs"],
                        timings["write"],
                        result["wall"],
                        result["status"],
                        result["gap"],
                    )
                )
            since = [r[0] for r in runs]
            print(
                f"| {limit:g} s | {statistics.median(since):.2f} s | {max(since):.2f} s | "
                f"{statistics.median(r[1] for r in runs):.2f} s | "
                f"{statistics.median(r[2] for r in runs):.2f} s | "
                f"{', '.join(sorted({r[3] for r in runs}))} | "
                f"{max((r[4] or 0) for r in runs):.2e} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
