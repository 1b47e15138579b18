"""Chinese and English for what people read; machine outputs stay English."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from allocator.cli import app
from allocator.i18n import LANGUAGES, TEXT
from tests.conftest import TINY, read_csv

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
