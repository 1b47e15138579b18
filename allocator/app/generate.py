"""Seeded generator of realistic synthetic cases (county, city, province sizes).

The structure follows DOMAIN.md: about a third of villages registered poor with
high poverty incidence, exit years spread over the coming years (and recent
exits among non-poor villages), terrain with mountain/gully/hazard areas that
qualify for relocation, a few reservoir-migrant villages; need lists drawn from
the village and household standards; a project library with indivisible works
(roads, water works, schools, clinics) and divisible per-household items
(house renovation, training places, industry subsidies, relocation); 16-25
earmarked funds at central/provincial/city/county level whose budgets cover
roughly 45% of the library, so choices matter. See docs/generator.md.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from allocator.report.output import csv_text, write_files
from allocator.report.tables import Row


@dataclass(frozen=True)
class Size:
    villages: int
    funds: int
    projects_per_village: float
    budget_share: float = 0.45


SIZES: dict[str, Size] = {
    "tiny": Size(villages=12, funds=6, projects_per_village=5.0),
    "county": Size(villages=250, funds=16, projects_per_village=5.9),
    "city": Size(villages=1500, funds=20, projects_per_village=5.3),
    "province": Size(villages=12000, funds=25, projects_per_village=5.0),
}

#: category -> (divisible, cost per household (divisible) or (low, high) cost, share of
#: households affected (low, high), weight in need lists for poor / other villages)
CATEGORIES: dict[str, tuple[bool, tuple[int, int], tuple[float, float], float, float]] = {
    "drinking_water": (False, (150_000, 1_500_000), (0.2, 0.7), 1.0, 0.5),
    "road": (False, (300_000, 3_000_000), (0.4, 0.9), 1.0, 0.6),
    "safe_housing": (True, (25_000, 45_000), (0.03, 0.15), 0.9, 0.2),
    "industry": (True, (6_000, 12_000), (0.1, 0.4), 1.0, 0.6),
    "skills_training": (True, (2_500, 4_500), (0.1, 0.3), 0.7, 0.3),
    "irrigation": (False, (120_000, 900_000), (0.2, 0.6), 0.6, 0.4),
    "cooperative": (False, (100_000, 400_000), (0.2, 0.5), 0.5, 0.3),
    "school": (False, (400_000, 2_000_000), (0.2, 0.5), 0.3, 0.15),
    "clinic": (False, (150_000, 600_000), (0.5, 1.0), 0.35, 0.15),
    "activity_venue": (False, (150_000, 500_000), (0.5, 1.0), 0.4, 0.2),
    "village_appearance": (False, (100_000, 800_000), (0.5, 1.0), 0.3, 0.4),
    "broadband": (False, (80_000, 300_000), (0.3, 0.9), 0.3, 0.2),
    "farmland": (True, (3_000, 8_000), (0.1, 0.4), 0.4, 0.2),
    "forestry": (True, (2_000, 6_000), (0.1, 0.3), 0.2, 0.15),
    "nursing_home": (False, (300_000, 1_200_000), (0.05, 0.15), 0.2, 0.1),
    "relocation": (True, (50_000, 70_000), (0.05, 0.25), 0.0, 0.0),  # terrain-driven
}

#: (kind, level, name, earmark, budget weight)
FUNDS: list[tuple[str, str, str, tuple[str, ...], float]] = [
    (
        "poverty_special",
        "central",
        "Central special poverty fund",
        (
            "industry",
            "skills_training",
            "road",
            "drinking_water",
            "safe_housing",
            "irrigation",
            "farmland",
            "cooperative",
        ),
        0.22,
    ),
    (
        "poverty_special",
        "provincial",
        "Provincial special poverty fund",
        ("industry", "skills_training", "road", "drinking_water", "safe_housing", "cooperative"),
        0.12,
    ),
    ("transport", "central", "Rural road fund", ("road",), 0.10),
    ("water", "provincial", "Water conservancy fund", ("drinking_water", "irrigation"), 0.08),
    ("housing", "central", "Dangerous-house renovation fund", ("safe_housing",), 0.06),
    ("relocation", "central", "Ex-situ relocation fund", ("relocation",), 0.07),
    ("water", "central", "Rural drinking-water safety fund", ("drinking_water",), 0.05),
    (
        "poverty_special",
        "county",
        "County poverty fund",
        (
            "industry",
            "road",
            "drinking_water",
            "safe_housing",
            "village_appearance",
            "activity_venue",
        ),
        0.05,
    ),
    (
        "agriculture",
        "provincial",
        "Agricultural development fund",
        ("industry", "cooperative", "farmland", "irrigation"),
        0.05,
    ),
    (
        "migrant_support",
        "provincial",
        "Reservoir migrant support fund",
        ("road", "drinking_water", "industry", "activity_venue", "skills_training"),
        0.04,
    ),
    ("work_relief", "central", "Work-for-relief fund", ("road", "irrigation", "farmland"), 0.04),
    ("forestry", "central", "Forestry ecological fund", ("forestry", "industry"), 0.03),
    ("education", "provincial", "Rural school improvement fund", ("school",), 0.03),
    ("health", "provincial", "Village clinic fund", ("clinic", "nursing_home"), 0.02),
    (
        "lottery",
        "central",
        "Lottery welfare poverty fund",
        ("activity_venue", "nursing_home"),
        0.01,
    ),
    (
        "infrastructure",
        "county",
        "Broadband and appearance fund",
        ("broadband", "village_appearance"),
        0.02,
    ),
    (
        "poverty_special",
        "city",
        "City poverty fund",
        ("industry", "road", "drinking_water", "safe_housing", "skills_training"),
        0.04,
    ),
    ("transport", "provincial", "Provincial road fund", ("road",), 0.05),
    ("agriculture", "central", "Farmland construction fund", ("farmland", "irrigation"), 0.03),
    ("housing", "provincial", "Provincial housing subsidy", ("safe_housing",), 0.02),
    ("education", "central", "Preschool and school fund", ("school",), 0.02),
    ("health", "central", "Rural health fund", ("clinic",), 0.02),
    ("water", "county", "County water fund", ("drinking_water", "irrigation"), 0.02),
    (
        "migrant_support",
        "central",
        "Central migrant later-stage fund",
        ("road", "drinking_water", "industry"),
        0.02,
    ),
    (
        "poverty_special",
        "county",
        "County integrated fund",
        ("industry", "skills_training", "cooperative", "village_appearance"),
        0.02,
    ),
]

TERRAINS = ("plain", "hill", "mountain", "gully", "hazard")
TERRAIN_P = (0.3, 0.3, 0.25, 0.1, 0.05)
YEAR = 2026


def generate_case(size: Size, seed: int, with_households: bool = False) -> dict[str, str]:
    """Every file of a generated case: name -> content. Same size and seed, same bytes.

    With ``with_households``, also the household register and the county's household
    measures (``households.csv``, ``measures.csv``), consistent with the villages.
    """
    rng = np.random.default_rng(seed)
    n = size.villages
    townships = max(1, n // 15)
    names = list(CATEGORIES)

    villages: list[Row] = []
    needs: list[Row] = []
    projects: list[Row] = []
    scores: list[Row] = []
    project_costs: list[int] = []
    width = len(str(n))
    project_number = 0
    for i in range(n):
        vid = f"V{i + 1:0{width}d}"
        poor = bool(rng.random() < 0.35)
        population = int(np.clip(rng.lognormal(6.8, 0.5), 120, 6000))
        households = max(30, int(population / rng.uniform(3.0, 4.0)))
        rate = float(rng.uniform(8, 40) if poor else rng.uniform(0.3, 8))
        poor_households = min(households, round(households * rate / 100))
        poor_population = min(population, round(poor_households * rng.uniform(2.8, 3.8)))
        poor_population = max(poor_population, poor_households)
        # Poverty incidence is poor people over people: derived, so the columns agree.
        rate = 100 * poor_population / population
        income = int(rng.uniform(3000, 8000) if poor else rng.uniform(7000, 16000))
        if poor:
            exit_year: int | str = int(YEAR + rng.choice(4, p=(0.3, 0.3, 0.25, 0.15)))
        elif rng.random() < 0.4:
            exit_year = int(YEAR - rng.integers(1, 6))
        else:
            exit_year = ""
        terrain = str(rng.choice(TERRAINS, p=TERRAIN_P))
        migrant = bool(rng.random() < 0.08)
        villages.append(
            [
                vid,
                f"Village {i + 1}",
                f"Township {i % townships + 1}",
                population,
                households,
                poor_households,
                poor_population,
                f"{rate:.1f}",
                income,
                "true" if poor else "false",
                exit_year,
                terrain,
                "true" if migrant else "false",
            ]
        )
        if rng.random() < 0.95:
            scores.append([vid, f"{float(np.clip(rng.normal(78, 10), 30, 100)):.1f}"])

        weights = np.array([CATEGORIES[c][3 if poor else 4] for c in names])
        if terrain in ("mountain", "gully", "hazard"):
            weights[names.index("relocation")] = 0.6 if poor else 0.2
        count = int(
            np.clip(rng.poisson(size.projects_per_village * (1.1 if poor else 0.9)), 1, len(names))
        )
        chosen = rng.choice(
            len(names),
            size=min(count, int((weights > 0).sum())),
            replace=False,
            p=weights / weights.sum(),
        )
        for c in sorted(int(k) for k in chosen):
            category = names[c]
            divisible, cost_range, share_range, _, _ = CATEGORIES[category]
            affected = max(1, int(households * rng.uniform(*share_range)))
            needs.append([vid, category, affected])
            alternatives = 2 if rng.random() < 0.15 else 1
            for alt in range(alternatives):
                project_number += 1
                beneficiaries = max(1, int(affected * (rng.uniform(0.6, 1.0) if alt else 1.0)))
                if divisible:
                    cost = int(beneficiaries * rng.uniform(*cost_range)) // 100 * 100
                else:
                    cost = int(rng.uniform(*cost_range)) // 1000 * 1000
                poor_share = (poor_households / households) * rng.uniform(0.8, 2.5)
                poor_benef = min(beneficiaries, round(beneficiaries * min(1.0, poor_share)))
                projects.append(
                    [
                        f"P{project_number:06d}",
                        vid,
                        f"{category.replace('_', ' ')} {vid}" + (" (alt)" if alt else ""),
                        category,
                        max(cost, 1000),
                        beneficiaries,
                        poor_benef,
                        "true" if divisible else "false",
                    ]
                )
                project_costs.append(max(cost, 1000))

    library_cost = sum(project_costs)
    templates = FUNDS[: size.funds]
    total_weight = sum(t[4] for t in templates)
    funds: list[Row] = []
    for k, (kind, level, name, earmark, weight) in enumerate(templates):
        budget = int(library_cost * size.budget_share * weight / total_weight) // 10_000 * 10_000
        funds.append([f"F{k + 1:02d}", name, kind, level, budget, ";".join(earmark)])

    case_yaml = (
        f"name: Generated {size.villages}-village case (seed {seed})\n"
        f"year: {YEAR}\ncurrency: CNY\n"
        f"description: >\n  Synthetic case made by 'allocator generate' with seed {seed}; "
        "see docs/generator.md.\n"
    )
    extra: dict[str, str] = {}
    if with_households:
        # A generator of its own, so adding the register never changes the other tables.
        extra = household_files(villages, np.random.default_rng([seed, 1]))
    return {
        **extra,
        "case.yaml": case_yaml,
        "villages.csv": csv_text(
            [
                "village_id",
                "name",
                "township",
                "population",
                "households",
                "poor_households",
                "poor_population",
                "poverty_rate",
                "per_capita_income",
                "poor_village",
                "exit_year",
                "terrain",
                "migrant_village",
            ],
            villages,
        ),
        "needs.csv": csv_text(["village_id", "need", "households"], needs),
        "projects.csv": csv_text(
            [
                "project_id",
                "village_id",
                "name",
                "category",
                "cost",
                "households",
                "poor_households",
                "divisible",
            ],
            projects,
        ),
        "funds.csv": csv_text(["fund_id", "name", "kind", "level", "budget", "categories"], funds),
        "scores.csv": csv_text(["village_id", "score"], scores),
    }


def multi_year_files(files: dict[str, str], years: int, seed: int) -> dict[str, str]:
    """A generated one-year case over ``years`` years: ``horizon`` in case.yaml, money per
    fund and year (budgets.csv: the first year's budget, then 80-110% of it a year), two-year
    big works (a fifth of indivisible projects over 400,000 yuan), a tenth of projects not
    ready before the second year, and what recently exited villages received in the three
    years before their exit (history.csv)."""
    if years <= 1:
        return files
    rng = np.random.default_rng(seed + 7_919)
    horizon = list(range(YEAR, YEAR + years))
    out = dict(files)
    out["case.yaml"] = files["case.yaml"].replace(
        f"year: {YEAR}\n", f"year: {YEAR}\nhorizon: [{', '.join(map(str, horizon))}]\n", 1
    )
    budgets: list[Row] = []
    for line in files["funds.csv"].splitlines()[1:]:
        cells = next(csv.reader([line]))
        budget = int(cells[4])
        for k, year in enumerate(horizon):
            amount = budget if k == 0 else int(budget * rng.uniform(0.8, 1.1)) // 1000 * 1000
            budgets.append([cells[0], year, amount])
    out["budgets.csv"] = csv_text(["fund_id", "year", "budget"], budgets)
    lines = files["projects.csv"].splitlines()
    header = next(csv.reader([lines[0]]))
    cost_at, divisible_at = header.index("cost"), header.index("divisible")
    projects: list[Row] = []
    for line in lines[1:]:
        row = next(csv.reader([line]))
        big = row[divisible_at] == "false" and int(row[cost_at]) > 400_000
        duration = 2 if big and rng.random() < 0.2 else 1
        earliest: str | int = YEAR + 1 if rng.random() < 0.1 else ""
        projects.append([*row, duration, earliest])
    out["projects.csv"] = csv_text([*header, "duration", "earliest_year"], projects)
    history: list[Row] = []
    for line in files["villages.csv"].splitlines()[1:]:
        cells = next(csv.reader([line]))
        exit_year = cells[10]
        if exit_year and YEAR - 3 <= int(exit_year) < YEAR:
            for k in (3, 2, 1):
                history.append([cells[0], int(exit_year) - k, int(rng.integers(0, 60)) * 10_000])
    out["history.csv"] = csv_text(["village_id", "year", "amount"], history)
    return out


def write_case(files: dict[str, str], out: Path | str) -> Path:
    """Write a generated case folder atomically (refuses to overwrite other folders)."""
    return write_files(files, Path(out), marker="case.yaml")


#: (measure_id, name, category, per household, per member, share of poor households as
#: quota or None, closes)
MEASURES: list[tuple[str, str, str, int, int, float | None, str]] = [
    ("M01", "Dangerous-house renovation", "safe_housing", 30_000, 0, None, "safe_housing"),
    ("M02", "Ex-situ relocation", "relocation", 10_000, 20_000, 0.05, "safe_housing"),
    ("M03", "Household water cistern", "drinking_water", 3_000, 0, None, "safe_water"),
    ("M04", "Industry development subsidy", "industry", 5_000, 0, None, ""),
    ("M05", "Skills training place", "skills_training", 2_000, 0, 0.3, ""),
    ("M06", "Microcredit interest subsidy", "financial_service", 1_500, 0, 0.4, ""),
    ("M07", "Public-welfare job", "social_security", 6_000, 0, 0.1, ""),
]
#: main causes of poverty and how often the register records each (DOMAIN.md)
CAUSE_WEIGHTS = {
    "illness": 0.30,
    "disability": 0.08,
    "schooling": 0.08,
    "disaster": 0.04,
    "lack_of_labour": 0.12,
    "lack_of_skills": 0.12,
    "lack_of_funds": 0.12,
    "lack_of_land": 0.04,
    "lack_of_water": 0.04,
    "other": 0.06,
}


def _sizes(people: int, homes: int, rng: np.random.Generator) -> list[int]:
    """``people`` spread over ``homes`` households of at least one member each."""
    if homes <= 0:
        return []
    extra = max(0, people - homes)
    return [1 + int(k) for k in rng.multinomial(extra, [1.0 / homes] * homes)]


def household_files(villages: list[Row], rng: np.random.Generator) -> dict[str, str]:
    """households.csv and measures.csv for generated villages (rows as in villages.csv).

    Per village the register has exactly its households and registered poor
    households; members add up to its population and poor population where the
    counts allow. Registered poor households exit in their village's exit year
    when it is a poor village, else within the next three years; a tenth of
    other households in villages with an exit year exited before.
    """
    causes = list(CAUSE_WEIGHTS)
    weights = np.array([CAUSE_WEIGHTS[c] for c in causes])
    rows: list[Row] = []
    total_poor = 0
    for v in villages:
        vid = str(v[0])
        population, homes, poor, poor_people = (int(str(v[k])) for k in (3, 4, 5, 6))
        poor_village = v[9] == "true"
        exit_year = v[10]
        hazard = v[11] in ("mountain", "gully", "hazard")
        sizes = _sizes(poor_people, poor, rng) + _sizes(population - poor_people, homes - poor, rng)
        width = len(str(homes))
        total_poor += poor
        for k, members in enumerate(sizes):
            registered = k < poor
            if registered:
                year: int | str = (
                    int(exit_year)
                    if poor_village and exit_year != ""
                    else int(YEAR + rng.choice(4, p=(0.35, 0.3, 0.2, 0.15)))
                )
                cause: str = str(rng.choice(causes, p=weights / weights.sum()))
                unsafe_house = rng.random() < (0.35 if hazard else 0.2)
                unsafe_water = rng.random() < 0.15
                income = int(rng.uniform(2_300, 4_200))
            else:
                year = int(exit_year) if exit_year != "" and rng.random() < 0.1 else ""
                if year != "" and int(year) > YEAR:
                    year = ""
                cause = ""
                unsafe_house = rng.random() < 0.02
                unsafe_water = rng.random() < 0.03
                income = int(rng.uniform(5_000, 16_000))
            labour = int(min(members, rng.binomial(members, 0.45 if registered else 0.6)))
            rows.append(
                [
                    f"{vid}-H{k + 1:0{width}d}",
                    vid,
                    members,
                    "true" if registered else "false",
                    year,
                    cause,
                    "false" if unsafe_house else "true",
                    "false" if unsafe_water else "true",
                    income,
                    labour,
                ]
            )
    measures: list[Row] = [
        [
            mid,
            name,
            category,
            per_household,
            per_member,
            "" if quota is None else max(1, int(quota * total_poor)),
            closes,
        ]
        for mid, name, category, per_household, per_member, quota, closes in MEASURES
    ]
    return {
        "households.csv": csv_text(
            [
                "household_id",
                "village_id",
                "members",
                "poor",
                "exit_year",
                "cause",
                "safe_housing",
                "safe_water",
                "income",
                "labour",
            ],
            rows,
        ),
        "measures.csv": csv_text(
            [
                "measure_id",
                "name",
                "category",
                "cost_per_household",
                "cost_per_member",
                "quota",
                "closes",
            ],
            measures,
        ),
    }


#: a county of a generated region: its own funds hold less (the region's funds add more)
REGION_COUNTY = Size(villages=240, funds=16, projects_per_village=5.6, budget_share=0.30)
#: the region's own funds: the first templates of FUNDS, as ids R01, R02, ...
REGION_FUNDS = 4
REGION_SHARE = 0.15  # region money as a share of all counties' library cost


def generate_region(counties: int, seed: int, with_households: bool = False) -> dict[str, str]:
    """A region folder's files: region.yaml, the region's funds.csv, and ``counties``
    generated county cases (``county_001/``, ...), each from its own seed."""
    files: dict[str, str] = {}
    library_cost = 0
    for i in range(counties):
        case = generate_case(REGION_COUNTY, seed * 10_000 + i + 1, with_households)
        name = f"county_{i + 1:03d}"
        for file, text in case.items():
            files[f"{name}/{file}"] = text
        costs = [line.split(",")[4] for line in case["projects.csv"].splitlines()[1:]]
        library_cost += sum(int(c) for c in costs if c.isdigit())
    templates = FUNDS[:REGION_FUNDS]
    total_weight = sum(t[4] for t in templates)
    funds: list[Row] = []
    for k, (kind, level, name, earmark, weight) in enumerate(templates):
        budget = int(library_cost * REGION_SHARE * weight / total_weight) // 10_000 * 10_000
        funds.append([f"R{k + 1:02d}", f"{name} (region)", kind, level, budget, ";".join(earmark)])
    files["funds.csv"] = csv_text(
        ["fund_id", "name", "kind", "level", "budget", "categories"], funds
    )
    files["region.yaml"] = (
        f"name: Generated {counties}-county region (seed {seed})\n"
        f"year: {YEAR}\ncurrency: CNY\n"
        "description: >\n"
        f"  Synthetic region of {counties} generated counties sharing {REGION_FUNDS} region\n"
        "  funds (docs/generator.md).\n"
    )
    return files


def write_region(files: dict[str, str], out: Path | str) -> Path:
    """Write a generated region folder atomically."""
    return write_files(files, Path(out), marker="region.yaml")
