"""Words for people, in English and Chinese: one catalog, one function.

Everything a person reads in the terminal summary, the report, the public
notice and the workbooks comes from ``TEXT`` through :func:`t`; machine outputs
(CSV headers, JSON keys, reason codes) stay stable English. The terms follow
docs/glossary.md.

Messages made deep in the library (errors, warnings, violations, explanations)
are :class:`Text`: ``msg("row has {n} cells", n=3)`` reads as English wherever
a string is expected, and keeps its template and values, so the command line
can say it in the user's language with :func:`say` (the Chinese templates are
in ``allocator/messages_zh.py``, keyed by the English template, as gettext
keys by its msgid; ``tests/test_messages.py`` checks every one has its
translation with the same fields).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")

TEXT: dict[str, dict[str, str]] = {
    # terminal summary
    "headline": {
        "en": "{name} ({year}): status {status}, value {value}, bound {bound}, gap {gap}",
        "zh": "{name}（{year}年）：状态 {status}，效益值 {value}，上界 {bound}，差距 {gap}",
    },
    "relaxed": {
        "en": "RELAXED PLAN: it violates {n} policy instance(s) of the model spec (--relax):",
        "zh": "放宽方案：违反模型设定中的 {n} 项政策（--relax）：",
    },
    "note.time_limit": {
        "en": "The time limit was reached: this is the best plan found, not a proven optimum.",
        "zh": "已达到求解时限：这是找到的最好方案，未证明最优。",
    },
    "note.heuristic": {
        "en": "This plan was made by the factor method (a rule of thumb), not optimized: "
        "it has no bound and no gap.",
        "zh": "本方案按因素法分配（经验方法），未经优化：没有上界和差距。",
    },
    "warning": {"en": "warning: {text}", "zh": "注意：{text}"},
    "error": {"en": "error: {text}", "zh": "错误：{text}"},
    "phase.starting": {"en": "starting", "zh": "正在启动"},
    "phase.load": {
        "en": "loading the case, rules and model spec",
        "zh": "正在读取案例、规则和模型设定",
    },
    "phase.rules": {"en": "evaluating eligibility rules", "zh": "正在计算资金使用规则"},
    "phase.build": {"en": "building the model", "zh": "正在建立模型"},
    "phase.start": {
        "en": "finding a starting plan (greedy and LP-guided)",
        "zh": "正在寻找初始方案（贪心法和线性规划引导）",
    },
    "phase.margin": {"en": "solving the projects at the margin", "zh": "正在求解边际项目"},
    "phase.years": {
        "en": "deciding start years, year by year",
        "zh": "正在逐年确定项目开工年度",
    },
    "phase.solve": {"en": "solving with HiGHS", "zh": "正在用 HiGHS 求解"},
    "phase.round": {"en": "rounding to whole yuan and checking", "zh": "正在取整到元并校验"},
    "phase.write": {"en": "writing outputs", "zh": "正在写入结果"},
    "phase.envelopes": {
        "en": "pricing region money (county envelopes)",
        "zh": "正在为区域资金定价（县级资金切块）",
    },
    "phase.bound": {
        "en": "tightening the bound with whole projects",
        "zh": "正在按整项目收紧上界",
    },
    "phase.search": {
        "en": "  incumbent {incumbent}  bound {bound}  gap {gap}",
        "zh": "  当前最好 {incumbent}  上界 {bound}  差距 {gap}",
    },
    "phase.done": {"en": "{name} done", "zh": "{name} 已完成"},
    "phase.solved": {"en": "{name} solved", "zh": "{name} 已求解"},
    "quiet.written": {
        "en": "{label}{status}: plan written to {out}/",
        "zh": "{label}{status}：方案已写入 {out}/",
    },
    "quiet.relaxed": {"en": "relaxed ", "zh": "放宽 "},
    "batch.title": {"en": "{n} cases, {jobs} at a time", "zh": "{n} 个案例，每次 {jobs} 个"},
    "written.file": {"en": "Written {path}", "zh": "已写入 {path}"},
    "generated": {
        "en": "Generated a {size} case (seed {seed}) in {out}/",
        "zh": "已在 {out}/ 生成 {size} 规模的案例（随机种子 {seed}）",
    },
    "interrupted": {"en": "interrupted: nothing was written", "zh": "已中断：未写入任何内容"},
    "internal": {
        "en": "internal error: {text} (please report it; rerun with --debug for details)",
        "zh": "内部错误：{text}（请报告此问题；加 --debug 重新运行可看详情）",
    },
    "check.valid": {
        "en": "{folder}: valid. {villages} villages, {projects} projects, {funds} funds, {needs} "
        "needs; rule set '{ruleset}' ({rules}), model spec '{spec}'.",
        "zh": "{folder}：有效。行政村 {villages} 个，项目 {projects} 个，资金 {funds} 项，"
        "需求 {needs} 条；规则集“{ruleset}”（{rules}），模型设定“{spec}”。",
    },
    "check.rules": {"en": "{total} rules", "zh": "{total} 条规则"},
    "check.rules_split": {
        "en": "{total} rules: {projects} for projects, {households} for household measures",
        "zh": "{total} 条规则：项目 {projects} 条，到户措施 {households} 条",
    },
    "check.pairs": {
        "en": "Eligible (fund, project) pairs: {eligible} of {pairs}; projects with at least one "
        "eligible fund: {fundable} of {projects}.",
        "zh": "可用的（资金，项目）组合：{eligible} 个（共 {pairs} 个）；"
        "至少有一项可用资金的项目：{fundable} 个（共 {projects} 个）。",
    },
    "verify.valid": {
        "en": "valid: {rows} allocation rows, {allocated} yuan; every budget, earmark, rule, "
        "project, measure and policy holds.",
        "zh": "有效：分配明细 {rows} 行，{allocated} 元；"
        "预算、使用范围、规则、项目、措施和政策均满足。",
    },
    "verify.violations": {"en": "{n} violation(s) in {where}:", "zh": "{where} 中有 {n} 处违规："},
    "test.summary": {
        "en": "{passed} passed, {failed} failed ({files} rule-set test file(s))",
        "zh": "通过 {passed} 项，失败 {failed} 项（规则集测试文件 {files} 个）",
    },
    "test.failed": {"en": "FAILED {file}: {message}", "zh": "失败 {file}：{message}"},
    "compare.table": {
        "en": "What-if: {case} (baseline {baseline})",
        "zh": "方案比较：{case}（基准 {baseline}）",
    },
    "compare.written": {
        "en": "Comparison written to {out}/ (report.html, report.md, compare_*.csv, "
        "comparison.json, scenarios/<name>/)",
        "zh": "比较结果已写入 {out}/（report.html、report.md、compare_*.csv、"
        "comparison.json、scenarios/<方案名>/）",
    },
    "funds.title": {"en": "Budget used per fund", "zh": "各项资金使用情况"},
    "years.title": {"en": "Plan by year (all funds)", "zh": "分年度资金安排（全部资金）"},
    "total": {"en": "total", "zh": "合计"},
    "projects.line": {
        "en": "Projects funded: {full} fully, {partial} partly, {unfunded} not, {none} with no "
        "eligible fund (of {projects}). Villages reached: {villages} of {all_villages}. Poor "
        "households reached: {poor}.",
        "zh": "项目：全额安排 {full} 个，部分安排 {partial} 个，未安排 {unfunded} 个，"
        "无可用资金 {none} 个（共 {projects} 个）。覆盖行政村 {villages} 个"
        "（共 {all_villages} 个），惠及贫困户 {poor} 户。",
    },
    "households.line": {
        "en": "Registered poor households given a measure: {reached} of {poor} "
        "({money} yuan). Exiting this year: {exiting_reached} of {exiting_eligible} "
        "eligible ({exiting} on the register).{standards}",
        "zh": "建档立卡贫困户获得帮扶措施 {reached} 户（共 {poor} 户，{money} 元）；"
        "本年度计划脱贫户 {exiting_reached} 户获得措施（可享受措施 {exiting_eligible} 户，"
        "登记 {exiting} 户）。{standards}",
    },
    "standards.line": {
        "en": " Poor villages exiting this year meeting their exit standards: {meeting} of {all}.",
        "zh": "本年度退出贫困村达到退出标准 {meeting} 个（共 {all} 个）。",
    },
    "unmet.title": {"en": "Top unmet needs ({n} in all)", "zh": "主要未满足需求（共 {n} 项）"},
    "written": {
        "en": "Plan written to {out}/ ({files})",
        "zh": "方案已写入 {out}/（{files}）",
    },
    "status.optimal": {"en": "optimal", "zh": "最优"},
    "status.time_limit": {"en": "time_limit", "zh": "达到时限"},
    "status.heuristic": {"en": "heuristic", "zh": "经验方法"},
    # column titles (terminal tables, report, notice, plan workbook)
    "col.fund": {"en": "fund", "zh": "资金"},
    "col.fund_id": {"en": "fund", "zh": "资金编码"},
    "col.name": {"en": "name", "zh": "名称"},
    "col.kind": {"en": "kind", "zh": "类型"},
    "col.level": {"en": "level", "zh": "级别"},
    "col.budget": {"en": "budget", "zh": "预算"},
    "col.allocated": {"en": "allocated", "zh": "已分配"},
    "col.unused": {"en": "unused", "zh": "未使用"},
    "col.used": {"en": "used", "zh": "使用率"},
    "col.year": {"en": "year", "zh": "年度"},
    "col.carried_in": {"en": "carried in", "zh": "上年结转"},
    "col.spent": {"en": "spent", "zh": "支出"},
    "col.carried_out": {"en": "carried out", "zh": "结转下年"},
    "col.lapsed": {"en": "lapsed", "zh": "收回"},
    "col.projects_paid": {"en": "projects paid", "zh": "支付项目数"},
    "col.marginal_value_per_10k": {"en": "price of money", "zh": "资金边际价值"},
    "col.idle_reason": {"en": "why idle", "zh": "结余原因"},
    "col.idle_detail": {"en": "why idle, in words", "zh": "结余说明"},
    "col.village": {"en": "village", "zh": "行政村"},
    "col.village_id": {"en": "village", "zh": "行政村编码"},
    "col.township": {"en": "township", "zh": "乡镇"},
    "col.need": {"en": "need", "zh": "需求"},
    "col.households": {"en": "households", "zh": "户数"},
    "col.households_missing": {"en": "households missing", "zh": "未覆盖户数"},
    "col.households_covered": {"en": "households covered", "zh": "已覆盖户数"},
    "col.poor_households": {"en": "poor households", "zh": "贫困户数"},
    "col.reason": {"en": "reason", "zh": "原因"},
    "col.detail": {"en": "detail", "zh": "说明"},
    "col.project": {"en": "project", "zh": "项目"},
    "col.project_id": {"en": "project", "zh": "项目编码"},
    "col.category": {"en": "category", "zh": "类别"},
    "col.cost": {"en": "cost", "zh": "资金规模"},
    "col.amount": {"en": "amount", "zh": "金额"},
    "col.yuan": {"en": "yuan", "zh": "金额（元）"},
    "col.sources": {"en": "fund sources (yuan)", "zh": "资金来源（元）"},
    "col.status": {"en": "status", "zh": "状态"},
    "col.value": {"en": "value", "zh": "效益值"},
    "col.eligible_funds": {"en": "eligible funds", "zh": "可用资金"},
    "col.poor_village": {"en": "poor village", "zh": "贫困村"},
    "col.score": {"en": "score", "zh": "绩效得分"},
    "col.projects": {"en": "projects", "zh": "项目数"},
    "col.projects_funded": {"en": "projects funded", "zh": "已安排项目"},
    "col.needs": {"en": "needs", "zh": "需求数"},
    "col.needs_unmet": {"en": "needs unmet", "zh": "未满足需求"},
    "col.scenario": {"en": "scenario", "zh": "方案"},
    "col.case": {"en": "case", "zh": "案例"},
    "col.seconds": {"en": "seconds", "zh": "秒"},
    "col.output": {"en": "output", "zh": "输出"},
    "col.poor households": {"en": "poor households", "zh": "贫困户数"},
    "col.funded": {"en": "funded", "zh": "已安排"},
    "col.gained": {"en": "gained", "zh": "新增"},
    "col.lost": {"en": "lost", "zh": "取消"},
    "col.moved (villages)": {"en": "moved (villages)", "zh": "变动（按行政村）"},
    "col.moved (funds)": {"en": "moved (funds)", "zh": "变动（按资金）"},
    "col.inputs changed": {"en": "inputs changed", "zh": "输入变化"},
    "col.item": {"en": "item", "zh": "项目"},
    "col.total": {"en": "total", "zh": "合计"},
    "col.household_id": {"en": "household", "zh": "户编码"},
    "col.measure_id": {"en": "measure", "zh": "措施编码"},
    "col.measures": {"en": "measures", "zh": "帮扶措施"},
    "col.members": {"en": "members", "zh": "家庭人口"},
    "col.exit_year": {"en": "exit year", "zh": "计划脱贫年度"},
    # report
    "report.title": {
        "en": "Allocation plan: {name} ({year})",
        "zh": "资金分配方案：{name}（{year}年）",
    },
    "report.status": {
        "en": "Status <b>{status}</b>, value {value}, gap {gap}; rule set {rules}, "
        "model spec {spec}.",
        "zh": "状态 <b>{status}</b>，效益值 {value}，差距 {gap}；规则集 {rules}，模型设定 {spec}。",
    },
    "fig.allocated": {"en": "allocated (yuan)", "zh": "已分配资金（元）"},
    "fig.of": {"en": "{a} of {b}", "zh": "{a} / {b}"},
    "fig.projects": {"en": "projects funded", "zh": "已安排项目"},
    "fig.villages": {"en": "villages reached", "zh": "覆盖行政村"},
    "fig.poor": {"en": "poor households reached", "zh": "惠及贫困户"},
    "fig.unmet": {"en": "needs left unmet", "zh": "未满足需求"},
    "sec.funds": {"en": "Money per fund: used, idle, and why", "zh": "各项资金：已用、结余及原因"},
    "chart.funds": {"en": "Money per fund (yuan)", "zh": "各项资金（元）"},
    "legend.allocated": {"en": "allocated", "zh": "已分配"},
    "legend.unused": {"en": "unused", "zh": "未使用"},
    "chart.prices": {
        "en": "Price of money: value 10,000 more yuan would buy, per fund",
        "zh": "资金边际价值：每增加1万元可带来的效益",
    },
    "sec.where": {"en": "Money by township and by category", "zh": "按乡镇和类别的资金"},
    "chart.township": {"en": "Money by township (yuan)", "zh": "按乡镇（元）"},
    "chart.category": {"en": "Money by category (yuan)", "zh": "按类别（元）"},
    "sec.unmet": {"en": "Needs left unmet, and why", "zh": "未满足的需求及原因"},
    "chart.reasons": {
        "en": "Households whose listed need is unmet, by reason",
        "zh": "需求未满足的户数（按原因）",
    },
    "more": {"en": "... and {n} more in {file}.", "zh": "……另有 {n} 条，见 {file}。"},
    "footer": {
        "en": "Made by allocator {version}. Every amount is whole yuan; the CSV files beside "
        "this page hold every row.",
        "zh": "由 allocator {version} 生成。所有金额均为整数元；同目录下的 CSV 文件包含全部明细。",
    },
    "compare.title": {"en": "What-if comparison: {name}", "zh": "方案比较：{name}"},
    "compare.base": {
        "en": "Baseline: <b>{base}</b>. Changes are against it, in whole yuan.",
        "zh": "基准方案：<b>{base}</b>。以下变化均相对基准方案，单位为元。",
    },
    "compare.section": {
        "en": "{scenario} against {base}: who gains, who loses",
        "zh": "{scenario} 与 {base} 相比：增减情况",
    },
    "compare.chart": {"en": "Change by {dimension} (yuan)", "zh": "按{dimension}的变化（元）"},
    "compare.none": {
        "en": "No money moves between {dimension}s.",
        "zh": "各{dimension}之间资金无变化。",
    },
    "dim.township": {"en": "township", "zh": "乡镇"},
    "dim.fund": {"en": "fund", "zh": "资金"},
    "dim.category": {"en": "category", "zh": "类别"},
    # notice
    "notice.title": {
        "en": "Public notice of funded projects: {township}",
        "zh": "扶贫项目资金安排公告：{township}",
    },
    "notice.intro": {
        "en": "{name}, plan for {year}. Total {total} yuan. This notice stays posted for {days} "
        "days; anyone may object or report a problem to {channel}.",
        "zh": "{name}{year}年度项目资金安排，合计 {total} 元。本公告公示 {days} 天，"
        "如有异议或发现问题，请向{channel}反映。",
    },
    "notice.channel": {
        "en": "the county poverty-alleviation office, or the supervision hotline 12317",
        "zh": "县扶贫办或扶贫监督举报电话12317",
    },
    "notice.none": {"en": "No project funded in this plan.", "zh": "本方案未安排项目。"},
    "notice.issuer": {"en": "Posted by {issuer}.", "zh": "发布单位：{issuer}"},
    # workbooks
    "sheet.summary": {"en": "summary", "zh": "概要"},
    "sheet.funds": {"en": "funds", "zh": "资金"},
    "sheet.fund_by_township": {"en": "fund_by_township", "zh": "资金按乡镇"},
    "sheet.allocations": {"en": "allocations", "zh": "分配明细"},
    "sheet.projects": {"en": "projects", "zh": "项目"},
    "sheet.villages": {"en": "villages", "zh": "行政村"},
    "sheet.unmet_needs": {"en": "unmet_needs", "zh": "未满足需求"},
    "sheet.household_measures": {"en": "household_measures", "zh": "到户措施明细"},
    "sheet.households": {"en": "households", "zh": "建档立卡贫困户"},
    "template.title": {"en": "allocator case workbook", "zh": "allocator 资金分配案例工作簿"},
    "template.guide": {
        "en": "Fill the 'case' sheet (key in column A, value in B) and one row per item in each "
        "table sheet; keep the headers. Money is whole yuan. Lists (categories) are "
        "';'-separated. Run: allocator check THIS.xlsx, then allocator run THIS.xlsx",
        "zh": "在“case”表中填写基本信息（A列为键，B列为值），在各数据表中每行填写一条记录，"
        "保留表头。金额为整数元。多个类别用“;”分隔。运行：allocator check 本文件.xlsx，"
        "然后 allocator run 本文件.xlsx",
    },
    "template.columns": {"en": "sheet|column|type|required|meaning", "zh": "表|列|类型|必填|说明"},
}


def t(key: str, language: Language = "en", **values: object) -> str:
    """The text ``key`` in ``language``, with ``values`` filled in (English if untranslated)."""
    entry = TEXT[key]
    return entry.get(language, entry["en"]).format(**values)


def column(name: str, language: Language = "en") -> str:
    """A column's title for people (the machine name where the catalog has none)."""
    entry = TEXT.get(f"col.{name}")
    return name if entry is None else entry.get(language, entry["en"])


