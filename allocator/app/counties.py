"""The counties of a region at work: models kept loaded between price rounds.

``Counties`` holds some counties' compiled models and answers the two things
the region run asks of them: prices (each county's proposal under the region's
prices) and the final plans (each county solved exactly inside its
envelopes, as plan files). ``CountyPool`` spreads the counties over worker
processes, each holding its own counties for the whole run (a county is
built once, not once a round); results come back in county order, so the
plan bytes do not depend on how many workers there are.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from allocator.i18n import Language
from allocator.io.case import load_case
from allocator.io.region import load_region, with_region_funds

#: times a worker that died is replaced before its last try's error is raised
RETRIES = 2
#: a county folder's own rule set and model spec, when it names them
COUNTY_RULES = "rules.yaml"
COUNTY_MODEL = "model.yaml"


@dataclass(frozen=True)
class FinalPlan:
    """A county's plan inside its envelopes, as files, with what the summary needs."""

    objective: float
    status: str
    poor_households: int  # reached by the plan's projects (summary.json totals)
    files: dict[str, str | bytes]


class Counties:
    """Some counties of a region, each with its model built once (in this process)."""

    def __init__(
        self,
        region_dir: Path,
        rules: Path,
        model: Path,
        names: Sequence[str],
        language: Language = "en",
    ) -> None:
        from allocator.optimize.envelopes import county_model
        from allocator.rules.ruleset import load_ruleset, rule_schema
        from allocator.spec import check_spec_against_case, load_spec

        self.region = load_region(region_dir)
        self.language = language
        folders = dict(self.region.counties)
        fund_ids = [f.fund_id for f in self.region.funds]
        self.folders = {name: folders[name] for name in names}
        self.rulesets = {}
        self.specs = {}
        self.models = {}
        # The region's value weighs counties by the region's spec (its performance bands).
        region_spec = load_spec(model)
        for name in names:
            folder = self.folders[name]
            case = with_region_funds(load_case(folder), self.region)
            # A county folder may name its own rule set and spec (rules.yaml, model.yaml).
            own_rules, own_model = folder / COUNTY_RULES, folder / COUNTY_MODEL
            spec = load_spec(own_model) if own_model.is_file() else region_spec
            check_spec_against_case(spec, case.meta.category_vocabulary())
            self.specs[name] = spec
            self.rulesets[name] = load_ruleset(
                own_rules if own_rules.is_file() else rules, rule_schema(case.meta)
            )
            weight = region_spec.spec.objective.performance.factor(self.region.scores.get(name))
            self.models[name] = county_model(
                name, case, self.rulesets[name], spec, fund_ids, weight
            )

    @property
    def unit(self) -> int:
        return next(iter(self.models.values())).unit if self.models else 1

    def price(self, prices: Any, seconds: float, whole: bool = False) -> list[Any]:
        from allocator.optimize.envelopes import price

        return [
            price(m, prices, self.specs[name], seconds, whole) for name, m in self.models.items()
        ]

    def final(self, envelopes: dict[str, dict[str, int]]) -> dict[str, FinalPlan]:
        from allocator.optimize.pipeline import allocate
        from allocator.report.output import plan_files
        from allocator.report.tables import build_report

        plans = {}
        for name, folder in self.folders.items():
            case = with_region_funds(load_case(folder), self.region, envelopes[name])
            plan = allocate(case, self.rulesets[name], self.specs[name])
            report = build_report(plan)
            files: dict[str, str | bytes] = dict(plan_files(plan, report, language=self.language))
            reached = int(report.summary["totals"]["poor_households_reached"])
            plans[name] = FinalPlan(plan.objective, plan.status.value, reached, files)
        return plans


def _serve(conn: Connection, args: tuple[Any, ...]) -> None:
    """A worker process: build its counties, then answer requests until told to stop."""
    try:
        counties = Counties(*args)
        conn.send(("ready", counties.unit))
    except BaseException as exc:
        conn.send(("error", exc))
        return
    while True:
        request, payload = conn.recv()
        if request == "stop":
            return
        try:
            answer = counties.price(*payload) if request == "price" else counties.final(payload)
            conn.send(("ok", answer))
        except BaseException as exc:
            conn.send(("error", exc))


class _Spread:
    """Counties shared out over workers (county i on worker i mod N); answers come back
    in county order, whatever the number of workers."""

    names: list[str]
    shares: Sequence[Sequence[str]]

    @staticmethod
    def share_out(names: list[str], workers: int) -> list[tuple[str, ...]]:
        count = max(1, min(workers, len(names)))
        return [tuple(names[w::count]) for w in range(count)]

    def _each(self, request: str, payload: Any) -> list[Any]:
        """One reply per share: ``request`` is "price" or "final"."""
        raise NotImplementedError  # each way of reaching workers says how

    def price(self, prices: Any, seconds: float, whole: bool = False) -> list[Any]:
        """Every county's answer, in county order."""
        replies = self._each("price", (prices, seconds, whole))
        answers = {
            name: answer
            for share, got in zip(self.shares, replies, strict=True)
            for name, answer in zip(share, got, strict=True)
        }
        return [answers[name] for name in self.names]

    def final(self, envelopes: dict[str, dict[str, int]]) -> dict[str, FinalPlan]:
        """Every county's plan inside its envelopes, in county order."""
        plans: dict[str, FinalPlan] = {}
        for got in self._each("final", envelopes):
            plans.update(got)
        return {name: plans[name] for name in self.names}


