"""The rules of a migration file that need no database: layouts detected from the headers, each row
judged by the registry's and the programs' rules, the rows of a household together."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.migration.households import group
from jiuzhu.migration.layouts import LAYOUTS, detect
from jiuzhu.migration.rows import MigRow, parse_row, read_source

from ..factories import make_id_number

TODAY = date(2026, 11, 1)
HEAD = make_id_number(401, birth=date(1960, 1, 1))
WIFE = make_id_number(402, birth=date(1962, 1, 1), male=False)
KID = make_id_number(403, birth=date(2012, 1, 1))
VILLAGE = "980101001001"
TEMPLATE = LAYOUTS["template"]


def _row(line: int = 2, **cells: str) -> MigRow | list[str]:
    base = {
        "household_key": HEAD,
        "name": "王大",
        "id_number": HEAD,
        "relation": "户主",
        "region": VILLAGE,
        "address": "幸福村",
    }
    return parse_row(line, base | cells, TEMPLATE, today=TODAY)


def test_layouts_are_detected_from_the_headers() -> None:
    national = ["户主姓名", "户主身份证号", "成员姓名", "身份证号", "与户主关系", "行政区划代码", "家庭住址"]
    assert (
        detect([*national, "保障类别", "保障金额", "起始年月", "审批文号", "审批日期"]).code
        == "national_dibao"
    )
    assert (
        detect(["姓名", "身份证号", "行政区划代码", "居住地址", "护理等级", "供养金额"]).code
        == "national_tekun"
    )
    assert (
        detect(["户主身份证号", "姓名", "身份证号", "与户主关系", "所在村(居)区划代码", "详细地址"]).code
        == "template"
    )
    with pytest.raises(ValidationFailed):
        detect(["编号", "金额"])


def test_a_tekun_export_makes_each_person_their_own_household() -> None:
    content = "姓名,身份证号,行政区划代码,居住地址,护理等级,月供养金额,起始年月\n"
    content += f"赵四,{HEAD},{VILLAGE},幸福村,半失能,１２００,２０２４年３月\n"
    source = read_source(io.BytesIO(content.encode("gb18030")), "csv")
    assert (source.layout.code, source.encoding) == ("national_tekun", "gb18030")
    row = parse_row(*source.rows[0], source.layout, today=TODAY)
    assert isinstance(row, MigRow)
    assert (row.household_key, row.relation, row.program, row.care_tier, row.support_form) == (
        HEAD,
        "head",
        "tekun",
        "partial",
        "dispersed",
    )
    assert (row.amount, row.start_month) == (Decimal("1200.00"), date(2024, 3, 1))


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"id_number": HEAD[:17] + ("0" if HEAD[17] != "0" else "1")}, "身份证号：身份证号码校验位错误"),
        ({"relation": "配偶"}, "与户主关系应为“户主”"),
        ({"id_number": WIFE}, "身份证号与户主身份证号不同"),
        ({"relation": "表亲"}, "与户主关系：取值无效"),
        ({"name": "王2"}, "姓名不能包含数字"),
        ({"region": "9801"}, "应为12位数字"),
        ({"program": "低保", "amount": "-1", "start_month": "2024-01"}, "金额不能为负"),
        ({"program": "低保", "start_month": "2024-01"}, "须填写月保障金额"),
        ({"program": "低保", "amount": "300"}, "起始年月：不能为空"),
        ({"program": "低保", "amount": "300", "start_month": "2099-01"}, "月份超出合理范围"),
        ({"program": "低保边缘", "amount": "200", "start_month": "2026-01"}, "不发放资金"),
        ({"program": "特困", "amount": "1200", "start_month": "2026-01"}, "须填写护理等级"),
        ({"program": "临时救助", "amount": "1200", "start_month": "2026-01"}, "不属于存量在保对象"),
        ({"program": "五保户补助", "amount": "1", "start_month": "2026-01"}, "未知的救助项目"),
        ({"program": "护理补贴", "amount": "100", "start_month": "2026-01"}, "须填写残疾类别和残疾等级"),
        ({"program": "困境儿童", "amount": "600", "start_month": "2026-01"}, "未满18周岁"),
        ({"amount": "300"}, "未填写救助项目"),
        (
            {"program": "低保", "amount": "1", "start_month": "2026-01", "review_class": "D"},
            "分类管理：取值无效",
        ),
        ({"disability_category": "肢体残疾"}, "须同时填写"),
    ],
)
def test_each_rule_refuses_the_row_with_its_reason(cells: dict[str, str], reason: str) -> None:
    result = _row(**cells)
    assert isinstance(result, list) and any(reason in r for r in result), result


def test_codes_labels_and_aliases_are_all_read() -> None:
    row = _row(
        program="农村低保",
        amount="３６１３．７１",
        start_month="202405",
        review_class="b类",
        categories="残疾人、困难老人",
    )
    assert isinstance(row, MigRow)
    assert (row.program, row.amount, row.start_month, row.review_class) == (
        "dibao",
        Decimal("3613.71"),
        date(2024, 5, 1),
        "B",
    )
    assert row.categories == ("disabled", "elderly_in_difficulty")
    wife = _row(id_number=WIFE, relation="妻", name="李二")
    assert isinstance(wife, MigRow) and wife.relation == "spouse" and wife.sex == "F"


def _household(*rows: MigRow | list[str]) -> tuple[list, dict[int, list[str]]]:
    assert all(isinstance(r, MigRow) for r in rows)
    return group(rows)  # type: ignore[arg-type]


def test_a_household_program_repeated_on_every_member_row_is_one_entitlement() -> None:
    dibao = {"program": "低保", "amount": "860", "start_month": "2024-03"}
    households, refused = _household(
        _row(2, **dibao),
        _row(3, id_number=WIFE, relation="配偶", name="李二", **dibao),
        _row(4, id_number=KID, relation="子女", name="王三"),
    )
    assert refused == {} and len(households) == 1
    assert [r.line for r in households[0].entitlements] == [2]
    assert list(households[0].members) == [HEAD, WIFE, KID]


def test_household_rules() -> None:
    dibao = {"program": "低保", "amount": "860", "start_month": "2024-03"}
    households, refused = _household(
        _row(2, **dibao),
        _row(
            3,
            id_number=WIFE,
            relation="配偶",
            name="李二",
            program="低保",
            amount="900",
            start_month="2024-03",
        ),
        _row(4, id_number=KID, relation="子女", name="王三"),
        _row(5, id_number=KID, relation="子女", name="王三"),
    )
    assert "与第2行不一致" in refused[3][0] and refused[5] == ["与第4行重复"]
    # No head row: every row of the household is refused.
    other = make_id_number(404, birth=date(1970, 1, 1))
    households, refused = _household(
        _row(6, household_key=other, id_number=KID, relation="子女", name="王三")
    )
    assert households == [] and "没有户主本人的有效行" in refused[6][0]
