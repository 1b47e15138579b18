"""Chinese for every message the library makes, keyed by its English template.

Fields keep their names and formats; ``tests/test_messages.py`` checks every
``msg(...)`` in the code has an entry here with the same fields. Terms follow
docs/glossary.md.
"""

from __future__ import annotations

# fmt: off
ZH: dict[str, str] = {
    'its need ({need}) is already met in part by {ids} (funded): it would add {households} of its {total} households ({poor} of its {total_poor} poor ones), worth {density:.3g} per 10k yuan (prices: {price_text})':
        '其需求（{need}）已由 {ids}（已安排）部分满足：安排它只能再增加其 {total} 户中的 {households} 户（贫困户 {total_poor} 户中的 {poor} 户），每万元效益值 {density:.3g}（资金边际价值：{price_text}）',
    "module 'allocator' has no attribute {name!r}":
        '模块 allocator 没有属性 {name!r}',
    'case folders must have distinct names (each gets out/<name>)':
        '案例文件夹名称不能重复（每个案例输出到 out/<名称>）',
    "scenario '{text}' should look like name=RULES.yaml[,MODEL.yaml] (a name of letters, digits, - and _)":
        '方案“{text}”的格式应为 名称=规则集.yaml[,模型设定.yaml]（名称由字母、数字、- 和 _ 组成）',
    'Nothing: the scenarios use identical rules and spec parameters.':
        '无：各方案的规则和模型设定参数相同。',
    'None.':
        '无。',
    'No policy figure differs between the scenarios.':
        '各方案的政策指标没有差别。',
    'compare needs at least two scenarios (the first is the baseline)':
        '方案比较至少需要两个方案（第一个为基准方案）',
    'scenario names must be unique: {names}':
        '方案名称不能重复：{names}',
    'expected a case folder or a .xlsx workbook':
        '应为案例文件夹或 .xlsx 工作簿',
    'case.yaml must be a mapping of keys':
        'case.yaml 必须是“键: 值”形式的映射',
    'cannot write the workbook: {strerror}':
        '无法写入工作簿：{strerror}',
    "'{key}' is a nested setting, which a workbook's case sheet cannot hold yet":
        '“{key}”是嵌套设置，工作簿的 case 表暂不能容纳',
    'converting a case folder needs a .xlsx target':
        '转换案例文件夹需要指定 .xlsx 目标文件',
    'the bundled default {what} was not found (allocator was installed without its checkout); pass {option} FILE':
        '未找到内置的默认{what}（allocator 安装时未包含源代码目录）；请用 {option} 文件 指定',
    'time limit must be more than 0 and at most 86400 s, not {seconds}':
        '求解时限必须大于 0 且不超过 86400 秒，而不是 {seconds}',
    'the policies of the model spec cannot all hold ({n_conflicts} conflict(s))':
        '模型设定中的政策无法同时满足（{n_conflicts} 处冲突）',
    "more than {most} projects address need '{need}' of village {village} (a need's households are counted once over every set of its projects: 2^n sets)":
        '针对村 {village} 的需求“{need}”的项目超过 {most} 个（同一需求的户数在其项目的每种组合上只计一次：共 2^n 种组合）',
    '{project_id}/{fund_id}: amount {amount!r} is not a positive whole number of yuan':
        '{project_id}/{fund_id}：金额 {amount!r} 不是正整数元',
    '{fund_id} pays {project_id} but the pair is not eligible':
        '{fund_id} 支付了 {project_id}，但该资金不能用于该项目',
    'fund {fund_id} allocates {value} but its budget is {value2}':
        '资金 {fund_id} 安排了 {value}，但其预算为 {value2}',
    'project {project_id} receives {value}, more than its cost {value2}':
        '项目 {project_id} 获得 {value}，超过其投资 {value2}',
    'indivisible project {project_id} is part-funded: {value} of {value2}':
        '不可拆分项目 {project_id} 只安排了部分资金：{value}（共 {value2}）',
    '{value}/{fund_id}: amount {amount!r} is not a positive whole number of yuan':
        '{value}/{fund_id}：金额 {amount!r} 不是正整数元',
    'household {ids} gets measure {measure_id} but is not on the poverty register':
        '农户 {ids} 获得措施 {measure_id}，但不是建档立卡贫困户',
    '{value} is paid {value2} but costs {value3} for this household (a measure is given whole or not at all)':
        '{value} 支付了 {value2}，但该户所需为 {value3}（措施要么全额安排，要么不安排）',
    'fund {fund_id} pays measure {measure_id} for household {case_ids} but it is not eligible':
        '资金 {fund_id} 为农户 {case_ids} 支付措施 {measure_id}，但该资金不能用于此',
    'missing column(s) {missing}; expected {COLUMNS}':
        '缺少列 {missing}；应有 {COLUMNS}',
    'row {row}: has {n_cells} cells, expected {n_header}':
        '第 {row} 行：有 {n_cells} 个单元格，应为 {n_header} 个',
    "row {row}: unknown project_id '{pid}'":
        '第 {row} 行：未知的 project_id“{pid}”',
    "row {row}: unknown fund_id '{fid}'":
        '第 {row} 行：未知的 fund_id“{fid}”',
    "row {row}: amount '{raw}' is not a whole number of yuan":
        '第 {row} 行：金额“{raw}”不是整数元',
    'row {row}: {fund_id} -> {project_id} repeats row {seen}':
        '第 {row} 行：{fund_id} -> {project_id} 与第 {seen} 行重复',
    'row {row}: {fund_id} may not pay for {project_id} (excluded by {check})':
        '第 {row} 行：{fund_id} 不能用于 {project_id}（被 {check} 排除）',
    "row {row}: project {pid} is in village {village_id}, not '{vid}'":
        '第 {row} 行：项目 {pid} 属于行政村 {village_id}，而不是“{vid}”',
    'row {row}: amount {raw} is not positive':
        '第 {row} 行：金额 {raw} 不是正数',
    '{FILE} row {row}: has {n_cells} cells, expected {n_header}':
        '{FILE} 第 {row} 行：有 {n_cells} 个单元格，应为 {n_header} 个',
    "{where}: unknown measure_id '{mid}'":
        '{where}：未知的 measure_id“{mid}”',
    "{where}: unknown fund_id '{fid}'":
        '{where}：未知的 fund_id“{fid}”',
    "{where}: amount '{raw}' is not a whole number of yuan":
        '{where}：金额“{raw}”不是整数元',
    '{FILE} row {row}: {fid} -> {hid}/{mid} repeats row {seen}':
        '{FILE} 第 {row} 行：{fid} -> {hid}/{mid} 与第 {seen} 行重复',
    '{FILE} row {row}: {fid} may not pay {mid} for household {hid} (excluded by {check})':
        '{FILE} 第 {row} 行：{fid} 不能为农户 {hid} 支付 {mid}（被 {check} 排除）',
    "{where}: unknown household_id '{hid}'":
        '{where}：未知的 household_id“{hid}”',
    "{where}: household {hid} is in village {village_id}, not '{vid}'":
        '{where}：农户 {hid} 属于行政村 {village_id}，而不是“{vid}”',
    '{where}: amount {raw} is not positive':
        '{where}：金额 {raw} 不是正数',
    'unknown violation':
        '未知违规',
    ' (and {n} more)':
        '（另有 {n} 处）',
    'plan failed the independent check: {head}{more}':
        '方案未通过独立校验：{head}{more}',
    "column '{field}'":
        '列“{field}”',
    'row {line}':
        '第 {line} 行',
    "'{where}': {msg}; found {found!r}":
        '“{where}”：{msg}；实为 {found!r}',
    "unknown key '{loc}'":
        '未知的键“{loc}”',
    "missing key '{where}'":
        '缺少键“{where}”',
    'case.yaml is not valid UTF-8 (re-save it as UTF-8)':
        'case.yaml 不是有效的 UTF-8 编码（请另存为 UTF-8）',
    'file is a link to a place outside the case folder; copy it into the case':
        '文件是指向案例文件夹之外的链接；请把文件复制到案例文件夹中',
    'case folder does not exist':
        '案例文件夹不存在',
    'expected a case folder (or a .xlsx workbook) but found a file':
        '应为案例文件夹（或 .xlsx 工作簿），但这是一个文件',
    "unknown village '{value}' (not in villages.csv)":
        '未知的行政村“{value}”（villages.csv 中没有）',
    "did you mean '{name}'? otherwise ":
        '是否应为“{name}”？否则',
    "unknown category '{value}' ({suggestion}{hint})":
        '未知的类别“{value}”（{suggestion}{hint}）',
    'poor_households ({poor_households}) exceeds households ({households})':
        '贫困户数（{poor_households}）超过总户数（{households}）',
    "fund has an empty earmark: list the categories it may pay for, separated by ';'":
        '资金的使用范围为空：请列出可支付的类别，用“;”分隔',
    "duplicate {column} '{k}' (first on row {seen})":
        '{column}“{k}”重复（首次出现在第 {seen} 行）',
    "expected a whole number, found '{text}'":
        '应为整数，实为“{text}”',
    "expected true or false, found '{text}'":
        '应为 true 或 false（是/否），实为“{text}”',
    "expected a whole number, found '{text}' (remove thousands separators)":
        '应为整数，实为“{text}”（请去掉千位分隔符）',
    "expected a whole number (integer yuan, no decimals), found '{text}'":
        '应为整数（以元为单位，不含小数），实为“{text}”',
    "expected a number, found '{text}'":
        '应为数字，实为“{text}”',
    "expected a finite number, found '{text}'":
        '应为有限数值，实为“{text}”',
    " (did you mean '{name}'?)":
        '（是否应为“{name}”？）',
    "expected one of {choices}; found '{text}'{suggestion}":
        '应为 {choices} 之一；实为“{text}”{suggestion}',
    'file has a header but no data rows':
        '文件只有表头，没有数据行',
    "file starts with a UTF-8 byte-order mark but the case declares encoding '{encoding}'; set 'encoding: utf-8' in case.yaml":
        '文件以 UTF-8 字节序标记开头，但案例声明的编码为“{encoding}”；请在 case.yaml 中设置 encoding: utf-8',
    'file is not valid {encoding}{hint}':
        '文件不是有效的 {encoding} 编码{hint}',
    'file is empty; expected a header row: {expected}':
        '文件为空；应有表头行：{expected}',
    'malformed CSV: {exc}':
        'CSV 格式错误：{exc}',
    "column '{name}' appears twice in the header":
        '表头中列“{name}”出现了两次',
    " (found '{name}': misspelt?)":
        '（发现“{name}”：是否拼写错误？）',
    "missing required column '{name}'{hint}":
        '缺少必需的列“{name}”{hint}',
    "column '{name}' is declared in case.yaml extra_columns but missing":
        '列“{name}”已在 case.yaml 的 extra_columns 中声明，但文件中没有',
    "; did you mean '{name}'?":
        '；是否应为“{name}”？',
    '; declare it under extra_columns in case.yaml to use it in rules':
        '；如需在规则中使用，请在 case.yaml 的 extra_columns 中声明',
    "unknown column '{name}'{hint}":
        '未知的列“{name}”{hint}',
    'value is missing':
        '缺少数值',
    '{msg}; found {found!r}':
        '{msg}；实为 {found!r}',
    "; it looks like GBK/GB18030, as Chinese Excel saves CSV: set 'encoding: gb18030' in case.yaml or re-save the file as 'CSV UTF-8'":
        '；看起来是 GBK/GB18030 编码（中文 Excel 保存 CSV 时的默认编码）：请在 case.yaml 中设置 encoding: gb18030，或将文件另存为“CSV UTF-8”',
    'row has {n_cells} cells but the header has {n_header}':
        '该行有 {n_cells} 个单元格，但表头有 {n_header} 列',
    'file not found':
        '找不到文件',
    'expected a file but found a folder':
        '应为文件，但这是一个文件夹',
    'cannot read file: {strerror}':
        '无法读取文件：{strerror}',
    'the file cannot be read as a table':
        '无法将文件读取为表格',
    'row is not valid':
        '该行无效',
    "duplicate household_id '{ids}' (first on row {rows})":
        'household_id“{ids}”重复（首次出现在第 {rows} 行）',
    "unknown village '{listed}' (not in villages.csv)":
        '未知的行政村“{listed}”（villages.csv 中没有）',
    'a registered poor household needs its planned exit_year':
        '建档立卡贫困户需要填写计划脱贫年份 exit_year',
    'household attributes {unknown} cannot key a class':
        '农户属性 {unknown} 不能用于划分户类',
    'village {village_id}: {name} lists {listed} households ({listed_poor} registered poor) but villages.csv says {households} households ({poor_households} registered poor)':
        '行政村 {village_id}：{name} 列出 {listed} 户（建档立卡贫困户 {listed_poor} 户），但 villages.csv 记为 {households} 户（建档立卡贫困户 {poor_households} 户）',
    'run folder does not exist':
        '运行结果文件夹不存在',
    'the case files differ from those this plan was made from (summary.json hashes); explain needs the same case':
        '案例文件与生成该方案时所用的不同（summary.json 中的哈希值）；说明功能需要同一案例',
    'the rule set differs from the one this plan was made from; pass it with --rules ({value})':
        '规则集与生成该方案时所用的不同；请用 --rules 指定（{value}）',
    'the model spec differs from the one this plan was made from; pass it with --model ({value})':
        '模型设定与生成该方案时所用的不同；请用 --model 指定（{value}）',
    'no summary.json: not an allocator output folder':
        '没有 summary.json：不是 allocator 的输出文件夹',
    'summary.json is not valid JSON: {exc}':
        'summary.json 不是有效的 JSON：{exc}',
    "the workbook has no '{CASE_SHEET}' sheet (name, year, currency ... in columns A, B)":
        '工作簿中没有“{CASE_SHEET}”表（A、B 列填写名称、年度、币种等）',
    "the workbook has no '{names}' sheet":
        '工作簿中没有“{names}”表',
    'cannot read the workbook: {exc}':
        '无法读取工作簿：{exc}',
    "sheet '{name}' is hidden; unhide it (allocator reads what a person can see)":
        '工作表“{name}”被隐藏；请取消隐藏（allocator 只读取人能看到的内容）',
    "unknown table '{table}' (tables: {TABLE_SHEETS})":
        '未知的表“{table}”（可用的表：{TABLE_SHEETS}）',
    'unsupported YAML node':
        '不支持的 YAML 节点',
    'YAML nested deeper than {MAX_DEPTH} levels':
        'YAML 嵌套超过 {MAX_DEPTH} 层',
    'explicit YAML tag {tag!r} is not allowed':
        '不允许使用显式 YAML 标签 {tag!r}',
    'file is larger than {MAX_YAML_BYTES} bytes':
        '文件大于 {MAX_YAML_BYTES} 字节',
    'file is empty':
        '文件为空',
    'invalid YAML':
        '无效的 YAML',
    'YAML syntax error: {problem}':
        'YAML 语法错误：{problem}',
    'YAML error: {exc}':
        'YAML 错误：{exc}',
    'file is not valid UTF-8 (re-save it as UTF-8)':
        '文件不是有效的 UTF-8 编码（请另存为 UTF-8）',
    'mapping keys must be plain text':
        '映射的键必须是纯文本',
    'merge keys (<<) are not allowed in allocator files':
        'allocator 文件中不允许使用合并键（<<）',
    "duplicate key '{name}' (first defined on line {first})":
        '键“{name}”重复（首次定义在第 {first} 行）',
    'policy instance {key} is trivially impossible':
        '政策实例 {key} 显然无法满足',
    'no plan is possible even with every policy relaxed (budgets and eligibility alone conflict)':
        '即使放宽所有政策也无法形成方案（仅预算和资金使用范围本身就相互冲突）',
    'no feasible plan found within the time limit of {time_limit:g} s (raise solver.time_limit in the model spec)':
        '在 {time_limit:g} 秒的求解时限内未找到可行方案（请在模型设定中提高 solver.time_limit）',
    'the solver failed: {message}':
        '求解器出错：{message}',
    "the plan's value is 0 although money and eligible projects exist: check needs.csv (projects are valued by the needs they cover) and the policies":
        '虽有资金和可用项目，方案效益值却为 0：请检查 needs.csv（项目按其满足的需求计算效益）和各项政策',
    'rounding did not converge':
        '取整未能收敛',
    "could not turn the solver's plan into whole yuan: household measures are {missing} yuan short of eligible budget":
        '无法将求解结果取整到元：到户措施的可用预算缺 {missing} 元',
    "could not turn the solver's plan into whole yuan: projects {names} are {missing} yuan short of eligible budget":
        '无法将求解结果取整到元：项目 {names} 的可用预算缺 {missing} 元',
    "this LP's result was already read":
        "该线性规划的结果已经读取过",
    'HiGHS refused the model (internal error building it)':
        'HiGHS 拒绝了该模型（建模时的内部错误）',
    'HiGHS reported a solution with missing or non-finite values':
        'HiGHS 返回的解含有缺失值或非有限值',
    'pressure needs an LP solution with duals':
        '压力计算需要带对偶值的线性规划解',
    'no solution to read ({value})':
        '没有可读取的解（{value}）',
    'this solve has no duals':
        '本次求解没有对偶值',
    '{key} violated by {amount:g}':
        '{key} 违反了 {amount:g}',
    ' and {n_items} more':
        ' 等，另有 {n_items} 个',
    'policies.category_shares[{index}] (the {bound} share of {category} in {value})':
        'policies.category_shares[{index}]（{value} 中 {category} 类的{bound}占比）',
    'below the minimum':
        '低于最低',
    'above the maximum':
        '高于最高',
    'money to {category} is {value} {side} share':
        '{category} 类资金比占比要求{side} {value}',
    'minimum {share:.0%}':
        '最低 {share:.0%}',
    'maximum {share:.0%}':
        '最高 {share:.0%}',
    'min_share is larger than max_share':
        'min_share 大于 max_share',
    '[{i}] all from {value}':
        '[{i}] 来自 {value} 的全部资金',
    'category {category} gets {value} of {value2} from {scope}, below the minimum share {low:.0%}':
        '{category} 类从 {scope} 获得 {value}（共 {value2}），低于最低占比 {low:.0%}',
    'category {category} gets {value} of {value2} from {scope}, above the maximum share {high:.0%}':
        '{category} 类从 {scope} 获得 {value}（共 {value2}），高于最高占比 {high:.0%}',
    'project {project_id} is funded {value}, below the minimum share {config:.0%} of {value2}':
        '项目 {project_id} 获得 {value}，低于其投资 {value2} 的最低比例 {config:.0%}',
    'the {category} exit standard of village {village_id}':
        '行政村 {village_id} 的{category}退出标准',
    'exiting poor village {village_id} has no funded {category} project, an exit standard':
        '本年度退出的贫困村 {village_id} 没有安排{category}项目，而这是一项退出标准',
    'exiting poor village {village_id} cannot have its {category} standard met (money: its eligible funds are needed elsewhere by other policies or are too small)':
        '本年度退出的贫困村 {village_id} 的{category}标准无法达到（资金不足：可用资金被其他政策占用或规模太小）',
    '{n_unmet} exit standard(s) of villages exiting this year cannot be met: {value}':
        '本年度退出村有 {n_unmet} 项退出标准无法达到：{value}',
    'the {what} guarantee for exiting households like {key}':
        '{key} 等本年度脱贫户的{what}保障',
    'safe housing':
        '住房安全',
    'safe water':
        '饮水安全',
    '{amount:,} exiting registered poor household(s) like {key} cannot be given {what}':
        '{key} 等 {amount:,} 户本年度脱贫的建档立卡贫困户无法获得{what}保障',
    'safe-housing':
        '住房安全',
    'safe-water':
        '饮水安全',
    '{n_missed} exiting registered poor household(s) are left without {what}: {value}':
        '{n_missed} 户本年度脱贫的建档立卡贫困户未获得{what}保障：{value}',
    '{n_missed} exiting registered poor household(s) lack {what} and no eligible measure or project can close it: {value}':
        '{n_missed} 户本年度脱贫的建档立卡贫困户缺少{what}保障，且没有可用的措施或项目能解决：{value}',
    'the measure floor for exiting households like {key}':
        '{key} 等本年度脱贫户的到户措施底线',
    '{amount:,} exiting registered poor household(s) like {key} cannot get a measure':
        '{key} 等 {amount:,} 户本年度脱贫的建档立卡贫困户无法获得到户措施',
    '{n_missed} exiting registered poor household(s) have no eligible measure, so the measure floor cannot reach them: {value}':
        '{n_missed} 户本年度脱贫的建档立卡贫困户没有可享受的措施，到户措施底线无法覆盖：{value}',
    '{households:,} exiting registered poor households ({value}) need at least {value2} for one measure each (the cheapest eligible), but the funds that may pay their measures hold {value3}':
        '{households:,} 户本年度脱贫的建档立卡贫困户（{value}）每户至少一项措施（按最便宜的可享受措施）需要 {value2}，但可支付其措施的资金只有 {value3}',
    '{n_missed} exiting registered poor household(s) get no measure although one is eligible: {value}':
        '{n_missed} 户本年度脱贫的建档立卡贫困户有可享受的措施却未获得：{value}',
    '{min_ratio:.0%} {match_levels} matching of {value} money':
        '{value} 资金需 {match_levels} 级 {min_ratio:.0%} 的配套',
    'policies.matching[{index}] (the {value}, for the projects grouped with {project_id})':
        'policies.matching[{index}]（{value}，针对与 {project_id} 同组的项目）',
    'projects grouped with {project_id} lack {value} of the {value2}':
        '与 {project_id} 同组的项目缺少{value2}中的 {value}',
    'paid_by needs a kind, a level, or both':
        'paid_by 需要指定资金类型、资金级别或两者',
    '[{i}] paid by {value}':
        '[{i}] 由 {value} 支付',
    '[{i}] matched by {match_levels} funds':
        '[{i}] 由 {match_levels} 级资金配套',
    '{n_stuck} must-fund project(s) can be paid only by {value}, which need {match_levels} matching, and no {match_levels} fund may pay for them: {value2}':
        '{n_stuck} 个必保项目只能由 {value} 支付，而这需要 {match_levels} 级配套，但没有 {match_levels} 级资金可用于这些项目：{value2}',
    'project {project_id} gets {value} from {value2} but only {value3} of {match_levels} matching (needs at least {value4}: policies.matching[{i}])':
        '项目 {project_id} 从 {value2} 获得 {value}，但 {match_levels} 级配套只有 {value3}（至少需要 {value4}：policies.matching[{i}]）',
    'must-fund project {key}':
        '必保项目 {key}',
    'project {key} ({category}) is short of {value}':
        '项目 {key}（{category}）缺少 {value}',
    '{n_stranded} must-fund project(s) have no eligible fund under the earmarks and rules: {value}':
        '按资金使用范围和规则，{n_stranded} 个必保项目没有可用资金：{value}',
    'the {n_wanted} must-fund projects ({must}) cost {value} but the funds eligible for them hold {value2}':
        '{n_wanted} 个必保项目（{must}）需要 {value}，但可用于它们的资金只有 {value2}',
    'project {project_id} is in must-fund category {category} but is not fully funded':
        '项目 {project_id} 属于必保类别 {category}，但未全额安排',
    'the floor for poor village {key}':
        '贫困村 {key} 的资金底线',
    'poor village {village_id} gets {amount} funded project(s) fewer than its floor':
        '贫困村 {village_id} 安排的项目比底线少 {amount} 个',
    'poor village {village_id} gets {value} less than its floor':
        '贫困村 {village_id} 获得的资金比底线少 {value}',
    '{village_id} (needs {value}, its funds hold {value2})':
        '{village_id}（需要 {value}，可用资金只有 {value2}）',
    "{n_short} poor village(s) cannot reach their floor even with every eligible fund's whole budget: {value}":
        '即使用尽所有可用资金的全部预算，仍有 {n_short} 个贫困村达不到底线：{value}',
    'the floor needs more than the village cap of {value} in {n_over_cap} poor village(s): {value2}':
        '在 {n_over_cap} 个贫困村中，底线要求超过了每村上限 {value}：{value2}',
    'the floor of {value} for each of {n_imposed} poor villages needs {value2} but the funds eligible for them hold {value3}':
        '{n_imposed} 个贫困村每村底线 {value}，共需 {value2}，但可用于它们的资金只有 {value3}',
    'poor village {village_id} receives {value}, below its floor of {value2}':
        '贫困村 {village_id} 获得 {value}，低于底线 {value2}',
    'poor village {village_id} has {funded} funded projects, below its floor of {count}':
        '贫困村 {village_id} 安排了 {funded} 个项目，低于底线 {count} 个',
    'the village cap of {value} in {key}':
        '{key} 的每村上限 {value}',
    'village {key} gets {value} more than the cap':
        '行政村 {key} 获得的资金超过上限 {value}',
    'must-fund projects alone exceed the village cap of {value} in {n_heavy} village(s): {value2}':
        '在 {n_heavy} 个行政村中，仅必保项目就超过了每村上限 {value}：{value2}',
    'village {village_id} receives {value}, above the village cap of {value2}':
        '行政村 {village_id} 获得 {value}，超过每村上限 {value2}',
    'pays {paid:,} yuan':
        '支付 {paid:,} 元',
    'pays nothing':
        '未支付',
    '  {name}: eligible ({rules}); {paid_text}; price of money {price} per 10k yuan':
        '  {name}：可用（{rules}）；{paid_text}；资金边际价值 每万元 {price}',
    'divisible':
        '可拆分',
    'indivisible':
        '不可拆分',
    'Project {project_id}: {name} ({category}) in village {village_id}; cost {cost:,} yuan, {kind}; value {value}':
        '项目 {project_id}：{name}（{category}），行政村 {village_id}；投资 {cost:,} 元，{kind}；效益值 {value}',
    'registered poor':
        '贫困村（建档立卡）',
    'not poor':
        '非贫困村',
    ', exit year {exit_year}':
        '，计划 {exit_year} 年退出',
    'Village {village_id} {name} ({township}): {status}{exit_text}, poverty rate {poverty_rate:g}%, score {value}':
        '行政村 {village_id} {name}（{township}）：{status}{exit_text}，贫困发生率 {poverty_rate:g}%，绩效得分 {value}',
    'Projects:':
        '项目：',
    'Fund {fund_id}: {name} ({kind}, {level}); budget {budget:,}, allocated {allocated:,}, unused {unused:,} yuan; price of money {value} per 10k yuan':
        '资金 {fund_id}：{name}（{kind}，{level}）；预算 {budget:,} 元，已安排 {allocated:,} 元，未使用 {unused:,} 元；资金边际价值 每万元 {value}',
    'Pays {n_paid} project(s), largest first:':
        '支付 {n_paid} 个项目（按金额从大到小）：',
    'not on the poverty register':
        '非建档立卡贫困户',
    'Household {household_id} in village {village_id} {name} ({township}): {status}; {facts}':
        '农户 {household_id}，行政村 {village_id} {name}（{township}）：{status}；{facts}',
    'Measures:':
        '措施：',
    'its earmark ({categories}) does not list {category}':
        '其使用范围（{categories}）不包括 {category}',
    '  {name}: excluded by rule {check}: {description} [{reference}]':
        '  {name}：被规则 {check} 排除：{description} [{reference}]',
    '      require {require}  -> false with {values}':
        '      条件 {require}  -> 不成立，取值 {values}',
    "unknown {kind} '{key}'":
        '未知的{kind}“{key}”',
    'covered by {projects}':
        '已由 {projects} 满足',
    'UNMET ({households_covered} of {households} households covered): {reason}: {detail}':
        '未满足（覆盖 {households_covered} 户，共 {households} 户）：{reason}：{detail}',
    '  {need} ({households} households): {state}':
        '  {need}（{households} 户）：{state}',
    '  {project_id} {category}: {status}, {allocated:,} of {cost:,} yuan ({reason})':
        '  {project_id} {category}：{status}，{allocated:,} 元（共 {cost:,} 元）（{reason}）',
    'Why {unused:,} yuan stay unused: {reason}: {value}':
        '{unused:,} 元未使用的原因：{reason}：{value}',
    '  ... and {n_paid} more (allocations.csv)':
        '  …… 另有 {n_paid} 个（见 allocations.csv）',
    'this case has no household register (households.csv)':
        '本案例没有农户登记表（households.csv）',
    'Outcome: {reason}: {detail}':
        '结果：{reason}：{detail}',
    'Exits in {year}: the household floor (at least one measure) and the guarantees (safe housing and water) apply where the model spec turns them on':
        '计划 {year} 年脱贫：模型设定启用时，适用到户措施底线（至少一项措施）和保障（住房安全、饮水安全）',
    '; closes {standard}':
        '；解决 {standard}',
    'given':
        '已安排',
    'not given':
        '未安排',
    '  {measure_id} {name} ({category}), {cost:,} yuan for this household{closes}: {state}':
        '  {measure_id} {name}（{category}），该户 {cost:,} 元{closes}：{state}',
    '  {name}: excluded by the earmark: {why}':
        '  {name}：不在使用范围内：{why}',
    'excluded by {check}':
        '被 {check} 排除',
    "unknown household '{household_id}'":
        '未知的农户“{household_id}”',
    'Outcome: the run planned no household measures (no households.csv in it)':
        '结果：本次运行未安排到户措施（没有 households.csv）',
    'Outcome: measures are planned for registered poor households only':
        '结果：到户措施只安排给建档立卡贫困户',
    '{project_id} ({payments} yuan)':
        '{project_id}（{payments} 元）',
    'output path is a file; give a folder':
        '输出路径是一个文件；请指定文件夹',
    'folder exists and was not written by allocator (no {marker}); choose a new or empty folder':
        '文件夹已存在且不是 allocator 写入的（没有 {marker}）；请选择新的或空的文件夹',
    'cannot create the output folder: {strerror}':
        '无法创建输出文件夹：{strerror}',
    'cannot write the output folder: {strerror}':
        '无法写入输出文件夹：{strerror}',
    'expression is longer than {MAX_EXPRESSION_CHARS} characters':
        '表达式超过 {MAX_EXPRESSION_CHARS} 个字符',
    'expression is empty':
        '表达式为空',
    'expression must be true/false, but it is {value}':
        '表达式必须为真/假，但它是 {value}',
    'syntax error in expression: {detail}':
        '表达式语法错误：{detail}',
    'expression is too deeply nested or malformed':
        '表达式嵌套过深或格式错误',
    'expression is too deeply nested':
        '表达式嵌套过深',
    "a rule set file must be a mapping with 'ruleset' and 'rules'":
        '规则集文件必须是包含 ruleset 和 rules 的映射',
    "rule '{id}' reads both project.* and {first}.*: a rule governs village projects or household measures, not both; split it in two":
        '规则“{id}”同时读取 project.* 和 {first}.*：一条规则只能管村级项目或到户措施之一；请拆成两条',
    "rule '{id}' applies to projects but reads {household}.*":
        '规则“{id}”适用于项目，却读取 {household}.*',
    "rule '{id}' applies to household measures but reads project.*":
        '规则“{id}”适用于到户措施，却读取 project.*',
    'rule sets extend each other in a cycle: {cycle}':
        '规则集之间循环继承：{cycle}',
    "'extends' chain is longer than {MAX_EXTENDS_DEPTH} files":
        'extends 继承链超过 {MAX_EXTENDS_DEPTH} 个文件',
    'rule set file not found: {current}':
        '找不到规则集文件：{current}',
    "cannot remove rule '{rule_id}': no parent rule has that id":
        '无法删除规则“{rule_id}”：上级规则集中没有该编号',
    "rule id '{id}' appears twice in this file":
        '规则编号“{id}”在本文件中出现了两次',
    'excluded by {value}':
        '被 {value} 排除',
    '{where}: unknown fund or project':
        '{where}：未知的资金或项目',
    '{where}: the vectorized and scalar evaluators disagree (please report this)':
        '{where}：向量化与逐行两种规则计算结果不一致（请报告此问题）',
    'no such file or folder: {path}':
        '没有这个文件或文件夹：{path}',
    '{where}: expected by {expected}, got {by}':
        '{where}：预期由 {expected} 决定，实际为 {by}',
    'unknown node {name}':
        '未知的节点 {name}',
    "a model spec must be a mapping with 'spec', 'objective', ...":
        '模型设定必须是包含 spec、objective 等的映射',
    'performance bands must be listed from the highest min_score down':
        '绩效档次必须按 min_score 从高到低排列',
    'at least one factor weight must be positive':
        '至少一个因素权重必须为正',
    'the factor method does not enforce {unsupported}; remove them from this spec':
        '因素法不执行 {unsupported}；请从该模型设定中删除',
    "unknown category '{category}' (not in the case's categories){hint}":
        '未知的类别“{category}”（不在案例的类别中）{hint}',
    'no project addresses a need listed in needs.csv: every project is worth 0 and the plan will fund nothing of value (check needs.csv and the categories)':
        '没有项目对应 needs.csv 中列出的需求：所有项目效益值为 0，方案将不会安排任何有效益的项目（请检查 needs.csv 和类别）',
    "{n_capped} project(s) list more beneficiaries than their village's need records; their value counts only the households in needs.csv ({shown})":
        '{n_capped} 个项目的受益户数多于所在村需求清单的记录；其效益值只按 needs.csv 中的户数计算（{shown}）',
    '{n_unlisted} of {n_values} projects address no need their village listed in needs.csv; their value is scaled by unlisted_need_factor ({shown})':
        '{n_values} 个项目中有 {n_unlisted} 个不对应所在村在 needs.csv 中列出的需求；其效益值按 unlisted_need_factor 折算（{shown}）',
    ' and {n_capped} more':
        ' 等，另有 {n_capped} 个',
    ' and {n_unlisted} more':
        ' 等，另有 {n_unlisted} 个',
    "'{id}' needs an attribute, e.g. {id}.{value}":
        '“{id}”需要带属性，例如 {id}.{value}',
    "'{op}' compares numbers":
        '“{op}”只能比较数值',
    "'{op}' needs numbers":
        '“{op}”需要数值',
    "'{op}' needs true/false operands":
        '“{op}”需要真/假值作为操作数',
    "'{value}' is not allowed in rule expressions (allowed: comparisons, and/or/not, + - * / %, 'in [...]', attributes like village.poverty_rate, and {FUNCTIONS})":
        "规则表达式中不允许使用“{value}”（允许：比较、and/or/not、+ - * / %、'in [...]'、village.poverty_rate 这样的属性，以及 {FUNCTIONS}）",
    "cannot compare {value} with {value2} using '{op}'":
        '不能用“{op}”比较 {value} 和 {value2}',
    "operator in '{value}' is not allowed (allowed: + - * / %)":
        '“{value}”中的运算符不允许使用（允许：+ - * / %）',
    "operator in '{value}' is not allowed":
        '“{value}”中的运算符不允许使用',
    "unknown attribute '{entity}.{attr}'{hint}":
        '未知的属性“{entity}.{attr}”{hint}',
    "unknown entity '{entity}' (known: {schema})":
        '未知的对象“{entity}”（已知：{schema}）',
    "unknown function '{name}' (available: {FUNCTIONS})":
        '未知的函数“{name}”（可用：{FUNCTIONS}）',
    "unknown name '{id}' (use one of {schema})":
        '未知的名称“{id}”（请使用 {schema} 之一）',
    ' (and {n_conflicts} more)':
        '（另有 {n_conflicts} 处）',
    ' (the cell is part of merged cells {first}: unmerge them and fill each cell)':
        '（该单元格属于合并单元格 {first}：请取消合并并逐格填写）',
    '; did you mean {entity}.{close}?':
        '；是否应为 {entity}.{close}？',
    'Optimal (within {gap:g} of the bound with household counts continuous)':
        '最优（在户数取连续值时的上界 {gap:g} 以内）',
    'constant {value!r} is not allowed':
        '不允许使用常量 {value!r}',
    'default value is {value} but the attribute is {value2}':
        '默认值是{value}，但该属性是{value2}',
    'eligible funds have {value} yuan left and no policy binds on it (value {density:.3g} per 10k yuan; prices: {price_text}); the solver stopped within its gap ({gap:.2e}) of the best plan, or the money left is split across funds too small for it':
        '可用资金还剩 {value} 元，且没有政策约束它（效益值 每万元 {density:.3g}；资金边际价值：{price_text}）；求解在与最优方案的差距（{gap:.2e}）以内停止，或剩余资金分散在多个资金中、单个规模太小',
    'eligible funds have {value} yuan left, but {text} binds (relaxing it by 10,000 yuan would be worth {price:.3g}; this project is worth {density:.3g} per 10k yuan)':
        '可用资金还剩 {value} 元，但受{text}约束（放宽 1 万元可增加效益值 {price:.3g}；该项目每万元效益值 {density:.3g}）',
    'eligible funds have {value} yuan left, it needs {value2}; its value {density:.3g} per 10k yuan {comparison} the price of money in its funds ({price_text}), which higher-value projects used':
        '可用资金还剩 {value} 元，该项目需要 {value2}；其每万元效益值 {density:.3g} {comparison}其可用资金的边际价值（{price_text}），这些资金已用于效益更高的项目',
    'every eligible measure is at its quota ({names})':
        '所有可享受的措施都已达到名额上限（{names}）',
    'expression is nested deeper than {MAX_DEPTH} levels':
        '表达式嵌套超过 {MAX_DEPTH} 层',
    'fully funded, required by {text}: its value {density:.3g} per 10k yuan is below the price of money in its funds ({cheapest:.3g})':
        '已全额安排，因{text}要求：其每万元效益值 {density:.3g} 低于其可用资金的边际价值（{cheapest:.3g}）',
    'group {group} short by {missing} yuan':
        '第 {group} 组缺 {missing} 元',
    'households ({households}) exceeds population ({population})':
        '户数（{households}）超过人口数（{population}）',
    'its cheapest eligible measure ({measure_id}, {unit_cost:,} yuan) competes for funds spent on what is worth more per yuan ({left:,} yuan left in them)':
        '其最便宜的可享受措施（{measure_id}，{unit_cost:,} 元）与每元效益更高的用途争用资金（这些资金还剩 {left:,} 元）',
    'its eligible funds ({names}) hold {value} yuan in all, less than the {value2} it needs':
        '其可用资金（{names}）合计只有 {value} 元，少于所需的 {value2}',
    'list item {value!r} is {value2} but the value tested is {value3}':
        '列表项 {value!r} 是{value2}，但被检验的值是{value3}',
    'measure {measure_id} goes to {count:,} households, above its quota of {quota:,}':
        '措施 {measure_id} 安排给 {count:,} 户，超过名额上限 {quota:,} 户',
    'no policy binds; the solver stopped within its gap ({value:.2e})':
        '没有政策约束；求解在差距（{value:.2e}）以内停止',
    'poor_population ({poor_population}) exceeds population ({population})':
        '贫困人口（{poor_population}）超过总人口（{population}）',
    'poor_population ({poor_population}) is below poor_households ({poor_households}): every poor household has at least one member':
        '贫困人口（{poor_population}）少于贫困户数（{poor_households}）：每个贫困户至少有一人',
    'poverty_rate {poverty_rate:g} disagrees with 100 x poor_population / population = 100 x {poor_population} / {population} = {expected:.1f} (percent of people; fix one of the three columns)':
        '贫困发生率 {poverty_rate:g} 与 100 × 贫困人口 / 总人口 = 100 × {poor_population} / {population} = {expected:.1f} 不一致（按人口百分比计；请修正这三列之一）',
    'the policies of the model spec cannot all hold on this case{first}; change them, or run with --relax for the best plan that violates the fewest':
        '模型设定中的政策在本案例中无法同时满足{first}；请修改政策，或使用 --relax 得到违反政策最少的最好方案',
    'village cap of {value} yuan reached (village has {value2})':
        '已达到每村上限 {value} 元（该村已有 {value2}）',
    '{FILE}: missing column(s) {missing}':
        '{FILE}：缺少列 {missing}',
    '{func}() takes numbers':
        '{func}() 需要数值参数',
    '{func}() takes two or more arguments':
        '{func}() 需要两个或更多参数',
    '{message}; the best warm start is the incumbent':
        '{message}；当前最好解为最好的初始方案',
    '{n_open} eligible project(s) remain, each needing more than the money left in the funds that may pay for it':
        '还有 {n_open} 个可用项目，每个所需资金都超过可支付它的资金的余额',
    '{name} may be empty; write default({name}, <value>) or test is_set({name}) first':
        '{name} 可能为空；请写成 default({name}, <值>)，或先用 is_set({name}) 判断',
    '{text} binds ({policy}): relaxing it by 10,000 yuan would be worth {price:.3g}':
        '{text}起约束作用（{policy}）：放宽 1 万元可增加效益值 {price:.3g}',
    'is below':
        '低于',
    'does not beat':
        '不高于',
    'give exactly one of --project, --village, --fund or --household':
        '请只指定 --project、--village、--fund 或 --household 中的一个',
    'no rule-set tests (*.test.yaml) found':
        '没有找到规则集测试（*.test.yaml）',
    "unknown size '{size}' (choose {sizes})":
        '未知的规模“{size}”（可选：{sizes}）',
    'Outcome: {status}, {allocated:,} yuan: {reason}: {detail}':
        '结果：{status}，{allocated:,} 元：{reason}：{detail}',
    'Funds:':
        '资金：',
    'Needs:':
        '需求：',
    'Earmark: {categories}':
        '使用范围：{categories}',
    'Projects: {checks}':
        '项目：{checks}',
    'Field required':
        '缺少此项',
    'Input should be a valid integer':
        '应为有效的整数',
    'Input should be a valid integer, unable to parse string as an integer':
        '应为有效的整数，无法将文本解析为整数',
    'Input should be a valid integer, got a number with a fractional part':
        '应为有效的整数，但数值带有小数',
    'Input should be a valid number':
        '应为有效的数字',
    'Input should be a valid number, unable to parse string as a number':
        '应为有效的数字，无法将文本解析为数字',
    'Input should be a valid boolean':
        '应为有效的布尔值（true/false）',
    'Input should be a valid boolean, unable to interpret input':
        '应为有效的布尔值（true/false），无法识别输入',
    'Input should be a valid string':
        '应为有效的文本',
    'String should have at least {min_length} character':
        '文本至少应有 {min_length} 个字符',
    'Input should be greater than or equal to {ge}':
        '应大于或等于 {ge}',
    'Input should be greater than {gt}':
        '应大于 {gt}',
    'Input should be less than or equal to {le}':
        '应小于或等于 {le}',
    'Input should be less than {lt}':
        '应小于 {lt}',
    'Input should be {expected}':
        '应为 {expected}',
    'Extra inputs are not permitted':
        '不允许额外的输入项',
    'Value error, {error}':
        '取值错误：{error}',
    'Input should be a valid list':
        '应为有效的列表',
    'Input should be a valid dictionary':
        '应为有效的映射（字典）',
    '  {project_id}: {amount:,} yuan':
        '  {project_id}：{amount:,} 元',
    '{amount:,} yuan':
        '{amount:,} 元',
    'no project in the library addresses it':
        '项目库中没有对应的项目',
    'its funded projects reach fewer households than it lists':
        '已安排的项目覆盖户数少于需求清单所列',
    'region.yaml must be a mapping of keys':
        'region.yaml 必须是“键: 值”形式的映射',
    'the region has no county case folders':
        '该区域没有县级案例文件夹',
    "region fund '{fund_id}' is also a fund of county {county}: give region funds their own ids":
        '区域资金“{fund_id}”也是县 {county} 的资金：请给区域资金使用单独的编码',
    "member '{name}' is not a case folder inside the region (no case.yaml)":
        '成员“{name}”不是区域内的案例文件夹（没有 case.yaml）',
    "county {county}: no plan under the region's prices ({status})":
        '县 {county}：在区域资金价格下没有方案（{status}）',
    'the envelope master LP ended {status}':
        '资金切块主问题（线性规划）结束状态为 {status}',
    "unknown county '{county}' (not a member of the region)":
        '未知的县“{county}”（不是该区域的成员）',
    "the factor method plans one year: remove 'horizon' from case.yaml":
        '因素法只做单年度规划：请从 case.yaml 删除“horizon”',
    'project {project_id} is paid in {year}, outside the horizon':
        '项目 {project_id} 在 {year} 年支付，超出规划期',
    'fund {fund_id} spends {value} in {year} but has {value2} (its {year} budget and the money carried in): {value3} over':
        '资金 {fund_id} 在 {year} 年支出 {value}，但只有 {value2}（{year} 年预算加结转资金）：超出 {value3}',
    "{name} belongs to a multi-year case: add 'horizon' to case.yaml":
        '{name} 属于多年度案例：请在 case.yaml 中添加“horizon”',
    'a project of {duration} year(s) starting in {start} at the earliest ends in {end}, after the horizon ({first}-{last})':
        '建设期 {duration} 年的项目最早 {start} 年开工，{end} 年才完工，超出规划期（{first}-{last}）',
    'earliest_year {earliest} is after latest_year {latest}':
        '最早开工年 earliest_year {earliest} 晚于最晚开工年 latest_year {latest}',
    'a continuing project started before the horizon, but earliest_year is {earliest}':
        '续建项目在规划期之前已开工，但 earliest_year 为 {earliest}',
    'latest_year {latest} is before the horizon ({first}-{last})':
        '最晚开工年 latest_year {latest} 早于规划期（{first}-{last}）',
    "unknown fund '{value}' (not in funds.csv)":
        '未知资金“{value}”（不在 funds.csv 中）',
    'year {year} is outside the horizon ({first}-{last})':
        '年份 {year} 超出规划期（{first}-{last}）',
    "duplicate budget for fund '{fund_id}' in {year} (first on row {seen})":
        '资金“{fund_id}”{year} 年的预算重复（首次出现在第 {seen} 行）',
    "history year {year} is not before the plan's first year {first}":
        '历史年份 {year} 不早于规划首年 {first}',
    "duplicate history for village '{village_id}' in {year} (first on row {seen})":
        '村“{village_id}”{year} 年的历史记录重复（首次出现在第 {seen} 行）',
    'the support before exit of village {village_id} in {year}':
        '村 {village_id} {year} 年不低于退出前的支持力度',
    'village {village_id} is {value} short of its support before exit in {year}':
        '村 {village_id} {year} 年比退出前的支持力度少 {value}',
    'village {village_id} receives {value} in {year}, below its support before exit of {value2}':
        '村 {village_id} {year} 年获得 {value}，低于退出前的支持力度 {value2}',
    'paying project {key} in each of its years':
        '项目 {key} 在建设期内每年足额支付',
    'continuing project {key} cannot be funded in its years':
        '续建项目 {key} 在其建设年度内无法安排资金',
    'funding continuing project {key} in its years':
        '续建项目 {key} 在其建设年度内安排资金',
    'project {project_id} is started in more than one year: {years}':
        '项目 {project_id} 在多个年度开工：{years}',
    'continuing project {project_id} is not funded in full':
        '续建项目 {project_id} 未足额安排资金',
    'continuing project {project_id} is not funded':
        '续建项目 {project_id} 未安排资金',
    'project {project_id} started in {start} gets {value} in {year}, out of step with its first year ({value2} of {value3})':
        '项目 {project_id}（{start} 年开工）{year} 年获得 {value}，与首年（{value3} 中的 {value2}）比例不一致',
    'a horizon lists 1 to {most} years':
        '规划期应列出 1 至 {most} 个年份',
    "a horizon starts with the case's year ({year})":
        '规划期应从案例年度（{year}）开始',
    "a horizon's years are consecutive":
        '规划期的年份应连续',
    'fold needs an unrolled (multi-year) case':
        '折叠需要按年度展开的（多年度）案例',
    'poor village {village_id}, exiting in {year}, cannot have its {category} standard met by then (money: its eligible funds are needed elsewhere or are too small in those years)':
        '贫困村 {village_id} 计划 {year} 年退出，届时无法达到{category}退出标准（资金：可用资金被其他项目占用，或这些年度资金不足）',
    'unfold needs an unrolled (multi-year) case':
        '展开需要按年度展开的（多年度）案例',
    'project {project_id} is paid in {year}, which is no year of a {duration}-year start in {start} it may take':
        '项目 {project_id} 在 {year} 年支付，但它不能以 {start} 年开工、建设期 {duration} 年的方式安排在该年',
    'missing column year: a multi-year plan pays each row in a year':
        '缺少 year 列：多年度规划的每一行都在某一年度支付',
    "row {row}: year '{year}' is not a year of the plan":
        '第 {row} 行：年份“{year}”不在规划期内',
    'the previous plan has no year column: re-planning needs a multi-year plan':
        '上一版规划没有 year 列：滚动调整需要多年度规划',
    'not a plan row (amount and year must be whole numbers)':
        '不是规划行（amount 和 year 必须是整数）',
    "the previous plan starts in {first}, not before this plan's first year {year}":
        '上一版规划从 {first} 年开始，不早于本规划首年 {year}',
    'project {pid} was started by the previous plan but is not in projects.csv (keep started projects in the library)':
        '项目 {pid} 已在上一版规划中开工，但不在 projects.csv 中（请在项目库中保留已开工项目）',
    "--previous re-plans a multi-year case: add 'horizon' to case.yaml":
        '--previous 用于多年度案例的滚动调整：请在 case.yaml 中添加“horizon”',
    'By year:':
        '分年度：',
    '  {year}: {amount:,} yuan from {fund_id}':
        '  {year} 年：{fund_id} 支付 {amount:,} 元',
    'By year (a year spends the money carried into it first):':
        '分年度（每年先使用上年结转资金）：',
    '  {year}: budget {budget:,}, carried in {carried_in:,}, spent {spent:,}, carried out {carried_out:,}, lapsed {lapsed:,} yuan':
        '  {year} 年：预算 {budget:,}，上年结转 {carried_in:,}，支出 {spent:,}，结转下年 {carried_out:,}，收回 {lapsed:,} 元',
    'fund {fund_id} pays a household measure but has no money in {year}':
        '资金 {fund_id} 支付了到户措施，但在 {year} 年没有资金',
    "Optimal (within {gap:g} of the LP relaxation's bound)":
        '最优（与线性松弛上界相差不超过 {gap:g}）',
    '{n_stranded} continuing project(s) cannot be paid in their years: no fund may pay them then (earmarks, rules, money by year): {value}':
        '{n_stranded} 个续建项目在其建设年度内无资金可付（使用范围、规则、分年度资金）：{value}',
    'Time limit: the solve with household counts continuous reached its time limit; the best plan found is within {gap:.2e} of its bound':
        '时间上限：户数取连续值的求解已达时间上限；找到的最好方案与其界的差距在 {gap:.2e} 以内',
    "Stopped: with {columns:,} whole selections HiGHS's root heuristics can run far past the time limit, so the search was kept to the selections the LP relaxation and the best plan disagree on; the best plan found is within {gap:.2e} of the LP relaxation's bound":
        '已停止：整数选择有 {columns:,} 个，HiGHS 的根节点启发式可能远超时间上限，因此只在线性松弛与最好方案不一致的选择上搜索；找到的最好方案与线性松弛界的差距在 {gap:.2e} 以内',
    "no feasible plan found: no warm start holds every policy, and with {columns:,} whole selections (past {limit:,} HiGHS's root heuristics overrun the time limit) the search was kept to those the LP relaxation leaves open, where it found none; plan a smaller area or fewer years at once, or raise solver.time_limit":
        '未找到可行方案：没有满足全部政策的初始方案，且整数选择有 {columns:,} 个（超过 {limit:,} 个时 HiGHS 的根节点启发式会超出时间上限），搜索只限于线性松弛未定的选择，在其中未找到方案；请缩小地域或减少一次规划的年数，或提高 solver.time_limit',
}
# fmt: on
