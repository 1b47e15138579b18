"""Chinese and English for what people read; machine outputs stay English."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from allocator.cli import app
from allocator.i18n import LANGUAGES, TEXT
from tests.conftest import DEFAULT_SPEC, TINY, edit_cell, read_csv

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_every_text_has_both_languages_with_the_same_placeholders() -> None:
    import string

    for key, entry in TEXT.items():
        assert set(entry) == set(LANGUAGES), key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name}
            for lang in LANGUAGES
        ]
        assert fields[0] == fields[1], key


def test_a_run_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "zh"
    code, output = cli("run", str(TINY), "--out", str(out), "--lang", "zh", "--xlsx", "--notice")
    assert code == 0, output
    assert "（2026年）：状态 最优，效益值 1,197.0" in output
    assert "各项资金使用情况" in output and "方案已写入" in output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert (
        'lang="zh-CN"' in report
        and "资金分配方案" in report
        and "各项资金：已用、结余及原因" in report
    )
    # The reasons' sentences are said in Chinese in the report (the CSVs keep English).
    assert "P08: 其可用资金（F3）合计只有 300,000 元，少于所需的 350,000" in report
    notice = (out / "notice" / "North.html").read_text(encoding="utf-8")
    assert "扶贫项目资金安排公告：North" in notice and "公示 10 天" in notice and "12317" in notice
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert "分配明细" in book.sheetnames
    assert [c.value for c in book["分配明细"][1]] == ["项目编码", "行政村编码", "资金编码", "金额"]
    code, output = cli("verify", str(TINY), str(out / "plan.xlsx"))
    assert code == 0, output
    # Machine outputs stay English and identical to an English run.
    english = tmp_path / "en"
    assert cli("run", str(TINY), "--out", str(english), "-q")[0] == 0
    for name in ("allocations.csv", "funds.csv", "projects.csv", "summary.json"):
        assert (out / name).read_bytes() == (english / name).read_bytes(), name


def test_the_case_can_ask_for_chinese(tiny: Path, tmp_path: Path) -> None:
    (tiny / "case.yaml").write_text(
        (tiny / "case.yaml").read_text(encoding="utf-8") + "language: zh\n", encoding="utf-8"
    )
    code, output = cli("run", str(tiny), "--out", str(tmp_path / "o"))
    assert code == 0 and "各项资金使用情况" in output
    code, output = cli("run", str(tiny), "--out", str(tmp_path / "e"), "--lang", "en")
    assert code == 0 and "Budget used per fund" in output


def test_a_chinese_template_has_headers_the_reader_understands(tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    assert cli("template", str(path), "--lang", "zh")[0] == 0
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["projects"][1]][:5] == [
        "项目编码", "行政村编码", "项目名称", "项目类别", "资金规模"
    ]  # fmt: skip
    assert "在“case”表中填写基本信息" in book["instructions"]["A2"].value
    book["case"]["B2"], book["case"]["B3"] = "模板试算", 2026
    for table in ("villages", "needs", "projects", "funds", "scores"):
        sheet = book[table]
        for row in read_csv(TINY / f"{table}.csv"):
            sheet.append([_typed(v) for v in row.values()])
    book.save(path)
    code, output = cli("run", str(path), "--out", str(tmp_path / "o"), "-q")
    assert code == 0, output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert summary["objective"] == 1197.0 and summary["case"]["name"] == "模板试算"


def _typed(text: str) -> object:
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text or None


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_errors_are_said_in_chinese_with_their_place(tiny: Path) -> None:
    edit_cell(tiny / "projects.csv", 2, "cost", "50000.5")
    code, output = _invoke(["check", str(tiny), "--lang", "zh"])
    assert code == 2
    assert output.strip() == (
        f"错误：{tiny}/projects.csv，第 4 行，列“cost”：应为整数（以元为单位，不含小数），"
        "实为“50000.5”"
    )
    code, english = _invoke(["check", str(tiny)])
    assert english.strip().startswith(f"error: {tiny}/projects.csv, row 4, column 'cost': ")
    # A case that asks for Chinese gets its errors in Chinese without --lang.
    meta = tiny / "case.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "language: zh\n", encoding="utf-8")
    assert _invoke(["check", str(tiny)])[1].startswith("错误：")


def test_a_conflict_is_said_in_chinese(tmp_path: Path) -> None:
    head = DEFAULT_SPEC.read_text(encoding="utf-8").partition("policies:")[0]
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        head + "policies:\n  poor_village_floor: {min_amount: 700000}\n", encoding="utf-8"
    )
    code, output = _invoke(["check", str(TINY), "--model", str(spec), "--lang", "zh"])
    assert code == 3
    assert "错误：模型设定中的政策无法同时满足（1 处冲突）" in output
    assert (
        "3 个贫困村每村底线 700,000 元，共需 1,740,000 元，但可用于它们的资金只有 1,600,000 元"
        in (output)
    )


def test_check_verify_explain_and_test_speak_chinese(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _invoke(["run", str(TINY), "--out", str(out), "-q"])[0] == 0
    code, checked = _invoke(["check", str(TINY), "--lang", "zh"])
    assert code == 0 and "有效。行政村 5 个，项目 12 个" in checked
    assert "注意：1 个项目的受益户数多于所在村需求清单的记录" in checked
    code, verified = _invoke(["verify", str(TINY), str(out), "--lang", "zh"])
    assert code == 0 and verified.startswith("有效：分配明细 6 行，1,750,000 元")
    code, explained = _invoke(["explain", str(TINY), str(out), "--project", "P04", "--lang", "zh"])
    assert code == 0
    assert explained.splitlines()[0].startswith("项目 P04：Hedong house renovation（safe_housing）")
    assert "  F2：不在使用范围内：其使用范围（drinking_water, irrigation）不包括 safe_housing" in (
        explained
    )
    code, tested = _invoke(["test", "--lang", "zh"])
    assert code == 0 and tested.startswith("通过 ")
