"""The one jurisdiction gate: fetch by id inside the caller's subtree, else one NotFound."""

from __future__ import annotations

import pytest

from jiuzhu.core.errors import NotFound
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Household, Person

from ..factories import new_household, new_user

pytestmark = pytest.mark.django_db


def test_gate_returns_the_object_inside_and_one_answer_for_outside_and_unknown(
    tree, caseworker, other_caseworker
) -> None:
    household = new_household()  # in 东一村 (东镇)
    own = get_in_jurisdiction(
        Household.objects.select_related("region"),
        user=caseworker,
        pk=household.pk,
        region_field="region__code",
    )
    assert own.pk == household.pk
    answers = []
    for pk in (household.pk, household.pk + 1000):
        with pytest.raises(NotFound) as exc:
            get_in_jurisdiction(
                Household.objects.all(), user=other_caseworker, pk=pk, region_field="region__code"
            )
        answers.append((exc.value.status, exc.value.message))
    assert answers == [(404, "未找到该记录，或不在您的辖区内")] * 2


def test_gate_follows_the_named_region_field_and_the_roles_without_region(tree, caseworker) -> None:
    household = new_household()
    head = household.head
    # The person lives in 西一村 now: the household (东镇) is found, the person is not.
    Person.objects.filter(pk=head.pk).update(residence_region=tree["980101002001"])
    assert get_in_jurisdiction(
        Household.objects.all(), user=caseworker, pk=household.pk, region_field="region__code"
    )
    with pytest.raises(NotFound):
        get_in_jurisdiction(
            Person.objects.all(), user=caseworker, pk=head.pk, region_field="residence_region__code"
        )
    nobody = new_user(role="township_caseworker", region=None)
    with pytest.raises(NotFound):
        get_in_jurisdiction(
            Household.objects.all(), user=nobody, pk=household.pk, region_field="region__code"
        )
    root = new_user(role="", region=None, is_superuser=True)
    assert get_in_jurisdiction(
        Person.objects.all(), user=root, pk=head.pk, region_field="residence_region__code"
    )
