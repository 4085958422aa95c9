from datetime import date

import pytest

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.registry import services
from jiuzhu.registry.models import Membership, Person, RegistryChange

from ..conftest import EAST_TOWN, EAST_VILLAGE, WEST_VILLAGE
from ..factories import add_member, make_id_number, new_household, new_person

pytestmark = pytest.mark.django_db


def _person_data(**overrides: object) -> dict:
    data = {
        "id_number": make_id_number(900, birth=date(1980, 5, 17), male=False),
        "name": "李秀英",
        "hukou_region": EAST_VILLAGE,
        "residence_region": EAST_VILLAGE,
    }
    data.update(overrides)
    return data


def test_person_create_derives_birth_date_and_sex(caseworker) -> None:
    person = services.person_create(ctx=AuditContext(user=caseworker), data=_person_data())
    assert person.birth_date == date(1980, 5, 17)
    assert person.sex == "F"
    assert person.id_reversed == person.id_number[::-1]
    change = RegistryChange.objects.get(person=person)
    assert change.kind == "create" and change.actor == caseworker
    assert AuditEvent.objects.filter(action="create", object_type="person", object_id=str(person.pk)).exists()


def test_person_create_reports_every_bad_field_at_once(caseworker) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(
            ctx=AuditContext(user=caseworker),
            data=_person_data(id_number="110105194912310021", name="", residence_region="999999999999"),
        )
    assert set(exc.value.errors) == {"id_number", "name", "residence_region"}
    assert "校验位" in exc.value.errors["id_number"]
    assert Person.objects.count() == 0


def test_birth_date_typed_by_hand_must_agree(caseworker) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(ctx=AuditContext(user=caseworker), data=_person_data(birth_date="1980-05-18"))
    assert exc.value.errors == {"birth_date": "出生日期与身份证号码不一致"}


def test_duplicate_id_number(caseworker) -> None:
    services.person_create(ctx=AuditContext(user=caseworker), data=_person_data())
    with pytest.raises(ValidationFailed, match="有误") as exc:
        services.person_create(ctx=AuditContext(user=caseworker), data=_person_data(name="王五"))
    assert "已登记" in exc.value.errors["id_number"]


def test_disability_category_and_grade_go_together(caseworker) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(
            ctx=AuditContext(user=caseworker), data=_person_data(disability_category="physical")
        )
    assert "同时填写" in exc.value.errors["disability_grade"]


def test_cannot_register_outside_jurisdiction(caseworker) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(
            ctx=AuditContext(user=caseworker), data=_person_data(residence_region=WEST_VILLAGE)
        )
    assert "辖区" in exc.value.errors["residence_region"]


def test_role_without_permission_cannot_write(make_user) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    with pytest.raises(PermissionDenied):
        services.person_create(ctx=AuditContext(user=reviewer), data=_person_data())


def test_update_records_old_and_new_values(caseworker, tree) -> None:
    person = new_person(name="赵大")
    services.person_update(
        ctx=AuditContext(user=caseworker),
        person_id=person.pk,
        version=person.version,
        data={"name": "赵大海", "employment": "unemployed"},
    )
    person.refresh_from_db()
    assert (person.name, person.version) == ("赵大海", 2)
    change = RegistryChange.objects.get(person=person, kind="update")
    assert change.changes == {"name": ["赵大", "赵大海"], "employment": ["not_working", "unemployed"]}


def test_concurrent_updates_one_wins_other_conflicts(caseworker, tree) -> None:
    person = new_person()
    seen = person.version
    services.person_update(
        ctx=AuditContext(user=caseworker), person_id=person.pk, version=seen, data={"phone": "13800000000"}
    )
    with pytest.raises(Conflict, match="已被他人修改"):
        services.person_update(
            ctx=AuditContext(user=caseworker),
            person_id=person.pk,
            version=seen,
            data={"phone": "13900000000"},
        )
    person.refresh_from_db()
    assert person.phone == "13800000000"


def test_update_of_person_outside_jurisdiction_is_not_found(other_caseworker, tree) -> None:
    person = new_person()
    with pytest.raises(NotFound):
        services.person_update(
            ctx=AuditContext(user=other_caseworker), person_id=person.pk, version=1, data={"name": "改名"}
        )


