"""Veto reasons name what they count (type, number and whose), and roles that see ID numbers masked see
plates and property unit numbers masked too, on the page and in the API."""

from datetime import date

import pytest

from jiuzhu.verification.engine.means import assess

from ..factories import add_member, make_id_number, new_household
from .helpers import fact, household, member


def test_veto_names_each_vehicle_property_and_business() -> None:
    car = fact("vehicle", date(2024, 1, 1), "60000", "car", plate="京A12345", event="buy")
    truck = fact("vehicle", date(2024, 3, 1), "90000", "truck", plate="京B67890", event="buy")
    shop = fact(
        "real_estate", date(2020, 1, 1), None, "non_residential", unit_no="110105-0301-S8", event="hold"
    )
    firm = fact("business", date(2022, 1, 1), "10000", "individual", reg_no="92110105MA01", status="active")
    r = assess(household(member(1, facts=(car, shop)), member(2, facts=(truck, firm))))
    text = "\n".join(r.vetoes)
    assert (
        "机动车（不含豁免车型） 2 辆，超过允许的 0 辆：小型汽车 京A12345（成员1）、货车 京B67890（成员2）"
        in text
    )
    assert (
        "非住宅房产（商铺、车位、办公用房等） 1 处，超过允许的 0 处：非住宅房产 110105-0301-S8（成员1）"
        in text
    )
    assert "市场主体登记 1 个，超过允许的 0 个：个体工商户 92110105MA01（成员2）" in text
    dibao = next(v for v in r.verdicts if v.program == "dibao")
    assert any("京A12345" in reason and reason.startswith("一票否决") for reason in dibao.reasons)


def test_exempt_vehicle_is_not_named_in_the_veto() -> None:
    car = fact("vehicle", date(2024, 1, 1), "60000", "car", plate="京A12345", event="buy")
    bike = fact("vehicle", date(2024, 1, 1), "3000", "e_bike", plate="京E00001", event="buy")
    r = assess(household(member(1, facts=(car, bike))))
    assert len(r.vetoes) == 1 and "京A12345" in r.vetoes[0] and "京E00001" not in r.vetoes[0]


@pytest.mark.django_db
def test_plate_masked_for_roles_without_full_view(
    tree, feed, county_policy, caseworker, make_user, client_for, authorise
) -> None:
    from ..conftest import EAST_TOWN

    h = new_household(head__name="韩户主", head__id_number=make_id_number(61, birth=date(1970, 1, 1)))
    wife = add_member(
        h, "spouse", name="韩妻", id_number=make_id_number(62, birth=date(1972, 1, 1), male=False)
    )
    feed("vehicle", wife.id_number, date(2025, 5, 1), "80000", kind="car", plate="京A12345", event="buy")
    authorise(h.head, wife)
    created = client_for(caseworker).post(
        "/api/verification/reports", {"id_number": h.head.id_number}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "小型汽车 京A12345（韩妻）" in body["results"]["vetoes"][0]
    assert "private_refs" not in body["inputs"]

    auditor = client_for(make_user("auditor", EAST_TOWN))
    seen = auditor.get(f"/api/verification/reports/{body['id']}").json()
    assert "京A12345" not in str(seen)
    assert "小型汽车 京A***45（韩妻）" in seen["results"]["vetoes"][0]
    page = auditor.get(f"/verification/reports/{body['id']}/").content.decode()
    assert "京A12345" not in page and "京A***45" in page
    assert "京A12345" in client_for(caseworker).get(f"/verification/reports/{body['id']}/").content.decode()
