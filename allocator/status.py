"""The project's own solve status: the rest of the code never sees HiGHS's."""

from __future__ import annotations

from enum import StrEnum


class SolveStatus(StrEnum):
    """Outcome of a solve, as reported to users and written to summary.json."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"  # stopped early with a feasible incumbent: never called optimal
    HEURISTIC = "heuristic"  # made by a rule of thumb (the factor method), not optimized
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # stopped early without any feasible plan
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT, SolveStatus.HEURISTIC)