def test_member_moving_households_keeps_history(caseworker, tree) -> None:
    first = new_household()
    second = new_household(region=tree["980101001002"])
    child = add_member(first, "child", name="钱小")
    ctx = AuditContext(user=caseworker)
    services.member_join(
        ctx=ctx,
        household_id=second.pk,
        person_id=child.pk,
        relation="spouse",
        on=date(2024, 3, 1),
        reason="结婚",
    )
    memberships = list(Membership.objects.filter(person=child).order_by("start_date"))
    assert [(m.household_id, m.end_date) for m in memberships] == [
        (first.pk, date(2024, 3, 1)),
        (second.pk, None),
    ]
    assert memberships[0].end_reason.startswith("结婚")
    child.refresh_from_db()
    assert child.residence_region_id == "980101001002"
    kinds = set(RegistryChange.objects.filter(person=child).values_list("household_id", "kind"))
    assert kinds == {(first.pk, "leave"), (second.pk, "join")}


def test_person_is_in_at_most_one_household(caseworker, tree) -> None:
    household = new_household()
    member = add_member(household)
    with pytest.raises(ValidationFailed, match="有误") as exc:
        services.member_join(
            ctx=AuditContext(user=caseworker),
            household_id=household.pk,
            person_id=member.pk,
            relation="child",
        )
    assert "已是本户成员" in exc.value.errors["person_id"]
    assert Membership.objects.filter(person=member, end_date__isnull=True).count() == 1


def test_head_cannot_leave_without_a_new_head(caseworker, tree) -> None:
    household = new_household()
    with pytest.raises(ValidationFailed):
        services.member_leave(
            ctx=AuditContext(user=caseworker),
            household_id=household.pk,
            person_id=household.head_id,
            reason="迁出",
        )


def test_change_head_then_old_head_may_leave(caseworker, tree) -> None:
    household = new_household()
    spouse = add_member(household, "spouse")
    ctx = AuditContext(user=caseworker)
    old_head = household.head_id
    household = services.household_change_head(
        ctx=ctx,
        household_id=household.pk,
        version=household.version,
        person_id=spouse.pk,
        old_head_relation="spouse",
    )
    assert household.head_id == spouse.pk
    services.member_leave(ctx=ctx, household_id=household.pk, person_id=old_head, reason="死亡")
    assert not Membership.objects.filter(person_id=old_head, end_date__isnull=True).exists()


def test_household_create_with_head(caseworker, tree) -> None:
    head = new_person()
    household = services.household_create(
        ctx=AuditContext(user=caseworker),
        data={"region": EAST_VILLAGE, "address": "东一村3组5号", "bank_account": "6222 0000 1234 5678"},
        head_person_id=head.pk,
    )
    assert household.number == f"{EAST_VILLAGE}-00001"
    assert household.bank_account == "6222000012345678"
    assert household.urban_rural == "rural"
    assert Membership.objects.get(household=household).relation == "head"


def test_household_region_must_be_a_village(caseworker, tree) -> None:
    head = new_person()
    with pytest.raises(ValidationFailed) as exc:
        services.household_create(
            ctx=AuditContext(user=caseworker),
            data={"region": EAST_TOWN, "address": "x"},
            head_person_id=head.pk,
        )
    assert "村(居)" in exc.value.errors["region"]


def test_category_tag_and_untag(caseworker, tree) -> None:
    household = new_household()
    ctx = AuditContext(user=caseworker)
    services.category_tag(ctx=ctx, person_id=household.head_id, category="dibao", start_date=date(2024, 1, 1))
    with pytest.raises(ValidationFailed):
        services.category_tag(ctx=ctx, person_id=household.head_id, category="dibao")
    with pytest.raises(ValidationFailed):
        services.category_tag(ctx=ctx, person_id=household.head_id, category="no_such")
    services.category_untag(
        ctx=ctx,
        person_id=household.head_id,
        category="dibao",
        end_date=date(2025, 1, 1),
        reason="收入超标退出",
    )
    kinds = list(RegistryChange.objects.filter(household=household).values_list("kind", flat=True))
    assert sorted(kinds) == ["tag", "untag"]


def test_death_date_rules(caseworker, tree) -> None:
    person = new_person()
    with pytest.raises(ValidationFailed) as exc:
        services.person_update(
            ctx=AuditContext(user=caseworker),
            person_id=person.pk,
            version=1,
            data={"death_date": "1900-01-01"},
        )
    assert "早于出生日期" in exc.value.errors["death_date"]


def test_database_refuses_a_second_person_with_the_same_id_number(tree) -> None:
    from django.db import IntegrityError, transaction

    first = new_person()
    with pytest.raises(IntegrityError), transaction.atomic():
        new_person(id_number=first.id_number)