_FIELDS = re.compile(r"\{[^{}]*\}")
_WORDS = re.compile(r"[A-Za-z]{2,}")


class Text(str):
    """A message for people: reads as English, remembers how to say it in Chinese."""

    template: str
    values: Mapping[str, object]

    def __new__(cls, template: str, values: Mapping[str, object]) -> Text:
        text = super().__new__(cls, template.format(**values))
        text.template = template
        text.values = values
        return text

    # Gluing keeps the parts translatable: "  " + text is still a Text (Python asks a str
    # subclass's __radd__ before str's own __add__).
    def __add__(self, other: str) -> Text:
        return Text("{left}{right}", {"left": self, "right": other})

    def __radd__(self, other: str) -> Text:
        return Text("{left}{right}", {"left": other, "right": self})

    def __reduce__(self) -> tuple[type[Text], tuple[str, dict[str, object]]]:
        return (Text, (self.template, dict(self.values)))  # across process boundaries

    def say(self, language: Language) -> str:
        """This message in ``language`` (English where no translation is known)."""
        if language == "en":
            return str(self)
        from allocator.messages_zh import ZH

        template = ZH.get(self.template)
        if template is None and not _WORDS.search(_FIELDS.sub("", self.template)):
            template = self.template  # only fields and punctuation: nothing to translate
        if template is None:
            return str(self)
        return template.format(**{k: _said(v, language) for k, v in self.values.items()})


