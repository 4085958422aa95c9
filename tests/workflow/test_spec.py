"""Definitions as data: patches (drop a step and reconnect, change a step, drop and add transitions)
and condition expressions; no database."""

from __future__ import annotations

import pytest

from jiuzhu.workflow.definitions import NATIONAL
from jiuzhu.workflow.definitions.spec import PatchError, TransitionSpec, apply_patch, condition_terms

DIBAO = NATIONAL["dibao"]


def _edges(spec, source):
    return {(t.target, t.condition) for t in spec.outgoing(source) if t.action == "forward"}


def test_condition_terms_read_and_and_not() -> None:
    assert condition_terms("") == []
    assert condition_terms("a&!b") == [(True, "a"), (False, "b")]
    assert condition_terms(" a & ! b ") == [(True, "a"), (False, "b")]


def test_dropping_community_review_reconnects_investigation_to_review() -> None:
    spec = apply_patch(DIBAO, {"drop_steps": ["community_review"]})
    assert not spec.has_step("community_review")
    # investigation → community_review [always] and → review [!always] become one, unconditional.
    assert _edges(spec, "investigation") == {("review", "")}
    assert ("review", "community_review_on_objection_or_always") in _edges(spec, "reinvestigation")
    assert ("review", "community_review_never") in _edges(spec, "reinvestigation")
    assert all("community_review" not in (t.source, t.target) for t in spec.transitions)


def test_dropping_a_step_keeps_send_backs_into_it_pointing_forward() -> None:
    spec = apply_patch(DIBAO, {"drop_steps": ["review"]})
    back = {t.target for t in spec.outgoing("confirmation") if t.action == "send_back"}
    # confirmation → review (send back) now leads where review led: the notice and the confirmations.
    assert back == {"public_notice", "township_confirmation"}


def test_changing_a_limit_replaces_the_policy_setting() -> None:
    spec = apply_patch(DIBAO, {"steps": {"review": {"limit_days": 3}}})
    step = spec.step("review")
    assert (step.limit_days, step.limit_setting) == (3, "")
    spec = apply_patch(spec, {"steps": {"review": {"limit_setting": "confirmation_days"}}})
    assert (spec.step("review").limit_days, spec.step("review").limit_setting) == (None, "confirmation_days")


def test_changing_role_and_evidence() -> None:
    spec = apply_patch(DIBAO, {"steps": {"review": {"role": "county_approver", "level": 3, "evidence": []}}})
    assert (spec.step("review").role, spec.step("review").level, spec.step("review").evidence) == (
        "county_approver",
        3,
        (),
    )


def test_dropping_and_adding_transitions() -> None:
    patch = {
        "drop_transitions": [{"source": "review", "target": "public_notice"}],
        "add_transitions": [
            {
                "source": "review",
                "target": "public_notice",
                "action": "forward",
                "name": "公示",
                "condition": "",
            }
        ],
    }
    spec = apply_patch(DIBAO, patch)
    assert TransitionSpec("review", "public_notice", "forward", "公示") in spec.transitions
    assert ("public_notice", "notice_needed") not in _edges(spec, "review")


@pytest.mark.parametrize(
    "patch",
    [
        {"drop_steps": ["nowhere"]},
        {"drop_steps": ["verification"]},
        {"steps": {"nowhere": {"limit_days": 1}}},
        {"steps": {"review": {"colour": "red"}}},
        {"drop_transitions": [{"source": "review", "target": "nowhere"}]},
        {"drop_transitions": [{"source": "review", "colour": "red"}]},
        {"add_transitions": [{"source": "review"}]},
        {"rename": "x"},
    ],
)
def test_patches_that_cannot_apply_are_refused(patch) -> None:
    with pytest.raises(PatchError):
        apply_patch(DIBAO, patch)


def test_the_base_is_not_changed() -> None:
    before = DIBAO
    apply_patch(DIBAO, {"drop_steps": ["community_review"]})
    assert before == DIBAO and DIBAO.has_step("community_review")
