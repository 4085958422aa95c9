"""存量对象导入: households, members, categories and entitlements from a file; bad rows quarantined with
their reasons; the same file again changes nothing; an interrupted import resumed equals a clean run."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.migration import writer
from jiuzhu.migration.models import MigrationBatch, MigrationRow
from jiuzhu.migration.services import migration_import
from jiuzhu.registry.models import Household, Membership, Person, PersonCategory

from ..conftest import COUNTY, EAST_VILLAGE, WEST_VILLAGE
from ..factories import make_id_number, new_household, new_policy

pytestmark = [pytest.mark.django_db]
TODAY = date(2026, 11, 1)
H1 = make_id_number(101, birth=date(1960, 3, 1))
S1 = make_id_number(102, birth=date(1962, 5, 1), male=False)
C1 = make_id_number(103, birth=date(2012, 7, 1))
T1 = make_id_number(104, birth=date(1950, 1, 1))
N1 = make_id_number(105, birth=date(1970, 1, 1))
BAD = H1[:17] + ("0" if H1[17] != "0" else "1")
HEADER = (
    "户主身份证号,姓名,身份证号,与户主关系,所在村(居)区划代码,详细地址,"
    "救助项目,月保障金额,起始年月,分类管理,护理等级,审批文号,审批日期,人员类别\n"
)


def rows() -> str:
    return HEADER + (
        f"{H1},王大,{H1},户主,{EAST_VILLAGE},幸福村1组,低保,860,2024-03,B,,民救〔2024〕3号,2024-02-28,\n"
        f"{H1},李二,{S1},配偶,{EAST_VILLAGE},幸福村1组,低保,860,2024-03,B,,民救〔2024〕3号,2024-02-28,\n"
        f"{H1},王三,{C1},子女,{EAST_VILLAGE},幸福村1组,,,,,,,,困境儿童\n"
        f"{T1},赵四,{T1},户主,{EAST_VILLAGE},幸福村2组,特困,1030,2023-01,,全失能,民救〔2023〕1号,2022-12-20,\n"
        f"{BAD},钱五,{BAD},户主,{EAST_VILLAGE},幸福村3组,低保,300,2024-01,,,,,\n"
        f"{N1},孙六,{N1},户主,{WEST_VILLAGE},西一村,低保,-5,2024-01,,,,,\n"
        f"{N1},孙六,{N1},户主,980102001001,邻村,临时救助,100,2024-01,,,,,\n"
    )


@pytest.fixture
def importer(make_user):
    return make_user("county_approver", COUNTY)


def _import(user, content: str, name: str = "存量.csv", encoding: str = "utf-8", **kwargs):
    return migration_import(
        ctx=AuditContext(user=user),
        file_name=name,
        fh=io.BytesIO(content.encode(encoding)),
        today=TODAY,
        **kwargs,
    )


def test_households_members_categories_and_entitlements_are_imported(tree, importer) -> None:
    new_policy()
    batch = _import(importer, rows()).batch
    assert batch.status == "done" and batch.layout == "template"
    assert (batch.rows_total, batch.rows_loaded, batch.rows_quarantined) == (7, 4, 3)
    assert (batch.households_created, batch.persons_created, batch.entitlements_created) == (2, 4, 2)
    head = Person.objects.get(id_number=H1)
    household = Household.objects.get(head=head)
    assert household.number == f"{EAST_VILLAGE}-00001"
    relations = dict(
        Membership.objects.filter(household=household).values_list("person__id_number", "relation")
    )
    assert relations == {H1: "head", S1: "spouse", C1: "child"}
    dibao = Entitlement.objects.get(household=household, program="dibao")
    assert (dibao.amount, dibao.start_month, dibao.members, dibao.review_class) == (
        Decimal("860.00"),
        date(2024, 3, 1),
        3,
        "B",
    )
    assert (dibao.source, dibao.status, dibao.payment, dibao.person_id) == (
        "migration",
        "active",
        "monthly",
        None,
    )
    assert dibao.details["migration"]["row"] == 2
    decision = dibao.decision
    assert (decision.source, decision.document_no, decision.decided_on) == (
        "migration",
        "民救〔2024〕3号",
        date(2024, 2, 28),
    )
    assert decision.decided_by == importer and decision.outcome == "confirmed"
    # B class, 12 months from the decision: the first date of the cycle after the import day.
    assert dibao.next_review_on == date(2027, 2, 28)
    tekun = Entitlement.objects.get(program="tekun")
    assert tekun.person.id_number == T1 and tekun.details["care_tier"] == "full"
    assert tekun.details["support_form"] == "dispersed"
    tags = set(PersonCategory.objects.values_list("person__id_number", "category"))
    assert {(H1, "dibao"), (S1, "dibao"), (C1, "dibao"), (C1, "child_in_difficulty"), (T1, "tekun")} <= tags
    reasons = dict(MigrationRow.objects.filter(batch=batch).values_list("row_number", "reasons"))
    assert "校验位" in reasons[6]
    assert "金额不能为负" in reasons[7]
    assert "临时救助" in reasons[8]


def test_the_same_file_again_changes_nothing(tree, importer) -> None:
    new_policy()
    first = _import(importer, rows())
    again = _import(importer, rows(), name="again.csv")
    assert again.already_imported and again.batch.pk == first.batch.pk
    assert (Person.objects.count(), Entitlement.objects.count(), Decision.objects.count()) == (4, 2, 2)


def test_an_edited_file_adds_only_what_is_new(tree, importer) -> None:
    new_policy()
    _import(importer, rows())
    more = (
        rows()
        + f"{H1},王四,{make_id_number(106, birth=date(2015, 1, 1))},子女,{EAST_VILLAGE},幸福村1组,,,,,,,,\n"
    )
    batch = _import(importer, more).batch
    assert (batch.households_created, batch.persons_created, batch.entitlements_created) == (0, 1, 0)
    assert batch.rows_loaded == 1 and batch.rows_existing == 4
    assert Membership.objects.filter(household__head__id_number=H1).count() == 4


def _snapshot() -> dict[str, object]:
    return {
        "persons": sorted(Person.objects.values_list("id_number", "name", "residence_region_id")),
        "households": sorted(Household.objects.values_list("number", "head__id_number", "address")),
        "members": sorted(
            Membership.objects.values_list("household__number", "person__id_number", "relation")
        ),
        "tags": sorted(PersonCategory.objects.values_list("person__id_number", "category", "start_date")),
        "entitlements": sorted(
            Entitlement.objects.values_list(
                "household__number", "program", "amount", "start_month", "review_class", "next_review_on"
            )
        ),
        "decisions": sorted(Decision.objects.values_list("program", "document_no", "decided_on", "amount")),
        "quarantine": sorted(MigrationRow.objects.values_list("row_number", "reasons")),
    }


def test_an_interrupted_import_resumed_equals_one_clean_run(tree, importer, monkeypatch) -> None:
    new_policy()
    _import(importer, rows(), chunk_households=1)
    clean = _snapshot()
    for model in (MigrationRow, MigrationBatch):
        model.objects.all().delete()
    from jiuzhu.benefits.models import EntitlementEvent

    EntitlementEvent.objects.all().delete()
    Entitlement.objects.all().delete()
    Decision.objects.all().delete()
    from jiuzhu.registry.models import RegistryChange

    RegistryChange.objects.all().delete()
    PersonCategory.objects.all().delete()
    Membership.objects.all().delete()
    Household.objects.all().delete()
    Person.objects.all().delete()
    real = writer.write_chunk
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            real(**kwargs)
            raise RuntimeError("进程被终止")
        return real(**kwargs)

    monkeypatch.setattr("jiuzhu.migration.services.write_chunk", dying)
    with pytest.raises(RuntimeError):
        _import(importer, rows(), chunk_households=1)
    batch = MigrationBatch.objects.get()
    assert batch.status == "running"
    assert Household.objects.count() == 1  # the first chunk committed, the second rolled back
    monkeypatch.setattr("jiuzhu.migration.services.write_chunk", real)
    resumed = _import(importer, rows(), chunk_households=1).batch
    assert resumed.pk == batch.pk and resumed.status == "done"
    assert _snapshot() == clean


def test_rows_outside_the_jurisdiction_are_refused_with_the_reason(tree, importer) -> None:
    new_policy()
    elsewhere = make_id_number(201, birth=date(1980, 1, 1))
    content = HEADER + f"{elsewhere},周七,{elsewhere},户主,980102001001,邻村,低保,300,2024-01,,,,,\n"
    batch = _import(importer, content).batch
    reasons = dict(MigrationRow.objects.filter(batch=batch).values_list("row_number", "reasons"))
    assert "邻村（980102001001）不在本次导入的辖区（测试县）内" in reasons[2]
    assert not Person.objects.filter(id_number=elsewhere).exists()


def test_a_person_registered_in_another_county_is_refused_without_saying_more(tree, importer) -> None:
    new_policy()
    other = new_household(region=tree["980102001001"], head__hukou_region=tree["980102001001"])
    number = other.head.id_number
    content = (
        HEADER + f"{number},{other.head.name},{number},户主,{EAST_VILLAGE},幸福村,低保,300,2024-01,,,,,\n"
    )
    batch = _import(importer, content).batch
    reasons = MigrationRow.objects.get(batch=batch).reasons
    assert reasons == "户主：该身份证号码已在其他辖区登记，不能由本辖区导入"
    assert Household.objects.count() == 1


def test_the_importing_region_must_be_a_county_in_the_importers_jurisdiction(
    tree, importer, make_user
) -> None:
    from jiuzhu.core.errors import PermissionDenied, ValidationFailed

    new_policy()
    with pytest.raises(ValidationFailed, match="提交"):
        _import(importer, rows(), region_code="980101001000")
    with pytest.raises(ValidationFailed):
        _import(importer, rows(), region_code="980102000000")
    with pytest.raises(PermissionDenied):
        _import(make_user("township_caseworker", "980101001000"), rows())


def test_the_policy_of_a_migrated_decision_is_the_one_in_force_at_the_start_month(tree, importer) -> None:
    from jiuzhu.migration.policies import Policies
    from jiuzhu.policy.selectors import policy_in_force

    county = new_policy(effective_from=date(2020, 1, 1))
    township = new_policy("980101001000", effective_from=date(2024, 6, 1))
    policies = Policies()
    for on in (date(2021, 3, 1), date(2024, 5, 1), date(2024, 6, 1), date(2026, 1, 1)):
        assert policies.at(EAST_VILLAGE, on)[0] == policy_in_force(region_code=EAST_VILLAGE, on=on), on
        assert policies.at(WEST_VILLAGE, on)[0] == policy_in_force(region_code=WEST_VILLAGE, on=on), on
    # Before the first version: the earliest, with a note.
    version, note = policies.at(WEST_VILLAGE, date(2019, 1, 1))
    assert version == county and "早于" in note
    batch = _import(importer, rows()).batch
    dibao = Entitlement.objects.get(program="dibao", details__migration__batch=batch.pk)
    assert dibao.decision.policy_version == county  # start month 2024-03, before the township's version
    assert township.pk != county.pk


def test_a_suspended_entitlement_is_live_on_a_reimport(tree, importer) -> None:
    new_policy()
    _import(importer, rows())
    Entitlement.objects.filter(program="dibao").update(status="suspended")
    more = (
        rows()
        + f"{H1},王四,{make_id_number(107, birth=date(2015, 1, 1))},子女,{EAST_VILLAGE},幸福村1组,,,,,,,,\n"
    )
    batch = _import(importer, more).batch
    assert batch.entitlements_created == 0
    assert Entitlement.objects.filter(program="dibao").count() == 1


def test_rows_breaking_the_incompatible_programs_are_quarantined(tree, importer) -> None:
    # In the file: 赵四 is 特困 (line 2) and his household is then listed for 低保 (line 3): the 低保 row
    # is refused with the table's reason; the 特困 stays.
    new_policy()
    content = HEADER + (
        f"{T1},赵四,{T1},户主,{EAST_VILLAGE},幸福村2组,特困,1030,2023-01,,全失能,民救〔2023〕1号,2022-12-20,\n"
        f"{T1},赵四,{T1},户主,{EAST_VILLAGE},幸福村2组,低保,500,2024-01,B,,民救〔2024〕9号,2023-12-20,\n"
    )
    batch = _import(importer, content).batch
    assert batch.entitlements_created == 1 and batch.rows_quarantined == 1
    assert list(Entitlement.objects.values_list("program", flat=True)) == ["tekun"]
    reasons = dict(MigrationRow.objects.filter(batch=batch).values_list("row_number", "reasons"))
    assert "同一人不能同时享受特困与低保" in str(reasons[3]) and "未导入" in str(reasons[3])


def test_a_row_incompatible_with_what_is_held_already_is_quarantined(tree, importer) -> None:
    # 王大's household holds 低保 (first file, then suspended); a later file lists him for 特困.
    new_policy()
    _import(importer, rows())
    Entitlement.objects.filter(program="dibao").update(status="suspended")
    later = HEADER + (
        f"{H1},王大,{H1},户主,{EAST_VILLAGE},幸福村1组,特困,1030,2024-05,,全失能,民救〔2024〕7号,2024-04-20,\n"
    )
    batch = _import(importer, later, name="later.csv").batch
    assert batch.entitlements_created == 0 and batch.rows_quarantined == 1
    assert not Entitlement.objects.filter(program="tekun", person__id_number=H1).exists()
    [reasons] = MigrationRow.objects.filter(batch=batch).values_list("reasons", flat=True)
    assert "特困人员已纳入特困供养" in str(reasons)