class CountyPool(_Spread):
    """Counties spread over ``jobs`` worker processes, county i on worker i mod jobs."""

    def __init__(
        self,
        region_dir: Path,
        rules: Path,
        model: Path,
        names: Sequence[str],
        jobs: int,
        language: Language = "en",
    ) -> None:
        self.names = list(names)
        self.shares = self.share_out(self.names, jobs)
        self.args = (region_dir, rules, model, language)
        self.connections: list[Connection] = []
        self.processes: list[Any] = []
        for share in self.shares:
            connection, process = self._start(share)
            self.connections.append(connection)
            self.processes.append(process)
        units = [self._answer(c) for c in self.connections]
        self.unit = int(units[0]) if units else 1

    def _start(self, share: Sequence[str]) -> tuple[Connection, Any]:
        # Spawned, not forked: see allocator.app.parallel.
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        region_dir, rules, model, language = self.args
        process = context.Process(
            target=_serve, args=(child, (region_dir, rules, model, share, language)), daemon=True
        )
        process.start()
        return parent, process

    def _restart(self, w: int) -> None:
        """Replace worker ``w`` (it died): a new process builds the same counties."""
        self.processes[w].kill()
        self.processes[w].join(timeout=10)
        self.connections[w], self.processes[w] = self._start(self.shares[w])
        self._answer(self.connections[w])

    @staticmethod
    def _answer(connection: Connection) -> Any:
        status, payload = connection.recv()
        if status == "error":
            raise payload
        return payload

    def _ask(self, request: str, payload: Any) -> list[Any]:
        for w, connection in enumerate(self.connections):
            try:
                connection.send((request, payload))
            except OSError:
                self._restart(w)
                self.connections[w].send((request, payload))
        return [self._reply(w, request, payload) for w in range(len(self.connections))]

    def _reply(self, w: int, request: str, payload: Any) -> Any:
        """Worker ``w``'s answer; a worker that died is replaced and asked again (every
        answer is deterministic, so the retry's is the same)."""
        for _ in range(RETRIES):
            try:
                return self._answer(self.connections[w])
            except (EOFError, OSError):
                self._restart(w)
                self.connections[w].send((request, payload))
        return self._answer(self.connections[w])

    def _each(self, request: str, payload: Any) -> list[Any]:
        return self._ask(request, payload)

    def close(self) -> None:
        for connection, process in zip(self.connections, self.processes, strict=True):
            with contextlib.suppress(OSError):  # a worker already gone
                connection.send(("stop", None))
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


# Dask: tasks pinned to a worker, each worker keeping its counties' models in this cache.
# A task that lands elsewhere (its worker died) builds them there: a retry costs one
# build, and the answer is the same (every solve is deterministic).
_LOADED: dict[tuple[Any, ...], Counties] = {}


def _held(args: tuple[Any, ...], share: tuple[str, ...]) -> Counties:
    key = (*args, share)
    if key not in _LOADED:
        region_dir, rules, model, language = args
        _LOADED[key] = Counties(Path(region_dir), Path(rules), Path(model), share, language)
    return _LOADED[key]


def _task_unit(args: tuple[Any, ...], share: tuple[str, ...]) -> int:
    return _held(args, share).unit


def _task_price(
    args: tuple[Any, ...], share: tuple[str, ...], prices: Any, seconds: float, whole: bool
) -> list[Any]:
    return _held(args, share).price(prices, seconds, whole)


def _task_final(
    args: tuple[Any, ...], share: tuple[str, ...], envelopes: dict[str, dict[str, int]]
) -> dict[str, FinalPlan]:
    return _held(args, share).final(envelopes)


class DaskCounties(_Spread):
    """Counties on a Dask cluster: ``scheduler`` (an address), else a local cluster of
    ``workers`` processes. County i belongs to worker i mod N; its tasks go there."""

    def __init__(
        self,
        region_dir: Path,
        rules: Path,
        model: Path,
        names: Sequence[str],
        workers: int,
        scheduler: str | None = None,
        language: Language = "en",
    ) -> None:
        from distributed import Client, LocalCluster  # the dask extra

        self.names = list(names)
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        self.workers = sorted(self.client.scheduler_info()["workers"])
        self.shares = self.share_out(self.names, len(self.workers))
        self.args = (str(region_dir), str(rules), str(model), language)
        self.unit = int(self._run(_task_unit)[0]) if self.shares else 1

    def _run(self, task: Any, *payload: Any) -> list[Any]:
        futures = [
            self.client.submit(
                task,
                self.args,
                share,
                *payload,
                workers=[self.workers[w % len(self.workers)]],
                allow_other_workers=True,  # a dead worker's counties move elsewhere
                pure=False,
            )
            for w, share in enumerate(self.shares)
        ]
        return list(self.client.gather(futures))

    def _each(self, request: str, payload: Any) -> list[Any]:
        if request == "price":
            return self._run(_task_price, *payload)
        return self._run(_task_final, payload)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