def _said(value: object, language: Language) -> object:
    if isinstance(value, Text):
        return value.say(language)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Text) for v in value):
        return type(value)(v.say(language) for v in value)
    return value


def msg(template: str, /, **values: object) -> Text:
    """A message with named fields: ``msg("found '{text}'", text=cell)``."""
    return Text(template, values)


def join(separator: str, items: Iterable[object]) -> Text:
    """``separator.join(items)`` that keeps each item translatable."""
    values = {f"item{i}": item for i, item in enumerate(items)}
    return Text(
        separator.replace("{", "{{").replace("}", "}}").join(f"{{{k}}}" for k in values), values
    )


def validation_text(error: Mapping[str, object]) -> Text:
    """One pydantic error as a translatable message that reads exactly as pydantic's English.

    The common error types are spelt out here with pydantic's own wording (checked
    against the error's text, so an upgrade that rewords them falls back safely);
    a validator's ValueError keeps its own translatable text.
    """
    ctx = error.get("ctx")
    context = dict(ctx) if isinstance(ctx, Mapping) else {}
    original = str(error.get("msg", ""))
    reason = context.get("error")
    if error.get("type") == "value_error" and isinstance(reason, ValueError) and reason.args:
        context["error"] = reason.args[0]
    template = _PYDANTIC.get(str(error.get("type", "")))
    if template is not None:
        try:
            text = Text(template, context)
        except (KeyError, IndexError, ValueError):
            text = None
        if text is not None and str(text) == original:
            return text
    return msg("{text}", text=original)


#: pydantic's English for the errors case files commonly hit, with its fields
_PYDANTIC = {
    "missing": "Field required",
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer, unable to parse string as an integer",
    "int_from_float": "Input should be a valid integer, got a number with a fractional part",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number, unable to parse string as a number",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable to interpret input",
    "string_type": "Input should be a valid string",
    "string_too_short": "String should have at least {min_length} character",
    "greater_than_equal": "Input should be greater than or equal to {ge}",
    "greater_than": "Input should be greater than {gt}",
    "less_than_equal": "Input should be less than or equal to {le}",
    "less_than": "Input should be less than {lt}",
    "literal_error": "Input should be {expected}",
    "extra_forbidden": "Extra inputs are not permitted",
    "value_error": "Value error, {error}",
    "list_type": "Input should be a valid list",
    "dict_type": "Input should be a valid dictionary",
}


def say(text: object, language: Language = "en") -> str:
    """Any message in ``language``: a :class:`Text` translated, anything else as it is."""
    return text.say(language) if isinstance(text, Text) else str(text)
