import io

import pytest

from jiuzhu.regions.models import Region, UrbanRural
from jiuzhu.regions.services import region_import_csv

CSV = """统计用区划代码,名称,城乡分类代码
970000000000,示例省,
970100000000,示例市,
970101000000,示例县,
970101001000,城关街道,
970101001001,和平社区,111
970101001002,幸福社区,112
970101002000,青山乡,
970101002001,青山村,220
"""


@pytest.mark.django_db
def test_import_builds_tree_and_is_idempotent() -> None:
    first = region_import_csv(source=io.StringIO(CSV))
    assert (first.created, first.errors) == (8, [])
    village = Region.objects.get(code="970101002001")
    assert village.parent_id == "970101002000"
    assert village.urban_rural == UrbanRural.RURAL
    assert Region.objects.get(code="970101001000").urban_rural == UrbanRural.URBAN
    again = region_import_csv(source=io.StringIO(CSV))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


@pytest.mark.django_db
def test_renamed_region_is_updated() -> None:
    region_import_csv(source=io.StringIO(CSV))
    result = region_import_csv(source=io.StringIO(CSV.replace("青山村", "青山新村")))
    assert result.updated == 1
    assert Region.objects.get(code="970101002001").name == "青山新村"


@pytest.mark.django_db
def test_bad_rows_are_reported_and_good_rows_kept() -> None:
    bad = CSV + "97010100200,短代码,\n970101003001,无上级村,220\n970101002001,重复,220\n"
    result = region_import_csv(source=io.StringIO(bad))
    assert result.created == 8
    assert any("12位数字" in e for e in result.errors)
    assert any("找不到上级区划" in e for e in result.errors)
    assert any("重复" in e for e in result.errors)


@pytest.mark.django_db
def test_subtree_query(tree: dict) -> None:
    codes = set(Region.objects.subtree("980101001000").values_list("code", flat=True))
    assert codes == {"980101001000", "980101001001", "980101001002"}
