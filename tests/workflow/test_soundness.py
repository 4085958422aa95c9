"""Every definition the platform ships is sound, as data and as stored rows, and so are the sample
regional variants; deliberately broken definitions are reported."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.workflow.definitions import NATIONAL, REVIEWS
from jiuzhu.workflow.definitions.spec import LIMIT_SETTINGS, StepSpec, TransitionSpec, apply_patch, soundness
from jiuzhu.workflow.models import Definition
from jiuzhu.workflow.services import definition_patch, definition_spec, definition_sync

from ..conftest import CITY

DIBAO = NATIONAL["dibao"]

# A province that holds no community review and gives the township 3 working days for its review.
NO_COMMUNITY_REVIEW = {"drop_steps": ["community_review"], "steps": {"review": {"limit_days": 3}}}
# A province where a minor's case, never publicly noticed, always goes to the county, even where the
# confirmation is otherwise delegated to the township.
MINORS_TO_COUNTY = {
    "drop_transitions": [
        {"source": "review", "target": "confirmation", "condition": "notice_skipped&confirm_county"},
        {
            "source": "review",
            "target": "township_confirmation",
            "condition": "notice_skipped&confirm_township&!close_relative",
        },
        {
            "source": "review",
            "target": "confirmation",
            "condition": "notice_skipped&confirm_township&close_relative",
        },
    ],
    "add_transitions": [
        {
            "source": "review",
            "target": "confirmation",
            "action": "forward",
            "name": "未成年人案件不公示，报县级确认",
            "condition": "notice_skipped",
        }
    ],
}
SAMPLES = {"national": {}, "no community review": NO_COMMUNITY_REVIEW, "minors to county": MINORS_TO_COUNTY}


@pytest.mark.parametrize("program", sorted(NATIONAL))
def test_every_national_definition_is_sound(program) -> None:
    assert soundness(NATIONAL[program], roles=Role.values) == []


@pytest.mark.parametrize("patch", SAMPLES.values(), ids=SAMPLES.keys())
def test_sample_regional_variants_are_sound(patch) -> None:
    assert soundness(apply_patch(DIBAO, patch), roles=Role.values) == []


def test_limit_settings_are_policy_fields() -> None:
    fields = {f.name for f in PolicyVersion._meta.concrete_fields}
    assert fields >= LIMIT_SETTINGS


@pytest.mark.django_db
def test_stored_definitions_read_back_as_their_specs_and_are_sound(tree) -> None:
    stored = definition_sync(ctx=AuditContext.system())
    by_purpose = {"application": NATIONAL, "review": REVIEWS}
    assert {(d.purpose, d.program) for d in stored} == {
        (purpose, program) for purpose, specs in by_purpose.items() for program in specs
    }
    for d in stored:
        assert definition_spec(d) == by_purpose[d.purpose][d.program]
        assert soundness(definition_spec(d), roles=Role.values) == []
    # Idempotent: a second run writes nothing new.
    assert [d.pk for d in definition_sync(ctx=AuditContext.system())] == [d.pk for d in stored]
    assert Definition.objects.count() == len(NATIONAL) + len(REVIEWS)


@pytest.mark.django_db
@pytest.mark.parametrize("patch", [NO_COMMUNITY_REVIEW, MINORS_TO_COUNTY], ids=["no review", "minors"])
def test_a_regional_variant_is_stored_whole_and_sound(tree, patch) -> None:
    definition_sync(ctx=AuditContext.system())
    variant = definition_patch(ctx=AuditContext.system(), program="dibao", region_code=CITY, patch=patch)
    assert variant.region_id == CITY and variant.patch == patch and variant.base.region_id is None
    assert soundness(definition_spec(variant), roles=Role.values) == []
    assert definition_spec(variant).steps == apply_patch(DIBAO, patch).steps


@pytest.mark.django_db
def test_an_unsound_patch_is_refused_in_chinese(tree) -> None:
    definition_sync(ctx=AuditContext.system())
    patch = {"drop_transitions": [{"source": "verification", "target": "investigation"}]}
    with pytest.raises(ValidationFailed) as exc:
        definition_patch(ctx=AuditContext.system(), program="dibao", region_code=CITY, patch=patch)
    assert "从开始环节无法到达" in exc.value.errors["patch"]
    with pytest.raises(ValidationFailed) as exc:
        definition_patch(
            ctx=AuditContext.system(), program="dibao", region_code=CITY, patch={"drop_steps": ["x"]}
        )
    assert "要删除的环节不存在" in exc.value.errors["patch"]


def _steps(spec, code, **changes):
    return replace(spec, steps=tuple(replace(s, **changes) if s.code == code else s for s in spec.steps))


BROKEN = {
    "step without role": (_steps(DIBAO, "review", role=""), "环节 review 没有办理角色"),
    "unknown role": (_steps(DIBAO, "review", role="mayor"), "环节 review 的办理角色未知：mayor"),
    "step without level": (_steps(DIBAO, "review", level=None), "环节 review 没有办理层级"),
    "step without limit": (
        _steps(DIBAO, "review", limit_setting="", limit_days=None),
        "环节 review 没有时限",
    ),
    "limit not a policy field": (
        _steps(DIBAO, "review", limit_setting="lunch_days"),
        "环节 review 的时限参数不是政策表中的时限项目：lunch_days",
    ),
    "unknown evidence": (
        _steps(DIBAO, "review", evidence=("photo",)),
        "环节 review 要求的材料代码未知：photo",
    ),
    "unknown condition": (
        replace(
            DIBAO,
            transitions=(*DIBAO.transitions, TransitionSpec("review", "refused", "forward", "x", "rainy")),
        ),
        "流转 review → refused 的条件代码未知：rainy",
    ),
    "transition to nowhere": (
        replace(DIBAO, transitions=(*DIBAO.transitions, TransitionSpec("review", "moon", "forward", "x"))),
        "流转 review → moon 引用了不存在的环节：moon",
    ),
    "unreachable step": (
        replace(
            DIBAO,
            steps=(*DIBAO.steps, StepSpec("limbo", "悬空", "task", "township_caseworker", 4, limit_days=1)),
        ),
        "环节 limbo 从开始环节无法到达",
    ),
    "dead end": (
        replace(
            DIBAO,
            steps=(*DIBAO.steps, StepSpec("trap", "陷阱", "task", "township_caseworker", 4, limit_days=1)),
            transitions=(*DIBAO.transitions, TransitionSpec("review", "trap", "forward", "x")),
        ),
        "环节 trap 无法到达任何结束环节",
    ),
    "unreachable end": (
        replace(DIBAO, transitions=tuple(t for t in DIBAO.transitions if t.target != "refused")),
        "结束环节 refused 从开始环节无法到达",
    ),
    "two starts": (_steps(DIBAO, "review", kind="start"), "应有且只有一个开始环节，现有 2 个"),
    "end without outcome": (_steps(DIBAO, "refused", outcome=""), "结束环节 refused 没有办理结果"),
}


@pytest.mark.parametrize(("spec", "problem"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_definitions_are_reported(spec, problem) -> None:
    assert problem in soundness(spec, roles=Role.values)


@pytest.mark.parametrize("program", sorted(REVIEWS))
def test_every_review_definition_is_sound(program) -> None:
    spec = REVIEWS[program]
    assert spec.purpose == "review"
    assert soundness(spec, roles=Role.values) == []
    ends = {s.code for s in spec.ends}
    assert ends == {"maintained", "adjusted", "suspended", "stopped", "terminated"}
